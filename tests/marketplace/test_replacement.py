"""A rejected answer is replaced: its place goes back to the pool, and only counted answers
make an item done, its result, its progress and its export."""

import pytest

from marketplace import assignment as engine
from marketplace.aggregation import aggregate_item
from marketplace.assignment import assignment_claim_next, assignment_submit
from marketplace.disputes import dispute_open, dispute_resolve
from marketplace.export import result_records
from marketplace.models import Assignment, Item, ItemResult, Project
from marketplace.projects import project_budget
from marketplace.review import review_approve, review_reject, review_reverse_fraud
from marketplace.selectors import project_progress
from payouts.funding import escrow_cents
from tests.factories import WorkerFactory, admin_staff
from tests.marketplace.factories import NoGold, make_items, make_project, make_reviewer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_gold(monkeypatch):
    monkeypatch.setattr(engine, "_system_random", NoGold())


def answer(project, worker, label="positive"):
    assignment = assignment_claim_next(worker=worker, project=project, rng=NoGold())
    assert assignment is not None
    return assignment_submit(worker=worker, assignment_id=assignment.pk, answer={"label": label})


def counters(item) -> tuple:
    item = Item.objects.get(pk=item.pk)
    return item.assigned_count, item.submitted_count, item.is_open, item.completed_at is not None


@pytest.fixture
def project():
    return make_project(overlap=2, reward_cents=10, estimated_task_seconds=40)


def test_a_rejection_frees_the_place_and_another_worker_replaces_the_answer(project):
    [item] = make_items(project, 1)
    first, second, third = WorkerFactory(), WorkerFactory(), WorkerFactory()
    answer(project, first)
    rejected = answer(project, second, label="negative")
    assert counters(item) == (2, 2, False, True)
    reviewer = make_reviewer(project.company)

    review_reject(rejected.pk, reviewer=reviewer, reason="spam", comment="Random clicks.")

    assert counters(item) == (1, 1, True, False)
    replacement = answer(project, third)
    assert replacement.item_id == item.pk
    assert counters(item) == (2, 2, False, True)
    # the rejected worker never gets the item again
    assert assignment_claim_next(worker=second, project=project, rng=NoGold()) is None


def test_results_and_export_count_only_counted_answers(project, django_capture_on_commit_callbacks):
    [item] = make_items(project, 1)
    answer(project, WorkerFactory(), label="positive")
    rejected = answer(project, WorkerFactory(), label="negative")
    aggregate_item(item.pk)
    with django_capture_on_commit_callbacks(execute=True):
        review_reject(
            rejected.pk, reviewer=make_reviewer(project.company), reason="spam", comment="No."
        )

    result = ItemResult.objects.get(item=item)  # refreshed after the rejection
    assert (result.answer_count, result.answer, result.confidence) == (
        1,
        {"label": "positive"},
        1.0,
    )
    [record] = list(result_records(project))
    assert (record["answer_count"], record["answers_needed"]) == (1, 2)
    assert [given["answer"] for given in record["answers"]] == [{"label": "positive"}]

    answer(project, WorkerFactory(), label="positive")
    aggregate_item(item.pk)

    result.refresh_from_db()
    assert (result.answer_count, result.confidence) == (2, 1.0)


def test_progress_counts_the_item_as_not_done_until_it_is_replaced(project):
    [item, _other] = make_items(project, 2)
    answer(project, WorkerFactory())
    rejected = answer(project, WorkerFactory())
    assert rejected.item_id == item.pk

    review_reject(
        rejected.pk, reviewer=make_reviewer(project.company), reason="spam", comment="No."
    )

    progress = project_progress(project=project)
    assert (progress.items_done, progress.answers, progress.answers_needed) == (0, 1, 3)


def test_a_completed_project_reopens_for_the_replacement_and_completes_again(project):
    make_items(project, 1)
    answer(project, WorkerFactory())
    rejected = answer(project, WorkerFactory())
    project.refresh_from_db()
    assert (project.status, project.auto_completed) == (Project.Status.COMPLETED, True)
    reserved_for_the_replacement = escrow_cents(project.pk)

    review_reject(
        rejected.pk, reviewer=make_reviewer(project.company), reason="spam", comment="No."
    )

    project.refresh_from_db()
    assert (project.status, project.finished_at) == (Project.Status.ACTIVE, None)
    # the rejected answer's cost stayed in escrow and pays the replacement
    assert escrow_cents(project.pk) == reserved_for_the_replacement
    assert project_budget(project).answers == 2  # two places still unpaid: none approved
    answer(project, WorkerFactory())
    project.refresh_from_db()
    assert project.status == Project.Status.COMPLETED


def test_a_company_s_own_completion_stays_final(project):
    [item] = make_items(project, 2)[:1]
    answer(project, WorkerFactory())
    rejected = answer(project, WorkerFactory())
    Project.objects.filter(pk=project.pk).update(status=Project.Status.COMPLETED)

    review_reject(
        rejected.pk, reviewer=make_reviewer(project.company), reason="spam", comment="No."
    )

    project.refresh_from_db()
    assert project.status == Project.Status.COMPLETED
    assert counters(item)[:2] == (1, 1)


def test_a_fraud_reversal_rejects_the_answer_and_frees_its_place(project):
    [item] = make_items(project, 1)
    answer(project, WorkerFactory())
    cheat = answer(project, WorkerFactory())
    review_approve(cheat.pk, reviewer=make_reviewer(project.company))
    staff = admin_staff("reverse_ledgertransaction")

    review_reverse_fraud(cheat.pk, staff=staff, reason="Copied answers from a bot.")

    cheat.refresh_from_db()
    assert (cheat.status, cheat.reject_reason) == (
        Assignment.Status.REJECTED,
        Assignment.RejectReason.FRAUD,
    )
    assert counters(item) == (1, 1, True, False)
    project.refresh_from_db()
    assert project.status == Project.Status.ACTIVE


def test_an_overturned_rejection_counts_again(project):
    [item] = make_items(project, 1)
    answer(project, WorkerFactory())
    worker = WorkerFactory()
    rejected = answer(project, worker)
    review_reject(
        rejected.pk, reviewer=make_reviewer(project.company), reason="other", comment="Wrong."
    )
    answer(project, WorkerFactory())  # the replacement
    dispute = dispute_open(rejected.pk, worker=worker, message="My answer follows the rules.")

    dispute_resolve(dispute.pk, staff=admin_staff("change_dispute"), overturn=True, note="Right.")

    # the wronged worker's answer counts again beside the replacement
    assert counters(item) == (3, 3, False, True)
