"""Reads for the company's review pages: a project's submissions with filters, and one
submission with its audit history.

The caller scopes the project to the reviewer's company first. Workers appear under their
per-company pseudonym only. A page of rows costs a fixed number of queries whatever its size.
"""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from annotation.registry import get_interface
from core.durations import format_duration
from core.money import format_money

from .models import Assignment, Project, ReviewDecision
from .selectors import item_preview, worker_pseudonym

REVIEWABLE = (
    Assignment.Status.SUBMITTED,
    Assignment.Status.REVISION,
    Assignment.Status.APPROVED,
    Assignment.Status.REJECTED,
)
# Agreement with the item's aggregated answer, in bands a reviewer can filter on.
AGREEMENT_BANDS = {
    "high": ("High (80% or more)", Q(agreement__gte=0.8)),
    "medium": ("Medium (50% to 80%)", Q(agreement__gte=0.5, agreement__lt=0.8)),
    "low": ("Low (under 50%)", Q(agreement__lt=0.5)),
    "unknown": ("Not known yet", Q(agreement__isnull=True)),
}
GOLD_RESULTS = {
    "passed": ("Passed", Q(is_gold=True, gold_score__gte=1)),
    "failed": ("Failed", Q(is_gold=True, gold_score__lt=1)),
}
# A pseudonym filter is matched against this many of the project's workers at most.
PSEUDONYM_SCAN_LIMIT = 20_000


@dataclass(frozen=True)
class SubmissionFilters:
    """What the review list is narrowed to; every field is optional."""

    worker: str = ""
    item: str = ""
    status: str = ""
    gold: str = ""
    agreement: str = ""
    too_fast: bool = False


def worker_ids_for_pseudonym(*, project: Project, pseudonym: str) -> list[int]:
    """The ids of the project's workers shown under `pseudonym` (none for an unknown one).

    Pseudonyms are one-way, so they are computed for the project's workers and compared.
    """
    pseudonym = pseudonym.strip().upper()
    if not pseudonym.startswith("W-"):
        pseudonym = "W-" + pseudonym
    worker_ids = (
        Assignment.objects.filter(project=project, status__in=REVIEWABLE)
        .order_by()
        .values_list("worker_id", flat=True)
        .distinct()[:PSEUDONYM_SCAN_LIMIT]
    )
    return [
        worker_id
        for worker_id in worker_ids
        if worker_pseudonym(company_id=project.company_id, worker_id=worker_id).upper() == pseudonym
    ]


def _item_filter(text: str) -> Q:
    """An item by its id ("12" or "#12") or by the company's own id."""
    text = text.strip()
    number = text.lstrip("#")
    if number.isdigit():
        return Q(item_id=int(number)) | Q(item__external_id=text)
    return Q(item__external_id=text)


def project_submissions(
    *, project: Project, filters: SubmissionFilters | None = None
) -> QuerySet[Assignment]:
    """The project's answered assignments, newest submission first, narrowed by `filters`."""
    filters = filters or SubmissionFilters()
    queryset = (
        Assignment.objects.filter(project=project, status__in=REVIEWABLE)
        .select_related("item")
        .order_by("-submitted_at", "-pk")
    )
    if filters.status in REVIEWABLE:
        queryset = queryset.filter(status=filters.status)
    if filters.worker:
        queryset = queryset.filter(
            worker_id__in=worker_ids_for_pseudonym(project=project, pseudonym=filters.worker)
        )
    if filters.item:
        queryset = queryset.filter(_item_filter(filters.item))
    if filters.gold in GOLD_RESULTS:
        queryset = queryset.filter(GOLD_RESULTS[filters.gold][1])
    if filters.agreement in AGREEMENT_BANDS:
        queryset = queryset.filter(AGREEMENT_BANDS[filters.agreement][1])
    if filters.too_fast:
        queryset = queryset.filter(is_too_fast=True)
    return queryset


def submission_counts(*, project: Project) -> dict[str, int]:
    """Answered assignments of the project by status, for the tabs above the list."""
    counts = dict.fromkeys(REVIEWABLE, 0)
    rows = (
        Assignment.objects.filter(project=project, status__in=REVIEWABLE)
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    for status, count in rows:
        counts[status] = count
    return counts


def agreement_band(value: float | None) -> str:
    if value is None:
        return "unknown"
    if value >= 0.8:
        return "high"
    return "medium" if value >= 0.5 else "low"


@dataclass
class SubmissionRow:
    """One submission as the review list shows it."""

    assignment: Assignment
    worker: str
    answer_text: str
    item_text: str
    currency: str

    @property
    def gold_result(self) -> str:
        """passed, failed or "" (not a gold item, or not graded)."""
        if not self.assignment.is_gold or self.assignment.gold_score is None:
            return ""
        return "passed" if self.assignment.gold_score >= 1 else "failed"

    @property
    def agreement_band(self) -> str:
        return agreement_band(self.assignment.agreement)

    @property
    def time_text(self) -> str:
        seconds = self.assignment.work_seconds
        return format_duration(seconds) if seconds is not None else "—"

    @property
    def reward_text(self) -> str:
        return format_money(self.assignment.reward_cents, self.currency)

    @property
    def can_decide(self) -> bool:
        return self.assignment.status == Assignment.Status.SUBMITTED

    @property
    def can_request_revision(self) -> bool:
        return self.can_decide and self.assignment.revision_count == 0


def submission_rows(*, project: Project, assignments) -> list[SubmissionRow]:
    """Rows for a page of the project's submissions (no queries beyond the page's own)."""
    interface = get_interface(project.interface)
    pseudonyms: dict[int, str] = {}
    rows = []
    for assignment in assignments:
        if assignment.worker_id not in pseudonyms:
            pseudonyms[assignment.worker_id] = worker_pseudonym(
                company_id=project.company_id, worker_id=assignment.worker_id
            )
        answer = assignment.answer if isinstance(assignment.answer, dict) else {}
        rows.append(
            SubmissionRow(
                assignment=assignment,
                worker=pseudonyms[assignment.worker_id],
                answer_text=interface.describe_answer(answer, project.label_schema),
                item_text=item_preview(assignment.item.data),
                currency=project.currency,
            )
        )
    return rows


def project_submission(*, project: Project, assignment_id: int) -> Assignment | None:
    """One answered assignment of the project, with its item and dispute."""
    return (
        Assignment.objects.filter(project=project, pk=assignment_id, status__in=REVIEWABLE)
        .select_related("item", "dispute")
        .first()
    )


@dataclass(frozen=True)
class DecisionRow:
    action: str
    action_label: str
    who: str
    reason_label: str
    comment: str
    created_at: object


def submission_history(*, assignment: Assignment, viewer_company_id: int) -> list[DecisionRow]:
    """The submission's audit log, oldest first. Company members appear by email, the
    system as "Automatic", the worker by pseudonym and staff as "Loopwork staff"."""
    reasons = dict(Assignment.RejectReason.choices)
    rows = []
    decisions = ReviewDecision.objects.filter(assignment=assignment).select_related(
        "actor", "actor__membership"
    )
    for decision in decisions:
        actor = decision.actor
        if actor is None:
            who = "Automatic"
        elif actor.pk == assignment.worker_id:
            who = worker_pseudonym(company_id=viewer_company_id, worker_id=actor.pk)
        elif getattr(getattr(actor, "membership", None), "company_id", None) == viewer_company_id:
            who = actor.email
        else:
            who = "Loopwork staff"
        rows.append(
            DecisionRow(
                action=decision.action,
                action_label=decision.get_action_display(),
                who=who,
                reason_label=reasons.get(decision.reason, decision.reason),
                comment=decision.comment,
                created_at=decision.created_at,
            )
        )
    return rows


def evidence_display(*, evidence: dict, project: Project) -> dict:
    """review.assignment_evidence with its answers put into words for the company's page."""
    interface = get_interface(project.interface)

    def describe(answer) -> str:
        return interface.describe_answer(answer, project.label_schema) if answer else "—"

    gold = dict(evidence.get("gold") or {})
    gold["failed_items"] = [
        {
            **row,
            "answer_text": describe(row.get("answer")),
            "expected_text": describe(row.get("expected")),
        }
        for row in gold.get("failed_items", [])
    ]
    timing = dict(evidence.get("timing") or {})
    for key in ("work_seconds", "median_seconds", "min_work_seconds"):
        seconds = timing.get(key)
        timing[f"{key}_text"] = format_duration(seconds) if seconds else ""
    agreement = dict(evidence.get("agreement") or {})
    value = agreement.get("value")
    agreement["percent"] = None if value is None else round(value * 100)
    agreement["band"] = agreement_band(value)
    return {"gold": gold, "timing": timing, "agreement": agreement}
