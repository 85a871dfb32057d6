"""What the engine records for review: timing flags, review deadlines, completed items, and
dynamic overlap (more answers on an item than the project's overlap)."""

import datetime

import pytest
import time_machine

from marketplace.assignment import (
    assignment_claim_next,
    assignment_submit,
    item_request_more_answers,
)
from marketplace.models import Item
from marketplace.selectors import project_progress
from tests.factories import WorkerFactory
from tests.marketplace.factories import make_assignment, make_items, make_project
from tests.marketplace.test_assignment import NEVER_GOLD

pytestmark = pytest.mark.django_db

NOON = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)
GOOD = {"label": "positive"}


def claim_and_submit(worker, project, *, seconds: int):
    with time_machine.travel(NOON, tick=False):
        assignment = assignment_claim_next(worker=worker, project=project, rng=NEVER_GOLD)
    submitted_at = NOON + datetime.timedelta(seconds=seconds)
    return assignment_submit(
        worker=worker, assignment_id=assignment.pk, answer=GOOD, now=submitted_at
    )


def test_an_answer_faster_than_the_minimum_is_flagged():
    project = make_project(min_work_seconds=5)
    make_items(project, 2)
    fast = claim_and_submit(WorkerFactory(), project, seconds=2)
    slow = claim_and_submit(WorkerFactory(), project, seconds=5)
    fast.refresh_from_db()
    slow.refresh_from_db()
    assert (fast.is_too_fast, fast.work_seconds) == (True, 2)
    assert (slow.is_too_fast, slow.work_seconds) == (False, 5)


def test_no_minimum_flags_nothing():
    project = make_project(min_work_seconds=0)
    make_items(project, 1)
    assignment = claim_and_submit(WorkerFactory(), project, seconds=0)
    assignment.refresh_from_db()
    assert assignment.is_too_fast is False


def test_the_review_deadline_is_the_projects_auto_approval_delay_after_submit():
    project = make_project(auto_approve_hours=48)
    make_items(project, 1)
    assignment = claim_and_submit(WorkerFactory(), project, seconds=30)
    assignment.refresh_from_db()
    submitted = NOON + datetime.timedelta(seconds=30)
    assert assignment.review_due_at == submitted + datetime.timedelta(hours=48)


def test_the_last_answer_of_an_item_queues_item_completed(
    django_capture_on_commit_callbacks, monkeypatch
):
    from marketplace import tasks

    queued = []
    monkeypatch.setattr(tasks.item_completed, "delay", queued.append)
    project = make_project(overlap=2)
    [item] = make_items(project, 1)
    with django_capture_on_commit_callbacks(execute=True):
        claim_and_submit(WorkerFactory(), project, seconds=10)
    assert queued == []
    with django_capture_on_commit_callbacks(execute=True):
        claim_and_submit(WorkerFactory(), project, seconds=10)
    assert queued == [item.pk]


def test_more_answers_reopen_a_full_item_up_to_max_overlap():
    project = make_project(overlap=1, max_overlap=3, balance_cents=10_000)
    [item] = make_items(project, 1)
    claim_and_submit(WorkerFactory(), project, seconds=10)
    item.refresh_from_db()
    assert (item.is_open, item.completed_at is not None) == (False, True)

    assert item_request_more_answers(item.pk, 5) is True
    item.refresh_from_db()
    assert (item.extra_answers, item.is_open) == (2, True)  # capped: 1 + 2 = max_overlap 3
    assert project_progress(project=project).items_done == 0

    claim_and_submit(WorkerFactory(), project, seconds=10)
    claim_and_submit(WorkerFactory(), project, seconds=10)
    item.refresh_from_db()
    assert (item.submitted_count, item.assigned_count, item.is_open) == (3, 3, False)
    assert assignment_claim_next(worker=WorkerFactory(), project=project, rng=NEVER_GOLD) is None
    assert project_progress(project=project).items_done == 1


def test_more_answers_are_refused_without_dynamic_overlap_or_for_gold():
    project = make_project(overlap=2)
    [item] = make_items(project, 1)
    [gold] = make_items(project, 1, gold_label="positive")
    assert item_request_more_answers(item.pk, 1) is False
    assert item_request_more_answers(gold.pk, 1) is False
    assert item_request_more_answers(999_999, 1) is False
    assert Item.objects.filter(extra_answers__gt=0).count() == 0


def test_asking_again_for_no_more_than_wanted_changes_nothing():
    project = make_project(overlap=1, max_overlap=2, balance_cents=10_000)
    [item] = make_items(project, 1)
    make_assignment(item, WorkerFactory(), status="submitted")
    assert item_request_more_answers(item.pk, 1) is True
    assert item_request_more_answers(item.pk, 1) is False
    assert item_request_more_answers(item.pk, -3) is False
    item.refresh_from_db()
    assert (item.extra_answers, item.is_open) == (1, True)


def test_a_new_overlap_keeps_extra_answers_in_account():
    from marketplace.projects import _reopen_items

    project = make_project(overlap=1, max_overlap=3, balance_cents=10_000)
    [item] = make_items(project, 1)
    make_assignment(item, WorkerFactory(), status="submitted")
    item_request_more_answers(item.pk, 1)
    make_assignment(item, WorkerFactory(), status="submitted")
    Item.objects.filter(pk=item.pk).update(is_open=True)  # out of line on purpose
    _reopen_items(project)
    item.refresh_from_db()
    assert item.is_open is False
