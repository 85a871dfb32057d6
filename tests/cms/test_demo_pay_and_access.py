"""The demo tells the truth about pay and access (cms/demo/listings.py, projects.py, pay.py,
applications.py): every listing pays what its projects pay or states an hourly pay, both at
or above the floor; the journey's listing works end to end; the demo worker's Work page
groups, opens and locks projects; extra workers can work anywhere."""

import datetime
import html
import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from accounts.models import User
from cms.demo import project_items as content
from cms.demo.listings import LISTINGS
from cms.demo.pay import demo_listings, demo_pay_problems, demo_projects
from core.money import format_money
from jobs.applications import application_next_step, application_submit
from jobs.models import Application, JobPage, ListingPay
from jobs.qualification import attempt_start, attempt_submit
from jobs.qualification_models import QualificationQuestion
from marketplace.assignment import assignment_claim_next, assignment_submit, project_eligibility
from marketplace.models import Assignment, Item, Project
from marketplace.pay import minimum_reward_cents, pay_floor_cents, project_pay
from marketplace.projects import _pay_floor_check
from marketplace.review import review_bulk
from marketplace.worker_selectors import worker_home
from payouts.selectors import earnings_summary, worker_accounts
from tests.factories import WorkerFactory

JOURNEY_LISTING = "named-entity-tagging-news-articles"
FLOOR = 800

# listing slug -> [(project, reward, seconds, hourly)], the figures the board shows.
TASK_PAY = {
    "bounding-box-annotator-street-scenes": [("Bounding boxes on street scenes", 35, 120, 1050)],
    "named-entity-tagging-news-articles": [("Named-entity tagging in news articles", 18, 60, 1080)],
    "sentiment-labelling-product-reviews-spanish": [
        ("Product review sentiment (Spanish)", 12, 40, 1080)
    ],
    "query-rewriting-shopping-search": [("Query rewriting for shopping search", 12, 45, 960)],
    "accent-coverage-read-speech-review": [
        ("Voice clip transcription for accent coverage", 12, 45, 960)
    ],
    "comment-toxicity-rater": [("Comment toxicity rating", 7, 25, 1008)],
    "review-spam-detection": [("Review spam detection", 10, 40, 900)],
    "social-media-moderator-english": [("Social media moderation (English)", 12, 40, 1080)],
    "community-notes-helpfulness-rater": [("Community notes helpfulness rating", 40, 120, 1200)],
    "search-quality-rater-us-english": [("Search quality rating (US English)", 16, 45, 1280)],
    "query-autocomplete-evaluation": [("Query autocomplete evaluation", 4, 15, 960)],
    "hashtag-and-topic-labelling": [("Hashtag and topic labelling", 8, 30, 960)],
    "support-conversation-quality-grader": [
        ("Support conversation quality grading", 45, 150, 1080),
        ("Support conversation quality: rewriting curt replies", 60, 180, 1200),
    ],
    "chatbot-answer-reviewer": [("Chatbot answer review", 40, 90, 1600)],
    "support-bot-answer-accuracy-review": [("Support bot answer accuracy review", 30, 90, 1200)],
}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo seeded once (with two extra workers) for the module, rolled back at its end."""
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(DEMO_MODE=True, MEDIA_ROOT=str(media)),
        transaction.atomic(),
    ):
        Group.objects.get_or_create(name="Moderators")
        call_command("seed_demo", "--workers", "2", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


def task_listings():
    return demo_listings().filter(pay_source=JobPage.PaySource.PROJECTS)


def hourly_listings():
    return demo_listings().filter(pay_source=JobPage.PaySource.HOURLY)


# --- Pay ------------------------------------------------------------------------------------


def test_the_floor_is_eight_dollars_an_hour(settings):
    assert settings.PAY_FLOOR_HOURLY_CENTS == FLOOR


def test_task_listings_show_exactly_what_their_projects_pay(seeded, db):
    seen = {}
    for listing in task_listings().select_related("pay_figures"):
        projects = list(listing.projects.order_by("pk"))
        figures = listing.pay_figures
        pays = [project_pay(project) for project in projects]
        seen[listing.slug] = [
            (project.title, pay.reward_cents, pay.seconds, pay.hourly_cents)
            for project, pay in zip(projects, pays, strict=True)
        ]
        assert listing.hourly_pay_cents is None, listing.slug
        assert figures.project_count == len(projects) >= 1
        assert [
            (row["id"], row["reward_cents"], row["seconds"], row["hourly_cents"])
            for row in figures.projects
        ] == [
            (project.pk, pay.reward_cents, pay.seconds, pay.hourly_cents)
            for project, pay in zip(projects, pays, strict=True)
        ]
        assert (figures.reward_min_cents, figures.reward_max_cents) == (
            min(pay.reward_cents for pay in pays),
            max(pay.reward_cents for pay in pays),
        )
        assert (figures.seconds_min, figures.seconds_max) == (
            min(pay.seconds for pay in pays),
            max(pay.seconds for pay in pays),
        )
        assert (figures.hourly_min_cents, figures.hourly_max_cents) == (
            min(pay.hourly_cents for pay in pays),
            max(pay.hourly_cents for pay in pays),
        )
        assert listing.hourly_rate_cents == figures.hourly_min_cents
        assert figures.is_estimate and not figures.floor_applies
    assert {slug: sorted(rows) for slug, rows in seen.items()} == {
        slug: sorted(rows) for slug, rows in TASK_PAY.items()
    }


def test_the_board_shows_each_task_listings_pay_per_task_time_and_hourly_rate(seeded, db):
    shown = {
        listing.slug: (
            listing.pay_display,
            listing.pay_figures.time_text,
            listing.pay_figures.hourly_text,
        )
        for listing in task_listings().select_related("pay_figures")
    }

    assert shown["named-entity-tagging-news-articles"] == (
        "$0.18 per task",
        "about 1 min per task",
        "$10.80/h",
    )
    assert shown["query-autocomplete-evaluation"] == (
        "$0.04 per task",
        "about 15 s per task",
        "$9.60/h",
    )
    assert shown["support-conversation-quality-grader"] == (
        "$0.45\N{EN DASH}$0.60 per task",
        "about 2 min 30 s\N{EN DASH}3 min per task",
        "$10.80\N{EN DASH}$12/h",
    )


def test_hourly_listings_state_a_pay_at_or_above_the_floor_and_link_no_project(seeded, db):
    hourly = list(hourly_listings())

    assert len(hourly) == 49
    for listing in hourly:
        assert listing.hourly_pay_cents >= FLOOR, listing.slug
        assert not listing.projects.exists(), listing.slug
        assert not ListingPay.objects.filter(listing=listing, project_count__gt=0).exists()
        assert listing.pay_display == f"{format_money(listing.hourly_pay_cents)} per hour"


def test_every_demo_project_pays_at_least_the_floor_and_could_launch(seeded, db):
    projects = list(demo_projects())

    assert len(projects) == 16
    for project in projects:
        pay = project_pay(project)
        assert pay_floor_cents(project) == FLOOR
        assert pay.hourly_cents >= FLOOR, project.title
        assert project.reward_cents >= minimum_reward_cents(
            seconds=project.estimated_task_seconds, floor_cents=FLOOR
        )
        assert project.estimated_task_seconds <= project.lease_seconds, project.title
        _pay_floor_check(project)  # raises LoopworkError under the floor


def test_measured_times_of_seeded_answers_agree_with_the_estimate(seeded, db):
    # The review history's answers are timed: too few to replace the estimate yet, and
    # their median pays above the floor at the project's reward.
    sentiment = demo_projects().get(title="Product review sentiment (Spanish)")

    assert (sentiment.median_work_seconds, sentiment.timed_answer_count) == (35, 19)
    assert not project_pay(sentiment).measured
    assert sentiment.reward_cents * 3600 / sentiment.median_work_seconds >= FLOOR
    for project in demo_projects().exclude(pk=sentiment.pk):
        assert (project.median_work_seconds, project.timed_answer_count) == (None, 0)


def test_seeded_approvals_needed_no_pay_floor_top_up(seeded, db):
    approved = Assignment.objects.filter(
        project__in=demo_projects(), status=Assignment.Status.APPROVED
    )

    assert approved.count() == 7
    for assignment in approved:
        earned = assignment.reward_cents * 3600 / assignment.work_seconds
        assert earned >= FLOOR, assignment.work_seconds


def test_every_demo_listing_may_go_live_with_its_pay(seeded, db):
    listings = list(demo_listings())

    assert len(listings) == len(LISTINGS) == 64
    for listing in listings:
        assert listing.pay_problem() is None, listing.slug
    assert demo_pay_problems() == []


def test_every_listing_says_how_its_work_is_done_and_paid(seeded, db):
    for listing in task_listings():
        text = html.unescape(listing.description)
        assert "This is task work on Loopwork." in text, listing.slug
        assert "approved tasks are paid through Loopwork" in text
    for listing in hourly_listings().select_related("company"):
        text = html.unescape(listing.description)
        assert f"This is hourly work in {listing.company.name}'s own tools" in text, listing.slug
        assert f"{listing.company.name} pays the hourly rate above" in text
        assert "paid through Loopwork" not in text


def test_a_demo_that_broke_the_floor_would_not_finish_seeding(seeded, db):
    listing = hourly_listings().first()
    JobPage.objects.filter(pk=listing.pk).update(hourly_pay_cents=FLOOR - 1)

    assert demo_pay_problems() == [
        f"{listing.slug}: The hourly pay is under Loopwork's pay floor of $8 an hour."
    ]


# --- Access ---------------------------------------------------------------------------------


def test_two_projects_are_open_and_the_others_take_only_admitted_workers(seeded, db):
    open_projects = demo_projects().filter(access=Project.Access.OPEN)

    assert sorted(open_projects.values_list("title", "required_qualification__name")) == [
        ("Query autocomplete evaluation", None),
        ("Social media moderation (English)", "Social media community moderation"),
    ]
    assert demo_projects().filter(access=Project.Access.LISTINGS).count() == 14


def test_task_listings_admit_on_passing_except_the_chatbot_review(seeded, db):
    admissions = dict(task_listings().values_list("slug", "admission"))

    assert {slug for slug, rule in admissions.items() if rule == "company"} == {
        "chatbot-answer-reviewer"
    }
    assert not hourly_listings().exclude(admission=JobPage.Admission.COMPANY).exists()


def test_project_titles_read_as_their_listings_work(seeded, db):
    titles = {
        (listing.title, project.title)
        for listing in task_listings()
        for project in listing.projects.all()
    }

    assert ("Named-entity tagging in news articles", "Named-entity tagging in news articles") in (
        titles
    )
    for listing_title, project_title in titles:
        listing_words = set(listing_title.lower().replace("-", " ").split())
        project_words = set(project_title.lower().replace("-", " ").split())
        assert len(listing_words & project_words) >= 2, (listing_title, project_title)


# --- The journey ----------------------------------------------------------------------------


def test_the_journeys_listing_admits_on_passing_its_test_into_a_project_with_tasks(seeded, db):
    listing = JobPage.objects.live().get(slug=JOURNEY_LISTING)
    (project,) = listing.projects.all()

    assert listing.status == JobPage.Status.OPEN and listing.accepts_applications
    assert listing.admission == JobPage.Admission.ON_PASS
    assert listing.qualification_test.category == "text-annotation"
    assert listing.company.memberships.get(role="owner").user.email == "company@example.com"
    assert project.access == Project.Access.LISTINGS
    assert project.status == Project.Status.ACTIVE
    assert project.required_qualification_id == listing.qualification_test.qualification_id
    assert Item.objects.filter(project=project, is_gold=False, is_open=True).count() == 20


def _right_answers(attempt) -> dict:
    answers = {}
    for question in QualificationQuestion.objects.filter(pk__in=attempt.question_ids):
        if question.kind == "sample_task":
            answers[question.pk] = question.gold_answer
        elif question.is_choice:
            right = [option["id"] for option in question.options if option["correct"]]
            answers[question.pk] = right[:1] if question.kind == "single_choice" else right
        elif question.kind == "short_text":
            answers[question.pk] = question.accepted_answers[0]
        else:
            answers[question.pk] = str(question.numeric_answer)
    return answers


def _entity_answer(item: Item) -> dict:
    entities = dict(content.NEWS)[item.data["text"]]
    return {"spans": content.entity_spans(item.data["text"], entities)}


def test_the_journey_runs_on_the_demo_data(seeded, db, client):
    # given a new worker with a confirmed email
    worker = WorkerFactory(email="new-worker@example.com")
    listing = JobPage.objects.live().select_related("qualification_test").get(slug=JOURNEY_LISTING)
    project = listing.projects.get()

    # when they apply and pass the listing's test
    application = application_submit(worker=worker, job=listing, motivation="I read news daily.")
    assert application.status == Application.Status.TEST_REQUIRED
    attempt = attempt_start(worker=worker, test=listing.qualification_test)
    attempt = attempt_submit(attempt=attempt, worker=worker, answers=_right_answers(attempt))
    assert attempt.passed
    application.refresh_from_db()

    # then they are admitted, and "Start tasks" leads to the project
    assert application.status == Application.Status.ACTIVE
    step = application_next_step(application)
    assert (step.action_label, step.start_tasks) == ("Start tasks", True)
    client.force_login(worker)
    response = client.get(step.action_url)
    assert response.status_code == 302
    assert response.url == f"/work/projects/{project.pk}/"

    # when they submit two tasks, each after a minute's work
    start = timezone.now()
    submitted = []
    for minute in range(2):
        leased_at = start + datetime.timedelta(minutes=minute)
        lease = assignment_claim_next(worker=worker, project=project, now=leased_at)
        answer = lease.item.gold_answer if lease.item.is_gold else _entity_answer(lease.item)
        assignment_submit(
            worker=worker,
            assignment_id=lease.pk,
            answer=answer,
            now=leased_at + datetime.timedelta(seconds=55),
        )
        submitted.append(lease.pk)

    # and the company approves them in bulk
    reviewer = User.objects.get(email="company@example.com")
    outcome = review_bulk(submitted, reviewer=reviewer, action="approve")

    # then the worker sees what they earned: the listing's reward, twice
    assert sorted(outcome.done) == sorted(submitted)
    summary = earnings_summary(accounts=worker_accounts(worker_id=worker.pk))
    assert summary.pending_cents == 2 * 18
    assert "$0.36" in client.get("/work/earnings/").content.decode()


# --- The demo worker's Work page ------------------------------------------------------------


def test_the_demo_workers_work_page_groups_opens_and_locks_projects(seeded, db, client):
    worker = User.objects.get(email="worker@example.com")

    home = worker_home(worker=worker)

    assert sorted(
        (group.listing.title, [card.project.title for card in group.cards]) for group in home.groups
    ) == [
        ("Query rewriting for shopping search", ["Query rewriting for shopping search"]),
        (
            "Sentiment labelling of product reviews (Spanish)",
            ["Product review sentiment (Spanish)"],
        ),
    ]
    assert all(card.can_start for group in home.groups for card in group.cards)
    assert [(card.project.title, card.can_start) for card in home.open_cards] == [
        ("Query autocomplete evaluation", True)
    ]
    locked = {card.project.title: card.unlock for card in home.locked}
    assert len(locked) == 13
    assert locked["Named-entity tagging in news articles"].code == "not_admitted"
    assert locked["Named-entity tagging in news articles"].action_url == (
        f"/jobs/{JOURNEY_LISTING}/"
    )
    pending = locked["Chatbot answer review"]
    assert pending.code == "admission_pending"
    assert pending.reason == (
        "Pass the test of “Chatbot answer reviewer”: Brightloom Labs decides once you pass."
    )
    assert (pending.title, pending.action_label) == (
        "Pass its listing's test first",
        "Take the test",
    )
    needs_test = locked["Social media moderation (English)"]
    assert needs_test.code == "not_qualified"
    assert needs_test.action_label == "Take the test"

    client.force_login(worker)
    html = client.get("/work/").content.decode()
    assert "Open to every qualified worker" in html
    assert "Projects you can unlock" in html
    for group in home.groups:
        assert f'<a href="{group.listing.url}">{group.listing.title}</a></h3>' in html


def test_the_demo_workers_applications_have_their_history(seeded, db):
    worker = User.objects.get(email="worker@example.com")
    applications = {
        application.job.slug: application
        for application in Application.objects.filter(worker=worker).select_related("job")
    }

    assert {slug: app.status for slug, app in applications.items()} == {
        "sentiment-labelling-product-reviews-spanish": Application.Status.ACTIVE,
        "query-rewriting-shopping-search": Application.Status.ACTIVE,
        "chatbot-answer-reviewer": Application.Status.TEST_REQUIRED,
    }
    sentiment = applications["sentiment-labelling-product-reviews-spanish"]
    assert list(sentiment.events.values_list("status", flat=True)) == [
        Application.Status.TEST_REQUIRED,
        Application.Status.ACTIVE,
    ]
    # Admitted before the first of the seeded answers in its project.
    first_answer = (
        Assignment.objects.filter(worker=worker).order_by("submitted_at").first().submitted_at
    )
    assert sentiment.created_at < first_answer
    for email in ("sam@example.com", "lee@example.com"):
        assert (
            Application.objects.get(worker__email=email, job=sentiment.job).status
            == Application.Status.ACTIVE
        )


def test_extra_workers_are_admitted_to_every_task_listing_and_can_work_anywhere(seeded, db):
    slugs = set(task_listings().values_list("slug", flat=True))
    for number in (1, 2):
        worker = User.objects.get(email=f"worker{number}@example.com")
        admitted = Application.objects.filter(worker=worker, status=Application.Status.ACTIVE)
        assert set(admitted.values_list("job__slug", flat=True)) == slugs
        assert all(application.events.count() == 1 for application in admitted)
        for project in demo_projects():
            assert project_eligibility(worker=worker, project=project).ok, project.title


@override_settings(DEMO_MODE=True)
def test_seeding_again_changes_no_pay_or_application(seeded, db, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)

    def state():
        return (
            sorted(ListingPay.objects.values_list("listing_id", "projects", "updated_at")),
            sorted(Project.objects.values_list("pk", "median_work_seconds", "updated_at")),
            sorted(Application.objects.values_list("pk", "status", "updated_at")),
        )

    before = state()
    call_command("seed_demo", "--workers", "2", stdout=io.StringIO())

    assert state() == before
