import pytest

from core.errors import LoopworkError
from payouts import funding, ledger, stripe_gateway, webhooks
from payouts.models import LedgerAccount, LedgerTransaction, Refund, StripeEvent, TopUp
from payouts.stripe_gateway import GatewayError, OfflineGateway, use_gateway
from tests.factories import MembershipFactory, fund_company

pytestmark = [
    pytest.mark.django_db,
    # localstripe registers plain functions as aiohttp handlers.
    pytest.mark.filterwarnings("ignore:Bare functions are deprecated:DeprecationWarning"),
]

CLEARING = ledger.platform(LedgerAccount.Kind.PLATFORM_STRIPE_CLEARING)


@pytest.fixture
def owner(settings):
    settings.STRIPE_SECRET_KEY = ""
    return MembershipFactory(role="owner")


def _pay_offline(start: funding.TopUpStart, *, succeed=True) -> TopUp:
    event = funding.topup_test_event(top_up=start.top_up, succeed=succeed)
    stored, _ = webhooks.stripe_event_accept(event=event)
    webhooks.stripe_event_process(event_pk=stored.pk)
    return TopUp.objects.get(pk=start.top_up.pk)


# Offline test mode: the same handler path as Stripe's webhook.


def test_offline_top_up_is_credited_by_its_synthetic_event_once(owner):
    start = funding.topup_create(company=owner.company, user=owner.user, amount_cents=25000)

    assert start.top_up.status == "created"
    assert start.top_up.test_mode is True
    assert funding.company_balance_cents(owner.company_id) == 0
    top_up = _pay_offline(start)

    assert top_up.status == "succeeded"
    assert top_up.payment_intent_id.startswith("pi_test_")
    assert funding.company_balance_cents(owner.company_id) == 25000
    assert ledger.balance_of(CLEARING) == -25000
    posted = LedgerTransaction.objects.get(idempotency_key=f"top_up:{top_up.pk}")
    assert (posted.kind, posted.description, posted.link) == (
        "top_up",
        "Card top-up (test mode)",
        f"/company/billing/top-ups/{top_up.pk}/",
    )
    event = StripeEvent.objects.get()
    assert (event.type, event.status) == ("payment_intent.succeeded", "processed")
    with pytest.raises(LoopworkError) as refused:
        funding.topup_test_event(top_up=top_up, succeed=True)
    assert refused.value.code == "not_payable"


def test_offline_declined_payment_is_recorded_and_credits_nothing(owner):
    start = funding.topup_create(company=owner.company, user=owner.user, amount_cents=25000)

    top_up = _pay_offline(start, succeed=False)

    assert top_up.status == "failed"
    assert "declined" in top_up.failure_message
    assert funding.company_balance_cents(owner.company_id) == 0
    assert not LedgerTransaction.objects.exists()


@pytest.mark.parametrize("amount", [999, 5_000_001, 0, -100])
def test_top_up_amounts_outside_the_limits_are_refused(owner, amount):
    with pytest.raises(LoopworkError) as refused:
        funding.topup_create(company=owner.company, user=owner.user, amount_cents=amount)

    assert (refused.value.code, refused.value.field) == ("invalid_amount", "amount")
    assert not TopUp.objects.exists()


def test_reviewers_and_other_companies_cannot_top_up(owner):
    reviewer = MembershipFactory(company=owner.company, role="reviewer")
    stranger = MembershipFactory()

    for user in (reviewer.user, stranger.user):
        with pytest.raises(LoopworkError) as refused:
            funding.topup_create(company=owner.company, user=user, amount_cents=25000)
        assert refused.value.status == 403
    assert not TopUp.objects.exists()


def test_a_stripe_refusal_marks_the_top_up_failed(owner):
    class Refusing(OfflineGateway):
        offline = False
        test_mode = True

        def payment_intent_create(self, **kwargs):
            raise GatewayError("Stripe is down", code="stripe_unavailable", retryable=True)

    with use_gateway(Refusing()), pytest.raises(GatewayError):
        funding.topup_create(company=owner.company, user=owner.user, amount_cents=25000)

    top_up = TopUp.objects.get()
    assert (top_up.status, top_up.failure_message) == ("failed", "Stripe is down")


# Escrow.


def test_escrow_reserve_moves_the_budget_once_per_key():
    fund_company(5, 10_000)

    first = funding.escrow_reserve(
        project_id=9,
        company_id=5,
        amount_cents=6_000,
        currency="USD",
        key="escrow:project:9:launch",
        project_title="Cats",
    )
    again = funding.escrow_reserve(
        project_id=9,
        company_id=5,
        amount_cents=6_000,
        currency="USD",
        key="escrow:project:9:launch",
        project_title="Cats",
    )

    assert again.pk == first.pk
    assert funding.company_balance_cents(5) == 4_000
    assert funding.escrow_cents(9) == 6_000
    assert (first.source_key, first.source_label) == ("project:9", "Cats")


def test_escrow_reserve_refuses_with_the_amounts_and_writes_nothing():
    fund_company(5, 1_000)

    with pytest.raises(LoopworkError) as refused:
        funding.escrow_reserve(
            project_id=9,
            company_id=5,
            amount_cents=6_000,
            currency="USD",
            key="k",
            project_title="Cats",
            breakdown="50 answers at $1.20 each",
        )

    assert (refused.value.code, refused.value.status) == ("insufficient_balance", 409)
    assert refused.value.message == (
        "Reserving the budget of “Cats” needs $60 (50 answers at $1.20 each), but your company "
        "balance is $10. Add at least $50 on the Billing page."
    )
    assert funding.company_balance_cents(5) == 1_000
    assert funding.escrow_cents(9) == 0


def test_escrow_release_keeps_what_is_asked_and_is_idempotent():
    fund_company(5, 10_000)
    funding.escrow_reserve(
        project_id=9,
        company_id=5,
        amount_cents=6_000,
        currency="USD",
        key="r",
        project_title="Cats",
    )

    released = funding.escrow_release(
        project_id=9,
        company_id=5,
        keep_cents=1_500,
        key="escrow:project:9:complete",
        project_title="Cats",
    )
    again = funding.escrow_release(
        project_id=9,
        company_id=5,
        keep_cents=0,
        key="escrow:project:9:complete",
        project_title="Cats",
    )
    nothing = funding.escrow_release(
        project_id=9, company_id=5, keep_cents=1_500, key="other", project_title="Cats"
    )

    assert (released, again, nothing) == (4_500, 4_500, 0)
    assert funding.escrow_cents(9) == 1_500
    assert funding.company_balance_cents(5) == 8_500


# Refunds.


def _funded(owner, *amounts) -> list[TopUp]:
    top_ups = []
    for amount in amounts:
        start = funding.topup_create(company=owner.company, user=owner.user, amount_cents=amount)
        top_ups.append(_pay_offline(start))
    return top_ups


def test_refund_takes_unused_balance_back_newest_top_up_first(
    owner, django_capture_on_commit_callbacks
):
    older, newer = _funded(owner, 10_000, 3_000)

    with django_capture_on_commit_callbacks(execute=True):
        refunds = funding.refund_request(company=owner.company, user=owner.user, amount_cents=5_000)

    assert [(r.top_up_id, r.amount_cents) for r in refunds] == [
        (newer.pk, 3_000),
        (older.pk, 2_000),
    ]
    for refund in refunds:
        refund.refresh_from_db()
        assert refund.status == "succeeded"
        assert refund.stripe_refund_id.startswith("re_test_")
    assert funding.company_balance_cents(owner.company_id) == 8_000
    assert ledger.balance_of(CLEARING) == -8_000
    assert funding.refundable_cents(company=owner.company) == 8_000


def test_refund_of_more_than_the_balance_is_refused_and_changes_nothing(owner):
    _funded(owner, 10_000)
    fund_company(owner.company_id, 1)  # money that did not come from a card top-up

    with pytest.raises(LoopworkError) as refused:
        funding.refund_request(company=owner.company, user=owner.user, amount_cents=10_002)

    assert refused.value.code == "insufficient_balance"
    with pytest.raises(LoopworkError) as not_from_cards:
        funding.refund_request(company=owner.company, user=owner.user, amount_cents=10_001)
    assert not_from_cards.value.code == "nothing_to_refund"
    assert not Refund.objects.exists()
    assert funding.company_balance_cents(owner.company_id) == 10_001


def test_only_owners_request_refunds(owner):
    _funded(owner, 10_000)
    manager = MembershipFactory(company=owner.company, role="manager")

    with pytest.raises(LoopworkError) as refused:
        funding.refund_request(company=owner.company, user=manager.user, amount_cents=1_000)

    assert refused.value.status == 403
    assert not Refund.objects.exists()


def test_a_refused_refund_gives_the_money_back(owner, django_capture_on_commit_callbacks):
    _funded(owner, 10_000)

    class Refusing(OfflineGateway):
        def refund_create(self, **kwargs):
            raise GatewayError("The card was closed.", code="stripe_refused", status=400)

    with use_gateway(Refusing()), django_capture_on_commit_callbacks(execute=True):
        (refund,) = funding.refund_request(
            company=owner.company, user=owner.user, amount_cents=4_000
        )

    refund.refresh_from_db()
    assert (refund.status, refund.failure_message) == ("failed", "The card was closed.")
    assert funding.company_balance_cents(owner.company_id) == 10_000
    returned = LedgerTransaction.objects.get(idempotency_key=f"refund:{refund.pk}:returned")
    assert returned.reverses.idempotency_key == f"refund:{refund.pk}"
    assert funding.refundable_cents(company=owner.company) == 10_000


def test_a_transient_refund_failure_is_retried_with_the_same_key(
    owner, django_capture_on_commit_callbacks
):
    _funded(owner, 10_000)
    keys = []

    class Flaky(OfflineGateway):
        def refund_create(self, **kwargs):
            keys.append(kwargs["idempotency_key"])
            if len(keys) == 1:
                raise GatewayError("timeout", code="stripe_unavailable", retryable=True)
            return super().refund_create(**kwargs)

    with use_gateway(Flaky()), django_capture_on_commit_callbacks(execute=True):
        (refund,) = funding.refund_request(
            company=owner.company, user=owner.user, amount_cents=4_000
        )

    refund.refresh_from_db()
    assert refund.status == "succeeded"
    assert keys == [f"loopwork-refund-{refund.pk}"] * 2
    assert funding.company_balance_cents(owner.company_id) == 6_000


def test_a_late_refund_failed_event_gives_the_money_back_once(owner, webhook_secrets):
    _funded(owner, 10_000)
    with use_gateway(OfflineGateway()):
        (refund,) = funding.refund_request(
            company=owner.company, user=owner.user, amount_cents=4_000
        )
    funding.refund_send(refund_id=refund.pk)
    refund.refresh_from_db()
    event = {
        "id": "evt_refund_failed",
        "object": "event",
        "type": "refund.failed",
        "created": 1717190000,
        "livemode": False,
        "data": {
            "object": {
                "id": refund.stripe_refund_id,
                "object": "refund",
                "amount": 4_000,
                "currency": "usd",
                "status": "failed",
                "failure_reason": "expired_or_canceled_card",
                "metadata": {"loopwork_refund": str(refund.pk)},
            }
        },
    }

    for _ in range(2):
        stored, _created = webhooks.stripe_event_accept(event=event)
        webhooks.stripe_event_process(event_pk=stored.pk)

    refund.refresh_from_db()
    assert (refund.status, refund.failure_message) == ("failed", "expired_or_canceled_card")
    assert funding.company_balance_cents(owner.company_id) == 10_000


# Against Stripe's HTTP API (localstripe on loopback): the real stripe-python path.


def test_top_up_through_localstripe_is_credited_once_by_its_signed_webhook(
    client, stripe_live, django_capture_on_commit_callbacks
):
    owner = MembershipFactory(role="owner")
    start = funding.topup_create(company=owner.company, user=owner.user, amount_cents=12_345)
    top_up = start.top_up

    assert top_up.payment_intent_id.startswith("pi_")
    assert start.client_secret.startswith(f"{top_up.payment_intent_id}_secret_")
    assert top_up.test_mode is True
    assert funding.company_balance_cents(owner.company_id) == 0
    confirmed = stripe_live.confirm_with_card(top_up.payment_intent_id)
    assert confirmed.json()["status"] == "succeeded"
    delivery = stripe_live.wait_for("payment_intent.succeeded", top_up.payment_intent_id)

    for _ in range(2):  # Stripe may deliver an event more than once
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/stripe/webhook/",
                delivery.body,
                content_type="application/json",
                headers={"Stripe-Signature": delivery.signature},
            )
        assert response.status_code == 200

    top_up.refresh_from_db()
    assert top_up.status == "succeeded"
    assert funding.company_balance_cents(owner.company_id) == 12_345
    assert LedgerTransaction.objects.filter(kind="top_up").count() == 1
    assert StripeEvent.objects.get().status == "processed"


def test_same_idempotency_key_returns_the_same_intent_from_stripe(stripe_live):
    gateway = stripe_gateway.get_gateway()

    intent = gateway.payment_intent_create(
        amount_cents=5_000,
        currency="usd",
        idempotency_key="loopwork-top-up-test-1",
        metadata={"loopwork_top_up": "1"},
    )
    fetched = gateway.payment_intent_retrieve(payment_intent_id=intent.id)

    assert isinstance(gateway, stripe_gateway.StripeGateway)
    assert (fetched.id, fetched.amount_cents, fetched.currency, fetched.status) == (
        intent.id,
        5_000,
        "USD",
        "requires_payment_method",
    )
    assert fetched.metadata == {"loopwork_top_up": "1"}


def test_refund_through_localstripe(stripe_live, django_capture_on_commit_callbacks):
    owner = MembershipFactory(role="owner")
    start = funding.topup_create(company=owner.company, user=owner.user, amount_cents=10_000)
    stripe_live.confirm_with_card(start.top_up.payment_intent_id)
    event = stripe_live.wait_for("payment_intent.succeeded", start.top_up.payment_intent_id)
    stored, _ = webhooks.stripe_event_accept(event=event.event)
    webhooks.stripe_event_process(event_pk=stored.pk)

    with django_capture_on_commit_callbacks(execute=True):
        (refund,) = funding.refund_request(
            company=owner.company, user=owner.user, amount_cents=2_500
        )

    refund.refresh_from_db()
    assert refund.status == "succeeded"
    assert refund.stripe_refund_id.startswith("re_")
    remote = stripe_live.api("GET", f"/v1/refunds/{refund.stripe_refund_id}")
    assert (remote["amount"], remote["payment_intent"]) == (2_500, start.top_up.payment_intent_id)
    assert funding.company_balance_cents(owner.company_id) == 7_500


def test_stripe_errors_become_gateway_errors(stripe_live):
    gateway = stripe_gateway.get_gateway()

    with pytest.raises(GatewayError) as missing:
        gateway.payment_intent_retrieve(payment_intent_id="pi_does_not_exist")

    assert (missing.value.code, missing.value.retryable) == ("stripe_refused", False)


def test_an_unreachable_stripe_is_a_retryable_error(settings):
    settings.STRIPE_SECRET_KEY = "sk_test_nobody_listens"
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    settings.STRIPE_TIMEOUT_SECONDS = 1.0

    with pytest.raises(GatewayError) as unreachable:
        stripe_gateway.get_gateway().payment_intent_retrieve(payment_intent_id="pi_1")

    assert (unreachable.value.code, unreachable.value.retryable) == ("stripe_unavailable", True)
    assert unreachable.value.status == 503
