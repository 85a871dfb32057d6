"""The public job board /jobs/ and the job page /jobs/<slug>/: content, filters, apply panel."""

import datetime
import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.categories import Category
from jobs.models import Application, JobPage, Qualification, QualificationTest
from jobs.search.indexing import listing_index_changed
from tests.factories import (
    CompanyFactory,
    MembershipFactory,
    WorkerFactory,
    make_application,
    make_job,
    yesterday,
)

pytestmark = pytest.mark.django_db

BOARD = "/jobs/"


def page_text(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def qualification_test(title="Search rating basics"):
    qualification = Qualification.objects.create(
        name="Search rating", slug="search-rating", category=Category.SEARCH_EVALUATION
    )
    return QualificationTest.objects.create(
        qualification=qualification, title=title, category=Category.SEARCH_EVALUATION
    )


def published(job, *, days_ago):
    moment = timezone.now() - datetime.timedelta(days=days_ago)
    JobPage.objects.filter(pk=job.pk).update(first_published_at=moment)
    listing_index_changed(page_id=job.pk)  # an update() sends no signal; search must see it
    return job


# --- The board ----------------------------------------------------------------------------


def test_board_shows_each_listing_with_its_terms(client, site_tree):
    # given a per-task listing limited to two countries and a language, with a deadline
    company = CompanyFactory(name="Northwind AI")
    deadline = timezone.localdate() + datetime.timedelta(days=10)
    make_job(
        title="Rate chatbot answers",
        company=company,
        category=Category.AI_RESPONSE_REVIEW,
        task_pay=(50, 120),
        hours_per_week=15,
        experience_level=JobPage.Experience.EXPERT,
        countries=("US", "DE"),
        languages=("de",),
        deadline=deadline,
    )
    # and an hourly worldwide listing with a qualification test
    make_job(
        title="Search relevance", hourly_pay_cents=1800, qualification_test=qualification_test()
    )

    # when the board is opened
    text = page_text(client.get(BOARD))

    # then both cards show what a job seeker needs
    assert "2 open jobs" in text
    assert "Rate chatbot answers" in text
    assert "Northwind AI" in text
    assert "AI response review" in text
    assert "$0.50 per task" in text
    assert "≈ $15/h estimated" in text
    assert "15 h/week" in text
    assert "Specialist" in text
    assert "Germany, United States" in text
    assert "German" in text
    assert f"Apply by {deadline:%b} {deadline.day}, {deadline.year}" in text
    assert "No test needed" in text
    assert "$18 per hour" in text
    assert "Worldwide" in text
    assert "Qualification test" in text


def test_board_shows_category_counts_beside_the_checkboxes(client, site_tree):
    make_job(category=Category.IMAGE_ANNOTATION)
    make_job(category=Category.IMAGE_ANNOTATION)
    make_job(category=Category.TEXT_MODERATION)

    response = client.get(BOARD, {"category": Category.TEXT_MODERATION})

    assert response.context["category_counts"][Category.IMAGE_ANNOTATION] == 2
    assert response.context["category_counts"][Category.TEXT_MODERATION] == 1
    text = page_text(response)
    assert "1 open job match" in text
    assert 'aria-label="2 jobs">2</span>' in text
    assert (
        f'value="{Category.TEXT_MODERATION.value}" id="id_category_3" form="job-filters" checked'
        in text
    )


def test_hidden_listings_are_not_on_the_board(client, site_tree):
    make_job(title="Visible job")
    make_job(title="Draft job", live=False)
    make_job(title="Paused job", status=JobPage.Status.PAUSED)
    make_job(title="Closed job", status=JobPage.Status.CLOSED)
    make_job(title="Expired job", deadline=yesterday())

    text = page_text(client.get(BOARD))

    assert "Visible job" in text
    for hidden in ("Draft job", "Paused job", "Closed job", "Expired job"):
        assert hidden not in text
    assert "1 open job" in text


def test_an_empty_board_says_so(client, site_tree):
    text = page_text(client.get(BOARD))

    assert "No open jobs yet" in text
    assert "No jobs match these filters" not in text


def test_filters_that_exclude_everything_offer_to_clear_them(client, site_tree):
    make_job(title="Text job", category=Category.TEXT_ANNOTATION)

    text = page_text(client.get(BOARD, {"q": "podcast"}))

    assert "No jobs match these filters" in text
    assert '<a class="btn btn-primary" href="/jobs/">Clear filters</a>' in text
    assert "Text job" not in text


def test_filters_from_the_url_apply(client, site_tree):
    make_job(title="German search", category=Category.SEARCH_EVALUATION, languages=("de",))
    make_job(title="English search", category=Category.SEARCH_EVALUATION, languages=("en",))
    make_job(title="Moderation", category=Category.TEXT_MODERATION)

    response = client.get(
        BOARD, {"category": Category.SEARCH_EVALUATION, "language": "de", "sort": "pay"}
    )

    assert [hit.listing.title for hit in response.context["results"].hits] == ["German search"]


def test_pagination_links_keep_the_filters(client, site_tree, settings):
    settings.LISTINGS_PER_PAGE = 2
    for day in range(5):
        published(
            make_job(title=f"Image job {day}", category=Category.IMAGE_ANNOTATION), days_ago=day
        )
    make_job(category=Category.TEXT_ANNOTATION)

    text = page_text(client.get(BOARD, {"category": Category.IMAGE_ANNOTATION, "page": 2}))

    assert "Image job 2" in text
    assert "Image job 3" in text
    assert 'href="?category=image-annotation&page=3" rel="next"' in text
    assert 'href="?category=image-annotation" rel="prev"' in text
    assert '<span aria-current="page">2</span>' in text
    assert "Showing 3\N{EN DASH}4 of 5" in text


def test_a_page_past_the_end_shows_the_last_page(client, site_tree, settings):
    settings.LISTINGS_PER_PAGE = 2
    for day in range(3):
        published(make_job(title=f"Job {day}"), days_ago=day)

    response = client.get(BOARD, {"page": 40})

    assert response.status_code == 200
    assert response.context["results"].page == 2
    assert [hit.listing.title for hit in response.context["results"].hits] == ["Job 2"]


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"category": "nonsense"}, "Choose categories from the list."),
        ({"min_pay": "abc"}, "Enter an hourly amount such as 15 or 12.50."),
        ({"min_pay": "-5"}, "The minimum pay cannot be negative."),
        ({"min_pay": "1000.01"}, "Enter at most 1,000 per hour."),
        ({"min_pay": "NaN"}, "Enter an hourly amount such as 15 or 12.50."),
        ({"country": "ZZ"}, "Choose a country from the list."),
        ({"language": "xx"}, "Choose a language from the list."),
        ({"sort": "cheapest"}, "Sort by best match, newest or highest pay."),
        ({"page": "0"}, "Page numbers are whole numbers from 1; showing page 1."),
        ({"page": "abc"}, "Page numbers are whole numbers from 1; showing page 1."),
        ({"q": "x" * 10_000}, "Keep the search under 200 characters; it was left out."),
    ],
    ids=lambda value: next(iter(value)) if isinstance(value, dict) else "",
)
def test_bad_values_show_an_error_and_the_board_still_works(client, site_tree, params, error):
    # given two listings, one German-only
    make_job(title="German job", languages=("de",))
    make_job(title="English job", languages=("en",))

    # when a bad value comes with a good language filter
    response = client.get(BOARD, {**params, "language": params.get("language", "de")})

    # then the page explains the bad value and still applies the rest
    text = page_text(response)
    assert error in text
    if "language" not in params:
        assert [hit.listing.title for hit in response.context["results"].hits] == ["German job"]
    else:
        assert response.context["results"].total == 2


def test_one_good_and_one_bad_category_keeps_working(client, site_tree):
    make_job(title="Images", category=Category.IMAGE_ANNOTATION)

    response = client.get(BOARD, {"category": ["image-annotation", "nonsense"], "q": "Images"})

    assert "Choose categories from the list." in page_text(response)
    assert [hit.listing.title for hit in response.context["results"].hits] == ["Images"]


def test_minimum_pay_in_dollars_counts_per_task_pay(client, site_tree):
    make_job(
        title="Per task $18/h",
        task_pay=(30, 60),
    )
    make_job(title="Hourly $12", hourly_pay_cents=1200)

    response = client.get(BOARD, {"min_pay": "12.50"})

    assert [hit.listing.title for hit in response.context["results"].hits] == ["Per task $18/h"]
    assert response.context["results"].query.min_hourly_cents == 1250


# --- The job page ---------------------------------------------------------------------------


def test_job_page_shows_the_full_listing(client, site_tree):
    company = CompanyFactory(name="Northwind AI", website="https://northwind.example")
    job = make_job(
        title="Rate chatbot answers",
        company=company,
        category=Category.AI_RESPONSE_REVIEW,
        task_pay=(50, 120),
        hours_per_week=15,
        openings=25,
        countries=("DE",),
        languages=("de", "en"),
        qualification_test=qualification_test(title="Chatbot review test"),
    )

    text = page_text(client.get(job.url))

    assert '<h1 id="job-title">Rate chatbot answers</h1>' in text
    assert "Northwind AI" in text
    assert 'href="https://northwind.example"' in text
    assert "AI response review" in text
    assert "Label short texts for a sentiment model." in text
    assert "<p>Work from home on your own schedule.</p>" in text
    assert "$0.50 per task" in text
    assert "About 2 min per task · ≈ $15/h" in text
    assert "Estimated: too few answers are timed yet" in text
    assert "15 h/week" in text
    assert "<dd>25</dd>" in text
    assert "Germany" in text
    assert "English, German" in text
    assert "Qualification test: Chatbot review test" in text
    assert "You take this test after you apply: the pass mark is" in text
    assert '<a href="/jobs/">\N{SINGLE LEFT-POINTING ANGLE QUOTATION MARK} Back to jobs</a>' in text


def test_job_page_lists_up_to_three_related_open_listings(client, site_tree):
    job = make_job(title="Main", category=Category.TEXT_MODERATION)
    for day in range(4):
        published(make_job(title=f"Related {day}", category=Category.TEXT_MODERATION), days_ago=day)
    make_job(
        title="Closed related", category=Category.TEXT_MODERATION, status=JobPage.Status.CLOSED
    )
    make_job(title="Other category", category=Category.IMAGE_ANNOTATION)

    response = client.get(job.url)

    assert [related.title for related, _ in response.context["related"]] == [
        "Related 0",
        "Related 1",
        "Related 2",
    ]


def test_anonymous_visitors_are_asked_to_sign_up(client, site_tree):
    job = make_job()

    text = page_text(client.get(job.url))

    assert f'href="/accounts/signup/?next=%2Fjobs%2F{job.slug}%2F">Sign up to apply</a>' in text
    assert f'href="/accounts/login/?next=%2Fjobs%2F{job.slug}%2F">Log in</a>' in text
    assert 'name="motivation"' not in text


def test_a_company_member_cannot_apply(client, site_tree):
    job = make_job()
    client.force_login(MembershipFactory(role="manager").user)

    text = page_text(client.get(job.url))

    assert "Company accounts can't apply; sign in as a worker." in text
    assert 'name="motivation"' not in text


def test_a_verified_worker_gets_the_apply_form(client, site_tree, worker):
    job = make_job()
    client.force_login(worker)

    text = page_text(client.get(job.url))

    assert f'<form method="post" action="/jobs/{job.pk}/apply/" class="apply-form">' in text
    assert 'name="csrfmiddlewaretoken"' in text
    assert '<label for="id_motivation">Why are you a good fit?</label>' in text
    assert '<textarea name="motivation" id="id_motivation" maxlength="2000" required' in text


def test_a_worker_who_applied_sees_their_application(client, site_tree, worker):
    job = make_job()
    application = make_application(worker=worker, job=job, status=Application.Status.TEST_REQUIRED)
    client.force_login(worker)

    text = page_text(client.get(job.url))

    assert "You applied to this job." in text
    assert '<span class="badge badge-warn">Test required</span>' in text
    assert f'href="/work/applications/{application.pk}/"' in text
    assert 'name="motivation"' not in text


def test_a_worker_who_withdrew_may_apply_again(client, site_tree, worker):
    job = make_job()
    make_application(worker=worker, job=job, status=Application.Status.WITHDRAWN)
    client.force_login(worker)

    text = page_text(client.get(job.url))

    assert "You withdrew your earlier application. You can apply again." in text
    assert 'name="motivation"' in text


def test_another_workers_application_does_not_count(client, site_tree, worker):
    job = make_job()
    make_application(job=job)
    client.force_login(worker)

    text = page_text(client.get(job.url))

    assert "You applied to this job." not in text
    assert 'name="motivation"' in text


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"status": JobPage.Status.CLOSED}, "This job is closed and no longer takes applications."),
        (
            {"status": JobPage.Status.PAUSED},
            "This job is paused and not taking applications right now.",
        ),
        ({"deadline": "yesterday"}, "The deadline for this job has passed."),
    ],
    ids=["closed", "paused", "past-deadline"],
)
def test_a_listing_that_takes_no_applications_says_why(client, site_tree, worker, fields, message):
    if fields.get("deadline") == "yesterday":
        fields = {"deadline": yesterday()}
    job = make_job(**fields)
    client.force_login(worker)

    text = page_text(client.get(job.url))

    assert message in text
    assert 'name="motivation"' not in text


def test_an_unverified_worker_is_asked_to_verify_their_email(client, site_tree):
    job = make_job()
    client.force_login(WorkerFactory(verified=False))

    text = page_text(client.get(job.url))

    assert "Verify your email address before you apply." in text
    assert 'href="/accounts/email/"' in text
    assert 'name="motivation"' not in text


# --- Queries ----------------------------------------------------------------------------------


def count_queries(client, path):
    client.get(path)  # warm caches that are filled once per process (site root paths)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured.captured_queries)


def make_listings(count, *, test):
    for _ in range(count):
        make_job(
            category=Category.TEXT_MODERATION,
            countries=("US", "DE"),
            languages=("en",),
            qualification_test=test,
        )


def test_board_queries_do_not_grow_with_the_listings(client, site_tree):
    test = qualification_test()
    make_listings(3, test=test)
    few = count_queries(client, BOARD)

    make_listings(27, test=test)
    many = count_queries(client, BOARD)

    assert few == many
    # 16 today: ~9 for Wagtail routing and the site chrome, 7 for the board itself.
    assert many <= 18


def test_job_page_queries_do_not_grow_with_the_listings(client, site_tree, worker):
    test = qualification_test()
    job = make_job(category=Category.TEXT_MODERATION, countries=("US",), qualification_test=test)
    client.force_login(worker)
    make_listings(3, test=test)
    few = count_queries(client, job.url)

    make_listings(27, test=test)
    many = count_queries(client, job.url)

    assert few == many
    # 22 today for a signed-in worker: session, user and chrome included; 2 for the apply
    # panel (email and application in one, whether they hold the test's qualification).
    assert many <= 24


def test_the_listing_page_costs_the_same_queries_however_much_it_shows(client, site_tree, worker):
    """Pay of any number of projects is one stored row; related listings are one query."""

    def queries_for(related: int, projects: int) -> int:
        job = make_job(category=Category.TEXT_ANNOTATION, task_pay=(10, 40), admission="on_pass")
        figures = job.pay_figures
        figures.projects = figures.projects * projects
        figures.project_count = projects
        figures.save()
        for _ in range(related):
            make_job(category=Category.TEXT_ANNOTATION, task_pay=(12, 40))
        make_application(worker=worker, job=job, status=Application.Status.ACTIVE)
        client.force_login(worker)
        client.get(job.url)  # the site's root paths are cached from here on
        with CaptureQueriesContext(connection) as captured:
            response = client.get(job.url)
        assert response.status_code == 200
        assert "Start tasks" in response.content.decode()
        return len(captured)

    assert queries_for(related=1, projects=1) == queries_for(related=3, projects=4)
