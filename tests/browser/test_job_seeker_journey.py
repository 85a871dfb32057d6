"""A job seeker finds a listing, signs up, verifies their email and applies."""

import re

import pytest
from django.core import mail

from core.categories import Category
from jobs.models import Application
from tests.factories import CompanyFactory, make_job

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_find_sign_up_verify_and_apply(journey, site_tree):
    company = CompanyFactory(name="Northwind Labs")
    wanted = make_job(
        company=company,
        title="Search quality rater (Spanish)",
        category=Category.SEARCH_EVALUATION,
    )
    make_job(company=company, title="Street scene box drawing", category=Category.IMAGE_ANNOTATION)
    page = journey.page

    journey.goto("/")
    journey.shot("home")
    page.get_by_role("link", name="Jobs", exact=True).first.click()
    page.wait_for_url(re.compile(r"/jobs/$"))
    journey.shot("job-board")

    page.get_by_label(re.compile("Search engine evaluation")).check()
    page.get_by_role("button", name=re.compile("Apply filters|Show jobs|Filter")).first.click()
    page.wait_for_url(re.compile(r"category=search-evaluation"))
    assert page.get_by_text("Street scene box drawing").count() == 0
    journey.shot("filtered-by-category")

    page.get_by_role("link", name="Search quality rater (Spanish)").first.click()
    page.wait_for_url(re.compile(wanted.url_path.split("/jobs/")[-1]))
    journey.shot("listing")

    page.get_by_role("link", name=re.compile("Sign up")).last.click()
    page.get_by_label(re.compile("^Email")).fill("new.rater@example.org")
    page.get_by_label(re.compile("^Password$")).fill("a-long-demo-passphrase-42")
    page.get_by_label(re.compile("Password \\(again\\)")).fill("a-long-demo-passphrase-42")
    page.get_by_label(re.compile("Looking for work")).check()
    journey.shot("sign-up-form")
    page.get_by_role("button", name=re.compile("Sign up", re.I)).click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/"))
    journey.shot("verification-sent")

    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^\s]+/accounts/confirm-email/[^\s]+/", mail.outbox[0].body).group(
        0
    )
    journey.goto(re.sub(r"^https?://[^/]+", "", link))
    journey.shot("confirm-email")
    page.get_by_role("button", name=re.compile("Confirm", re.I)).click()
    page.wait_for_load_state()
    journey.shot("email-confirmed")

    journey.goto(wanted.url)
    page.get_by_label(re.compile("good fit")).fill(
        "I rate search results in Spanish every day and know Mexican local businesses."
    )
    journey.shot("apply-form")
    page.get_by_role("button", name=re.compile("Apply|Send application")).click()
    page.wait_for_load_state()
    journey.shot("applied")

    application = Application.objects.get(worker__email="new.rater@example.org")
    assert application.job_id == wanted.pk
    assert application.status == Application.Status.SUBMITTED

    journey.goto("/work/applications/")
    assert page.get_by_text("Search quality rater (Spanish)").count() >= 1
    assert page.get_by_text("Submitted").count() >= 1
    journey.shot("my-applications")
