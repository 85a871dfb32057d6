"""The one module that talks to Stripe: the only import of `stripe` in the project.

Two implementations of one small interface (`Gateway`):

- `StripeGateway` calls the Stripe API with stripe-python. `STRIPE_API_BASE` points it at a
  Stripe-compatible server (tests run localstripe on loopback); every call has the timeout
  `STRIPE_TIMEOUT_SECONDS` and an idempotency key derived from our own row, so stripe-python's
  network retries (and ours) can never create a second payment, refund or transfer.
- `OfflineGateway` is the offline TEST MODE used when `STRIPE_SECRET_KEY` is empty (`make
  run`): it behaves like Stripe's test mode for the calls we make, without any network. Its
  ids derive from the idempotency key, so it is as idempotent as Stripe and needs no state
  (several web and worker processes agree on every answer).

Callers get dataclasses, never Stripe objects, and Stripe's errors become `GatewayError`
(a LoopworkError): a declined card has a message for people, a transient failure says it is
`retryable`. Tests swap the implementation at this seam with `use_gateway`.

Webhook signatures are checked here too (`webhook_event_verify`): it is Stripe's own scheme,
HMAC-SHA256 over "timestamp.raw body", with a tolerance on the timestamp.
"""

import hashlib
import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Protocol

import stripe
from django.conf import settings

from core.errors import LoopworkError

logger = logging.getLogger(__name__)

# stripe-python retries connection errors, 409s, 429s and 5xx itself, reusing our idempotency
# key; two retries with its backoff stay within a web request's patience.
MAX_NETWORK_RETRIES = 2
WEBHOOK_TOLERANCE_SECONDS = 300


class GatewayError(LoopworkError):
    """Stripe refused or could not be reached. `retryable` errors may succeed if sent again
    with the same idempotency key; the others will fail the same way."""

    def __init__(self, message: str, *, code: str, status: int = 502, retryable: bool = False):
        super().__init__(message, code=code, status=status)
        self.retryable = retryable


class WebhookSignatureError(Exception):
    """A webhook whose signature is missing, wrong or too old: it did not come from Stripe."""


@dataclass(frozen=True)
class PaymentIntent:
    """What we use of a Stripe PaymentIntent. Amounts are minor units; currency upper case."""

    id: str
    status: str
    amount_cents: int
    amount_received_cents: int
    currency: str
    client_secret: str
    metadata: dict = field(default_factory=dict)
    last_error: str = ""

    @classmethod
    def from_stripe(cls, data: dict) -> "PaymentIntent":
        error = data.get("last_payment_error") or {}
        received = data.get("amount_received")
        if received is None:
            # Stripe always sends it; a server that leaves it out received all of a success.
            received = data["amount"] if data["status"] == "succeeded" else 0
        return cls(
            id=data["id"],
            status=data["status"],
            amount_cents=int(data["amount"]),
            amount_received_cents=int(received),
            currency=str(data["currency"]).upper(),
            client_secret=data.get("client_secret") or "",
            metadata=dict(data.get("metadata") or {}),
            last_error=str(error.get("message") or ""),
        )


@dataclass(frozen=True)
class Refund:
    """What we use of a Stripe Refund (status: pending, requires_action, succeeded, failed,
    canceled)."""

    id: str
    status: str
    amount_cents: int
    currency: str
    payment_intent_id: str
    metadata: dict = field(default_factory=dict)
    failure_reason: str = ""

    @classmethod
    def from_stripe(cls, data: dict) -> "Refund":
        return cls(
            id=data["id"],
            status=data["status"],
            amount_cents=int(data["amount"]),
            currency=str(data["currency"]).upper(),
            payment_intent_id=data.get("payment_intent") or "",
            metadata=dict(data.get("metadata") or {}),
            failure_reason=data.get("failure_reason") or "",
        )


# --- Connect objects (payout accounts and transfers) -------------------------------------------


@dataclass(frozen=True)
class ConnectAccount:
    """What we use of a connected Express account: may it receive transfers yet?"""

    id: str
    details_submitted: bool
    payouts_enabled: bool
    transfers_active: bool

    @classmethod
    def from_stripe(cls, data: dict) -> "ConnectAccount":
        capabilities = data.get("capabilities") or {}
        return cls(
            id=data["id"],
            details_submitted=bool(data.get("details_submitted")),
            payouts_enabled=bool(data.get("payouts_enabled")),
            transfers_active=capabilities.get("transfers") == "active",
        )


@dataclass(frozen=True)
class AccountLink:
    """A single-use onboarding URL for a connected account, valid until `expires_at`."""

    url: str
    expires_at: int


@dataclass(frozen=True)
class Transfer:
    """What we use of a Stripe Transfer to a connected account. Amounts are minor units."""

    id: str
    amount_cents: int
    currency: str
    destination: str
    created: int
    amount_reversed_cents: int
    reversed: bool
    metadata: dict = field(default_factory=dict)

    @classmethod
    def from_stripe(cls, data: dict) -> "Transfer":
        destination = data.get("destination") or ""
        if isinstance(destination, dict):
            destination = destination["id"]
        return cls(
            id=data["id"],
            amount_cents=int(data["amount"]),
            currency=str(data["currency"]).upper(),
            destination=destination,
            created=int(data["created"]),
            amount_reversed_cents=int(data.get("amount_reversed") or 0),
            reversed=bool(data.get("reversed")),
            metadata=dict(data.get("metadata") or {}),
        )


@dataclass(frozen=True)
class TransferReversal:
    """One (full or partial) reversal of a transfer, back to the platform's balance."""

    id: str
    amount_cents: int
    transfer_id: str
    created: int

    @classmethod
    def from_stripe(cls, data: dict) -> "TransferReversal":
        return cls(
            id=data["id"],
            amount_cents=int(data["amount"]),
            transfer_id=data["transfer"],
            created=int(data["created"]),
        )


class Gateway(Protocol):
    """The calls Loopwork makes to Stripe. Every side-effecting call takes our idempotency key."""

    test_mode: bool
    offline: bool

    def payment_intent_create(
        self, *, amount_cents: int, currency: str, idempotency_key: str, metadata: dict
    ) -> PaymentIntent: ...

    def payment_intent_retrieve(self, *, payment_intent_id: str) -> PaymentIntent: ...

    def refund_create(
        self, *, payment_intent_id: str, amount_cents: int, idempotency_key: str, metadata: dict
    ) -> Refund: ...

    def connect_account_create(
        self, *, idempotency_key: str, email: str, country: str, metadata: dict
    ) -> ConnectAccount: ...

    def connect_account_retrieve(self, *, account_id: str) -> ConnectAccount: ...

    def connect_account_link_create(
        self, *, account_id: str, refresh_url: str, return_url: str
    ) -> AccountLink: ...

    def transfer_create(
        self,
        *,
        amount_cents: int,
        currency: str,
        destination: str,
        idempotency_key: str,
        metadata: dict,
        description: str = "",
    ) -> Transfer: ...

    def transfer_retrieve(self, *, transfer_id: str) -> Transfer: ...

    def transfers_list(
        self, *, destination: str | None = None, created_gte: int | None = None
    ) -> Iterator[Transfer]: ...

    def transfer_find(
        self, *, destination: str, metadata_key: str, metadata_value: str, created_gte: int
    ) -> Transfer | None: ...

    def transfer_reversals_list(self, *, transfer_id: str) -> list[TransferReversal]: ...


# --- Errors -------------------------------------------------------------------------------

DECLINE_MESSAGE = "Your card was declined. Try another card or contact your bank."


def _translate(error: stripe.StripeError) -> GatewayError:
    """Our error for Stripe's: people read the message; the code and `retryable` steer code."""
    if isinstance(error, stripe.CardError):
        return GatewayError(error.user_message or DECLINE_MESSAGE, code="card_declined", status=402)
    if isinstance(error, stripe.RateLimitError | stripe.APIConnectionError):
        return GatewayError(
            "Stripe could not be reached. Please try again in a minute.",
            code="stripe_unavailable",
            status=503,
            retryable=True,
        )
    if isinstance(error, stripe.APIError) or (error.http_status or 0) >= 500:
        return GatewayError(
            "Stripe had a problem with this request. Please try again in a minute.",
            code="stripe_unavailable",
            status=503,
            retryable=True,
        )
    if isinstance(error, stripe.IdempotencyError):
        # The same key was used with other parameters: a bug of ours, never fixed by retrying.
        return GatewayError(
            "This payment request conflicts with an earlier one.", code="stripe_conflict"
        )
    if isinstance(error, stripe.AuthenticationError | stripe.PermissionError):
        return GatewayError(
            "Payments are not configured correctly. Please contact support.",
            code="stripe_misconfigured",
        )
    return GatewayError(
        error.user_message or "Stripe refused this request.", code="stripe_refused", status=400
    )


# --- Stripe API -----------------------------------------------------------------------------


class StripeGateway:
    """Stripe's API through stripe-python, with our timeouts, retries and idempotency keys."""

    offline = False

    def __init__(self, *, secret_key: str, api_base: str = "", timeout_seconds: float = 10.0):
        self.test_mode = not secret_key.startswith("sk_live_")
        bases = {}
        if api_base:
            base = api_base.rstrip("/")
            bases = {"api": base, "connect": base, "files": base}
        self.client = stripe.StripeClient(
            secret_key,
            base_addresses=bases,
            http_client=stripe.RequestsClient(timeout=timeout_seconds),
            max_network_retries=MAX_NETWORK_RETRIES,
        )

    @staticmethod
    def _options(idempotency_key: str | None = None, stripe_account: str | None = None) -> dict:
        options = {}
        if idempotency_key:
            options["idempotency_key"] = idempotency_key
        if stripe_account:
            options["stripe_account"] = stripe_account
        return options

    @staticmethod
    def _call(operation, *args, **kwargs) -> dict:
        """Run one stripe-python call; its object as a plain dict, its error as ours."""
        try:
            return operation(*args, **kwargs).to_dict()
        except stripe.StripeError as error:
            translated = _translate(error)
            logger.warning(
                "stripe call failed",
                extra={
                    "stripe_error": type(error).__name__,
                    "http_status": error.http_status,
                    "request_id": error.request_id,
                    "code": translated.code,
                },
            )
            raise translated from error

    def payment_intent_create(
        self, *, amount_cents: int, currency: str, idempotency_key: str, metadata: dict
    ) -> PaymentIntent:
        # Card only: the Payment Element shows a card form, and refunds go back to the card.
        data = self._call(
            self.client.v1.payment_intents.create,
            params={
                "amount": amount_cents,
                "currency": currency.lower(),
                "metadata": metadata,
                "payment_method_types": ["card"],
            },
            options=self._options(idempotency_key),
        )
        return PaymentIntent.from_stripe(data)

    def payment_intent_retrieve(self, *, payment_intent_id: str) -> PaymentIntent:
        data = self._call(self.client.v1.payment_intents.retrieve, payment_intent_id)
        return PaymentIntent.from_stripe(data)

    def refund_create(
        self, *, payment_intent_id: str, amount_cents: int, idempotency_key: str, metadata: dict
    ) -> Refund:
        data = self._call(
            self.client.v1.refunds.create,
            params={
                "payment_intent": payment_intent_id,
                "amount": amount_cents,
                "metadata": metadata,
            },
            options=self._options(idempotency_key),
        )
        return Refund.from_stripe(data)

    # --- Connect (payout accounts and transfers): payouts/payout_accounts.py, payouts.py ---

    def connect_account_create(
        self, *, idempotency_key: str, email: str, country: str, metadata: dict
    ) -> ConnectAccount:
        """An Express account that can receive transfers once its holder finishes onboarding."""
        data = self._call(
            self.client.v1.accounts.create,
            params={
                "type": "express",
                "country": country,
                "email": email,
                "capabilities": {"transfers": {"requested": True}},
                "metadata": metadata,
            },
            options=self._options(idempotency_key),
        )
        return ConnectAccount.from_stripe(data)

    def connect_account_retrieve(self, *, account_id: str) -> ConnectAccount:
        return ConnectAccount.from_stripe(self._call(self.client.v1.accounts.retrieve, account_id))

    def connect_account_link_create(
        self, *, account_id: str, refresh_url: str, return_url: str
    ) -> AccountLink:
        # A link is single-use and short-lived by design; a retry simply makes another one.
        data = self._call(
            self.client.v1.account_links.create,
            params={
                "account": account_id,
                "refresh_url": refresh_url,
                "return_url": return_url,
                "type": "account_onboarding",
            },
        )
        return AccountLink(url=data["url"], expires_at=int(data["expires_at"]))

    def transfer_create(
        self,
        *,
        amount_cents: int,
        currency: str,
        destination: str,
        idempotency_key: str,
        metadata: dict,
        description: str = "",
    ) -> Transfer:
        """One transfer; sent again with the same key (by stripe-python or by us), Stripe
        replays the first answer instead of paying twice."""
        params = {
            "amount": amount_cents,
            "currency": currency.lower(),
            "destination": destination,
            "metadata": metadata,
        }
        if description:
            params["description"] = description
        data = self._call(
            self.client.v1.transfers.create,
            params=params,
            options=self._options(idempotency_key),
        )
        return Transfer.from_stripe(data)

    def transfer_retrieve(self, *, transfer_id: str) -> Transfer:
        return Transfer.from_stripe(self._call(self.client.v1.transfers.retrieve, transfer_id))

    def transfers_list(
        self, *, destination: str | None = None, created_gte: int | None = None
    ) -> Iterator[Transfer]:
        """Every transfer (newest first), filtered as Stripe filters, page by page."""
        params: dict = {"limit": 100}
        if destination:
            params["destination"] = destination
        if created_gte is not None:
            params["created"] = {"gte": created_gte}
        while True:
            page = self._call(self.client.v1.transfers.list, params=params)
            for item in page["data"]:
                yield Transfer.from_stripe(item)
            if not page.get("has_more") or not page["data"]:
                return
            params = {**params, "starting_after": page["data"][-1]["id"]}

    def transfer_find(
        self, *, destination: str, metadata_key: str, metadata_value: str, created_gte: int
    ) -> Transfer | None:
        """The transfer we tagged with `metadata_key=metadata_value`, if Stripe has one.

        Stripe cannot filter transfers by metadata, so this lists the destination's transfers
        since `created_gte` and looks. It is how a send that died after Stripe's success
        finds what Stripe did, even after the idempotency key has expired.
        """
        for transfer in self.transfers_list(destination=destination, created_gte=created_gte):
            if transfer.metadata.get(metadata_key) == metadata_value:
                return transfer
        return None

    def transfer_reversals_list(self, *, transfer_id: str) -> list[TransferReversal]:
        data = self._call(self.client.v1.transfers.reversals.list, transfer_id)
        return [TransferReversal.from_stripe(item) for item in data["data"]]


# --- Offline test mode ------------------------------------------------------------------------

TEST_DECLINE_MESSAGE = "Your card was declined (test mode: you chose a declined payment)."


def _test_id(prefix: str, idempotency_key: str) -> str:
    return f"{prefix}_test_{hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]}"


class OfflineGateway:
    """Stripe's test mode without a network: deterministic answers keyed on our idempotency key.

    Nothing leaves the machine and no card is charged; the ledger still moves, so the demo
    works end to end. Payments are completed by `payment_event`, a synthetic webhook event
    that the funding code processes through the same handler as a verified Stripe event.
    """

    offline = True
    test_mode = True

    def payment_intent_create(
        self, *, amount_cents: int, currency: str, idempotency_key: str, metadata: dict
    ) -> PaymentIntent:
        intent_id = _test_id("pi", idempotency_key)
        return PaymentIntent(
            id=intent_id,
            status="requires_payment_method",
            amount_cents=amount_cents,
            amount_received_cents=0,
            currency=currency.upper(),
            client_secret=f"{intent_id}_secret_offline",
            metadata=dict(metadata),
        )

    def payment_intent_retrieve(self, *, payment_intent_id: str) -> PaymentIntent:
        raise GatewayError(
            "Offline test mode keeps no payments to look up.", code="offline_test_mode"
        )

    def refund_create(
        self, *, payment_intent_id: str, amount_cents: int, idempotency_key: str, metadata: dict
    ) -> Refund:
        return Refund(
            id=_test_id("re", idempotency_key),
            status="succeeded",
            amount_cents=amount_cents,
            currency=settings.PLATFORM_CURRENCY.upper(),
            payment_intent_id=payment_intent_id,
            metadata=dict(metadata),
        )

    def payment_event(
        self,
        *,
        payment_intent_id: str,
        amount_cents: int,
        currency: str,
        metadata: dict,
        succeed: bool,
    ) -> dict:
        """The event Stripe's test mode would send after a test card succeeded or was declined.

        Its id derives from the intent and outcome, so completing the same payment twice
        yields the same event, which is stored and processed once.
        """
        event_type = "payment_intent.succeeded" if succeed else "payment_intent.payment_failed"
        intent = {
            "id": payment_intent_id,
            "object": "payment_intent",
            "amount": amount_cents,
            "amount_received": amount_cents if succeed else 0,
            "currency": currency.lower(),
            "status": "succeeded" if succeed else "requires_payment_method",
            "metadata": dict(metadata),
            "livemode": False,
            "last_payment_error": None
            if succeed
            else {"code": "card_declined", "message": TEST_DECLINE_MESSAGE},
        }
        return {
            "id": _test_id("evt", f"{payment_intent_id}:{event_type}"),
            "object": "event",
            "type": event_type,
            "created": int(time.time()),
            "livemode": False,
            "api_version": None,
            "data": {"object": intent},
        }

    # --- Connect (payout accounts and transfers): payouts/payout_accounts.py, payouts.py ---
    # Test-mode onboarding completes at once: the account can receive transfers as soon as it
    # exists, and the onboarding "link" leads straight back to our return page.

    def connect_account_create(
        self, *, idempotency_key: str, email: str, country: str, metadata: dict
    ) -> ConnectAccount:
        return ConnectAccount(
            id=_test_id("acct", idempotency_key),
            details_submitted=True,
            payouts_enabled=True,
            transfers_active=True,
        )

    def connect_account_retrieve(self, *, account_id: str) -> ConnectAccount:
        return ConnectAccount(
            id=account_id, details_submitted=True, payouts_enabled=True, transfers_active=True
        )

    def connect_account_link_create(
        self, *, account_id: str, refresh_url: str, return_url: str
    ) -> AccountLink:
        return AccountLink(url=return_url, expires_at=int(time.time()) + 300)

    def transfer_create(
        self,
        *,
        amount_cents: int,
        currency: str,
        destination: str,
        idempotency_key: str,
        metadata: dict,
        description: str = "",
    ) -> Transfer:
        return Transfer(
            id=_test_id("tr", idempotency_key),
            amount_cents=amount_cents,
            currency=currency.upper(),
            destination=destination,
            created=int(time.time()),
            amount_reversed_cents=0,
            reversed=False,
            metadata=dict(metadata),
        )

    def transfer_retrieve(self, *, transfer_id: str) -> Transfer:
        raise GatewayError(
            "Offline test mode keeps no transfers to look up.", code="offline_test_mode"
        )

    def transfers_list(
        self, *, destination: str | None = None, created_gte: int | None = None
    ) -> Iterator[Transfer]:
        # Keeps no state: a resend makes the same transfer id from the same key instead.
        return iter(())

    def transfer_find(
        self, *, destination: str, metadata_key: str, metadata_value: str, created_gte: int
    ) -> Transfer | None:
        return None

    def transfer_reversals_list(self, *, transfer_id: str) -> list[TransferReversal]:
        return []


# --- Choosing the implementation -------------------------------------------------------------

_override: list[Gateway] = []


def get_gateway() -> Gateway:
    """The gateway for the current settings: Stripe with a secret key, offline test mode
    without one (or the one a test installed with `use_gateway`)."""
    if _override:
        return _override[-1]
    if not settings.STRIPE_SECRET_KEY:
        return OfflineGateway()
    return StripeGateway(
        secret_key=settings.STRIPE_SECRET_KEY,
        api_base=settings.STRIPE_API_BASE,
        timeout_seconds=settings.STRIPE_TIMEOUT_SECONDS,
    )


def is_offline_test_mode() -> bool:
    """True when no Stripe key is set: payments are simulated, the ledger still moves."""
    return get_gateway().offline


@contextmanager
def use_gateway(gateway: Gateway) -> Iterator[Gateway]:
    """Make `get_gateway` return `gateway` inside the block (tests swap Stripe here)."""
    _override.append(gateway)
    try:
        yield gateway
    finally:
        _override.remove(gateway)


# --- Webhook signatures ------------------------------------------------------------------------


def webhook_event_verify(*, payload: bytes, signature: str | None, secret: str) -> dict:
    """The event in `payload` once its Stripe-Signature header proves it came from Stripe.

    Checked against the raw bytes (any change to the body breaks the HMAC) with a tolerance
    of WEBHOOK_TOLERANCE_SECONDS on the signed timestamp, so an old capture cannot be
    replayed. Raises WebhookSignatureError for a missing, wrong or stale signature.
    """
    if not secret:
        raise WebhookSignatureError("no webhook secret configured")
    if not signature:
        raise WebhookSignatureError("missing Stripe-Signature header")
    try:
        stripe.Webhook.construct_event(
            payload, signature, secret, tolerance=WEBHOOK_TOLERANCE_SECONDS
        )
        event = json.loads(payload)
    except (stripe.SignatureVerificationError, ValueError) as error:
        raise WebhookSignatureError(str(error)) from error
    if not isinstance(event, dict) or not isinstance(event.get("id"), str):
        raise WebhookSignatureError("payload is not an event")
    return event
