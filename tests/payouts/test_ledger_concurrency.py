"""The ledger under real concurrency (PostgreSQL: threads, each with its own connection).

Three approvals racing for the last of a project's escrow: exactly as many are paid as the
money covers, the others are refused whole, and no balance goes below zero. Approvals
racing the hold-release job on the same worker's accounts: no deadlock, every hold released
once. The same idempotency key posted at once from several connections: one transaction.
"""

import datetime
from functools import partial

import pytest
from django.db import connection
from django.utils import timezone

from core.errors import LoopworkError
from marketplace.models import Assignment
from marketplace.review import review_approve
from payouts import earnings, ledger
from payouts.ledger import Leg
from payouts.models import EarningHold, LedgerAccount, LedgerTransaction
from tests.factories import WorkerFactory, fund_escrow
from tests.marketplace.factories import make_project, make_reviewer, make_submission
from tests.marketplace.test_assignment_concurrency import in_threads

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]

CLEARING = ledger.platform(LedgerAccount.Kind.PLATFORM_STRIPE_CLEARING)


def outcome(call) -> str:
    try:
        call()
    except LoopworkError as refusal:
        return refusal.code
    return "done"


def books_are_sound() -> None:
    assert ledger.unbalanced_transactions() == []
    assert ledger.balance_differences() == []
    rows = list(LedgerAccount.objects.values_list("kind", "balance_cents"))
    assert sum(balance for _kind, balance in rows) == 0
    assert all(
        balance >= 0
        for kind, balance in rows
        if kind
        not in (LedgerAccount.Kind.PLATFORM_STRIPE_CLEARING, LedgerAccount.Kind.PLATFORM_RECEIVABLE)
    )


def test_three_approvals_racing_for_the_last_escrow_pay_as_many_as_it_covers():
    for _round in range(3):
        # Reward 0.50 + fee 0.10: the escrow covers two approvals of the three.
        project = make_project(reward_cents=50, escrow_cents=120)
        reviewer = make_reviewer(project.company)
        submissions = [make_submission(project, WorkerFactory()) for _ in range(3)]

        results = in_threads(
            3,
            lambda index, submissions=submissions, reviewer=reviewer: outcome(
                partial(review_approve, submissions[index].pk, reviewer=reviewer)
            ),
        )

        assert sorted(results) == ["done", "done", "insufficient_balance"]
        statuses = sorted(
            Assignment.objects.filter(pk__in=[s.pk for s in submissions]).values_list(
                "status", flat=True
            )
        )
        assert statuses == ["approved", "approved", "submitted"]
        assert ledger.balance_of(ledger.project_escrow(project.pk)) == 0
        assert (
            LedgerTransaction.objects.filter(
                kind=LedgerTransaction.Kind.APPROVAL, source_key=f"project:{project.pk}"
            ).count()
            == 2
        )
        books_are_sound()


def test_approvals_racing_the_hold_release_job_on_one_worker_release_each_hold_once():
    worker = WorkerFactory()
    fund_escrow(project_id=1, company_id=1, cents=100_000)
    past = timezone.now() - datetime.timedelta(days=4)
    approve = partial(
        earnings.approval_post,
        decision_id=0,
        project_id=1,
        company_id=1,
        worker_id=worker.pk,
        reward_cents=50,
        currency="USD",
        project_title="Race",
        work_seconds=None,
        pay_floor_hourly_cents=None,
        link="",
    )
    for n in range(40):
        approve(assignment_id=n + 1, now=past)

    def work(index):
        if index < 2:  # two release runs at once
            return earnings.holds_release_due()
        for n in range(20):  # and fresh approvals credit the same pending account meanwhile
            approve(assignment_id=1000 * index + n, now=timezone.now())
        return 0

    released = in_threads(4, work)

    assert sum(released) == 40
    assert EarningHold.objects.filter(released_by__isnull=False).count() == 40
    assert ledger.balance_of(ledger.worker_available(worker.pk)) == 40 * 50
    assert ledger.balance_of(ledger.worker_pending(worker.pk)) == 40 * 50
    books_are_sound()


def test_the_same_key_posted_at_once_from_several_connections_is_one_transaction():
    def post(_index):
        return ledger.transaction_post(
            idempotency_key="top_up:race",
            kind=LedgerTransaction.Kind.TOP_UP,
            legs=[Leg(CLEARING, -500), Leg(ledger.company_balance(9), 500)],
            reference="race",
            description="Card top-up",
        ).pk

    ids = in_threads(4, post)

    assert len(set(ids)) == 1
    assert LedgerTransaction.objects.count() == 1
    assert ledger.balance_of(ledger.company_balance(9)) == 500
    books_are_sound()


def test_one_approval_posted_at_once_from_several_connections_is_paid_once():
    worker = WorkerFactory()
    fund_escrow(project_id=1, company_id=1, cents=1000)

    def post(_index):
        return earnings.approval_post(
            assignment_id=77,
            decision_id=0,
            project_id=1,
            company_id=1,
            worker_id=worker.pk,
            reward_cents=50,
            currency="USD",
            project_title="Race",
            work_seconds=600,
            pay_floor_hourly_cents=1200,
            link="",
            now=timezone.now(),
        ).pk

    ids = in_threads(3, post)

    assert len(set(ids)) == 1
    assert ledger.balance_of(ledger.worker_pending(worker.pk)) == 200
    assert EarningHold.objects.count() == 2
    books_are_sound()
