"""The worker's earnings under /work/earnings/: the figures, the daily chart, earnings by
project, the full statement page by page, and the statement as a streamed CSV.

Thin: payouts/selectors.py reads, always for `request.user` only, so no id in a URL can
reach another worker's money. This module turns the reads into what the templates show
(formatted amounts, the chart's geometry) and the CSV's rows.
"""

import csv
import datetime
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from core.access import worker_required
from core.money import format_money, to_decimal

from .models import LedgerAccount
from .selectors import (
    SERIES_DAYS,
    DailyEarning,
    StatementLine,
    daily_earnings,
    earnings_summary,
    series_days,
    statement_all,
    statement_page,
    worker_accounts,
)

RECENT_LINES = 10
# The chart's drawing box (SVG user units); the bars share its width.
CHART_WIDTH = 720
CHART_HEIGHT = 200
CHART_TOP = 24  # room above the tallest bar for its figure
CSV_HEADER = [
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
# A cell that starts with one of these may run as a formula in a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cursor(value) -> int | None:
    """A statement cursor (an entry id) from the query string; anything else means none."""
    if isinstance(value, str) and value.isdigit() and len(value) < 19:
        return int(value) or None
    return None


def _line_row(line: StatementLine) -> dict:
    """A statement line with its amounts as people read them."""
    if line.account_kind == LedgerAccount.Kind.PLATFORM_RECEIVABLE:
        owed = -line.balance_cents
        balance_text = (
            f"You owe {format_money(owed, line.currency)}" if owed > 0 else "Nothing owed"
        )
    else:
        balance_text = format_money(line.balance_cents, line.currency)
    sign = "+" if line.amount_cents > 0 else "\N{MINUS SIGN}"
    return {
        "line": line,
        "amount_text": f"{sign}{format_money(abs(line.amount_cents), line.currency)}",
        "is_credit": line.amount_cents > 0,
        "balance_text": balance_text,
    }


def daily_chart(days: list[DailyEarning], currency: str) -> dict:
    """The geometry of the daily bar chart, drawn by the template as SVG."""
    peak = max((day.earned_cents for day in days), default=0)
    slot = CHART_WIDTH / len(days)
    gap = 1 if len(days) > 45 else 2
    drawable = CHART_HEIGHT - CHART_TOP
    bars = []
    for position, day in enumerate(days):
        height = drawable * max(day.earned_cents, 0) / peak if peak > 0 else 0
        # A day with earnings always shows at least a sliver.
        if day.earned_cents > 0:
            height = max(height, 2)
        bars.append(
            {
                "x": f"{position * slot + gap / 2:.1f}",
                "y": f"{CHART_HEIGHT - height:.1f}",
                "width": f"{slot - gap:.1f}",
                "height": f"{height:.1f}",
                "date": day.date,
                "amount_text": format_money(day.earned_cents, currency),
                "earned_cents": day.earned_cents,
            }
        )
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "bars": bars,
        "peak_text": format_money(peak, currency),
        "total_text": format_money(sum(day.earned_cents for day in days), currency),
        "active_days": sum(1 for day in days if day.earned_cents),
        "first": days[0].date,
        "last": days[-1].date,
    }


@worker_required
@require_GET
def earnings(request):
    """The worker's balances, pending releases, payouts, chart, projects and latest lines."""
    days = series_days(request.GET.get("days")) or SERIES_DAYS[0]
    now = timezone.now()
    accounts = worker_accounts(worker_id=request.user.pk)
    summary = earnings_summary(accounts=accounts, now=now)
    recent = statement_page(accounts=accounts, size=RECENT_LINES)
    currency = summary.currency
    return render(
        request,
        "payouts/earnings.html",
        {
            "summary": summary,
            "money": {
                name: format_money(getattr(summary, f"{name}_cents"), currency)
                for name in (
                    "available",
                    "pending",
                    "in_transit",
                    "receivable",
                    "paid_this_month",
                    "paid_all_time",
                    "earned_all_time",
                )
            },
            "hourly_text": format_money(summary.hourly_cents, currency)
            if summary.hourly_cents is not None
            else "",
            "hours_text": _hours(summary.work_seconds),
            "releases": [
                {"date": release.date, "amount_text": format_money(release.amount_cents, currency)}
                for release in summary.releases
            ],
            "projects": [
                {
                    "item": item,
                    "earned_text": format_money(item.earned_cents, currency),
                    "hourly_text": format_money(item.hourly_cents, currency)
                    if item.hourly_cents is not None
                    else "",
                    "hours_text": _hours(item.work_seconds),
                }
                for item in summary.by_project
            ],
            "days": days,
            "day_choices": SERIES_DAYS,
            "chart": daily_chart(daily_earnings(accounts=accounts, days=days, now=now), currency),
            "recent": [_line_row(line) for line in recent.lines],
            "has_more_lines": recent.older_cursor is not None,
            "month_name": timezone.localtime(now).strftime("%B"),
            "hold_days": settings.EARNINGS_HOLD_DAYS,
        },
    )


def _hours(seconds: int) -> str:
    if not seconds:
        return ""
    if seconds < 3600:
        return f"{max(seconds // 60, 1)} min"
    return f"{seconds / 3600:.1f} h"


@worker_required
@require_GET
def statement(request):
    """Every ledger line on the worker's accounts, newest first, 50 a page (keyset pages)."""
    accounts = worker_accounts(worker_id=request.user.pk)
    before = _cursor(request.GET.get("before"))
    after = _cursor(request.GET.get("after"))
    page = statement_page(accounts=accounts, before=before, after=after)
    return render(
        request,
        "payouts/earnings_statement.html",
        {
            "rows": [_line_row(line) for line in page.lines],
            "page": page,
            "is_first_page": before is None and after is None,
        },
    )


class Echo:
    """A file-like object whose write returns the line, for csv.writer into a stream."""

    def write(self, value: str) -> str:
        return value


def _neutralise(cell: str) -> str:
    """A text cell a spreadsheet shows as text, never runs as a formula (CSV injection)."""
    if cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def statement_csv_rows(lines: Iterable[StatementLine]) -> Iterator[list[str]]:
    """The CSV's rows: amounts as plain decimal numbers, text cells neutralised."""
    yield CSV_HEADER
    for line in lines:
        yield [
            line.created_at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            line.account_label,
            _neutralise(line.reason),
            _neutralise(line.description),
            _neutralise(line.source_label),
            str(to_decimal(line.amount_cents, line.currency)),
            str(to_decimal(line.balance_cents, line.currency)),
            line.currency,
            _neutralise(line.reference),
            _neutralise(line.link),
        ]


@worker_required
@require_GET
def statement_export(request):
    """The full statement as CSV, oldest first with running balances, streamed."""
    accounts = worker_accounts(worker_id=request.user.pk)
    writer = csv.writer(Echo())
    rows = statement_csv_rows(statement_all(accounts=accounts))
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="loopwork-statement-{stamp}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response
