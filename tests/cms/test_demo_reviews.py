"""seed_demo's reviewed work: submissions in every review state on the demo company's
sentiment project, consistent with the engine's counters, written once."""

import pytest
from django.db.models import Count
from django.utils import timezone

from accounts.models import CompanyRecord
from cms.demo.projects import PROJECTS, demo_project_ensure
from cms.demo.reviews import REVIEW_PROJECT, demo_reviews_ensure
from cms.demo.seed import DemoPassword
from marketplace.models import Assignment, Item, ItemResult, ReviewDecision
from tests.factories import MembershipFactory, WorkerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded_project(company):
    spec = next(spec for spec in PROJECTS if spec.title == REVIEW_PROJECT)
    owner = MembershipFactory(company=company, role="owner").user
    project, _ = demo_project_ensure(spec=spec, company=company, owner=owner, now=timezone.now())
    return project, owner


def ensure(company, owner, worker):
    return demo_reviews_ensure(
        company=company, reviewer=owner, worker=worker, password=DemoPassword(), now=timezone.now()
    )


def test_the_demo_has_work_in_every_review_state_with_its_audit_rows(company, seeded_project):
    project, owner = seeded_project
    worker = WorkerFactory()

    created = ensure(company, owner, worker)

    statuses = dict(
        Assignment.objects.filter(project=project)
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    assert created == sum(statuses.values()) == 19
    assert set(statuses) == {"submitted", "approved", "rejected", "revision"}
    mine = Assignment.objects.filter(worker=worker)
    assert set(mine.values_list("status", flat=True)) == {
        "submitted",
        "approved",
        "rejected",
        "revision",
    }
    assert all(a.reject_reason for a in Assignment.objects.filter(status="rejected"))
    assert Assignment.objects.filter(is_too_fast=True).count() == 2
    decided = Assignment.objects.exclude(status="submitted").count()
    assert ReviewDecision.objects.filter(actor=owner).count() == decided
    assert CompanyRecord.objects.get(company=company).reviewed_count == 10


def test_item_counters_match_the_demo_answers(company, seeded_project):
    project, owner = seeded_project
    ensure(company, owner, WorkerFactory())

    for item in Item.objects.filter(project=project, assignments__isnull=False).distinct():
        answers = item.assignments.count()
        assert (item.assigned_count, item.submitted_count) == (answers, answers)
        if not item.is_gold:
            assert item.is_open == (answers < project.overlap)


def test_seeding_again_writes_nothing(company, seeded_project):
    _project, owner = seeded_project
    worker = WorkerFactory()
    ensure(company, owner, worker)
    before = (Assignment.objects.count(), ReviewDecision.objects.count())

    assert ensure(company, owner, worker) == 0

    assert (Assignment.objects.count(), ReviewDecision.objects.count()) == before


def test_items_with_all_their_answers_are_aggregated_for_the_results_page(company, seeded_project):
    project, owner = seeded_project
    ensure(company, owner, WorkerFactory())

    complete = Item.objects.filter(project=project, is_gold=False, is_open=False)
    assert complete.exists()
    assert set(ItemResult.objects.filter(project=project).values_list("item_id", flat=True)) == set(
        complete.values_list("pk", flat=True)
    )
