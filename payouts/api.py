"""API: a worker's own earnings (the same figures as /work/earnings/), at GET /api/v1/me/earnings.

Thin: payouts/selectors.py reads, always for the token's own user; amounts are integer minor
units with the currency beside them.
"""

import datetime

from ninja import Field, Query, Router, Schema

from core.errors import LoopworkError

from .selectors import (
    daily_earnings,
    earnings_summary,
    series_days,
    statement_page,
    worker_accounts,
)

router = Router(tags=["earnings"])

MAX_LIMIT = 200


class ErrorDetail(Schema):
    code: str
    message: str
    field: str | None = None


class ErrorOut(Schema):
    error: ErrorDetail


class PendingReleaseOut(Schema):
    available_on: datetime.date = Field(..., description="The day these earnings become available.")
    amount_cents: int


class ProjectEarningsOut(Schema):
    source: str = Field(..., description='What the earnings came from, e.g. "project:12".')
    label: str
    earned_cents: int = Field(..., description="Net of reversals.")
    payments: int
    work_seconds: int
    hourly_cents: int | None = Field(..., description="Per hour of measured work time.")


class DayOut(Schema):
    date: datetime.date
    earned_cents: int


class DailyOut(Schema):
    days: int
    series: list[DayOut]


class StatementLineOut(Schema):
    id: int = Field(..., description="The ledger entry's id; pages are cut at these.")
    created_at: datetime.datetime
    account: str = Field(
        ...,
        description="worker_pending, worker_available, worker_in_transit or "
        "platform_receivable (what you owe).",
    )
    kind: str
    reason: str
    description: str
    reference: str
    link: str
    amount_cents: int = Field(
        ..., description="The change to your money (negative when money left or you owe more)."
    )
    balance_cents: int = Field(..., description="The account's balance right after this line.")


class StatementOut(Schema):
    lines: list[StatementLineOut]
    next_cursor: int | None = Field(
        ..., description="Pass as `cursor` for the next (older) page; null on the last page."
    )


class EarningsOut(Schema):
    currency: str
    available_cents: int
    pending_cents: int
    in_transit_cents: int
    receivable_cents: int = Field(..., description="What you owe after a reversal, if anything.")
    paid_this_month_cents: int
    paid_all_time_cents: int
    earned_all_time_cents: int
    work_seconds: int
    hourly_cents: int | None
    pending: list[PendingReleaseOut]
    by_project: list[ProjectEarningsOut]
    daily: DailyOut
    statement: StatementOut


@router.get(
    "earnings",
    summary="My earnings, payouts and statement",
    description=(
        "The calling worker's balances (available, pending with the day each amount becomes "
        "available, in transit, owed), payouts this month and all time, earnings by project "
        "with the hourly rate, a daily series of `days` (30 or 90) days, and one page of the "
        "statement, newest first: pass the previous answer's `statement.next_cursor` as "
        "`cursor` for the next page. 403 `not_a_worker` for other accounts; 422 "
        "`invalid_input` for a `days`, `cursor` or `limit` out of range."
    ),
    response={200: EarningsOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
)
def my_earnings(
    request,
    days: int = Query(30, description="30 or 90 (the days of the daily series).", example=90),
    cursor: int | None = Query(None, ge=1, le=2**63 - 1),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
):
    user = request.user
    if not user.is_worker:
        raise LoopworkError("Only worker accounts have earnings.", code="not_a_worker", status=403)
    if series_days(days) is None:
        raise LoopworkError("Choose 30 or 90 days.", code="invalid_input", field="days", status=422)
    accounts = worker_accounts(worker_id=user.pk)
    summary = earnings_summary(accounts=accounts)
    page = statement_page(accounts=accounts, before=cursor, size=limit)
    return {
        "currency": summary.currency,
        "available_cents": summary.available_cents,
        "pending_cents": summary.pending_cents,
        "in_transit_cents": summary.in_transit_cents,
        "receivable_cents": summary.receivable_cents,
        "paid_this_month_cents": summary.paid_this_month_cents,
        "paid_all_time_cents": summary.paid_all_time_cents,
        "earned_all_time_cents": summary.earned_all_time_cents,
        "work_seconds": summary.work_seconds,
        "hourly_cents": summary.hourly_cents,
        "pending": [
            {"available_on": release.date, "amount_cents": release.amount_cents}
            for release in summary.releases
        ],
        "by_project": [
            {
                "source": item.source_key,
                "label": item.label,
                "earned_cents": item.earned_cents,
                "payments": item.lines,
                "work_seconds": item.work_seconds,
                "hourly_cents": item.hourly_cents,
            }
            for item in summary.by_project
        ],
        "daily": {
            "days": days,
            "series": [
                {"date": day.date, "earned_cents": day.earned_cents}
                for day in daily_earnings(accounts=accounts, days=days)
            ],
        },
        "statement": {
            "lines": [
                {
                    "id": line.entry_id,
                    "created_at": line.created_at,
                    "account": line.account_kind,
                    "kind": line.kind,
                    "reason": line.reason,
                    "description": line.description,
                    "reference": line.reference,
                    "link": line.link,
                    "amount_cents": line.amount_cents,
                    "balance_cents": line.balance_cents,
                }
                for line in page.lines
            ],
            "next_cursor": page.older_cursor,
        },
    }
