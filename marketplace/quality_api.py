"""API: a project's quality figures, the same as its quality page shows.

Thin: the project is scoped to the caller's company (404 otherwise) and the figures come
from quality_selectors.py; workers appear under their per-company pseudonym.
"""

from typing import Literal

from django.core.paginator import Paginator
from ninja import Field, Query, Router, Schema

from .quality_selectors import (
    SORTS,
    project_quality_page,
    project_quality_rows,
    project_quality_totals,
    project_too_fast_flags,
)
from .review_api import ERRORS, ID, company_project

router = Router(tags=["review"])

Sort = Literal[tuple(SORTS)]


class QualityQuery(Schema):
    sort: Sort = Field("accuracy", description="Order of the workers (worst first by default).")
    descending: bool = False
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=200)


class TotalsOut(Schema):
    workers: int
    answers: int
    gold_accuracy: float | None = Field(..., description="Percent correct on gold items.")
    agreement: float | None = Field(..., description="Percent agreement with the others.")
    too_fast: int
    stopped: int


class WorkerOut(Schema):
    worker: str = Field(..., description="The worker's pseudonym within your company.")
    answers: int
    gold_answered: int
    gold_correct: int
    gold_accuracy: float | None
    agreement: float | None
    median_seconds: float | None
    too_fast: int
    stopped: bool


class TooFastOut(Schema):
    assignment: int
    item: int
    worker: str
    work_seconds: int


class QualityOut(Schema):
    totals: TotalsOut
    min_work_seconds: int
    accuracy_threshold: int = Field(..., description="Percent; 0 when the project stops no one.")
    count: int
    page: int
    page_size: int
    workers: list[WorkerOut]
    too_fast: list[TooFastOut]


@router.get(
    "projects/{project_id}/quality",
    summary="A project's quality figures",
    description=(
        "Gold accuracy, agreement with the other answers, median work time and too-fast "
        "answers, for the project and per worker (a page at a time), plus the latest "
        "too-fast answers. Any member of the project's company; 404 for everyone else."
    ),
    response={200: QualityOut, **ERRORS},
)
def quality(request, filters: Query[QualityQuery], project_id: int = ID):
    project = company_project(request, project_id)
    rows = project_quality_rows(project=project, sort=filters.sort, descending=filters.descending)
    page = Paginator(rows, filters.page_size).get_page(filters.page)
    figures = project_quality_page(project=project, rows=list(page.object_list))
    return {
        "totals": vars(project_quality_totals(project=project)),
        "min_work_seconds": project.min_work_seconds,
        "accuracy_threshold": project.accuracy_threshold,
        "count": page.paginator.count,
        "page": page.number,
        "page_size": filters.page_size,
        "workers": [
            {
                "worker": figure.pseudonym,
                "answers": figure.answers,
                "gold_answered": figure.gold_answered,
                "gold_correct": figure.gold_correct,
                "gold_accuracy": figure.gold_accuracy,
                "agreement": figure.agreement,
                "median_seconds": figure.median_seconds,
                "too_fast": figure.too_fast,
                "stopped": figure.stopped,
            }
            for figure in figures
        ],
        "too_fast": [
            {
                "assignment": flag.assignment_id,
                "item": flag.item_id,
                "worker": flag.pseudonym,
                "work_seconds": flag.work_seconds,
            }
            for flag in project_too_fast_flags(project=project)
        ],
    }
