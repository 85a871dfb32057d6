"""Earnings: the worker's earnings page, statement pages, API answer and CSV export for a
worker with 100,000 ledger lines, with the queries each takes.

DATABASE_URL=postgres://postgres@127.0.0.1:5432/loopwork_bench \
    .venv/bin/python -m bench earnings_page
.venv/bin/python -m bench earnings_page        # SQLite in memory

Environment: BENCH_EARNING_LINES (100000), BENCH_RUNS (40 per case).

A worker's totals (earnings by project, payouts, the daily series) are cached under the id of
their newest entry, so repeated views are cheap and a new posting makes a new key: the
"cache emptied" cases measure the page as it is right after a posting.

A year of work is written straight into the ledger tables (COPY on PostgreSQL, executemany on
SQLite; the append-only triggers refuse only UPDATE and DELETE): one approval per task (one
line on the worker's pending account), its hold release three days later (two lines:
pending and available) and a payout every 100 tasks (available to in transit, then paid:
three lines), with the cached balances set to the sums of the entries. The run checks that
every transaction balances and every cached balance matches before it measures.
"""

import datetime
import os
import random
import time

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.api_tokens import api_token_create
from accounts.models import Company, User
from payouts import ledger
from payouts.fees import platform_fee_cents
from payouts.models import EarningHold, LedgerAccount, LedgerEntry, LedgerTransaction
from payouts.selectors import WORKER_ACCOUNT_KINDS

from .harness import counted_queries, measure, report, throwaway_database

LINES = int(os.environ.get("BENCH_EARNING_LINES", "100000"))
RUNS = int(os.environ.get("BENCH_RUNS", "40"))
PAYOUT_EVERY = 100
PROJECTS = [
    "Street scenes: bounding boxes",
    "Search relevance ratings (en-GB)",
    "Toxicity review of chat replies",
    "Podcast transcription (es)",
    "AI answer preference pairs",
]
HOLD = datetime.timedelta(days=3)
SEED = 6
REPRODUCE = (
    "DATABASE_URL=postgres://postgres@127.0.0.1:5432/loopwork_bench "
    ".venv/bin/python -m bench earnings_page"
)
Kind = LedgerAccount.Kind
TxKind = LedgerTransaction.Kind
# The ledger writes a transaction's columns in this order too (payouts.ledger.postings_write).
TX_COLUMNS = tuple(ledger.TRANSACTION_ATTNAMES)
ENTRY_COLUMNS = ("id", "transaction_id", "account_id", "amount_cents")
HOLD_COLUMNS = (
    "transaction_id",
    "worker_id",
    "amount_cents",
    "reversed_cents",
    "currency",
    "release_at",
    "released_by_id",
)


class Book:
    """Rows to write, with ids assigned here and every account's running balance."""

    def __init__(self, accounts: dict[str, LedgerAccount], currency: str):
        self.accounts = accounts
        self.currency = currency
        self.transactions: list[tuple] = []
        self.entries: list[tuple] = []
        self.holds: list[tuple] = []
        self.balances = dict.fromkeys(accounts, 0)

    def post(self, kind: str, at: datetime.datetime, legs: dict[str, int], **fields) -> int:
        tx_id = len(self.transactions) + 1
        key = fields.pop("key")
        self.transactions.append(
            (
                tx_id,
                key,
                kind,
                self.currency,
                fields.get("reference", key),
                fields.get("description", ""),
                fields.get("link", ""),
                fields.get("source_key", ""),
                fields.get("source_label", ""),
                fields.get("work_seconds"),
                fields.get("available_at"),
                None,
                None,
                at,
            )
        )
        assert sum(legs.values()) == 0, legs
        for name, amount in legs.items():
            self.entries.append((len(self.entries) + 1, tx_id, self.accounts[name].pk, amount))
            self.balances[name] += amount
        return tx_id

    def worker_lines(self) -> int:
        worker_ids = {self.accounts[name].pk for name in ("pending", "available", "transit")}
        return sum(1 for entry in self.entries if entry[2] in worker_ids)


def write_year(worker: User, company: Company, lines: int) -> Book:
    """A year of approvals, releases and payouts for `worker`, about `lines` ledger lines."""
    rng = random.Random(SEED)
    currency = settings.PLATFORM_CURRENCY
    refs = {
        "clearing": ledger.platform(Kind.PLATFORM_STRIPE_CLEARING, currency),
        "company": ledger.company_balance(company.pk, currency),
        "revenue": ledger.platform(Kind.PLATFORM_REVENUE, currency),
        "paid": ledger.platform(Kind.PLATFORM_PAYOUTS, currency),
        "pending": ledger.worker_pending(worker.pk, currency),
        "available": ledger.worker_available(worker.pk, currency),
        "transit": ledger.worker_in_transit(worker.pk, currency),
    }
    accounts = {name: ledger.account_for(ref) for name, ref in refs.items()}
    book = Book(accounts, currency)
    # Each task: 1 line (approval) + 2 (release); each payout: 3 lines.
    tasks = max(1, int(lines / (3 + 3 / PAYOUT_EVERY)))
    now = timezone.now()
    start = now - datetime.timedelta(days=365)
    step = (now - start) / tasks
    rewards = [rng.choice((4, 5, 6, 8, 12, 15, 25)) for _ in range(tasks)]
    fees = [platform_fee_cents(reward) for reward in rewards]
    total = sum(rewards) + sum(fees)
    book.post(TxKind.TOP_UP, start, {"clearing": -total, "company": total}, key="top_up:bench")
    due = []  # (release time, approval tx id, amount), in time order
    unpaid = released_count = 0
    for n in range(tasks):
        at = start + step * (n + 1)
        while due and due[0][0] <= at:
            release_at, tx_id, amount = due.pop(0)
            released = book.post(
                TxKind.HOLD_RELEASE,
                release_at,
                {"pending": -amount, "available": amount},
                key=f"hold_release:{tx_id}",
                reference=f"assignment:{tx_id}",
                description="Became available",
            )
            book.holds[tx_id - 1] = (*book.holds[tx_id - 1][:6], released)
            unpaid += amount
            released_count += 1
            if released_count % PAYOUT_EVERY == 0:
                line = f"payout_line:{n}"
                book.post(
                    TxKind.PAYOUT,
                    release_at,
                    {"available": -unpaid, "transit": unpaid},
                    key=f"payout:{n}",
                    reference=line,
                    description="Weekly payout",
                    link="/work/payouts/",
                )
                book.post(
                    TxKind.PAYOUT_PAID,
                    release_at + datetime.timedelta(hours=1),
                    {"transit": -unpaid, "paid": unpaid},
                    key=f"payout_paid:{n}",
                    reference=line,
                    description="Payout sent to your Stripe account",
                    link="/work/payouts/",
                )
                unpaid = 0
        project = rng.randrange(len(PROJECTS))
        reward, fee = rewards[n], fees[n]
        tx_id = book.post(
            TxKind.APPROVAL,
            at,
            {"company": -(reward + fee), "pending": reward, "revenue": fee},
            key=f"approval:{n}",
            reference=f"assignment:{n}",
            description=f"Task {n} approved: {PROJECTS[project]}",
            link=f"/work/history/#submission-{n}",
            source_key=f"project:{project + 1}",
            source_label=PROJECTS[project],
            work_seconds=rng.randint(20, 120),
            available_at=at + HOLD,
        )
        # Holds are indexed by the approval's transaction id; pad for non-approval ids.
        while len(book.holds) < tx_id - 1:
            book.holds.append(None)
        book.holds.append((tx_id, worker.pk, reward, 0, currency, at + HOLD, None))
        due.append((at + HOLD, tx_id, reward))
    book.holds = [hold for hold in book.holds if hold is not None]
    _write(book)
    return book


def _copy(table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    names = ", ".join(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            adapt = connection.ops.adapt_datetimefield_value
            rows = [
                tuple(adapt(v) if isinstance(v, datetime.datetime) else v for v in row)
                for row in rows
            ]
            # Table and column names are this module's constants, never input.
            sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
            cursor.executemany(sql, rows)


def _write(book: Book) -> None:
    _copy("payouts_ledgertransaction", TX_COLUMNS, book.transactions)
    _copy("payouts_ledgerentry", ENTRY_COLUMNS, book.entries)
    _copy("payouts_earninghold", HOLD_COLUMNS, book.holds)
    for name, account in book.accounts.items():
        LedgerAccount.objects.filter(pk=account.pk).update(balance_cents=book.balances[name])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("payouts_ledgertransaction", "payouts_ledgerentry"):
                # The ids were written by hand: move the sequences past them.
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), "  # noqa: S608  (a constant)
                    f"(SELECT MAX(id) FROM {table}))",
                    [table],
                )
            cursor.execute(
                "ANALYZE payouts_ledgertransaction, payouts_ledgerentry, payouts_earninghold"
            )


def _check(worker: User) -> int:
    assert ledger.unbalanced_transactions() == []
    assert ledger.balance_differences() == []
    return LedgerEntry.objects.filter(
        account__owner_id=worker.pk, account__kind__in=WORKER_ACCOUNT_KINDS
    ).count()


def run() -> None:
    with throwaway_database():
        worker = User.objects.create(
            email="earner@bench.example", role=User.Role.WORKER, password=make_password(None)
        )
        company = Company.objects.create(name="Bench Co", slug="bench-co")
        started = time.perf_counter()
        book = write_year(worker, company, LINES)
        written = time.perf_counter() - started
        lines = _check(worker)
        client = Client()
        client.force_login(worker)
        _token, secret = api_token_create(user=worker, name="bench")
        ids = sorted(
            LedgerEntry.objects.filter(
                account__owner_id=worker.pk, account__kind__in=WORKER_ACCOUNT_KINDS
            ).values_list("pk", flat=True)
        )
        middle, oldest = ids[len(ids) // 2], ids[60]
        cases = [
            ("GET /work/earnings/ (30 days)", "/work/earnings/", {}),
            ("GET /work/earnings/?days=90", "/work/earnings/?days=90", {}),
            ("GET statement, newest page", "/work/earnings/statement/", {}),
            ("GET statement, page in the middle", f"/work/earnings/statement/?before={middle}", {}),
            ("GET statement, oldest page", f"/work/earnings/statement/?before={oldest}", {}),
            (
                "GET /api/v1/me/earnings?days=90",
                "/api/v1/me/earnings?days=90",
                {"HTTP_AUTHORIZATION": f"Bearer {secret}"},
            ),
        ]
        rows = []
        for name, path, headers in cases:
            with counted_queries() as queries:
                status = client.get(path, **headers).status_code
            assert status == 200, (path, status)
            figures = measure(lambda p=path, h=headers: client.get(p, **h), runs=RUNS)
            rows.append((name, figures, f"{queries[0]} queries cold"))

        def cold(path: str) -> None:
            # As after a new posting: the totals cached under the newest entry are gone.
            cache.clear()
            client.get(path)

        for days in (30, 90):
            path = f"/work/earnings/?days={days}"
            rows.append(
                (f"GET {path}, cache emptied", measure(lambda p=path: cold(p), runs=RUNS), "")
            )
        started = time.perf_counter()
        with counted_queries() as queries:
            response = client.get("/work/earnings/statement.csv")
            size = sum(len(chunk) for chunk in response.streaming_content)
        export_seconds = time.perf_counter() - started
        engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        report(
            f"Earnings, a worker with {lines:,} ledger lines "
            f"({len(book.transactions):,} transactions, {len(book.holds):,} holds), "
            f"{engine}, {RUNS} runs per case",
            rows,
        )
        print(
            f"  CSV export of the whole statement: {export_seconds:.2f} s, "
            f"{size / 1e6:.1f} MB, {queries[0]} queries"
        )
        print(f"  ledger written in {written:.1f} s; balances and transactions checked")
        load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
        print(f"  load average (1, 5, 15 min): {load} on {os.cpu_count()} CPUs")
        print(f"  reproduce: {REPRODUCE}")
        print("    (BENCH_EARNING_LINES and BENCH_RUNS change the sizes)")
        assert EarningHold.objects.filter(worker=worker).count() == len(book.holds)
