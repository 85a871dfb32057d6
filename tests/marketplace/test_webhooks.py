"""Company webhooks: signed deliveries to a real local HTTP server, retries, and the page."""

import datetime
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import override_settings
from django.utils import timezone

from core.errors import LoopworkError
from marketplace import webhooks
from marketplace.models import WebhookDelivery, WebhookEndpoint
from marketplace.tasks import deliver_webhook
from marketplace.webhooks import (
    MAX_ATTEMPTS,
    webhook_deliver,
    webhook_emit,
    webhook_endpoint_create,
    webhook_sign,
    webhook_verify,
)
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

ITEM_COMPLETED = "item.completed"
PROJECT_COMPLETED = "project.completed"


class Receiver:
    """A webhook receiver on 127.0.0.1 that records requests and checks their signature."""

    def __init__(self, status: int = 200, delay: float = 0.0):
        self.status = status
        self.delay = delay
        self.secret = ""
        self.requests = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append(
                    {
                        "headers": dict(self.headers),
                        "body": body,
                        "valid": webhook_verify(
                            receiver.secret, self.headers.get("Loopwork-Signature", ""), body
                        ),
                    }
                )
                time.sleep(receiver.delay)
                self.send_response(receiver.status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def failing_receiver():
    server = Receiver(status=500)
    yield server
    server.close()


@pytest.fixture
def membership(company):
    return MembershipFactory(company=company, role="owner")


def _endpoint(membership, url, events=(ITEM_COMPLETED,)):
    return webhook_endpoint_create(membership=membership, url=url, events=list(events))


# --- Emitting and delivering ------------------------------------------------------------


def test_an_event_reaches_subscribed_endpoints_signed(
    receiver, membership, django_capture_on_commit_callbacks
):
    endpoint = _endpoint(membership, receiver.url)
    receiver.secret = endpoint.secret
    WebhookEndpoint.objects.create(
        company=membership.company, url=receiver.url, events=[PROJECT_COMPLETED]
    )
    WebhookEndpoint.objects.create(
        company=membership.company, url=receiver.url, events=[ITEM_COMPLETED], is_active=False
    )
    other_company = MembershipFactory(role="owner")
    WebhookEndpoint.objects.create(
        company=other_company.company, url=receiver.url, events=[ITEM_COMPLETED]
    )

    with django_capture_on_commit_callbacks(execute=True):
        deliveries = webhook_emit(membership.company_id, ITEM_COMPLETED, {"item_id": 7})
        assert receiver.requests == []  # nothing leaves before the commit

    assert [delivery.endpoint_id for delivery in deliveries] == [endpoint.pk]
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert request["valid"] is True
    assert request["headers"]["Loopwork-Event"] == ITEM_COMPLETED
    assert request["headers"]["Loopwork-Delivery"] == deliveries[0].event_id
    assert request["headers"]["Content-Type"] == "application/json"
    body = json.loads(request["body"])
    assert body["id"] == deliveries[0].event_id
    assert body["event"] == ITEM_COMPLETED
    assert body["data"] == {"item_id": 7}
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert delivery.attempts == 1
    assert delivery.last_status_code == 200
    assert delivery.delivered_at is not None


def test_each_delivery_has_its_own_stable_event_id(receiver, membership):
    _endpoint(membership, receiver.url)
    _endpoint(membership, receiver.url)
    first, second = webhook_emit(membership.company_id, ITEM_COMPLETED, {"item_id": 1})
    assert first.event_id != second.event_id
    assert len(first.event_id) == 36  # a uuid


def test_a_delivered_delivery_is_never_sent_again(receiver, membership):
    endpoint = _endpoint(membership, receiver.url)
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event=ITEM_COMPLETED, event_id="evt-1", payload={}
    )
    webhook_deliver(delivery.pk)
    again = webhook_deliver(delivery.pk)
    assert again.status == WebhookDelivery.Status.DELIVERED
    assert again.attempts == 1
    assert len(receiver.requests) == 1


def test_the_body_is_the_same_bytes_on_every_attempt(failing_receiver, membership):
    endpoint = _endpoint(membership, failing_receiver.url)
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event=ITEM_COMPLETED, event_id="evt-2", payload={"b": 1, "a": [1, 2]}
    )
    webhook_deliver(delivery.pk)
    webhook_deliver(delivery.pk)
    bodies = [request["body"] for request in failing_receiver.requests]
    assert bodies[0] == bodies[1]
    ids = {request["headers"]["Loopwork-Delivery"] for request in failing_receiver.requests}
    assert ids == {"evt-2"}


def test_failures_are_retried_with_exponential_backoff_then_failed(failing_receiver, membership):
    endpoint = _endpoint(membership, failing_receiver.url)
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event=ITEM_COMPLETED, event_id="evt-3", payload={}
    )
    start = timezone.now()
    pauses = []
    for attempt in range(1, MAX_ATTEMPTS):
        delivery = webhook_deliver(delivery.pk, now=start)
        assert delivery.status == WebhookDelivery.Status.PENDING
        assert delivery.attempts == attempt
        assert delivery.last_status_code == 500
        assert delivery.last_error == "The endpoint answered HTTP 500."
        pauses.append((delivery.next_attempt_at - start).total_seconds())
    assert pauses == [30, 60, 120, 240, 480, 960, 1920]

    delivery = webhook_deliver(delivery.pk, now=start)
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.attempts == MAX_ATTEMPTS
    assert delivery.next_attempt_at is None
    assert webhook_deliver(delivery.pk).attempts == MAX_ATTEMPTS  # failed stays failed
    assert len(failing_receiver.requests) == MAX_ATTEMPTS


def test_the_task_retries_until_the_delivery_fails(failing_receiver, membership):
    endpoint = _endpoint(membership, failing_receiver.url)
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event=ITEM_COMPLETED, event_id="evt-4", payload={}
    )
    # Eagerly, Celery runs each queued attempt at once instead of after its countdown.
    first_attempt = deliver_webhook.delay(delivery.pk)
    delivery.refresh_from_db()
    assert first_attempt.get() == WebhookDelivery.Status.PENDING  # as its own attempt left it
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.attempts == MAX_ATTEMPTS
    assert len(failing_receiver.requests) == MAX_ATTEMPTS


def test_a_redirect_is_not_followed_and_counts_as_a_failure(membership):
    redirecting = Receiver(status=302)
    try:
        endpoint = _endpoint(membership, redirecting.url)
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint, event=ITEM_COMPLETED, event_id="evt-5", payload={}
        )
        delivery = webhook_deliver(delivery.pk)
    finally:
        redirecting.close()
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert delivery.last_status_code == 302


def test_a_slow_receiver_times_out(membership, monkeypatch):
    slow = Receiver(delay=1.0)
    monkeypatch.setattr(webhooks, "TIMEOUT_SECONDS", (0.5, 0.2))
    try:
        endpoint = _endpoint(membership, slow.url)
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint, event=ITEM_COMPLETED, event_id="evt-6", payload={}
        )
        delivery = webhook_deliver(delivery.pk)
    finally:
        slow.close()
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert delivery.last_status_code is None
    assert "Timeout" in delivery.last_error
    assert delivery.next_attempt_at is not None


def test_an_unreachable_endpoint_is_a_failed_attempt(membership):
    endpoint = _endpoint(membership, "http://127.0.0.1:9/hook")  # the discard port: closed
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event=ITEM_COMPLETED, event_id="evt-7", payload={}
    )
    delivery = webhook_deliver(delivery.pk)
    assert delivery.attempts == 1
    assert delivery.last_status_code is None
    assert "could not reach" in delivery.last_error


@override_settings(WEBHOOK_ALLOW_PRIVATE=False, DEBUG=False)
def test_private_addresses_are_refused_in_production(membership, receiver):
    for url in (
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.5/hook",
        "https://169.254.169.254/latest",
        "https://[::1]/hook",
        "https://localhost/hook",
    ):
        with pytest.raises(LoopworkError) as refusal:
            _endpoint(membership, url)
        assert refusal.value.code == "private_address", url
    with pytest.raises(LoopworkError) as refusal:
        _endpoint(membership, "http://example.com/hook")
    assert refusal.value.code == "bad_url"  # plain http only where private addresses are allowed
    # An endpoint stored while allowed is still not called.
    endpoint = WebhookEndpoint.objects.create(
        company=membership.company, url=receiver.url, events=[ITEM_COMPLETED]
    )
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event=ITEM_COMPLETED, event_id="evt-8", payload={}
    )
    delivery = webhook_deliver(delivery.pk)
    assert receiver.requests == []
    assert delivery.last_error == "Webhook endpoints must be on public internet addresses."


@pytest.mark.parametrize(
    ("url", "events", "code"),
    [
        ("not a url", [ITEM_COMPLETED], "bad_url"),
        ("ftp://example.com/x", [ITEM_COMPLETED], "bad_url"),
        ("https://user:pw@example.com/x", [ITEM_COMPLETED], "bad_url"),
        ("https://example.com/" + "x" * 500, [ITEM_COMPLETED], "bad_url"),
        ("https://example.com/x", [], "bad_events"),
        ("https://example.com/x", ["order.paid"], "bad_events"),
    ],
)
def test_bad_endpoints_are_refused(membership, url, events, code):
    with pytest.raises(LoopworkError) as refusal:
        webhook_endpoint_create(membership=membership, url=url, events=events)
    assert refusal.value.code == code
    assert WebhookEndpoint.objects.count() == 0


def test_a_company_has_at_most_ten_endpoints(membership):
    for n in range(10):
        _endpoint(membership, f"http://127.0.0.1:8000/hook/{n}")
    with pytest.raises(LoopworkError) as refusal:
        _endpoint(membership, "http://127.0.0.1:8000/hook/11")
    assert refusal.value.code == "too_many_endpoints"


def test_reviewers_cannot_manage_endpoints(company):
    reviewer = MembershipFactory(company=company, role="reviewer")
    with pytest.raises(LoopworkError) as refusal:
        _endpoint(reviewer, "http://127.0.0.1:8000/hook")
    assert refusal.value.status == 403


# --- Verifying -------------------------------------------------------------------------


def test_verify_accepts_a_fresh_signature_and_refuses_tampering():
    body = b'{"id":"x"}'
    now = 1_800_000_000
    header = webhook_sign("whsec_a", body, now)
    assert header.startswith(f"t={now},v1=")
    assert webhook_verify("whsec_a", header, body, now=now) is True
    assert webhook_verify("whsec_a", header, body, now=now + 299) is True
    assert webhook_verify("whsec_a", header, body + b" ", now=now) is False
    assert webhook_verify("whsec_b", header, body, now=now) is False
    assert webhook_verify("whsec_a", header, body, now=now + 301) is False  # replayed late
    assert webhook_verify("whsec_a", header, body, tolerance=10, now=now + 11) is False
    for broken in ("", "t=abc,v1=00", f"t={now}", "v1=00", "garbage"):
        assert webhook_verify("whsec_a", broken, body, now=now) is False


# --- The page --------------------------------------------------------------------------


@pytest.fixture
def owner_client(client, membership):
    client.force_login(membership.user)
    return client


def test_the_page_has_an_empty_state(site_tree, owner_client):
    html = owner_client.get("/company/webhooks/").content.decode()
    assert "No endpoints yet" in html
    assert "Nothing sent yet" in html


def test_adding_an_endpoint_from_the_page(site_tree, owner_client, membership):
    response = owner_client.post(
        "/company/webhooks/", {"url": "http://127.0.0.1:8000/hook", "events": [ITEM_COMPLETED]}
    )
    assert response.status_code == 302
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.company == membership.company
    assert endpoint.events == [ITEM_COMPLETED]
    html = owner_client.get("/company/webhooks/").content.decode()
    assert endpoint.secret in html  # inside "Reveal signing secret"
    assert "Reveal signing secret" in html


def test_bad_input_on_the_page_shows_errors(site_tree, owner_client):
    response = owner_client.post("/company/webhooks/", {"url": "nope", "events": ["order.paid"]})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Enter a valid URL." in html
    assert "Select a valid choice." in html
    assert WebhookEndpoint.objects.count() == 0


def test_rotate_disable_enable_and_delete(site_tree, owner_client, membership):
    endpoint = _endpoint(membership, "http://127.0.0.1:8000/hook")
    old_secret = endpoint.secret
    assert owner_client.post(f"/company/webhooks/{endpoint.pk}/rotate/").status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.secret != old_secret and endpoint.secret.startswith("whsec_")
    owner_client.post(f"/company/webhooks/{endpoint.pk}/active/", {"active": "0"})
    endpoint.refresh_from_db()
    assert endpoint.is_active is False
    owner_client.post(f"/company/webhooks/{endpoint.pk}/active/", {"active": "1"})
    endpoint.refresh_from_db()
    assert endpoint.is_active is True
    owner_client.post(f"/company/webhooks/{endpoint.pk}/delete/")
    assert WebhookEndpoint.objects.count() == 0


def test_send_test_event_from_the_page(
    site_tree, owner_client, membership, receiver, django_capture_on_commit_callbacks
):
    endpoint = _endpoint(membership, receiver.url)
    receiver.secret = endpoint.secret
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(f"/company/webhooks/{endpoint.pk}/test/")
    assert len(receiver.requests) == 1
    assert receiver.requests[0]["valid"] is True
    assert receiver.requests[0]["headers"]["Loopwork-Event"] == "webhook.test"
    html = owner_client.get("/company/webhooks/").content.decode()
    assert "webhook.test" in html
    assert "Delivered" in html


def test_another_companys_endpoint_is_not_found(site_tree, owner_client):
    theirs = _endpoint(MembershipFactory(role="owner"), "http://127.0.0.1:8000/hook")
    for action in ("rotate", "active", "delete", "test"):
        assert owner_client.post(f"/company/webhooks/{theirs.pk}/{action}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active is True
    assert WebhookDelivery.objects.count() == 0
    assert theirs.url not in owner_client.get("/company/webhooks/").content.decode()


def test_reviewers_cannot_see_or_change_webhooks(site_tree, client, company):
    endpoint = _endpoint(
        MembershipFactory(company=company, role="owner"), "http://127.0.0.1:8000/hook"
    )
    reviewer = MembershipFactory(company=company, role="reviewer")
    client.force_login(reviewer.user)
    assert client.get("/company/webhooks/").status_code == 403
    assert client.post(f"/company/webhooks/{endpoint.pk}/rotate/").status_code == 403
    assert client.post(f"/company/webhooks/{endpoint.pk}/delete/").status_code == 403
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()


def test_workers_cannot_reach_the_page(site_tree, worker_client):
    assert worker_client.get("/company/webhooks/").status_code == 403


def test_the_page_shows_recent_deliveries_in_a_fixed_number_of_queries(
    site_tree, owner_client, membership, django_assert_max_num_queries
):
    endpoint = _endpoint(membership, "http://127.0.0.1:8000/hook")
    for n in range(30):
        WebhookDelivery.objects.create(
            endpoint=endpoint,
            event=ITEM_COMPLETED,
            event_id=f"evt-many-{n}",
            payload={},
            attempts=3,
            last_status_code=503,
            next_attempt_at=timezone.now() + datetime.timedelta(minutes=4),
        )
    owner_client.get("/company/webhooks/")
    with django_assert_max_num_queries(12):
        html = owner_client.get("/company/webhooks/").content.decode()
    assert html.count("evt-many-") == 25
    assert "3 / 8" in html
