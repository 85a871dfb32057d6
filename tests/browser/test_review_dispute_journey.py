"""A reviewer rejects a submission with a reason, the worker disputes it, staff overturn the
rejection in the Wagtail admin, and the worker sees the submission approved."""

import re

import pytest

from marketplace.models import Assignment, Dispute
from tests.browser.sessions import log_out, staff_session
from tests.factories import CompanyFactory, WorkerFactory
from tests.marketplace.factories import make_project, make_reviewer, make_submission

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_rejection_is_disputed_and_overturned_and_the_worker_sees_it_approved(
    journey, site_tree, live_server
):
    company = CompanyFactory(name="Northwind Labs")
    project = make_project(company=company, title="Sentiment of hotel reviews", reward_cents=25)
    reviewer = make_reviewer(company)
    worker = WorkerFactory(email="ana@example.org")
    submission = make_submission(project, worker, answer={"label": "neutral"})
    page = journey.page

    # The reviewer rejects the answer with a reason and a comment.
    journey.log_in(reviewer.email)
    journey.goto(f"/company/projects/{project.pk}/review/")
    assert page.get_by_text("1 waiting for review").count() == 1
    journey.shot("review-list")
    page.get_by_role("link", name=f"Reject submission {submission.pk}").click()
    page.wait_for_load_state()
    page.get_by_label("Reason").select_option("disagrees")
    page.get_by_label("Explain the rejection").fill("The guest loved the room: positive.")
    journey.shot("reject-form")
    page.get_by_role("button", name="Reject", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_text("Rejected. The worker is told why.").count() == 1
    journey.shot("rejected")
    log_out(journey)

    # The worker reads the decision in their history and disputes it.
    journey.log_in(worker.email)
    journey.goto("/work/history/")
    assert page.get_by_text("Disagrees with the other workers").count() == 1
    assert page.get_by_text("The guest loved the room: positive.").count() == 1
    journey.shot("history-rejected")
    page.get_by_role("link", name=re.compile("^Dispute")).click()
    page.wait_for_load_state()
    page.get_by_label("Your message").fill("The review says the room was only fine: neutral.")
    journey.shot("dispute-form")
    page.get_by_role("button", name="Send the dispute").click()
    page.wait_for_load_state()
    assert page.get_by_text("Dispute sent.").count() == 1
    assert page.get_by_text("Open: staff are looking at it").count() == 1
    journey.shot("history-disputed")
    log_out(journey)

    # Staff overturn the rejection in the Wagtail admin's Disputes area.
    page.context.add_cookies([staff_session(live_server.url, "change_dispute", "view_dispute")])
    journey.goto("/admin/disputes/")
    journey.shot("admin-disputes")
    dispute = Dispute.objects.get()
    journey.goto(f"/admin/disputes/{dispute.pk}/")
    page.get_by_label("Note to the worker").fill("Neutral is a fair reading; approved.")
    journey.shot("admin-dispute")
    page.get_by_role("button", name="Overturn").click()
    page.wait_for_load_state()
    dispute.refresh_from_db()
    assert dispute.status == Dispute.Status.OVERTURNED
    journey.shot("admin-overturned")
    page.context.clear_cookies()

    # The worker sees the submission approved and paid.
    journey.log_in(worker.email)
    journey.goto("/work/history/")
    assert page.get_by_text("Overturned: approved").count() == 1
    assert page.get_by_text("Neutral is a fair reading; approved.").count() == 1
    entry = page.locator(f"#submission-{submission.pk}")
    assert entry.get_by_text("Approved", exact=True).count() == 1
    assert entry.get_by_text("$0.25").count() == 1
    journey.shot("history-approved")
    submission.refresh_from_db()
    assert submission.status == Assignment.Status.APPROVED
