"""Earnings: what approvals, bonuses, paid tests and the pay floor pay workers, the hold
before earnings become available, and fraud reversals.

Every service posts through payouts/ledger.py inside the caller's database transaction, so
the money moves with the decision that caused it or not at all. Callers (marketplace, jobs)
pass plain values; nothing here imports them.

Rules:
- The company pays the reward plus the platform fee (payouts/fees.py) on everything a worker
  earns from it: approvals, pay-floor top-ups, bonuses and paid tests.
- An approval is paid from the project's escrow; when the escrow is short the rest comes
  from the company balance in the same transaction; when both are short the approval is
  refused (409 `insufficient_balance`) and nothing moves.
- Pay floor: the effective floor is max(the project's floor, settings.PAY_FLOOR_HOURLY_CENTS)
  per hour. When the reward is below floor x measured hours (the caller caps the measured
  time at the lease), a PAY_FLOOR transaction tops the pay up to the floor, fee included,
  paid like the reward (escrow first, then the company balance).
- Earnings wait in the worker's pending account until the hold ends
  (settings.EARNINGS_HOLD_DAYS); `holds_release_due` then moves them to available. A worker
  who owes money (a receivable, see below) pays it back first out of each release.
- A fraud reversal returns the reward and fee (and any pay-floor top-up) where they came
  from (escrow, company balance), taking the money from the worker's pending earnings of
  that approval, then from their available earnings; what is left is recorded on the
  worker's receivable (signed as a claim: its balance is minus what the worker owes). No
  worker balance goes below zero.
- Paid qualification tests: starting an attempt reserves its completion payment plus fee
  from the company balance (refused when short); grading pays the reserved amount.

Lock order: earning holds first (reversal and release), then ledger accounts, all at once in
id order (ledger.accounts_lock).
"""

import datetime
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Company
from core.bulk import rows_insert
from core.errors import LoopworkError
from core.money import format_money

from . import ledger
from .fees import platform_fee_cents
from .ledger import Leg
from .models import EarningHold, LedgerAccount, LedgerTransaction

logger = logging.getLogger(__name__)

Kind = LedgerTransaction.Kind
REVENUE = LedgerAccount.Kind.PLATFORM_REVENUE

REASON_MAX = 250
BONUS_MAX_CENTS = 1000_00
TEST_PAYMENT_MAX_CENTS = 100_00
HOLD_RELEASE_BATCH = 200


def approval_key(assignment_id: int) -> str:
    return f"approval:{assignment_id}"


def pay_floor_key(assignment_id: int) -> str:
    return f"pay_floor:{assignment_id}"


def reversal_key(assignment_id: int) -> str:
    return f"reverse:approval:{assignment_id}"


def _release_at(now: datetime.datetime) -> datetime.datetime:
    return now + datetime.timedelta(days=settings.EARNINGS_HOLD_DAYS)


def _hold(posted: LedgerTransaction, *, worker_id: int, amount_cents: int) -> None:
    EarningHold.objects.create(
        transaction=posted,
        worker_id=worker_id,
        amount_cents=amount_cents,
        currency=posted.currency,
        release_at=posted.available_at,
    )


def amount_owed(worker_id: int, currency: str = "") -> int:
    """What the worker owes the platform after fraud reversals (0 or more)."""
    return -ledger.balance_of(ledger.worker_receivable(worker_id, currency))


def pay_floor_top_up_cents(
    *, reward_cents: int, work_seconds: int | None, floor_hourly_cents: int
) -> int:
    """How much below `floor_hourly_cents` per hour the reward fell for the measured time.

    floor x seconds / 3600, rounded half up to a whole minor unit, minus the reward; 0 when
    there is no floor, no measured time, or the reward reaches the floor.
    """
    if floor_hourly_cents <= 0 or not work_seconds or work_seconds <= 0:
        return 0
    due = (floor_hourly_cents * work_seconds + 1800) // 3600
    return max(0, due - reward_cents)


def effective_pay_floor(project_floor_hourly_cents: int | None) -> int:
    """The floor that applies to a project: its own or the platform's, whichever is higher."""
    return max(project_floor_hourly_cents or 0, settings.PAY_FLOOR_HOURLY_CENTS)


def _payer_legs(escrow_ref, company_ref, from_escrow: int, from_company: int) -> list[Leg]:
    legs = []
    if from_escrow:
        legs.append(Leg(escrow_ref, -from_escrow))
    if from_company:
        legs.append(Leg(company_ref, -from_company))
    return legs


@dataclass(frozen=True)
class Approval:
    """What paying one approved assignment needs, in plain values (the caller's facts).

    `work_seconds` is the measured time, already capped at the lease by the caller.
    """

    assignment_id: int
    project_id: int
    company_id: int
    worker_id: int
    reward_cents: int
    currency: str
    project_title: str
    work_seconds: int | None
    pay_floor_hourly_cents: int | None
    link: str


@dataclass
class ApprovalsOutcome:
    """Per assignment: its approval transaction (the first one on a replay), or the refusal."""

    paid: dict[int, LedgerTransaction] = field(default_factory=dict)
    refused: dict[int, LoopworkError] = field(default_factory=dict)


def approval_post(*, decision_id: int, now: datetime.datetime, **facts) -> LedgerTransaction:
    """Pay one approved assignment (see `approvals_post`); raises its refusal, if any.

    `facts` are the fields of `Approval`. Must run in the decision's transaction.
    """
    approval = Approval(**facts)
    with transaction.atomic():
        outcome = approvals_post([approval], now=now)
        if approval.assignment_id in outcome.refused:
            # Raised inside the savepoint: the accounts made for it go too.
            raise outcome.refused[approval.assignment_id]
    posted = outcome.paid[approval.assignment_id]
    logger.info(
        "approval paid",
        extra={
            "assignment_id": approval.assignment_id,
            "decision_id": decision_id,
            "ledger_transaction": posted.pk,
        },
    )
    return posted


def approvals_post(approvals: Sequence[Approval], *, now: datetime.datetime) -> ApprovalsOutcome:
    """Pay approved assignments: reward to each worker's pending earnings, fee to revenue.

    Idempotent per assignment ("approval:<id>"): an assignment is paid once, however often
    it is approved (a decision raced, a rejection overturned, a batch retried). Each draws
    from its project's escrow, then the company balance, in the order given; one whose
    payer is short of the reward, fee and any pay-floor top-up is refused (409
    `insufficient_balance`, in `refused`) and posts nothing, and the others go ahead. The
    pay-floor top-up (see the module docstring) is its own transaction ("pay_floor:<id>").
    Each credit to pending gets an EarningHold releasing at now + EARNINGS_HOLD_DAYS.

    One batch costs a fixed number of queries whatever its size: lock every account at
    once (in id order), read the keys already posted, then write all transactions, entries,
    balances and holds in one statement each. Must run in the decisions' transaction.
    """
    for approval in approvals:
        reward = approval.reward_cents
        if isinstance(reward, bool) or not isinstance(reward, int) or reward < 1:
            raise ValueError(f"an approval pays a positive whole reward, got {reward!r}")
        if not approval.currency:
            raise ValueError("an approval is paid in its project's currency")
    outcome = ApprovalsOutcome()
    if not approvals:
        return outcome
    release_at = _release_at(now)
    with transaction.atomic(savepoint=False):
        locked = ledger.accounts_lock(ref for approval in approvals for ref in _refs(approval))
        # Checked under the locks: a concurrent post of any of these has committed by now.
        posted_before = {
            tx.idempotency_key: tx
            for tx in LedgerTransaction.objects.filter(
                idempotency_key__in=[approval_key(a.assignment_id) for a in approvals]
            )
        }
        funds = {ref: account.balance_cents for ref, account in locked.items()}
        postings: list[ledger.Posting] = []
        holds: list[tuple[int, int]] = []  # per posting: the worker and the cents it holds
        first_posting: dict[int, int] = {}  # assignment id -> index of its approval posting
        for approval in approvals:
            assignment_id = approval.assignment_id
            if assignment_id in first_posting or assignment_id in outcome.refused:
                continue  # named twice in the batch: paid (or refused) once
            if approval_key(assignment_id) in posted_before:
                outcome.paid[assignment_id] = posted_before[approval_key(assignment_id)]
                continue
            planned = _approval_postings(approval, funds=funds, release_at=release_at)
            if isinstance(planned, LoopworkError):
                outcome.refused[assignment_id] = planned
                continue
            first_posting[assignment_id] = len(postings)
            for posting, held_cents in planned:
                postings.append(posting)
                holds.append((approval.worker_id, held_cents))
        written = ledger.postings_write(locked, postings)
        rows_insert(
            EarningHold,
            ["transaction", "worker", "amount_cents", "reversed_cents", "currency", "release_at"],
            (
                (tx.pk, worker_id, held_cents, 0, tx.currency, release_at)
                for tx, (worker_id, held_cents) in zip(written, holds, strict=True)
            ),
        )
    for assignment_id, index in first_posting.items():
        outcome.paid[assignment_id] = written[index]
    return outcome


def _refs(approval: Approval) -> list[ledger.AccountRef]:
    currency = approval.currency
    return [
        ledger.project_escrow(approval.project_id, currency),
        ledger.company_balance(approval.company_id, currency),
        ledger.worker_pending(approval.worker_id, currency),
        ledger.platform(REVENUE, currency),
    ]


def _approval_postings(
    approval: Approval, *, funds: dict, release_at: datetime.datetime
) -> list[tuple[ledger.Posting, int]] | LoopworkError:
    """The approval's posting and any pay-floor top-up, each with what it credits to the
    worker's pending earnings, drawing on `funds` (the locked balances as the batch leaves
    them); the refusal when its payer is short."""
    escrow_ref, company_ref, pending_ref, revenue_ref = _refs(approval)
    reward = approval.reward_cents
    currency = approval.currency
    fee = platform_fee_cents(reward)
    top_up = pay_floor_top_up_cents(
        reward_cents=reward,
        work_seconds=approval.work_seconds,
        floor_hourly_cents=effective_pay_floor(approval.pay_floor_hourly_cents),
    )
    top_up_fee = platform_fee_cents(top_up)
    needed = reward + fee + top_up + top_up_fee
    there = funds[escrow_ref] + funds[company_ref]
    if there < needed:
        return LoopworkError(
            "The project's budget and the company balance are too low to pay this "
            f"approval: {format_money(needed, currency)} needed, "
            f"{format_money(there, currency)} there. Top up the balance, then approve again.",
            code="insufficient_balance",
            status=409,
        )

    def draw(cents: int) -> list[Leg]:
        from_escrow = min(funds[escrow_ref], cents)
        funds[escrow_ref] -= from_escrow
        funds[company_ref] -= cents - from_escrow
        return _payer_legs(escrow_ref, company_ref, from_escrow, cents - from_escrow)

    assignment_id = approval.assignment_id
    title = approval.project_title
    common = {
        "reference": f"assignment:{assignment_id}",
        "link": approval.link,
        "currency": currency,
        "source_key": f"project:{approval.project_id}",
        "source_label": title,
        "work_seconds": approval.work_seconds,
        "available_at": release_at,
    }
    planned = [
        (
            ledger.posting(
                idempotency_key=approval_key(assignment_id),
                kind=Kind.APPROVAL,
                legs=[*draw(reward + fee), Leg(pending_ref, reward), Leg(revenue_ref, fee)],
                description=f"Task {assignment_id} approved: {title}",
                **common,
            ),
            reward,
        )
    ]
    if top_up:
        planned.append(
            (
                ledger.posting(
                    idempotency_key=pay_floor_key(assignment_id),
                    kind=Kind.PAY_FLOOR,
                    legs=[
                        *draw(top_up + top_up_fee),
                        Leg(pending_ref, top_up),
                        *([Leg(revenue_ref, top_up_fee)] if top_up_fee else []),
                    ],
                    description=f"Pay floor top-up for task {assignment_id}: {title}",
                    **common,
                ),
                top_up,
            )
        )
    return planned


def approval_reverse(*, assignment_id: int, reason: str, actor) -> LedgerTransaction:
    """Reverse a fraudulent approval and its pay-floor top-up; idempotent on the assignment.

    The reward, the fee and any top-up with its fee go back where they came from (the
    project's escrow and the company balance, in the amounts drawn; the escrow of a finished
    project is given back by funding's escrow release). The worker's share is taken from
    the pending earnings of that approval (its holds are reduced through `reversed_cents`),
    then from their available earnings; any rest is recorded on their receivable. 404
    `not_paid` when the assignment was never paid; 422 without a reason. Runs in the
    caller's transaction when there is one.
    """
    reason = (reason or "").strip()
    if not reason:
        raise LoopworkError(
            "Say why the approval is reversed.", code="reason_required", field="reason", status=422
        )
    key = reversal_key(assignment_id)
    existing = LedgerTransaction.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    originals = list(
        LedgerTransaction.objects.filter(
            idempotency_key__in=[approval_key(assignment_id), pay_floor_key(assignment_id)]
        )
        .prefetch_related("entries__account")
        .order_by("pk")
    )
    if not originals:
        raise LoopworkError(
            "Nothing was paid for this task, so there is nothing to reverse.",
            code="not_paid",
            status=404,
        )
    approval = originals[0]
    currency = approval.currency
    with transaction.atomic():
        holds = list(
            EarningHold.objects.select_for_update().filter(transaction__in=originals).order_by("pk")
        )
        # The same key may have committed while we waited for the holds' locks.
        existing = LedgerTransaction.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return existing
        worker_id = holds[0].worker_id
        worker_share = 0
        legs: list[Leg] = []
        for original in originals:
            for entry in original.entries.all():
                account = entry.account
                if account.kind == LedgerAccount.Kind.WORKER_PENDING:
                    worker_share += entry.amount_cents
                else:
                    legs.append(
                        Leg(
                            ledger.AccountRef(account.kind, account.owner_id, currency),
                            -entry.amount_cents,
                        )
                    )
        pending_ref = ledger.worker_pending(worker_id, currency)
        available_ref = ledger.worker_available(worker_id, currency)
        receivable_ref = ledger.worker_receivable(worker_id, currency)
        locked = ledger.accounts_lock(
            [leg.account for leg in legs] + [pending_ref, available_ref, receivable_ref]
        )
        still_pending = {
            hold.pk: hold.amount_cents - hold.reversed_cents
            for hold in holds
            if hold.released_by_id is None
        }
        from_pending = min(worker_share, sum(still_pending.values()))
        available = locked[ledger.worker_available(worker_id, currency)].balance_cents
        from_available = min(worker_share - from_pending, available)
        owed = worker_share - from_pending - from_available
        legs += [
            Leg(pending_ref, -from_pending),
            Leg(available_ref, -from_available),
            Leg(receivable_ref, -owed),
        ]
        reversal = ledger.transaction_post(
            idempotency_key=key,
            kind=Kind.REVERSAL,
            legs=[leg for leg in legs if leg.amount_cents],
            reference=approval.reference,
            description=f"Approval reversed for fraud: {reason}",
            link=approval.link,
            currency=currency,
            source_key=approval.source_key,
            source_label=approval.source_label,
            reverses=approval,
            created_by=actor,
        )
        left = from_pending
        for hold in holds:
            take = min(left, still_pending.get(hold.pk, 0))
            if take:
                EarningHold.objects.filter(pk=hold.pk).update(
                    reversed_cents=F("reversed_cents") + take
                )
                left -= take
    logger.info(
        "approval reversed",
        extra={
            "assignment_id": assignment_id,
            "ledger_transaction": reversal.pk,
            "from_pending": from_pending,
            "from_available": from_available,
            "owed": owed,
            "actor": getattr(actor, "pk", None),
        },
    )
    return reversal


def _clean_reason(reason) -> str:
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise LoopworkError(
            "Say what the bonus is for; the worker sees it.",
            code="reason_required",
            field="reason",
            status=422,
        )
    if len(text) > REASON_MAX or "\x00" in text:
        raise LoopworkError(
            f"Keep the reason to {REASON_MAX} characters of plain text.",
            code="invalid_reason",
            field="reason",
            status=422,
        )
    return text


def _clean_amount(amount_cents, *, most: int, field: str = "amount_cents") -> int:
    if isinstance(amount_cents, bool) or not isinstance(amount_cents, int) or amount_cents < 1:
        raise LoopworkError(
            "The amount must be a positive whole number of cents.",
            code="invalid_amount",
            field=field,
            status=422,
        )
    if amount_cents > most:
        raise LoopworkError(
            f"The amount can be at most {format_money(most)}.",
            code="invalid_amount",
            field=field,
            status=422,
        )
    return amount_cents


def bonus_post(
    *,
    company_id: int,
    worker_id: int,
    amount_cents: int,
    reason: str,
    actor,
    idempotency_key: str,
    project_id: int | None = None,
    project_title: str = "",
    link: str = "",
) -> LedgerTransaction:
    """Pay a worker a bonus with a reason, from the company balance (plus the fee).

    Idempotent on `idempotency_key` (the caller derives it from its form or request).
    422 on a missing reason or a bad amount (1 cent to BONUS_MAX_CENTS); 409
    `insufficient_balance` when the balance is short. Held like any earning.
    """
    reason = _clean_reason(reason)
    amount_cents = _clean_amount(amount_cents, most=BONUS_MAX_CENTS)
    if not idempotency_key:
        raise ValueError("a bonus needs an idempotency key")
    key = f"bonus:{idempotency_key}"
    existing = LedgerTransaction.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    fee = platform_fee_cents(amount_cents)
    now = timezone.now()
    if project_id is not None:
        source_key, source_label = f"project:{project_id}", project_title
    else:
        source_key = f"company:{company_id}"
        source_label = Company.objects.filter(pk=company_id).values_list("name", flat=True).first()
    with transaction.atomic():
        posted = ledger.transaction_post(
            idempotency_key=key,
            kind=Kind.BONUS,
            legs=[
                Leg(ledger.company_balance(company_id), -(amount_cents + fee)),
                Leg(ledger.worker_pending(worker_id), amount_cents),
                Leg(ledger.platform(REVENUE), fee),
            ],
            reference=source_key,
            description=f"Bonus: {reason}",
            link=link,
            source_key=source_key,
            source_label=source_label or "",
            available_at=_release_at(now),
            created_by=actor,
        )
        if not EarningHold.objects.filter(transaction=posted).exists():
            _hold(posted, worker_id=worker_id, amount_cents=amount_cents)
    logger.info(
        "bonus paid",
        extra={"ledger_transaction": posted.pk, "worker_id": worker_id, "company_id": company_id},
    )
    return posted


def test_payment_reserve(
    *, attempt_id: int, test_id: int, company_id: int, amount_cents: int, test_title: str
) -> LedgerTransaction:
    """Reserve a paid test's completion payment plus fee from the company balance when an
    attempt starts, so that grading can always pay it. Idempotent on the attempt; 409
    `insufficient_balance` (nothing moves) when the company cannot fund it."""
    amount_cents = _clean_amount(amount_cents, most=TEST_PAYMENT_MAX_CENTS)
    total = amount_cents + platform_fee_cents(amount_cents)
    try:
        return ledger.transaction_post(
            idempotency_key=f"test_reserve:{attempt_id}",
            kind=Kind.ESCROW_RESERVE,
            legs=[
                Leg(ledger.company_balance(company_id), -total),
                Leg(ledger.test_escrow(test_id), total),
            ],
            reference=f"attempt:{attempt_id}",
            description=f"Completion payment reserved: {test_title}",
            source_key=f"test:{test_id}",
            source_label=test_title,
        )
    except LoopworkError as refusal:
        if refusal.code != "insufficient_balance":
            raise
        raise LoopworkError(
            "This paid test cannot be started right now: the company that pays for it has "
            "not funded it. Try again later.",
            code="test_not_funded",
            status=409,
        ) from refusal


def test_payment_post(
    *,
    attempt_id: int,
    test_id: int,
    company_id: int,
    worker_id: int,
    amount_cents: int,
    test_title: str,
    link: str,
) -> LedgerTransaction:
    """Pay a completed (graded) attempt of a paid test, once ("test_payment:<attempt_id>").

    Paid from the amount reserved when the attempt started (test_payment_reserve), so it
    never fails for want of funds; `company_id` is the test's company, kept in the record.
    Held like any earning.
    """
    amount_cents = _clean_amount(amount_cents, most=TEST_PAYMENT_MAX_CENTS)
    key = f"test_payment:{attempt_id}"
    existing = LedgerTransaction.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    fee = platform_fee_cents(amount_cents)
    now = timezone.now()
    with transaction.atomic():
        posted = ledger.transaction_post(
            idempotency_key=key,
            kind=Kind.TEST_PAYMENT,
            legs=[
                Leg(ledger.test_escrow(test_id), -(amount_cents + fee)),
                Leg(ledger.worker_pending(worker_id), amount_cents),
                Leg(ledger.platform(REVENUE), fee),
            ],
            reference=f"attempt:{attempt_id}",
            description=f"Paid qualification test completed: {test_title}",
            link=link,
            source_key=f"test:{test_id}",
            source_label=test_title,
            available_at=_release_at(now),
        )
        # A replay finds the hold that came with the first posting (its locks ordered us).
        if not EarningHold.objects.filter(transaction=posted).exists():
            _hold(posted, worker_id=worker_id, amount_cents=amount_cents)
    logger.info(
        "test payment",
        extra={"ledger_transaction": posted.pk, "attempt_id": attempt_id, "company_id": company_id},
    )
    return posted


def holds_release_due(*, now: datetime.datetime | None = None, limit: int = 1000) -> int:
    """Move every due hold's earnings from pending to available; returns how many holds.

    Idempotent ("hold_release:<transaction id>") and safe beside another run, reversals and
    approvals: each hold is released in its own short transaction after locking it (SKIP
    LOCKED on PostgreSQL, so two runs split the work), and checked again under the lock.
    What a worker owes (receivable) is paid back first out of the released amount.
    """
    now = now or timezone.now()
    released = 0
    while released < limit:
        ids = list(
            EarningHold.objects.filter(
                released_by__isnull=True,
                release_at__lte=now,
                reversed_cents__lt=F("amount_cents"),
            )
            .order_by("release_at", "pk")
            .values_list("pk", flat=True)[: min(HOLD_RELEASE_BATCH, limit - released)]
        )
        if not ids:
            break
        done = sum(_release_one(hold_id) for hold_id in ids)
        released += done
        if done == 0:
            break  # every candidate is being released by another run right now
    if released:
        logger.info("earning holds released", extra={"count": released})
    return released


def _release_one(hold_id: int) -> bool:
    with transaction.atomic():
        hold = (
            EarningHold.objects.select_for_update(skip_locked=True)
            .select_related("transaction")
            .filter(pk=hold_id, released_by__isnull=True)
            .first()
        )
        if hold is None:
            return False
        amount = hold.amount_cents - hold.reversed_cents
        if amount <= 0:
            return False
        original = hold.transaction
        currency = hold.currency
        pending_ref = ledger.worker_pending(hold.worker_id, currency)
        available_ref = ledger.worker_available(hold.worker_id, currency)
        receivable_ref = ledger.worker_receivable(hold.worker_id, currency)
        locked = ledger.accounts_lock([pending_ref, available_ref, receivable_ref])
        settle = min(amount, -locked[receivable_ref].balance_cents)
        description = "Became available"
        if settle:
            description += f" ({format_money(settle, currency)} paid back what you owed)"
        posted = ledger.transaction_post(
            idempotency_key=f"hold_release:{original.pk}",
            kind=Kind.HOLD_RELEASE,
            legs=[
                Leg(pending_ref, -amount),
                Leg(available_ref, amount - settle),
                Leg(receivable_ref, settle),
            ],
            reference=original.reference,
            description=description,
            link=original.link,
            currency=currency,
            source_key=original.source_key,
            source_label=original.source_label,
        )
        hold.released_by = posted
        hold.save(update_fields=["released_by"])
    return True
