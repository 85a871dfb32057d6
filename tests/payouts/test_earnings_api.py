"""GET /api/v1/me/earnings: the worker's own figures, pages of the statement, and refusals."""

import datetime

import pytest
import time_machine

from accounts.api_tokens import api_token_create
from tests.factories import MembershipFactory, WorkerFactory
from tests.payouts.earnings_fixtures import earn, paid_payout, release

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/earnings"
NOW = datetime.datetime(2025, 6, 20, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def auth(user) -> dict:
    _token, secret = api_token_create(user=user, name="script")
    return {"Authorization": f"Bearer {secret}"}


def days_ago(days: int) -> datetime.datetime:
    return NOW - datetime.timedelta(days=days)


@pytest.fixture
def history(worker):
    earn(worker, 1200, project_id=1, title="Street scenes", work_seconds=600, at=days_ago(20))
    release(days_ago(15))
    paid_payout(worker, 1000, at=days_ago(14))
    earn(worker, 300, project_id=2, title="Search ratings", work_seconds=120, at=days_ago(1))
    return worker


def test_a_worker_reads_their_figures_in_minor_units(client, history):
    response = client.get(URL, headers=auth(history))

    assert response.status_code == 200
    body = response.json()
    assert {key: value for key, value in body.items() if not isinstance(value, list | dict)} == {
        "currency": "USD",
        "available_cents": 200,
        "pending_cents": 300,
        "in_transit_cents": 0,
        "receivable_cents": 0,
        "paid_this_month_cents": 1000,
        "paid_all_time_cents": 1000,
        "earned_all_time_cents": 1500,
        "work_seconds": 720,
        "hourly_cents": 7500,
    }
    assert body["pending"] == [{"available_on": "2025-06-22", "amount_cents": 300}]
    assert body["by_project"] == [
        {
            "source": "project:1",
            "label": "Street scenes",
            "earned_cents": 1200,
            "payments": 1,
            "work_seconds": 600,
            "hourly_cents": 7200,
        },
        {
            "source": "project:2",
            "label": "Search ratings",
            "earned_cents": 300,
            "payments": 1,
            "work_seconds": 120,
            "hourly_cents": 9000,
        },
    ]
    assert body["daily"]["days"] == 30
    assert len(body["daily"]["series"]) == 30
    assert body["daily"]["series"][-2] == {"date": "2025-06-19", "earned_cents": 300}
    newest = body["statement"]["lines"][0]
    assert newest["account"] == "worker_pending"
    assert newest["kind"] == "approval"
    assert newest["amount_cents"] == 300
    assert newest["balance_cents"] == 300
    assert newest["link"].startswith("/work/history/#submission-")
    assert body["statement"]["next_cursor"] is None


def test_the_statement_pages_by_cursor(client, history):
    headers = auth(history)

    first = client.get(URL, {"limit": 2, "days": 90}, headers=headers).json()
    second = client.get(
        URL, {"limit": 2, "cursor": first["statement"]["next_cursor"]}, headers=headers
    ).json()
    rest = client.get(
        URL, {"limit": 200, "cursor": second["statement"]["next_cursor"]}, headers=headers
    ).json()

    assert len(first["daily"]["series"]) == 90
    ids = [line["id"] for page in (first, second, rest) for line in page["statement"]["lines"]]
    # An approval, its release (2 lines), a payout (2), its payment, another approval.
    assert len(first["statement"]["lines"]) == len(second["statement"]["lines"]) == 2
    assert len(ids) == 1 + 2 + 2 + 1 + 1 == len(set(ids))
    assert ids == sorted(ids, reverse=True)
    assert rest["statement"]["next_cursor"] is None


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"days": 7}, "days"),
        ({"days": "ninety"}, "days"),
        ({"cursor": 0}, "cursor"),
        ({"cursor": "abc"}, "cursor"),
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(client, worker, params, field):
    response = client.get(URL, params, headers=auth(worker))

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert error["field"] == field
    assert error["message"]


def test_a_worker_sees_only_their_own(client, history):
    other = WorkerFactory()
    earn(other, 777, project_id=5, title="Other work", at=days_ago(2))

    mine = client.get(URL, headers=auth(history)).json()
    theirs = client.get(URL, headers=auth(other)).json()
    # A cursor taken from someone else's page still reads only the caller's accounts.
    probe = client.get(
        URL, {"cursor": theirs["statement"]["lines"][0]["id"] + 1}, headers=auth(history)
    ).json()

    assert mine["earned_all_time_cents"] == 1500
    assert theirs["earned_all_time_cents"] == 777
    assert [line["amount_cents"] for line in theirs["statement"]["lines"]] == [777]
    assert "Other work" not in str(mine) + str(probe)
    assert {line["id"] for line in probe["statement"]["lines"]} <= {
        line["id"]
        for line in client.get(URL, {"limit": 200}, headers=auth(history)).json()["statement"][
            "lines"
        ]
    }


def test_no_token_is_a_401_and_a_company_token_a_403(client):
    assert client.get(URL).status_code == 401
    assert client.get(URL).json()["error"]["code"] == "unauthorized"

    response = client.get(URL, headers=auth(MembershipFactory().user))

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_a_worker"


def test_a_new_worker_gets_zeros_and_an_empty_statement(client, worker):
    body = client.get(URL, headers=auth(worker)).json()

    assert body["available_cents"] == 0
    assert body["hourly_cents"] is None
    assert body["pending"] == []
    assert body["by_project"] == []
    assert body["statement"] == {"lines": [], "next_cursor": None}
    assert all(day["earned_cents"] == 0 for day in body["daily"]["series"])
