"""GET /api/v1/projects/{id}/results: streamed JSONL and CSV, members only, bad input."""

import csv
import io
import json

import pytest

from accounts.api_tokens import api_token_create
from marketplace.aggregation import aggregate_project
from tests.factories import MembershipFactory, WorkerFactory
from tests.marketplace.factories import bulk_answers, make_items, make_project, make_workers_fast

pytestmark = pytest.mark.django_db


def bearer(user) -> dict:
    _token, secret = api_token_create(user=user, name="script")
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def project(company):
    project = make_project(company=company, overlap=2)
    items = make_items(project, 2)
    workers = make_workers_fast(2, prefix="api")
    bulk_answers([(item, worker, {"label": "neutral"}) for item in items for worker in workers])
    aggregate_project(project.pk)
    return project


def body(response) -> str:
    assert response.streaming
    return b"".join(response.streaming_content).decode()


def test_jsonl_is_the_default_and_streams_one_object_per_item(client, owner, project):
    response = client.get(f"/api/v1/projects/{project.pk}/results", headers=bearer(owner))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-ndjson; charset=utf-8"
    assert f"project-{project.pk}-results.jsonl" in response["Content-Disposition"]
    records = [json.loads(line) for line in body(response).splitlines()]
    assert len(records) == 2
    assert records[0]["answer"] == {"label": "neutral"}
    assert records[0]["method"] == "dawid_skene"
    assert len(records[0]["answers"]) == 2


@pytest.mark.parametrize("role", ["owner", "manager", "reviewer"])
def test_every_member_gets_the_csv(client, company, project, role):
    member = MembershipFactory(company=company, role=role).user

    response = client.get(
        f"/api/v1/projects/{project.pk}/results?format=csv", headers=bearer(member)
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(body(response))))
    assert rows[0][0] == "item_id"
    assert len(rows) == 3


def test_another_company_or_a_worker_gets_404(client, project):
    stranger = MembershipFactory(role="owner").user
    for user in (stranger, WorkerFactory()):
        response = client.get(f"/api/v1/projects/{project.pk}/results", headers=bearer(user))
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


def test_a_missing_project_is_404_and_no_token_is_401(client, owner, project):
    response = client.get("/api/v1/projects/999999/results", headers=bearer(owner))
    assert response.status_code == 404
    assert client.get(f"/api/v1/projects/{project.pk}/results").status_code == 401


@pytest.mark.parametrize("fmt", ["xlsx", "", "CSV"])
def test_an_unknown_format_is_422(client, owner, project, fmt):
    response = client.get(
        f"/api/v1/projects/{project.pk}/results?format={fmt}", headers=bearer(owner)
    )

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert error["field"] == "format"


def test_the_schema_describes_the_streamed_response(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/projects/{project_id}/results"]["get"]
    content = operation["responses"]["200"]["content"]
    assert set(content) == {"application/x-ndjson", "text/csv"}
    assert {p["name"] for p in operation["parameters"]} == {"project_id", "format"}
