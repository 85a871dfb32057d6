import pytest

from payouts import funding
from payouts.models import Refund, TopUp
from tests.factories import MembershipFactory, WorkerFactory, fund_company

pytestmark = [
    pytest.mark.django_db,
    # localstripe registers plain functions as aiohttp handlers.
    pytest.mark.filterwarnings("ignore:Bare functions are deprecated:DeprecationWarning"),
]


@pytest.fixture
def owner(settings):
    settings.STRIPE_SECRET_KEY = ""
    return MembershipFactory(role="owner")


def _login(client, membership):
    client.force_login(membership.user)
    return client


def test_billing_shows_test_mode_balance_and_the_test_form(client, owner):
    fund_company(owner.company_id, 12_345)

    response = _login(client, owner).get("/company/billing/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "No real money moves." in html
    assert "Pay in test mode" in html
    assert "$123.45" in html
    assert "js.stripe.com" not in html


def test_test_mode_top_up_through_the_page_credits_the_balance(client, owner):
    response = _login(client, owner).post(
        "/company/billing/top-up/", {"amount": "250", "outcome": "succeed"}, follow=True
    )

    top_up = TopUp.objects.get()
    assert response.redirect_chain == [(f"/company/billing/top-ups/{top_up.pk}/", 302)]
    assert top_up.status == "succeeded"
    assert "Test payment of $250 added to your balance." in response.content.decode()
    assert funding.company_balance_cents(owner.company_id) == 25_000


def test_test_mode_decline_through_the_page_credits_nothing(client, owner):
    response = _login(client, owner).post(
        "/company/billing/top-up/", {"amount": "250", "outcome": "decline"}, follow=True
    )

    assert TopUp.objects.get().status == "failed"
    assert "Test payment declined" in response.content.decode()
    assert funding.company_balance_cents(owner.company_id) == 0


def test_a_bad_amount_is_a_form_error_and_nothing_is_created(client, owner):
    response = _login(client, owner).post(
        "/company/billing/top-up/", {"amount": "5.005", "outcome": "succeed"}
    )

    assert response.status_code == 422
    assert not TopUp.objects.exists()


def test_owner_requests_a_refund_from_the_page(client, owner):
    _login(client, owner).post("/company/billing/top-up/", {"amount": "100", "outcome": "succeed"})

    response = client.post("/company/billing/refund/", {"amount": "40"}, follow=True)

    assert "Refund of $40 requested" in response.content.decode()
    assert Refund.objects.get().amount_cents == 4_000
    assert funding.company_balance_cents(owner.company_id) == 6_000


def test_managers_see_billing_but_cannot_refund(client, owner):
    manager = MembershipFactory(company=owner.company, role="manager")
    fund_company(owner.company_id, 10_000)
    _login(client, manager)

    page = client.get("/company/billing/")
    refused = client.post("/company/billing/refund/", {"amount": "40"})

    assert page.status_code == 200
    assert "Refund unused balance" not in page.content.decode()
    assert refused.status_code == 403
    assert not Refund.objects.exists()


@pytest.mark.parametrize("role", ["reviewer", None])
def test_reviewers_and_workers_are_refused(client, owner, role):
    user = MembershipFactory(company=owner.company, role=role).user if role else WorkerFactory()
    client.force_login(user)

    for url in ("/company/billing/", f"/company/billing/top-ups/{1}/"):
        assert client.get(url).status_code == 403
    assert client.post("/company/billing/top-up/", {"amount": "100"}).status_code == 403
    assert not TopUp.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/company/billing/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_company_sees_only_its_own_billing_and_receipts(client, owner):
    other = MembershipFactory(role="owner")
    start = funding.topup_create(company=other.company, user=other.user, amount_cents=9_900)
    fund_company(other.company_id, 77_700)

    _login(client, owner)
    page = client.get("/company/billing/").content.decode()
    receipt = client.get(f"/company/billing/top-ups/{start.top_up.pk}/")
    pay = client.get(f"/company/billing/top-ups/{start.top_up.pk}/pay/")

    assert "$777" not in page and "$99" not in page
    assert receipt.status_code == 404
    assert pay.status_code == 404


def test_receipt_shows_the_payment(client, owner):
    _login(client, owner).post("/company/billing/top-up/", {"amount": "250", "outcome": "succeed"})
    top_up = TopUp.objects.get()

    html = client.get(f"/company/billing/top-ups/{top_up.pk}/").content.decode()

    assert f"Receipt #{top_up.pk}" in html
    assert "$250" in html
    assert "Test mode: no real money" in html
    assert top_up.payment_intent_id in html


def test_with_stripe_keys_the_pay_page_loads_stripe_js_under_its_own_csp(client, stripe_live):
    owner = MembershipFactory(role="owner")
    _login(client, owner).post("/company/billing/top-up/", {"amount": "250"})
    top_up = TopUp.objects.get()

    response = client.get(f"/company/billing/top-ups/{top_up.pk}/pay/")
    billing = client.get("/company/billing/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<script src="https://js.stripe.com/v3/"></script>' in html
    assert f'data-client-secret="{top_up.payment_intent_id}_secret_' in html
    assert "https://js.stripe.com" in response["Content-Security-Policy"]
    assert "js.stripe.com" not in billing["Content-Security-Policy"]
    assert "Test mode" not in billing.content.decode()
