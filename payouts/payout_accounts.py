"""Payout accounts: a worker's Stripe Connect Express account and whether it may be paid.

Onboarding goes: `payout_account_onboarding_link` creates the account once (idempotency key
from the worker id, so two clicks or a retried request never make a second account) and an
account link; Stripe sends the worker back to our return page, which re-reads the account
(`payout_account_sync`), or to our refresh page when the link expired, which makes a new link.
`account.updated` webhooks keep the state current (`handle_account_updated`) and never move it
backwards: an event older than the state we hold is ignored. `payout.failed` (the worker's
bank refused Stripe's payout) tells the worker (`handle_bank_payout_failed`).

In offline test mode (no Stripe key) the same calls go to the offline gateway, whose onboarding
completes at once and whose "link" is our own return page.
"""

import datetime
import logging

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.notifications import notify
from core.errors import LoopworkError
from core.money import format_money

from .models import PayoutAccount
from .stripe_gateway import ConnectAccount, get_gateway

logger = logging.getLogger(__name__)

DEFAULT_COUNTRY = "US"


def account_idempotency_key(worker_id: int) -> str:
    return f"loopwork-connect-account-{worker_id}"


def payout_account_for(worker) -> PayoutAccount | None:
    return PayoutAccount.objects.filter(worker=worker).first()


def payout_account_ensure(*, worker) -> PayoutAccount:
    """The worker's payout account, created at Stripe on first use.

    At most one per worker: Stripe's idempotency key derives from the worker id, and the
    one-to-one column stands behind it when two requests race.
    """
    existing = payout_account_for(worker)
    if existing is not None:
        return existing
    if not worker.is_worker:
        raise LoopworkError("Only workers can connect a payout account.", code="not_a_worker")
    gateway = get_gateway()
    profile = getattr(worker, "worker_profile", None)
    country = profile.country_id if profile is not None and profile.country_id else ""
    remote = gateway.connect_account_create(
        idempotency_key=account_idempotency_key(worker.pk),
        email=worker.email,
        country=country or DEFAULT_COUNTRY,
        metadata={"loopwork_worker": str(worker.pk)},
    )
    try:
        with transaction.atomic():
            account = PayoutAccount.objects.create(
                worker=worker,
                stripe_account_id=remote.id,
                details_submitted=remote.details_submitted,
                payouts_enabled=remote.payouts_enabled and remote.transfers_active,
                test_mode=gateway.test_mode,
                stripe_updated_at=timezone.now(),
            )
    except IntegrityError:
        # The other request created it first, with the same Stripe account.
        return PayoutAccount.objects.get(worker=worker)
    logger.info("payout account created", extra={"worker": worker.pk, "payout_account": account.pk})
    return account


def payout_account_onboarding_link(*, worker, return_url: str, refresh_url: str) -> str:
    """The URL that takes the worker through Stripe's onboarding (a fresh link each time:
    links are single-use and expire after minutes)."""
    account = payout_account_ensure(worker=worker)
    link = get_gateway().connect_account_link_create(
        account_id=account.stripe_account_id, refresh_url=refresh_url, return_url=return_url
    )
    return link.url


def payout_account_sync(*, worker) -> PayoutAccount | None:
    """Re-read the worker's account from Stripe (the return page does, since the webhook may
    not have arrived yet) and store what it says as of now."""
    account = payout_account_for(worker)
    if account is None:
        return None
    remote = get_gateway().connect_account_retrieve(account_id=account.stripe_account_id)
    return _apply(account_id=account.pk, remote=remote, as_of=timezone.now())


def _apply(
    *, account_id: int, remote: ConnectAccount, as_of: datetime.datetime
) -> PayoutAccount | None:
    """Store `remote`'s state on the account unless what we hold is newer than `as_of`."""
    with transaction.atomic():
        account = PayoutAccount.objects.select_for_update().get(pk=account_id)
        if account.stripe_updated_at is not None and as_of < account.stripe_updated_at:
            return None
        account.details_submitted = remote.details_submitted
        account.payouts_enabled = remote.payouts_enabled and remote.transfers_active
        account.stripe_updated_at = as_of
        account.save(
            update_fields=[
                "details_submitted",
                "payouts_enabled",
                "stripe_updated_at",
                "updated_at",
            ]
        )
    return account


def handle_account_updated(event: dict) -> str:
    """Apply a verified `account.updated` event; returns what it did ("updated", "stale",
    "unknown_account").

    Out-of-order safe: an event created before the state we hold (from a later event or a
    later re-read) changes nothing. Events of the same second are applied in arrival order.
    """
    data = event["data"]["object"]
    account = PayoutAccount.objects.filter(stripe_account_id=data["id"]).first()
    if account is None:
        logger.info("account.updated for an account we do not know", extra={"event": event["id"]})
        return "unknown_account"
    as_of = datetime.datetime.fromtimestamp(int(event["created"]), tz=datetime.UTC)
    applied = _apply(account_id=account.pk, remote=ConnectAccount.from_stripe(data), as_of=as_of)
    return "updated" if applied is not None else "stale"


def handle_bank_payout_failed(event: dict) -> str:
    """A verified `payout.failed` of a connected account: Stripe could not pay the worker's
    bank. Returns "notified" or "unknown_account".

    The transfer to the worker succeeded (their payout line stays paid): the money is in
    their Stripe balance, and Stripe sends it again once the bank details are fixed, so the
    ledger moves nothing. The worker is told what the bank said and where to fix it, once
    per event (webhooks store and process each event id once).
    """
    account = (
        PayoutAccount.objects.select_related("worker")
        .filter(stripe_account_id=event.get("account") or "")
        .first()
    )
    if account is None:
        logger.info("payout.failed for an account we do not know", extra={"event": event["id"]})
        return "unknown_account"
    payout = event["data"]["object"]
    amount = format_money(int(payout["amount"]), str(payout["currency"]).upper())
    reason = payout.get("failure_message") or "the bank returned it"
    notify(
        account.worker,
        kind="bank_payout_failed",
        title=f"Your bank could not receive {amount}",
        body=(
            f"Stripe tried to send {amount} to your bank and it was returned: {reason} "
            "The money is safe in your Stripe account. Update your bank details in your "
            "Stripe Express dashboard (Stripe emailed you its link when you connected) and "
            "Stripe sends it again."
        ),
        link=reverse("payouts_work:payouts"),
    )
    logger.warning(
        "bank payout failed",
        extra={
            "event": event["id"],
            "worker": account.worker_id,
            "code": payout.get("failure_code"),
        },
    )
    return "notified"
