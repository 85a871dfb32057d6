"""Stripe webhooks: verify, store once, process after commit, dispatch by event type.

Verification routes by the event's `account` field. Stripe sends events about connected
accounts (Connect: `account` is set) from a Connect endpoint signed with its own secret, and
the platform's own events without `account`, signed with the platform secret. Each event is
checked against exactly one secret: a body claiming a connected account must carry the
Connect secret's signature, any other the platform secret's (both may point at the same URL).
The field is read from the raw body before verification only to choose the secret; the HMAC
covers that same body, so a forged `account` fails verification.

A verified event is stored once by its id (StripeEvent, unique): a duplicate is a no-op
answered 200. Processing runs in a Celery task on the `payouts` queue, enqueued with
`transaction.on_commit`; the task locks the event row, runs the handler for its type (the
HANDLERS dict) and records processed / ignored / failed with the error. Handlers are
idempotent and never move a state backwards, so replays and reordering change nothing.
A failure that may recover is retried by the task with backoff and by the sweep of
`stripe_events_redrive`; an EventMismatch (a verified event contradicting our records) is
recorded for people to look at and not retried.
"""

import datetime
import json
import logging
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import funding
from .models import StripeEvent
from .payout_accounts import handle_account_updated, handle_bank_payout_failed
from .payouts import handle_transfer_event
from .stripe_gateway import WebhookSignatureError, webhook_event_verify

logger = logging.getLogger(__name__)

HANDLERS: dict[str, Callable[[dict], str]] = {
    "payment_intent.succeeded": funding.handle_payment_intent_succeeded,
    "payment_intent.payment_failed": funding.handle_payment_intent_failed,
    "payment_intent.canceled": funding.handle_payment_intent_canceled,
    "charge.refunded": funding.handle_charge_refunded,
    "refund.created": funding.handle_refund_event,
    "refund.updated": funding.handle_refund_event,
    "refund.failed": funding.handle_refund_event,
    "account.updated": handle_account_updated,
    "transfer.created": handle_transfer_event,
    "transfer.updated": handle_transfer_event,
    "transfer.reversed": handle_transfer_event,
    "payout.failed": handle_bank_payout_failed,
}

# What handlers return when an event changed nothing of ours: not our object, another
# account's transfer, or older than the state we hold (out of order). Anything else the
# handler did is recorded as processed.
IGNORED_OUTCOMES = frozenset(
    {funding.IGNORED, "stale", "unknown_account", "unknown_transfer", "other_transfer"}
)

# A failed event is tried this many times in all (task retries and sweeps together).
MAX_ATTEMPTS = 8
# The error of an event that contradicts our records starts so; the sweep leaves it alone.
MISMATCH = "Mismatch: "
# An event still "received" after this long lost its task (a broker flushed, a crash).
STALE_AFTER = datetime.timedelta(minutes=5)


def _claims_connected_account(payload: bytes) -> bool:
    try:
        body = json.loads(payload)
    except ValueError:
        return False
    return isinstance(body, dict) and bool(body.get("account"))


def webhook_receive(*, payload: bytes, signature: str | None) -> tuple[StripeEvent, bool]:
    """Verify a webhook request's raw body and store its event once.

    Returns the stored event and whether it is new. Raises WebhookSignatureError (nothing
    written) when the signature is missing, wrong or stale for the secret the event needs.
    """
    secret = (
        settings.STRIPE_CONNECT_WEBHOOK_SECRET
        if _claims_connected_account(payload)
        else settings.STRIPE_WEBHOOK_SECRET
    )
    event = webhook_event_verify(payload=payload, signature=signature, secret=secret)
    return stripe_event_accept(event=event)


def stripe_event_accept(*, event: dict) -> tuple[StripeEvent, bool]:
    """Store a verified (or offline test-mode) event once and queue its processing on commit.

    A known event id returns the stored row untouched (False): Stripe retries and duplicates
    deliveries, and each event is processed at most once.
    """
    try:
        created_at = datetime.datetime.fromtimestamp(int(event["created"]), tz=datetime.UTC)
        event_type = str(event["type"])
        object_id = event["data"]["object"]["id"]
    except (KeyError, TypeError, ValueError) as error:
        raise WebhookSignatureError(f"malformed event: {error!r}") from error
    if not isinstance(object_id, str):
        raise WebhookSignatureError("malformed event: the object has no id")
    existing = StripeEvent.objects.filter(event_id=event["id"]).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            stored = StripeEvent.objects.create(
                event_id=event["id"],
                type=event_type[:100],
                account=str(event.get("account") or "")[:255],
                livemode=bool(event.get("livemode")),
                stripe_created_at=created_at,
                payload=event,
            )
            transaction.on_commit(lambda: _enqueue(stored.pk), robust=True)
    except IntegrityError:
        # The same event arrived twice at once; the other request stored it.
        return StripeEvent.objects.get(event_id=event["id"]), False
    logger.info("stripe event stored", extra={"stripe_event": stored.event_id, "type": event_type})
    return stored, True


def _enqueue(event_pk: int) -> None:
    # Imported here: the tasks module imports this one to call stripe_event_process.
    from .tasks import process_stripe_event

    process_stripe_event.delay(event_pk)


class EventFailed(Exception):
    """Processing an event failed in a way that may recover; the task retries it."""


def stripe_event_process(*, event_pk: int) -> str:
    """Run the handler of one stored event, once; returns its status.

    Idempotent: a processed or ignored event is left alone, and the row lock makes two
    workers on the same event take turns. The handler runs in a savepoint: on failure its
    writes are undone, the failure is recorded (status failed, the error, attempts + 1) and
    committed, and EventFailed is raised after commit so the task can retry. An EventMismatch
    is recorded as failed and not raised: retrying cannot fix it.
    """
    failure: Exception | None = None
    with transaction.atomic():
        event = StripeEvent.objects.select_for_update().get(pk=event_pk)
        if event.status in (StripeEvent.Status.PROCESSED, StripeEvent.Status.IGNORED):
            return event.status
        event.attempts += 1
        handler = HANDLERS.get(event.type)
        try:
            with transaction.atomic():
                outcome = handler(event.payload) if handler else funding.IGNORED
        except funding.EventMismatch as error:
            event.status = StripeEvent.Status.FAILED
            event.error = f"{MISMATCH}{error.message}"
            logger.error(
                "stripe event contradicts our records",
                extra={"stripe_event": event.event_id, "error": error.message},
            )
        except Exception as error:
            # Whatever went wrong is recorded on the event, then raised for the retry.
            event.status = StripeEvent.Status.FAILED
            event.error = f"{type(error).__name__}: {error}"
            failure = error
        else:
            event.status = (
                StripeEvent.Status.IGNORED
                if outcome in IGNORED_OUTCOMES
                else StripeEvent.Status.PROCESSED
            )
            event.error = ""
            event.processed_at = timezone.now()
        event.error = event.error[:2000]
        event.save(update_fields=["status", "error", "attempts", "processed_at"])
    if failure is not None:
        logger.warning(
            "stripe event failed",
            extra={"stripe_event": event.event_id, "attempts": event.attempts},
        )
        raise EventFailed(event.error) from failure
    return event.status


def stripe_events_redrive(*, now: datetime.datetime | None = None, limit: int = 500) -> int:
    """Queue again the events whose processing was lost or failed and may still succeed.

    "received" events older than STALE_AFTER (their task vanished with a broker or a crash)
    and failed events under MAX_ATTEMPTS that are not EventMismatch records. Safe to run
    any time: processing is idempotent. Returns how many were queued.
    """
    now = now or timezone.now()
    stale = StripeEvent.objects.filter(
        status=StripeEvent.Status.RECEIVED, received_at__lte=now - STALE_AFTER
    )
    failed = StripeEvent.objects.filter(
        status=StripeEvent.Status.FAILED, attempts__lt=MAX_ATTEMPTS
    ).exclude(error__startswith=MISMATCH)
    pks = list((stale | failed).order_by("pk").values_list("pk", flat=True)[:limit])
    for pk in pks:
        _enqueue(pk)
    return len(pks)
