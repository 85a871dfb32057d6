"""Reads for the quality pages: per-worker figures of a project, and a worker's own summary.

Figures are aggregated in SQL, grouped by worker (or by project for the worker's summary),
so a page costs a fixed number of queries whatever the number of answers. The median work
time uses PostgreSQL's PERCENTILE_CONT; SQLite (development) has no median, so there it is
computed from one extra query over the shown rows' work times.
"""

import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Aggregate, Avg, Count, F, FloatField, Q, QuerySet

from accounts.models import User
from core.durations import format_duration

from .models import Assignment, Project, WorkerStop
from .quality import FULL_SCORE
from .selectors import worker_pseudonym

ANSWERED = Q(status__in=Assignment.ANSWERED)
GOLD_SCORED = Q(is_gold=True, gold_score__isnull=False)
FLAGS_SHOWN = 50
# Column name → the annotation it sorts by. Missing figures sort last either way.
SORTS = {
    "answers": "answers",
    "accuracy": "gold_accuracy",
    "agreement": "agreement",
    "time": "median_seconds",
    "fast": "too_fast",
}
DEFAULT_SORT = "accuracy"


class Median(Aggregate):
    """PostgreSQL's median (PERCENTILE_CONT 0.5) of a numeric column."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


@dataclass
class WorkerFigures:
    """One worker's quality figures in one project (percentages 0..100, None when unknown)."""

    worker_id: int
    pseudonym: str
    answers: int
    gold_answered: int
    gold_correct: int
    gold_accuracy: float | None
    agreement: float | None
    median_seconds: float | None
    too_fast: int
    stopped: bool = False
    stop: WorkerStop | None = None

    @property
    def median_display(self) -> str:
        return "" if self.median_seconds is None else format_duration(round(self.median_seconds))


@dataclass(frozen=True)
class TooFastFlag:
    assignment_id: int
    item_id: int
    pseudonym: str
    work_seconds: int
    submitted_at: object


def _uses_sql_median() -> bool:
    return connection.vendor == "postgresql"


def _figures(queryset: QuerySet, group_by: str) -> QuerySet:
    annotations = {
        "answers": Count("pk"),
        "gold_answered": Count("pk", filter=GOLD_SCORED),
        "gold_correct": Count("pk", filter=GOLD_SCORED & Q(gold_score__gte=FULL_SCORE)),
        "gold_accuracy": Avg("gold_score", filter=GOLD_SCORED) * 100,
        "agreement": Avg("agreement", filter=Q(agreement__isnull=False)) * 100,
        "too_fast": Count("pk", filter=Q(is_too_fast=True)),
    }
    if _uses_sql_median():
        annotations["median_seconds"] = Median("work_seconds", filter=Q(work_seconds__isnull=False))
    return queryset.filter(ANSWERED).order_by().values(group_by).annotate(**annotations)


def _python_medians(queryset: QuerySet, group_by: str, keys: list[int]) -> dict[int, float]:
    """Median work time per group for `keys` (SQLite only; one query)."""
    times = defaultdict(list)
    rows = (
        queryset.filter(ANSWERED, **{f"{group_by}__in": keys}, work_seconds__isnull=False)
        .order_by()
        .values_list(group_by, "work_seconds")
    )
    for key, seconds in rows:
        times[key].append(seconds)
    return {key: statistics.median(values) for key, values in times.items()}


def project_quality_rows(*, project: Project, sort: str = DEFAULT_SORT, descending: bool = False):
    """The project's workers with their figures, as a queryset of dicts to paginate.

    Sorting happens in SQL; unknown sort keys fall back to accuracy (worst first).
    """
    key = SORTS.get(sort, SORTS[DEFAULT_SORT])
    if key == "median_seconds" and not _uses_sql_median():
        key = "answers"
    column = F(key)
    order = column.desc(nulls_last=True) if descending else column.asc(nulls_last=True)
    return _figures(Assignment.objects.filter(project=project), "worker_id").order_by(
        order, "worker_id"
    )


def project_quality_page(*, project: Project, rows: list[dict]) -> list[WorkerFigures]:
    """Figures for one page of `project_quality_rows`, with each worker's stop (2 queries)."""
    worker_ids = [row["worker_id"] for row in rows]
    medians = {}
    if not _uses_sql_median() and worker_ids:
        medians = _python_medians(
            Assignment.objects.filter(project=project), "worker_id", worker_ids
        )
    stops = {
        stop.worker_id: stop
        for stop in WorkerStop.objects.filter(
            project=project, worker_id__in=worker_ids, lifted_at__isnull=True
        )
    }
    figures = []
    for row in rows:
        worker_id = row["worker_id"]
        stop = stops.get(worker_id)
        figures.append(
            WorkerFigures(
                worker_id=worker_id,
                pseudonym=worker_pseudonym(company_id=project.company_id, worker_id=worker_id),
                answers=row["answers"],
                gold_answered=row["gold_answered"],
                gold_correct=row["gold_correct"],
                gold_accuracy=_rounded(row["gold_accuracy"]),
                agreement=_rounded(row["agreement"]),
                median_seconds=row.get("median_seconds", medians.get(worker_id)),
                too_fast=row["too_fast"],
                stopped=stop is not None,
                stop=stop,
            )
        )
    return figures


@dataclass(frozen=True)
class ProjectTotals:
    workers: int
    answers: int
    gold_accuracy: float | None
    agreement: float | None
    too_fast: int
    stopped: int


def project_quality_totals(*, project: Project) -> ProjectTotals:
    """The project's overall figures (2 queries)."""
    figures = (
        Assignment.objects.filter(project=project)
        .filter(ANSWERED)
        .aggregate(
            workers=Count("worker_id", distinct=True),
            answers=Count("pk"),
            gold_accuracy=Avg("gold_score", filter=GOLD_SCORED) * 100,
            agreement=Avg("agreement", filter=Q(agreement__isnull=False)) * 100,
            too_fast=Count("pk", filter=Q(is_too_fast=True)),
        )
    )
    stopped = WorkerStop.objects.filter(project=project, lifted_at__isnull=True).count()
    return ProjectTotals(
        workers=figures["workers"],
        answers=figures["answers"],
        gold_accuracy=_rounded(figures["gold_accuracy"]),
        agreement=_rounded(figures["agreement"]),
        too_fast=figures["too_fast"],
        stopped=stopped,
    )


def project_too_fast_flags(*, project: Project, limit: int = FLAGS_SHOWN) -> list[TooFastFlag]:
    """The latest answers flagged as too fast, with their timings (1 query)."""
    rows = (
        Assignment.objects.filter(ANSWERED, project=project, is_too_fast=True)
        .order_by("-submitted_at", "-pk")
        .values_list("pk", "item_id", "worker_id", "work_seconds", "submitted_at")[:limit]
    )
    return [
        TooFastFlag(
            assignment_id=pk,
            item_id=item_id,
            pseudonym=worker_pseudonym(company_id=project.company_id, worker_id=worker_id),
            work_seconds=work_seconds or 0,
            submitted_at=submitted_at,
        )
        for pk, item_id, worker_id, work_seconds, submitted_at in rows
    ]


# --- The worker's own summary -----------------------------------------------------------


@dataclass
class WorkerProjectQuality:
    """A worker's figures in one project, beside the project's rules."""

    project_id: int
    project_title: str
    threshold: int
    min_gold_answers: int
    min_work_seconds: int
    answers: int
    gold_answered: int
    gold_correct: int
    gold_accuracy: float | None
    agreement: float | None
    median_seconds: float | None
    too_fast: int
    stops: list[WorkerStop] = field(default_factory=list)
    flags: list[dict] = field(default_factory=list)

    @property
    def active_stop(self) -> WorkerStop | None:
        return next((stop for stop in self.stops if stop.lifted_at is None), None)

    @property
    def below_threshold(self) -> bool:
        return (
            self.threshold > 0
            and self.gold_accuracy is not None
            and self.gold_accuracy < self.threshold
        )

    @property
    def median_display(self) -> str:
        return "" if self.median_seconds is None else format_duration(round(self.median_seconds))


def worker_quality_summary(
    *, worker: User, flags_per_project: int = 10
) -> list[WorkerProjectQuality]:
    """Every project the worker answered in, latest first, with their own figures only.

    A fixed number of queries: the grouped figures, the projects, the stops (with appeals),
    the too-fast answers and, on SQLite, the work times.
    """
    own = Assignment.objects.filter(worker=worker)
    rows = list(_figures(own, "project_id"))
    project_ids = [row["project_id"] for row in rows]
    projects = {
        project.pk: project
        for project in Project.objects.filter(pk__in=project_ids).only(
            "pk", "title", "accuracy_threshold", "min_gold_answers", "min_work_seconds"
        )
    }
    medians = {}
    if not _uses_sql_median() and project_ids:
        medians = _python_medians(own, "project_id", project_ids)
    stops = defaultdict(list)
    for stop in (
        WorkerStop.objects.filter(worker=worker, project_id__in=project_ids)
        .select_related("appeal")
        .order_by("-created_at", "-pk")
    ):
        stops[stop.project_id].append(stop)
    flags = defaultdict(list)
    for project_id, item_id, seconds, submitted_at in (
        own.filter(ANSWERED, is_too_fast=True)
        .order_by("-submitted_at", "-pk")
        .values_list("project_id", "item_id", "work_seconds", "submitted_at")[:FLAGS_SHOWN]
    ):
        if len(flags[project_id]) < flags_per_project:
            flags[project_id].append(
                {"item_id": item_id, "work_seconds": seconds or 0, "submitted_at": submitted_at}
            )
    summary = []
    for row in rows:
        project = projects[row["project_id"]]
        summary.append(
            WorkerProjectQuality(
                project_id=project.pk,
                project_title=project.title,
                threshold=project.accuracy_threshold,
                min_gold_answers=project.min_gold_answers,
                min_work_seconds=project.min_work_seconds,
                answers=row["answers"],
                gold_answered=row["gold_answered"],
                gold_correct=row["gold_correct"],
                gold_accuracy=_rounded(row["gold_accuracy"]),
                agreement=_rounded(row["agreement"]),
                median_seconds=row.get("median_seconds", medians.get(project.pk)),
                too_fast=row["too_fast"],
                stops=stops[project.pk],
                flags=flags[project.pk],
            )
        )
    summary.sort(key=lambda entry: (entry.active_stop is None, -entry.project_id))
    return summary


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
