"""Reversing approved work for fraud from the Ledger area's approval page: staff with the
ledger's reversal permission take the pay back, with the review's audit row and the worker's
notice, once; everyone else and every bad request changes nothing."""

import pytest
from django.contrib.messages import get_messages

from accounts.models import Notification
from marketplace.models import Assignment, ReviewDecision
from marketplace.review import review_approve
from payouts import ledger
from payouts.earnings import approval_key
from payouts.models import LedgerEntry, LedgerTransaction
from tests.factories import WorkerFactory, admin_staff
from tests.marketplace.factories import make_project, make_reviewer, make_submission

pytestmark = pytest.mark.django_db

Kind = LedgerTransaction.Kind
REASON = "Copied another worker's answers"


@pytest.fixture(autouse=True)
def _site(site_tree):
    return site_tree


def reverser():
    return admin_staff("view_ledgertransaction", "reverse_ledgertransaction")


def reverse_url(tx) -> str:
    return f"/admin/review/approvals/{tx.pk}/reverse-for-fraud/"


@pytest.fixture
def submission():
    project = make_project(reward_cents=50, escrow_cents=1000)
    submission = make_submission(project, WorkerFactory())
    review_approve(submission.pk, reviewer=make_reviewer(project.company))
    return submission


@pytest.fixture
def approval(submission):
    return LedgerTransaction.objects.get(idempotency_key=approval_key(submission.pk))


def written() -> tuple:
    """Everything a reversal writes: ledger rows, audit rows, notices."""
    return (
        LedgerTransaction.objects.count(),
        LedgerEntry.objects.count(),
        ReviewDecision.objects.filter(action=ReviewDecision.Action.FRAUD_REVERSED).count(),
        Notification.objects.filter(kind="payment_reversed").count(),
    )


def test_staff_who_may_reverse_take_the_pay_back_record_it_and_tell_the_worker(
    client, submission, approval
):
    staff = reverser()
    client.force_login(staff)

    response = client.post(reverse_url(approval), {"reason": REASON})

    reversal = LedgerTransaction.objects.get(reverses=approval)
    assert response.status_code == 302
    assert response["Location"] == f"/admin/ledger/transactions/{reversal.pk}/"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"Approval of task {submission.pk} reversed; the worker is notified."
    ]
    assert (reversal.kind, reversal.created_by) == (Kind.REVERSAL, staff)
    assert REASON in reversal.description
    assert ledger.balance_of(ledger.worker_pending(submission.worker_id)) == 0
    decision = ReviewDecision.objects.get(
        assignment=submission, action=ReviewDecision.Action.FRAUD_REVERSED
    )
    assert (decision.actor, decision.comment) == (staff, REASON)
    notice = Notification.objects.get(user=submission.worker, kind="payment_reversed")
    assert REASON in notice.body
    # The approval's page no longer offers the form.
    assert client.get(f"/admin/ledger/transactions/{approval.pk}/").context["can_reverse"] is False


def test_posting_the_reversal_twice_changes_nothing_more(client, approval):
    client.force_login(reverser())
    first = client.post(reverse_url(approval), {"reason": REASON})
    after_first = written()

    again = client.post(reverse_url(approval), {"reason": "Again"})

    assert after_first[2:] == (1, 1)  # one audit row, one notice
    assert written() == after_first
    assert (again.status_code, again["Location"]) == (302, first["Location"])


def test_staff_without_the_reversal_permission_are_refused_and_nothing_is_written(client, approval):
    before = written()
    client.force_login(admin_staff("view_ledgertransaction"))

    response = client.post(reverse_url(approval), {"reason": REASON})

    # The admin turns a refusal into a redirect to its dashboard with a message.
    assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert written() == before


def test_only_an_approval_can_be_reversed_for_fraud(client, approval):
    client.force_login(reverser())
    other = LedgerTransaction.objects.exclude(kind=Kind.APPROVAL).order_by("pk").first()
    before = written()

    not_an_approval = client.post(reverse_url(other), {"reason": REASON})
    missing = client.post("/admin/review/approvals/999999/reverse-for-fraud/", {"reason": REASON})

    assert (not_an_approval.status_code, missing.status_code) == (404, 404)
    assert written() == before


def test_a_reversal_without_a_reason_is_refused_on_the_approvals_page(client, approval):
    client.force_login(reverser())
    before = written()

    response = client.post(reverse_url(approval), {"reason": "   "})

    assert response.status_code == 422
    assert response.context["tx"] == approval
    assert "Say why this work is reversed." in response.content.decode()
    assert written() == before


def test_a_refusal_of_the_review_is_shown_on_the_approvals_page(client, submission, approval):
    # given a paid submission that is somehow not approved any more
    Assignment.objects.filter(pk=submission.pk).update(status=Assignment.Status.SUBMITTED)
    client.force_login(reverser())
    before = written()

    response = client.post(reverse_url(approval), {"reason": REASON})

    assert response.status_code == 422
    assert response.context["form"].non_field_errors() == [
        "Only an approved submission's pay can be reversed."
    ]
    assert "Only an approved submission" in response.content.decode()
    assert written() == before


def test_the_reversal_only_takes_a_post(client, approval):
    client.force_login(reverser())

    assert client.get(reverse_url(approval)).status_code == 405
