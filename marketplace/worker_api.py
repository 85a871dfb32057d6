"""API: the worker loop. Take the next task, submit its answer, or give it back.

Thin: each endpoint checks the caller is a worker and calls the engine
(marketplace/assignment.py), which scopes every lookup to the caller.
"""

import datetime
from typing import Any

from ninja import Field, Path, Router, Schema, Status

from core.errors import LoopworkError

from .assignment import (
    assignment_claim_next_in,
    assignment_return,
    assignment_submit,
)

router = Router(tags=["worker loop"])


class ErrorDetail(Schema):
    code: str
    message: str
    field: str | None = None


class ErrorOut(Schema):
    error: ErrorDetail


class ItemOut(Schema):
    id: int
    data: dict[str, Any]


class TaskOut(Schema):
    id: int
    project: int
    interface: str
    item: ItemOut
    expires_at: datetime.datetime


class AnswerIn(Schema):
    answer: Any = Field(
        None, description='The answer in the shape of the project\'s interface: {"label": str}.'
    )


class AssignmentStatusOut(Schema):
    id: int
    status: str


# Ids are positive 64-bit integers; anything else is a 422 naming the path parameter.
ID = Path(..., ge=1, le=2**63 - 1)
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _worker(request):
    if not request.user.is_worker:
        raise LoopworkError("Only worker accounts take tasks.", code="not_a_worker", status=403)
    return request.user


@router.post(
    "projects/{project_id}/assignments/next",
    summary="Take the next task of a project",
    description=(
        "Leases the next item for the calling worker (or returns the task they already "
        "hold in this project) until `expires_at`. 204 when nothing is left for them. "
        "Refusals: 403 `not_a_worker`, `email_unverified`, `not_qualified`, `stopped`, "
        "`cap_reached`, `exposure_cap_reached`; 409 `project_not_active`; 404 for a "
        "project that does not exist or is not published."
    ),
    response={200: TaskOut, 204: None, **ERRORS},
)
def next_task(request, project_id: int = ID):
    project, assignment = assignment_claim_next_in(worker=_worker(request), project_id=project_id)
    if assignment is None:
        return Status(204, None)
    return {
        "id": assignment.pk,
        "project": project.pk,
        "interface": project.interface,
        "item": {"id": assignment.item_id, "data": assignment.item.data},
        "expires_at": assignment.expires_at,
    }


@router.post(
    "assignments/{assignment_id}/submit",
    summary="Submit the answer of a task",
    description=(
        'Records the answer (for classification `{"label": str}`). Submitting the same '
        "assignment again returns the same 200 and records nothing more. 409 "
        "`lease_expired` when the lease ran out and the item went to someone else, "
        "`not_leased` for a returned task; 404 for an assignment that is not the caller's; "
        "422 `invalid_answer` with the field the interface refuses."
    ),
    response={200: AssignmentStatusOut, **ERRORS},
)
def submit(request, payload: AnswerIn, assignment_id: int = ID):
    assignment = assignment_submit(
        worker=_worker(request), assignment_id=assignment_id, answer=payload.answer
    )
    return {"id": assignment.pk, "status": assignment.status}


@router.post(
    "assignments/{assignment_id}/return",
    summary="Give a task back",
    description=(
        "Gives a leased task back to the pool (you will not get the same item again). "
        "409 `not_leased` when it is not in your hands; 404 for an assignment that is not "
        "the caller's."
    ),
    response={200: AssignmentStatusOut, **ERRORS},
)
def give_back(request, assignment_id: int = ID):
    assignment = assignment_return(worker=_worker(request), assignment_id=assignment_id)
    return {"id": assignment.pk, "status": assignment.status}
