"""Keeping the Connect test server honest: its answers have the shapes of Stripe's documented
objects (tests/payouts/fixtures/connect_*.json, from Stripe's API reference) and follow
Stripe's documented idempotency, listing and signing rules."""

import json
from pathlib import Path

import pytest
import stripe

from tests.stripe_connect_server import ConnectServer

FIXTURES = Path(__file__).parent / "fixtures"


def _fixture(name: str) -> dict:
    return json.loads((FIXTURES / f"connect_{name}.json").read_text())


def _shape_differences(expected, actual, path="") -> list[str]:
    """Where `actual` lacks a key of `expected` or has another JSON type (null matches any)."""
    if expected is None or actual is None or path.endswith(".metadata"):
        return []  # null stands for any type; metadata holds whatever the caller set
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: dict expected, got {type(actual).__name__}"]
        problems = [f"{path}.{key}: missing" for key in expected if key not in actual]
        problems += [f"{path}.{key}: not Stripe's" for key in actual if key not in expected]
        for key in expected:
            if key in actual:
                problems += _shape_differences(expected[key], actual[key], f"{path}.{key}")
        return problems
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [f"{path}: list expected"]
        if expected and actual:
            return _shape_differences(expected[0], actual[0], f"{path}[0]")
        return []
    if isinstance(expected, bool) != isinstance(actual, bool) or not isinstance(
        actual, type(expected)
    ):
        return [f"{path}: {type(expected).__name__} expected, got {type(actual).__name__}"]
    return []


@pytest.fixture
def server():
    with ConnectServer() as running:
        yield running


@pytest.fixture
def client(server):
    return stripe.StripeClient(
        "sk_test_shape", base_addresses={"api": server.url}, max_network_retries=0
    )


def _account(server, client, *, onboarded=True) -> str:
    account = client.v1.accounts.create(params={"type": "express", "email": "w@example.org"})
    if onboarded:
        server.complete_onboarding(account.id)
    return account.id


def test_objects_have_the_shapes_of_stripes_fixtures(server, client):
    account_id = _account(server, client, onboarded=False)
    account = client.v1.accounts.retrieve(account_id).to_dict()
    link = client.v1.account_links.create(
        params={
            "account": account_id,
            "type": "account_onboarding",
            "return_url": "https://x/r",
            "refresh_url": "https://x/f",
        }
    ).to_dict()
    server.complete_onboarding(account_id)
    transfer = client.v1.transfers.create(
        params={
            "amount": 400,
            "currency": "usd",
            "destination": account_id,
            "metadata": {"payout_line": "42"},
        },
        options={"idempotency_key": "shape-1"},
    ).to_dict()
    listed = client.v1.transfers.list(params={"limit": 3}).to_dict()
    reversal = client.v1.transfers.reversals.create(transfer["id"], params={}).to_dict()
    events = {event["type"]: event for event in server.take_events()}

    for name, actual in [
        ("account", account),
        ("account_link", link),
        ("transfer", transfer),
        ("transfer_list", listed),
        ("transfer_reversal", reversal),
        ("event_transfer_created", events["transfer.created"]),
        ("event_account_updated", events["account.updated"]),
    ]:
        assert _shape_differences(_fixture(name), actual, name) == []


def test_errors_have_stripes_shape(server, client):
    account_id = _account(server, client)
    server.set_balance(10)
    params = {"amount": 400, "currency": "usd", "destination": account_id}

    with pytest.raises(stripe.InvalidRequestError) as short:
        client.v1.transfers.create(params=params, options={"idempotency_key": "k"})
    with pytest.raises(stripe.IdempotencyError) as reused:
        client.v1.transfers.create(
            params={**params, "amount": 401}, options={"idempotency_key": "k"}
        )

    assert short.value.http_status == 400
    assert short.value.code == "balance_insufficient"
    assert (
        _shape_differences(
            _fixture("error_balance_insufficient")["error"],
            {**short.value.json_body["error"], "request_log_url": "x"},
        )
        == []
    )
    assert reused.value.http_status == 400
    assert reused.value.json_body["error"]["type"] == "idempotency_error"
    assert reused.value.json_body["error"]["message"] == _fixture("error_idempotency")["error"][
        "message"
    ].replace("loopwork-payout-line-42", "k")


def test_idempotency_replays_the_first_answer_including_a_stored_error(server, client):
    account_id = _account(server, client)
    server.set_balance(100)
    params = {"amount": 400, "currency": "usd", "destination": account_id}
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.transfers.create(params=params, options={"idempotency_key": "k"})
    server.set_balance(10_000)

    # the same key and parameters get the stored error, even though the balance is enough now
    with pytest.raises(stripe.InvalidRequestError) as replayed:
        client.v1.transfers.create(params=params, options={"idempotency_key": "k"})
    made = client.v1.transfers.create(params=params, options={"idempotency_key": "k2"})
    again = client.v1.transfers.create(params=params, options={"idempotency_key": "k2"})

    assert replayed.value.code == "balance_insufficient"
    assert replayed.value.headers["Idempotent-Replayed"] == "true"
    assert again.id == made.id
    assert server.balance() == 10_000 - 400
    assert len(server.state.transfers) == 1


def test_parameter_errors_store_nothing_under_the_key(server, client):
    account_id = _account(server, client)
    with pytest.raises(stripe.InvalidRequestError) as missing:
        client.v1.transfers.create(
            params={"currency": "usd", "destination": account_id}, options={"idempotency_key": "k"}
        )

    made = client.v1.transfers.create(
        params={"amount": 5, "currency": "usd", "destination": account_id},
        options={"idempotency_key": "k"},
    )

    assert missing.value.code == "parameter_missing"
    assert made.amount == 5


def test_injected_500s_stored_or_not(server, client):
    account_id = _account(server, client)
    params = {"amount": 5, "currency": "usd", "destination": account_id}
    server.faults.fail_next = 1
    with pytest.raises(stripe.APIError):
        client.v1.transfers.create(params=params, options={"idempotency_key": "edge"})
    made = client.v1.transfers.create(params=params, options={"idempotency_key": "edge"})
    server.faults.fail_next = 1
    server.faults.fail_stored = True
    with pytest.raises(stripe.APIError):
        client.v1.transfers.create(params=params, options={"idempotency_key": "stored"})

    with pytest.raises(stripe.APIError) as replayed:
        client.v1.transfers.create(params=params, options={"idempotency_key": "stored"})

    assert made.amount == 5
    assert replayed.value.headers["Stripe-Should-Retry"] == "false"
    assert len(server.state.transfers) == 1


def test_list_filters_and_pages_like_stripe(server, client):
    first = _account(server, client)
    second = _account(server, client)
    made = []
    for index in range(5):
        server.advance_clock(10)
        made.append(
            client.v1.transfers.create(
                params={"amount": 10 + index, "currency": "usd", "destination": first}
            )
        )
    other = client.v1.transfers.create(
        params={"amount": 99, "currency": "usd", "destination": second}
    )

    page = client.v1.transfers.list(params={"destination": first, "limit": 2})
    every = [t.id for t in page.auto_paging_iter()]
    since = client.v1.transfers.list(params={"created": {"gte": made[3].created}, "limit": 100})
    after = client.v1.transfers.list(params={"starting_after": made[4].id, "limit": 1})

    assert page.has_more is True
    assert every == [t.id for t in reversed(made)]
    assert [t.id for t in since.data] == [other.id, made[4].id, made[3].id]
    assert [t.id for t in after.data] == [made[3].id]


def test_events_are_signed_as_stripe_signs_them(server, client):
    account_id = _account(server, client)
    client.v1.transfers.create(params={"amount": 5, "currency": "usd", "destination": account_id})
    updated, created = server.take_events()

    body, signature = server.signed(created)
    connect_body, connect_signature = server.signed(updated)

    event = stripe.Webhook.construct_event(body, signature, server.webhook_secret)
    assert event["type"] == "transfer.created"
    assert (
        stripe.Webhook.construct_event(
            connect_body, connect_signature, server.connect_webhook_secret
        )["account"]
        == account_id
    )
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(connect_body, connect_signature, server.webhook_secret)
