"""The project API: create, read, change, items, launch/pause/resume, progress; scoping."""

import datetime

import pytest
from django.utils import timezone

from accounts.api_tokens import api_token_create
from marketplace.models import Item, Project
from payouts import funding
from payouts.models import LedgerTransaction
from tests.factories import CompanyFactory, MembershipFactory, WorkerFactory, fund_company
from tests.marketplace.factories import make_assignment, make_items, make_project

pytestmark = pytest.mark.django_db


def bearer(user) -> dict:
    _token, secret = api_token_create(user=user, name="script")
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def owner_auth(owner):
    return bearer(owner)


NEW = {
    "title": "Spam or not",
    "interface": "classification",
    "labels": ["spam", "ham"],
    "reward_cents": 4,
    "overlap": 3,
    "lease_seconds": 300,
    "instructions": "<p>Is it <b>spam</b>?</p><script>x()</script>",
}


def test_create_returns_201_with_a_draft(client, company, owner_auth):
    response = client.post(
        "/api/v1/projects", NEW, content_type="application/json", headers=owner_auth
    )
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "draft"
    assert isinstance(body["id"], int)
    assert body["label_schema"] == {"labels": ["spam", "ham"], "multiple": False, "question": ""}
    assert body["instructions"] == "<p>Is it <b>spam</b>?</p>"
    assert Project.objects.get(pk=body["id"]).company == company


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"reward_cents": 0}, "reward_cents"),
        ({"overlap": 20}, "overlap"),
        ({"interface": "telepathy"}, "interface"),
        ({"labels": ["only"]}, "label_schema"),
        ({"title": ""}, "title"),
        ({"content_risk": "graphic"}, "daily_exposure_cap"),
        ({"reward_cents": "lots"}, "reward_cents"),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_creates_nothing(client, owner_auth, change, field):
    response = client.post(
        "/api/v1/projects", {**NEW, **change}, content_type="application/json", headers=owner_auth
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["field"] == field
    assert error["message"]
    assert not Project.objects.exists()


def test_a_reviewer_reads_but_cannot_create_or_change(client, company):
    reviewer = MembershipFactory(company=company, role="reviewer").user
    auth = bearer(reviewer)
    project = make_project(company=company, status="draft")
    response = client.post("/api/v1/projects", NEW, content_type="application/json", headers=auth)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert client.get(f"/api/v1/projects/{project.pk}", headers=auth).status_code == 200
    response = client.patch(
        f"/api/v1/projects/{project.pk}",
        {"title": "X"},
        content_type="application/json",
        headers=auth,
    )
    assert response.status_code == 403
    assert client.post(f"/api/v1/projects/{project.pk}/launch", headers=auth).status_code == 403
    project.refresh_from_db()
    assert project.title == "Sentiment of product reviews"


def test_workers_get_a_403_with_a_code(client):
    auth = bearer(WorkerFactory())
    response = client.get("/api/v1/projects", headers=auth)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_a_company_member"
    response = client.post("/api/v1/projects", NEW, content_type="application/json", headers=auth)
    assert response.status_code == 403
    assert not Project.objects.exists()


def test_another_companys_project_is_not_found_everywhere(client, owner_auth):
    theirs = make_project(company=CompanyFactory(), status="draft")
    make_items(theirs, 1)
    base = f"/api/v1/projects/{theirs.pk}"
    calls = [
        client.get(base, headers=owner_auth),
        client.get(f"{base}/progress", headers=owner_auth),
        client.patch(base, {"title": "X"}, content_type="application/json", headers=owner_auth),
        client.post(
            f"{base}/items", [{"text": "x"}], content_type="application/json", headers=owner_auth
        ),
        client.post(f"{base}/launch", headers=owner_auth),
        client.post(f"{base}/pause", headers=owner_auth),
    ]
    for response in calls:
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/projects", headers=owner_auth).json() == {"projects": []}
    theirs.refresh_from_db()
    assert theirs.status == "draft"
    assert theirs.items.count() == 1


def test_items_as_json_array_with_errors_and_gold(client, company, owner_auth):
    project = make_project(company=company, status="draft")
    response = client.post(
        f"/api/v1/projects/{project.pk}/items",
        [
            {"text": "Buy now!!!", "id": "a1"},
            {"text": "Hello mum", "gold": {"label": "neutral"}},
            {"image_url": "data:image/png;base64,AAAA"},
        ],
        content_type="application/json",
        headers=owner_auth,
    )
    assert response.status_code == 200
    body = response.json()
    assert body["created"] == 2
    assert [error["line"] for error in body["errors"]] == [3]
    assert project.items.filter(is_gold=True).get().gold_answer == {"label": "neutral"}


def test_items_as_jsonl_all_or_nothing(client, company, owner_auth):
    project = make_project(company=company, status="draft")
    body = '{"text": "One"}\n{"text": "Two"}\nnot json\n'
    url = f"/api/v1/projects/{project.pk}/items"
    response = client.post(
        url + "?all_or_nothing=true",
        body,
        content_type="application/x-ndjson",
        headers=owner_auth,
    )
    assert response.status_code == 200
    assert response.json() == {
        "created": 0,
        "errors": [{"line": 3, "message": "This line is not valid JSON."}],
    }
    assert not Item.objects.exists()
    response = client.post(url, body, content_type="application/x-ndjson", headers=owner_auth)
    assert response.json()["created"] == 2


@pytest.mark.parametrize("body", ["{not json", '{"text": "an object, not a list"}', ""])
def test_items_body_that_is_not_an_array_is_a_422(client, company, owner_auth, body):
    project = make_project(company=company, status="draft")
    response = client.post(
        f"/api/v1/projects/{project.pk}/items",
        body,
        content_type="application/json",
        headers=owner_auth,
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "body"


def test_launch_pause_resume_and_refusals(client, company, owner_auth):
    project = make_project(company=company, status="draft")
    base = f"/api/v1/projects/{project.pk}"
    response = client.post(f"{base}/launch", headers=owner_auth)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "no_items"
    make_items(project, 2)
    fund_company(company.pk, 100)  # launching reserves the budget
    launched = client.post(f"{base}/launch", headers=owner_auth).json()
    assert (launched["status"], launched["budget"]["reserved_cents"]) == ("active", 12)
    response = client.post(f"{base}/launch", headers=owner_auth)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"
    assert client.post(f"{base}/pause", headers=owner_auth).json() == {"status": "paused"}
    assert client.post(f"{base}/resume", headers=owner_auth).json() == {"status": "active"}
    assert client.post(f"{base}/complete", headers=owner_auth).json() == {"status": "completed"}
    assert client.post(f"{base}/cancel", headers=owner_auth).status_code == 409


def test_patch_changes_settings_and_refuses_locked_ones(client, company, owner_auth):
    project = make_project(company=company, status="active")
    base = f"/api/v1/projects/{project.pk}"
    response = client.patch(
        base,
        {"title": "Renamed", "overlap": 2},
        content_type="application/json",
        headers=owner_auth,
    )
    assert response.status_code == 200
    assert response.json()["title"] == "Renamed"
    assert response.json()["overlap"] == 2
    response = client.patch(
        base, {"labels": ["a", "b"]}, content_type="application/json", headers=owner_auth
    )
    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "setting_locked",
        "message": "This cannot change once the project is launched: workers have answered "
        "against it.",
        "field": "label_schema",
    }


def test_progress_numbers_on_a_fixed_setup(client, company, owner_auth):
    """4 items, overlap 2: one done (2 answers), one half answered (its rejected answer does
    not count), one leased, one waiting."""
    project = make_project(company=company, overlap=2, reward_cents=5)
    done, half, leased, _waiting = make_items(project, 4)
    make_items(project, 1, gold_label="positive")
    now = timezone.now()
    workers = [WorkerFactory() for _ in range(3)]
    make_assignment(
        done, workers[0], status="approved", submitted_at=now - datetime.timedelta(hours=5)
    )
    make_assignment(
        done, workers[1], status="submitted", submitted_at=now - datetime.timedelta(minutes=10)
    )
    make_assignment(
        half, workers[0], status="submitted", submitted_at=now - datetime.timedelta(minutes=20)
    )
    make_assignment(
        half, workers[1], status="rejected", submitted_at=now - datetime.timedelta(minutes=30)
    )
    make_assignment(leased, workers[2])

    response = client.get(f"/api/v1/projects/{project.pk}/progress", headers=owner_auth)

    body = response.json()
    assert response.status_code == 200
    assert {key: body[key] for key in body if key != "estimated_finish"} == {
        "items_total": 4,
        "items_done": 1,
        "items_in_progress": 2,
        "items_waiting": 1,
        "gold_items": 1,
        "answers": 3,
        "answers_needed": 5,
        "spend_cents": 15,
        "currency": "USD",
        "answers_last_hour": 2,
        "answers_per_hour_last_day": 0.1,
        "percent_done": 25,
    }
    # 3 answers in 24 h is 0.125 an hour: 5 more answers take 40 hours.
    finish = datetime.datetime.fromisoformat(body["estimated_finish"])
    assert abs((finish - now).total_seconds() - 40 * 3600) < 60
    detail = client.get(f"/api/v1/projects/{project.pk}", headers=owner_auth).json()
    assert detail["progress"]["items_done"] == 1


def test_the_list_holds_only_my_companys_projects(client, company, owner_auth):
    mine = make_project(company=company)
    make_project(company=CompanyFactory())
    body = client.get("/api/v1/projects", headers=owner_auth).json()
    assert [project["id"] for project in body["projects"]] == [mine.pk]


def test_the_schema_documents_the_project_operations(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"post", "get"} <= set(paths["/api/v1/projects"])
    assert {"get", "patch"} <= set(paths["/api/v1/projects/{project_id}"])
    items = paths["/api/v1/projects/{project_id}/items"]["post"]
    assert set(items["requestBody"]["content"]) == {"application/json", "application/x-ndjson"}


def test_patch_with_the_unchanged_interface_of_a_launched_project_passes(
    client, company, owner_auth
):
    project = make_project(company=company, status="active")
    response = client.patch(
        f"/api/v1/projects/{project.pk}",
        {"interface": "classification", "min_gold_answers": 8},
        content_type="application/json",
        headers=owner_auth,
    )
    assert response.status_code == 200
    assert response.json()["min_gold_answers"] == 8


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"overlap": 20}, "overlap"),
        ({"content_risk": "mild"}, "daily_exposure_cap"),
        ({"listings": [999999]}, "listings"),
        ({"category": "cooking"}, "category"),
        ({"max_assignments_per_worker": 119_561_096_727}, "max_assignments_per_worker"),
        ({"daily_exposure_cap": 2**40}, "daily_exposure_cap"),
    ],
)
def test_a_bad_patch_is_a_422_and_changes_nothing(client, company, owner_auth, body, field):
    project = make_project(company=company, status="draft")
    response = client.patch(
        f"/api/v1/projects/{project.pk}", body, content_type="application/json", headers=owner_auth
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == field
    project.refresh_from_db()
    assert (project.overlap, project.content_risk, project.category) == (
        1,
        "none",
        "text-annotation",
    )
    assert not project.listings.exists()


def _gold_draft(company):
    """10 items x overlap 3 at 10 cents with 2 gold items at a 10% gold rate: $4.08."""
    project = make_project(
        company=company, status="draft", title="Cats", reward_cents=10, overlap=3, gold_rate=10
    )
    make_items(project, 10)
    make_items(project, 2, gold_label="positive")
    return project


def test_launch_answers_with_the_budget_it_reserved(client, company, owner_auth, settings):
    settings.PLATFORM_FEE_PERCENT = 20
    project = _gold_draft(company)
    fund_company(company.pk, 50_00)

    response = client.post(f"/api/v1/projects/{project.pk}/launch", headers=owner_auth)

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "active"
    budget = body["budget"]
    assert budget.pop("returned_when_ended").startswith("Whatever the budget does not spend")
    assert budget == {
        "currency": "USD",
        "items": 10,
        "gold_items": 2,
        "overlap": 3,
        "extra_answers": 0,
        "answers": 30,
        "reward_cents": 10,
        "rewards_cents": 300,
        "fee_percent": 20,
        "fee_each_cents": 2,
        "fees_cents": 60,
        "cost_each_cents": 12,
        "gold_rate": 10,
        "gold_answers": 4,
        "gold_cents": 48,
        "total_cents": 408,
        "already_reserved_cents": 0,
        "reserved_cents": 408,
        "escrow_cents": 408,
        "balance_before_cents": 50_00,
        "balance_after_cents": 45_92,
    }
    assert funding.escrow_cents(project.pk) == budget["escrow_cents"]
    assert funding.company_balance_cents(company.pk) == budget["balance_after_cents"]


@pytest.mark.parametrize(
    ("items", "balance", "code", "message"),
    [
        (0, 50_00, "no_items", "Upload at least one item (not counting gold items) before "),
        (10, 1_00, "insufficient_balance", "Reserving the budget of “Cats” needs $4.08 "),
    ],
)
def test_a_refused_launch_is_the_same_4xx_and_changes_nothing(
    client, company, owner_auth, settings, items, balance, code, message
):
    settings.PLATFORM_FEE_PERCENT = 20
    project = make_project(
        company=company, status="draft", title="Cats", reward_cents=10, overlap=3, gold_rate=10
    )
    make_items(project, items)
    make_items(project, 2, gold_label="positive")
    fund_company(company.pk, balance)
    transactions = LedgerTransaction.objects.count()

    response = client.post(f"/api/v1/projects/{project.pk}/launch", headers=owner_auth)

    assert response.status_code == 409
    error = response.json()["error"]
    assert (error["code"], error["field"]) == (code, None)
    assert error["message"].startswith(message)
    if code == "insufficient_balance":
        assert error["message"].endswith(
            "your company balance is $1. Add at least $3.08 on the Billing page."
        )
    project.refresh_from_db()
    assert (project.status, project.launched_at) == ("draft", None)
    assert funding.escrow_cents(project.pk) == 0
    assert funding.company_balance_cents(company.pk) == balance
    assert LedgerTransaction.objects.count() == transactions


def test_the_openapi_schema_describes_the_launch_budget(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/projects/{project_id}/launch"]["post"]
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
    launch = schema["components"]["schemas"][ok["$ref"].rsplit("/", 1)[1]]
    assert set(launch["required"]) == {"status", "budget"}
    budget = schema["components"]["schemas"][launch["properties"]["budget"]["$ref"].split("/")[-1]]
    assert {"total_cents", "reserved_cents", "balance_after_cents", "currency"} <= set(
        budget["required"]
    )
    assert "409" in operation["responses"]
