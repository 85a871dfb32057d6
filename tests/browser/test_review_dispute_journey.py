"""A reviewer rejects a submission with a reason, the worker disputes it, staff overturn the
rejection in the Wagtail admin, and the worker sees the submission approved."""

import re

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.models import Permission
from django.test import Client

from marketplace.models import Assignment, Dispute
from tests.factories import CompanyFactory, UserFactory, WorkerFactory
from tests.marketplace.factories import make_project, make_reviewer, make_submission

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def staff_session(live_server_url: str) -> dict:
    """A signed-in staff session cookie for the browser.

    Staff need a second factor (TOTP) to sign in; typing a one-time code is not what this
    journey tests, so the session is made on the server, as force_login does in page tests.
    """
    staff = UserFactory(email="staff@example.org", is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["access_admin", "change_dispute", "view_dispute"])
    )
    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client = Client()
    client.force_login(staff)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server_url}


def log_out(journey):
    journey.page.get_by_role("button", name="Log out").click()
    journey.page.wait_for_load_state()


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
    page.context.add_cookies([staff_session(live_server.url)])
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
