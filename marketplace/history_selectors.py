"""Reads for the worker's history: every submission of theirs with its decision, evidence,
review deadline and earnings, plus their stops and the companies they may rate.

Everything is filtered on the worker first, so no other worker's rows can appear. A page of
rows costs a fixed number of queries whatever its size.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from accounts.models import User
from annotation.registry import get_interface
from core.durations import format_duration
from core.money import format_money

from .disputes import DISPUTE_WINDOW
from .models import Assignment, Dispute, Project, WorkerStop

HISTORY_STATUSES = (
    Assignment.Status.SUBMITTED,
    Assignment.Status.REVISION,
    Assignment.Status.APPROVED,
    Assignment.Status.REJECTED,
)


def worker_submissions(
    *, worker: User, status: str = "", project_id: int | None = None
) -> QuerySet[Assignment]:
    """The worker's answered assignments, newest first, with what the history shows."""
    queryset = (
        Assignment.objects.filter(worker=worker, status__in=HISTORY_STATUSES)
        .select_related("project", "project__company", "item", "dispute")
        .order_by("-submitted_at", "-pk")
    )
    if status in HISTORY_STATUSES:
        queryset = queryset.filter(status=status)
    if project_id:
        queryset = queryset.filter(project_id=project_id)
    return queryset


def worker_history_projects(*, worker: User) -> list[Project]:
    """The projects the worker has answered in, for the history's project filter."""
    project_ids = (
        Assignment.objects.filter(worker=worker, status__in=HISTORY_STATUSES)
        .order_by()
        .values_list("project_id", flat=True)
        .distinct()
    )
    return list(Project.objects.filter(pk__in=project_ids).order_by("title"))


@dataclass(frozen=True)
class HistoryTotals:
    count: int
    approved: int
    rejected: int
    pending: int
    earned_cents: int
    pending_cents: int
    currency: str

    @property
    def earned_text(self) -> str:
        return format_money(self.earned_cents, self.currency)

    @property
    def pending_text(self) -> str:
        return format_money(self.pending_cents, self.currency)


def history_totals(*, submissions: QuerySet[Assignment], currency: str) -> HistoryTotals:
    """Counts and earnings of the (filtered) submissions in one aggregate query."""
    undecided = Q(status__in=Assignment.UNDECIDED)
    figures = submissions.order_by().aggregate(
        count=Count("pk"),
        approved=Count("pk", filter=Q(status=Assignment.Status.APPROVED)),
        rejected=Count("pk", filter=Q(status=Assignment.Status.REJECTED)),
        pending=Count("pk", filter=undecided),
        earned=Sum("reward_cents", filter=Q(status=Assignment.Status.APPROVED)),
        pending_cents=Sum("reward_cents", filter=undecided),
    )
    return HistoryTotals(
        count=figures["count"],
        approved=figures["approved"],
        rejected=figures["rejected"],
        pending=figures["pending"],
        earned_cents=figures["earned"] or 0,
        pending_cents=figures["pending_cents"] or 0,
        currency=currency,
    )


@dataclass
class HistoryRow:
    """One submission as its worker sees it."""

    assignment: Assignment
    answer_text: str
    expected_text: str  # the gold answer, only when the project shows gold feedback
    now: datetime.datetime

    @property
    def project(self) -> Project:
        return self.assignment.project

    @property
    def status(self) -> str:
        return self.assignment.status

    @property
    def is_undecided(self) -> bool:
        return self.assignment.status in Assignment.UNDECIDED

    @property
    def earnings_text(self) -> str:
        """The reward when approved, "Pending" while undecided, nothing when rejected."""
        if self.assignment.status == Assignment.Status.APPROVED:
            return format_money(self.assignment.reward_cents, self.project.currency)
        if self.is_undecided:
            return "Pending"
        return format_money(0, self.project.currency)

    @property
    def reward_text(self) -> str:
        return format_money(self.assignment.reward_cents, self.project.currency)

    @property
    def reason_label(self) -> str:
        return self.assignment.get_reject_reason_display() if self.assignment.reject_reason else ""

    @property
    def dispute(self) -> Dispute | None:
        return getattr(self.assignment, "dispute", None)

    @property
    def dispute_deadline(self) -> datetime.datetime | None:
        reviewed_at = self.assignment.reviewed_at
        return reviewed_at + DISPUTE_WINDOW if reviewed_at else None

    @property
    def can_dispute(self) -> bool:
        """Rejected, not disputed yet, and still within the window (disputes.py enforces it)."""
        deadline = self.dispute_deadline
        return (
            self.assignment.status == Assignment.Status.REJECTED
            and self.assignment.reject_reason != Assignment.RejectReason.FRAUD
            and self.dispute is None
            and deadline is not None
            and self.now < deadline
        )

    @property
    def can_revise(self) -> bool:
        return self.assignment.status == Assignment.Status.REVISION

    @property
    def time_text(self) -> str:
        seconds = self.assignment.work_seconds
        return format_duration(seconds) if seconds is not None else ""

    @property
    def min_time_text(self) -> str:
        seconds = self.project.min_work_seconds
        return format_duration(seconds) if seconds else ""

    @property
    def gold_result(self) -> str:
        """passed, partial, failed or "" for the worker's own answered gold item."""
        score = self.assignment.gold_score
        if not self.assignment.is_gold or score is None:
            return ""
        if score >= 1:
            return "passed"
        return "partial" if score > 0 else "failed"

    @property
    def agreement_percent(self) -> int | None:
        agreement = self.assignment.agreement
        return None if agreement is None else round(agreement * 100)


def history_rows(*, assignments, now: datetime.datetime | None = None) -> list[HistoryRow]:
    """Rows for a page of the worker's submissions (no queries beyond the page's own)."""
    now = now or timezone.now()
    rows = []
    for assignment in assignments:
        project = assignment.project
        interface = get_interface(project.interface)
        answer = assignment.answer if isinstance(assignment.answer, dict) else {}
        expected = ""
        # The expected answer of a gold item the worker already answered, as after submit.
        if (
            assignment.is_gold
            and project.show_gold_feedback
            and assignment.gold_score is not None
            and isinstance(assignment.item.gold_answer, dict)
        ):
            expected = interface.describe_answer(assignment.item.gold_answer, project.label_schema)
        rows.append(
            HistoryRow(
                assignment=assignment,
                answer_text=interface.describe_answer(answer, project.label_schema),
                expected_text=expected,
                now=now,
            )
        )
    return rows


def worker_stops(*, worker: User) -> QuerySet[WorkerStop]:
    """The worker's active quality-control stops, with any appeal."""
    return (
        WorkerStop.objects.filter(worker=worker, lifted_at__isnull=True)
        .select_related("project", "project__company", "appeal")
        .order_by("-created_at")
    )


def worker_active_stop(*, worker: User, project_id: int) -> WorkerStop | None:
    return worker_stops(worker=worker).filter(project_id=project_id).first()


def worker_revision(*, worker: User, assignment_id: int) -> Assignment | None:
    """The worker's own submission waiting for their revision."""
    return (
        Assignment.objects.filter(
            pk=assignment_id, worker=worker, status=Assignment.Status.REVISION
        )
        .select_related("project", "project__company", "item")
        .first()
    )


def worker_submission(*, worker: User, assignment_id: int) -> Assignment | None:
    return (
        Assignment.objects.filter(pk=assignment_id, worker=worker, status__in=HISTORY_STATUSES)
        .select_related("project", "project__company", "item", "dispute")
        .first()
    )
