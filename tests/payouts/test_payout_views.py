"""The worker's /work/payouts/ pages and the admin's payout and reconciliation areas."""

import urllib.error
import urllib.request

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Permission
from django.test import override_settings

from payouts.models import PayoutAccount, PayoutBatch, PayoutLine, ReconciliationReport
from payouts.payouts import payout_batch_schedule, payout_request
from tests.factories import CompanyUserFactory, UserFactory, WorkerFactory
from tests.stripe_connect_server.testing import (
    balances,
    connect_gateway,
    connected_worker,
    credit_available,
)

pytestmark = pytest.mark.django_db

PAGE = "/work/payouts/"


@pytest.fixture(autouse=True)
def _site(site_tree):
    """Pages render inside the Wagtail site (navigation and site settings)."""
    return site_tree


def _staff(*codenames):
    """Staff with admin access (and the two-factor device the admin insists on)."""
    user = UserFactory(is_staff=True)
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    user.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        *[Permission.objects.get(codename=codename) for codename in codenames],
    )
    return user


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _follow_stripe_link(url: str) -> str:
    """Open an onboarding link like a browser would; where Stripe sends the worker next."""
    opener = urllib.request.build_opener(_NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as redirect:
        opener.open(url)
    return redirect.value.headers["Location"]


# --- the worker's page -------------------------------------------------------------------------


@override_settings(STRIPE_SECRET_KEY="")
def test_page_without_an_account_offers_to_connect_and_says_test_mode(client):
    worker = WorkerFactory()
    credit_available(worker, 2500)
    client.force_login(worker)

    response = client.get(PAGE)

    assert response.status_code == 200
    body = response.content.decode()
    assert "Test mode: no real money moves" in body
    assert "Connect a payout account" in body
    assert "$25" in body
    assert "$10" in body
    assert "Request payout" not in body


@override_settings(STRIPE_SECRET_KEY="")
def test_offline_onboarding_completes_at_once_through_the_return_page(client):
    worker = WorkerFactory()
    client.force_login(worker)

    started = client.post("/work/payouts/connect/")
    returned = client.get(started["Location"])

    assert started.status_code == 302
    assert started["Location"] == "http://testserver/work/payouts/connect/return/"
    assert returned.status_code == 302
    account = PayoutAccount.objects.get(worker=worker)
    assert (account.payouts_enabled, account.test_mode) == (True, True)
    page = client.get(PAGE).content.decode()
    assert "Ready for payouts" in page
    assert "Your payout account is ready" in page


def test_stripe_onboarding_link_return_and_refresh(client):
    worker = WorkerFactory()
    client.force_login(worker)
    with connect_gateway() as (server, _gateway):
        # when the worker starts onboarding, twice (a double click)
        first = client.post("/work/payouts/connect/")
        second = client.post("/work/payouts/connect/")
        # then one Stripe account, and a fresh single-use link each time
        assert [r.path for r in server.requests] == [
            "/v1/accounts",
            "/v1/account_links",
            "/v1/account_links",
        ]
        assert first["Location"].startswith(server.url + "/setup/e/")
        assert first["Location"] != second["Location"]
        account = PayoutAccount.objects.get(worker=worker)
        assert account.payouts_enabled is False

        # when they finish on Stripe, Stripe sends them to our return page
        return_url = _follow_stripe_link(first["Location"])
        assert return_url == "http://testserver/work/payouts/connect/return/"
        client.get(return_url)
        account.refresh_from_db()
        assert (account.details_submitted, account.payouts_enabled) == (True, True)

        # an used link sends them to the refresh page, which makes a new link
        refresh_url = _follow_stripe_link(first["Location"])
        assert refresh_url == "http://testserver/work/payouts/connect/refresh/"
        again = client.get(refresh_url)
        assert again["Location"].startswith(server.url + "/setup/e/")
        assert PayoutAccount.objects.count() == 1


def test_request_form_creates_one_line_even_if_sent_twice(client):
    with connect_gateway() as (server, _gateway):
        worker = connected_worker(server, available_cents=4000)
        client.force_login(worker)
        data = {"amount": "25.00", "request_key": "form-key-1"}

        first = client.post("/work/payouts/request/", data)
        second = client.post("/work/payouts/request/", data)

    assert first.status_code == second.status_code == 302
    [line] = PayoutLine.objects.filter(worker=worker)
    assert line.amount_cents == 2500
    assert balances(worker)["available"] == 1500
    page = client.get(PAGE).content.decode()
    assert f'id="payout-{line.pk}"' in page
    assert "Awaiting review" in page


@pytest.mark.parametrize(
    ("amount", "message"),
    [("5", "The minimum payout is $10."), ("50", "Not enough available earnings"), ("1.001", "")],
)
def test_request_form_refusal_shows_the_reason_and_changes_nothing(client, amount, message):
    with connect_gateway() as (server, _gateway):
        worker = connected_worker(server, available_cents=4000)
        client.force_login(worker)

        response = client.post("/work/payouts/request/", {"amount": amount, "request_key": "k"})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert response.context["form"].errors["amount"]
    assert PayoutLine.objects.count() == 0
    assert balances(worker)["available"] == 4000


def test_a_worker_sees_only_their_own_payouts(client):
    with connect_gateway() as (server, _gateway):
        mine = connected_worker(server, available_cents=1500)
        theirs = connected_worker(server, available_cents=7700)
        own = payout_request(worker=mine, amount_cents=1500, idempotency_key="a")
        other = payout_request(worker=theirs, amount_cents=7700, idempotency_key="a")
    client.force_login(mine)

    body = client.get(PAGE).content.decode()

    assert f'id="payout-{own.pk}"' in body
    assert f'id="payout-{other.pk}"' not in body
    assert "$77" not in body


def test_company_members_cannot_open_the_payout_pages(client):
    client.force_login(CompanyUserFactory())

    assert client.get(PAGE).status_code == 403
    assert client.post("/work/payouts/request/", {"amount": "10"}).status_code == 403
    assert PayoutLine.objects.count() == 0


# --- the admin ---------------------------------------------------------------------------------


def _refused(response) -> bool:
    """Wagtail turns a refusal into a redirect to the admin's dashboard with a message."""
    return response.status_code == 302 and response["Location"] == "/admin/"


def test_staff_without_the_payout_permission_are_refused(client):
    with connect_gateway() as (server, _gateway):
        worker = connected_worker(server, available_cents=3000)
        line = payout_request(worker=worker, amount_cents=3000, idempotency_key="a")
    client.force_login(_staff())

    assert _refused(client.get("/admin/payouts/"))
    assert _refused(client.get("/admin/payouts/reconciliation/"))
    assert _refused(client.post(f"/admin/payouts/{line.batch_id}/", {"action": "approve"}))
    line.refresh_from_db()
    assert line.status == "pending_review"
    assert line.batch.status == PayoutBatch.Status.OPEN


def test_approver_holds_a_line_and_approves_the_batch(client, django_capture_on_commit_callbacks):
    approver = _staff("approve_payoutbatch")
    with connect_gateway() as (server, _gateway):
        keep = connected_worker(server, available_cents=3000)
        hold = connected_worker(server, available_cents=2000)
        sent = payout_request(worker=keep, amount_cents=3000, idempotency_key="a")
        held = payout_request(worker=hold, amount_cents=2000, idempotency_key="a")
        client.force_login(approver)

        listing = client.get("/admin/payouts/")
        detail = client.get(f"/admin/payouts/{sent.batch_id}/")
        client.post(f"/admin/payouts/{sent.batch_id}/", {"line": held.pk, "reason": "ID check"})
        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"/admin/payouts/{sent.batch_id}/", {"action": "approve"})

        assert len(server.transfer_posts()) == 1
    assert listing.status_code == detail.status_code == 200
    assert "new_account" in detail.content.decode()
    sent.refresh_from_db()
    held.refresh_from_db()
    assert (sent.status, held.status, held.hold_reason) == ("paid", "held", "ID check")
    assert PayoutBatch.objects.get().approved_by == approver


def test_the_creator_of_a_batch_cannot_approve_it_in_the_admin(client):
    approver = _staff("approve_payoutbatch")
    with connect_gateway() as (server, _gateway):
        connected_worker(server, available_cents=3000)
        client.force_login(approver)
        created = client.post("/admin/payouts/")
        batch = PayoutBatch.objects.get()

        page = client.get(f"/admin/payouts/{batch.pk}/").content.decode()
        refused = client.post(f"/admin/payouts/{batch.pk}/", {"action": "approve"}, follow=True)

        assert server.transfer_posts() == []
    assert created.status_code == 302
    assert batch.created_by == approver
    assert "another approver must approve it" in page
    assert "You created this batch, so someone else must approve it." in refused.content.decode()
    batch.refresh_from_db()
    assert (batch.status, batch.approved_by) == (PayoutBatch.Status.OPEN, None)


def test_reconciliation_page_shows_the_last_report(client):
    viewer = _staff("view_reconciliation")
    ReconciliationReport.objects.create(
        started_at="2026-01-01T00:00:00Z",
        finished_at="2026-01-01T00:01:00Z",
        differences=[{"kind": "missing", "transfer": "tr_gone", "payout_line": 3}],
    )
    client.force_login(viewer)

    response = client.get("/admin/payouts/reconciliation/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "1 difference." in body
    assert "tr_gone" in body
    assert _refused(client.get("/admin/payouts/"))


def test_weekly_batch_then_views_show_the_expected_date(client):
    with connect_gateway() as (server, _gateway):
        worker = connected_worker(server, available_cents=1200)
        batch = payout_batch_schedule()
    client.force_login(worker)

    body = client.get(PAGE).content.decode()

    line = batch.lines.get()
    expected = f"{line.expected_at:%a} {line.expected_at.day} {line.expected_at:%b}"
    assert f'Expected by <time datetime="{line.expected_at:%Y-%m-%d}">{expected}</time>' in body
    assert "Weekly payout," in body
