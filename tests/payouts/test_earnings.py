"""Earnings: approvals (escrow, company fallback, pay floor), fraud reversals and receivables,
bonuses, paid tests and the hold before earnings become available. Exact figures; every
refusal proves nothing moved; every service replayed with its key moves nothing more.

The fee is 20% (settings.PLATFORM_FEE_PERCENT), rounded half up.
"""

import dataclasses
import datetime
import sys

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.errors import LoopworkError
from payouts import earnings, ledger
from payouts.ledger import Leg
from payouts.models import EarningHold, LedgerAccount, LedgerEntry, LedgerTransaction
from tests.factories import WorkerFactory, fund_company, fund_escrow

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)
PROJECT, COMPANY = 11, 21
WORKER = 0  # the worker's user id, set for each test by _worker
REVENUE = ledger.platform(LedgerAccount.Kind.PLATFORM_REVENUE)
Kind = LedgerTransaction.Kind


@pytest.fixture(autouse=True)
def _worker(monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "WORKER", WorkerFactory().pk)


@pytest.fixture(autouse=True)
def _no_platform_floor(settings):
    settings.PAY_FLOOR_HOURLY_CENTS = 0
    settings.EARNINGS_HOLD_DAYS = 3
    settings.PLATFORM_FEE_PERCENT = 20


def approve(assignment_id: int = 1, *, reward: int = 50, floor=None, seconds=60, **overrides):
    values = {
        "assignment_id": assignment_id,
        "decision_id": 700 + assignment_id,
        "project_id": PROJECT,
        "company_id": COMPANY,
        "worker_id": WORKER,
        "reward_cents": reward,
        "currency": "USD",
        "project_title": "Sentiment of reviews",
        "work_seconds": seconds,
        "pay_floor_hourly_cents": floor,
        "link": f"/work/history/?project={PROJECT}#submission-{assignment_id}",
        "now": NOW,
    }
    values.update(overrides)
    return earnings.approval_post(**values)


def balances() -> dict[str, int]:
    return {
        "escrow": ledger.balance_of(ledger.project_escrow(PROJECT)),
        "company": ledger.balance_of(ledger.company_balance(COMPANY)),
        "pending": ledger.balance_of(ledger.worker_pending(WORKER)),
        "available": ledger.balance_of(ledger.worker_available(WORKER)),
        "in_transit": ledger.balance_of(ledger.worker_in_transit(WORKER)),
        "receivable": ledger.balance_of(ledger.worker_receivable(WORKER)),
        "revenue": ledger.balance_of(REVENUE),
    }


def snapshot() -> tuple:
    return (
        balances(),
        LedgerTransaction.objects.count(),
        LedgerEntry.objects.count(),
        list(EarningHold.objects.order_by("pk").values_list("pk", "reversed_cents", "released_by")),
    )


def consistent() -> None:
    assert ledger.balance_differences() == []
    assert ledger.unbalanced_transactions() == []
    assert sum(LedgerAccount.objects.values_list("balance_cents", flat=True)) == 0


def refused(call, **kwargs) -> LoopworkError:
    with pytest.raises(LoopworkError) as caught:
        call(**kwargs)
    return caught.value


def pay_out(cents: int, key: str = "payout:1") -> None:
    """A payout sent and paid: available -> in transit -> paid out."""
    ledger.transaction_post(
        idempotency_key=key,
        kind=Kind.PAYOUT,
        legs=[
            Leg(ledger.worker_available(WORKER), -cents),
            Leg(ledger.worker_in_transit(WORKER), cents),
        ],
        reference=key,
        description="Payout",
    )
    ledger.transaction_post(
        idempotency_key=f"{key}:paid",
        kind=Kind.PAYOUT_PAID,
        legs=[
            Leg(ledger.worker_in_transit(WORKER), -cents),
            Leg(ledger.platform(LedgerAccount.Kind.PLATFORM_PAYOUTS), cents),
        ],
        reference=key,
        description="Payout paid",
    )


# --- Approvals ----------------------------------------------------------------------------


def test_approval_moves_reward_to_pending_and_fee_to_revenue_from_escrow():
    fund_escrow(project_id=PROJECT, company_id=COMPANY, cents=1000)

    posted = approve(reward=50, seconds=75)

    assert balances() == {
        "escrow": 940,
        "company": 0,
        "pending": 50,
        "available": 0,
        "in_transit": 0,
        "receivable": 0,
        "revenue": 10,
    }
    assert posted.idempotency_key == "approval:1"
    assert posted.kind == Kind.APPROVAL
    assert posted.reference == "assignment:1"
    assert posted.source_key == f"project:{PROJECT}"
    assert posted.source_label == "Sentiment of reviews"
    assert posted.work_seconds == 75
    assert posted.link == f"/work/history/?project={PROJECT}#submission-1"
    assert posted.available_at == NOW + datetime.timedelta(days=3)
    hold = EarningHold.objects.get()
    assert (hold.transaction_id, hold.worker_id, hold.amount_cents, hold.release_at) == (
        posted.pk,
        WORKER,
        50,
        NOW + datetime.timedelta(days=3),
    )
    consistent()


def test_approval_is_paid_once_however_often_it_is_posted():
    fund_escrow(project_id=PROJECT, company_id=COMPANY, cents=1000)
    first = approve()
    before = snapshot()

    again = approve(decision_id=999)

    assert again.pk == first.pk
    assert snapshot() == before


def test_short_escrow_is_made_up_from_the_company_balance_in_one_transaction():
    fund_escrow(project_id=PROJECT, company_id=COMPANY, cents=30)
    fund_company(COMPANY, 100)

    posted = approve(reward=50)

    assert balances()["escrow"] == 0
    assert balances()["company"] == 70
    assert balances()["pending"] == 50
    assert balances()["revenue"] == 10
    assert sorted(posted.entries.values_list("account__kind", "amount_cents")) == [
        ("company_balance", -30),
        ("platform_revenue", 10),
        ("project_escrow", -30),
        ("worker_pending", 50),
    ]
    consistent()


def test_approval_refused_when_escrow_and_balance_together_are_short_and_nothing_moves():
    fund_escrow(project_id=PROJECT, company_id=COMPANY, cents=30)
    fund_company(COMPANY, 29)
    before = snapshot()

    refusal = refused(approve, reward=50)

    assert (refusal.code, refusal.status) == ("insufficient_balance", 409)
    assert snapshot() == before


def test_pay_floor_tops_up_a_reward_below_the_hourly_floor_fee_included():
    fund_escrow(project_id=PROJECT, company_id=COMPANY, cents=1000)

    # 12.00 an hour for 10 minutes is 2.00; the reward is 0.50, so 1.50 more (+0.30 fee).
    approve(reward=50, floor=1200, seconds=600)

    floor = LedgerTransaction.objects.get(idempotency_key="pay_floor:1")
    assert floor.kind == Kind.PAY_FLOOR
    assert floor.reference == "assignment:1"
    assert sorted(floor.entries.values_list("account__kind", "amount_cents")) == [
        ("platform_revenue", 30),
        ("project_escrow", -180),
        ("worker_pending", 150),
    ]
    assert balances()["pending"] == 200
    assert balances()["escrow"] == 1000 - 60 - 180
    assert sorted(EarningHold.objects.values_list("amount_cents", flat=True)) == [50, 150]
    consistent()


def test_the_higher_of_project_and_platform_floor_applies(settings):
    settings.PAY_FLOOR_HOURLY_CENTS = 1800
    fund_escrow(project_id=PROJECT, company_id=COMPANY, cents=1000)

    approve(1, reward=50, floor=1200, seconds=600)  # platform: 18.00/h x 10 min = 3.00
    approve(2, reward=50, floor=None, seconds=600)

    assert [
        LedgerTransaction.objects.get(idempotency_key=f"pay_floor:{n}")
        .entries.get(account__kind="worker_pending")
        .amount_cents
        for n in (1, 2)
    ] == [250, 250]


def test_pay_floor_rounds_half_up_and_is_skipped_without_measured_time_or_when_reached():
    assert (
        earnings.pay_floor_top_up_cents(reward_cents=0, work_seconds=1, floor_hourly_cents=1800)
        == 1
    )
    assert (
        earnings.pay_floor_top_up_cents(reward_cents=0, work_seconds=1, floor_hourly_cents=1799)
        == 0
    )
    fund_escrow(project_id=PROJECT, company_id=COMPANY, cents=1000)

    approve(1, reward=50, floor=1200, seconds=None)
    approve(2, reward=50, floor=1200, seconds=150)  # 1200 x 150 s = exactly 0.50

    assert not LedgerTransaction.objects.filter(kind=Kind.PAY_FLOOR).exists()


def test_pay_floor_draws_from_the_company_when_the_escrow_runs_out():
    fund_escrow(project_id=PROJECT, company_id=COMPANY, cents=100)
    fund_company(COMPANY, 500)

    approve(reward=50, floor=1200, seconds=600)

    # The reward and fee (60) come from the escrow, then 40 escrow + 140 company for the floor.
    assert balances()["escrow"] == 0
    assert balances()["company"] == 360
    assert balances()["pending"] == 200
    consistent()


def test_approval_with_floor_is_refused_whole_when_the_top_up_cannot_be_paid():
    fund_escrow(project_id=PROJECT, company_id=COMPANY, cents=100)
    fund_company(COMPANY, 139)
    before = snapshot()

    refusal = refused(approve, reward=50, floor=1200, seconds=600)

    assert refusal.code == "insufficient_balance"
    assert snapshot() == before


# --- Approvals in batches (automatic and bulk approval) -------------------------------------


def batch_of(*assignment_ids: int, reward: int = 50, project_id: int = PROJECT, **overrides):
    return [
        earnings.Approval(
            assignment_id=assignment_id,
            project_id=project_id,
            company_id=COMPANY,
            worker_id=WORKER,
            reward_cents=reward,
            currency="USD",
            project_title="Sentiment of reviews",
            work_seconds=60,
            pay_floor_hourly_cents=None,
            link=f"/work/history/#submission-{assignment_id}",
        )
        for assignment_id in assignment_ids
    ]


def test_a_batch_pays_in_order_until_its_payer_runs_short_and_refuses_only_the_rest():
    fund_escrow(project_id=PROJECT, company_id=COMPANY, cents=150)
    fund_company(COMPANY, 10)
    fund_escrow(project_id=PROJECT + 1, company_id=COMPANY + 1, cents=60)

    # 60 each: 1 and 2 from the escrow, 3 has 30 + 10 left, 4 pays from another escrow.
    outcome = earnings.approvals_post(
        [*batch_of(1, 2, 3), *batch_of(4, project_id=PROJECT + 1)], now=NOW
    )

    assert sorted(outcome.paid) == [1, 2, 4]
    assert [outcome.paid[n].idempotency_key for n in (1, 2, 4)] == [
        "approval:1",
        "approval:2",
        "approval:4",
    ]
    assert list(outcome.refused) == [3]
    assert (outcome.refused[3].code, outcome.refused[3].status) == ("insufficient_balance", 409)
    assert "$0.60 needed, $0.40 there" in outcome.refused[3].message
    assert balances()["escrow"] == 30
    assert balances()["company"] == 10
    assert balances()["pending"] == 150
    assert ledger.balance_of(ledger.project_escrow(PROJECT + 1)) == 0
    assert EarningHold.objects.count() == 3
    assert not LedgerTransaction.objects.filter(idempotency_key="approval:3").exists()
    consistent()


def test_a_batch_pays_an_assignment_named_twice_once_and_replays_those_paid_before():
    fund_escrow(project_id=PROJECT, company_id=COMPANY, cents=1000)
    first = approve(2)
    before = LedgerTransaction.objects.count()

    outcome = earnings.approvals_post(batch_of(1, 1, 2), now=NOW)

    assert outcome.paid[2].pk == first.pk
    assert outcome.refused == {}
    assert LedgerTransaction.objects.count() == before + 1
    assert balances()["pending"] == 100
    assert EarningHold.objects.count() == 2
    consistent()


def test_a_batch_tops_up_to_the_pay_floor_and_holds_both_credits():
    fund_escrow(project_id=PROJECT, company_id=COMPANY, cents=1000)
    approvals = [
        dataclasses.replace(approval, work_seconds=600, pay_floor_hourly_cents=1200)
        for approval in batch_of(1, 2)
    ]

    earnings.approvals_post(approvals, now=NOW)

    assert sorted(EarningHold.objects.values_list("amount_cents", flat=True)) == [50, 50, 150, 150]
    assert balances()["pending"] == 400
    assert balances()["escrow"] == 1000 - 2 * (60 + 180)
    consistent()


def test_a_batch_costs_the_same_queries_whatever_its_size():
    fund_escrow(project_id=PROJECT, company_id=COMPANY, cents=100_000)
    earnings.approvals_post(batch_of(1), now=NOW)  # the worker's accounts exist from here

    # Both sizes fit SQLite's parameter limit in one statement per table, and both go by
    # COPY on PostgreSQL (core.bulk.COPY_MIN_ROWS).
    with CaptureQueriesContext(connection) as small:
        earnings.approvals_post(batch_of(*range(100, 155)), now=NOW)
    with CaptureQueriesContext(connection) as large:
        earnings.approvals_post(batch_of(*range(200, 275)), now=NOW)

    assert len(large) == len(small)
    assert len(small) <= 7
    assert balances()["pending"] == 50 * (1 + 55 + 75)
    consistent()


@pytest.mark.parametrize(
    "change",
    [{"reward_cents": 0}, {"reward_cents": 1.5}, {"reward_cents": True}, {"currency": ""}],
)
def test_a_batch_with_a_malformed_approval_is_refused_whole(change):
    fund_escrow(project_id=PROJECT, company_id=COMPANY, cents=1000)
    before = snapshot()
    good, bad = batch_of(1, 2)

    with pytest.raises(ValueError):
        earnings.approvals_post([good, dataclasses.replace(bad, **change)], now=NOW)

    assert snapshot() == before


# --- Fraud reversals ----------------------------------------------------------------------


def test_reversal_of_pending_earnings_returns_everything_and_empties_the_hold():
    fund_escrow(project_id=PROJECT, company_id=COMPANY, cents=100)
    fund_company(COMPANY, 500)
    approve(reward=50, floor=1200, seconds=600)

    reversal = earnings.approval_reverse(assignment_id=1, reason="Copied answers", actor=None)

    assert reversal.kind == Kind.REVERSAL
    assert reversal.idempotency_key == "reverse:approval:1"
    assert reversal.reverses.idempotency_key == "approval:1"
    assert reversal.description == "Approval reversed for fraud: Copied answers"
    assert balances() == {
        "escrow": 100,
        "company": 500,
        "pending": 0,
        "available": 0,
        "in_transit": 0,
        "receivable": 0,
        "revenue": 0,
    }
    assert sorted(EarningHold.objects.values_list("amount_cents", "reversed_cents")) == [
        (50, 50),
        (150, 150),
    ]
    assert earnings.holds_release_due(now=NOW + datetime.timedelta(days=4)) == 0
    consistent()


def test_reversal_takes_available_then_records_the_rest_as_owed_never_a_negative_balance():
    fund_escrow(project_id=PROJECT, company_id=COMPANY, cents=1000)
    approve(reward=500, seconds=None)
    earnings.holds_release_due(now=NOW + datetime.timedelta(days=3))
    pay_out(300)

    earnings.approval_reverse(assignment_id=1, reason="Bot answers", actor=None)

    assert balances() == {
        "escrow": 1000,
        "company": 0,
        "pending": 0,
        "available": 0,
        "in_transit": 0,
        "receivable": -300,
        "revenue": 0,
    }
    assert earnings.amount_owed(WORKER) == 300
    consistent()


def test_later_earnings_pay_back_what_is_owed_when_they_are_released():
    fund_escrow(project_id=PROJECT, company_id=COMPANY, cents=10_000)
    approve(1, reward=500, seconds=None)
    earnings.holds_release_due(now=NOW + datetime.timedelta(days=3))
    pay_out(500)
    earnings.approval_reverse(assignment_id=1, reason="Bot answers", actor=None)
    approve(2, reward=200, seconds=None)
    approve(3, reward=400, seconds=None)

    released = earnings.holds_release_due(now=NOW + datetime.timedelta(days=3))

    assert released == 2
    assert balances()["available"] == 100  # 600 released, 500 of it paid what was owed
    assert balances()["receivable"] == 0
    assert earnings.amount_owed(WORKER) == 0
    first = LedgerTransaction.objects.get(
        idempotency_key="hold_release:"
        + str(LedgerTransaction.objects.get(idempotency_key="approval:2").pk)
    )
    assert first.description == "Became available ($2 paid back what you owed)"
    consistent()


def test_reversal_is_idempotent_and_refused_without_a_payment_or_a_reason():
    fund_escrow(project_id=PROJECT, company_id=COMPANY, cents=1000)
    approve()
    first = earnings.approval_reverse(assignment_id=1, reason="Fraud", actor=None)
    before = snapshot()

    again = earnings.approval_reverse(assignment_id=1, reason="Fraud again", actor=None)
    never_paid = refused(earnings.approval_reverse, assignment_id=2, reason="Fraud", actor=None)
    no_reason = refused(earnings.approval_reverse, assignment_id=1, reason="  ", actor=None)

    assert again.pk == first.pk
    assert (never_paid.code, never_paid.status) == ("not_paid", 404)
    assert (no_reason.code, no_reason.status) == ("reason_required", 422)
    assert snapshot() == before


# --- Bonuses ------------------------------------------------------------------------------


def test_bonus_is_paid_from_the_company_balance_with_the_fee_and_held():
    fund_company(COMPANY, 1000)

    posted = earnings.bonus_post(
        company_id=COMPANY,
        worker_id=WORKER,
        amount_cents=100,
        reason="Careful work on hard items",
        actor=None,
        idempotency_key="review:5:1",
        project_id=PROJECT,
        project_title="Sentiment of reviews",
        link="/work/history/",
    )

    assert balances()["company"] == 880
    assert balances()["pending"] == 100
    assert balances()["revenue"] == 20
    assert (posted.kind, posted.description, posted.source_key) == (
        Kind.BONUS,
        "Bonus: Careful work on hard items",
        f"project:{PROJECT}",
    )
    assert EarningHold.objects.get().amount_cents == 100
    consistent()


def test_bonus_replayed_with_its_key_pays_once():
    fund_company(COMPANY, 1000)
    kwargs = {
        "company_id": COMPANY,
        "worker_id": WORKER,
        "amount_cents": 100,
        "reason": "Thanks",
        "actor": None,
        "idempotency_key": "k1",
    }
    first = earnings.bonus_post(**kwargs)
    before = snapshot()

    assert earnings.bonus_post(**kwargs).pk == first.pk
    assert snapshot() == before


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"reason": ""}, "reason_required"),
        ({"reason": "x" * 251}, "invalid_reason"),
        ({"amount_cents": 0}, "invalid_amount"),
        ({"amount_cents": 1.5}, "invalid_amount"),
        ({"amount_cents": 100_001}, "invalid_amount"),
        ({"amount_cents": 834}, "insufficient_balance"),  # 834 + 167 fee > 1000
    ],
)
def test_bad_or_unfunded_bonus_is_refused_and_nothing_moves(changes, code):
    fund_company(COMPANY, 1000)
    before = snapshot()
    kwargs = {
        "company_id": COMPANY,
        "worker_id": WORKER,
        "amount_cents": 100,
        "reason": "Thanks",
        "actor": None,
        "idempotency_key": "k1",
        **changes,
    }

    assert refused(earnings.bonus_post, **kwargs).code == code
    assert snapshot() == before


# --- Paid qualification tests -------------------------------------------------------------


def test_paid_test_reserves_at_start_and_pays_the_reserve_once_graded():
    fund_company(COMPANY, 1000)

    earnings.test_payment_reserve(
        attempt_id=5, test_id=8, company_id=COMPANY, amount_cents=200, test_title="Sentiment test"
    )
    assert balances()["company"] == 760
    assert ledger.balance_of(ledger.test_escrow(8)) == 240
    posted = earnings.test_payment_post(
        attempt_id=5,
        test_id=8,
        company_id=COMPANY,
        worker_id=WORKER,
        amount_cents=200,
        test_title="Sentiment test",
        link="/jobs/tests/attempts/5/",
    )
    again = earnings.test_payment_post(
        attempt_id=5,
        test_id=8,
        company_id=COMPANY,
        worker_id=WORKER,
        amount_cents=200,
        test_title="Sentiment test",
        link="/jobs/tests/attempts/5/",
    )

    assert again.pk == posted.pk
    assert (posted.idempotency_key, posted.kind, posted.source_key) == (
        "test_payment:5",
        Kind.TEST_PAYMENT,
        "test:8",
    )
    assert ledger.balance_of(ledger.test_escrow(8)) == 0
    assert balances()["pending"] == 200
    assert balances()["revenue"] == 40
    assert EarningHold.objects.get().amount_cents == 200
    consistent()


def test_paid_test_the_company_cannot_fund_is_refused_at_start_and_nothing_moves():
    fund_company(COMPANY, 239)
    before = snapshot()

    refusal = refused(
        earnings.test_payment_reserve,
        attempt_id=5,
        test_id=8,
        company_id=COMPANY,
        amount_cents=200,
        test_title="Sentiment test",
    )

    assert (refusal.code, refusal.status) == ("test_not_funded", 409)
    assert snapshot() == before


# --- Hold release -------------------------------------------------------------------------


def test_holds_are_released_when_due_once():
    fund_escrow(project_id=PROJECT, company_id=COMPANY, cents=1000)
    approve(1, reward=50)
    approve(2, reward=70, now=NOW + datetime.timedelta(days=1))

    assert (
        earnings.holds_release_due(
            now=NOW + datetime.timedelta(days=3) - datetime.timedelta(seconds=1)
        )
        == 0
    )
    assert earnings.holds_release_due(now=NOW + datetime.timedelta(days=3)) == 1
    assert earnings.holds_release_due(now=NOW + datetime.timedelta(days=3)) == 0
    assert (balances()["pending"], balances()["available"]) == (70, 50)
    release = LedgerTransaction.objects.get(kind=Kind.HOLD_RELEASE)
    hold = EarningHold.objects.get(transaction__idempotency_key="approval:1")
    assert hold.released_by == release
    assert release.idempotency_key == f"hold_release:{hold.transaction_id}"
    assert (release.reference, release.source_key, release.link) == (
        "assignment:1",
        f"project:{PROJECT}",
        f"/work/history/?project={PROJECT}#submission-1",
    )
    assert earnings.holds_release_due(now=NOW + datetime.timedelta(days=9)) == 1
    assert (balances()["pending"], balances()["available"]) == (0, 120)
    consistent()


def test_hold_release_respects_its_limit():
    fund_escrow(project_id=PROJECT, company_id=COMPANY, cents=1000)
    for n in range(1, 6):
        approve(n, reward=10)

    assert earnings.holds_release_due(now=NOW + datetime.timedelta(days=3), limit=3) == 3
    assert earnings.holds_release_due(now=NOW + datetime.timedelta(days=3), limit=3) == 2
    assert balances()["available"] == 50
