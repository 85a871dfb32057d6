"""One journey from listing to earnings: a job seeker signs up and confirms their email,
applies to a listing that admits on passing, passes its test, follows "Start tasks" from the
result, submits two tasks; the company approves them in bulk; the worker sees the earnings
and the approvals digest. Screenshots of every step are kept in var/test-artifacts/."""

import re

import pytest
from django.core import mail

from core.categories import Category
from jobs.models import Application, JobPage
from marketplace.models import Assignment, Project
from marketplace.pay import listing_pay_refresh
from payouts import ledger
from tests.browser.sessions import log_out
from tests.browser.test_qualification_journey import QUESTIONS, search_test
from tests.factories import CompanyFactory, MembershipFactory, make_job
from tests.marketplace.factories import make_items, make_project

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

EMAIL = "new.tagger@example.org"
PASSWORD = "a-long-demo-passphrase-42"


def test_sign_up_apply_pass_work_get_approved_and_see_the_earnings(journey, site_tree):
    company = CompanyFactory(name="Brightloom Labs")
    owner = MembershipFactory(company=company, role="owner", user__email="owner@example.org").user
    listing = make_job(
        company=company,
        title="Search quality rater",
        category=Category.SEARCH_EVALUATION,
        pay_source=JobPage.PaySource.PROJECTS,
        admission=JobPage.Admission.ON_PASS,
        qualification_test=search_test(),
    )
    project = make_project(
        company=company,
        title="Search quality rating: everyday queries",
        access=Project.Access.LISTINGS,
        reward_cents=12,
        estimated_task_seconds=30,  # $14.40 an hour
        label_schema={"labels": ["on topic", "off topic"], "multiple": False},
        overlap=1,
    )
    project.listings.add(listing)
    make_items(project, 4)
    listing_pay_refresh(listing_ids=[listing.pk])
    page = journey.page

    # The job seeker finds the listing: its pay is what the project pays.
    journey.goto(listing.url)
    assert page.get_by_text("$0.12 per task").count() == 1
    assert page.get_by_text(re.compile(r"About 30 s per task · ≈ \$14\.40/h")).count() == 1
    journey.shot("listing")

    # Sign up and confirm the email.
    page.get_by_role("link", name=re.compile("Sign up")).last.click()
    page.get_by_label(re.compile("^Email")).fill(EMAIL)
    page.get_by_label(re.compile("^Password$")).fill(PASSWORD)
    page.get_by_label(re.compile("Password \\(again\\)")).fill(PASSWORD)
    page.get_by_label(re.compile("Looking for work")).check()
    journey.shot("sign-up")
    page.get_by_role("button", name=re.compile("Sign up", re.I)).click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/"))
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    journey.goto(re.sub(r"^https?://[^/]+", "", link))
    page.get_by_role("button", name=re.compile("Confirm", re.I)).click()
    page.wait_for_load_state()
    journey.shot("email-confirmed")

    # Apply: the listing needs its test, and passing it admits.
    journey.goto(listing.url)
    page.get_by_label(re.compile("good fit")).fill("I rate search results in English daily.")
    assert page.get_by_text(re.compile("pass it and you can start the tasks at once")).count() == 1
    page.get_by_role("button", name="Apply").click()
    page.wait_for_load_state()
    assert page.get_by_text("Next: the qualification test").count() == 1
    journey.shot("applied")

    page.get_by_role("link", name=re.compile("Take the test")).first.click()
    page.wait_for_load_state()
    page.get_by_role("button", name=re.compile("Start the test")).click()
    page.wait_for_url(re.compile(r"/work/attempts/"))
    for _prompt, right, _wrong in QUESTIONS:
        page.get_by_label(right).check()
    journey.shot("test-answered")
    page.get_by_role("button", name="Submit the test").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="You passed").count() == 1
    assert page.get_by_text("You are admitted").count() == 1
    journey.shot("passed-and-admitted")
    application = Application.objects.get(worker__email=EMAIL)
    assert application.status == Application.Status.ACTIVE

    # "Start tasks" leads to the project, under the listing's name.
    page.get_by_role("link", name="Start tasks").click()
    page.wait_for_url(re.compile(rf"/work/projects/{project.pk}/$"))
    assert page.get_by_role("link", name="Search quality rater").count() >= 1
    journey.shot("project")
    page.get_by_role("button", name=re.compile("^Start")).first.click()
    page.wait_for_url(re.compile(r"/work/tasks/\d+/$"))
    for answered in range(2):
        page.get_by_label("on topic").check()
        journey.shot(f"task-{answered + 1}")
        page.get_by_role("button", name="Submit", exact=True).click()
        page.wait_for_load_state()
    answers = Assignment.objects.filter(worker__email=EMAIL, status="submitted")
    assert answers.count() == 2

    journey.goto("/work/")
    assert page.get_by_role("heading", name="Search quality rater").count() == 1
    journey.shot("work-home-under-the-listing")
    log_out(journey)

    # The company approves both answers at once.
    journey.log_in(owner.email)
    journey.goto(f"/company/projects/{project.pk}/review/")
    for answer in answers:
        page.get_by_label(f"Select submission {answer.pk}").check()
    journey.shot("review-selected")
    page.get_by_role("button", name="Approve selected").click()
    page.wait_for_load_state()
    journey.shot("approved-in-bulk")
    assert Assignment.objects.filter(worker__email=EMAIL, status="approved").count() == 2
    log_out(journey)

    # The worker sees the money and one notice for both approvals.
    journey.log_in(EMAIL, PASSWORD)
    journey.goto("/work/earnings/")
    worker = application.worker
    assert ledger.balance_of(ledger.worker_pending(worker.pk)) == 24
    assert page.get_by_text("$0.24").count() >= 1
    journey.shot("earnings")
    journey.goto("/notifications/")
    digest = page.get_by_text(re.compile("2 answers approved"))
    assert digest.count() == 1
    journey.shot("approval-digest")
