"""The worker's project list, project page, task page and the end states of the task loop."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from annotation.registry import INTERFACES
from jobs.qualification_models import QualificationGrant
from marketplace import worker_selectors
from marketplace.models import Assignment, Item, Project, WorkerStop
from marketplace.pay import project_pay_measure
from tests.factories import MembershipFactory, WorkerFactory, make_application, make_job
from tests.jobs.qualification_factories import make_qualification_test
from tests.marketplace.factories import make_assignment, make_items, make_project

pytestmark = pytest.mark.django_db


def submit(client, assignment, answer):
    payload = answer if isinstance(answer, str) else json.dumps(answer)
    return client.post(f"/work/tasks/{assignment.pk}/submit/", {"answer": payload})


def start(client, project, *, follow=False, **data):
    return client.post(f"/work/projects/{project.pk}/start/", data, follow=follow)


def leased(worker, project):
    return Assignment.objects.get(worker=worker, project=project, status="leased")


def timed_answers(project, seconds: list[int]):
    """Answers by other workers that took these many seconds."""
    for item, taken in zip(make_items(project, len(seconds)), seconds, strict=True):
        make_assignment(item, WorkerFactory(), status="submitted", work_seconds=taken)


# --- The home page ------------------------------------------------------------------------


def test_the_home_shows_a_project_with_pay_time_hourly_rate_and_tasks_left(worker_client):
    project = make_project(title="Rate product reviews", reward_cents=10)
    timed_answers(project, [30, 40, 90] * 7)  # 21 timed answers: the median is measured
    project_pay_measure(project_ids=[project.pk])
    make_items(project, 4)
    make_items(project, 2, gold_label="positive")

    response = worker_client.get("/work/")

    [card] = response.context["home"].open_cards
    assert card.project == project
    assert (card.pay.seconds, card.pay.measured) == (40, True)
    assert card.pay.hourly_text == "$9/h"
    assert card.tasks_left == 4
    content = response.content.decode()
    assert "Rate product reviews" in content
    assert "$0.10" in content
    assert "40 s" in content
    assert "median of 21 timed answers" in content
    assert f'action="/work/projects/{project.pk}/start/"' in content
    assert response.context["home"].locked == []


def test_until_twenty_answers_are_timed_the_time_is_the_projects_estimate(worker):
    estimated = make_project(reward_cents=5, estimated_task_seconds=20)
    timed_answers(estimated, [60] * 19)
    project_pay_measure(project_ids=[estimated.pk])
    estimated.refresh_from_db()
    unknown = make_project(estimated_task_seconds=None)

    estimated_card = worker_selectors.project_card(worker=worker, project=estimated)
    unknown_card = worker_selectors.project_card(worker=worker, project=unknown)

    assert (estimated_card.pay.seconds, estimated_card.pay.time_text) == (20, "about 20 s")
    assert estimated_card.pay.hourly_text == "$9/h"
    assert estimated_card.pay.is_estimate
    assert (unknown_card.pay.seconds, unknown_card.pay.time_text) == (None, "not known yet")
    assert unknown_card.pay.hourly_text == ""


def test_a_measured_rate_under_the_floor_reads_as_the_floor(worker):
    project = make_project(reward_cents=5, estimated_task_seconds=20)
    timed_answers(project, [60] * 20)  # 5 cents a minute is $3/h, topped up to the floor
    project_pay_measure(project_ids=[project.pk])
    project.refresh_from_db()

    card = worker_selectors.project_card(worker=worker, project=project)

    assert (card.pay.rate_cents, card.pay.hourly_cents) == (300, 800)
    assert card.pay.floor_applies


def test_tasks_left_stop_counting_at_the_cap(worker, worker_client, monkeypatch):
    monkeypatch.setattr(worker_selectors, "TASKS_LEFT_CAP", 3)
    project = make_project()
    items = make_items(project, 6)
    make_assignment(items[0], worker, status="submitted")

    response = worker_client.get("/work/")

    [card] = response.context["home"].open_cards
    assert card.tasks_left == 4
    assert card.tasks_left_text == "3+"


def test_a_project_requiring_a_qualification_is_locked_with_the_test_to_take(worker_client):
    test = make_qualification_test()
    project = make_project(
        title="Search rating", required_qualification=test.qualification, min_qualification_score=80
    )
    make_items(project, 3)

    response = worker_client.get("/work/")

    assert not response.context["home"].has_work
    [card] = response.context["home"].locked
    assert card.eligibility.code == "not_qualified"
    content = response.content.decode()
    assert f"Needs the qualification “{test.qualification.name}” with a score of at least 80" in (
        content
    )
    assert f'href="/work/tests/{test.pk}/"' in content
    assert "Take the test" in content
    assert f'action="/work/projects/{project.pk}/start/"' not in content


def test_a_qualified_worker_sees_it_unlocked(worker, worker_client):
    test = make_qualification_test()
    project = make_project(required_qualification=test.qualification, min_qualification_score=80)
    make_items(project, 3)
    QualificationGrant.objects.create(worker=worker, qualification=test.qualification, score=85)

    response = worker_client.get("/work/")

    assert [card.project for card in response.context["home"].open_cards] == [project]


def test_without_projects_the_home_says_how_to_get_some(worker_client):
    make_project(status=Project.Status.DRAFT)
    make_project(status=Project.Status.PAUSED)

    response = worker_client.get("/work/")

    assert b"No projects yet" in response.content
    assert b"Browse jobs" in response.content
    assert b"Projects you can unlock" not in response.content


def test_the_home_costs_the_same_queries_for_one_project_as_for_many(worker, worker_client):
    """Every card is read in batches: the standing, tasks left, listings and applications,
    the tests and stops behind locked cards are one query each, whatever the count."""
    test = make_qualification_test()

    def queries_with(count):
        Project.objects.all().delete()
        for n in range(count):
            listing = make_job(pay_source="projects")
            admitted = make_project(access=Project.Access.LISTINGS)
            admitted.listings.add(listing)
            make_application(worker=worker, job=listing, status="active")
            make_items(admitted, 2)
            make_items(make_project(required_qualification=test.qualification), 2)
            stopped = make_project()
            WorkerStop.objects.create(project=stopped, worker=worker, reason=f"Stop {n}")
            make_items(stopped, 1)
        with CaptureQueriesContext(connection) as captured:
            response = worker_client.get("/work/")
        home = response.context["home"]
        assert (len(home.groups), len(home.locked)) == (count, 2 * count)
        return len(captured)

    queries_with(1)  # the session, the site's root paths and caches are warm from here on

    assert queries_with(1) == queries_with(4)


# --- A project's page ---------------------------------------------------------------------


def test_the_project_page_sanitises_the_instructions(worker_client):
    project = make_project(
        instructions='<p>Read <strong>carefully</strong>.</p><script>alert("x")</script>'
        '<a href="javascript:alert(1)">bad</a>',
        description="Sentiment of short reviews.",
    )
    make_items(project, 1)

    response = worker_client.get(f"/work/projects/{project.pk}/")

    content = response.content.decode()
    assert "<strong>carefully</strong>" in content
    assert "<script>alert" not in content
    assert "javascript:" not in content
    assert "Sentiment of short reviews." in content


def test_a_draft_project_is_not_found(worker_client):
    project = make_project(status=Project.Status.DRAFT)

    assert worker_client.get(f"/work/projects/{project.pk}/").status_code == 404
    assert start(worker_client, project).status_code == 404


def test_a_paused_project_says_so_and_start_is_refused(worker_client, worker):
    project = make_project(status=Project.Status.PAUSED)
    make_items(project, 2)

    page = worker_client.get(f"/work/projects/{project.pk}/")
    response = start(worker_client, project, follow=True)

    assert b"This project is paused" in page.content
    assert response.redirect_chain == [(f"/work/projects/{project.pk}/", 302)]
    assert b"not taking answers right now" in response.content
    assert not Assignment.objects.filter(worker=worker).exists()


def test_a_stopped_worker_sees_the_reason_and_the_evidence(worker, worker_client):
    project = make_project()
    make_items(project, 2)
    WorkerStop.objects.create(
        project=project,
        worker=worker,
        reason="Gold accuracy 40% is below the project's 80%.",
        evidence={"gold_answers": 5, "accuracy": 0.4, "threshold": 80, "answers": [1, 2]},
    )

    response = worker_client.get(f"/work/projects/{project.pk}/")

    content = response.content.decode()
    assert "You were stopped on this project" in content
    assert "Gold accuracy 40% is below the project&#x27;s 80%." in content
    assert "Gold answers" in content
    assert "40%" in content
    assert "[1, 2]" not in content
    assert f'action="/work/projects/{project.pk}/start/"' not in content


def test_the_daily_exposure_cap_says_when_the_worker_can_come_back(worker, worker_client):
    project = make_project(content_risk="mild", daily_exposure_cap=2)
    items = make_items(project, 4)
    first = timezone.now() - datetime.timedelta(hours=3)
    make_assignment(items[0], worker, status="submitted", leased_at=first)
    make_assignment(items[1], worker, status="returned")

    response = worker_client.get(f"/work/projects/{project.pk}/")

    assert response.context["card"].eligibility.code == "exposure_cap_reached"
    content = response.content.decode()
    assert "Daily limit reached" in content
    assert "today&#x27;s limit of 2 tasks" in content
    assert "You can take more from" in content
    back_at = worker_selectors.exposure_back_at(worker=worker, project=project)
    assert back_at == first + datetime.timedelta(hours=24)


def test_graphic_content_needs_the_workers_confirmation(worker, worker_client):
    project = make_project(content_risk="graphic", daily_exposure_cap=20)
    make_items(project, 2)

    page = worker_client.get(f"/work/projects/{project.pk}/")
    refused = start(worker_client, project)
    accepted = start(worker_client, project, confirm_content="yes")

    assert b"I understand and want to see this content" in page.content
    assert refused["Location"] == f"/work/projects/{project.pk}/"
    assignment = leased(worker, project)
    assert accepted["Location"] == f"/work/tasks/{assignment.pk}/"


# --- The task loop ------------------------------------------------------------------------


def test_start_leases_a_task_and_the_page_shows_it_without_gold_answers(worker, worker_client):
    project = make_project(
        reward_cents=5, gold_rate=50, instructions="<p>Pick the sentiment.</p>", lease_seconds=300
    )
    Item.objects.create(
        project=project,
        data={"text": "GOLD-ITEM-TEXT battery dies"},
        is_gold=True,
        # Not one of the labels, so any trace of it on the page is a leak.
        gold_answer={"label": "SECRET-GOLD-LABEL"},
        gold_explanation="SECRET-EXPLANATION",
    )
    make_items(project, 1)

    response = start(worker_client, project)
    assignment = leased(worker, project)
    page = worker_client.get(response["Location"])

    assert response["Location"] == f"/work/tasks/{assignment.pk}/"
    content = page.content.decode()
    assert 'name="answer"' in content
    assert assignment.item.data["text"] in content
    assert "Pick the sentiment." in content
    assert 'data-seconds-left="' in content
    assert "SECRET-EXPLANATION" not in content
    assert "SECRET-GOLD-LABEL" not in content
    assert "This session: <strong>0 tasks</strong> · <strong>$0</strong>" in content


def test_submitting_goes_to_the_next_task_and_counts_the_session(worker, worker_client):
    project = make_project(reward_cents=5)
    make_items(project, 3)
    start(worker_client, project)
    first = leased(worker, project)

    response = submit(worker_client, first, {"label": "positive"})

    second = leased(worker, project)
    assert response["Location"] == f"/work/tasks/{second.pk}/"
    first.refresh_from_db()
    assert (first.status, first.answer) == ("submitted", {"label": "positive"})
    page = worker_client.get(response["Location"])
    assert "This session: <strong>1 task</strong> · <strong>$0.05</strong>" in page.content.decode()


def test_the_session_counts_only_since_the_worker_pressed_start(worker, worker_client):
    project = make_project(reward_cents=5)
    items = make_items(project, 3)
    make_assignment(items[0], worker, status="submitted")

    start(worker_client, project)
    page = worker_client.get(f"/work/tasks/{leased(worker, project).pk}/")

    assert page.context["tally"].count == 0


def test_the_last_task_leads_to_the_nothing_left_page(worker, worker_client):
    project = make_project(reward_cents=5)
    make_items(project, 1)
    start(worker_client, project)

    response = submit(worker_client, leased(worker, project), {"label": "neutral"})
    done = worker_client.get(response["Location"])

    assert response["Location"] == f"/work/projects/{project.pk}/done/"
    assert b"Nothing left for you" in done.content
    assert "This session: <strong>1 task</strong>" in done.content.decode()


def test_a_gold_task_gets_feedback_after_submit(worker, worker_client):
    project = make_project(show_gold_feedback=True, gold_rate=50)
    Item.objects.create(
        project=project,
        data={"text": "The screen cracked on day one."},
        is_gold=True,
        gold_answer={"label": "negative"},
        gold_explanation="A broken product is negative.",
    )
    make_items(project, 2)
    gold = Item.objects.get(is_gold=True)
    assignment = make_assignment(gold, worker)

    response = submit(worker_client, assignment, {"label": "positive"})
    page = worker_client.get(response["Location"])

    content = page.content.decode()
    assert "Control task: your answer was wrong. Expected: negative." in content
    assert "A broken product is negative." in content


def test_gold_feedback_stays_hidden_when_the_project_turns_it_off(worker, worker_client):
    project = make_project(show_gold_feedback=False)
    [gold] = make_items(project, 1, gold_label="negative")
    make_items(project, 1)
    assignment = make_assignment(gold, worker)

    response = submit(worker_client, assignment, {"label": "positive"})
    page = worker_client.get(response["Location"])

    assert b"Control task" not in page.content


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        ("{not json", "The answer could not be read."),
        ({"label": "sarcastic"}, "“sarcastic” is not one of the choices."),
    ],
)
def test_a_bad_answer_is_a_form_error_and_changes_nothing(worker, worker_client, posted, message):
    project = make_project()
    make_items(project, 2)
    start(worker_client, project)
    assignment = leased(worker, project)

    response = submit(worker_client, assignment, posted)

    assert response.status_code == 422
    assert f'<div class="alert alert-error" role="alert" id="answer-error">{message}' in (
        response.content.decode()
    )
    assert b'name="answer"' in response.content
    assignment.refresh_from_db()
    assert (assignment.status, assignment.answer) == ("leased", None)
    assert Assignment.objects.filter(worker=worker).count() == 1


def test_submitting_twice_records_once(worker, worker_client):
    project = make_project()
    make_items(project, 3)
    start(worker_client, project)
    assignment = leased(worker, project)

    submit(worker_client, assignment, {"label": "positive"})
    again = submit(worker_client, assignment, {"label": "negative"})

    assignment.refresh_from_db()
    assert assignment.answer == {"label": "positive"}
    assert again.status_code == 302
    assert Assignment.objects.filter(worker=worker, status="submitted").count() == 1
    assert Assignment.objects.filter(worker=worker, status="leased").count() == 1


def test_an_expired_lease_taken_by_someone_else_keeps_the_answer_on_screen(worker, worker_client):
    project = make_project(overlap=1)
    [item] = make_items(project, 1)
    past = timezone.now() - datetime.timedelta(hours=1)
    assignment = make_assignment(item, worker, leased_at=past, expires_at=past)
    Assignment.objects.filter(pk=assignment.pk).update(status="expired")
    Item.objects.filter(pk=item.pk).update(assigned_count=0, is_open=True)
    make_assignment(Item.objects.get(pk=item.pk), WorkerFactory())

    response = submit(worker_client, assignment, {"label": "neutral"})

    assert response.status_code == 409
    content = response.content.decode()
    assert "went to another worker" in content
    assert "Time ran out on this task" in content
    assert 'id="kept-json"' in content
    assert "&quot;neutral&quot;" in content
    assert response.context["kept_answer"] == {"label": "neutral"}
    assignment.refresh_from_db()
    assert assignment.status == "expired"


def test_an_expired_lease_page_offers_the_next_task(worker, worker_client):
    project = make_project()
    [item] = make_items(project, 1)
    past = timezone.now() - datetime.timedelta(minutes=1)
    assignment = make_assignment(item, worker, expires_at=past)

    response = worker_client.get(f"/work/tasks/{assignment.pk}/")

    assert response.context["state"] == "expired"
    assert b"Get the next task" in response.content
    assert b'name="answer"' not in response.content


def test_returning_a_task_gives_the_next_one(worker, worker_client):
    project = make_project()
    make_items(project, 2)
    start(worker_client, project)
    first = leased(worker, project)

    response = worker_client.post(f"/work/tasks/{first.pk}/return/")

    first.refresh_from_db()
    second = leased(worker, project)
    assert first.status == "returned"
    assert second.pk != first.pk
    assert response["Location"] == f"/work/tasks/{second.pk}/"


def test_a_submitted_task_page_shows_it_is_done(worker, worker_client):
    project = make_project()
    [item] = make_items(project, 1)
    assignment = make_assignment(item, worker, status="submitted")

    response = worker_client.get(f"/work/tasks/{assignment.pk}/")

    assert response.context["state"] == "submitted"
    assert b'name="answer"' not in response.content


# --- Scoping ------------------------------------------------------------------------------


def test_another_workers_task_is_not_found(worker_client):
    project = make_project()
    [item] = make_items(project, 1)
    theirs = make_assignment(item, WorkerFactory())

    assert worker_client.get(f"/work/tasks/{theirs.pk}/").status_code == 404
    assert submit(worker_client, theirs, {"label": "positive"}).status_code == 404
    assert worker_client.post(f"/work/tasks/{theirs.pk}/return/").status_code == 404
    theirs.refresh_from_db()
    assert (theirs.status, theirs.answer) == ("leased", None)


@pytest.mark.parametrize(
    "path", ["/work/", "/work/projects/{project}/", "/work/tasks/{assignment}/"]
)
def test_company_members_are_refused(client, path):
    project = make_project()
    [item] = make_items(project, 1)
    assignment = make_assignment(item, WorkerFactory())
    client.force_login(MembershipFactory().user)

    response = client.get(path.format(project=project.pk, assignment=assignment.pk))

    assert response.status_code == 403


def test_get_is_not_allowed_on_actions(worker_client):
    project = make_project()
    [item] = make_items(project, 1)

    assert worker_client.get(f"/work/projects/{project.pk}/start/").status_code == 405
    assert not Assignment.objects.filter(item=item).exists()


WEIRD_ANSWER = {
    "label": 5,
    "labels": 3,
    "boxes": "nope",
    "choice": [],
    "rating": "x",
    "spans": 1,
    "text": {"a": 1},
    "severity": [],
}


@pytest.mark.parametrize("interface", sorted(INTERFACES))
def test_a_malformed_answer_to_any_interface_is_a_form_error(worker, worker_client, interface):
    implementation = INTERFACES[interface]
    config = implementation.example_config()
    project = make_project(interface=interface, label_schema=config)
    item_data = {
        "classification": {"text": "A review."},
        "rating": {"text": "A post.", "author": "sam"},
        "comparison": {"prompt": "Hi", "response_a": "Hello", "response_b": "Hey"},
        "spans": {"text": "Anna lives in Oslo."},
        "regions": {"image_url": "/media/scene.png"},
        "transcription": {"audio_url": "/media/clip.mp3"},
        "moderation": {"text": "A comment."},
        "free_text": {"prompt": "Describe the image."},
    }[interface]
    item = Item.objects.create(project=project, data=implementation.clean_item(item_data, config))
    assignment = make_assignment(item, worker)

    response = submit(worker_client, assignment, WEIRD_ANSWER)

    assert response.status_code == 422
    assert b'id="answer-error"' in response.content
    assignment.refresh_from_db()
    assert assignment.status == "leased"
