"""Reads for the worker's pages: the projects a worker may work on, what a task pays per hour,
how many tasks are left for them, and why a locked project is locked.

Every query is bounded: the median time looks at the latest answers only, and the count of
tasks left stops at TASKS_LEFT_CAP, so the pages cost the same on a project of a million items.
"""

import datetime
import statistics
from dataclasses import dataclass

from django.db.models import Count, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from annotation.registry import INTERFACES
from core.money import format_money
from jobs.models import QualificationTest
from jobs.qualification_selectors import format_for_worker

from .assignment import Eligibility, project_eligibility
from .models import Assignment, Item, Project, WorkerStop

PROJECT_LIST_LIMIT = 60
TASKS_LEFT_CAP = 1000
# The median time is taken over this many of the latest answers, and only once there are
# a few of them: one early answer says little about how long a task takes.
MEDIAN_SAMPLE = 501
MIN_TIMED_ANSWERS = 3
EXPOSURE_WINDOW = datetime.timedelta(hours=24)


def format_duration(seconds: int) -> str:
    """45 -> "45 s", 80 -> "1 min 20 s", 3900 -> "1 h 5 min"."""
    seconds = max(int(seconds), 1)
    if seconds < 60:
        return f"{seconds} s"
    minutes, rest = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {rest} s" if rest and minutes < 10 else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


@dataclass(frozen=True)
class TimeEstimate:
    """How long a task takes: measured on answers, estimated from the listing, or unknown."""

    seconds: int | None
    source: str  # answers | listing | unknown

    @property
    def text(self) -> str:
        if self.seconds is None:
            return "New project"
        prefix = "" if self.source == "answers" else "about "
        return prefix + format_duration(self.seconds)

    @property
    def note(self) -> str:
        return {
            "answers": "median of submitted tasks",
            "listing": "estimate from the job listing",
            "unknown": "no answers yet to time",
        }[self.source]


def project_time_estimate(*, project: Project) -> TimeEstimate:
    """The median work time of the project's latest answers; before there are enough of them,
    the linked listing's minutes per task; otherwise unknown."""
    timed = list(
        Assignment.objects.filter(
            project=project, status__in=Assignment.ANSWERED, work_seconds__isnull=False
        )
        .order_by("-submitted_at")
        .values_list("work_seconds", flat=True)[:MEDIAN_SAMPLE]
    )
    if len(timed) >= MIN_TIMED_ANSWERS:
        return TimeEstimate(max(round(statistics.median(timed)), 1), "answers")
    minutes = (
        project.listings.filter(task_minutes__isnull=False)
        .order_by("task_minutes")
        .values_list("task_minutes", flat=True)
        .first()
    )
    if minutes:
        return TimeEstimate(minutes * 60, "listing")
    return TimeEstimate(None, "unknown")


def hourly_rate_text(*, reward_cents: int, currency: str, seconds: int | None) -> str:
    """The effective hourly rate a reward per task implies, e.g. "$9.00/h"; "" when unknown."""
    if not seconds:
        return ""
    cents = round(reward_cents * 3600 / seconds)
    return f"{format_money(cents, currency)}/h"


def tasks_left_for_worker(*, worker: User, project: Project) -> int:
    """Open non-gold items the worker has not had, counted up to TASKS_LEFT_CAP + 1."""
    items = (
        Item.objects.filter(project=project, is_open=True, is_gold=False)
        .exclude(assignments__worker=worker)
        .order_by()
        .values("pk")[: TASKS_LEFT_CAP + 1]
    )
    return items.count()


def count_text(count: int) -> str:
    return f"{TASKS_LEFT_CAP:,}+" if count > TASKS_LEFT_CAP else f"{count:,}"


def exposure_window_start(now: datetime.datetime) -> datetime.datetime:
    return now - EXPOSURE_WINDOW


def exposure_taken(*, worker: User, project: Project, now: datetime.datetime) -> QuerySet:
    """The worker's tasks of this project that count against its daily exposure cap."""
    return Assignment.objects.filter(
        project=project, worker=worker, leased_at__gt=exposure_window_start(now)
    )


def exposure_left(*, worker: User, project: Project, now=None) -> int | None:
    """Tasks the worker may still take today in a risky project; None without a cap."""
    if not project.daily_exposure_cap:
        return None
    now = now or timezone.now()
    taken = exposure_taken(worker=worker, project=project, now=now).count()
    return max(project.daily_exposure_cap - taken, 0)


def exposure_back_at(*, worker: User, project: Project, now=None) -> datetime.datetime | None:
    """When the oldest task in the window leaves it, freeing a place under the cap."""
    now = now or timezone.now()
    oldest = (
        exposure_taken(worker=worker, project=project, now=now)
        .order_by("leased_at")
        .values_list("leased_at", flat=True)
        .first()
    )
    return oldest + EXPOSURE_WINDOW if oldest else None


def qualification_test_for(*, project: Project) -> QualificationTest | None:
    """The test that grants the project's qualification: a linked listing's test first."""
    if project.required_qualification_id is None:
        return None
    tests = QualificationTest.objects.filter(qualification_id=project.required_qualification_id)
    return (
        tests.filter(job_pages__projects=project).first()
        or tests.order_by("-created_at", "-pk").first()
    )


def active_stop(*, worker: User, project: Project) -> WorkerStop | None:
    return WorkerStop.objects.filter(project=project, worker=worker, lifted_at__isnull=True).first()


def evidence_summary(evidence: dict) -> list[tuple[str, str]]:
    """The stop's evidence as (label, value) pairs; only plain figures and short notes."""
    pairs = []
    for key, value in (evidence or {}).items():
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            continue
        if isinstance(value, float):
            value = f"{value:.0%}" if 0 <= value <= 1 else f"{value:g}"
        text = str(value)
        if len(text) <= 200:
            pairs.append((key.replace("_", " ").capitalize(), text))
    return pairs


LOCK_TITLES = {
    "project_not_active": "This project is paused",
    "project_ended": "This project has ended",
    "email_unverified": "Verify your email first",
    "not_qualified": "You need a qualification first",
    "stopped": "You were stopped on this project",
    "cap_reached": "You have done your share of this project",
    "exposure_cap_reached": "Daily limit reached",
}


@dataclass
class Unlock:
    """Why a project is locked for a worker and what they can do about it."""

    code: str
    reason: str
    action_label: str = ""
    action_url: str = ""
    details: list[tuple[str, str]] | None = None

    @property
    def title(self) -> str:
        return LOCK_TITLES.get(self.code, "You cannot take tasks here now")


def unlock_for(
    *, worker: User, project: Project, eligibility: Eligibility, now=None
) -> Unlock | None:
    """The reason and the way forward for a refused eligibility; None when it is ok."""
    if eligibility.ok:
        return None
    code = eligibility.code
    if code == "not_qualified" and project.required_qualification_id:
        qualification = project.required_qualification
        reason = f"Needs the qualification “{qualification.name}”"
        if project.min_qualification_score:
            reason += f" with a score of at least {project.min_qualification_score}"
        test = qualification_test_for(project=project)
        if test is None:
            return Unlock(code, reason + ". No test grants it yet.")
        return Unlock(
            code,
            reason + ".",
            "Take the test",
            reverse("qualifications:test", kwargs={"test_id": test.pk}),
        )
    if code == "stopped":
        stop = active_stop(worker=worker, project=project)
        if stop is None:
            return Unlock(code, eligibility.message)
        return Unlock(
            code,
            f"Stopped by quality control: {stop.reason}",
            details=[
                ("Stopped on", format_for_worker(stop.created_at, worker)),
                *evidence_summary(stop.evidence),
            ],
        )
    if code == "exposure_cap_reached":
        back_at = exposure_back_at(worker=worker, project=project, now=now)
        reason = (
            f"You have reached today's limit of {project.daily_exposure_cap} tasks of this "
            "sensitive content, for your wellbeing."
        )
        if back_at:
            reason += f" You can take more from {format_for_worker(back_at, worker)}."
        return Unlock(code, reason)
    if code == "email_unverified":
        return Unlock(code, eligibility.message, "Verify your email", "/accounts/email/")
    if code == "project_not_active" and project.status != Project.Status.PAUSED:
        return Unlock("project_ended", "This project has ended: it takes no more answers.")
    return Unlock(code, eligibility.message)


@dataclass
class ProjectCard:
    """One project as the worker sees it: pay, time, hourly rate, tasks left, and its lock."""

    project: Project
    eligibility: Eligibility
    unlock: Unlock | None
    time: TimeEstimate
    hourly_text: str
    tasks_left: int | None = None
    exposure_left: int | None = None
    live_assignment_id: int | None = None

    @property
    def interface_label(self) -> str:
        interface = INTERFACES.get(self.project.interface)
        return interface.label if interface else self.project.interface

    @property
    def reward_text(self) -> str:
        return format_money(self.project.reward_cents, self.project.currency)

    @property
    def tasks_left_text(self) -> str:
        return "" if self.tasks_left is None else count_text(self.tasks_left)

    @property
    def can_start(self) -> bool:
        return self.eligibility.ok and (bool(self.tasks_left) or bool(self.live_assignment_id))

    @property
    def needs_confirmation(self) -> bool:
        return self.project.content_risk == Project.ContentRisk.GRAPHIC


def project_card(*, worker: User, project: Project, now=None) -> ProjectCard:
    """Everything a project's card or page shows for this worker."""
    now = now or timezone.now()
    eligibility = project_eligibility(worker=worker, project=project, now=now)
    time = project_time_estimate(project=project)
    card = ProjectCard(
        project=project,
        eligibility=eligibility,
        unlock=unlock_for(worker=worker, project=project, eligibility=eligibility, now=now),
        time=time,
        hourly_text=hourly_rate_text(
            reward_cents=project.reward_cents, currency=project.currency, seconds=time.seconds
        ),
    )
    if eligibility.ok:
        card.tasks_left = tasks_left_for_worker(worker=worker, project=project)
        card.exposure_left = exposure_left(worker=worker, project=project, now=now)
        card.live_assignment_id = (
            Assignment.objects.filter(
                project=project,
                worker=worker,
                status=Assignment.Status.LEASED,
                expires_at__gt=now,
            )
            .values_list("pk", flat=True)
            .first()
        )
    return card


def visible_projects() -> QuerySet[Project]:
    """Active projects, newest first, with what their cards show."""
    return Project.objects.filter(status=Project.Status.ACTIVE).select_related(
        "company", "company__record", "required_qualification"
    )


def worker_project_cards(*, worker: User, now=None) -> tuple[list[ProjectCard], list[ProjectCard]]:
    """(available, locked): the active projects split by the worker's eligibility.

    Available projects with tasks left come first, then those with none left for now.
    """
    now = now or timezone.now()
    projects = visible_projects().order_by("-launched_at", "-pk")[:PROJECT_LIST_LIMIT]
    available, locked = [], []
    for project in projects:
        card = project_card(worker=worker, project=project, now=now)
        (available if card.eligibility.ok else locked).append(card)
    available.sort(key=lambda card: not card.can_start)
    return available, locked


def project_for_worker(*, project_id: int) -> QuerySet[Project]:
    """A project a worker may look at: any that is or was live, never a draft."""
    return (
        Project.objects.filter(pk=project_id)
        .exclude(status=Project.Status.DRAFT)
        .select_related("company", "company__record", "required_qualification")
    )


def assignment_for_worker(*, worker: User, assignment_id: int) -> QuerySet[Assignment]:
    """The worker's own assignment by id (a queryset for get_object_or_404)."""
    return Assignment.objects.filter(pk=assignment_id, worker=worker).select_related(
        "project", "project__company", "item"
    )


@dataclass(frozen=True)
class SessionTally:
    count: int
    earned_cents: int
    currency: str

    @property
    def earned_text(self) -> str:
        return format_money(self.earned_cents, self.currency)


def session_tally(*, worker: User, project: Project, since: datetime.datetime) -> SessionTally:
    """Tasks the worker submitted in the project since `since`, and what they pay."""
    totals = Assignment.objects.filter(
        project=project,
        worker=worker,
        status__in=Assignment.ANSWERED,
        submitted_at__gte=since,
    ).aggregate(count=Count("pk"), earned=Sum("reward_cents"))
    return SessionTally(totals["count"], totals["earned"] or 0, project.currency)
