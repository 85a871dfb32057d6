"""A company's money figures, shared by the billing page and the company home: balance,
escrow, and spend (all time, and this calendar month). Exact figures; fee 20%."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from payouts import earnings, ledger
from payouts.billing_selectors import company_billing, company_money, month_start
from payouts.funding import escrow_reserve
from payouts.ledger import Leg
from payouts.models import LedgerAccount, LedgerTransaction
from tests.factories import WorkerFactory, fund_company

pytestmark = pytest.mark.django_db

COMPANY, OTHER = 21, 22
PROJECT, SECOND_PROJECT, OTHER_PROJECT = 11, 12, 13
TEST = 5


@pytest.fixture(autouse=True)
def _fees(settings):
    settings.PAY_FLOOR_HOURLY_CENTS = 0
    settings.PLATFORM_FEE_PERCENT = 20


def reserve(project_id: int, cents: int, *, company_id: int = COMPANY, title: str = "Cats"):
    fund_company(company_id, cents)
    escrow_reserve(
        project_id=project_id,
        company_id=company_id,
        amount_cents=cents,
        currency="USD",
        key=f"launch:{project_id}:{cents}",
        project_title=title,
    )


def approve(assignment_id: int, worker_id: int, *, project_id: int = PROJECT, reward=100, **kw):
    return earnings.approval_post(
        decision_id=assignment_id,
        now=timezone.now(),
        assignment_id=assignment_id,
        project_id=project_id,
        company_id=kw.get("company_id", COMPANY),
        worker_id=worker_id,
        reward_cents=reward,
        currency="USD",
        project_title="Cats",
        work_seconds=60,
        pay_floor_hourly_cents=None,
        link="",
    )


def paid_test(attempt_id: int, worker_id: int, cents: int = 200):
    facts = {"attempt_id": attempt_id, "test_id": TEST, "company_id": COMPANY}
    earnings.test_payment_reserve(**facts, amount_cents=cents, test_title="Cat test")
    earnings.test_payment_post(
        **facts, worker_id=worker_id, amount_cents=cents, test_title="Cat test", link=""
    )


def test_spend_this_month_counts_approvals_bonuses_and_paid_tests_with_fees():
    worker = WorkerFactory().pk
    reserve(PROJECT, 10_00)
    fund_company(COMPANY, 20_00)
    approve(1, worker)  # $1.00 + $0.20
    earnings.bonus_post(
        company_id=COMPANY,
        worker_id=worker,
        amount_cents=3_00,
        reason="Thanks",
        actor=None,
        idempotency_key="b1",
    )  # $3.00 + $0.60
    paid_test(1, worker)  # $2.00 + $0.40, from the reserve made when the attempt started

    money = company_money(company_id=COMPANY)

    assert money.spent_this_month_cents == 1_20 + 3_60 + 2_40
    assert money.balance_cents == 20_00 - 3_60 - 2_40
    # The project's $10 less the approval; the test's reserve is spent.
    assert money.reserved_cents == 10_00 - 1_20
    billing = company_billing(company_id=COMPANY)
    assert (billing.balance_cents, billing.reserved_cents, billing.spent_cents) == (
        money.balance_cents,
        money.reserved_cents,
        money.spent_this_month_cents,
    )
    assert {line.source_key: line.spent_cents for line in billing.projects} == {
        f"project:{PROJECT}": 1_20,
        f"company:{COMPANY}": 3_60,
        f"test:{TEST}": 2_40,
    }


def test_spend_this_month_leaves_out_last_months_spend():
    worker = WorkerFactory().pk
    reserve(PROJECT, 10_00)
    last_month = month_start(timezone.now()) - datetime.timedelta(days=2)
    with time_machine.travel(last_month, tick=False):
        approve(1, worker)
    approve(2, worker, reward=50)

    assert company_money(company_id=COMPANY).spent_this_month_cents == 60
    assert company_billing(company_id=COMPANY).spent_cents == 1_20 + 60
    # Next month nothing is spent yet.
    next_month = month_start(timezone.now()) + datetime.timedelta(days=40)
    assert company_money(company_id=COMPANY, now=next_month).spent_this_month_cents == 0


def test_the_month_starts_at_midnight_on_the_first_in_the_site_time_zone(settings):
    settings.TIME_ZONE = "America/New_York"
    moment = datetime.datetime(2026, 3, 1, 3, 0, tzinfo=datetime.UTC)  # still 28 Feb there

    start = month_start(moment)

    assert start.isoformat() == "2026-02-01T00:00:00-05:00"


def test_an_approval_reversed_for_fraud_is_spend_no_more():
    worker = WorkerFactory().pk
    reserve(PROJECT, 10_00)
    approve(1, worker)
    approve(2, worker)

    earnings.approval_reverse(assignment_id=1, reason="Copied answers", actor=None)

    money = company_money(company_id=COMPANY)
    assert money.spent_this_month_cents == 1_20
    assert money.reserved_cents == 10_00 - 1_20
    assert company_billing(company_id=COMPANY).spent_cents == 1_20


def test_a_failed_refund_put_back_on_the_balance_is_not_spend():
    fund_company(COMPANY, 10_00)
    refund = ledger.transaction_post(
        idempotency_key="refund:1",
        kind=LedgerTransaction.Kind.REFUND,
        legs=[
            Leg(ledger.company_balance(COMPANY), -4_00),
            Leg(ledger.platform(LedgerAccount.Kind.PLATFORM_STRIPE_CLEARING), 4_00),
        ],
        reference=f"company:{COMPANY}",
        description="Refund",
    )
    ledger.transaction_reverse(
        original=refund, idempotency_key="refund:1:returned", description="Refund failed"
    )

    money = company_money(company_id=COMPANY)

    assert (money.balance_cents, money.spent_this_month_cents) == (10_00, 0)


def test_another_companys_money_is_never_counted():
    worker = WorkerFactory().pk
    reserve(PROJECT, 10_00)
    reserve(OTHER_PROJECT, 30_00, company_id=OTHER)
    fund_company(OTHER, 5_00)
    approve(1, worker, project_id=OTHER_PROJECT, company_id=OTHER)

    mine = company_money(company_id=COMPANY)
    theirs = company_money(company_id=OTHER)

    assert (mine.balance_cents, mine.reserved_cents, mine.spent_this_month_cents) == (
        0,
        10_00,
        0,
    )
    assert (theirs.balance_cents, theirs.reserved_cents, theirs.spent_this_month_cents) == (
        5_00,
        30_00 - 1_20,
        1_20,
    )


def test_a_company_that_never_moved_money_has_nothing():
    money = company_money(company_id=COMPANY)

    assert (money.balance_cents, money.reserved_cents, money.spent_this_month_cents) == (0, 0, 0)
    assert money.currency == "USD"


def test_company_money_costs_the_same_queries_for_one_or_many_projects():
    worker = WorkerFactory().pk
    reserve(PROJECT, 10_00)
    approve(1, worker)
    with CaptureQueriesContext(connection) as one:
        company_money(company_id=COMPANY)
    reserve(SECOND_PROJECT, 10_00)
    approve(2, worker, project_id=SECOND_PROJECT)
    fund_company(COMPANY, 5_00)
    paid_test(1, worker)

    with CaptureQueriesContext(connection) as many:
        money = company_money(company_id=COMPANY)

    assert money.spent_this_month_cents == 1_20 + 1_20 + 2_40
    assert len(many) == len(one) == 4
