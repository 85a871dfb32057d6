"""The worker's earnings page at /work/earnings/: figures, pending releases, the daily chart,
earnings by project, the latest lines, the empty state, who may see it and its query bound."""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from payouts import selectors
from payouts.earnings import approval_reverse
from payouts.models import LedgerEntry
from tests.factories import MembershipFactory, WorkerFactory
from tests.payouts.earnings_fixtures import earn, paid_payout, release

pytestmark = pytest.mark.django_db

URL = "/work/earnings/"
NOW = datetime.datetime(2025, 6, 20, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def days_ago(days: int, hour: int = 10) -> datetime.datetime:
    return (NOW - datetime.timedelta(days=days)).replace(hour=hour)


@pytest.fixture
def history(worker):
    """Three weeks of work: released, paid out, still pending, in two projects."""
    earn(worker, 1200, project_id=1, title="Street scenes", work_seconds=600, at=days_ago(20))
    earn(worker, 800, project_id=2, title="Search ratings", work_seconds=240, at=days_ago(12))
    release(days_ago(9))
    paid_payout(worker, 1500, at=days_ago(8))
    earn(worker, 500, project_id=1, title="Street scenes", work_seconds=300, at=days_ago(1))
    earn(worker, 250, project_id=2, title="Search ratings", work_seconds=None, at=days_ago(0, 9))
    return worker


def test_a_new_worker_sees_how_earnings_appear(worker_client):
    response = worker_client.get(URL)

    assert response.status_code == 200
    body = response.content.decode()
    assert "No earnings yet" in body
    assert 'href="/work/"' in body
    assert "after 3 days it becomes <strong>available</strong>" in body.replace("After", "after")


def test_figures_pending_releases_and_projects(client, history):
    client.force_login(history)

    response = client.get(URL)

    assert response.status_code == 200
    summary = response.context["summary"]
    assert summary.available_cents == 1200 + 800 - 1500
    assert summary.pending_cents == 750
    assert summary.in_transit_cents == 0
    assert summary.receivable_cents == 0
    assert summary.paid_this_month_cents == 1500
    assert summary.paid_all_time_cents == 1500
    assert summary.earned_all_time_cents == 2750
    assert response.context["releases"] == [
        {"date": datetime.date(2025, 6, 22), "amount_text": "$5"},
        {"date": datetime.date(2025, 6, 23), "amount_text": "$2.50"},
    ]
    projects = [
        (row["item"].label, row["earned_text"], row["hourly_text"])
        for row in response.context["projects"]
    ]
    # Street scenes: $17 over 900 s = $68/h; Search ratings: $8 over 240 s (the $2.50 has no time).
    assert projects == [("Street scenes", "$17", "$68"), ("Search ratings", "$10.50", "$120")]
    # $25 of timed earnings over 1140 s.
    assert response.context["hourly_text"] == "$78.94"
    body = response.content.decode()
    assert "$5" in body and "Paid in June" in body


def test_the_chart_shows_30_days_by_default_and_90_on_request(client, history):
    client.force_login(history)

    default = client.get(URL).context["chart"]
    wide = client.get(URL, {"days": "90"}).context["chart"]
    wrong = client.get(URL, {"days": "7"}).context

    assert len(default["bars"]) == 30
    assert default["first"] == datetime.date(2025, 5, 22)
    assert default["last"] == datetime.date(2025, 6, 20)
    earned = {bar["date"]: bar["earned_cents"] for bar in default["bars"] if bar["earned_cents"]}
    assert earned == {
        datetime.date(2025, 5, 31): 1200,
        datetime.date(2025, 6, 8): 800,
        datetime.date(2025, 6, 19): 500,
        datetime.date(2025, 6, 20): 250,
    }
    assert default["total_text"] == "$27.50"
    assert len(wide["bars"]) == 90
    assert wrong["days"] == 30


def test_the_latest_lines_link_to_what_they_are_for(client, history):
    client.force_login(history)

    rows = client.get(URL).context["recent"]

    newest = rows[0]["line"]
    assert newest.reason == "Approved task"
    assert newest.account_label == "Pending"
    assert newest.amount_cents == 250
    assert newest.link.startswith("/work/history/#submission-")
    assert rows[0]["amount_text"] == "+$2.50"
    assert len(rows) == 10


def test_a_worker_who_owes_money_is_told_kindly(client, worker):
    approval = earn(worker, 900, at=days_ago(10))
    release(days_ago(6))
    paid_payout(worker, 900, at=days_ago(5))

    approval_reverse(
        assignment_id=int(approval.reference.split(":")[1]), reason="Copied answers", actor=None
    )
    client.force_login(worker)

    response = client.get(URL)

    assert response.context["summary"].receivable_cents == 900
    body = response.content.decode()
    assert "You owe Loopwork $9" in body
    assert "you do not need to do anything" in body


def test_a_worker_sees_only_their_own_earnings(client, history):
    other = WorkerFactory()
    earn(other, 4200, project_id=9, title="Other people's project")
    client.force_login(history)

    response = client.get(URL)

    assert response.context["summary"].earned_all_time_cents == 2750
    assert "Other people" not in response.content.decode()


def test_companies_are_refused_and_anonymous_visitors_sent_to_log_in(client):
    member = MembershipFactory().user
    client.force_login(member)
    assert client.get(URL).status_code == 403
    client.logout()
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def queries_of(request) -> tuple[int, object]:
    """How many queries a request makes (the log is emptied first: it keeps 9000 at most)."""
    connection.queries_log.clear()
    # Cold: the worker's totals are cached under their newest entry; measure the reads.
    cache.clear()
    with CaptureQueriesContext(connection) as context:
        response = request()
    return len(context), response


def test_the_page_needs_the_same_queries_for_a_long_history(client, worker):
    earn(worker, 100, at=days_ago(3))
    release(days_ago(0))
    paid_payout(worker, 100, at=days_ago(0))
    client.force_login(worker)
    client.get(URL)
    few, _ = queries_of(lambda: client.get(URL))
    for day in range(40):
        earn(worker, 100 + day, project_id=day % 4, title=f"Project {day % 4}", at=days_ago(day))
    release(days_ago(0))

    many, response = queries_of(lambda: client.get(URL))

    assert LedgerEntry.objects.filter(account__owner_id=worker.pk).count() > 100
    assert response.status_code == 200
    assert few <= 25
    assert many == few


def test_summary_reads_are_bounded(worker, django_assert_num_queries):
    earn(worker, 100, at=days_ago(3))
    accounts = selectors.worker_accounts(worker_id=worker.pk)

    with django_assert_num_queries(2):
        cold = selectors.earnings_summary(accounts=accounts, now=timezone.now())
    with django_assert_num_queries(2):
        selectors.daily_earnings(accounts=accounts, days=90)
    # The same ledger again: the totals and the series come from the cache.
    with django_assert_num_queries(1):
        warm = selectors.earnings_summary(accounts=accounts, now=timezone.now())
    with django_assert_num_queries(0):
        selectors.daily_earnings(accounts=accounts, days=90)
    assert warm == cold


def test_a_new_posting_is_seen_at_once_despite_the_cache(client, worker):
    earn(worker, 100, at=days_ago(3))
    client.force_login(worker)
    assert client.get(URL).context["summary"].earned_all_time_cents == 100

    earn(worker, 250, at=days_ago(0))
    response = client.get(URL)

    assert response.context["summary"].earned_all_time_cents == 350
    assert response.context["chart"]["bars"][-1]["earned_cents"] == 250
