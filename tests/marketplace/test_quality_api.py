"""The quality API: a project's figures for its company, the same as the quality page."""

import pytest

from accounts.api_tokens import api_token_create
from marketplace.models import Assignment
from marketplace.selectors import worker_pseudonym
from tests.factories import CompanyFactory, WorkerFactory
from tests.marketplace.factories import make_assignment, make_items, make_project, make_reviewer

pytestmark = pytest.mark.django_db

SUBMITTED = Assignment.Status.SUBMITTED


def auth(user) -> dict:
    _token, secret = api_token_create(user=user, name="script")
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def project():
    return make_project(overlap=3, accuracy_threshold=60, min_work_seconds=5)


@pytest.fixture
def workers(project):
    careful, hasty = WorkerFactory(), WorkerFactory()
    gold = make_items(project, 3, gold_label="positive")
    real = make_items(project, 2)
    for item, score in zip(gold[:2], (1.0, 1.0), strict=True):
        make_assignment(item, careful, status=SUBMITTED, gold_score=score, work_seconds=40)
    make_assignment(real[0], careful, status=SUBMITTED, agreement=1.0, work_seconds=50)
    make_assignment(gold[2], hasty, status=SUBMITTED, gold_score=0.0, work_seconds=2,
                    is_too_fast=True)  # fmt: skip
    make_assignment(real[1], hasty, status=SUBMITTED, agreement=0.0, work_seconds=3,
                    is_too_fast=True)  # fmt: skip
    return careful, hasty


def test_a_company_member_reads_totals_and_workers_worst_first(client, project, workers):
    _careful, hasty = workers
    reviewer = make_reviewer(project.company)

    response = client.get(f"/api/v1/projects/{project.pk}/quality", headers=auth(reviewer))

    assert response.status_code == 200
    body = response.json()
    assert body["totals"] == {
        "workers": 2,
        "answers": 5,
        "gold_accuracy": pytest.approx(66.7, abs=0.1),
        "agreement": 50.0,
        "too_fast": 2,
        "stopped": 0,
    }
    assert (body["min_work_seconds"], body["accuracy_threshold"], body["count"]) == (5, 60, 2)
    pseudonym = worker_pseudonym(company_id=project.company_id, worker_id=hasty.pk)
    first = body["workers"][0]
    assert (first["worker"], first["gold_accuracy"], first["too_fast"]) == (pseudonym, 0.0, 2)
    assert body["workers"][1]["gold_accuracy"] == 100.0
    assert {flag["worker"] for flag in body["too_fast"]} == {pseudonym}
    assert "email" not in str(body)


def test_another_company_and_workers_get_a_404(client, project, workers):
    outsider = make_reviewer(CompanyFactory())

    for user in (outsider, workers[0]):
        response = client.get(f"/api/v1/projects/{project.pk}/quality", headers=auth(user))
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    "query", ["sort=email", "page=0", "page_size=500", "descending=maybe", "page=abc"]
)
def test_bad_parameters_are_a_422(client, project, query):
    reviewer = make_reviewer(project.company)

    response = client.get(f"/api/v1/projects/{project.pk}/quality?{query}", headers=auth(reviewer))

    assert response.status_code == 422


def test_without_a_token_the_figures_are_refused(client, project):
    assert client.get(f"/api/v1/projects/{project.pk}/quality").status_code == 401
