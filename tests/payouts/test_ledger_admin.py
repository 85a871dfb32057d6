"""The Ledger area of the Wagtail admin: accounts, transactions and a worker's statement, each
behind its permission, and the fraud reversal form on an approval's page (the reversal itself
is marketplace's view: tests/marketplace/test_review_admin_views.py)."""

import pytest

from payouts.models import LedgerTransaction
from tests.factories import admin_staff
from tests.payouts.earnings_fixtures import earn

pytestmark = pytest.mark.django_db

ACCOUNTS = "/admin/ledger/"
TRANSACTIONS = "/admin/ledger/transactions/"


@pytest.fixture(autouse=True)
def _site(site_tree):
    return site_tree


@pytest.fixture
def approval(worker):
    return earn(worker, 1500, project_id=4, title="Toxicity review", work_seconds=90)


def test_staff_who_may_read_the_ledger_see_accounts_transactions_and_a_statement(
    client, approval, worker
):
    client.force_login(admin_staff("view_ledgertransaction"))

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
    client.force_login(admin_staff())

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


def test_an_approvals_page_offers_the_fraud_reversal_to_staff_who_may_reverse(client, approval):
    client.force_login(admin_staff("view_ledgertransaction", "reverse_ledgertransaction"))
    top_up = LedgerTransaction.objects.filter(kind=LedgerTransaction.Kind.TOP_UP).first()

    detail = client.get(f"/admin/ledger/transactions/{approval.pk}/")
    other = client.get(f"/admin/ledger/transactions/{top_up.pk}/")

    assert detail.context["can_reverse"] is True
    # The reversal is a review decision too, so marketplace's view receives the form.
    assert f'action="/admin/review/approvals/{approval.pk}/reverse-for-fraud/"' in (
        detail.content.decode()
    )
    assert other.context["can_reverse"] is False
    assert "Reverse for fraud" not in other.content.decode()
