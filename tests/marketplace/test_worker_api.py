"""The worker-loop API: next, submit, return; their refusals, scoping and error shape."""

import datetime

import pytest
from django.db import connection

from accounts.api_tokens import api_token_create
from marketplace import assignment as engine
from marketplace.models import Assignment, Item, Project
from tests.factories import MembershipFactory, WorkerFactory
from tests.marketplace.factories import make_assignment, make_items, make_project

pytestmark = pytest.mark.django_db


class Draw:
    def __init__(self, value: float):
        self.value = value

    def random(self) -> float:
        return self.value


@pytest.fixture(autouse=True)
def _no_gold_unless_asked(monkeypatch):
    monkeypatch.setattr(engine, "_system_random", Draw(0.999))


def auth(user) -> dict:
    _token, secret = api_token_create(user=user, name="script")
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def project(db):
    return make_project(overlap=2)


@pytest.fixture
def worker(db):
    return WorkerFactory()


@pytest.fixture
def api(client, worker):
    headers = auth(worker)

    def post(path, body=None, **kwargs):
        kwargs.setdefault("headers", headers)
        if body is None:
            return client.post(f"/api/v1/{path}", **kwargs)
        return client.post(f"/api/v1/{path}", body, content_type="application/json", **kwargs)

    return post


def error(response) -> tuple[int, str, str | None]:
    body = response.json()["error"]
    assert body["message"]
    return response.status_code, body["code"], body["field"]


# --- next ---------------------------------------------------------------------------------


def test_next_leases_a_task_and_shows_only_what_the_worker_needs(api, project, worker):
    (item,) = make_items(project, 1)

    response = api(f"projects/{project.pk}/assignments/next")

    assert response.status_code == 200
    assignment = Assignment.objects.get(worker=worker)
    body = response.json()
    assert body == {
        "id": assignment.pk,
        "project": project.pk,
        "interface": "classification",
        "item": {"id": item.pk, "data": item.data},
        "expires_at": body["expires_at"],
    }
    expires_at = datetime.datetime.fromisoformat(body["expires_at"])
    assert abs(expires_at - assignment.expires_at) < datetime.timedelta(milliseconds=1)


def test_next_never_shows_a_gold_answer_or_that_an_item_is_gold(api, worker, monkeypatch):
    project = make_project(gold_rate=50)
    make_items(project, 1)
    (gold,) = make_items(project, 1, gold_label="positive")
    monkeypatch.setattr(engine, "_system_random", Draw(0.0))

    response = api(f"projects/{project.pk}/assignments/next")

    assert response.status_code == 200
    assert response.json()["item"]["id"] == gold.pk
    text = response.content.decode()
    assert "gold" not in text
    assert "positive" not in text


def test_next_asked_again_returns_the_same_task(api, project):
    make_items(project, 2)

    first = api(f"projects/{project.pk}/assignments/next").json()
    again = api(f"projects/{project.pk}/assignments/next").json()

    assert first == again


def test_next_is_204_when_nothing_is_left(api, project):
    (item,) = make_items(project, 1)
    make_assignment(item, WorkerFactory(), status=Assignment.Status.SUBMITTED)
    make_assignment(item, WorkerFactory(), status=Assignment.Status.SUBMITTED)

    response = api(f"projects/{project.pk}/assignments/next")

    assert response.status_code == 204
    assert response.content == b""


def test_next_on_a_missing_or_draft_project_is_404(api):
    draft = make_project(status=Project.Status.DRAFT)
    make_items(draft, 1)

    for project_id in (draft.pk, draft.pk + 1000):
        response = api(f"projects/{project_id}/assignments/next")
        assert error(response) == (404, "not_found", None)
    assert not Assignment.objects.exists()


def test_next_on_a_paused_project_is_409(api):
    project = make_project(status=Project.Status.PAUSED)
    make_items(project, 1)

    response = api(f"projects/{project.pk}/assignments/next")

    assert error(response) == (409, "project_not_active", None)


def test_next_refusals_carry_their_code(api, project, worker):
    make_items(project, 1)
    project.max_assignments_per_worker = 1
    project.save()
    make_assignment(make_items(project, 1)[0], worker, status=Assignment.Status.SUBMITTED)

    response = api(f"projects/{project.pk}/assignments/next")

    assert error(response) == (403, "cap_reached", None)
    assert Assignment.objects.count() == 1


def test_a_company_member_gets_403_on_every_worker_endpoint(client, project):
    (item,) = make_items(project, 1)
    assignment = make_assignment(item, WorkerFactory())
    headers = auth(MembershipFactory().user)

    for path, body in (
        (f"projects/{project.pk}/assignments/next", None),
        (f"assignments/{assignment.pk}/submit", {"answer": {"label": "positive"}}),
        # A company member's return means "return for revision": see test_review_api.py.
    ):
        response = client.post(
            f"/api/v1/{path}", body, content_type="application/json", headers=headers
        )
        assert error(response) == (403, "not_a_worker", None)
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.LEASED


def test_every_endpoint_needs_a_token(client, project):
    for path in (
        f"projects/{project.pk}/assignments/next",
        "assignments/1/submit",
        "assignments/1/return",
    ):
        response = client.post(f"/api/v1/{path}")
        assert error(response) == (401, "unauthorized", None)


# --- submit -------------------------------------------------------------------------------


@pytest.fixture
def task(api, project):
    make_items(project, 2)
    return api(f"projects/{project.pk}/assignments/next").json()


def test_submit_records_the_answer(api, task):
    response = api(f"assignments/{task['id']}/submit", {"answer": {"label": "negative"}})

    assert response.status_code == 200
    assert response.json() == {"id": task["id"], "status": "submitted"}
    assignment = Assignment.objects.get(pk=task["id"])
    assert assignment.answer == {"label": "negative"}


def test_submit_again_gives_the_same_200_and_records_nothing_more(api, task):
    api(f"assignments/{task['id']}/submit", {"answer": {"label": "negative"}})

    response = api(f"assignments/{task['id']}/submit", {"answer": {"label": "positive"}})

    assert response.json() == {"id": task["id"], "status": "submitted"}
    assert Assignment.objects.get(pk=task["id"]).answer == {"label": "negative"}
    assert Item.objects.get(pk=task["item"]["id"]).submitted_count == 1


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"answer": {"label": "bogus"}}, (422, "invalid_answer", "label")),
        ({"answer": {"label": "positive", "extra": 1}}, (422, "invalid_answer", "extra")),
        ({"answer": ["positive"]}, (422, "invalid_answer", "answer")),
        ({}, (422, "invalid_answer", "answer")),
        ("not json", (400, "http_error", None)),
    ],
    ids=["unknown label", "unknown key", "not an object", "no answer", "not json"],
)
def test_submit_refuses_bad_input_and_changes_nothing(api, task, body, expected):
    response = api(f"assignments/{task['id']}/submit", body)

    status, code, field = error(response)
    assert (status, code) == expected[:2]
    if expected[2] is not None:
        assert field == expected[2]
    assignment = Assignment.objects.get(pk=task["id"])
    assert (assignment.status, assignment.answer) == (Assignment.Status.LEASED, None)
    assert Item.objects.get(pk=task["item"]["id"]).submitted_count == 0


def test_another_workers_assignment_is_404_and_unchanged(client, task):
    intruder = auth(WorkerFactory())

    for action in ("submit", "return"):
        response = client.post(
            f"/api/v1/assignments/{task['id']}/{action}",
            {"answer": {"label": "positive"}},
            content_type="application/json",
            headers=intruder,
        )
        assert error(response) == (404, "not_found", None)
    assert Assignment.objects.get(pk=task["id"]).status == Assignment.Status.LEASED


def test_an_unknown_assignment_is_404(api):
    assert error(api("assignments/999999/submit", {"answer": {"label": "positive"}}))[:2] == (
        404,
        "not_found",
    )
    assert error(api("assignments/999999/return"))[:2] == (404, "not_found")


def test_a_late_answer_after_the_item_went_elsewhere_is_409(api, worker):
    project = make_project(overlap=1, lease_seconds=60)
    (item,) = make_items(project, 1)
    task = api(f"projects/{project.pk}/assignments/next").json()
    Assignment.objects.filter(pk=task["id"]).update(
        expires_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    )
    engine.leases_reclaim_expired()
    make_assignment(item, WorkerFactory())

    response = api(f"assignments/{task['id']}/submit", {"answer": {"label": "positive"}})

    assert error(response) == (409, "lease_expired", None)
    assert Assignment.objects.get(pk=task["id"]).answer is None


# --- return -------------------------------------------------------------------------------


def test_return_gives_the_task_back(api, task):
    response = api(f"assignments/{task['id']}/return")

    assert response.status_code == 200
    assert response.json() == {"id": task["id"], "status": "returned"}
    item = Item.objects.get(pk=task["item"]["id"])
    assert (item.assigned_count, item.is_open) == (0, True)


def test_return_of_a_submitted_task_is_409_and_changes_nothing(api, task):
    api(f"assignments/{task['id']}/submit", {"answer": {"label": "positive"}})

    response = api(f"assignments/{task['id']}/return")

    assert error(response) == (409, "not_leased", None)
    assert Assignment.objects.get(pk=task["id"]).status == Assignment.Status.SUBMITTED


# --- The published contract ---------------------------------------------------------------


def test_the_openapi_schema_documents_the_worker_loop(client):
    schema = client.get("/api/v1/openapi.json").json()

    next_op = schema["paths"]["/api/v1/projects/{project_id}/assignments/next"]["post"]
    assert set(next_op["responses"]) >= {"200", "204", "403", "404", "409"}
    submit_op = schema["paths"]["/api/v1/assignments/{assignment_id}/submit"]["post"]
    assert set(submit_op["responses"]) >= {"200", "404", "409", "422"}
    assert "/api/v1/assignments/{assignment_id}/return" in schema["paths"]


@pytest.mark.parametrize("bad_id", ["abc", "0", "-3", "1.5", str(2**63)])
def test_a_malformed_id_is_a_422_naming_the_parameter(api, bad_id):
    for path, field in (
        (f"projects/{bad_id}/assignments/next", "project_id"),
        (f"assignments/{bad_id}/submit", "assignment_id"),
        (f"assignments/{bad_id}/return", "assignment_id"),
    ):
        response = api(path, {"answer": {"label": "positive"}})
        assert error(response) == (422, "invalid_input", field), path
    assert not Assignment.objects.exists()


def test_the_worker_loop_runs_a_fixed_small_number_of_queries(
    api, project, django_assert_num_queries
):
    make_items(project, 20)
    warm = api(f"projects/{project.pk}/assignments/next").json()  # token's last use noted
    api(f"assignments/{warm['id']}/submit", {"answer": {"label": "positive"}})

    # Token (with its user), the project with the worker's standing in it, then the claim:
    # on PostgreSQL one statement that picks, leases and counts. SQLite runs the portable
    # path in a transaction (a savepoint pair inside the test's): standing again, the pick
    # in its own savepoint pair, savepoint + insert + release, item counters.
    postgres = connection.vendor == "postgresql"
    with django_assert_num_queries(1 + 1 + (1 if postgres else 2 + 1 + 2 + 1 + 3 + 1)):
        task = api(f"projects/{project.pk}/assignments/next").json()
    # Token, then the submit in its transaction: read and lock the assignment and its item,
    # then write both (one statement on PostgreSQL).
    with django_assert_num_queries(1 + 2 + (2 if postgres else 3)):
        api(f"assignments/{task['id']}/submit", {"answer": {"label": "positive"}})
