"""Reads of a worker's money, shared by the earnings pages, the CSV statement and the API.

Everything here is scoped to one worker: their four ledger accounts (pending, available, in
transit, and what they owe the platform) found by owner id, their earning holds and their
payout lines. Nothing reads another worker's rows.

Every read is bounded in queries and, where it can be, in rows, for a worker with hundreds
of thousands of ledger lines: statement pages are keyset pages read per account along the
`ledger_entry_account` index on (account, id), the daily series starts from the first entry
of its window, and the CSV export streams the accounts merged in id order, chunk by chunk.
"""

import datetime
import heapq
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Case, F, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from core.money import platform_currency

from .models import EarningHold, LedgerAccount, LedgerEntry, LedgerTransaction

AccountKind = LedgerAccount.Kind
TxKind = LedgerTransaction.Kind

# Transactions that earn a worker money, and the one that takes earnings back.
EARNING_KINDS = (TxKind.APPROVAL, TxKind.BONUS, TxKind.TEST_PAYMENT, TxKind.PAY_FLOOR)
EARNING_CHANGE_KINDS = (*EARNING_KINDS, TxKind.REVERSAL)
# Transactions that move money between the worker's accounts and their bank.
PAYOUT_KINDS = (TxKind.PAYOUT_PAID, TxKind.PAYOUT_RETURNED)
WORKER_ACCOUNT_KINDS = (
    AccountKind.WORKER_PENDING,
    AccountKind.WORKER_AVAILABLE,
    AccountKind.WORKER_IN_TRANSIT,
    AccountKind.PLATFORM_RECEIVABLE,
)
# How each account is named on the worker's statement. All four are signed alike: a positive
# amount is money for the worker. The receivable's balance is minus what the worker owes.
ACCOUNT_LABELS = {
    AccountKind.WORKER_PENDING: "Pending",
    AccountKind.WORKER_AVAILABLE: "Available",
    AccountKind.WORKER_IN_TRANSIT: "In transit",
    AccountKind.PLATFORM_RECEIVABLE: "Owed to Loopwork",
}
SERIES_DAYS = (30, 90)
# Totals over a worker's whole history are cached under their newest entry id (see
# WorkerAccounts.last_entry_id), so a new posting simply makes a new key.
CACHE_SECONDS = 24 * 3600
STATEMENT_PAGE_SIZE = 50
CSV_CHUNK = 2000
# The daily series finds where its window starts in the entry ids from the first
# transaction created after the window's start minus this margin: ids follow creation
# times closely but not exactly when postings run concurrently.
ID_MARGIN = datetime.timedelta(hours=1)
# Earnings that came with measured work time: approvals and their pay-floor top-ups, and
# the reversals of approvals (which carry the approval's "assignment:" reference).
TIMED = Q(transaction__work_seconds__isnull=False) | Q(
    transaction__kind=TxKind.REVERSAL, transaction__reference__startswith="assignment:"
)


@dataclass(frozen=True)
class WorkerAccounts:
    """A worker's ledger accounts in one currency (those never used are absent)."""

    worker_id: int
    currency: str
    by_kind: dict[str, LedgerAccount]

    @property
    def ids(self) -> list[int]:
        return [account.pk for account in self.by_kind.values()]

    def balance(self, kind: str) -> int:
        account = self.by_kind.get(kind)
        return account.balance_cents if account is not None else 0

    def kind_of(self, account_id: int) -> str:
        return next(kind for kind, account in self.by_kind.items() if account.pk == account_id)

    @property
    def last_entry_id(self) -> int:
        """The newest entry on any of the accounts. Entries are append-only, so everything
        summed over entries up to this id is final: it is the key of the cached totals."""
        return max((account.last_entry or 0 for account in self.by_kind.values()), default=0)

    def cache_key(self, name: str, *parts) -> str:
        return ":".join(
            str(part)
            for part in (
                "earnings",
                name,
                self.worker_id,
                self.currency,
                self.last_entry_id,
                *parts,
            )
        )


def worker_accounts(*, worker_id: int, currency: str = "") -> WorkerAccounts:
    """The worker's accounts with their cached balances and newest entry ids; one query."""
    currency = currency or platform_currency()
    newest = LedgerEntry.objects.filter(account_id=OuterRef("pk")).order_by("-pk").values("pk")[:1]
    accounts = LedgerAccount.objects.filter(
        owner_id=worker_id, kind__in=WORKER_ACCOUNT_KINDS, currency=currency
    ).annotate(last_entry=Subquery(newest))
    return WorkerAccounts(worker_id, currency, {account.kind: account for account in accounts})


@dataclass(frozen=True)
class PendingRelease:
    """Pending earnings that become available on one day."""

    date: datetime.date
    amount_cents: int


@dataclass(frozen=True)
class ProjectEarnings:
    """What a worker earned from one source (a project, a test, bonuses), net of reversals."""

    source_key: str
    label: str
    earned_cents: int
    lines: int
    timed_cents: int  # the part of earned_cents that came with measured work time
    work_seconds: int
    hourly_cents: int | None


@dataclass(frozen=True)
class DailyEarning:
    date: datetime.date
    earned_cents: int


@dataclass
class EarningsSummary:
    """The figures at the top of the earnings page and of the API's answer."""

    currency: str
    available_cents: int
    pending_cents: int
    in_transit_cents: int
    receivable_cents: int  # what the worker owes, as a positive amount
    paid_this_month_cents: int
    paid_all_time_cents: int
    earned_all_time_cents: int
    work_seconds: int
    hourly_cents: int | None
    releases: list[PendingRelease] = field(default_factory=list)
    by_project: list[ProjectEarnings] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        """True for a worker whose ledger has never moved."""
        return not (
            self.available_cents
            or self.pending_cents
            or self.in_transit_cents
            or self.receivable_cents
            or self.paid_all_time_cents
            or self.by_project
        )


def _hourly(earned_cents: int, work_seconds: int) -> int | None:
    """Cents per hour, rounded down; None without measured time."""
    if work_seconds <= 0:
        return None
    return max(earned_cents, 0) * 3600 // work_seconds


def pending_releases(*, worker_id: int, currency: str = "") -> list[PendingRelease]:
    """Unreleased holds summed by the day they become available, soonest first; one query."""
    currency = currency or platform_currency()
    rows = (
        EarningHold.objects.filter(worker_id=worker_id, currency=currency, released_by__isnull=True)
        .annotate(day=TruncDate("release_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(amount=Sum(F("amount_cents") - F("reversed_cents")))
        .order_by("day")
    )
    return [PendingRelease(row["day"], row["amount"]) for row in rows if row["amount"]]


@dataclass(frozen=True)
class _Totals:
    by_project: list[ProjectEarnings]
    paid_this_month_cents: int
    paid_all_time_cents: int


def _totals(*, accounts: WorkerAccounts, now: datetime.datetime) -> _Totals:
    """Earnings by source and payouts, in one pass over the worker's entries (one query;
    none when the worker's ledger has not moved since the last read, see CACHE_SECONDS).

    Earnings are net of reversals; the hourly rate counts only earnings that carry measured
    work time, over that time. Paid out is what left the worker's accounts for their bank:
    payouts paid, less payouts that came back after they were paid (a payout that failed
    before it was sent moves nothing out, so it nets to zero here).
    """
    if not accounts.ids:
        return _Totals([], 0, 0)
    month_start = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    key = accounts.cache_key("totals", f"{month_start:%Y%m}")
    cached = cache.get(key)
    if cached is not None:
        return cached
    totals = _totals_read(accounts=accounts, month_start=month_start)
    cache.set(key, totals, CACHE_SECONDS)
    return totals


def _totals_read(*, accounts: WorkerAccounts, month_start: datetime.datetime) -> _Totals:
    earning = Q(transaction__kind__in=EARNING_CHANGE_KINDS)
    paying = Q(transaction__kind__in=PAYOUT_KINDS)
    rows = (
        LedgerEntry.objects.filter(account_id__in=accounts.ids, pk__lte=accounts.last_entry_id)
        .filter(earning | paying)
        .values("transaction__source_key", "transaction__source_label")
        .annotate(
            earned=Sum("amount_cents", filter=earning),
            lines=Sum(
                Case(
                    When(transaction__kind__in=EARNING_KINDS, then=Value(1)),
                    default=Value(0),
                    output_field=IntegerField(),
                )
            ),
            timed=Coalesce(Sum("amount_cents", filter=TIMED), Value(0)),
            # A pay-floor top-up carries the time of its approval: count the time once.
            seconds=Coalesce(
                Sum("transaction__work_seconds", filter=Q(transaction__kind=TxKind.APPROVAL)),
                Value(0),
            ),
            paid=Coalesce(Sum("amount_cents", filter=paying), Value(0)),
            paid_month=Coalesce(
                Sum("amount_cents", filter=paying & Q(transaction__created_at__gte=month_start)),
                Value(0),
            ),
        )
    )
    # One source may carry several labels over time (a renamed project): the key decides.
    merged: dict[str, dict] = {}
    paid = paid_month = 0
    for row in rows:
        paid -= row["paid"]
        paid_month -= row["paid_month"]
        if row["earned"] is None:
            continue
        key = row["transaction__source_key"] or "other"
        entry = merged.setdefault(
            key, {"label": "", "earned": 0, "lines": 0, "timed": 0, "seconds": 0}
        )
        entry["label"] = entry["label"] or row["transaction__source_label"]
        for name in ("earned", "lines", "timed", "seconds"):
            entry[name] += row[name] or 0
    by_project = [
        ProjectEarnings(
            source_key=key,
            label=values["label"] or "Other earnings",
            earned_cents=values["earned"],
            lines=values["lines"],
            timed_cents=values["timed"],
            work_seconds=values["seconds"],
            hourly_cents=_hourly(values["timed"], values["seconds"]),
        )
        for key, values in merged.items()
    ]
    by_project.sort(key=lambda item: (-item.earned_cents, item.label))
    return _Totals(by_project, paid_month, paid)


def earnings_summary(
    *, accounts: WorkerAccounts, now: datetime.datetime | None = None
) -> EarningsSummary:
    """Balances, pending releases by day, payouts, earnings by source and the hourly rate.

    Two queries whatever the size of the worker's ledger (the accounts are read already),
    one when the totals are cached.
    """
    now = now or timezone.now()
    totals = _totals(accounts=accounts, now=now)
    by_project = totals.by_project
    timed = sum(item.timed_cents for item in by_project)
    seconds = sum(item.work_seconds for item in by_project)
    return EarningsSummary(
        currency=accounts.currency,
        available_cents=accounts.balance(AccountKind.WORKER_AVAILABLE),
        pending_cents=accounts.balance(AccountKind.WORKER_PENDING),
        in_transit_cents=accounts.balance(AccountKind.WORKER_IN_TRANSIT),
        receivable_cents=-accounts.balance(AccountKind.PLATFORM_RECEIVABLE),
        paid_this_month_cents=totals.paid_this_month_cents,
        paid_all_time_cents=totals.paid_all_time_cents,
        earned_all_time_cents=sum(item.earned_cents for item in by_project),
        work_seconds=seconds,
        hourly_cents=_hourly(timed, seconds),
        releases=pending_releases(worker_id=accounts.worker_id, currency=accounts.currency),
        by_project=by_project,
    )


def series_days(value) -> int | None:
    """The number of days of the daily series `value` asks for, or None when it is not one."""
    try:
        days = int(value)
    except (TypeError, ValueError):
        return None
    return days if days in SERIES_DAYS else None


def daily_earnings(
    *, accounts: WorkerAccounts, days: int, now: datetime.datetime | None = None
) -> list[DailyEarning]:
    """Net earnings per day for the last `days` days (today included), zero days included.

    Two queries: where the window starts in the entry ids, then the sums from there along
    the (account, id) index; none when cached for today and the worker's newest entry.
    """
    now = timezone.localtime(now or timezone.now())
    today = now.date()
    first_day = today - datetime.timedelta(days=days - 1)
    since = now.replace(hour=0, minute=0, second=0, microsecond=0) - datetime.timedelta(
        days=days - 1
    )
    totals: dict[datetime.date, int] = {}
    key = accounts.cache_key("daily", days, today.isoformat())
    cached = cache.get(key) if accounts.ids else None
    if cached is not None:
        totals = cached
    elif accounts.ids:
        first_tx = (
            LedgerTransaction.objects.filter(created_at__gte=since - ID_MARGIN)
            .order_by("created_at")
            .values_list("pk", flat=True)[:1]
        )
        start_entry = (
            LedgerEntry.objects.filter(transaction_id__in=Subquery(first_tx))
            .order_by("pk")
            .values_list("pk", flat=True)
            .first()
        )
        if start_entry is not None:
            rows = (
                LedgerEntry.objects.filter(
                    account_id__in=accounts.ids,
                    pk__gte=start_entry,
                    pk__lte=accounts.last_entry_id,
                    transaction__created_at__gte=since,
                    transaction__kind__in=EARNING_CHANGE_KINDS,
                )
                .annotate(
                    day=TruncDate("transaction__created_at", tzinfo=timezone.get_current_timezone())
                )
                .values("day")
                .annotate(earned=Sum("amount_cents"))
            )
            totals = {row["day"]: row["earned"] for row in rows}
        cache.set(key, totals, CACHE_SECONDS)
    return [
        DailyEarning(day, totals.get(day, 0))
        for day in (first_day + datetime.timedelta(days=n) for n in range(days))
    ]


@dataclass(frozen=True)
class StatementLine:
    """One ledger entry on one of the worker's accounts, as the worker reads it.

    `amount_cents` is the change to the worker's money on that account; `balance_cents` is
    the account's balance right after it (for the receivable, minus what they then owe).
    """

    entry_id: int
    transaction_id: int
    created_at: datetime.datetime
    account_kind: str
    account_label: str
    kind: str
    reason: str
    description: str
    source_label: str  # the project, test or company the line is for, when there is one
    reference: str
    link: str
    amount_cents: int
    balance_cents: int
    currency: str


@dataclass(frozen=True)
class StatementPage:
    lines: list[StatementLine]
    older_cursor: int | None  # pass as `before` for the next (older) page
    newer_cursor: int | None  # pass as `after` for the previous (newer) page


REASONS = dict(TxKind.choices)
# What a statement line reads of an entry and its transaction (plain rows: a CSV of 100,000
# lines builds no model instances).
LINE_FIELDS = (
    "pk",
    "account_id",
    "amount_cents",
    "transaction_id",
    "transaction__created_at",
    "transaction__kind",
    "transaction__description",
    "transaction__reference",
    "transaction__link",
    "transaction__currency",
    "transaction__source_label",
)


def _line(entry, kind: str, balance: int) -> StatementLine:
    return StatementLine(
        entry_id=entry.pk,
        transaction_id=entry.transaction_id,
        created_at=entry.transaction__created_at,
        account_kind=kind,
        account_label=ACCOUNT_LABELS[kind],
        kind=entry.transaction__kind,
        reason=REASONS.get(entry.transaction__kind, entry.transaction__kind),
        description=entry.transaction__description,
        source_label=entry.transaction__source_label,
        reference=entry.transaction__reference,
        link=entry.transaction__link,
        amount_cents=entry.amount_cents,
        balance_cents=balance,
        currency=entry.transaction__currency,
    )


def _entries(account_id: int):
    return LedgerEntry.objects.filter(account_id=account_id).values_list(*LINE_FIELDS, named=True)


def statement_page(
    *,
    accounts: WorkerAccounts,
    before: int | None = None,
    after: int | None = None,
    size: int = STATEMENT_PAGE_SIZE,
) -> StatementPage:
    """One page of the statement, newest first: entries older than `before`, or the page of
    entries just newer than `after`, or the newest page.

    One query per account (each an index range scan on (account, id), so the cost does not
    grow with the ledger) plus one for the balances after the page.
    """
    if not accounts.ids:
        return StatementPage([], None, None)
    newest_first = after is None
    picked: list = []
    for account_id in accounts.ids:
        entries = _entries(account_id)
        if after is not None:
            entries = entries.filter(pk__gt=after).order_by("pk")
        else:
            if before is not None:
                entries = entries.filter(pk__lt=before)
            entries = entries.order_by("-pk")
        picked.extend(entries[: size + 1])
    picked.sort(key=lambda entry: entry.pk, reverse=newest_first)
    more = len(picked) > size
    picked = picked[:size]
    if not newest_first:
        picked.reverse()
    if not picked:
        return StatementPage([], None, None)
    top = picked[0].pk
    # Each account's balance just after the newest line of the page, read in one statement
    # with its cached balance, so a posting in between cannot skew them.
    newer = (
        LedgerEntry.objects.filter(account_id=OuterRef("pk"), pk__gt=top)
        .values("account_id")
        .annotate(total=Sum("amount_cents"))
        .values("total")
    )
    balances = dict(
        LedgerAccount.objects.filter(pk__in=accounts.ids)
        .annotate(newer=Coalesce(Subquery(newer), Value(0)))
        .values_list("pk", F("balance_cents") - F("newer"))
    )
    lines = []
    for entry in picked:
        kind = accounts.kind_of(entry.account_id)
        balance = balances[entry.account_id]
        lines.append(_line(entry, kind, balance))
        balances[entry.account_id] = balance - entry.amount_cents
    has_older = more if newest_first else True
    has_newer = (before is not None) if newest_first else more
    return StatementPage(
        lines,
        older_cursor=picked[-1].pk if has_older else None,
        newer_cursor=picked[0].pk if has_newer else None,
    )


def _account_stream(account_id: int) -> Iterator:
    last = 0
    while True:
        chunk = list(_entries(account_id).filter(pk__gt=last).order_by("pk")[:CSV_CHUNK])
        yield from chunk
        if len(chunk) < CSV_CHUNK:
            return
        last = chunk[-1].pk


def statement_all(*, accounts: WorkerAccounts) -> Iterator[StatementLine]:
    """Every line of the statement, oldest first, with running balances from zero.

    Reads each account in chunks along its index and merges them by id, so memory holds a
    chunk per account whatever the size of the ledger.
    """
    streams = [_account_stream(account_id) for account_id in accounts.ids]
    balances = dict.fromkeys(accounts.ids, 0)
    kinds = {account_id: accounts.kind_of(account_id) for account_id in accounts.ids}
    for entry in heapq.merge(*streams, key=lambda entry: entry.pk):
        balances[entry.account_id] += entry.amount_cents
        yield _line(entry, kinds[entry.account_id], balances[entry.account_id])
