"""The worker's history: every submission with decision, evidence, deadline and earnings,
and the worker's answers to a decision: dispute, revise and appeal a stop."""

import datetime
import json

import pytest
from django.utils import timezone

from marketplace.models import Assignment, Dispute, ReviewDecision, WorkerStop
from tests.factories import WorkerFactory
from tests.marketplace.factories import make_assignment, make_items, make_project

pytestmark = pytest.mark.django_db

S = Assignment.Status


def answered(project, worker, status=S.SUBMITTED, *, hours_ago=1, **fields):
    (item,) = make_items(project, 1)
    now = timezone.now()
    fields.setdefault("submitted_at", now - datetime.timedelta(hours=hours_ago))
    if status in (S.APPROVED, S.REJECTED, S.REVISION):
        fields.setdefault("reviewed_at", now - datetime.timedelta(minutes=30))
    return make_assignment(item, worker, status=status, **fields)


@pytest.fixture
def project(company):
    return make_project(company=company, title="Sentiment batch", reward_cents=25)


def test_the_history_shows_each_submission_with_its_decision_and_earnings(
    project, worker, worker_client
):
    approved = answered(project, worker, S.APPROVED, hours_ago=5)
    rejected = answered(
        project,
        worker,
        S.REJECTED,
        hours_ago=4,
        reject_reason="disagrees",
        review_comment="The review is negative.",
    )
    waiting = answered(
        project, worker, hours_ago=1, review_due_at=timezone.now() + datetime.timedelta(days=2)
    )

    response = worker_client.get("/work/history/")

    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row.assignment.pk for row in rows] == [waiting.pk, rejected.pk, approved.pk]
    assert [row.earnings_text for row in rows] == ["Pending", "$0", "$0.25"]
    html = response.content.decode()
    assert "Sentiment batch" in html
    assert "Disagrees with the other workers" in html
    assert "The review is negative." in html
    assert f"decides by <strong>{waiting.review_due_at:%-d %b %Y}</strong>" in html
    totals = response.context["totals"]
    assert (totals.count, totals.approved, totals.rejected, totals.pending) == (3, 1, 1, 1)
    assert (totals.earned_text, totals.pending_text) == ("$0.25", "$0.25")


def test_a_worker_sees_only_their_own_submissions(project, worker, worker_client):
    mine = answered(project, worker)
    someone_else = WorkerFactory()
    theirs = answered(project, someone_else, S.REJECTED, reject_reason="spam")

    response = worker_client.get("/work/history/")

    assert [row.assignment.pk for row in response.context["rows"]] == [mine.pk]
    assert response.context["totals"].count == 1
    assert worker_client.get(f"/work/history/{theirs.pk}/dispute/").status_code == 404
    assert worker_client.get(f"/work/history/{theirs.pk}/revise/").status_code == 404


def test_filters_by_status_and_project(project, worker, worker_client):
    other = make_project(company=project.company, title="Other batch")
    approved = answered(project, worker, S.APPROVED)
    waiting = answered(project, worker)
    elsewhere = answered(other, worker)

    def listed(**params):
        response = worker_client.get("/work/history/", params)
        return {row.assignment.pk for row in response.context["rows"]}

    assert listed(status="approved") == {approved.pk}
    assert listed(project=other.pk) == {elsewhere.pk}
    assert listed(project=project.pk, status="submitted") == {waiting.pk}
    assert listed(project="999999") == {approved.pk, waiting.pk, elsewhere.pk}
    response = worker_client.get("/work/history/", {"project": "abc", "status": "x"})
    assert response.status_code == 200
    assert response.context["filters"].errors


def test_the_history_is_paginated(project, worker, worker_client):
    for _ in range(27):
        answered(project, worker)

    second = worker_client.get("/work/history/", {"status": "submitted", "page": 2})

    assert len(second.context["rows"]) == 2
    assert second.context["totals"].count == 27


def test_the_history_costs_the_same_queries_for_many_rows(
    project, worker, worker_client, django_assert_max_num_queries
):
    other = make_project(company=project.company, title="Other batch")
    for _ in range(2):
        answered(project, worker, S.REJECTED, reject_reason="spam")
        answered(other, worker, S.APPROVED)
    with django_assert_max_num_queries(20) as few:
        worker_client.get("/work/history/")
    for _ in range(10):
        answered(project, worker, S.REJECTED, reject_reason="spam")
        answered(other, worker, S.APPROVED)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = worker_client.get("/work/history/")

    assert len(response.context["rows"]) == 24


def test_the_expected_answer_shows_only_for_gold_items_when_the_project_allows(
    company, worker, worker_client
):
    shown = make_project(company=company, title="Shows feedback", show_gold_feedback=True)
    hidden = make_project(company=company, title="Hides feedback", show_gold_feedback=False)
    for project in (shown, hidden):
        (gold,) = make_items(project, 1, gold_label="neutral")
        make_assignment(gold, worker, status=S.SUBMITTED, gold_score=0.0, work_seconds=4)
    plain = answered(shown, worker, agreement=0.5, work_seconds=8)

    response = worker_client.get("/work/history/")

    rows = {(row.project.title, row.assignment.is_gold): row for row in response.context["rows"]}
    assert rows[("Shows feedback", True)].expected_text == "neutral"
    assert rows[("Hides feedback", True)].expected_text == ""
    assert rows[("Shows feedback", False)].expected_text == ""
    assert rows[("Shows feedback", False)].agreement_percent == 50
    html = response.content.decode()
    assert html.count("Expected answer") == 1
    assert plain.pk in {row.assignment.pk for row in response.context["rows"]}


def test_a_recent_rejection_can_be_disputed_once(project, worker, worker_client):
    rejected = answered(project, worker, S.REJECTED, reject_reason="spam", review_comment="No.")
    page = worker_client.get("/work/history/")
    assert f'href="/work/history/{rejected.pk}/dispute/"' in page.content.decode()

    response = worker_client.post(
        f"/work/history/{rejected.pk}/dispute/",
        {"message": "I read the whole review; it is positive."},
        follow=True,
    )

    dispute = Dispute.objects.get(assignment=rejected)
    assert (dispute.worker, dispute.status) == (worker, "open")
    html = response.content.decode()
    assert "Dispute sent" in html
    assert "Open: staff are looking at it" in html
    assert f'href="/work/history/{rejected.pk}/dispute/"' not in html
    again = worker_client.post(
        f"/work/history/{rejected.pk}/dispute/", {"message": "Once more, with feeling."}
    )
    assert again.status_code in (200, 400)
    assert Dispute.objects.count() == 1


def test_an_old_rejection_offers_no_dispute_and_refuses_one(project, worker, worker_client):
    rejected = answered(
        project,
        worker,
        S.REJECTED,
        reject_reason="spam",
        reviewed_at=timezone.now() - datetime.timedelta(days=8),
    )

    page = worker_client.get("/work/history/")
    response = worker_client.post(
        f"/work/history/{rejected.pk}/dispute/", {"message": "Please look again at it."}
    )

    assert f'href="/work/history/{rejected.pk}/dispute/"' not in page.content.decode()
    assert response.status_code == 400
    assert "window has closed" in response.content.decode()
    assert not Dispute.objects.exists()


@pytest.mark.parametrize("message", ["", "short", "x" * 4001])
def test_a_bad_dispute_message_is_a_form_error_and_changes_nothing(
    project, worker, worker_client, message
):
    rejected = answered(project, worker, S.REJECTED, reject_reason="spam")

    response = worker_client.post(f"/work/history/{rejected.pk}/dispute/", {"message": message})

    assert response.status_code == 400
    assert response.context["form"].errors
    assert not Dispute.objects.exists()


def test_a_resolved_dispute_shows_its_outcome(project, worker, worker_client):
    rejected = answered(project, worker, S.APPROVED)
    Dispute.objects.create(
        worker=worker,
        assignment=rejected,
        message="It was right.",
        status=Dispute.Status.OVERTURNED,
        resolution_note="You were right; approved.",
    )

    html = worker_client.get("/work/history/").content.decode()

    assert "Overturned: approved" in html
    assert "You were right; approved." in html


def test_a_returned_submission_can_be_revised_with_the_widget_prefilled(
    project, worker, worker_client
):
    returned = answered(
        project,
        worker,
        S.REVISION,
        answer={"label": "neutral"},
        review_comment="Read the last sentence.",
        revision_count=1,
    )
    history = worker_client.get("/work/history/").content.decode()
    assert "Read the last sentence." in history
    assert f'href="/work/history/{returned.pk}/revise/"' in history

    page = worker_client.get(f"/work/history/{returned.pk}/revise/")
    assert page.status_code == 200
    assert "Read the last sentence." in page.content.decode()
    assert "neutral" in page.content.decode()

    response = worker_client.post(
        f"/work/history/{returned.pk}/revise/", {"answer": json.dumps({"label": "negative"})}
    )

    assert response.status_code == 302
    returned.refresh_from_db()
    assert (returned.status, returned.answer) == (S.SUBMITTED, {"label": "negative"})
    assert ReviewDecision.objects.filter(assignment=returned, action="resubmitted").exists()
    assert worker_client.get(f"/work/history/{returned.pk}/revise/").status_code == 404


def test_an_invalid_revision_is_refused_and_changes_nothing(project, worker, worker_client):
    returned = answered(project, worker, S.REVISION, answer={"label": "neutral"}, revision_count=1)

    response = worker_client.post(
        f"/work/history/{returned.pk}/revise/", {"answer": json.dumps({"label": "furious"})}
    )
    unreadable = worker_client.post(f"/work/history/{returned.pk}/revise/", {"answer": "{"})

    assert response.status_code == 422
    assert unreadable.status_code == 422
    returned.refresh_from_db()
    assert (returned.status, returned.answer) == (S.REVISION, {"label": "neutral"})


@pytest.fixture
def stop(project, worker):
    return WorkerStop.objects.create(
        project=project,
        worker=worker,
        reason="Gold accuracy 40% is below the project's 70%.",
        evidence={"accuracy": 0.4, "gold_answers": 5},
    )


def test_a_stopped_worker_can_appeal_from_the_project_and_the_history(
    project, stop, worker, worker_client
):
    assert (
        f"/work/projects/{project.pk}/appeal/"
        in worker_client.get(f"/work/projects/{project.pk}/").content.decode()
    )
    assert (
        f"/work/projects/{project.pk}/appeal/"
        in worker_client.get("/work/history/").content.decode()
    )
    page = worker_client.get(f"/work/projects/{project.pk}/appeal/")
    assert "below the project" in page.content.decode()
    assert "40%" in page.content.decode()

    response = worker_client.post(
        f"/work/projects/{project.pk}/appeal/",
        {"message": "My answers matched the guidelines."},
    )

    assert response.status_code == 302
    appeal = Dispute.objects.get(stop=stop)
    assert (appeal.worker, appeal.status) == (worker, "open")
    assert "Open" in worker_client.get("/work/history/").content.decode()


def test_an_appeal_needs_a_message_and_a_stop_of_ones_own(project, stop, worker_client, client):
    response = worker_client.post(f"/work/projects/{project.pk}/appeal/", {"message": ""})
    assert response.status_code == 400
    assert not Dispute.objects.exists()

    other = WorkerFactory()
    client.force_login(other)
    assert client.get(f"/work/projects/{project.pk}/appeal/").status_code == 404
    assert (
        client.post(
            f"/work/projects/{project.pk}/appeal/", {"message": "Not my stop at all."}
        ).status_code
        == 404
    )
    assert not Dispute.objects.exists()


def test_the_history_has_an_empty_state_and_is_linked_from_work_home(worker_client):
    assert b"No submissions yet" in worker_client.get("/work/history/").content
    assert b'href="/work/history/"' in worker_client.get("/work/").content


def test_company_members_cannot_open_the_history(client, owner):
    client.force_login(owner)

    assert client.get("/work/history/").status_code == 403


def test_a_submission_that_is_not_rejected_offers_no_dispute_form(project, worker, worker_client):
    approved = answered(project, worker, S.APPROVED)

    page = worker_client.get(f"/work/history/{approved.pk}/dispute/")
    response = worker_client.post(
        f"/work/history/{approved.pk}/dispute/", {"message": "Please look at it again."}
    )

    assert b"Only a rejection can be disputed" in page.content
    assert b"Send the dispute" not in page.content
    assert response.status_code == 400
    assert b"Only a rejected submission can be disputed" in response.content
    assert not Dispute.objects.exists()
