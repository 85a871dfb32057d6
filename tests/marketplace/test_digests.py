"""Company digests: answers waiting for review (one per member per run), and budget warnings."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import DigestMark, Notification
from marketplace.digests import (
    SETTLE,
    budget_checks_run,
    budget_shortfalls,
    project_budgets,
    review_digests_send,
)
from marketplace.models import Assignment, Item, Project
from marketplace.projects import project_budget
from marketplace.tasks import check_project_budgets, send_review_digests
from payouts import ledger
from tests.factories import CompanyFactory, MembershipFactory, WorkerFactory, fund_company
from tests.marketplace.factories import make_assignment, make_items, make_project

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)
EARLIER = NOW - datetime.timedelta(minutes=30)
Status = Assignment.Status


@pytest.fixture(autouse=True)
def _fee(settings):
    settings.PLATFORM_FEE_PERCENT = 20


def staff_of(company):
    """An owner, a manager and a reviewer of `company`, in that order."""
    return [
        MembershipFactory(company=company, role=role).user
        for role in ("owner", "manager", "reviewer")
    ]


def answers(project, count, *, at=EARLIER, status=Status.SUBMITTED, gold=False):
    items = make_items(project, count, gold_label="positive" if gold else None)
    return [
        make_assignment(item, WorkerFactory(), status=status, submitted_at=at) for item in items
    ]


# --- Answers waiting for review -------------------------------------------------------------


def test_each_reviewing_member_gets_one_digest_counting_new_answers_per_project(
    django_capture_on_commit_callbacks,
):
    company = CompanyFactory()
    members = staff_of(company)
    labels = make_project(company=company, title="Label street scenes")
    ratings = make_project(company=company, title="Rate chatbot replies")
    answers(labels, 2)
    answers(labels, 1, gold=True)  # gold answers wait for review too
    answers(ratings, 1)
    answers(ratings, 1, status=Status.APPROVED)  # decided: not waiting
    answers(ratings, 1, status=Status.LEASED, at=None)  # not answered yet
    outsider = make_project(title="Someone else's")
    answers(outsider, 1)
    staff_of(outsider.company)

    with django_capture_on_commit_callbacks(execute=True):
        sent = review_digests_send(now=NOW)

    assert sent == 6  # three members in each of the two companies
    notices = Notification.objects.filter(user__in=members).order_by("user_id")
    assert [notice.user for notice in notices] == members
    notice = notices[0]
    assert notice.kind == "review_waiting"
    assert notice.title == "4 new answers to review in 2 projects"
    assert notice.body.startswith("4 answers arrived since your last summary")
    assert notice.link == "/company/projects/"
    assert notice.links == [
        {
            "text": "Label street scenes: 3 new answers",
            "path": f"/company/projects/{labels.pk}/review/",
        },
        {
            "text": "Rate chatbot replies: 1 new answer",
            "path": f"/company/projects/{ratings.pk}/review/",
        },
    ]
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        Notification.objects.values_list("user__email", flat=True)
    )
    assert len(mail.outbox) == 6
    assert (
        DigestMark.objects.get(kind="review_waiting", subject_id=company.pk).until == NOW - SETTLE
    )


def test_a_rerun_sends_nothing_and_the_next_digest_counts_only_what_arrived_since():
    company = CompanyFactory()
    owner = staff_of(company)[0]
    project = make_project(company=company, title="Label street scenes")
    answers(project, 2)
    assert review_digests_send(now=NOW) == 3

    assert review_digests_send(now=NOW) == 0
    assert review_digests_send(now=NOW + datetime.timedelta(hours=1)) == 0
    answers(project, 1, at=NOW + datetime.timedelta(hours=1, minutes=20))
    assert review_digests_send(now=NOW + datetime.timedelta(hours=2)) == 3

    latest = Notification.objects.filter(user=owner).first()
    assert latest.title == "1 new answer to review: Label street scenes"
    assert latest.body.startswith("1 answer arrived since your last summary and is waiting")
    assert latest.link == f"/company/projects/{project.pk}/review/"
    assert Notification.objects.filter(user=owner).count() == 2


def test_no_waiting_answers_no_digest():
    company = CompanyFactory()
    staff_of(company)
    project = make_project(company=company)
    answers(project, 2, status=Status.REJECTED)

    assert review_digests_send(now=NOW) == 0
    assert Notification.objects.count() == 0


def test_an_answer_younger_than_the_settling_time_waits_for_the_next_digest():
    company = CompanyFactory()
    staff_of(company)
    project = make_project(company=company)
    answers(project, 1, at=NOW - SETTLE + datetime.timedelta(seconds=5))

    assert review_digests_send(now=NOW) == 0
    assert review_digests_send(now=NOW + datetime.timedelta(minutes=5)) == 3


def test_the_digest_costs_the_same_queries_for_two_companies_or_six():
    def companies_with_answers(count):
        for _ in range(count):
            company = CompanyFactory()
            staff_of(company)
            answers(make_project(company=company), 2)

    companies_with_answers(2)
    with CaptureQueriesContext(connection) as few:
        assert review_digests_send(now=NOW) == 6
    companies_with_answers(6)
    with CaptureQueriesContext(connection) as many:
        assert review_digests_send(now=NOW + datetime.timedelta(hours=1)) == 18
    assert len(few) == len(many)


def test_the_task_runs_the_digest_hourly(settings):
    company = CompanyFactory()
    staff_of(company)
    answers(make_project(company=company), 1, at=timezone.now() - datetime.timedelta(hours=1))

    assert send_review_digests.delay().get() == 3
    assert send_review_digests.delay().get() == 0
    assert settings.CELERY_BEAT_SCHEDULE["send-review-digests"] == {
        "task": "marketplace.tasks.send_review_digests",
        "schedule": 3600.0,
    }


# --- Budgets --------------------------------------------------------------------------------


def budget_project(*, items=10, escrow=100_00, **fields):
    fields.setdefault("reward_cents", 50)
    project = make_project(escrow_cents=escrow, **fields)
    make_items(project, items)
    return project


def test_bulk_budgets_equal_project_budget_for_every_kind_of_project():
    plain = budget_project(items=4)
    overlapping = budget_project(items=3, overlap=3)
    with_gold = budget_project(items=5, gold_rate=20)
    make_items(with_gold, 2, gold_label="positive")
    gold_rate_without_gold_items = budget_project(items=2, gold_rate=30)
    extra = budget_project(items=3, overlap=2)
    Item.objects.filter(project=extra).update(extra_answers=2)
    partly_decided = budget_project(items=4, overlap=2)
    for item in Item.objects.filter(project=partly_decided)[:3]:
        make_assignment(item, WorkerFactory(), status=Status.APPROVED)
        make_assignment(item, WorkerFactory(), status=Status.REJECTED)
    overdone = budget_project(items=1)
    item = Item.objects.get(project=overdone)
    for _ in range(2):
        make_assignment(item, WorkerFactory(), status=Status.APPROVED)
    empty = budget_project(items=0)
    projects = [
        plain, overlapping, with_gold, gold_rate_without_gold_items, extra,
        partly_decided, overdone, empty,
    ]  # fmt: skip

    bulk = project_budgets(list(Project.objects.filter(pk__in=[p.pk for p in projects])))

    for project in projects:
        assert bulk[project.pk] == project_budget(project), project.title
    # 5 answers and ceil(5 x 20/80) = 2 control answers; 3 x 2 + 6 extra answers; at $0.60.
    assert (bulk[with_gold.pk].total_cents, bulk[extra.pk].total_cents) == (420, 720)


def test_owners_and_managers_are_warned_once_with_how_much_to_add(
    django_capture_on_commit_callbacks,
):
    project = budget_project(items=10, escrow=1_00, title="Label street scenes")
    owner, manager, _reviewer = staff_of(project.company)
    fund_company(project.company_id, 2_50)

    with django_capture_on_commit_callbacks(execute=True):
        assert budget_checks_run() == 2

    notices = list(Notification.objects.order_by("user_id"))
    assert [notice.user for notice in notices] == [owner, manager]
    notice = notices[0]
    assert (notice.kind, notice.title, notice.link) == (
        "budget_low",
        "Budget running low: Label street scenes",
        "/company/billing/",
    )
    assert notice.body.startswith(
        "Add at least $2.50 to your company balance to keep \u201cLabel street scenes\u201d "
        "paid. It still needs $6 for the answers it asks for (rewards plus the platform fee); "
        "its reserved budget holds $1 and your company balance $2.50."
    )
    assert len(mail.outbox) == 2
    assert budget_checks_run() == 0
    assert Notification.objects.count() == 2


def test_a_project_funded_back_is_warned_again_only_when_it_runs_short_again():
    project = budget_project(items=10, escrow=1_00)
    staff_of(project.company)
    assert budget_checks_run() == 2

    fund_company(project.company_id, 5_00)  # now covers the $6 it needs
    assert budget_checks_run() == 0
    assert DigestMark.objects.get(kind="budget_low", subject_id=project.pk).raised is False
    assert budget_checks_run() == 0

    make_items(project, 10)  # $6 more than the money covers
    assert budget_checks_run() == 2
    assert Notification.objects.count() == 4


def test_only_active_and_paused_projects_are_checked():
    for status in (Project.Status.DRAFT, Project.Status.COMPLETED, Project.Status.CANCELLED):
        staff_of(budget_project(escrow=0, status=status).company)
    paused = budget_project(escrow=0, status=Project.Status.PAUSED)
    staff_of(paused.company)

    assert budget_checks_run() == 2
    assert set(Notification.objects.values_list("title", flat=True)) == {
        f"Budget running low: {paused.title}"
    }


def test_a_project_whose_money_covers_it_is_not_flagged():
    covered = budget_project(items=10, escrow=6_00)
    staff_of(covered.company)

    assert budget_shortfalls([covered]) == {covered.pk: None}
    assert budget_checks_run() == 0
    assert ledger.balance_of(ledger.project_escrow(covered.pk)) == 6_00


def test_the_budget_check_costs_the_same_queries_for_two_projects_or_eight():
    def short_projects(count):
        for _ in range(count):
            staff_of(budget_project(escrow=0).company)

    short_projects(2)
    with CaptureQueriesContext(connection) as few:
        assert budget_checks_run() == 4
    short_projects(6)
    with CaptureQueriesContext(connection) as many:
        assert budget_checks_run() == 12
    assert len(few) == len(many)


def test_the_budget_task_is_scheduled_hourly(settings):
    staff_of(budget_project(escrow=0).company)

    assert check_project_budgets.delay().get() == 2
    assert settings.CELERY_BEAT_SCHEDULE["check-project-budgets"] == {
        "task": "marketplace.tasks.check_project_budgets",
        "schedule": 3600.0,
    }
