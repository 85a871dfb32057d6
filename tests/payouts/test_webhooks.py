import json
import time
from pathlib import Path

import pytest

from accounts.models import Notification
from payouts import funding, webhooks
from payouts.models import LedgerTransaction, PayoutAccount, StripeEvent, TopUp
from payouts.stripe_gateway import PaymentIntent, Refund
from tests.factories import MembershipFactory, WorkerFactory
from tests.payouts.conftest import CONNECT_SECRET, PLATFORM_SECRET, post_event, sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def deliver(client, webhook_secrets, django_capture_on_commit_callbacks):
    """POST a signed event; its on_commit callbacks (the eager task) run as a commit would."""

    def send(event, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return post_event(client, event, **kwargs)

    return send


FIXTURES = Path(__file__).parent / "fixtures"


def _top_up(amount_cents=25000, intent_id="pi_hook_1") -> TopUp:
    membership = MembershipFactory()
    return TopUp.objects.create(
        company=membership.company,
        created_by=membership.user,
        amount_cents=amount_cents,
        currency="USD",
        payment_intent_id=intent_id,
    )


def _event(top_up: TopUp, event_type="payment_intent.succeeded", event_id="evt_1", **intent):
    event = json.loads((FIXTURES / "payment_intent_succeeded_event.json").read_text())
    event["id"] = event_id
    event["type"] = event_type
    event["created"] = int(time.time())
    obj = event["data"]["object"]
    obj.update(
        id=top_up.payment_intent_id,
        amount=top_up.amount_cents,
        amount_received=top_up.amount_cents,
        metadata={"loopwork_top_up": str(top_up.pk), "loopwork_company": str(top_up.company_id)},
    )
    if event_type != "payment_intent.succeeded":
        obj.update(
            status="requires_payment_method",
            amount_received=0,
            last_payment_error={"message": "Your card was declined."},
        )
    obj.update(intent)
    return event


def _balance(top_up: TopUp) -> int:
    return funding.company_balance_cents(top_up.company_id)


# Forgery: nothing is written for a request Stripe did not sign.


def test_a_signed_event_is_stored_and_processed_once(deliver):
    top_up = _top_up()

    response = deliver(_event(top_up))

    assert response.status_code == 200
    stored = StripeEvent.objects.get()
    assert (stored.event_id, stored.type, stored.status, stored.attempts) == (
        "evt_1",
        "payment_intent.succeeded",
        "processed",
        1,
    )
    top_up.refresh_from_db()
    assert top_up.status == "succeeded"
    assert _balance(top_up) == 25000


def _forged_requests(top_up: TopUp):
    payload = json.dumps(_event(top_up)).encode()
    tampered = payload.replace(b'"amount": 25000', b'"amount": 99999')
    stale = int(time.time()) - 301
    return {
        "wrong secret": (payload, sign(payload, "whsec_someone_else")),
        "tampered body": (tampered, sign(payload, PLATFORM_SECRET)),
        "stale timestamp": (payload, sign(payload, PLATFORM_SECRET, timestamp=stale)),
        "missing header": (payload, None),
        "connect secret on a platform event": (payload, sign(payload, CONNECT_SECRET)),
        "garbage header": (payload, "t=abc,v1=zzz"),
    }


@pytest.mark.parametrize(
    "case",
    [
        "wrong secret",
        "tampered body",
        "stale timestamp",
        "missing header",
        "connect secret on a platform event",
        "garbage header",
    ],
)
def test_forged_webhooks_are_refused_and_write_nothing(client, webhook_secrets, case):
    top_up = _top_up()
    payload, signature = _forged_requests(top_up)[case]
    headers = {"Stripe-Signature": signature} if signature else {}

    response = client.post(
        "/stripe/webhook/", payload, content_type="application/json", headers=headers
    )

    assert response.status_code == 400
    assert not StripeEvent.objects.exists()
    assert not LedgerTransaction.objects.exists()
    top_up.refresh_from_db()
    assert top_up.status == "created"


def test_webhooks_are_refused_when_no_secret_is_configured(client, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    top_up = _top_up()

    response = post_event(client, _event(top_up), secret="whsec_anything")

    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


def test_get_is_not_allowed(client):
    assert client.get("/stripe/webhook/").status_code == 405


def test_connected_account_events_need_the_connect_secret(deliver):
    event = {
        "id": "evt_connect_1",
        "object": "event",
        "account": "acct_1Worker",
        "type": "balance.available",
        "created": int(time.time()),
        "livemode": False,
        "data": {"object": {"id": "acct_1Worker", "object": "account"}},
    }

    forged = deliver(event, secret=PLATFORM_SECRET)
    accepted = deliver(event, secret=CONNECT_SECRET)

    assert forged.status_code == 400
    assert accepted.status_code == 200
    stored = StripeEvent.objects.get()
    assert (stored.account, stored.status) == ("acct_1Worker", "ignored")


# Replay and reordering.


def test_the_same_event_twice_is_processed_once(deliver):
    top_up = _top_up()
    event = _event(top_up)

    first = deliver(event)
    again = deliver(event)

    assert (first.status_code, again.status_code) == (200, 200)
    assert again.content == b"duplicate"
    assert StripeEvent.objects.get().attempts == 1
    assert LedgerTransaction.objects.filter(kind="top_up").count() == 1
    assert _balance(top_up) == 25000


def test_two_events_for_one_payment_credit_it_once(deliver):
    top_up = _top_up()

    deliver(_event(top_up, event_id="evt_a"))
    deliver(_event(top_up, event_id="evt_b"))

    assert list(StripeEvent.objects.values_list("status", flat=True)) == [
        "processed",
        "processed",
    ]
    assert _balance(top_up) == 25000


def test_failure_after_success_does_not_move_the_top_up_back(deliver):
    top_up = _top_up()

    deliver(_event(top_up, event_id="evt_ok"))
    deliver(_event(top_up, "payment_intent.payment_failed", event_id="evt_late"))

    top_up.refresh_from_db()
    assert top_up.status == "succeeded"
    assert top_up.failure_message == ""
    assert StripeEvent.objects.get(event_id="evt_late").status == "ignored"
    assert _balance(top_up) == 25000


def test_success_after_an_earlier_decline_credits_the_payment(deliver):
    top_up = _top_up()

    deliver(_event(top_up, "payment_intent.payment_failed", event_id="evt_no"))
    top_up.refresh_from_db()
    assert (top_up.status, top_up.failure_message) == ("failed", "Your card was declined.")
    deliver(_event(top_up, event_id="evt_yes"))

    top_up.refresh_from_db()
    assert top_up.status == "succeeded"
    assert _balance(top_up) == 25000


def test_an_amount_that_differs_from_the_top_up_is_recorded_never_credited(deliver):
    top_up = _top_up()

    response = deliver(_event(top_up, amount=1, amount_received=1))

    assert response.status_code == 200
    stored = StripeEvent.objects.get()
    assert stored.status == "failed"
    assert stored.error.startswith(webhooks.MISMATCH)
    assert "Stripe received 1 USD" in stored.error
    top_up.refresh_from_db()
    assert top_up.status == "created"
    assert _balance(top_up) == 0
    # The sweep never retries a contradiction.
    assert webhooks.stripe_events_redrive() == 0


def test_events_about_payments_that_are_not_ours_are_ignored(deliver):
    top_up = _top_up()
    event = _event(top_up, id="pi_someone_else", metadata={})

    deliver(event)

    assert StripeEvent.objects.get().status == "ignored"
    assert _balance(top_up) == 0


def test_a_top_up_whose_intent_id_was_never_saved_is_found_by_its_metadata(deliver):
    top_up = _top_up(intent_id=None)
    event = _event(top_up, id="pi_saved_by_stripe_only")

    deliver(event)

    top_up.refresh_from_db()
    assert (top_up.status, top_up.payment_intent_id) == ("succeeded", "pi_saved_by_stripe_only")


# Failures: recorded, retried, never half-applied.


def test_a_handler_error_is_recorded_as_failed_and_retried(deliver, monkeypatch):
    top_up = _top_up()
    real = funding.handle_payment_intent_succeeded
    calls = []

    def flaky(event):
        calls.append(event["id"])
        if len(calls) == 1:
            raise ConnectionError("database went away")
        return real(event)

    monkeypatch.setitem(webhooks.HANDLERS, "payment_intent.succeeded", flaky)

    response = deliver(_event(top_up))

    assert response.status_code == 200
    assert calls == ["evt_1", "evt_1"]
    stored = StripeEvent.objects.get()
    assert (stored.status, stored.attempts, stored.error) == ("processed", 2, "")
    assert _balance(top_up) == 25000


def test_a_failing_handler_leaves_nothing_half_done_and_the_sweep_retries_it(
    webhook_secrets, monkeypatch, django_capture_on_commit_callbacks
):
    top_up = _top_up()

    def broken(event):
        funding.handle_payment_intent_succeeded(event)
        raise RuntimeError("crashed after crediting")

    monkeypatch.setitem(webhooks.HANDLERS, "payment_intent.succeeded", broken)
    with django_capture_on_commit_callbacks(execute=False):
        stored, _ = webhooks.stripe_event_accept(event=_event(top_up))

    with pytest.raises(webhooks.EventFailed):
        webhooks.stripe_event_process(event_pk=stored.pk)

    stored.refresh_from_db()
    assert (stored.status, stored.attempts) == ("failed", 1)
    assert stored.error == "RuntimeError: crashed after crediting"
    assert _balance(top_up) == 0
    top_up.refresh_from_db()
    assert top_up.status == "created"

    monkeypatch.undo()
    assert webhooks.stripe_events_redrive() == 1
    stored.refresh_from_db()
    assert (stored.status, stored.attempts) == ("processed", 2)
    assert _balance(top_up) == 25000


def test_a_lost_task_is_found_by_the_sweep(webhook_secrets, django_capture_on_commit_callbacks):
    top_up = _top_up()
    with django_capture_on_commit_callbacks(execute=False):
        stored, _ = webhooks.stripe_event_accept(event=_event(top_up))
    assert StripeEvent.objects.get().status == "received"

    assert webhooks.stripe_events_redrive() == 0
    later = stored.received_at + webhooks.STALE_AFTER
    assert webhooks.stripe_events_redrive(now=later) == 1

    assert StripeEvent.objects.get().status == "processed"
    assert _balance(top_up) == 25000


def test_processing_a_processed_event_again_changes_nothing(webhook_secrets):
    top_up = _top_up()
    stored, _ = webhooks.stripe_event_accept(event=_event(top_up))
    assert webhooks.stripe_event_process(event_pk=stored.pk) == "processed"

    assert webhooks.stripe_event_process(event_pk=stored.pk) == "processed"
    stored.refresh_from_db()
    assert stored.attempts == 1
    assert LedgerTransaction.objects.count() == 1


def test_unknown_event_types_are_stored_and_ignored(deliver):
    top_up = _top_up()
    event = _event(top_up, event_type="customer.created", event_id="evt_other")
    event["data"]["object"] = {"id": "cus_1", "object": "customer"}

    deliver(event)

    assert StripeEvent.objects.get().status == "ignored"


# A worker's bank refusing Stripe's payout.


def _payout_failed_event(account_id: str) -> dict:
    event = json.loads((FIXTURES / "connect_event_payout_failed.json").read_text())
    event["account"] = account_id
    event["created"] = int(time.time())
    return event


def test_a_failed_bank_payout_tells_the_worker_once_and_moves_no_money(deliver):
    worker = WorkerFactory()
    PayoutAccount.objects.create(
        worker=worker, stripe_account_id="acct_1Bank", details_submitted=True, payouts_enabled=True
    )
    event = _payout_failed_event("acct_1Bank")

    first = deliver(event, secret=CONNECT_SECRET)
    again = deliver(event, secret=CONNECT_SECRET)

    assert (first.status_code, again.status_code) == (200, 200)
    assert StripeEvent.objects.get().status == "processed"
    notice = Notification.objects.get(user=worker)
    assert notice.kind == "bank_payout_failed"
    assert notice.title == "Your bank could not receive $32.50"
    assert "The bank account has been closed." in notice.body
    assert notice.link == "/work/payouts/"
    assert not LedgerTransaction.objects.exists()


def test_a_failed_bank_payout_of_an_unknown_account_is_ignored(deliver):
    worker = WorkerFactory()

    deliver(_payout_failed_event("acct_1Unknown"), secret=CONNECT_SECRET)

    assert StripeEvent.objects.get().status == "ignored"
    assert not Notification.objects.filter(user=worker).exists()


def test_a_signed_body_that_is_not_an_event_is_refused(client, webhook_secrets):
    payload = b'{"hello": "world"}'
    response = client.post(
        "/stripe/webhook/",
        payload,
        content_type="application/json",
        headers={"Stripe-Signature": sign(payload, PLATFORM_SECRET)},
    )

    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


def test_fixture_events_parse_as_stripe_sends_them():
    succeeded = json.loads((FIXTURES / "payment_intent_succeeded_event.json").read_text())
    failed = json.loads((FIXTURES / "payment_intent_payment_failed_event.json").read_text())
    refund = json.loads((FIXTURES / "refund.json").read_text())
    refund_failed = json.loads((FIXTURES / "refund_failed_event.json").read_text())
    intent = PaymentIntent.from_stripe(succeeded["data"]["object"])
    assert (intent.id, intent.status, intent.amount_cents, intent.amount_received_cents) == (
        "pi_3PfixtureIntent0001",
        "succeeded",
        25000,
        25000,
    )
    assert (intent.currency, intent.metadata["loopwork_top_up"]) == ("USD", "1")
    declined = PaymentIntent.from_stripe(failed["data"]["object"])
    assert (declined.status, declined.last_error) == (
        "requires_payment_method",
        "Your card was declined.",
    )
    parsed = Refund.from_stripe(refund)
    assert (parsed.id, parsed.status, parsed.amount_cents, parsed.payment_intent_id) == (
        "re_3PfixtureRefund0001",
        "succeeded",
        5000,
        "pi_3PfixtureIntent0001",
    )
    failed_refund = Refund.from_stripe(refund_failed["data"]["object"])
    assert (failed_refund.status, failed_refund.failure_reason) == (
        "failed",
        "expired_or_canceled_card",
    )
    for event in (succeeded, failed, refund_failed):
        assert set(event) >= {"id", "object", "type", "created", "livemode", "data"}
        assert event["type"] in webhooks.HANDLERS
