"""Applicants take a qualification test: one passes, one fails and sees the retake date."""

import re

import pytest

from core.categories import Category
from jobs.models import Application
from jobs.qualification_io import qualification_test_import
from jobs.qualification_models import QualificationGrant
from tests.factories import CompanyFactory, WorkerFactory, make_job

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

QUESTIONS = [
    (
        "A user searches 'pizza near me'. Which result fully meets the need?",
        "A map of open pizzerias close to the user",
        ["A history of pizza", "A pasta recipe"],
    ),
    (
        "A result page is a copy of another site stuffed with ads. How do you rate its quality?",
        "Lowest: it copies content and exists for the ads",
        ["High", "Medium"],
    ),
    (
        "The query is in Spanish and the user's locale is Mexico. Which result fits best?",
        "A Spanish page from a Mexican source",
        ["An English page from Canada", "A German page"],
    ),
]


def search_test():
    document = {
        "format": "loopwork.qualification_test/1",
        "qualification": {
            "name": "Search relevance rating",
            "slug": "journey-search-rating",
            "category": "search-evaluation",
            "description": "Rates how well results meet a search need.",
        },
        "test": {
            "title": "Search rating basics",
            "category": "search-evaluation",
            "instructions": "Pick the best answer for each question.",
            "pass_score": 80,
            "time_limit_minutes": 10,
            "max_attempts": 3,
            "retake_cooldown_hours": 24,
            "questions_per_attempt": 3,
            "shuffle_questions": True,
            "shuffle_options": True,
            "grant_validity_days": 365,
            "show_feedback": True,
        },
        "questions": [
            {
                "kind": "single_choice",
                "prompt": prompt,
                "weight": 1,
                "explanation": "The best result serves the user's need where they are.",
                "options": [{"text": right, "correct": True}]
                + [{"text": text, "correct": False} for text in wrong],
            }
            for prompt, right, wrong in QUESTIONS
        ],
    }
    return qualification_test_import(data=document).test


def apply_and_open_the_test(journey, job):
    page = journey.page
    journey.goto(job.url)
    page.get_by_label(re.compile("good fit")).fill("I rate search results for a living.")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_load_state()
    journey.shot("applied-test-required")
    page.get_by_role("link", name=re.compile("Take the test")).first.click()
    page.wait_for_load_state()
    journey.shot("test-intro")
    page.get_by_role("button", name=re.compile("Start the test")).click()
    page.wait_for_url(re.compile(r"/work/"))
    assert page.get_by_text(re.compile("Question 1")).count() == 1
    journey.shot("attempt")


def test_an_applicant_passes_and_another_fails_and_sees_the_retake_date(journey, site_tree):
    test = search_test()
    job = make_job(
        company=CompanyFactory(name="Northwind Labs"),
        title="Search quality rater",
        category=Category.SEARCH_EVALUATION,
        qualification_test=test,
    )
    passer = WorkerFactory(email="passer@example.org")
    failer = WorkerFactory(email="failer@example.org")
    page = journey.page

    journey.log_in(passer.email)
    apply_and_open_the_test(journey, job)
    for _prompt, right, _wrong in QUESTIONS:
        page.get_by_label(right).check()
    page.get_by_role("button", name="Submit the test").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="You passed").count() == 1
    journey.shot("passed")

    journey.goto("/work/applications/")
    assert page.get_by_text("Qualified").count() >= 1
    journey.shot("application-qualified")
    journey.goto("/work/qualifications/")
    assert page.get_by_text("Search relevance rating").count() >= 1
    journey.shot("grant-listed")
    assert Application.objects.get(worker=passer).status == Application.Status.QUALIFIED
    assert QualificationGrant.objects.get(worker=passer).score == 100

    page.context.clear_cookies()
    journey.log_in(failer.email)
    apply_and_open_the_test(journey, job)
    for _prompt, _right, wrong in QUESTIONS:
        page.get_by_label(wrong[0]).check()
    page.get_by_role("button", name="Submit the test").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Not passed this time").count() == 1
    assert page.get_by_text(re.compile("You can retake on")).count() == 1
    journey.shot("failed-with-retake-date")
    assert Application.objects.get(worker=failer).status == Application.Status.TEST_REQUIRED
    assert not QualificationGrant.objects.filter(worker=failer).exists()
