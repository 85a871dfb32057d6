"""Connect Express payout accounts: created once, and `account.updated` never moving backwards."""

import datetime

import pytest
from django.utils import timezone

from core.errors import LoopworkError
from payouts.models import PayoutAccount
from payouts.payout_accounts import (
    handle_account_updated,
    payout_account_ensure,
    payout_account_onboarding_link,
    payout_account_sync,
)
from payouts.stripe_gateway import webhook_event_verify
from tests.factories import CompanyUserFactory, WorkerFactory
from tests.stripe_connect_server.testing import connect_gateway

pytestmark = pytest.mark.django_db


@pytest.fixture
def connect():
    with connect_gateway() as (server, _gateway):
        yield server


def _deliver(server, *, order="emitted"):
    """Deliver the server's events, verified with the Connect secret, to our handler."""
    outcomes = []

    def sink(body: bytes, headers: dict) -> int:
        event = webhook_event_verify(
            payload=body,
            signature=headers["Stripe-Signature"],
            secret=server.connect_webhook_secret,
        )
        outcomes.append(handle_account_updated(event))
        return 200

    server.webhook_sink = sink
    server.deliver_events(order=order)
    return outcomes


def test_account_is_created_once_per_worker_even_when_our_row_is_lost(connect):
    worker = WorkerFactory()
    first = payout_account_ensure(worker=worker)
    again = payout_account_ensure(worker=worker)
    stripe_id = first.stripe_account_id
    # a request that created the Stripe account but died before our row was written
    PayoutAccount.objects.all().delete()

    recreated = payout_account_ensure(worker=worker)

    assert again.pk == first.pk
    assert recreated.stripe_account_id == stripe_id
    assert len(connect.state.accounts) == 1
    posts = [r for r in connect.requests if r.path == "/v1/accounts"]
    assert [r.idempotency_key for r in posts] == [f"loopwork-connect-account-{worker.pk}"] * 2
    assert [r.replayed for r in posts] == [False, True]
    assert posts[0].params["type"] == "express"
    assert posts[0].params["capabilities"] == {"transfers": {"requested": "true"}}


def test_only_workers_get_payout_accounts(connect):
    with pytest.raises(LoopworkError) as refused:
        payout_account_ensure(worker=CompanyUserFactory())

    assert refused.value.code == "not_a_worker"
    assert PayoutAccount.objects.count() == 0
    assert connect.requests == []


def test_account_updated_enables_payouts(connect):
    worker = WorkerFactory()
    account = payout_account_ensure(worker=worker)
    connect.advance_clock(5)
    connect.complete_onboarding(account.stripe_account_id)

    assert _deliver(connect) == ["updated"]

    account.refresh_from_db()
    assert (account.details_submitted, account.payouts_enabled) == (True, True)


def test_an_older_account_updated_arriving_late_changes_nothing(connect):
    # given onboarding completed, then later Stripe disabled payouts (a verification failed)
    worker = WorkerFactory()
    account = payout_account_ensure(worker=worker)
    connect.advance_clock(5)
    connect.complete_onboarding(account.stripe_account_id)
    connect.advance_clock(60)
    connect.update_account(
        account.stripe_account_id,
        details_submitted=True,
        payouts_enabled=False,
        transfers="inactive",
    )

    # when the events arrive newest first
    outcomes = _deliver(connect, order="reversed")

    # then the older "enabled" event is ignored
    assert outcomes == ["updated", "stale"]
    account.refresh_from_db()
    assert (account.details_submitted, account.payouts_enabled) == (True, False)


def test_return_page_state_is_not_undone_by_an_event_created_before_it(connect):
    worker = WorkerFactory()
    account = payout_account_ensure(worker=worker)
    connect.complete_onboarding(account.stripe_account_id)
    connect.state.outbox[0]["created"] -= 30  # Stripe made the event before our re-read

    payout_account_sync(worker=worker)
    stale_event_state = dict(connect.state.outbox[0]["data"]["object"], payouts_enabled=False)
    connect.state.outbox[0]["data"]["object"] = stale_event_state

    assert _deliver(connect) == ["stale"]
    account.refresh_from_db()
    assert account.payouts_enabled is True


def test_account_updated_for_an_unknown_account_is_ignored(connect):
    event = {
        "id": "evt_1",
        "type": "account.updated",
        "created": int(timezone.now().timestamp()),
        "data": {"object": {"id": "acct_nobody", "details_submitted": True}},
    }

    assert handle_account_updated(event) == "unknown_account"
    assert PayoutAccount.objects.count() == 0


def test_onboarding_link_is_fresh_each_time(connect):
    worker = WorkerFactory()

    first = payout_account_onboarding_link(
        worker=worker, return_url="https://x/return", refresh_url="https://x/refresh"
    )
    second = payout_account_onboarding_link(
        worker=worker, return_url="https://x/return", refresh_url="https://x/refresh"
    )

    assert first != second
    links = [r.params for r in connect.requests if r.path == "/v1/account_links"]
    assert links[0] == {
        "account": PayoutAccount.objects.get().stripe_account_id,
        "refresh_url": "https://x/refresh",
        "return_url": "https://x/return",
        "type": "account_onboarding",
    }
    assert PayoutAccount.objects.get().stripe_updated_at <= timezone.now()
    assert PayoutAccount.objects.get().created_at > timezone.now() - datetime.timedelta(minutes=1)
