"""The Ledger area of the Wagtail admin: accounts, transactions, a worker's statement, and the
fraud reversal of an approval, each behind its permission."""

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Permission

from payouts import ledger
from payouts.models import EarningHold, LedgerTransaction
from tests.factories import UserFactory
from tests.payouts.earnings_fixtures import earn, release

pytestmark = pytest.mark.django_db

ACCOUNTS = "/admin/ledger/"
TRANSACTIONS = "/admin/ledger/transactions/"


@pytest.fixture(autouse=True)
def _site(site_tree):
    return site_tree


def admin_user(*codenames: str):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["access_admin", *codenames])
    )
    # The admin asks staff for a second factor first.
    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={"secret": "x"})
    return staff


def reverse_url(tx) -> str:
    return f"/admin/ledger/transactions/{tx.pk}/reverse/"


@pytest.fixture
def approval(worker):
    return earn(worker, 1500, project_id=4, title="Toxicity review", work_seconds=90)


def test_staff_who_may_read_the_ledger_see_accounts_transactions_and_a_statement(
    client, approval, worker
):
    client.force_login(admin_user("view_ledgertransaction"))

    accounts = client.get(ACCOUNTS, {"kind": "worker_pending"})
    transactions = client.get(TRANSACTIONS, {"reference": "assignment:"})
    detail = client.get(f"/admin/ledger/transactions/{approval.pk}/")
    statement = client.get(f"/admin/ledger/workers/{worker.pk}/")
    lookup = client.get(ACCOUNTS, {"worker": worker.email.upper()})

    assert accounts.status_code == 200
    assert [row["account"].owner_id for row in accounts.context["rows"]] == [worker.pk]
    assert "$15" in accounts.content.decode()
    assert [tx.pk for tx in transactions.context["transactions"]] == [approval.pk]
    assert detail.status_code == 200
    assert "Toxicity review" in detail.content.decode()
    # Without the reverse permission there is no reversal form.
    assert detail.context["can_reverse"] is False
    assert "Reverse for fraud" not in detail.content.decode()
    assert statement.status_code == 200
    assert [row["line"].amount_cents for row in statement.context["lines"]] == [1500]
    assert lookup.status_code == 302
    assert lookup["Location"] == f"/admin/ledger/workers/{worker.pk}/"
    assert "/admin/ledger/" in client.get("/admin/").content.decode()  # the menu item


def test_staff_without_the_permission_are_refused(client, approval, worker):
    client.force_login(admin_user())

    for url in (
        ACCOUNTS,
        TRANSACTIONS,
        f"/admin/ledger/transactions/{approval.pk}/",
        f"/admin/ledger/workers/{worker.pk}/",
    ):
        response = client.get(url)
        # The admin turns a refusal into a redirect to its dashboard with a message.
        assert (response.status_code, response["Location"]) == (302, "/admin/"), url
    assert "/admin/ledger/" not in client.get("/admin/").content.decode()


def test_a_worker_cannot_reach_the_ledger_admin(client, worker, approval):
    client.force_login(worker)

    response = client.get(ACCOUNTS)

    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_reversing_for_fraud_takes_the_earnings_back(client, worker, approval):
    staff = admin_user("view_ledgertransaction", "reverse_ledgertransaction")
    client.force_login(staff)
    detail = client.get(f"/admin/ledger/transactions/{approval.pk}/")
    assert detail.context["can_reverse"] is True

    response = client.post(reverse_url(approval), {"reason": "Copied another worker's answers"})

    reversal = LedgerTransaction.objects.get(reverses=approval)
    assert response.status_code == 302
    assert response["Location"] == f"/admin/ledger/transactions/{reversal.pk}/"
    assert reversal.kind == LedgerTransaction.Kind.REVERSAL
    assert reversal.created_by == staff
    assert "Copied another worker's answers" in reversal.description
    assert ledger.balance_of(ledger.worker_pending(worker.pk)) == 0
    assert EarningHold.objects.get(transaction=approval).reversed_cents == 1500
    assert client.get(f"/admin/ledger/transactions/{approval.pk}/").context["can_reverse"] is False


def test_a_reversal_past_the_balance_is_owed_not_negative(client, worker, approval):
    release(approval.available_at)
    with_available = ledger.balance_of(ledger.worker_available(worker.pk))
    ledger.transaction_post(
        idempotency_key="spent",
        kind=LedgerTransaction.Kind.PAYOUT,
        legs=[
            ledger.Leg(ledger.worker_available(worker.pk), -1000),
            ledger.Leg(ledger.worker_in_transit(worker.pk), 1000),
        ],
        reference="payout_line:1",
        description="Payout",
    )
    client.force_login(admin_user("view_ledgertransaction", "reverse_ledgertransaction"))

    client.post(reverse_url(approval), {"reason": "Bot traffic"})

    assert with_available == 1500
    assert ledger.balance_of(ledger.worker_available(worker.pk)) == 0
    assert ledger.balance_of(ledger.worker_receivable(worker.pk)) == -1000


def test_a_reversal_needs_a_reason_and_the_permission(client, approval):
    reader = admin_user("view_ledgertransaction")
    client.force_login(reader)
    refused = client.post(reverse_url(approval), {"reason": "Fraud"})
    assert (refused.status_code, refused["Location"]) == (302, "/admin/")

    client.force_login(admin_user("view_ledgertransaction", "reverse_ledgertransaction"))
    empty = client.post(reverse_url(approval), {"reason": "  "})

    assert empty.status_code == 422
    assert "Say why this work is reversed." in empty.content.decode()
    assert not LedgerTransaction.objects.filter(kind=LedgerTransaction.Kind.REVERSAL).exists()


def test_only_approvals_can_be_reversed_here(client, approval):
    client.force_login(admin_user("view_ledgertransaction", "reverse_ledgertransaction"))
    top_up = LedgerTransaction.objects.filter(kind=LedgerTransaction.Kind.TOP_UP).first()

    response = client.post(reverse_url(top_up), {"reason": "Fraud"})

    assert response.status_code == 404
    assert not LedgerTransaction.objects.filter(kind=LedgerTransaction.Kind.REVERSAL).exists()
