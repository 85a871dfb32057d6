"""Payouts: workers' available earnings sent to their Stripe Connect accounts, once each.

The life of a payout line:

1. Created by a worker's request (`payout_request`, into the open "worker requests" batch)
   or by the weekly schedule (`payout_batch_schedule`). Its amount moves available ->
   in transit in the same database transaction, and it gets fraud flags for the reviewer.
2. Staff review the batch: hold a line (`payout_line_hold`: the money goes back to
   available) or approve the batch (`payout_batch_approve`; never its own creator).
3. A Celery task per approved line (`payout_line_send`) sends ONE Stripe transfer under the
   line's deterministic idempotency key ("loopwork-payout-line-<id>"), so any retry (ours or
   stripe-python's) replays Stripe's first answer instead of paying again. Success marks the
   line paid (in transit -> platform payouts); a refusal fails it and gives the money back
   (in transit -> available). A transient error leaves it "sending" for a retry with backoff.
4. A send that resumes a line already "sending" (its worker died after Stripe's success, or
   the queue lost the task) first looks for the transfer Stripe already made, by our line id
   in its metadata, and records that one. The sweeper (`payout_lines_sweep`, on beat) resends
   lines stuck in "sending" or "approved"; after MAX_SEND_ATTEMPTS with no transfer at Stripe
   the line fails and the money goes back.
5. Webhooks: `transfer.created`/`transfer.updated` confirm a line (recording it if the task
   has not), `transfer.reversed` gives the reversed amount back to available. Each ledger
   movement has a unique key ("payout_paid:<line id>", "payout_returned:<line id>"), and
   reversals work on Stripe's cumulative `amount_reversed`, so duplicated, late or reordered
   events never move money twice or backwards.

Lock order: payout account -> batch -> line -> ledger accounts (the ledger locks its own, in
id order; the weekly batch locks a chunk's payout accounts at once, in id order, then their
ledger accounts). No Stripe call is ever made while a row lock is held.
"""

import datetime
import logging
import statistics
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.dateformat import format as date_format

from accounts.notifications import notify
from core.errors import LoopworkError
from core.money import format_money, platform_currency

from . import ledger
from .funding import EventMismatch
from .ledger import Leg
from .models import (
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    PayoutAccount,
    PayoutBatch,
    PayoutLine,
)
from .stripe_gateway import GatewayError, Transfer, get_gateway

logger = logging.getLogger(__name__)

Status = PayoutLine.Status
TxKind = LedgerTransaction.Kind

APPROVE_PERMISSION = "payouts.approve_payoutbatch"
# A line "sending" (or "approved" but never picked up) for this long is swept and resent.
SENDING_TIMEOUT = datetime.timedelta(minutes=15)
# Sends of one line before we conclude Stripe has no transfer for it and give the money back.
MAX_SEND_ATTEMPTS = 8
# Stripe's clock and ours differ; look this far before our first send for its transfer.
LOOKUP_MARGIN = datetime.timedelta(hours=1)
# Review (about two working days) then Stripe's payout to the bank (about two days).
REVIEW_DAYS = 2
ARRIVAL_DAYS = 2
# Fraud flags for the reviewer.
NEW_ACCOUNT_DAYS = 14
FLAG_REVERSALS = 3  # reversed earnings in the last 90 days
REVERSAL_WINDOW = datetime.timedelta(days=90)
SPIKE_FACTOR = 3  # times the median of the worker's earlier payouts
FIRST_PAYOUT_SPIKE_CENTS = 50_000  # a first payout this large is unusual
METADATA_KEY = "loopwork_payout_line"
# Workers whose flag facts the weekly batch reads at once.
SCHEDULE_CHUNK = 500

OPEN_STATUSES = (Status.PENDING_REVIEW, Status.APPROVED, Status.SENDING)


class PayoutSendRetry(Exception):
    """Stripe could not be reached or answered with a transient error: try again later."""


def _link(line_id: int) -> str:
    return f"/work/payouts/#payout-{line_id}"


def _reference(line_id: int) -> str:
    return f"payout_line:{line_id}"


# --- flags -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Flag:
    code: str
    detail: str

    def as_json(self) -> dict:
        return {"code": self.code, "detail": self.detail}


@dataclass(frozen=True)
class FlagFacts:
    """What the flags of one worker's payout are computed from."""

    joined_at: datetime.datetime
    account_created_at: datetime.datetime | None
    reversals: int
    owed_cents: int
    earlier_paid_cents: tuple[int, ...]


def flag_facts(worker_ids: list[int], *, now) -> dict[int, FlagFacts]:
    """The flag facts of many workers in five queries (a weekly batch has thousands)."""
    joined = dict(
        get_user_model().objects.filter(pk__in=worker_ids).values_list("pk", "date_joined")
    )
    accounts = dict(
        PayoutAccount.objects.filter(worker_id__in=worker_ids).values_list(
            "worker_id", "created_at"
        )
    )
    reversals = dict(
        LedgerEntry.objects.filter(
            transaction__kind=TxKind.REVERSAL,
            transaction__created_at__gte=now - REVERSAL_WINDOW,
            account__owner_id__in=worker_ids,
            account__kind__in=LedgerAccount.WORKER_KINDS,
        )
        .values("account__owner_id")
        .annotate(count=Count("transaction_id", distinct=True))
        .values_list("account__owner_id", "count")
    )
    owed = dict(
        LedgerAccount.objects.filter(
            kind=LedgerAccount.Kind.PLATFORM_RECEIVABLE, owner_id__in=worker_ids
        ).values_list("owner_id", "balance_cents")
    )
    earlier: dict[int, list[int]] = {}
    for worker_id, amount in (
        PayoutLine.objects.filter(worker_id__in=worker_ids, status=Status.PAID)
        .order_by("worker_id", "-paid_at")
        .values_list("worker_id", "amount_cents")
    ):
        earlier.setdefault(worker_id, []).append(amount)
    return {
        worker_id: FlagFacts(
            joined_at=joined[worker_id],
            account_created_at=accounts.get(worker_id),
            reversals=reversals.get(worker_id, 0),
            # A receivable's balance is minus what the worker owes (payouts/earnings.py).
            owed_cents=-owed.get(worker_id, 0),
            earlier_paid_cents=tuple(earlier.get(worker_id, ())[:10]),
        )
        for worker_id in worker_ids
    }


def payout_flags(*, facts: FlagFacts, amount_cents: int, now) -> list[Flag]:
    """Reasons a reviewer should look twice at paying `amount_cents` to this worker.

    Computed from what payouts knows (it never reads the marketplace, so rejections count
    only once the ledger reversed their earnings): the age of the worker's sign-up and payout
    account, earnings reversed in the last 90 days, money the worker owes, and the amount
    against the median of the worker's last ten payouts.
    """
    flags = []
    newest = max(filter(None, [facts.joined_at, facts.account_created_at]))
    if now - newest < datetime.timedelta(days=NEW_ACCOUNT_DAYS):
        age = (now - newest).days
        flags.append(Flag("new_account", f"Account or payout account {age} days old"))
    if facts.reversals >= FLAG_REVERSALS:
        flags.append(Flag("many_reversals", f"{facts.reversals} earnings reversed in 90 days"))
    if facts.owed_cents > 0:
        flags.append(Flag("owes_platform", f"Owes {format_money(facts.owed_cents)} from reversals"))
    if facts.earlier_paid_cents:
        usual = statistics.median(facts.earlier_paid_cents)
        if amount_cents > SPIKE_FACTOR * usual:
            flags.append(
                Flag(
                    "spike",
                    f"{format_money(amount_cents)} is over {SPIKE_FACTOR}x the usual "
                    f"{format_money(int(usual))}",
                )
            )
    elif amount_cents >= FIRST_PAYOUT_SPIKE_CENTS:
        flags.append(Flag("spike", f"First payout of {format_money(amount_cents)}"))
    return flags


# --- creating lines --------------------------------------------------------------------------


def _open_requested_batch(currency: str) -> PayoutBatch:
    """The open batch of worker requests, locked; created by the first request. When two
    first requests race, the unique constraint lets one create it and the other take it."""
    open_batches = PayoutBatch.objects.select_for_update().filter(
        kind=PayoutBatch.Kind.REQUESTED, status=PayoutBatch.Status.OPEN, currency=currency
    )
    batch = open_batches.first()
    if batch is not None:
        return batch
    try:
        with transaction.atomic():
            return PayoutBatch.objects.create(
                kind=PayoutBatch.Kind.REQUESTED, status=PayoutBatch.Status.OPEN, currency=currency
            )
    except IntegrityError:
        return open_batches.get()


def _line_new(
    *,
    batch: PayoutBatch,
    account: PayoutAccount,
    amount_cents: int,
    requested: bool,
    flags: list[Flag],
    now,
) -> PayoutLine:
    """An unsaved line in `batch` paying `amount_cents` to `account`."""
    return PayoutLine(
        batch=batch,
        worker_id=account.worker_id,
        payout_account=account,
        amount_cents=amount_cents,
        currency=batch.currency,
        requested_by_worker=requested,
        fraud_flags=[flag.as_json() for flag in flags],
        expected_at=(now + datetime.timedelta(days=REVIEW_DAYS + ARRIVAL_DAYS)).date(),
    )


def _line_movement(line: PayoutLine, *, key: str) -> dict:
    """What `ledger.posting` takes to move a saved line's amount available -> in transit."""
    return {
        "idempotency_key": key.format(line_id=line.pk),
        "kind": TxKind.PAYOUT,
        "legs": [
            Leg(ledger.worker_available(line.worker_id), -line.amount_cents),
            Leg(ledger.worker_in_transit(line.worker_id), line.amount_cents),
        ],
        "reference": _reference(line.pk),
        "description": "Payout requested" if line.requested_by_worker else "Weekly payout",
        "link": _link(line.pk),
        "currency": line.currency,
    }


def _line_create(
    *,
    batch: PayoutBatch,
    account: PayoutAccount,
    amount_cents: int,
    requested: bool,
    key: str,
    flags: list[Flag],
    now,
) -> PayoutLine:
    """A line in `batch` with its money moved available -> in transit (refused, and nothing
    written, when the worker's available balance is short)."""
    line = _line_new(
        batch=batch,
        account=account,
        amount_cents=amount_cents,
        requested=requested,
        flags=flags,
        now=now,
    )
    line.save()
    ledger.transaction_post(**_line_movement(line, key=key))
    return line


def payout_request(*, worker, amount_cents: int, idempotency_key: str) -> PayoutLine:
    """A worker's request to be paid `amount_cents` of their available earnings.

    Idempotent on `idempotency_key` (per worker): the same request again returns the same
    line. Two requests at once are serialised on the worker's payout account, so the money
    moves once and the second is refused if it no longer fits. Refuses (LoopworkError,
    nothing written) below PAYOUT_MINIMUM_CENTS, above the available balance, or without a
    payout account that Stripe lets us pay.
    """
    if not idempotency_key:
        raise ValueError("a payout request needs an idempotency key")
    minimum = settings.PAYOUT_MINIMUM_CENTS
    if not isinstance(amount_cents, int) or amount_cents < minimum:
        raise LoopworkError(
            f"The minimum payout is {format_money(minimum)}.",
            code="below_minimum",
            field="amount",
        )
    ledger_key = f"payout_request:{worker.pk}:{idempotency_key}"
    with transaction.atomic():
        account = PayoutAccount.objects.select_for_update().filter(worker=worker).first()
        if account is None or not account.payouts_enabled:
            raise LoopworkError(
                "Connect a payout account and finish Stripe's onboarding first.",
                code="payouts_not_enabled",
                status=409,
            )
        done = LedgerTransaction.objects.filter(idempotency_key=ledger_key).first()
        if done is not None:
            return PayoutLine.objects.get(pk=int(done.reference.split(":", 1)[1]))
        currency = platform_currency()
        batch = _open_requested_batch(currency)
        now = timezone.now()
        facts = flag_facts([worker.pk], now=now)[worker.pk]
        line = _line_create(
            batch=batch,
            account=account,
            amount_cents=amount_cents,
            requested=True,
            key=ledger_key,
            flags=payout_flags(facts=facts, amount_cents=amount_cents, now=now),
            now=now,
        )
    logger.info(
        "payout requested",
        extra={"payout_line": line.pk, "worker": worker.pk, "amount_cents": amount_cents},
    )
    return line


def payout_batch_schedule(*, created_by=None, now=None) -> PayoutBatch | None:
    """The weekly batch: one line for each worker whose available earnings reach the minimum
    and whose payout account Stripe lets us pay. Returns None when nobody qualifies.

    The scheduler runs it once a week (a second run in the same ISO week returns the week's
    batch, even when two run at once: the batch's unique `schedule_key` lets one create it);
    staff may also make one from the admin, and then cannot approve it themselves.
    """
    now = now or timezone.now()
    currency = platform_currency()
    schedule_key = ""
    if created_by is None:
        year, week, _ = now.isocalendar()
        schedule_key = f"weekly:{year}-W{week:02d}:{currency}"
        existing = PayoutBatch.objects.filter(schedule_key=schedule_key).first()
        if existing is not None:
            return existing
    minimum = settings.PAYOUT_MINIMUM_CENTS
    eligible = list(
        LedgerAccount.objects.filter(
            kind=LedgerAccount.Kind.WORKER_AVAILABLE,
            currency=currency,
            balance_cents__gte=minimum,
            owner_id__in=PayoutAccount.objects.filter(payouts_enabled=True).values("worker_id"),
        )
        .order_by("owner_id")
        .values_list("owner_id", "balance_cents")
    )
    if not eligible:
        return None
    try:
        with transaction.atomic():
            batch = PayoutBatch.objects.create(
                kind=PayoutBatch.Kind.SCHEDULED,
                currency=currency,
                created_by=created_by,
                schedule_key=schedule_key,
            )
    except IntegrityError:
        if not schedule_key:
            raise
        # Another run made this week's batch since the check above; it fills the lines.
        return PayoutBatch.objects.get(schedule_key=schedule_key)
    created = 0
    for start in range(0, len(eligible), SCHEDULE_CHUNK):
        added = _schedule_chunk(
            batch=batch, chunk=eligible[start : start + SCHEDULE_CHUNK], now=now
        )
        if added is None:
            # Approved while being filled: the rest stays available for the next batch.
            break
        created += added
    logger.info("payout batch scheduled", extra={"payout_batch": batch.pk, "lines": created})
    return batch


def _schedule_chunk(*, batch: PayoutBatch, chunk: list[tuple[int, int]], now) -> int | None:
    """Lines in the weekly `batch` for `chunk` (worker id, available cents as read), in one
    database transaction and a fixed number of queries however long the chunk; returns how
    many, or None (and adds none) when staff approved the batch while it was being filled:
    a line added after approval would never be sent.

    Takes payout_request's locks in its order: the payout accounts (in id order), then the
    available and in-transit ledger accounts (`ledger.accounts_lock`, in id order). A
    request of one of these workers therefore waits at its payout account, before it locks
    the requests' batch, and never holds a lock this chunk wants while waiting for one it
    holds. Under the locks, a worker is skipped whose available balance is now below the
    amount read (a request took the money since) or whose payouts Stripe has disabled since.
    The batch row is locked between the two, as payout_batch_approve locks it before its
    lines, so an approval waits for the chunk being written or the chunk sees it.
    """
    worker_ids = [worker_id for worker_id, _ in chunk]
    facts = flag_facts(worker_ids, now=now)
    currency = batch.currency
    with transaction.atomic():
        accounts = {
            account.worker_id: account
            for account in PayoutAccount.objects.select_for_update()
            .filter(worker_id__in=worker_ids, payouts_enabled=True)
            .order_by("pk")
        }
        still_open = PayoutBatch.objects.select_for_update().filter(
            pk=batch.pk, status=PayoutBatch.Status.OPEN
        )
        if not still_open.exists():
            return None
        locked = ledger.accounts_lock(
            ref
            for worker_id in accounts
            for ref in (
                ledger.worker_available(worker_id, currency),
                ledger.worker_in_transit(worker_id, currency),
            )
        )
        lines = [
            _line_new(
                batch=batch,
                account=accounts[worker_id],
                amount_cents=available,
                requested=False,
                flags=payout_flags(facts=facts[worker_id], amount_cents=available, now=now),
                now=now,
            )
            for worker_id, available in chunk
            if worker_id in accounts
            and locked[ledger.worker_available(worker_id, currency)].balance_cents >= available
        ]
        PayoutLine.objects.bulk_create(lines)
        # The lines are new, so none of their keys can be posted yet; every amount fits the
        # locked balance it was just checked against, so the write refuses none.
        ledger.postings_write(
            locked,
            [ledger.posting(**_line_movement(line, key="payout:{line_id}")) for line in lines],
        )
    return len(lines)


# --- review ----------------------------------------------------------------------------------


def _require_approver(actor) -> None:
    if not (actor.is_active and actor.is_staff and actor.has_perm(APPROVE_PERMISSION)):
        raise LoopworkError(
            "You need the payout approval permission.", code="permission_denied", status=403
        )


def _post_return(line: PayoutLine, *, amount_cents: int, reason: str, key: str, from_paid: bool):
    """Money of `line` back to the worker's available balance: from in transit (never sent)
    or from platform payouts (sent, then reversed)."""
    source = (
        ledger.platform(LedgerAccount.Kind.PLATFORM_PAYOUTS)
        if from_paid
        else ledger.worker_in_transit(line.worker_id)
    )
    ledger.transaction_post(
        idempotency_key=key,
        kind=TxKind.PAYOUT_RETURNED,
        legs=[
            Leg(source, -amount_cents),
            Leg(ledger.worker_available(line.worker_id), amount_cents),
        ],
        reference=_reference(line.pk),
        description=reason[:300],
        link=_link(line.pk),
        currency=line.currency,
    )


def payout_line_hold(*, line_id: int, reason: str, actor) -> PayoutLine:
    """Hold a line under review: it will not be sent and its money goes back to the worker's
    available balance at once. Only for lines awaiting review; `reason` is required."""
    _require_approver(actor)
    reason = (reason or "").strip()
    if not reason:
        raise LoopworkError("Say why the payout is held.", code="reason_required", field="reason")
    with transaction.atomic():
        line = PayoutLine.objects.select_for_update().get(pk=line_id)
        if line.status != Status.PENDING_REVIEW:
            raise LoopworkError(
                f"This payout is {line.get_status_display().lower()} and can no longer be held.",
                code="not_reviewable",
                status=409,
            )
        line.status = Status.HELD
        line.hold_reason = reason[:300]
        line.expected_at = None
        line.save(update_fields=["status", "hold_reason", "expected_at", "updated_at"])
        _post_return(
            line,
            amount_cents=line.amount_cents,
            reason=f"Payout held: {reason}",
            key=f"payout_returned:{line.pk}",
            from_paid=False,
        )
        # Only a line awaiting review can be held (checked under its lock above), so the
        # worker hears of a hold once.
        amount = format_money(line.amount_cents, line.currency)
        notify(
            line.worker,
            kind="payout_held",
            title=f"Your payout of {amount} is on hold",
            body=(
                f"Loopwork staff held this payout while reviewing it. Reason: {line.hold_reason}"
                f"\n\nNothing was sent. The {amount} went back to your available earnings, "
                "so it can be paid out with your next payout or a request of your own."
            ),
            link=_link(line.pk),
        )
    logger.info("payout line held", extra={"payout_line": line.pk, "actor": actor.pk})
    return line


def payout_batch_approve(*, batch_id: int, actor) -> PayoutBatch:
    """Approve every line of an open batch still awaiting review and queue one send task per
    line after commit. The approver must hold the permission and must not be the batch's
    creator (four eyes; a check constraint stands behind this refusal)."""
    _require_approver(actor)
    with transaction.atomic():
        batch = PayoutBatch.objects.select_for_update().get(pk=batch_id)
        if batch.created_by_id is not None and batch.created_by_id == actor.pk:
            raise LoopworkError(
                "You created this batch, so someone else must approve it.",
                code="four_eyes",
                status=403,
            )
        if batch.status != PayoutBatch.Status.OPEN:
            raise LoopworkError(
                "This batch has already been approved.", code="batch_not_open", status=409
            )
        line_ids = list(
            batch.lines.select_for_update()
            .filter(status=Status.PENDING_REVIEW)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        PayoutLine.objects.filter(pk__in=line_ids).update(
            status=Status.APPROVED, updated_at=timezone.now()
        )
        batch.status = PayoutBatch.Status.SENDING if line_ids else PayoutBatch.Status.DONE
        batch.approved_by = actor
        batch.approved_at = timezone.now()
        batch.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
        transaction.on_commit(lambda: _enqueue(line_ids))
    logger.info(
        "payout batch approved",
        extra={"payout_batch": batch.pk, "lines": len(line_ids), "actor": actor.pk},
    )
    return batch


def _enqueue(line_ids: list[int]) -> None:
    # Imported here only to keep the task module (which imports this one) acyclic.
    from .tasks import send_payout_line

    for line_id in line_ids:
        send_payout_line.delay(line_id)


# --- sending ---------------------------------------------------------------------------------


def _claim(line_id: int) -> tuple[PayoutLine, bool] | None:
    """Mark the line sending and count the attempt; (line, resuming) or None if it is not
    ours to send (already paid, failed, held or reversed)."""
    with transaction.atomic():
        line = (
            PayoutLine.objects.select_for_update().select_related("payout_account").get(pk=line_id)
        )
        if line.status not in (Status.APPROVED, Status.SENDING):
            return None
        resuming = line.status == Status.SENDING
        if not resuming:
            line.status = Status.SENDING
            line.sending_started_at = timezone.now()
        line.attempts += 1
        line.save(update_fields=["status", "sending_started_at", "attempts", "updated_at"])
    return line, resuming


def _note_error(line_id: int, message: str) -> None:
    PayoutLine.objects.filter(pk=line_id).update(
        last_error=message[:500], updated_at=timezone.now()
    )


def payout_line_send(*, line_id: int) -> str:
    """Send the line's one transfer; returns the line's status afterwards.

    Safe to run any number of times, concurrently too: the transfer carries the line's
    idempotency key, a resumed send first looks for the transfer Stripe already made, and
    recording it is keyed on the line. Raises PayoutSendRetry for a transient failure (the
    line stays "sending"; the task retries with backoff and the sweeper after that).
    """
    claimed = _claim(line_id)
    if claimed is None:
        return PayoutLine.objects.values_list("status", flat=True).get(pk=line_id)
    line, resuming = claimed
    gateway = get_gateway()
    destination = line.payout_account.stripe_account_id
    try:
        if resuming:
            since = line.sending_started_at - LOOKUP_MARGIN
            found = gateway.transfer_find(
                destination=destination,
                metadata_key=METADATA_KEY,
                metadata_value=str(line.pk),
                created_gte=int(since.timestamp()),
            )
            if found is not None:
                return _record_sent(line.pk, found)
            if line.attempts > MAX_SEND_ATTEMPTS:
                return _fail(
                    line.pk,
                    f"Stripe has no transfer for this payout after {MAX_SEND_ATTEMPTS} attempts.",
                )
        transfer = gateway.transfer_create(
            amount_cents=line.amount_cents,
            currency=line.currency,
            destination=destination,
            idempotency_key=line.idempotency_key,
            metadata={METADATA_KEY: str(line.pk)},
            description=f"Loopwork payout {line.pk}",
        )
    except GatewayError as error:
        # A key reused with other parameters means some request with it reached Stripe;
        # only a lookup can tell what happened, so it is retried like a network failure.
        if error.retryable or error.code == "stripe_conflict":
            _note_error(line.pk, f"{error.code}: {error.message}")
            raise PayoutSendRetry(error.message) from error
        return _fail(line.pk, error.message)
    return _record_sent(line.pk, transfer)


def payout_lines_sweep(*, now=None) -> int:
    """Queue a send again for every line left "sending" or "approved" untouched for
    SENDING_TIMEOUT (its worker died, or the broker lost the task); returns how many.

    Safe with a send still running: sends are idempotent on the line.
    """
    now = now or timezone.now()
    stuck = list(
        PayoutLine.objects.filter(
            status__in=(Status.APPROVED, Status.SENDING), updated_at__lt=now - SENDING_TIMEOUT
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if stuck:
        logger.warning("payout lines swept", extra={"count": len(stuck)})
        _enqueue(stuck)
    return len(stuck)


def _batch_settle(batch_id: int | None) -> None:
    """Mark a sending batch done once none of its lines is still on its way."""
    if batch_id is None:
        return
    if not PayoutLine.objects.filter(batch_id=batch_id, status__in=OPEN_STATUSES).exists():
        PayoutBatch.objects.filter(pk=batch_id, status=PayoutBatch.Status.SENDING).update(
            status=PayoutBatch.Status.DONE, updated_at=timezone.now()
        )


def _fail(line_id: int, message: str) -> str:
    with transaction.atomic():
        line = PayoutLine.objects.select_for_update().get(pk=line_id)
        if line.status not in (Status.APPROVED, Status.SENDING):
            return line.status
        line.status = Status.FAILED
        line.last_error = message[:500]
        line.expected_at = None
        line.save(update_fields=["status", "last_error", "expected_at", "updated_at"])
        _post_return(
            line,
            amount_cents=line.amount_cents,
            reason=f"Payout failed: {message}",
            key=f"payout_returned:{line.pk}",
            from_paid=False,
        )
        _batch_settle(line.batch_id)
    logger.warning("payout line failed", extra={"payout_line": line_id})
    return Status.FAILED


def _matches(line: PayoutLine, transfer: Transfer) -> bool:
    return (
        transfer.amount_cents == line.amount_cents
        and transfer.currency == line.currency
        and transfer.destination == line.payout_account.stripe_account_id
    )


def _record_sent(line_id: int, transfer: Transfer) -> str:
    """Record Stripe's transfer for the line once: paid, in transit -> platform payouts."""
    with transaction.atomic():
        line = (
            PayoutLine.objects.select_for_update().select_related("payout_account").get(pk=line_id)
        )
        if line.status in (Status.APPROVED, Status.SENDING):
            if not _matches(line, transfer):
                message = f"Stripe transfer {transfer.id} does not match this payout."
                logger.error("payout transfer mismatch", extra={"payout_line": line.pk})
                _note_error(line.pk, message)
                return line.status
            now = timezone.now()
            line.status = Status.PAID
            line.stripe_transfer_id = transfer.id
            line.paid_at = now
            line.expected_at = (now + datetime.timedelta(days=ARRIVAL_DAYS)).date()
            line.last_error = ""
            line.save(
                update_fields=[
                    "status",
                    "stripe_transfer_id",
                    "paid_at",
                    "expected_at",
                    "last_error",
                    "updated_at",
                ]
            )
            ledger.transaction_post(
                idempotency_key=f"payout_paid:{line.pk}",
                kind=TxKind.PAYOUT_PAID,
                legs=[
                    Leg(ledger.worker_in_transit(line.worker_id), -line.amount_cents),
                    Leg(ledger.platform(LedgerAccount.Kind.PLATFORM_PAYOUTS), line.amount_cents),
                ],
                reference=_reference(line.pk),
                description="Payout sent to your Stripe account",
                link=_link(line.pk),
                currency=line.currency,
            )
            _batch_settle(line.batch_id)
            # Here, under the line's lock, the line turns paid exactly once: a replayed send
            # or webhook finds it paid already and never reaches this notice.
            amount = format_money(line.amount_cents, line.currency)
            notify(
                line.worker,
                kind="payout_paid",
                title=f"Your payout of {amount} is on its way",
                body=(
                    f"We sent {amount} to your Stripe account. Stripe pays it into your bank "
                    f"account; expect it by {date_format(line.expected_at, 'j F Y')} (banks "
                    "can take a day or two longer)."
                ),
                link=_link(line.pk),
            )
            logger.info("payout line paid", extra={"payout_line": line.pk, "transfer": transfer.id})
        elif line.status in (Status.FAILED, Status.HELD):
            # We gave this money back already; reconciliation reports the transfer as extra.
            logger.error(
                "transfer found for a payout that was given back",
                extra={"payout_line": line.pk, "transfer": transfer.id},
            )
            return line.status
        if transfer.amount_reversed_cents:
            _apply_reversal(line, transfer)
        return line.status


def _returned_cents(line: PayoutLine) -> int:
    total = LedgerEntry.objects.filter(
        transaction__reference=_reference(line.pk),
        transaction__kind=TxKind.PAYOUT_RETURNED,
        account__kind=LedgerAccount.Kind.WORKER_AVAILABLE,
    ).aggregate(total=Sum("amount_cents"))["total"]
    return total or 0


def _apply_reversal(line: PayoutLine, transfer: Transfer) -> None:
    """Give back what Stripe reversed of a paid line, up to its cumulative `amount_reversed`
    (so a late or repeated event never returns money twice). Runs under the line's lock."""
    if line.status not in (Status.PAID, Status.REVERSED) or line.stripe_transfer_id != transfer.id:
        return
    reversed_total = min(transfer.amount_reversed_cents, line.amount_cents)
    returned = _returned_cents(line)
    if reversed_total <= returned:
        return
    # The usual full reversal takes the line's plain key; partial ones key on the running total.
    key = f"payout_returned:{line.pk}"
    if returned or reversed_total < line.amount_cents:
        key = f"{key}:{reversed_total}"
    _post_return(
        line,
        amount_cents=reversed_total - returned,
        reason="Payout reversed by Stripe; the money is available again",
        key=key,
        from_paid=True,
    )
    if reversed_total == line.amount_cents:
        line.status = Status.REVERSED
        line.expected_at = None
        line.last_error = ""
    else:
        line.last_error = f"{format_money(reversed_total, line.currency)} reversed by Stripe."
    line.save(update_fields=["status", "expected_at", "last_error", "updated_at"])
    logger.info("payout line reversed", extra={"payout_line": line.pk, "cents": reversed_total})


def handle_transfer_event(event: dict) -> str:
    """Apply a verified `transfer.*` event; returns what it did.

    `transfer.created`/`transfer.updated` record a line still "sending" as paid (its task
    may have died after Stripe's success); `transfer.reversed` returns the reversed amount.
    Out-of-order and duplicate safe: recording is keyed on the line and reversals follow
    Stripe's cumulative `amount_reversed`. A transfer that does not match the line it names
    (amount, currency, account) changes nothing: EventMismatch, recorded for people.
    """
    transfer = Transfer.from_stripe(event["data"]["object"])
    line_id = transfer.metadata.get(METADATA_KEY, "")
    line = (
        PayoutLine.objects.filter(
            Q(stripe_transfer_id=transfer.id) | Q(pk=int(line_id) if line_id.isdigit() else 0)
        )
        .select_related("payout_account")
        .first()
    )
    if line is None:
        logger.info("transfer event for no payout line", extra={"event": event.get("id")})
        return "unknown_transfer"
    if line.stripe_transfer_id and line.stripe_transfer_id != transfer.id:
        return "other_transfer"
    if not _matches(line, transfer):
        raise EventMismatch(
            f"Transfer {transfer.id} does not match payout line {line.pk} "
            "(amount, currency or account)."
        )
    status = _record_sent(line.pk, transfer)
    return f"line {status}"
