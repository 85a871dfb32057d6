"""Stripe for the payouts tests: localstripe over real HTTP on loopback, and Stripe's signing.

`localstripe` runs the localstripe aiohttp app in a thread of this process on 127.0.0.1 with
a free port (tests may run side by side), with a small receiver for the signed webhooks it
POSTs. `stripe_live` points the product's settings (STRIPE_API_BASE and the keys) at it, so
payouts/stripe_gateway.py exercises stripe-python's real HTTP path.
"""

import asyncio
import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field

import pytest
import requests

PLATFORM_SECRET = "whsec_test_platform_secret"
CONNECT_SECRET = "whsec_test_connect_secret"
SECRET_KEY = "sk_test_loopwork_localstripe"


def sign(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """A Stripe-Signature header for `payload`: HMAC-SHA256 of "t.payload" with the secret,
    written here from Stripe's documented scheme (not with stripe-python)."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256
    ).hexdigest()
    return f"t={timestamp},v1={digest}"


def post_event(client, event: dict, secret: str = PLATFORM_SECRET, **kwargs):
    """POST `event` to our webhook endpoint, signed like Stripe does."""
    payload = json.dumps(event).encode()
    return client.post(
        "/stripe/webhook/",
        payload,
        content_type="application/json",
        headers={"Stripe-Signature": sign(payload, secret, **kwargs)},
    )


@dataclass
class Delivery:
    """A webhook localstripe POSTed: the raw body and its signature header, as Stripe sends."""

    body: bytes
    signature: str

    @property
    def event(self) -> dict:
        return json.loads(self.body)


@dataclass
class LocalStripe:
    base_url: str
    deliveries: list[Delivery] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def api(self, method: str, path: str, **data) -> dict:
        """A call as the browser or a test would make it (not through our gateway)."""
        response = requests.request(
            method, f"{self.base_url}{path}", data=data, auth=(SECRET_KEY, ""), timeout=10
        )
        response.raise_for_status()
        return response.json()

    def confirm_with_card(self, payment_intent_id: str, number: str = "4242424242424242"):
        """What Stripe.js does after the payer typed a test card: attach it, confirm."""
        method = self.api(
            "POST",
            "/v1/payment_methods",
            type="card",
            **{
                "card[number]": number,
                "card[exp_month]": "12",
                "card[exp_year]": "2034",
                "card[cvc]": "123",
            },
        )
        self.api("POST", f"/v1/payment_intents/{payment_intent_id}", payment_method=method["id"])
        return requests.post(
            f"{self.base_url}/v1/payment_intents/{payment_intent_id}/confirm",
            auth=(SECRET_KEY, ""),
            timeout=10,
        )

    def wait_for(self, event_type: str, object_id: str, timeout: float = 10.0) -> Delivery:
        """The webhook localstripe sends (after its one-second delay) for that object."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                for delivery in self.deliveries:
                    event = delivery.event
                    if event["type"] == event_type and event["data"]["object"]["id"] == object_id:
                        return delivery
            time.sleep(0.05)
        raise AssertionError(f"localstripe sent no {event_type} for {object_id}")


@pytest.fixture(scope="session")
def localstripe():
    """localstripe on 127.0.0.1 (free port), in a thread, with its webhooks captured."""
    from aiohttp import web
    from localstripe import resources
    from localstripe.server import app as stripe_app

    # localstripe pickles its store to one fixed /tmp file on every write; nothing reads it
    # back in a test, and parallel runs would fight over it.
    resources.Store.dump_to_disk = lambda self: None
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    box: dict = {}

    async def receive(request):
        body = await request.read()
        with box["server"].lock:
            box["server"].deliveries.append(
                Delivery(body=body, signature=request.headers.get("Stripe-Signature", ""))
            )
        return web.Response(text="ok")

    receiver = web.Application()
    receiver.router.add_post("/hook", receive)

    def serve():
        asyncio.set_event_loop(loop)
        ports = []
        for application in (stripe_app, receiver):
            runner = web.AppRunner(application)
            loop.run_until_complete(runner.setup())
            site = web.TCPSite(runner, "127.0.0.1", 0)
            loop.run_until_complete(site.start())
            ports.append(site._server.sockets[0].getsockname()[1])
        box["ports"] = ports
        ready.set()
        loop.run_forever()

    threading.Thread(target=serve, name="localstripe", daemon=True).start()
    assert ready.wait(10), "localstripe did not start"
    api_port, hook_port = box["ports"]
    server = LocalStripe(base_url=f"http://127.0.0.1:{api_port}")
    box["server"] = server
    requests.post(
        f"{server.base_url}/_config/webhooks/loopwork",
        data={"url": f"http://127.0.0.1:{hook_port}/hook", "secret": PLATFORM_SECRET},
        timeout=10,
    ).raise_for_status()
    yield server
    loop.call_soon_threadsafe(loop.stop)


@pytest.fixture
def stripe_live(settings, localstripe):
    """The product configured for Stripe (not offline test mode), pointed at localstripe."""
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_loopwork_localstripe"
    settings.STRIPE_API_BASE = localstripe.base_url
    settings.STRIPE_TIMEOUT_SECONDS = 5.0
    settings.STRIPE_WEBHOOK_SECRET = PLATFORM_SECRET
    settings.STRIPE_CONNECT_WEBHOOK_SECRET = CONNECT_SECRET
    return localstripe


@pytest.fixture
def webhook_secrets(settings):
    """Offline test mode (no Stripe key), with webhook secrets so signed events are accepted."""
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = PLATFORM_SECRET
    settings.STRIPE_CONNECT_WEBHOOK_SECRET = CONNECT_SECRET
