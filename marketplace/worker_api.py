"""API: the worker loop. Take the next task, submit its answer, or give it back.

Thin: each endpoint checks the caller is a worker and calls the engine
(marketplace/assignment.py), which scopes every lookup to the caller.
"""

import datetime
import json
from typing import Any

from ninja import Field, Path, Router, Schema, Status

from core.errors import LoopworkError

from .assignment import (
    assignment_claim_next_in,
    assignment_return,
    assignment_submit,
)
from .review import review_request_revision

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


# The body of a company member's return; read by hand so that a worker's return keeps
# ignoring whatever body their client sends (an empty form, say).
RETURN_BODY = {
    "required": False,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {
                    "comment": {
                        "type": "string",
                        "maxLength": 2000,
                        "description": "Company members: what to revise (1 to 2000 characters).",
                    }
                },
            }
        }
    },
}


def _return_comment(request) -> str:
    if not request.body.strip():
        return ""
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):
        raise LoopworkError(
            'Send a JSON object: {"comment": "..."}.', code="invalid_input", status=422
        )
    comment = body.get("comment", "")
    if not isinstance(comment, str):
        raise LoopworkError(
            "The comment must be text.", code="invalid_input", field="comment", status=422
        )
    return comment


@router.post(
    "assignments/{assignment_id}/return",
    summary="Give a task back, or return a submission for revision",
    description=(
        "Two meanings, by who calls. A worker gives a leased task back to the pool (you "
        "will not get the same item again; no body needed): 409 `not_leased` when it is not "
        "in your hands. A company member (any role) returns a submitted answer to its "
        'worker for revision with `{"comment": str}` (1 to 2000 characters), once per '
        "submission: 200 with status `revision`; 409 `revision_used`, `already_decided` or "
        "`in_revision`; 422 `comment_required`. The review deadline restarts, and an answer "
        "never revised is approved automatically when it passes. 404 for an assignment that "
        "is not the caller's (or their company's)."
    ),
    response={200: AssignmentStatusOut, **ERRORS},
    openapi_extra={"requestBody": RETURN_BODY},
)
def give_back(request, assignment_id: int = ID):
    if request.user.company_membership is not None:
        assignment = review_request_revision(
            assignment_id, reviewer=request.user, comment=_return_comment(request)
        )
    else:
        assignment = assignment_return(worker=_worker(request), assignment_id=assignment_id)
    return {"id": assignment.pk, "status": assignment.status}
