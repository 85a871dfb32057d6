"""API: review. A company's submissions with filters, and approving or rejecting one.

Thin: marketplace/review.py decides and scopes each assignment to the caller's company
(another company's submission, or a caller of no company, is a 404); the list reads through
review_selectors.py on a project scoped to the caller's company. Workers appear under their
per-company pseudonym, never with an email or account id. Returning a submission for
revision is `POST /assignments/{id}/return` (marketplace/worker_api.py).
"""

import datetime
from typing import Any, Literal

from ninja import Field, Path, Query, Router, Schema

from core.errors import LoopworkError

from .models import Assignment, Project
from .review import review_approve, review_bonus, review_reject
from .review_selectors import SubmissionFilters, project_submissions
from .selectors import worker_pseudonym

router = Router(tags=["review"])

PAGE_SIZE_MAX = 200
ID = Path(..., ge=1, le=2**63 - 1)
RejectReason = Literal[tuple(value for value, _label in Assignment.REVIEWER_REASONS)]
ReviewStatus = Literal["submitted", "revision", "approved", "rejected"]
# Free-text filters may hold anything but control characters (PostgreSQL refuses NUL).
PRINTABLE = r"^[^\x00-\x1f]*$"
GOLD_FILTERS = {"pass": "passed", "fail": "failed"}


class ErrorDetail(Schema):
    code: str
    message: str
    field: str | None = None


class ErrorOut(Schema):
    error: ErrorDetail


ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class RejectIn(Schema):
    reason: RejectReason = Field(..., description="Why, from the list of reasons.")
    comment: str = Field(
        ..., min_length=1, max_length=2000, description="What was wrong, for the worker."
    )


class BonusIn(Schema):
    amount_cents: int = Field(..., ge=1, le=1000_00, description="The bonus, in minor units.")
    reason: str = Field(..., min_length=1, max_length=250, description="Shown to the worker.")
    idempotency_key: str = Field(
        ...,
        min_length=1,
        max_length=100,
        description="Your key for this bonus: the same key again pays nothing more.",
    )


class BonusOut(Schema):
    id: int = Field(..., description="The ledger transaction.")
    assignment: int
    amount_cents: int
    fee_cents: int
    currency: str
    reason: str
    available_at: datetime.datetime


class DecisionOut(Schema):
    id: int
    status: str
    reject_reason: str
    review_comment: str
    reviewed_at: datetime.datetime | None


class SubmissionOut(Schema):
    id: int
    item: int
    item_external_id: str
    worker: str = Field(..., description="The worker's pseudonym within your company.")
    status: str
    answer: Any
    is_gold: bool
    gold_score: float | None
    agreement: float | None
    work_seconds: int | None
    is_too_fast: bool
    submitted_at: datetime.datetime | None
    review_due_at: datetime.datetime | None
    reviewed_at: datetime.datetime | None
    reject_reason: str
    review_comment: str
    revision_count: int


class SubmissionPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[SubmissionOut]


class SubmissionQuery(Schema):
    status: ReviewStatus | None = None
    worker: str | None = Field(
        None, max_length=40, pattern=PRINTABLE, description="A worker pseudonym (W-…)."
    )
    item: str | None = Field(
        None, max_length=200, pattern=PRINTABLE, description="An item id or external id."
    )
    gold: Literal["pass", "fail"] | None = Field(None, description="Gold items passed / failed.")
    min_agreement: float | None = Field(None, ge=0, le=1)
    max_agreement: float | None = Field(None, ge=0, le=1)
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=PAGE_SIZE_MAX)


def company_project(request, project_id: int) -> Project:
    """One of the caller's company's projects; 404 for any other, and for non-members."""
    membership = request.user.company_membership
    project = (
        Project.objects.filter(pk=project_id, company_id=membership.company_id).first()
        if membership is not None
        else None
    )
    if project is None:
        raise LoopworkError("No such project.", code="not_found", status=404)
    return project


def _decision(assignment: Assignment) -> dict:
    return {
        "id": assignment.pk,
        "status": assignment.status,
        "reject_reason": assignment.reject_reason,
        "review_comment": assignment.review_comment,
        "reviewed_at": assignment.reviewed_at,
    }


@router.post(
    "assignments/{assignment_id}/approve",
    summary="Approve a submission",
    description=(
        "Approves a submitted answer of one of your company's projects (any company role). "
        "409 `already_decided` when it was decided already (by a colleague, automatically, "
        "or in a race: one decision wins), `in_revision` while it is back with the worker; "
        "404 for an assignment that is not your company's."
    ),
    response={200: DecisionOut, **ERRORS},
)
def approve(request, assignment_id: int = ID):
    return _decision(review_approve(assignment_id, reviewer=request.user))


@router.post(
    "assignments/{assignment_id}/reject",
    summary="Reject a submission",
    description=(
        'Rejects a submitted answer with `{"reason", "comment"}`: a reason from the list '
        "and a comment (1 to 2000 characters) the worker reads. The worker may dispute it "
        "within 7 days. Refusals as for approve; 422 for a bad reason or comment."
    ),
    response={200: DecisionOut, **ERRORS},
)
def reject(request, payload: RejectIn, assignment_id: int = ID):
    assignment = review_reject(
        assignment_id, reviewer=request.user, reason=payload.reason, comment=payload.comment
    )
    return _decision(assignment)


@router.get(
    "projects/{project_id}/submissions",
    summary="List a project's submissions",
    description=(
        "Answered assignments of one of your company's projects, newest first, filtered by "
        "status, worker pseudonym, item (id or external id), gold result (`pass`/`fail`) "
        "and agreement with the other answers (0..1), a page at a time."
    ),
    response={200: SubmissionPage, **ERRORS},
)
def submissions(request, filters: Query[SubmissionQuery], project_id: int = ID):
    project = company_project(request, project_id)
    rows = project_submissions(
        project=project,
        filters=SubmissionFilters(
            worker=filters.worker or "",
            item=filters.item or "",
            status=filters.status or "",
            gold=GOLD_FILTERS.get(filters.gold or "", ""),
        ),
    )
    if filters.min_agreement is not None:
        rows = rows.filter(agreement__gte=filters.min_agreement)
    if filters.max_agreement is not None:
        rows = rows.filter(agreement__lte=filters.max_agreement)
    start = (filters.page - 1) * filters.page_size
    page = list(rows[start : start + filters.page_size])
    return {
        "count": rows.count(),
        "page": filters.page,
        "page_size": filters.page_size,
        "results": [_submission(project, assignment) for assignment in page],
    }


def _submission(project: Project, assignment: Assignment) -> dict:
    return {
        "id": assignment.pk,
        "item": assignment.item_id,
        "item_external_id": assignment.item.external_id,
        "worker": worker_pseudonym(company_id=project.company_id, worker_id=assignment.worker_id),
        "status": assignment.status,
        "answer": assignment.answer,
        "is_gold": assignment.is_gold,
        "gold_score": assignment.gold_score,
        "agreement": assignment.agreement,
        "work_seconds": assignment.work_seconds,
        "is_too_fast": assignment.is_too_fast,
        "submitted_at": assignment.submitted_at,
        "review_due_at": assignment.review_due_at,
        "reviewed_at": assignment.reviewed_at,
        "reject_reason": assignment.reject_reason,
        "review_comment": assignment.review_comment,
        "revision_count": assignment.revision_count,
    }


@router.post(
    "assignments/{assignment_id}/bonus",
    summary="Pay a bonus",
    description=(
        'Pays the worker of one of your answered submissions `{"amount_cents", "reason", '
        '"idempotency_key"}` from your company balance, plus the platform fee (owners and '
        "managers). The same idempotency key pays once and returns the same bonus. 409 "
        "`insufficient_balance` when the balance is short; 404 for another company's "
        "submission."
    ),
    response={200: BonusOut, **ERRORS},
)
def bonus(request, payload: BonusIn, assignment_id: int = ID):
    posted = review_bonus(
        assignment_id,
        payer=request.user,
        amount_cents=payload.amount_cents,
        reason=payload.reason,
        idempotency_key=payload.idempotency_key,
    )
    entries = {
        entry.account.kind: entry.amount_cents for entry in posted.entries.select_related("account")
    }
    return {
        "id": posted.pk,
        "assignment": assignment_id,
        "amount_cents": entries.get("worker_pending", 0),
        "fee_cents": entries.get("platform_revenue", 0),
        "currency": posted.currency,
        "reason": posted.description.removeprefix("Bonus: "),
        "available_at": posted.available_at,
    }
