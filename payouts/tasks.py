"""Celery tasks of the money side: thin, idempotent, each loads by id and calls a service."""

from celery import shared_task

from .earnings import holds_release_due
from .funding import refund_send, refunds_resend_due
from .models import StripeEvent
from .payouts import PayoutSendRetry, payout_batch_schedule, payout_line_send, payout_lines_sweep
from .reconcile import reconciliation_run
from .stripe_gateway import GatewayError
from .webhooks import MAX_ATTEMPTS, EventFailed, stripe_event_process, stripe_events_redrive

# Retries are new messages with a countdown rather than `self.retry()`: the schedule lives in
# the row (or the attempt argument), and an eager run (tests) never raises Retry into the
# code that enqueued the task.
MAX_REFUND_ATTEMPTS = 8


def _backoff(attempt: int) -> int:
    """Seconds before the next try: 30 s, 1 min, 2 min, ... up to an hour."""
    return min(30 * 2 ** max(attempt - 1, 0), 3600)


@shared_task(name="payouts.tasks.process_stripe_event")
def process_stripe_event(event_pk: int) -> str:
    """Process one stored Stripe event (idempotent); a failure is recorded, then retried."""
    try:
        return stripe_event_process(event_pk=event_pk)
    except EventFailed:
        attempts = StripeEvent.objects.filter(pk=event_pk).values_list("attempts", flat=True)[0]
        if attempts < MAX_ATTEMPTS:
            process_stripe_event.apply_async((event_pk,), countdown=_backoff(attempts))
        return StripeEvent.Status.FAILED


@shared_task(name="payouts.tasks.redrive_stripe_events")
def redrive_stripe_events() -> int:
    """Queue again events whose processing was lost or failed (safe: processing is idempotent)."""
    return stripe_events_redrive()


@shared_task(name="payouts.tasks.send_refund")
def send_refund(refund_id: int, attempt: int = 1) -> str:
    """Ask Stripe for one requested refund (its key derives from the row: never twice)."""
    try:
        return refund_send(refund_id=refund_id).status
    except GatewayError:
        if attempt < MAX_REFUND_ATTEMPTS:
            send_refund.apply_async((refund_id, attempt + 1), countdown=_backoff(attempt))
        return "retrying"


@shared_task(name="payouts.tasks.resend_due_refunds")
def resend_due_refunds() -> int:
    """Send again refunds whose task was lost (requested, no Stripe id, a while ago)."""
    return refunds_resend_due()


# --- Payouts (payouts/payouts.py, payouts/reconcile.py) ---------------------------------------

# Tries of one send task; after them the sweeper resends (payouts.SENDING_TIMEOUT).
MAX_PAYOUT_SEND_TRIES = 6


@shared_task(name="payouts.tasks.send_payout_line")
def send_payout_line(line_id: int, attempt: int = 1) -> str:
    """Send one approved payout line's transfer (keyed on the line: never paid twice).

    A transient Stripe failure is tried again with backoff; when the tries run out the line
    stays "sending" and the sweeper takes it up again.
    """
    try:
        return payout_line_send(line_id=line_id)
    except PayoutSendRetry:
        if attempt < MAX_PAYOUT_SEND_TRIES:
            send_payout_line.apply_async((line_id, attempt + 1), countdown=_backoff(attempt))
        return "retrying"


@shared_task(name="payouts.tasks.sweep_payout_lines")
def sweep_payout_lines() -> int:
    """Queue again payout lines stuck in "sending" or "approved" (a lost task, a dead worker)."""
    return payout_lines_sweep()


@shared_task(name="payouts.tasks.schedule_payout_batch")
def schedule_payout_batch() -> int | None:
    """The weekly batch of everyone above the payout minimum (once per ISO week)."""
    batch = payout_batch_schedule()
    return batch.pk if batch is not None else None


@shared_task(name="payouts.tasks.reconcile")
def reconcile() -> int:
    """The daily reconciliation; returns the report id (differences are reported, not fixed)."""
    return reconciliation_run().pk


# --- Earnings (payouts/earnings.py) -------------------------------------------------------------


@shared_task(name="payouts.tasks.release_due_holds")
def release_due_holds() -> int:
    """Move earnings whose hold ended from pending to available (idempotent; SKIP LOCKED)."""
    return holds_release_due()
