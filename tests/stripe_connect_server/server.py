"""The server: state, the HTTP handler, idempotency, faults and signed events.

Run it in a test with `with ConnectServer() as server:` (it binds 127.0.0.1 on a free port
and serves from a daemon thread) and point the gateway at `server.url`.
"""

import contextlib
import hashlib
import hmac
import itertools
import json
import random
import secrets
import socket
import string
import struct
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

API_VERSION = "2025-04-30.basil"
ALPHABET = string.ascii_letters + string.digits


def _token(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def sign_payload(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The `Stripe-Signature` header Stripe would send for `payload` (scheme v1)."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def parse_form(pairs: list[tuple[str, str]]) -> dict:
    """Stripe's form encoding as nested dicts: `metadata[a]=1` -> {"metadata": {"a": "1"}}."""
    result: dict = {}
    for key, value in pairs:
        parts = key.replace("]", "").split("[")
        node = result
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return result


class StripeError(Exception):
    """An error answer with Stripe's body shape. `stored` is whether the endpoint had begun."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        stored: bool = False,
    ):
        super().__init__(message)
        self.status = status
        self.stored = stored
        self.body = {"error": {"message": message, "type": type}}
        if code:
            self.body["error"]["code"] = code
            self.body["error"]["doc_url"] = f"https://stripe.com/docs/error-codes/{code}"
        if param:
            self.body["error"]["param"] = param


@dataclass
class Faults:
    """What goes wrong next. Each counter is consumed by the matching calls.

    `fail_next` (with `fail_status`, `fail_stored`, limited to paths starting with
    `fail_path`): answer an error instead of running the endpoint. `fail_stored=True` is an
    error after the endpoint began, so Stripe stores and replays it under the key.
    `timeout_after_success`: run the endpoint, store the response, then stall for
    `stall_seconds` (longer than the client's timeout) before answering.
    `close_after_success`: run it, then reset the connection without answering.
    `reset_next`: reset the connection before anything runs.
    Event faults, consumed when events are delivered: `drop_events`, `duplicate_events`.
    """

    fail_next: int = 0
    fail_status: int = 500
    fail_stored: bool = False
    fail_path: str = "/v1/transfers"
    timeout_after_success: int = 0
    close_after_success: int = 0
    stall_seconds: float = 5.0
    reset_next: int = 0
    reset_path: str = "/v1/transfers"
    drop_events: int = 0
    duplicate_events: int = 0


@dataclass
class Stored:
    fingerprint: tuple
    status: int
    body: dict
    request_id: str


@dataclass
class RequestRecord:
    method: str
    path: str
    params: dict
    idempotency_key: str | None
    status: int = 0
    replayed: bool = False
    outcome: str = "answered"  # answered | reset | stalled


@dataclass
class Link:
    account: str
    refresh_url: str
    return_url: str
    expires_at: int
    used: bool = False


@dataclass
class Delivery:
    event_id: str
    type: str
    status: int | None
    error: str = ""


@dataclass
class State:
    accounts: dict = field(default_factory=dict)
    transfers: dict = field(default_factory=dict)
    links: dict = field(default_factory=dict)
    idempotency: dict = field(default_factory=dict)
    in_flight: set = field(default_factory=set)
    balance: dict = field(default_factory=dict)
    events: list = field(default_factory=list)
    outbox: list = field(default_factory=list)


class _Reset(Exception):
    """Raised inside the handler to drop the connection with a TCP reset."""


class ConnectServer:
    """A Stripe-compatible Connect server on 127.0.0.1 (port 0 picks a free one).

    `platform_balance_cents` is the platform's available balance transfers draw on.
    Webhooks go to `webhook_url` (POSTed like Stripe does) or `webhook_sink(body, headers)`
    when `deliver_events()` is called; until then they wait in `outbox`, which is how a test
    delays, reorders, drops or duplicates them.
    """

    def __init__(
        self,
        *,
        platform_balance_cents: int = 10**12,
        currency: str = "usd",
        api_key_prefix: str = "sk_test_",
        webhook_secret: str = "whsec_platform_test",  # noqa: S107 - a test server's secret
        connect_webhook_secret: str = "whsec_connect_test",  # noqa: S107 - likewise
        webhook_url: str | None = None,
        webhook_sink: Callable[[bytes, dict], int] | None = None,
        port: int = 0,
    ):
        self.state = State(balance={currency: platform_balance_cents})
        self.faults = Faults()
        self.api_key_prefix = api_key_prefix
        self.webhook_secret = webhook_secret
        self.connect_webhook_secret = connect_webhook_secret
        self.webhook_url = webhook_url
        self.webhook_sink = webhook_sink
        self.requests: list[RequestRecord] = []
        self.clock_offset = 0
        self._lock = threading.RLock()
        self._sequence = itertools.count(1)
        self._stop = threading.Event()
        self._port = port
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -----------------------------------------------------------------------

    def start(self) -> "ConnectServer":
        handler = type("Handler", (_Handler,), {"app": self})
        self._httpd = _QuietServer(("127.0.0.1", self._port), handler)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="stripe-connect-server", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> "ConnectServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def now(self) -> int:
        return int(time.time()) + self.clock_offset

    def advance_clock(self, seconds: int) -> None:
        """Move the server's clock on, so the next objects and events are later."""
        self.clock_offset += seconds

    # --- inspection helpers for tests ----------------------------------------------------

    def transfer_posts(self, *, executed_only: bool = True) -> list[RequestRecord]:
        """The POST /v1/transfers requests received (by default only those that ran)."""
        return [
            record
            for record in self.requests
            if record.method == "POST"
            and record.path == "/v1/transfers"
            and (not executed_only or (record.status == 200 and not record.replayed))
        ]

    def set_balance(self, cents: int, currency: str = "usd") -> None:
        with self._lock:
            self.state.balance[currency] = cents

    def balance(self, currency: str = "usd") -> int:
        with self._lock:
            return self.state.balance.get(currency, 0)

    # --- account helpers (stand-ins for what the account holder does on Stripe) ----------

    def complete_onboarding(self, account_id: str, *, payouts_enabled: bool = True) -> dict:
        """The account holder finishes onboarding: details submitted, transfers active."""
        return self.update_account(
            account_id,
            details_submitted=True,
            payouts_enabled=payouts_enabled,
            transfers="active" if payouts_enabled else "pending",
        )

    def update_account(
        self, account_id: str, *, details_submitted: bool, payouts_enabled: bool, transfers: str
    ) -> dict:
        """Change an account's state as Stripe would after a review, and emit account.updated."""
        with self._lock:
            account = self.state.accounts[account_id]
            previous = {
                "details_submitted": account["details_submitted"],
                "payouts_enabled": account["payouts_enabled"],
            }
            account["details_submitted"] = details_submitted
            account["payouts_enabled"] = payouts_enabled
            account["capabilities"] = {"transfers": transfers}
            if details_submitted:
                account["tos_acceptance"]["date"] = self.now()
            due = [] if payouts_enabled else ["external_account"]
            account["requirements"].update(
                currently_due=due,
                eventually_due=due,
                past_due=due,
                disabled_reason=None if payouts_enabled else "requirements.past_due",
            )
            self._emit("account.updated", account, account=account_id, previous=previous)
            return json.loads(json.dumps(account))

    def reverse_transfer(self, transfer_id: str, amount: int | None = None) -> dict:
        """A reversal made outside our code (say, in the Stripe dashboard)."""
        with self._lock:
            return self._reverse(transfer_id, {"amount": str(amount)} if amount else {}, None)

    # --- events --------------------------------------------------------------------------

    def _emit(
        self,
        event_type: str,
        obj: dict,
        *,
        account: str | None = None,
        previous: dict | None = None,
        request_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> dict:
        data: dict = {"object": json.loads(json.dumps(obj))}
        if previous is not None:
            data["previous_attributes"] = previous
        event = {
            "id": "evt_" + _token(24),
            "object": "event",
            "api_version": API_VERSION,
            "created": self.now(),
            "data": data,
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": request_id, "idempotency_key": idempotency_key},
            "type": event_type,
        }
        if account:
            event["account"] = account
        self.state.events.append(event)
        self.state.outbox.append(event)
        return event

    def signed(self, event: dict, *, timestamp: int | None = None) -> tuple[bytes, str]:
        """The body and `Stripe-Signature` header of `event`, as Stripe would deliver it.

        Events about connected accounts (`account` set) are signed with the Connect secret.
        """
        body = json.dumps(event).encode()
        secret = self.connect_webhook_secret if event.get("account") else self.webhook_secret
        return body, sign_payload(body, secret, timestamp)

    def take_events(self) -> list[dict]:
        """Empty the outbox and hand its events to the test (to deliver them itself)."""
        with self._lock:
            events, self.state.outbox = self.state.outbox, []
        return events

    def deliver_events(self, *, order: str = "emitted", seed: int = 0) -> list[Delivery]:
        """Deliver every waiting event, applying the event faults.

        `order` is "emitted", "reversed" or "shuffled" (with `seed`). A dropped event is
        gone for good (Stripe gives up after its retries); a duplicated one is sent twice.
        """
        events = self.take_events()
        if order == "reversed":
            events.reverse()
        elif order == "shuffled":
            random.Random(seed).shuffle(events)
        deliveries = []
        for event in events:
            with self._lock:
                if self.faults.drop_events:
                    self.faults.drop_events -= 1
                    deliveries.append(Delivery(event["id"], event["type"], None, "dropped"))
                    continue
                copies = 1
                if self.faults.duplicate_events:
                    self.faults.duplicate_events -= 1
                    copies = 2
            for _ in range(copies):
                deliveries.append(self._deliver(event))
        return deliveries

    def _deliver(self, event: dict) -> Delivery:
        body, signature = self.signed(event)
        headers = {"Content-Type": "application/json; charset=utf-8", "Stripe-Signature": signature}
        if self.webhook_sink is not None:
            status = self.webhook_sink(body, headers)
            return Delivery(event["id"], event["type"], status)
        if self.webhook_url is None:
            raise RuntimeError("no webhook_url or webhook_sink to deliver events to")
        # The URL is the test's own receiver (http on loopback).
        request = urllib.request.Request(self.webhook_url, data=body, headers=headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                return Delivery(event["id"], event["type"], response.status)
        except urllib.error.HTTPError as exc:
            return Delivery(event["id"], event["type"], exc.code, str(exc))

    # --- request handling ----------------------------------------------------------------

    def handle(self, method: str, path: str, params: dict, headers) -> tuple[int, dict, dict]:
        """(status, body, extra headers) for one API request; raises _Reset to drop it."""
        key = headers.get("Idempotency-Key")
        record = RequestRecord(method, path, params, key)
        with self._lock:
            self.requests.append(record)
        request_id = "req_" + _token(14)
        extra = {"Request-Id": request_id, "Stripe-Version": API_VERSION}
        authorization = headers.get("Authorization", "")
        if not authorization.startswith("Bearer " + self.api_key_prefix):
            record.status = 401
            return 401, StripeError(401, "Invalid API Key provided.").body, extra

        with self._lock:
            if self.faults.reset_next and path.startswith(self.faults.reset_path):
                self.faults.reset_next -= 1
                record.outcome = "reset"
                raise _Reset
        if method != "POST" or not key:
            status, body = self._run(method, path, params, request_id, key)
            record.status = status
            return status, body, extra

        fingerprint = (method, path, json.dumps(params, sort_keys=True))
        extra["Idempotency-Key"] = key
        with self._lock:
            stored = self.state.idempotency.get(key)
            if stored is not None:
                if stored.fingerprint != fingerprint:
                    error = StripeError(
                        400,
                        "Keys for idempotent requests can only be used with the same parameters "
                        f"they were first used with. Try using a key other than '{key}' if you "
                        "meant to execute a different request.",
                        type="idempotency_error",
                    )
                    record.status = 400
                    return 400, error.body, extra
                record.status, record.replayed = stored.status, True
                if stored.status >= 500:
                    # As Stripe does: retrying a stored 500 would only replay it.
                    extra["Stripe-Should-Retry"] = "false"
                extra["Idempotent-Replayed"] = "true"
                extra["Original-Request"] = stored.request_id
                return stored.status, stored.body, extra
            if key in self.state.in_flight:
                error = StripeError(
                    409,
                    "There is currently another in-progress request using this Idempotent Key "
                    "(that probably means you submitted twice, and the other request is still "
                    "going through). Please retry this request later.",
                    type="idempotency_error",
                )
                record.status = 409
                return 409, error.body, extra
            self.state.in_flight.add(key)
        try:
            status, body = self._run(method, path, params, request_id, key, stored_errors=True)
        except StripeError as exc:
            # Raised only for errors that happen before the endpoint begins: nothing stored.
            record.status = exc.status
            return exc.status, exc.body, extra
        finally:
            with self._lock:
                self.state.in_flight.discard(key)
        with self._lock:
            self.state.idempotency[key] = Stored(fingerprint, status, body, request_id)
        record.status = status
        if status >= 500:
            extra["Stripe-Should-Retry"] = "false"
        stall = reset = False
        with self._lock:
            if status == 200 and path.startswith(self.faults.fail_path):
                if self.faults.timeout_after_success:
                    self.faults.timeout_after_success -= 1
                    record.outcome = stall = "stalled"
                elif self.faults.close_after_success:
                    self.faults.close_after_success -= 1
                    record.outcome = reset = "reset"
        if stall:
            self._stop.wait(self.faults.stall_seconds)
        if reset:
            raise _Reset
        return status, body, extra

    def _run(
        self, method, path, params, request_id, key, *, stored_errors: bool = False
    ) -> tuple[int, dict]:
        """Run the endpoint. Errors that Stripe would store come back as an answer when
        `stored_errors`; those before the endpoint begins are raised."""
        with self._lock:
            if self.faults.fail_next and path.startswith(self.faults.fail_path):
                self.faults.fail_next -= 1
                error = StripeError(
                    self.faults.fail_status,
                    "An unknown error occurred",
                    type="api_error",
                    stored=self.faults.fail_stored,
                )
                if error.stored and stored_errors:
                    return error.status, error.body
                if stored_errors:
                    raise error
                return error.status, error.body
            try:
                return 200, self._route(method, path, params, request_id, key)
            except StripeError as exc:
                if exc.stored and stored_errors:
                    return exc.status, exc.body
                if stored_errors:
                    raise
                return exc.status, exc.body

    def _route(self, method, path, params, request_id, key) -> dict:
        parts = [part for part in path.split("/") if part]
        if parts[:1] != ["v1"]:
            raise StripeError(404, f"Unrecognized request URL ({method}: {path}).")
        parts = parts[1:]
        if parts == ["accounts"] and method == "POST":
            return self._account_create(params)
        if len(parts) == 2 and parts[0] == "accounts" and method == "GET":
            return self._account(parts[1])
        if parts == ["account_links"] and method == "POST":
            return self._account_link_create(params)
        if parts == ["transfers"] and method == "POST":
            return self._transfer_create(params, request_id, key)
        if parts == ["transfers"] and method == "GET":
            return self._transfer_list(params)
        if len(parts) == 2 and parts[0] == "transfers" and method == "GET":
            return self._transfer(parts[1])
        if len(parts) == 3 and parts[0] == "transfers" and parts[2] == "reversals":
            if method == "POST":
                return self._reverse(parts[1], params, request_id)
            return self._reversal_list(parts[1])
        raise StripeError(404, f"Unrecognized request URL ({method}: {path}).")

    # --- accounts ------------------------------------------------------------------------

    def _account_create(self, params: dict) -> dict:
        if params.get("type") != "express":
            raise StripeError(
                400, "This server only creates Express accounts.", param="type", stored=False
            )
        account_id = "acct_" + _token(16)
        country = params.get("country", "US")
        due = ["business_profile.mcc", "external_account", "tos_acceptance.date"]
        account = {
            "id": account_id,
            "object": "account",
            "business_profile": {
                name: None
                for name in (
                    "annual_revenue",
                    "estimated_worker_count",
                    "mcc",
                    "name",
                    "product_description",
                    "support_address",
                    "support_email",
                    "support_phone",
                    "support_url",
                    "url",
                )
            },
            "business_type": params.get("business_type"),
            "capabilities": {"transfers": "inactive"},
            "charges_enabled": False,
            "controller": {
                "fees": {"payer": "application"},
                "is_controller": True,
                "losses": {"payments": "application"},
                "requirement_collection": "stripe",
                "stripe_dashboard": {"type": "express"},
                "type": "application",
            },
            "country": country,
            "created": self.now(),
            "default_currency": "usd",
            "details_submitted": False,
            "email": params.get("email"),
            "external_accounts": _empty_list(f"/v1/accounts/{account_id}/external_accounts"),
            "future_requirements": _requirements([]),
            "login_links": _empty_list(f"/v1/accounts/{account_id}/login_links"),
            "metadata": params.get("metadata", {}),
            "payouts_enabled": False,
            "requirements": {**_requirements(due), "disabled_reason": "requirements.past_due"},
            "settings": {
                "payouts": {
                    "debit_negative_balances": True,
                    "schedule": {"delay_days": 2, "interval": "daily"},
                    "statement_descriptor": None,
                }
            },
            "tos_acceptance": {"date": None, "ip": None, "user_agent": None},
            "type": "express",
        }
        self.state.accounts[account_id] = account
        return account

    def _account(self, account_id: str) -> dict:
        account = self.state.accounts.get(account_id)
        if account is None:
            raise StripeError(
                404,
                f"No such account: '{account_id}'",
                code="resource_missing",
                param="account",
            )
        return account

    def _account_link_create(self, params: dict) -> dict:
        for name in ("account", "type"):
            if not params.get(name):
                raise StripeError(
                    400, f"Missing required param: {name}.", code="parameter_missing", param=name
                )
        account = self._account(params["account"])
        token = _token(12)
        created = self.now()
        self.state.links[token] = Link(
            account=account["id"],
            refresh_url=params.get("refresh_url", ""),
            return_url=params.get("return_url", ""),
            expires_at=created + 300,
        )
        return {
            "object": "account_link",
            "created": created,
            "expires_at": created + 300,
            "url": f"{self.url}/setup/e/{account['id']}/{token}",
        }

    def follow_link(self, token: str) -> str:
        """Where the browser goes after opening a link: return_url once onboarding is done,
        refresh_url for an expired or used link (links are single-use, as on Stripe)."""
        with self._lock:
            link = self.state.links.get(token)
            if link is None:
                return ""
            if link.used or link.expires_at < self.now():
                return link.refresh_url
            link.used = True
            self.complete_onboarding(link.account)
            return link.return_url

    # --- transfers -----------------------------------------------------------------------

    def _transfer_create(self, params: dict, request_id: str, key: str | None) -> dict:
        for name in ("amount", "currency", "destination"):
            if not params.get(name):
                raise StripeError(
                    400, f"Missing required param: {name}.", code="parameter_missing", param=name
                )
        try:
            amount = int(params["amount"])
        except ValueError:
            raise StripeError(
                400, "Invalid integer: amount", code="parameter_invalid_integer", param="amount"
            ) from None
        if amount < 1:
            raise StripeError(
                400,
                "This value must be greater than or equal to 1.",
                code="parameter_invalid_integer",
                param="amount",
            )
        currency = params["currency"].lower()
        destination = self.state.accounts.get(params["destination"])
        if destination is None:
            raise StripeError(
                400,
                f"No such destination: '{params['destination']}'",
                code="resource_missing",
                param="destination",
                stored=True,
            )
        if destination["capabilities"].get("transfers") != "active":
            raise StripeError(
                400,
                "Your destination account needs to have at least one of the following "
                "capabilities enabled: transfers, crypto_transfers, legacy_payments",
                code="insufficient_capabilities_for_transfer",
                param="destination",
                stored=True,
            )
        if self.state.balance.get(currency, 0) < amount:
            raise StripeError(
                400,
                "You have insufficient available funds in your Stripe account. Try adding "
                "funds directly to your available balance by creating Charges using the "
                "4000000000000077 test card. See: https://stripe.com/docs/testing#available-balance",
                code="balance_insufficient",
                stored=True,
            )
        self.state.balance[currency] -= amount
        transfer_id = "tr_" + _token(24)
        transfer = {
            "id": transfer_id,
            "object": "transfer",
            "amount": amount,
            "amount_reversed": 0,
            "balance_transaction": "txn_" + _token(24),
            "created": self.now(),
            "currency": currency,
            "description": params.get("description"),
            "destination": destination["id"],
            "destination_payment": "py_" + _token(24),
            "livemode": False,
            "metadata": params.get("metadata", {}),
            "reversals": _empty_list(f"/v1/transfers/{transfer_id}/reversals"),
            "reversed": False,
            "source_transaction": params.get("source_transaction"),
            "source_type": "card",
            "transfer_group": params.get("transfer_group"),
        }
        self.state.transfers[transfer_id] = (next(self._sequence), transfer)
        self._emit("transfer.created", transfer, request_id=request_id, idempotency_key=key)
        return transfer

    def _transfer(self, transfer_id: str) -> dict:
        found = self.state.transfers.get(transfer_id)
        if found is None:
            raise StripeError(
                404, f"No such transfer: '{transfer_id}'", code="resource_missing", param="id"
            )
        return found[1]

    def _transfer_list(self, params: dict) -> dict:
        try:
            limit = int(params.get("limit", 10))
        except ValueError:
            raise StripeError(
                400, "Invalid integer: limit", code="parameter_invalid_integer", param="limit"
            ) from None
        if not 1 <= limit <= 100:
            raise StripeError(
                400,
                "This value must be greater than or equal to 1 and less than or equal to 100.",
                code="parameter_invalid_integer",
                param="limit",
            )
        rows = sorted(self.state.transfers.values(), key=lambda row: row[0], reverse=True)
        transfers = [transfer for _, transfer in rows]
        if params.get("destination"):
            transfers = [t for t in transfers if t["destination"] == params["destination"]]
        if params.get("transfer_group"):
            transfers = [t for t in transfers if t["transfer_group"] == params["transfer_group"]]
        created = params.get("created")
        if isinstance(created, str):
            transfers = [t for t in transfers if t["created"] == int(created)]
        elif isinstance(created, dict):
            checks = {
                "gt": lambda a, b: a > b,
                "gte": lambda a, b: a >= b,
                "lt": lambda a, b: a < b,
                "lte": lambda a, b: a <= b,
            }
            for op, bound in created.items():
                transfers = [t for t in transfers if checks[op](t["created"], int(bound))]
        cursor = params.get("starting_after")
        if cursor:
            ids = [t["id"] for t in transfers]
            if cursor not in self.state.transfers:
                raise StripeError(
                    400,
                    f"No such transfer: '{cursor}'",
                    code="resource_missing",
                    param="starting_after",
                )
            transfers = transfers[ids.index(cursor) + 1 :] if cursor in ids else []
        page = transfers[:limit]
        return {
            "object": "list",
            "url": "/v1/transfers",
            "has_more": len(transfers) > limit,
            "data": page,
        }

    def _reverse(self, transfer_id: str, params: dict, request_id: str | None) -> dict:
        transfer = self._transfer(transfer_id)
        remaining = transfer["amount"] - transfer["amount_reversed"]
        amount = int(params.get("amount") or remaining)
        if amount < 1 or amount > remaining:
            raise StripeError(
                400,
                f"You can only reverse up to {remaining} of this transfer.",
                code="parameter_invalid_integer",
                param="amount",
                stored=True,
            )
        reversal = {
            "id": "trr_" + _token(24),
            "object": "transfer_reversal",
            "amount": amount,
            "balance_transaction": "txn_" + _token(24),
            "created": self.now(),
            "currency": transfer["currency"],
            "destination_payment_refund": "pyr_" + _token(24),
            "metadata": params.get("metadata", {}),
            "source_refund": None,
            "transfer": transfer_id,
        }
        transfer["amount_reversed"] += amount
        transfer["reversed"] = transfer["amount_reversed"] == transfer["amount"]
        transfer["reversals"]["data"].insert(0, reversal)
        transfer["reversals"]["total_count"] += 1
        self.state.balance[transfer["currency"]] += amount
        self._emit("transfer.reversed", transfer, request_id=request_id)
        return reversal

    def _reversal_list(self, transfer_id: str) -> dict:
        transfer = self._transfer(transfer_id)
        return {
            "object": "list",
            "url": f"/v1/transfers/{transfer_id}/reversals",
            "has_more": False,
            "data": list(transfer["reversals"]["data"]),
        }


def _empty_list(url: str) -> dict:
    return {"object": "list", "data": [], "has_more": False, "total_count": 0, "url": url}


def _requirements(due: list[str]) -> dict:
    return {
        "alternatives": [],
        "current_deadline": None,
        "currently_due": list(due),
        "disabled_reason": None,
        "errors": [],
        "eventually_due": list(due),
        "past_due": list(due),
        "pending_verification": [],
    }


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # Resets and stalls are deliberate; a client that hung up is not an error here.
        pass


class _Handler(BaseHTTPRequestHandler):
    app: ConnectServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def _params(self) -> tuple[str, dict]:
        parts = urlsplit(self.path)
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            pairs += parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True)
        return parts.path, parse_form(pairs)

    def _answer(self, method: str) -> None:
        path, params = self._params()
        if method == "GET" and path.startswith("/setup/e/"):
            target = self.app.follow_link(path.rsplit("/", 1)[-1])
            self.send_response(302 if target else 404)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        try:
            status, body, extra = self.app.handle(method, path, params, self.headers)
        except _Reset:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self):
        self._answer("GET")

    def do_POST(self):
        self._answer("POST")

    def do_DELETE(self):
        self._answer("DELETE")

    def finish(self):
        # The client may have gone (a reset or a stall past its timeout).
        with contextlib.suppress(OSError):
            super().finish()
