"""Decisions under real concurrency: threads, each with its own database connection.

Approve, reject and automatic approval racing on one submission give one outcome and one
decision row; the others get 409 `already_decided`. Two automatic approval runs at once
decide each submission once.
"""

import datetime
from functools import partial

import pytest
from django.utils import timezone

from core.errors import LoopworkError
from marketplace.disputes import dispute_open, dispute_resolve
from marketplace.models import Assignment, Dispute, ReviewDecision
from marketplace.review import auto_approve_due, review_approve, review_reject
from tests.factories import WorkerFactory
from tests.marketplace.factories import make_project, make_reviewer, make_submission
from tests.marketplace.test_assignment_concurrency import in_threads
from tests.marketplace.test_disputes import make_staff

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def outcome(call) -> str:
    try:
        call()
    except LoopworkError as refusal:
        return refusal.code
    return "done"


def test_approve_reject_and_auto_approval_racing_give_one_outcome():
    project = make_project()
    past = timezone.now() - datetime.timedelta(minutes=1)
    approver, rejecter = make_reviewer(project.company), make_reviewer(project.company)

    for _round in range(5):
        submission = make_submission(project, WorkerFactory(), review_due_at=past)
        calls = [
            partial(review_approve, submission.pk, reviewer=approver),
            partial(review_reject, submission.pk, reviewer=rejecter, reason="other", comment="No."),
            auto_approve_due,
        ]
        results = in_threads(3, lambda index, calls=calls: outcome(calls[index]))

        decisions = ReviewDecision.objects.filter(assignment=submission)
        assert decisions.count() == 1, results
        submission.refresh_from_db()
        winner = decisions.get().action
        assert submission.status == (
            Assignment.Status.REJECTED
            if winner == ReviewDecision.Action.REJECTED
            else Assignment.Status.APPROVED
        )
        # The human losers are told it was decided; the automatic run simply finds nothing.
        assert sorted(results[:2]) in (["already_decided", "done"], ["already_decided"] * 2)


def test_two_automatic_approval_runs_decide_each_submission_once():
    project = make_project()
    past = timezone.now() - datetime.timedelta(minutes=1)
    for _ in range(30):
        make_submission(project, WorkerFactory(), review_due_at=past)

    counts = in_threads(2, lambda _index: auto_approve_due())

    assert sum(counts) == 30
    assert ReviewDecision.objects.count() == 30
    assert not Assignment.objects.filter(status=Assignment.Status.SUBMITTED).exists()


def test_two_staff_resolving_one_dispute_give_one_outcome():
    project = make_project()
    submission = make_submission(project, WorkerFactory())
    review_reject(
        submission.pk, reviewer=make_reviewer(project.company), reason="other", comment="No."
    )
    dispute = dispute_open(submission.pk, worker=submission.worker, message="I followed the rules.")
    staff = [make_staff(), make_staff()]

    results = in_threads(
        2,
        lambda index: outcome(
            lambda: dispute_resolve(
                dispute.pk, staff=staff[index], overturn=index == 0, note=f"Staff {index}."
            )
        ),
    )

    assert sorted(results) == ["already_resolved", "done"]
    dispute.refresh_from_db()
    submission.refresh_from_db()
    expected = (
        Assignment.Status.APPROVED
        if dispute.status == Dispute.Status.OVERTURNED
        else Assignment.Status.REJECTED
    )
    assert submission.status == expected
