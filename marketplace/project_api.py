"""API: a company's projects. Create, read, change, add items, launch, pause, resume, progress.

Thin: every endpoint finds the caller's membership, scopes the project to their company
(another company's project is a 404, like one that does not exist) and calls the services
in marketplace/projects.py and marketplace/items.py, which check the role.
"""

import datetime
import json
from typing import Any, Literal

from ninja import Field, Router, Schema, Status

from core.errors import LoopworkError

from .items import ParsedRows, items_import, parse_jsonl, parse_records
from .launch import project_launch
from .models import MAX_ESTIMATED_TASK_SECONDS, MAX_PAY_FLOOR_HOURLY_CENTS, Project
from .projects import project_create, project_transition, project_update, require_manager
from .selectors import company_projects, project_progress

router = Router(tags=["projects"])

MAX_LIST = 200
JSONL_TYPES = ("application/x-ndjson", "application/jsonl", "application/x-jsonlines")
CLEARABLE = (
    "max_assignments_per_worker",
    "daily_exposure_cap",
    "required_qualification",
    "max_overlap",
)
ContentRisk = Literal["none", "mild", "graphic"]
ProjectAccess = Literal["listings", "open"]


class ApiErrorDetail(Schema):
    code: str
    message: str
    field: str | None = None


class ApiError(Schema):
    error: ApiErrorDetail


ERRORS = {400: ApiError, 401: ApiError, 403: ApiError, 404: ApiError, 409: ApiError, 422: ApiError}


class ProjectSettings(Schema):
    """Settings every project has; all optional when changing a project."""

    description: str | None = Field(None, max_length=2000)
    instructions: str | None = Field(None, description="HTML; sanitised on save.")
    category: str | None = Field(None, description="A work category, e.g. text-annotation.")
    overlap: int | None = Field(None, ge=1, le=10)
    lease_seconds: int | None = Field(None, ge=30, le=24 * 3600)
    max_assignments_per_worker: int | None = Field(None, ge=1)
    required_qualification: int | None = Field(None, description="A qualification id.")
    min_qualification_score: int | None = Field(None, ge=0, le=100)
    listings: list[int] | None = Field(
        None, description="Ids of your own listings of task work; each shows this project's pay."
    )
    access: ProjectAccess | None = Field(
        None,
        description="listings: only workers a linked listing admitted; open (the default): "
        "every worker holding the required qualification.",
    )
    estimated_task_seconds: int | None = Field(
        None,
        ge=1,
        le=MAX_ESTIMATED_TASK_SECONDS,
        description="How long one task takes, in seconds: shown to workers until 20 answers "
        "are timed, and needed to launch (the reward must meet the pay floor for it).",
    )
    gold_rate: int | None = Field(None, ge=0, le=50)
    accuracy_threshold: int | None = Field(None, ge=0, le=100)
    min_gold_answers: int | None = Field(None, ge=0, le=1000)
    show_gold_feedback: bool | None = None
    revoke_qualification_on_stop: bool | None = Field(
        None, description="Also revoke the required qualification when a worker is stopped."
    )
    min_work_seconds: int | None = Field(
        None, ge=0, le=3600, description="Answers faster than this are flagged; 0 is off."
    )
    max_overlap: int | None = Field(
        None, ge=1, le=10, description="Dynamic overlap: most answers per item (≥ overlap)."
    )
    confidence_target: float | None = Field(
        None, ge=0, le=1, description="Items below this aggregated confidence get more answers."
    )
    auto_approve_hours: int | None = Field(None, ge=1, le=30 * 24)
    content_risk: ContentRisk | None = None
    daily_exposure_cap: int | None = Field(None, ge=1)
    pay_floor_hourly_cents: int | None = Field(
        None,
        ge=0,
        le=MAX_PAY_FLOOR_HOURLY_CENTS,
        description="Minimum effective hourly pay in minor units (null or 0: the platform's "
        "floor only); after launch it may rise, never fall.",
    )


class ProjectIn(ProjectSettings):
    title: str = Field(..., min_length=1, max_length=160)
    interface: str = Field(..., description="An annotation interface, e.g. classification.")
    labels: list[str] | None = Field(
        None, description="Shortcut for interfaces with labels: fills label_schema.labels."
    )
    label_schema: dict[str, Any] | None = Field(
        None, description="The interface's configuration; its example when left out."
    )
    reward_cents: int = Field(..., ge=1, le=100_00)


class ProjectPatch(ProjectSettings):
    title: str | None = Field(None, min_length=1, max_length=160)
    labels: list[str] | None = None
    label_schema: dict[str, Any] | None = None
    reward_cents: int | None = Field(None, ge=1, le=100_00)


class ProgressOut(Schema):
    items_total: int
    items_done: int
    items_in_progress: int
    items_waiting: int
    gold_items: int
    answers: int
    answers_needed: int
    spend_cents: int
    currency: str
    answers_last_hour: int
    answers_per_hour_last_day: float
    estimated_finish: datetime.datetime | None
    percent_done: int


class ProjectOut(Schema):
    id: int
    title: str
    description: str
    instructions: str
    category: str
    interface: str
    label_schema: dict[str, Any]
    reward_cents: int
    currency: str
    estimated_task_seconds: int | None
    access: str
    overlap: int
    lease_seconds: int
    max_assignments_per_worker: int | None
    required_qualification: int | None
    min_qualification_score: int
    listings: list[int]
    gold_rate: int
    accuracy_threshold: int
    min_gold_answers: int
    show_gold_feedback: bool
    revoke_qualification_on_stop: bool
    min_work_seconds: int
    max_overlap: int | None
    confidence_target: float
    auto_approve_hours: int
    content_risk: str
    daily_exposure_cap: int | None
    pay_floor_hourly_cents: int | None
    status: str
    created_at: datetime.datetime
    launched_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    progress: ProgressOut | None = None


class ProjectListOut(Schema):
    projects: list[ProjectOut]


class RowError(Schema):
    line: int
    message: str


class ItemsOut(Schema):
    created: int
    errors: list[RowError]


class StatusOut(Schema):
    status: str


class LaunchBudgetOut(Schema):
    """What the launch reserved, in minor units of `currency` (marketplace/launch.py)."""

    currency: str = Field(..., description="ISO 4217 code of every amount below.")
    items: int = Field(..., description="Items to answer (gold items not counted).")
    gold_items: int
    overlap: int = Field(..., description="Answers per item.")
    extra_answers: int = Field(..., description="Extra answers asked by dynamic overlap.")
    answers: int = Field(..., description="items x overlap + extra_answers.")
    reward_cents: int = Field(..., description="Reward per answer.")
    rewards_cents: int = Field(..., description="answers x reward_cents.")
    fee_percent: int = Field(..., description="The platform fee, percent of each reward.")
    fee_each_cents: int = Field(..., description="The fee on one reward, rounded half up.")
    fees_cents: int = Field(..., description="answers x fee_each_cents.")
    cost_each_cents: int = Field(..., description="reward_cents + fee_each_cents.")
    gold_rate: int = Field(..., description="Percent of tasks that are gold items.")
    gold_answers: int = Field(..., description="Expected gold (control) answers, paid too.")
    gold_cents: int = Field(..., description="gold_answers x cost_each_cents.")
    total_cents: int = Field(..., description="rewards_cents + fees_cents + gold_cents.")
    already_reserved_cents: int = Field(..., description="In escrow before the launch.")
    reserved_cents: int = Field(..., description="Moved from the balance to escrow now.")
    escrow_cents: int = Field(..., description="The project's escrow after the launch.")
    balance_before_cents: int = Field(..., description="The company balance before.")
    balance_after_cents: int = Field(..., description="The company balance after.")
    returned_when_ended: str = Field(
        ..., description="What comes back to the balance when the project ends."
    )


class LaunchOut(Schema):
    status: str
    budget: LaunchBudgetOut


def _membership(request):
    membership = request.user.company_membership
    if membership is None:
        raise LoopworkError(
            "Only members of a company use the project API.",
            code="not_a_company_member",
            status=403,
        )
    return membership


def _project(request, project_id: int) -> tuple:
    membership = _membership(request)
    project = Project.objects.filter(company=membership.company, pk=project_id).first()
    if project is None:
        raise LoopworkError("No such project.", code="not_found", status=404)
    return membership, project


def _out(project: Project, *, progress: bool = False) -> dict:
    return {
        **{
            field: getattr(project, field)
            for field in ProjectOut.model_fields
            if field not in ("required_qualification", "listings", "progress")
        },
        "required_qualification": project.required_qualification_id,
        "listings": [page.pk for page in project.listings.all()],
        "progress": project_progress(project=project).as_dict() if progress else None,
    }


def _settings(payload, *, project: Project | None) -> dict:
    data = payload.dict(exclude_unset=True)
    labels = data.pop("labels", None)
    if labels is not None:
        base = data.get("label_schema") or (dict(project.label_schema) if project else {})
        data["label_schema"] = {**base, "labels": labels}
    if data.get("label_schema") is None:
        data.pop("label_schema", None)
    for key in [key for key, value in data.items() if value is None]:
        if key not in (
            "max_assignments_per_worker",
            "daily_exposure_cap",
            "required_qualification",
            "max_overlap",
            "pay_floor_hourly_cents",
        ):
            data.pop(key)
    return data


@router.post(
    "",
    summary="Create a project",
    description="Owners and managers. The project starts as a draft; upload items, then launch.",
    response={201: ProjectOut, **ERRORS},
)
def create_project(request, payload: ProjectIn):
    membership = _membership(request)
    project = project_create(
        membership=membership, user=request.user, data=_settings(payload, project=None)
    )
    return Status(201, _out(project))


@router.get(
    "",
    summary="My company's projects",
    description=f"Newest first, at most {MAX_LIST}.",
    response={200: ProjectListOut, **ERRORS},
)
def list_projects(request):
    membership = _membership(request)
    projects = company_projects(company=membership.company).prefetch_related("listings")
    return {"projects": [_out(project) for project in projects[:MAX_LIST]]}


@router.get(
    "{int:project_id}",
    summary="One project with its progress",
    response={200: ProjectOut, **ERRORS},
)
def get_project(request, project_id: int):
    _unused, project = _project(request, project_id)
    return _out(project, progress=True)


@router.patch(
    "{int:project_id}",
    summary="Change a project's settings",
    description=(
        "Owners and managers. Once launched, interface, label schema and reward are fixed "
        "(409 `setting_locked`) and the overlap cannot shrink below the answers items hold."
    ),
    response={200: ProjectOut, **ERRORS},
)
def patch_project(request, project_id: int, payload: ProjectPatch):
    membership, project = _project(request, project_id)
    project = project_update(
        project=project, membership=membership, data=_settings(payload, project=project)
    )
    return _out(project)


def _parse_body(request, project: Project) -> ParsedRows:
    content_type = request.content_type or ""
    try:
        text = request.body.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise LoopworkError(
            "Send UTF-8 text.", code="invalid_encoding", field="body", status=422
        ) from error
    if content_type in JSONL_TYPES:
        if not text.strip():
            raise LoopworkError("No items sent.", code="empty_file", field="body", status=422)
        return parse_jsonl(project=project, text=text)
    try:
        records = json.loads(text)
    except ValueError as error:
        raise LoopworkError(
            "Send a JSON array of item objects, or JSONL with Content-Type application/x-ndjson.",
            code="invalid_input",
            field="body",
            status=422,
        ) from error
    if not isinstance(records, list):
        raise LoopworkError(
            "Send a JSON array of item objects.", code="invalid_input", field="body", status=422
        )
    return parse_records(project=project, records=records)


@router.post(
    "{int:project_id}/items",
    summary="Add items",
    description=(
        "A JSON array of item objects, or JSONL (`Content-Type: application/x-ndjson`). A "
        'gold item adds `"gold": {...}` (its expected answer) and `id` is kept as your own '
        "id. Good rows are created and bad ones reported by line; with "
        "`all_or_nothing=true` nothing is created when any row is bad."
    ),
    response={200: ItemsOut, **ERRORS},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"type": "array", "items": {"type": "object"}},
                },
                "application/x-ndjson": {"schema": {"type": "string"}},
            },
        }
    },
)
def add_items(request, project_id: int, all_or_nothing: bool = False):
    membership, project = _project(request, project_id)
    # The role is checked before the (possibly large) body is parsed.
    require_manager(membership=membership, project=project)
    parsed = _parse_body(request, project)
    created = items_import(
        project=project, membership=membership, parsed=parsed, all_or_nothing=all_or_nothing
    )
    return {"created": created, "errors": parsed.errors}


def _transition(request, project_id: int, action: str) -> dict:
    membership, project = _project(request, project_id)
    project = project_transition(project=project, membership=membership, action=action)
    return {"status": project.status}


TRANSITION_HELP = (
    "Owners and managers. 409 `invalid_transition` from a state that does not allow it."
)


@router.post(
    "{int:project_id}/launch",
    summary="Launch a draft project",
    description=TRANSITION_HELP
    + " Reserves the budget (answers x reward plus the platform fee, and the expected gold "
    "answers) from the company balance and answers with those figures, the same as the "
    "launch page shows. 409 `no_items` without items to work on; 409 "
    "`insufficient_balance`, with the amounts, when the balance is short.",
    response={200: LaunchOut, **ERRORS},
)
def launch_project(request, project_id: int):
    membership, project = _project(request, project_id)
    quote = project_launch(project=project, membership=membership)
    project.refresh_from_db(fields=["status"])
    return {"status": project.status, "budget": quote.as_dict()}


@router.post(
    "{int:project_id}/pause",
    summary="Pause an active project",
    description=TRANSITION_HELP,
    response={200: StatusOut, **ERRORS},
)
def pause_project(request, project_id: int):
    return _transition(request, project_id, "pause")


@router.post(
    "{int:project_id}/resume",
    summary="Resume a paused project",
    description=TRANSITION_HELP,
    response={200: StatusOut, **ERRORS},
)
def resume_project(request, project_id: int):
    return _transition(request, project_id, "resume")


@router.post(
    "{int:project_id}/complete",
    summary="Mark a project completed",
    description=TRANSITION_HELP,
    response={200: StatusOut, **ERRORS},
)
def complete_project(request, project_id: int):
    return _transition(request, project_id, "complete")


@router.post(
    "{int:project_id}/cancel",
    summary="Cancel a project",
    description=TRANSITION_HELP,
    response={200: StatusOut, **ERRORS},
)
def cancel_project(request, project_id: int):
    return _transition(request, project_id, "cancel")


@router.get(
    "{int:project_id}/progress",
    summary="A project's progress",
    description="Items done, in progress and waiting; answers, spend, pace, estimated finish.",
    response={200: ProgressOut, **ERRORS},
)
def get_progress(request, project_id: int):
    _unused, project = _project(request, project_id)
    return project_progress(project=project).as_dict()
