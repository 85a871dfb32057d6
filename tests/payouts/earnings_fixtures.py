"""Ledger histories for the earnings tests: a funded company, approvals paid through
payouts.earnings, holds released, and payouts that reached the worker's bank."""

import datetime
import itertools

import time_machine
from django.utils import timezone

from payouts import earnings, ledger
from payouts.ledger import Leg
from payouts.models import LedgerAccount, LedgerTransaction, PayoutAccount, PayoutLine

CLEARING = ledger.platform(LedgerAccount.Kind.PLATFORM_STRIPE_CLEARING)
_ids = itertools.count(1000)


def fund(company_id: int, cents: int) -> None:
    key = f"test-top-up:{next(_ids)}"
    ledger.transaction_post(
        idempotency_key=key,
        kind=LedgerTransaction.Kind.TOP_UP,
        legs=[Leg(CLEARING, -cents), Leg(ledger.company_balance(company_id), cents)],
        reference=key,
        description="Card top-up",
    )


def earn(
    worker,
    reward_cents: int,
    *,
    company_id: int = 1,
    project_id: int = 1,
    title: str = "Street scenes",
    work_seconds: int | None = 60,
    at: datetime.datetime | None = None,
) -> LedgerTransaction:
    """An approval of a new assignment of `worker`, paid at `at` (the company is funded)."""
    at = at or timezone.now()
    assignment_id = next(_ids)
    with time_machine.travel(at, tick=False):
        fund(company_id, reward_cents * 2)
        return earnings.approval_post(
            assignment_id=assignment_id,
            decision_id=assignment_id,
            project_id=project_id,
            company_id=company_id,
            worker_id=worker.pk,
            reward_cents=reward_cents,
            currency="USD",
            project_title=title,
            work_seconds=work_seconds,
            pay_floor_hourly_cents=None,
            link=f"/work/history/#submission-{assignment_id}",
            now=at,
        )


def release(at: datetime.datetime) -> int:
    with time_machine.travel(at, tick=False):
        return earnings.holds_release_due(now=at)


def paid_payout(worker, cents: int, *, at: datetime.datetime | None = None) -> PayoutLine:
    """A payout of `cents` of available earnings that Stripe confirmed paid at `at`."""
    at = at or timezone.now()
    account, _ = PayoutAccount.objects.get_or_create(
        worker=worker,
        defaults={"stripe_account_id": f"acct_test{worker.pk}", "payouts_enabled": True},
    )
    line = PayoutLine.objects.create(
        worker=worker,
        payout_account=account,
        amount_cents=cents,
        currency="USD",
        status=PayoutLine.Status.PAID,
        paid_at=at,
    )
    with time_machine.travel(at, tick=False):
        ledger.transaction_post(
            idempotency_key=f"payout:{line.pk}",
            kind=LedgerTransaction.Kind.PAYOUT,
            legs=[
                Leg(ledger.worker_available(worker.pk), -cents),
                Leg(ledger.worker_in_transit(worker.pk), cents),
            ],
            reference=f"payout_line:{line.pk}",
            description="Payout requested",
            link="/work/payouts/",
        )
        ledger.transaction_post(
            idempotency_key=f"payout_paid:{line.pk}",
            kind=LedgerTransaction.Kind.PAYOUT_PAID,
            legs=[
                Leg(ledger.worker_in_transit(worker.pk), -cents),
                Leg(ledger.platform(LedgerAccount.Kind.PLATFORM_PAYOUTS), cents),
            ],
            reference=f"payout_line:{line.pk}",
            description="Payout paid to your bank account",
            link="/work/payouts/",
        )
    return line
