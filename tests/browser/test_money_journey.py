"""Money end to end, in offline test mode (as `make run`): a company funds its balance and
launches a project; the worker's approved answer becomes available; the worker connects a
payout account and asks for a payout; staff approve the batch; the worker sees it paid, and
the company's spend on its billing page matches what the worker earned plus the fee."""

import datetime
import re

import pytest
from django.test import override_settings
from django.utils import timezone

from marketplace.assignment import assignment_claim_next, assignment_submit
from marketplace.models import Item, Project
from marketplace.review import review_approve
from payouts import ledger
from payouts.earnings import holds_release_due
from payouts.models import LedgerAccount, PayoutLine
from tests.browser.sessions import log_out, staff_session
from tests.factories import CompanyFactory, MembershipFactory, WorkerFactory
from tests.marketplace.factories import make_items, make_project

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@override_settings(STRIPE_SECRET_KEY="")
def test_a_company_funds_and_launches_and_the_worker_is_paid_out(journey, site_tree, live_server):
    company = CompanyFactory(name="Northwind Labs")
    owner = MembershipFactory(company=company, role="owner", user__email="owner@example.org").user
    project = make_project(
        company=company,
        status=Project.Status.DRAFT,
        title="Sentiment of hotel reviews",
        reward_cents=1000,
        overlap=1,
        gold_rate=0,
    )
    make_items(project, 1)
    worker = WorkerFactory(email="ana@example.org")
    page = journey.page
    page.on("dialog", lambda dialog: dialog.accept())

    # The company adds $50 in test mode and launches the project, which reserves $12.
    journey.log_in(owner.email)
    journey.goto("/company/billing/")
    assert page.get_by_text("No real money moves.").count() == 1
    journey.shot("billing-empty")
    page.get_by_label("Amount to add").fill("50")
    page.get_by_role("radio", name=re.compile("Payment succeeds")).check()
    page.get_by_role("button", name="Pay in test mode").click()
    page.wait_for_load_state()
    journey.shot("top-up-receipt")
    assert ledger.balance_of(ledger.company_balance(company.pk)) == 5000

    journey.goto(f"/company/projects/{project.pk}/")
    page.get_by_role("link", name="Review budget and launch").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("quote-reserve").inner_text() == "$12"
    page.get_by_role("button", name="Launch project").click()
    page.wait_for_load_state()
    journey.shot("project-launched")
    assert page.get_by_text("The project is now active.").count() == 1
    assert ledger.balance_of(ledger.project_escrow(project.pk)) == 1200
    log_out(journey)

    # The worker answers the task and the company approves it (the worker loop and review
    # pages have their own journeys); three days later the earnings are available.
    assignment = assignment_claim_next(worker=worker, project=Project.objects.get(pk=project.pk))
    assignment_submit(worker=worker, assignment_id=assignment.pk, answer={"label": "positive"})
    review_approve(assignment.pk, reviewer=owner)
    holds_release_due(now=timezone.now() + datetime.timedelta(days=4))
    assert Item.objects.get(project=project).submitted_count == 1

    # The worker connects a payout account (test mode completes at once) and asks for $10.
    journey.log_in(worker.email)
    journey.goto("/work/earnings/")
    journey.shot("earnings-available")
    journey.goto("/work/payouts/")
    page.get_by_role("button", name="Connect a payout account").click()
    page.wait_for_load_state()
    assert page.get_by_text("Ready for payouts").count() == 1
    journey.shot("payout-account-ready")
    page.get_by_label("Amount").fill("10")
    page.get_by_role("button", name="Request payout").click()
    page.wait_for_load_state()
    line = PayoutLine.objects.get(worker=worker)
    assert (line.amount_cents, line.status) == (1000, PayoutLine.Status.PENDING_REVIEW)
    journey.shot("payout-requested")
    log_out(journey)

    # Staff approve the batch in the Wagtail admin; sending runs at once in test mode.
    page.context.add_cookies([staff_session(live_server.url, "approve_payoutbatch")])
    journey.goto(f"/admin/payouts/{line.batch_id}/")
    journey.shot("admin-batch")
    page.get_by_role("button", name=re.compile("^Approve 1 line")).click()
    page.wait_for_load_state()
    line.refresh_from_db()
    assert line.status == PayoutLine.Status.PAID
    journey.shot("admin-batch-approved")
    page.context.clear_cookies()

    # The worker sees the payout paid; nothing is left in transit.
    journey.log_in(worker.email)
    journey.goto("/work/payouts/")
    history = page.get_by_role("region", name="Your payouts")
    assert history.get_by_text("Paid", exact=True).count() == 1
    assert history.get_by_text("$10").count() >= 1
    journey.shot("payout-paid")
    assert ledger.balance_of(ledger.worker_in_transit(worker.pk)) == 0
    assert ledger.balance_of(ledger.platform(LedgerAccount.Kind.PLATFORM_PAYOUTS)) == 1000
    log_out(journey)

    # The company's spend is the reward plus the 20% fee, and the rest is still its own.
    journey.log_in(owner.email)
    journey.goto("/company/billing/")
    spent = page.locator(".stat", has_text="Spent on approved work")
    assert spent.get_by_text("$12").count() == 1
    journey.shot("billing-spent")
    assert ledger.balance_of(ledger.company_balance(company.pk)) == 3800
    assert ledger.balance_differences() == []
