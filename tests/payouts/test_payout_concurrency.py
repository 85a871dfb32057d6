"""Payouts under real concurrency (PostgreSQL row locks): threads, each with its own connection."""

import datetime
import threading
from concurrent.futures import ThreadPoolExecutor
from unittest import mock

import pytest
from django.contrib.auth.models import Permission
from django.db import connection, connections
from django.utils import timezone

from core.errors import LoopworkError
from payouts import earnings, ledger, payouts
from payouts.ledger import Leg
from payouts.models import LedgerAccount, LedgerTransaction, PayoutBatch, PayoutLine
from payouts.payouts import (
    payout_batch_approve,
    payout_batch_schedule,
    payout_line_send,
    payout_request,
)
from tests.factories import CompanyFactory, UserFactory
from tests.stripe_connect_server.testing import balances, connect_gateway, connected_worker

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row-lock concurrency needs PostgreSQL"
    ),
]


def in_threads(count: int, work) -> list:
    """Run work(index) in `count` threads started together; errors come back as values."""
    barrier = threading.Barrier(count)

    def run(index):
        try:
            barrier.wait()
            return work(index)
        except LoopworkError as refusal:
            return refusal
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def test_two_payout_requests_at_once_make_one_line_and_move_the_money_once():
    with connect_gateway() as (server, _gateway):
        worker = connected_worker(server, available_cents=5000)

    results = in_threads(
        2, lambda i: payout_request(worker=worker, amount_cents=4000, idempotency_key=f"k{i}")
    )

    lines = [r for r in results if isinstance(r, PayoutLine)]
    refusals = [r for r in results if isinstance(r, LoopworkError)]
    assert len(lines) == 1
    assert [r.code for r in refusals] == ["insufficient_available"]
    assert PayoutLine.objects.count() == 1
    assert balances(worker) == {"available": 1000, "in_transit": 4000, "paid_out": 0}
    assert ledger.balance_differences() == []


def test_the_first_requests_of_two_workers_at_once_share_one_open_batch():
    with connect_gateway() as (server, _gateway):
        workers = [connected_worker(server, available_cents=5000) for _ in range(2)]

    results = in_threads(
        2,
        lambda i: payout_request(worker=workers[i], amount_cents=2000, idempotency_key="first"),
    )

    assert all(isinstance(result, PayoutLine) for result in results), results
    assert PayoutBatch.objects.count() == 1
    assert {line.batch_id for line in PayoutLine.objects.all()} == {PayoutBatch.objects.get().pk}


def test_the_same_request_twice_at_once_is_one_line():
    with connect_gateway() as (server, _gateway):
        worker = connected_worker(server, available_cents=5000)

    results = in_threads(
        4, lambda i: payout_request(worker=worker, amount_cents=2000, idempotency_key="same")
    )

    assert len({line.pk for line in results}) == 1
    assert PayoutLine.objects.count() == 1
    assert balances(worker) == {"available": 3000, "in_transit": 2000, "paid_out": 0}


def test_two_weekly_schedules_at_once_make_one_batch_and_move_each_workers_money_once():
    with connect_gateway() as (server, _gateway):
        workers = [connected_worker(server, available_cents=2500) for _ in range(3)]
    both_checked = threading.Barrier(2)
    waited = threading.local()
    eligible_query = LedgerAccount.objects.filter

    def after_the_weeks_check(*args, **kwargs):
        # The first ledger read of each run comes after its "is there a batch this week?"
        # check: both runs pass it before either creates the batch.
        if not getattr(waited, "done", False):
            waited.done = True
            both_checked.wait(timeout=10)
        return eligible_query(*args, **kwargs)

    with mock.patch.object(LedgerAccount.objects, "filter", after_the_weeks_check):
        results = in_threads(2, lambda i: payout_batch_schedule())

    batch = PayoutBatch.objects.get()
    assert [result.pk for result in results] == [batch.pk, batch.pk]
    assert batch.schedule_key.startswith("weekly:")
    assert sorted(PayoutLine.objects.values_list("worker_id", "batch_id")) == [
        (worker.pk, batch.pk) for worker in workers
    ]
    assert all(
        balances(worker) == {"available": 0, "in_transit": 2500, "paid_out": 0}
        for worker in workers
    )
    assert ledger.balance_differences() == []


def test_requests_racing_the_weekly_batch_move_each_workers_money_once_without_deadlock():
    # given six workers with $50 each, the batch in chunks of two
    with connect_gateway() as (server, _gateway):
        workers = [connected_worker(server, available_cents=5000) for _ in range(6)]
    # Two request threads walk the workers in opposite orders, against the chunks' lock order.
    halves = [workers[:3], list(reversed(workers[3:]))]

    def request_each(index: int) -> list:
        results = []
        for worker in halves[index - 1]:
            try:
                results.append(
                    payout_request(worker=worker, amount_cents=4500, idempotency_key="race")
                )
            except LoopworkError as refusal:
                results.append(refusal)
        return results

    # when the weekly batch runs while the workers request $45 each
    with mock.patch.object(payouts, "SCHEDULE_CHUNK", 2):
        results = in_threads(3, lambda i: payout_batch_schedule() if i == 0 else request_each(i))

    # then each worker got one line: the whole $50 weekly, or the $45 requested (the $5 left
    # is below the minimum), and every refused request lost the race to the batch
    batch = results[0]  # None if every request came before the batch read the balances
    refusals = [r for r in results[1] + results[2] if isinstance(r, LoopworkError)]
    assert {r.code for r in refusals} <= {"insufficient_available"}
    for worker in workers:
        [line] = PayoutLine.objects.filter(worker=worker)
        if line.requested_by_worker:
            assert line.amount_cents == 4500
            assert balances(worker)["available"] == 500
        else:
            assert (line.batch_id, line.amount_cents) == (batch.pk, 5000)
            assert balances(worker)["available"] == 0
        assert balances(worker)["in_transit"] == line.amount_cents
    assert len(refusals) == PayoutLine.objects.filter(requested_by_worker=False).count()
    assert ledger.balance_differences() == []


def test_approvals_and_releases_during_a_payout_batch_lose_and_double_nothing():
    # given eight workers with earnings, and a company paying for more approvals meanwhile
    approver = UserFactory(is_staff=True)
    approver.user_permissions.add(Permission.objects.get(codename="approve_payoutbatch"))
    company = CompanyFactory()
    ledger.transaction_post(
        idempotency_key="fund",
        kind=LedgerTransaction.Kind.TOP_UP,
        legs=[
            Leg(ledger.platform(LedgerAccount.Kind.PLATFORM_STRIPE_CLEARING), -(10**7)),
            Leg(ledger.company_balance(company.pk), 10**7),
        ],
        reference="test",
        description="Funding",
    )
    with connect_gateway() as (server, _gateway):
        workers = [connected_worker(server, available_cents=3000) for _ in range(8)]
        past = timezone.now() - datetime.timedelta(days=10)

        def approve(index: int) -> None:
            for n in range(5):
                assignment = index * 100 + n
                earnings.approval_post(
                    assignment_id=assignment,
                    decision_id=assignment,
                    project_id=1,
                    company_id=company.pk,
                    worker_id=workers[n % len(workers)].pk,
                    reward_cents=500,
                    currency="USD",
                    project_title="Sentiment",
                    work_seconds=None,
                    pay_floor_hourly_cents=None,
                    link="/work/",
                    now=past,
                )
            earnings.holds_release_due(now=timezone.now())

        def batch(index: int):
            made = payout_batch_schedule(now=timezone.now())
            payout_batch_approve(batch_id=made.pk, actor=approver)
            for line_id in made.lines.values_list("pk", flat=True):
                payout_line_send(line_id=line_id)
            return made

        # when a batch is made, approved and sent while three threads post approvals
        results = in_threads(4, lambda i: batch(i) if i == 0 else approve(i))

        transfers = list(server.state.transfers.values())

    # then every cent is in exactly one place
    made = results[0]
    paid = sum(made.lines.values_list("amount_cents", flat=True))
    assert sorted(PayoutLine.objects.values_list("status", flat=True)) == ["paid"] * len(workers)
    assert len(transfers) == len(workers)
    assert sum(t["amount"] for _, t in transfers) == paid
    earned = 8 * 3000 + 3 * 5 * 500
    held_back = sum(
        ledger.balance_of(ledger.worker_available(w.pk))
        + ledger.balance_of(ledger.worker_pending(w.pk))
        for w in workers
    )
    assert held_back + paid == earned
    assert all(ledger.balance_of(ledger.worker_in_transit(w.pk)) == 0 for w in workers)
    assert ledger.balance_differences() == []
    assert ledger.unbalanced_transactions() == []
