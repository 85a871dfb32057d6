"""The review API: approve, reject, return for revision, and a project's submissions."""

import json

import pytest

from accounts.api_tokens import api_token_create
from marketplace.models import Assignment, ReviewDecision
from marketplace.selectors import worker_pseudonym
from tests.factories import CompanyFactory, WorkerFactory
from tests.marketplace.factories import (
    make_assignment,
    make_items,
    make_project,
    make_reviewer,
    make_submission,
)

pytestmark = pytest.mark.django_db

Status = Assignment.Status


def auth(user) -> dict:
    _token, secret = api_token_create(user=user, name="script")
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def project():
    return make_project()


@pytest.fixture
def reviewer(project):
    return make_reviewer(project.company)


@pytest.fixture
def submission(project):
    return make_submission(project, WorkerFactory())


@pytest.fixture
def call(client):
    def send(user, method, path, body=None):
        kwargs = {"headers": auth(user)}
        if method == "post":
            text = body if isinstance(body, str) else "" if body is None else json.dumps(body)
            kwargs.update(data=text, content_type="application/json")
        return getattr(client, method)(f"/api/v1/{path}", **kwargs)

    return send


def error(response) -> tuple[int, str, str | None]:
    body = response.json()["error"]
    assert body["message"]
    return response.status_code, body["code"], body["field"]


def assert_undecided(assignment) -> None:
    assignment.refresh_from_db()
    assert assignment.status == Status.SUBMITTED
    assert not ReviewDecision.objects.filter(assignment=assignment).exists()


# --- approve and reject -------------------------------------------------------------------


def test_a_reviewer_approves_and_a_second_decision_conflicts(call, reviewer, submission):
    response = call(reviewer, "post", f"assignments/{submission.pk}/approve")
    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    assert response.json()["id"] == submission.pk

    again = call(
        reviewer, "post", f"assignments/{submission.pk}/reject",
        {"reason": "other", "comment": "No."},
    )  # fmt: skip
    assert error(again) == (409, "already_decided", None)
    submission.refresh_from_db()
    assert submission.status == Status.APPROVED


def test_a_reviewer_rejects_with_a_reason_and_a_comment(call, reviewer, submission):
    response = call(
        reviewer, "post", f"assignments/{submission.pk}/reject",
        {"reason": "ignored_instructions", "comment": "Rule 2: label sarcasm as negative."},
    )  # fmt: skip
    assert response.status_code == 200
    assert response.json()["reject_reason"] == "ignored_instructions"
    submission.refresh_from_db()
    assert (submission.status, submission.reviewed_by) == (Status.REJECTED, reviewer)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"reason": "rude", "comment": "No."}, (422, "invalid_input", "reason")),
        ({"comment": "No."}, (422, "invalid_input", "reason")),
        ({"reason": "other"}, (422, "invalid_input", "comment")),
        ({"reason": "other", "comment": ""}, (422, "invalid_input", "comment")),
        ({"reason": "other", "comment": "   "}, (422, "comment_required", "comment")),
        ({"reason": "other", "comment": "x" * 2001}, (422, "invalid_input", "comment")),
        ({"reason": ["other"], "comment": "No."}, (422, "invalid_input", "reason")),
    ],
)
def test_a_bad_rejection_is_refused_and_changes_nothing(call, reviewer, submission, body, expected):
    response = call(reviewer, "post", f"assignments/{submission.pk}/reject", body)
    assert error(response) == expected
    assert_undecided(submission)


def test_a_worker_cannot_approve(call, submission):
    for user in (submission.worker, WorkerFactory()):
        response = call(user, "post", f"assignments/{submission.pk}/approve")
        assert error(response) == (404, "not_found", None)
    assert_undecided(submission)


def test_another_company_gets_404(call, submission):
    stranger = make_reviewer(CompanyFactory(), role="owner")
    assert error(call(stranger, "post", f"assignments/{submission.pk}/approve"))[0] == 404
    response = call(
        stranger, "post", f"assignments/{submission.pk}/reject",
        {"reason": "other", "comment": "No."},
    )  # fmt: skip
    assert error(response)[0] == 404
    assert_undecided(submission)


@pytest.mark.parametrize("bad_id", ["0", "-1", "abc", str(2**64)])
def test_bad_ids_are_422(call, reviewer, bad_id):
    response = call(reviewer, "post", f"assignments/{bad_id}/approve")
    assert error(response) == (422, "invalid_input", "assignment_id")


def test_decisions_need_a_token(client, submission):
    response = client.post(f"/api/v1/assignments/{submission.pk}/approve")
    assert error(response) == (401, "unauthorized", None)
    assert_undecided(submission)


# --- return for revision ------------------------------------------------------------------


def test_a_company_member_returns_a_submission_for_revision_once(call, reviewer, submission):
    path = f"assignments/{submission.pk}/return"
    response = call(reviewer, "post", path, {"comment": "Please read rule 3."})
    assert response.status_code == 200
    assert response.json() == {"id": submission.pk, "status": "revision"}
    submission.refresh_from_db()
    assert (submission.revision_count, submission.review_comment) == (1, "Please read rule 3.")

    submission.status = Status.SUBMITTED  # resubmitted, say
    submission.save(update_fields=["status"])
    assert error(call(reviewer, "post", path, {"comment": "Again."})) == (
        409,
        "revision_used",
        None,
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (None, (422, "comment_required", "comment")),
        ({}, (422, "comment_required", "comment")),
        ({"comment": " "}, (422, "comment_required", "comment")),
        ({"comment": "x" * 2001}, (422, "comment_too_long", "comment")),
        ({"comment": 5}, (422, "invalid_input", "comment")),
        ("not json", (422, "invalid_input", None)),
        ([1, 2], (422, "invalid_input", None)),
    ],
)
def test_a_return_for_revision_needs_a_comment(call, reviewer, submission, body, expected):
    response = call(reviewer, "post", f"assignments/{submission.pk}/return", body)
    assert error(response) == expected
    assert_undecided(submission)


def test_another_company_cannot_return_a_submission(call, submission):
    stranger = make_reviewer(CompanyFactory())
    response = call(stranger, "post", f"assignments/{submission.pk}/return", {"comment": "No."})
    assert error(response) == (404, "not_found", None)
    assert_undecided(submission)


def test_a_worker_still_gives_a_leased_task_back(call, project):
    worker = WorkerFactory()
    lease = make_assignment(make_items(project, 1)[0], worker)
    response = call(worker, "post", f"assignments/{lease.pk}/return", {"comment": "ignored"})
    assert response.json() == {"id": lease.pk, "status": "returned"}


def test_the_schema_documents_both_meanings_of_return(client):
    schema = client.get("/api/v1/openapi.json").json()
    description = schema["paths"]["/api/v1/assignments/{assignment_id}/return"]["post"][
        "description"
    ]
    assert "A worker gives a leased task back" in description
    assert "returns a submitted answer to its worker for revision" in description


# --- the submissions list -----------------------------------------------------------------


def test_the_list_shows_pseudonyms_and_filters(call, project, reviewer):
    alice, bob = WorkerFactory(), WorkerFactory()
    item = make_items(project, 1)[0]
    agreeing = make_submission(project, alice, item=item, agreement=0.9)
    disagreeing = make_submission(project, bob, item=item, agreement=0.2)
    gold = make_items(project, 2, gold_label="positive")
    passed = make_submission(project, alice, item=gold[0], gold_score=1.0)
    failed = make_submission(project, bob, item=gold[1], gold_score=0.0)
    rejected = make_assignment(make_items(project, 1)[0], alice, status=Status.REJECTED)
    make_assignment(make_items(project, 1)[0], bob)  # a lease: not a submission
    make_submission(make_project(), alice)  # another company's project

    def ids(query=""):
        response = call(reviewer, "get", f"projects/{project.pk}/submissions?{query}")
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    everything = call(reviewer, "get", f"projects/{project.pk}/submissions").json()
    assert everything["count"] == 5
    assert alice.email not in json.dumps(everything) and bob.email not in json.dumps(everything)
    pseudonym = worker_pseudonym(company_id=project.company_id, worker_id=alice.pk)
    assert {row["worker"] for row in everything["results"] if row["id"] == agreeing.pk} == {
        pseudonym
    }
    assert ids(f"worker={pseudonym}") == {agreeing.pk, passed.pk, rejected.pk}
    assert ids("status=rejected") == {rejected.pk}
    assert ids(f"item={item.pk}") == {agreeing.pk, disagreeing.pk}
    assert ids("gold=pass") == {passed.pk}
    assert ids("gold=fail") == {failed.pk}
    assert ids("min_agreement=0.5") == {agreeing.pk}
    assert ids("max_agreement=0.5") == {disagreeing.pk}
    assert ids("worker=W-00000000") == set()


def test_the_list_is_paginated(call, project, reviewer):
    rows = [make_submission(project, WorkerFactory()) for _ in range(3)]
    first = call(reviewer, "get", f"projects/{project.pk}/submissions?page_size=2").json()
    second = call(reviewer, "get", f"projects/{project.pk}/submissions?page_size=2&page=2").json()
    assert (first["count"], len(first["results"]), len(second["results"])) == (3, 2, 1)
    seen = {row["id"] for row in first["results"] + second["results"]}
    assert seen == {row.pk for row in rows}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=leased", "status"),
        ("gold=maybe", "gold"),
        ("min_agreement=2", "min_agreement"),
        ("max_agreement=-1", "max_agreement"),
        ("page=0", "page"),
        ("page_size=1000", "page_size"),
        ("page=x", "page"),
        ("item=a%00b", "item"),
        ("worker=W-%00", "worker"),
    ],
)
def test_bad_filters_are_422(call, project, reviewer, query, field):
    response = call(reviewer, "get", f"projects/{project.pk}/submissions?{query}")
    assert error(response) == (422, "invalid_input", field)


def test_only_the_projects_company_lists_its_submissions(call, project, submission):
    for user in (make_reviewer(CompanyFactory()), submission.worker):
        response = call(user, "get", f"projects/{project.pk}/submissions")
        assert error(response) == (404, "not_found", None)
