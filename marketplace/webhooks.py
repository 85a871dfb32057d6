"""Company webhooks: signed JSON events sent to a company's endpoints, retried with backoff.

`webhook_emit` records one WebhookDelivery per subscribed active endpoint and enqueues the
sending after commit. `webhook_deliver` sends one delivery once: the row is locked while
sending, a delivered or failed delivery is never sent again, and each failure schedules the
next attempt (30 s x 2^n) until MAX_ATTEMPTS, after which the delivery is failed.

Every request carries:
    Loopwork-Event: item.completed
    Loopwork-Delivery: <the delivery's event id, the same on every retry>
    Loopwork-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">
Receivers check it with `webhook_verify` (or the same few lines in their own language).

Endpoints on private, loopback or link-local addresses are refused unless settings.DEBUG or
settings.WEBHOOK_ALLOW_PRIVATE is on (development and tests), so a company cannot make the
platform call into its own network.
"""

import datetime
import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import time
import uuid
from functools import partial
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from accounts.models import Membership
from core.errors import LoopworkError

from .models import WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
FIRST_RETRY_SECONDS = 30
TIMEOUT_SECONDS = (3.05, 5)  # connect, read: a slow receiver must not hold a worker
MAX_ENDPOINTS_PER_COMPANY = 10
SIGNATURE_TOLERANCE_SECONDS = 300
TEST_EVENT = "webhook.test"
MANAGER_ROLES = (Membership.Role.OWNER, Membership.Role.MANAGER)
USER_AGENT = "Loopwork-Webhooks/1"


def webhook_emit(company_id: int, event: str, payload: dict) -> list[WebhookDelivery]:
    """Record `event` for each of the company's active endpoints subscribed to it.

    Each delivery gets its own stable event id; sending starts after the caller's
    transaction commits, so a rolled-back change never announces itself.
    """
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(company_id=company_id, is_active=True)
        if event in (endpoint.events or [])
    ]
    deliveries = [_delivery_create(endpoint, event, payload) for endpoint in endpoints]
    if deliveries:
        logger.info(
            "webhook event recorded company=%s event=%s deliveries=%s",
            company_id,
            event,
            len(deliveries),
        )
    return deliveries


def webhook_deliver(delivery_id: int, *, now: datetime.datetime | None = None) -> WebhookDelivery:
    """Make one attempt at sending a pending delivery; returns it as it now stands.

    Idempotent: a delivered or failed delivery is returned unchanged. The row stays locked
    during the request, so two workers holding the same task cannot both send it.
    """
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .select_related("endpoint")
            .get(pk=delivery_id)
        )
        if delivery.status != WebhookDelivery.Status.PENDING:
            return delivery
        status_code, error = _send(delivery)
        now = now or timezone.now()
        delivery.attempts += 1
        delivery.last_status_code = status_code
        delivery.last_error = error[:500]
        if status_code is not None and 200 <= status_code < 300:
            delivery.status = WebhookDelivery.Status.DELIVERED
            delivery.delivered_at = now
            delivery.next_attempt_at = None
        elif delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.next_attempt_at = None
        else:
            delivery.next_attempt_at = now + datetime.timedelta(
                seconds=retry_delay(delivery.attempts)
            )
        delivery.save(
            update_fields=[
                "attempts",
                "last_status_code",
                "last_error",
                "status",
                "delivered_at",
                "next_attempt_at",
                "updated_at",
            ]
        )
    logger.info(
        "webhook attempt delivery=%s endpoint=%s event=%s attempt=%s status=%s code=%s",
        delivery.pk,
        delivery.endpoint_id,
        delivery.event,
        delivery.attempts,
        delivery.status,
        status_code,
    )
    return delivery


def retry_delay(attempts_made: int) -> int:
    """Seconds to wait after the n-th failed attempt: 30, 60, 120, … (30 s x 2^(n-1))."""
    return FIRST_RETRY_SECONDS * 2 ** (attempts_made - 1)


def webhook_sign(secret: str, body: bytes, timestamp: int) -> str:
    """The Loopwork-Signature header value for `body` sent at `timestamp`."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def webhook_verify(
    secret: str,
    header: str,
    body: bytes,
    tolerance: int = SIGNATURE_TOLERANCE_SECONDS,
    *,
    now: float | None = None,
) -> bool:
    """For receivers: is `header` a valid signature of the raw `body`, made recently?

    Compares in constant time and refuses timestamps more than `tolerance` seconds away
    from now (a replayed old request fails). Accepts several v1 values (during a secret
    rotation a sender could sign with both).
    """
    timestamp = None
    signatures = []
    for part in (header or "").split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1":
            signatures.append(value)
    if timestamp is None or not signatures:
        return False
    if abs((now if now is not None else time.time()) - timestamp) > tolerance:
        return False
    expected = webhook_sign(secret, body, timestamp).split("v1=", 1)[1]
    return any(hmac.compare_digest(expected, candidate) for candidate in signatures)


def webhook_body(delivery: WebhookDelivery) -> bytes:
    """The exact JSON sent for a delivery; the same bytes on every retry."""
    envelope = {
        "id": delivery.event_id,
        "event": delivery.event,
        "created": delivery.created_at.isoformat(),
        "data": delivery.payload,
    }
    return json.dumps(
        envelope, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":")
    ).encode()


# --- Endpoints, managed by a company's owners and managers ---------------------------------


def webhook_endpoint_create(
    *, membership: Membership, url: str, events: list[str]
) -> WebhookEndpoint:
    """Add an endpoint for the member's company (owners and managers; at most 10)."""
    _require_manager(membership)
    url = _clean_url(url)
    events = _clean_events(events)
    if (
        WebhookEndpoint.objects.filter(company=membership.company).count()
        >= MAX_ENDPOINTS_PER_COMPANY
    ):
        raise LoopworkError(
            f"A company has at most {MAX_ENDPOINTS_PER_COMPANY} webhook endpoints; "
            "delete one first.",
            code="too_many_endpoints",
            field="url",
            status=409,
        )
    endpoint = WebhookEndpoint.objects.create(company=membership.company, url=url, events=events)
    logger.info("webhook endpoint created endpoint=%s company=%s", endpoint.pk, endpoint.company_id)
    return endpoint


def webhook_endpoint_rotate_secret(*, membership: Membership, endpoint_id: int) -> WebhookEndpoint:
    """Give the endpoint a new signing secret; the old one stops working at once."""
    endpoint = _endpoint_for(membership, endpoint_id)
    endpoint.secret = WebhookEndpoint._meta.get_field("secret").get_default()
    endpoint.save(update_fields=["secret", "updated_at"])
    logger.info("webhook secret rotated endpoint=%s", endpoint.pk)
    return endpoint


def webhook_endpoint_set_active(
    *, membership: Membership, endpoint_id: int, active: bool
) -> WebhookEndpoint:
    """Enable or disable an endpoint; a disabled endpoint gets no new events."""
    endpoint = _endpoint_for(membership, endpoint_id)
    endpoint.is_active = active
    endpoint.save(update_fields=["is_active", "updated_at"])
    return endpoint


def webhook_endpoint_delete(*, membership: Membership, endpoint_id: int) -> None:
    """Delete an endpoint with its delivery history."""
    endpoint = _endpoint_for(membership, endpoint_id)
    endpoint.delete()
    logger.info(
        "webhook endpoint deleted endpoint=%s company=%s", endpoint_id, membership.company_id
    )


def webhook_send_test(*, membership: Membership, endpoint_id: int) -> WebhookDelivery:
    """Send a `webhook.test` event to one endpoint (even a disabled one), to try the setup."""
    endpoint = _endpoint_for(membership, endpoint_id)
    return _delivery_create(
        endpoint,
        TEST_EVENT,
        {"message": "A test event from Loopwork.", "company_id": endpoint.company_id},
    )


def _delivery_create(endpoint: WebhookEndpoint, event: str, payload: dict) -> WebhookDelivery:
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event=event, event_id=str(uuid.uuid4()), payload=payload
    )
    transaction.on_commit(partial(_enqueue, delivery.pk))
    return delivery


def _enqueue(delivery_id: int) -> None:
    # Imported here: the tasks module imports this one.
    from .tasks import deliver_webhook

    deliver_webhook.delay(delivery_id)


def _send(delivery: WebhookDelivery) -> tuple[int | None, str]:
    """POST the delivery; returns (HTTP status or None, error text). Never raises."""
    endpoint = delivery.endpoint
    try:
        _refuse_private_address(endpoint.url)
    except LoopworkError as error:
        return None, error.message
    body = webhook_body(delivery)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Loopwork-Event": delivery.event,
        "Loopwork-Delivery": delivery.event_id,
        "Loopwork-Signature": webhook_sign(endpoint.secret, body, int(time.time())),
    }
    try:
        # Redirects are not followed: a redirect could lead to an address we refuse.
        response = requests.post(
            endpoint.url, data=body, headers=headers, timeout=TIMEOUT_SECONDS, allow_redirects=False
        )
    except requests.RequestException as error:
        return None, f"{type(error).__name__}: could not reach the endpoint"
    if 200 <= response.status_code < 300:
        return response.status_code, ""
    return response.status_code, f"The endpoint answered HTTP {response.status_code}."


def _private_allowed() -> bool:
    return settings.DEBUG or getattr(settings, "WEBHOOK_ALLOW_PRIVATE", False)


def _refuse_private_address(url: str) -> None:
    """Refuse URLs whose host resolves to a non-public address (unless allowed)."""
    if _private_allowed():
        return
    host = urlsplit(url).hostname or ""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as error:
        raise LoopworkError(
            "The endpoint's host name does not resolve.", code="bad_url", field="url"
        ) from error
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if not address.is_global:
            raise LoopworkError(
                "Webhook endpoints must be on public internet addresses.",
                code="private_address",
                field="url",
            )


def _clean_url(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise LoopworkError("Give a full http(s) URL.", code="bad_url", field="url", status=422)
    if parts.scheme != "https" and not _private_allowed():
        raise LoopworkError(
            "Webhook endpoints must use https.", code="bad_url", field="url", status=422
        )
    if parts.username or parts.password:
        raise LoopworkError(
            "Leave credentials out of the URL.", code="bad_url", field="url", status=422
        )
    if len(url) > WebhookEndpoint._meta.get_field("url").max_length:
        raise LoopworkError(
            "Keep the URL to 500 characters.", code="bad_url", field="url", status=422
        )
    try:
        _refuse_private_address(url)
    except LoopworkError as error:
        raise LoopworkError(error.message, code=error.code, field="url", status=422) from error
    return url


def _clean_events(events: list[str]) -> list[str]:
    chosen = sorted(set(events or []))
    if not chosen or any(event not in WebhookEndpoint.Event.values for event in chosen):
        raise LoopworkError(
            "Choose at least one of the events.", code="bad_events", field="events", status=422
        )
    return chosen


def _require_manager(membership: Membership | None) -> None:
    if membership is None or membership.role not in MANAGER_ROLES:
        raise LoopworkError(
            "Only owners and managers manage webhooks.", code="forbidden", status=403
        )


def _endpoint_for(membership: Membership, endpoint_id: int) -> WebhookEndpoint:
    _require_manager(membership)
    endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id, company=membership.company).first()
    if endpoint is None:
        raise LoopworkError("Not found.", code="not_found", status=404)
    return endpoint
