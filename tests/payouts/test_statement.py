"""The worker's statement: keyset pages with balances, the statement page, the streamed CSV
(running balances, spreadsheet-safe cells), who may read it and its query bound."""

import csv
import datetime
import io

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from payouts import selectors
from payouts.earnings_views import statement_csv_rows
from payouts.models import LedgerEntry
from tests.factories import MembershipFactory, WorkerFactory
from tests.payouts.earnings_fixtures import earn, paid_payout, release

pytestmark = pytest.mark.django_db

PAGE_URL = "/work/earnings/statement/"
CSV_URL = "/work/earnings/statement.csv"
NOW = datetime.datetime(2025, 6, 20, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def days_ago(days: int) -> datetime.datetime:
    return NOW - datetime.timedelta(days=days)


def lines_of(worker) -> int:
    return LedgerEntry.objects.filter(
        account__owner_id=worker.pk, account__kind__in=selectors.WORKER_ACCOUNT_KINDS
    ).count()


def queries_of(request) -> tuple[int, object]:
    """How many queries a request makes (the log is emptied first: it keeps 9000 at most)."""
    connection.queries_log.clear()
    # Cold: the worker's totals are cached under their newest entry; measure the reads.
    cache.clear()
    with CaptureQueriesContext(connection) as context:
        response = request()
    return len(context), response


@pytest.fixture
def history(worker):
    """Approvals (1 line each), their releases (2 lines each) and a payout (2 lines)."""
    for day in range(6):
        earn(worker, 100 * (day + 1), at=days_ago(20 - day))
    release(days_ago(10))
    paid_payout(worker, 1000, at=days_ago(9))
    earn(worker, 50, at=days_ago(1))
    return worker


def test_pages_walk_the_whole_statement_newest_first_with_balances(history):
    accounts = selectors.worker_accounts(worker_id=history.pk)
    seen = []
    before = None
    while True:
        page = selectors.statement_page(accounts=accounts, before=before, size=4)
        seen.extend(page.lines)
        if page.older_cursor is None:
            break
        before = page.older_cursor

    everything = list(selectors.statement_all(accounts=accounts))
    # 6 approvals, 6 releases (pending and available), a payout (available, in transit), paid.
    assert lines_of(history) == 6 + 12 + 2 + 1 + 1 == len(everything)
    assert [line.entry_id for line in seen] == [line.entry_id for line in reversed(everything)]
    # The balance after each line is the same whether read by pages or summed from zero.
    assert [(line.entry_id, line.balance_cents) for line in seen] == [
        (line.entry_id, line.balance_cents) for line in reversed(everything)
    ]
    newest = {line.account_kind: line.balance_cents for line in reversed(seen)}
    assert newest == {
        "worker_pending": 50,
        "worker_available": 2100 - 1000,
        "worker_in_transit": 0,
    }


def test_newer_pages_come_back_the_same(history):
    accounts = selectors.worker_accounts(worker_id=history.pk)
    first = selectors.statement_page(accounts=accounts, size=5)
    second = selectors.statement_page(accounts=accounts, before=first.older_cursor, size=5)

    back = selectors.statement_page(accounts=accounts, after=second.newer_cursor, size=5)

    assert first.newer_cursor is None
    assert second.newer_cursor == second.lines[0].entry_id
    assert back.lines == first.lines
    assert back.newer_cursor is None


def test_the_statement_page_shows_lines_and_pages(client, history):
    client.force_login(history)

    first = client.get(PAGE_URL)
    assert first.status_code == 200
    assert len(first.context["rows"]) == lines_of(history)
    body = first.content.decode()
    assert "Payout paid to your bank account" in body
    assert "Became available" in body

    past_the_end = client.get(PAGE_URL, {"before": "1"})
    assert past_the_end.context["rows"] == []
    assert "No more lines" in past_the_end.content.decode()
    nonsense = client.get(PAGE_URL, {"before": "abc", "after": "-3"})
    assert nonsense.status_code == 200
    assert len(nonsense.context["rows"]) == lines_of(history)


def test_csv_streams_every_line_oldest_first_with_running_balances(client, history):
    client.force_login(history)

    response = client.get(CSV_URL)

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="loopwork-statement-2025-06-20.csv"'
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == [
        "date",
        "account",
        "reason",
        "description",
        "source",
        "amount",
        "balance_after",
        "currency",
        "reference",
        "link",
    ]
    assert len(rows) == 1 + lines_of(history)
    assert rows[1][:2] == ["2025-05-31T12:00:00Z", "Pending"]
    assert rows[1][2:8] == ["Approved task", rows[1][3], "Street scenes", "1.00", "1.00", "USD"]
    last = rows[-1]
    assert last[5:7] == ["0.50", "0.50"]
    payout_paid = next(row for row in rows if row[2] == "Payout paid")
    assert payout_paid[1] == "In transit"
    assert payout_paid[5:7] == ["-10.00", "0.00"]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_never_run_as_formulas(start):
    line = selectors.StatementLine(
        entry_id=1,
        transaction_id=1,
        created_at=NOW,
        account_kind="worker_available",
        account_label="Available",
        kind="bonus",
        reason="Bonus",
        description=f'{start}HYPERLINK("http://evil")',
        source_label="",
        reference=f"{start}1+1",
        link="",
        amount_cents=-250,
        balance_cents=0,
        currency="USD",
    )

    _header, row = list(statement_csv_rows([line]))

    assert row[3] == f'\'{start}HYPERLINK("http://evil")'
    assert row[8] == f"'{start}1+1"
    # Amounts are our own plain numbers, so a minus sign stays a number.
    assert row[5:7] == ["-2.50", "0.00"]


def test_a_worker_reads_only_their_own_statement(client, history):
    other = WorkerFactory()
    earn(other, 4321, title="Someone else's work")
    client.force_login(other)

    page = client.get(PAGE_URL)
    exported = b"".join(client.get(CSV_URL).streaming_content).decode()
    # Another worker's entry ids in the cursor change nothing: pages are read per account.
    cursor = client.get(PAGE_URL, {"before": str(LedgerEntry.objects.order_by("-pk")[0].pk + 1)})

    assert [row["line"].amount_cents for row in page.context["rows"]] == [4321]
    assert "Someone else" in exported and "Street scenes" not in exported
    assert [row["line"].amount_cents for row in cursor.context["rows"]] == [4321]


@pytest.mark.parametrize("url", [PAGE_URL, CSV_URL])
def test_companies_are_refused_and_anonymous_visitors_sent_to_log_in(client, url):
    client.force_login(MembershipFactory().user)
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302


def test_the_statement_page_needs_the_same_queries_for_a_long_history(client, worker):
    earn(worker, 100, at=days_ago(3))
    release(NOW)
    paid_payout(worker, 50)
    client.force_login(worker)
    client.get(PAGE_URL)
    small, _ = queries_of(lambda: client.get(PAGE_URL))
    for day in range(40):
        earn(worker, 100 + day, at=days_ago(day))
    release(NOW)
    paid_payout(worker, 500)

    first_count, first = queries_of(lambda: client.get(PAGE_URL))
    older = first.context["page"].older_cursor
    deep_count, deep = queries_of(lambda: client.get(PAGE_URL, {"before": str(older)}))

    assert small <= 15
    assert first_count == small
    assert deep_count == first_count
    assert len(deep.context["rows"]) == 50
    assert deep.context["page"].older_cursor is not None
