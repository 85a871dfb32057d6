"""Task projects of a company: creating, editing and moving them through their states.

States: draft → active (launch) ⇄ paused; active/paused → completed; draft/active/paused →
cancelled. Completed and cancelled projects are final and read-only.

Only owners and managers of the owning company change a project; reviewers read. Once a
project is launched, workers have answered against its interface, label schema and reward,
so those stay as they were (LOCKED_AFTER_LAUNCH), and the overlap may grow but never shrink
below the answers an item already holds.
"""

import logging
import math
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Sum
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Notification, User
from accounts.notifications import Notice, notify_many
from annotation.registry import get_interface
from core.categories import Category
from core.errors import LoopworkError
from core.money import format_money, platform_currency
from core.sanitize import sanitize_html
from jobs.models import Application, JobPage, Qualification
from payouts.fees import cost_with_fee_cents
from payouts.funding import escrow_cents, escrow_release, escrow_reserve

from .models import (
    MAX_ESTIMATED_TASK_SECONDS,
    MAX_OVERLAP,
    MAX_PAY_FLOOR_HOURLY_CENTS,
    Assignment,
    Item,
    Project,
)
from .pay import listing_pay_refresh, minimum_reward_cents, pay_floor_cents, project_pay

logger = logging.getLogger(__name__)

MANAGER_ROLES = (Membership.Role.OWNER, Membership.Role.MANAGER)

# Settings that change what a task pays per hour, shown on the project's listings.
PAY_SETTINGS = {"reward_cents", "estimated_task_seconds", "pay_floor_hourly_cents"}
# Settings that stay as they were once a project has been launched.
LOCKED_AFTER_LAUNCH = ("interface", "label_schema", "reward_cents", "estimated_task_seconds")
FINAL_STATES = (Project.Status.COMPLETED, Project.Status.CANCELLED)

MAX_REWARD_CENTS = 100_00
MIN_LEASE_SECONDS = 30
MAX_LEASE_SECONDS = 24 * 3600
MAX_AUTO_APPROVE_HOURS = 30 * 24
MAX_GOLD_RATE = 50
MAX_MIN_WORK_SECONDS = 3600
# Caps are stored as 32-bit integers; far above any real project's size.
MAX_COUNT = 10_000_000
NULLABLE_FIELDS = (
    "max_assignments_per_worker",
    "daily_exposure_cap",
    "max_overlap",
    "pay_floor_hourly_cents",
    "estimated_task_seconds",
)

# The settings a company may give, with their types; anything else is ignored by callers.
EDITABLE_FIELDS = (
    "title",
    "description",
    "instructions",
    "category",
    "interface",
    "label_schema",
    "reward_cents",
    "estimated_task_seconds",
    "overlap",
    "lease_seconds",
    "max_assignments_per_worker",
    "required_qualification",
    "min_qualification_score",
    "listings",
    "access",
    "gold_rate",
    "accuracy_threshold",
    "min_gold_answers",
    "show_gold_feedback",
    "revoke_qualification_on_stop",
    "min_work_seconds",
    "max_overlap",
    "confidence_target",
    "auto_approve_hours",
    "content_risk",
    "daily_exposure_cap",
    "pay_floor_hourly_cents",
)


@dataclass(frozen=True)
class Transition:
    """A state change a company may ask for: the states it starts from and where it goes."""

    action: str
    label: str
    sources: tuple[str, ...]
    target: str
    confirm: str


TRANSITIONS = {
    "launch": Transition(
        "launch",
        "Launch",
        (Project.Status.DRAFT,),
        Project.Status.ACTIVE,
        "Launch the project? Workers can start right away, and the interface, label schema "
        "and reward can no longer change.",
    ),
    "pause": Transition(
        "pause",
        "Pause",
        (Project.Status.ACTIVE,),
        Project.Status.PAUSED,
        "Pause the project? Nobody gets new tasks until you resume; tasks in progress can "
        "still be submitted.",
    ),
    "resume": Transition(
        "resume",
        "Resume",
        (Project.Status.PAUSED,),
        Project.Status.ACTIVE,
        "Resume the project? Workers get tasks again.",
    ),
    "complete": Transition(
        "complete",
        "Mark completed",
        (Project.Status.ACTIVE, Project.Status.PAUSED),
        Project.Status.COMPLETED,
        "Mark the project completed? No more tasks are handed out and this cannot be undone.",
    ),
    "cancel": Transition(
        "cancel",
        "Cancel project",
        (Project.Status.DRAFT, Project.Status.ACTIVE, Project.Status.PAUSED),
        Project.Status.CANCELLED,
        "Cancel the project? No more tasks are handed out and this cannot be undone.",
    ),
}


def allowed_transitions(project: Project) -> list[Transition]:
    """The transitions the project's current state allows, in display order."""
    return [t for t in TRANSITIONS.values() if project.status in t.sources]


def settings_locked(project: Project) -> tuple[str, ...]:
    """The settings that may not change any more in the project's state."""
    if project.status == Project.Status.DRAFT:
        return ()
    if project.status in FINAL_STATES:
        return EDITABLE_FIELDS
    return LOCKED_AFTER_LAUNCH


def require_manager(*, membership: Membership | None, project: Project | None = None) -> None:
    """Refuse anyone who is not an owner or manager (of the project's company, when given).

    Another company's project answers "not found", so its existence is not revealed.
    """
    if membership is None:
        raise LoopworkError(
            "Only members of a company manage projects.", code="forbidden", status=403
        )
    if project is not None and project.company_id != membership.company_id:
        raise LoopworkError("Not found.", code="not_found", status=404)
    if membership.role not in MANAGER_ROLES:
        raise LoopworkError(
            "Only owners and managers change projects; reviewers can view them.",
            code="forbidden",
            status=403,
        )


def _error(message: str, field: str, code: str = "invalid_input") -> LoopworkError:
    return LoopworkError(message, code=code, field=field, status=422)


def _int_in_range(data: dict, field: str, low: int, high: int | None, label: str) -> None:
    if field not in data:
        return
    value = data[field]
    if value is None and field in NULLABLE_FIELDS:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise _error(f"{label} must be a whole number.", field)
    if value < low or (high is not None and value > high):
        limits = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise _error(f"{label} must be {limits}.", field)


def _clean(*, company, data: dict, project: Project | None) -> dict:
    """Check and normalise the given settings; raises LoopworkError naming the field."""
    cleaned = {key: data[key] for key in EDITABLE_FIELDS if key in data}
    if "title" in cleaned:
        cleaned["title"] = str(cleaned["title"] or "").strip()
        if not cleaned["title"]:
            raise _error("Give the project a title.", "title")
        if len(cleaned["title"]) > 160:
            raise _error("Keep the title to 160 characters.", "title")
    if "description" in cleaned:
        cleaned["description"] = str(cleaned["description"] or "").strip()
        if len(cleaned["description"]) > 2000:
            raise _error("Keep the description to 2,000 characters.", "description")
    if "instructions" in cleaned:
        cleaned["instructions"] = sanitize_html(str(cleaned["instructions"] or ""))
        if len(cleaned["instructions"]) > 50_000:
            raise _error("Keep the instructions to 50,000 characters.", "instructions")
    if "category" in cleaned and cleaned["category"] not in Category.values:
        raise _error("Choose one of the work categories.", "category")
    if "interface" in cleaned:
        interface = get_interface(str(cleaned["interface"]))
        cleaned["interface"] = interface.name
    interface_name = cleaned.get("interface") or (project.interface if project else None)
    interface_changed = "interface" in cleaned and (
        project is None or cleaned["interface"] != project.interface
    )
    if "label_schema" in cleaned or interface_changed:
        if interface_name is None:
            raise _error("Choose an annotation interface.", "interface")
        schema = cleaned.get("label_schema", project.label_schema if project else None)
        if not isinstance(schema, dict):
            raise _error("The label schema must be a JSON object.", "label_schema")
        try:
            cleaned["label_schema"] = get_interface(interface_name).clean_config(schema)
        except LoopworkError as error:
            raise _error(error.message, "label_schema", code="invalid_label_schema") from error
    _int_in_range(cleaned, "reward_cents", 1, MAX_REWARD_CENTS, "The reward (in cents)")
    _int_in_range(cleaned, "overlap", 1, MAX_OVERLAP, "Overlap")
    _int_in_range(cleaned, "lease_seconds", MIN_LEASE_SECONDS, MAX_LEASE_SECONDS, "The lease")
    _int_in_range(
        cleaned, "estimated_task_seconds", 1, MAX_ESTIMATED_TASK_SECONDS, "The time per task"
    )
    estimate = cleaned.get(
        "estimated_task_seconds", project.estimated_task_seconds if project else None
    )
    lease = cleaned.get("lease_seconds", project.lease_seconds if project else 600)
    if estimate is not None and estimate > lease:
        raise _error(
            f"A task must fit in its lease: the time per task ({estimate} s) is longer than "
            f"the time a worker holds it ({lease} s).",
            "estimated_task_seconds",
        )
    _int_in_range(cleaned, "max_assignments_per_worker", 1, MAX_COUNT, "The per-worker maximum")
    _int_in_range(cleaned, "min_qualification_score", 0, 100, "The minimum score")
    _int_in_range(cleaned, "gold_rate", 0, MAX_GOLD_RATE, "The gold rate")
    _int_in_range(cleaned, "accuracy_threshold", 0, 100, "The accuracy threshold")
    _int_in_range(cleaned, "min_gold_answers", 0, 1000, "The minimum gold answers")
    _int_in_range(cleaned, "auto_approve_hours", 1, MAX_AUTO_APPROVE_HOURS, "Auto-approval")
    _int_in_range(cleaned, "daily_exposure_cap", 1, MAX_COUNT, "The daily exposure cap")
    _int_in_range(
        cleaned,
        "pay_floor_hourly_cents",
        0,
        MAX_PAY_FLOOR_HOURLY_CENTS,
        "The pay floor (in cents per hour)",
    )
    if cleaned.get("pay_floor_hourly_cents") == 0:
        cleaned["pay_floor_hourly_cents"] = None
    if "show_gold_feedback" in cleaned:
        cleaned["show_gold_feedback"] = bool(cleaned["show_gold_feedback"])
    _clean_quality_control(cleaned, project)
    if "required_qualification" in cleaned:
        qualification = cleaned["required_qualification"]
        if isinstance(qualification, int) and not isinstance(qualification, bool):
            qualification = Qualification.objects.filter(pk=qualification).first()
        if qualification is not None and (
            not isinstance(qualification, Qualification)
            or qualification.company_id not in (None, company.pk)
        ):
            raise _error(
                "Choose a platform or one of your own qualifications.", "required_qualification"
            )
        cleaned["required_qualification"] = qualification
    if "listings" in cleaned:
        wanted = list(cleaned["listings"] or [])
        ids = [item.pk if isinstance(item, JobPage) else item for item in wanted]
        if any(isinstance(pk, bool) or not isinstance(pk, int) for pk in ids):
            raise _error("Listings are given by their ids.", "listings")
        listings = list(JobPage.objects.filter(company=company, pk__in=ids))
        if len(listings) != len(set(ids)):
            raise _error("Link only your own job listings.", "listings")
        hourly = [listing.title for listing in listings if not listing.pays_through_projects]
        if hourly:
            raise _error(
                f"“{hourly[0]}” is hourly work outside Loopwork with a pay of its own; link "
                "listings of task work, whose pay comes from their projects.",
                "listings",
            )
        cleaned["listings"] = listings
    if "access" in cleaned and cleaned["access"] not in Project.Access.values:
        raise _error(
            "Choose who may take tasks: workers admitted through the listings, or every "
            "worker with the qualification.",
            "access",
        )
    if "content_risk" in cleaned and cleaned["content_risk"] not in Project.ContentRisk.values:
        raise _error("Choose none, mild or graphic.", "content_risk")
    risk = cleaned.get("content_risk", project.content_risk if project else "none")
    cap = cleaned.get("daily_exposure_cap", project.daily_exposure_cap if project else None)
    if risk != Project.ContentRisk.NONE and cap is None:
        raise _error(
            "Risky content needs a daily exposure cap: the most tasks one worker may take in "
            "24 hours.",
            "daily_exposure_cap",
        )
    return cleaned


def _clean_quality_control(cleaned: dict, project: Project | None) -> None:
    """The speed flag, the stop's revocation and dynamic overlap (max_overlap ≥ overlap)."""
    _int_in_range(
        cleaned, "min_work_seconds", 0, MAX_MIN_WORK_SECONDS, "The minimum work time (seconds)"
    )
    _int_in_range(cleaned, "max_overlap", 1, MAX_OVERLAP, "The most answers per item")
    if "revoke_qualification_on_stop" in cleaned:
        cleaned["revoke_qualification_on_stop"] = bool(cleaned["revoke_qualification_on_stop"])
    if "max_overlap" in cleaned or "overlap" in cleaned:
        overlap = cleaned.get("overlap", project.overlap if project else 1)
        max_overlap = cleaned.get("max_overlap", project.max_overlap if project else None)
        if max_overlap is not None and max_overlap < overlap:
            raise _error(
                f"The most answers per item must be at least the overlap ({overlap}).",
                "max_overlap",
            )
    if "confidence_target" in cleaned:
        target = cleaned["confidence_target"]
        if isinstance(target, bool) or not isinstance(target, int | float) or target != target:
            raise _error("The confidence target must be a number from 0 to 1.", "confidence_target")
        if not 0 <= target <= 1:
            raise _error("The confidence target must be between 0 and 1.", "confidence_target")
        cleaned["confidence_target"] = float(target)


def _apply(project: Project, cleaned: dict) -> list:
    listings = cleaned.pop("listings", None)
    for key, value in cleaned.items():
        setattr(project, key, value)
    return listings


@transaction.atomic
def project_create(*, membership: Membership, user: User, data: dict) -> Project:
    """Create a draft project for the member's company from checked settings.

    Needs title, category (defaults to the interface's usual one: text annotation), interface
    and reward; the label schema defaults to the interface's example when not given.
    """
    require_manager(membership=membership)
    data = dict(data)
    for field, message in (
        ("title", "Give the project a title."),
        ("interface", "Choose an annotation interface."),
        ("reward_cents", "Set the reward per assignment."),
    ):
        if data.get(field) in (None, ""):
            raise _error(message, field)
    data.setdefault("category", Category.TEXT_ANNOTATION)
    if data.get("label_schema") is None:
        data["label_schema"] = get_interface(str(data["interface"])).example_config()
    cleaned = _clean(company=membership.company, data=data, project=None)
    project = Project(company=membership.company, created_by=user, currency=platform_currency())
    listings = _apply(project, cleaned)
    project.save()
    if listings is not None:
        project.listings.set(listings)
        listing_pay_refresh(listing_ids=[listing.pk for listing in listings])
    logger.info("project created", extra={"project_id": project.pk, "user_id": user.pk})
    return project


@transaction.atomic
def project_update(*, project: Project, membership: Membership, data: dict) -> Project:
    """Change the given settings; refuses locked ones (see settings_locked) and changes nothing.

    A locked setting given with its current value is not a change and passes.
    """
    require_manager(membership=membership, project=project)
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.status in FINAL_STATES:
        raise LoopworkError(
            f"This project is {project.get_status_display().lower()}; its settings are final.",
            code="project_final",
            status=409,
        )
    cleaned = _clean(company=membership.company, data=data, project=project)
    for field in settings_locked(project):
        if field in cleaned and cleaned[field] != getattr(project, field):
            raise LoopworkError(
                "This cannot change once the project is launched: workers have answered "
                "against it.",
                code="setting_locked",
                field=field,
                status=409,
            )
    if project.status != Project.Status.DRAFT and "pay_floor_hourly_cents" in cleaned:
        # Workers took tasks trusting the floor: after launch it may rise, never fall.
        before = project.pay_floor_hourly_cents or 0
        if (cleaned["pay_floor_hourly_cents"] or 0) < before:
            raise LoopworkError(
                "After launch the pay floor can be raised but not lowered: workers took tasks "
                "trusting it.",
                code="pay_floor_lowered",
                field="pay_floor_hourly_cents",
                status=409,
            )
    if "overlap" in cleaned and cleaned["overlap"] < project.overlap:
        held = project.items.filter(is_gold=False).aggregate(most=Max("assigned_count"))["most"]
        if held and cleaned["overlap"] < held:
            raise LoopworkError(
                f"Some items already have {held} answers or tasks in progress; the overlap "
                f"cannot go below {held}.",
                code="overlap_below_answers",
                field="overlap",
                status=409,
            )
    linked_before = set(project.listings.values_list("pk", flat=True))
    listings = _apply(project, cleaned)
    project.save()
    if listings is not None:
        project.listings.set(listings)
    linked_now = set(project.listings.values_list("pk", flat=True))
    if linked_now != linked_before or PAY_SETTINGS & cleaned.keys():
        listing_pay_refresh(listing_ids=linked_before | linked_now)
    if "overlap" in cleaned:
        _reopen_items(project)
    if project.status in LIVE_STATES and ("overlap" in cleaned or "gold_rate" in cleaned):
        project_escrow_top_up(
            project=project,
            key=f"escrow:project:{project.pk}:update:{project.updated_at.isoformat()}",
            action="This change",
        )
    return project


def _reopen_items(project: Project) -> None:
    """Keep each item's is_open in line with the (changed) overlap."""
    items = Item.objects.filter(project=project, is_gold=False)
    wanted = F("extra_answers") + project.overlap
    items.filter(assigned_count__lt=wanted, is_open=False).update(is_open=True)
    items.filter(assigned_count__gte=wanted, is_open=True).update(is_open=False)


def _launch_checks(project: Project) -> None:
    """Everything a draft needs before workers see it (the budget is checked as it is
    reserved): items, a valid schema, a way in for workers, and pay at the floor."""
    if not project.items.filter(is_gold=False).exists():
        raise LoopworkError(
            "Upload at least one item (not counting gold items) before launching.",
            code="no_items",
            status=409,
        )
    try:
        get_interface(project.interface).clean_config(project.label_schema)
    except LoopworkError as error:
        raise LoopworkError(
            f"The label schema is not valid: {error.message}",
            code="invalid_label_schema",
            field="label_schema",
            status=409,
        ) from error
    if project.through_listings and not project.listings.exists():
        raise LoopworkError(
            "Only workers admitted through its listings may take this project's tasks, and it "
            "has no listing. Link a listing, or open the project to every worker who holds its "
            "qualification.",
            code="no_listing",
            field="listings",
            status=409,
        )
    _pay_floor_check(project)


def _pay_floor_check(project: Project) -> None:
    """Refuse a launch whose reward over the estimated time per task pays under the floor."""
    seconds = project.estimated_task_seconds
    if not seconds:
        raise LoopworkError(
            "Say how long one task takes (the time per task): workers see it, and the pay "
            "floor is checked against it.",
            code="no_time_estimate",
            field="estimated_task_seconds",
            status=409,
        )
    floor = pay_floor_cents(project)
    smallest = minimum_reward_cents(seconds=seconds, floor_cents=floor)
    if project.reward_cents < smallest:
        pays = project_pay(project)
        raise LoopworkError(
            f"At {format_money(project.reward_cents, project.currency)} a task of "
            f"{pays.time_text} this pays {pays.hourly_text}, under the pay floor of "
            f"{format_money(floor, project.currency)} an hour. The smallest reward that "
            f"meets it is {format_money(smallest, project.currency)}.",
            code="below_pay_floor",
            field="reward_cents",
            status=409,
        )


@transaction.atomic
def project_transition(*, project: Project, membership: Membership, action: str) -> Project:
    """Move the project along one of TRANSITIONS under a row lock, or refuse and change nothing.

    Launch runs _launch_checks first; completing and cancelling stamp finished_at.
    """
    require_manager(membership=membership, project=project)
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise LoopworkError(f"Unknown action {action!r}.", code="invalid_transition", status=400)
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.status not in transition.sources:
        raise _wrong_state(project, action)
    now = timezone.now()
    if action == "launch":
        _launch_checks(project)
        project_escrow_top_up(
            project=project, key=f"escrow:project:{project.pk}:launch", action="Launching"
        )
        project.launched_at = now
    if transition.target in FINAL_STATES:
        project.finished_at = now
    project.status = transition.target
    project.save(update_fields=["status", "launched_at", "finished_at", "updated_at"])
    if transition.target in FINAL_STATES:
        project_escrow_release(project=project, key=f"escrow:project:{project.pk}:{action}")
    # Which projects a listing's pay shows depends on their states.
    listing_pay_refresh(listing_ids=project.listings.values_list("pk", flat=True))
    if action == "launch" and project.through_listings:
        transaction.on_commit(partial(_queue_project_opened, project.pk))
    logger.info(
        "project transition",
        extra={"project_id": project.pk, "action": action, "user_id": membership.user_id},
    )
    return project


def _queue_project_opened(project_id: int) -> None:
    # Imported here: the tasks module imports this one.
    from .tasks import announce_project_opened

    announce_project_opened.delay(project_id)


def project_opened_announce(*, project_id: int) -> int:
    """Tell every worker admitted through the project's listings that its tasks are open to
    them (`project_opened`); returns how many were told. Idempotent: a worker already told
    about this project is not told again."""
    project = Project.objects.filter(pk=project_id, status=Project.Status.ACTIVE).first()
    if project is None or not project.through_listings:
        return 0
    link = reverse("work:project", kwargs={"project_id": project.pk})
    admitted = (
        Application.objects.filter(
            job__in=project.listings.filter(live=True).exclude(status=JobPage.Status.CLOSED),
            status=Application.Status.ACTIVE,
        )
        .exclude(
            Exists(
                Notification.objects.filter(
                    user=OuterRef("worker"), kind="project_opened", link=link
                )
            )
        )
        .select_related("worker", "job")
        .order_by("worker_id")
    )
    pay = project_pay(project)
    notices, told = [], set()
    for application in admitted:
        if application.worker_id in told:
            continue
        told.add(application.worker_id)
        notices.append(
            Notice(
                user=application.worker,
                title=f"New tasks for you: {project.title}",
                body=f"You were admitted through “{application.job.title}”, so this project is "
                f"open to you: {pay.reward_text} per task, {pay.time_text}, ≈ {pay.hourly_text}.",
                link=link,
            )
        )
    notify_many(notices, kind="project_opened")
    return len(told)


_PAST = {
    "launch": "launched",
    "pause": "paused",
    "resume": "resumed",
    "complete": "completed",
    "cancel": "cancelled",
}


def project_launch_check(project: Project) -> None:
    """Raise the refusal a launch of `project` would meet now, before any money moves: its
    state, then _launch_checks. Changes nothing; the launch page shows what it raises, and
    the balance is checked where the budget is reserved (project_escrow_top_up)."""
    if project.status not in TRANSITIONS["launch"].sources:
        raise _wrong_state(project, "launch")
    _launch_checks(project)


def _wrong_state(project: Project, action: str) -> LoopworkError:
    state = project.get_status_display().lower()
    article = "An" if state[0] in "aeiou" else "A"
    return LoopworkError(
        f"{article} {state} project cannot be {_PAST[action]}.",
        code="invalid_transition",
        status=409,
    )


# --- The project's budget in escrow ------------------------------------------------------------
#
# Launching reserves what the project can still pay: every answer it asks for (items x
# overlap, plus the extra answers dynamic overlap asked for), less the answers already
# approved (a rejected answer is replaced, so its place is still to pay), at the reward
# plus the platform fee. Gold answers are tasks a worker does and is
# paid for like any other, so they are reserved too: about gold_rate% of all leases are gold
# (marketplace/assignment.py draws them at that rate), i.e. answers x rate / (100 - rate).
# That is an estimate (the draw is random); an approval that finds the escrow short draws the
# rest from the company balance (payouts/earnings.py), and what is left over comes back when
# the project finishes. Adding items, raising the overlap or the gold rate, and asking for
# more answers reserve the difference, or are refused with the amounts when the balance is
# short. Completing or cancelling keeps what the submissions still awaiting review (and, on a
# completed project, the leases that may still be submitted) can cost, and returns the rest;
# `project_escrow_settle` returns that remainder once the last of them is decided.

LIVE_STATES = (Project.Status.ACTIVE, Project.Status.PAUSED)


@dataclass(frozen=True)
class Budget:
    """What a project may still pay: answers and expected gold answers at the cost of each."""

    answers: int
    gold_answers: int
    cost_each_cents: int
    reward_cents: int

    @property
    def total_cents(self) -> int:
        return (self.answers + self.gold_answers) * self.cost_each_cents

    def describe(self, reserved_cents: int) -> str:
        parts = [
            f"{self.answers:,} answers"
            + (f" and {self.gold_answers:,} expected control answers" if self.gold_answers else "")
            + f" at {format_money(self.cost_each_cents)} each (the "
            f"{format_money(self.reward_cents)} reward plus the "
            f"{settings.PLATFORM_FEE_PERCENT}% platform fee)"
        ]
        if reserved_cents:
            parts.append(f"less {format_money(reserved_cents)} already reserved")
        return ", ".join(parts)


def project_budget(project: Project) -> Budget:
    """The answers the project can still pay for (undecided ones included) and their cost."""
    real = Item.objects.filter(project=project, is_gold=False).aggregate(
        count=Count("pk"), extra=Sum("extra_answers")
    )
    wanted = real["count"] * project.overlap + (real["extra"] or 0)
    # Approved answers are paid already; a rejected one is replaced by another answer, which
    # the budget must still pay for.
    approved = Assignment.objects.filter(
        project=project, is_gold=False, status=Assignment.Status.APPROVED
    ).count()
    answers = max(wanted - approved, 0)
    gold = 0
    if project.gold_rate and project.items.filter(is_gold=True).exists():
        gold = math.ceil(answers * project.gold_rate / (100 - project.gold_rate))
    return Budget(
        answers=answers,
        gold_answers=gold,
        cost_each_cents=cost_with_fee_cents(project.reward_cents),
        reward_cents=project.reward_cents,
    )


def project_escrow_top_up(*, project: Project, key: str, action: str = "This") -> int:
    """Reserve what the project's budget needs beyond its escrow; returns the amount reserved.

    Idempotent on `key`; nothing when the escrow already covers the budget. Refuses (409
    insufficient_balance, with the amounts) when the company balance is short; the caller's
    transaction then undoes the change that needed the money.
    """
    budget = project_budget(project)
    reserved = escrow_cents(project.pk)
    needed = budget.total_cents - reserved
    if needed <= 0:
        return 0
    escrow_reserve(
        project_id=project.pk,
        company_id=project.company_id,
        amount_cents=needed,
        currency=project.currency,
        key=key,
        project_title=project.title,
        breakdown=f"{action} needs {budget.describe(reserved)}",
    )
    return needed


def _awaiting_cost_cents(project: Project) -> int:
    """What the project's submissions awaiting review (and on a completed project its live
    leases, which may still be submitted) will cost if approved."""
    statuses = list(Assignment.UNDECIDED)
    if project.status == Project.Status.COMPLETED:
        statuses.append(Assignment.Status.LEASED)
    rows = (
        Assignment.objects.filter(project=project, status__in=statuses)
        .values("reward_cents")
        .annotate(count=Count("pk"))
    )
    return sum(cost_with_fee_cents(row["reward_cents"]) * row["count"] for row in rows)


def project_escrow_release(*, project: Project, key: str) -> int:
    """Return the escrow of a finished project to the company balance, keeping what its
    pending submissions may cost; idempotent on `key`. Returns the amount released."""
    return escrow_release(
        project_id=project.pk,
        company_id=project.company_id,
        keep_cents=_awaiting_cost_cents(project),
        key=key,
        project_title=project.title,
    )


def project_escrow_settle(*, project_id: int) -> int:
    """After a review decision: once a finished project has nothing awaiting review, return
    the rest of its escrow (rejected answers, unused gold estimate). Idempotent; call it in
    the decision's transaction. Returns the amount released (0 while work is pending)."""
    project = Project.objects.filter(pk=project_id).first()
    if project is None or project.status not in FINAL_STATES or _awaiting_cost_cents(project):
        return 0
    return escrow_release(
        project_id=project.pk,
        company_id=project.company_id,
        keep_cents=0,
        key=completion_key(project, "settled"),
        project_title=project.title,
    )


def completion_key(project: Project, step: str) -> str:
    """The ledger key of a finished project's escrow `step` ("complete", "settled"): one per
    time it finished, since a project the engine completed reopens when a rejection frees a
    place, and finishes again later."""
    return f"escrow:project:{project.pk}:{step}:{project.finished_at:%Y%m%dT%H%M%S%f}"
