"""Reads for the worker's pages: the projects a worker may work on, grouped under the listing
each came through, what a task pays per task and per hour, how many tasks are left for them,
and why a locked project is locked and what to do about it.

The pages read many projects at once, so everything here is batched: the worker's standing
in every listed project is one query (assignment.worker_standings, the rules a claim
applies), tasks left are one query (each count stops at TASKS_LEFT_CAP), and the listings,
applications, tests and stops behind the cards are one query each. /work/ costs the same
number of queries for one project as for sixty. Pay figures come from marketplace/pay.py,
the same stored figures the listings show.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from annotation.registry import INTERFACES
from core.money import format_money
from jobs.models import Application, JobPage, QualificationTest
from jobs.qualification_selectors import format_for_worker

from .assignment import Eligibility, eligibility_from, worker_standings
from .models import Assignment, Item, Project, WorkerStop
from .pay import ProjectPay, project_pay

PROJECT_LIST_LIMIT = 60
TASKS_LEFT_CAP = 1000
EXPOSURE_WINDOW = datetime.timedelta(hours=24)
ADMISSION_CODES = (
    "not_admitted",
    "admission_pending",
    "application_declined",
    "application_withdrawn",
    "listing_closed",
)


def count_text(count: int) -> str:
    return f"{TASKS_LEFT_CAP:,}+" if count > TASKS_LEFT_CAP else f"{count:,}"


def exposure_window_start(now: datetime.datetime) -> datetime.datetime:
    return now - EXPOSURE_WINDOW


def exposure_taken(*, worker: User, project: Project, now: datetime.datetime) -> QuerySet:
    """The worker's tasks of this project that count against its daily exposure cap."""
    return Assignment.objects.filter(
        project=project, worker=worker, leased_at__gt=exposure_window_start(now)
    )


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
    "not_admitted": "Apply to its listing first",
    "admission_pending": "Your application is not decided yet",
    "application_declined": "Your application was not selected",
    "application_withdrawn": "You withdrew your application",
    "listing_closed": "The listing has closed",
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
    heading: str = ""

    @property
    def title(self) -> str:
        return self.heading or LOCK_TITLES.get(self.code, "You cannot take tasks here now")


@dataclass
class ProjectCard:
    """One project as the worker sees it: pay, time, hourly rate, tasks left, and its lock.

    `listing` is the listing the project came through for this worker (the one they were
    admitted through or applied to, else its first linked listing), shown and linked.
    """

    project: Project
    eligibility: Eligibility
    pay: ProjectPay
    unlock: Unlock | None = None
    listing: JobPage | None = None
    application: Application | None = None
    tasks_left: int | None = None
    exposure_left: int | None = None
    live_assignment_id: int | None = None

    @property
    def interface_label(self) -> str:
        interface = INTERFACES.get(self.project.interface)
        return interface.label if interface else self.project.interface

    @property
    def reward_text(self) -> str:
        return self.pay.reward_text

    @property
    def tasks_left_text(self) -> str:
        return "" if self.tasks_left is None else count_text(self.tasks_left)

    @property
    def can_start(self) -> bool:
        return self.eligibility.ok and (bool(self.tasks_left) or bool(self.live_assignment_id))

    @property
    def needs_confirmation(self) -> bool:
        return self.project.content_risk == Project.ContentRisk.GRAPHIC


@dataclass
class ListingGroup:
    """The projects a worker reaches through one listing (None: open to qualified workers)."""

    listing: JobPage | None
    cards: list[ProjectCard] = field(default_factory=list)


def _tasks_left(*, worker: User, project_ids: list[int]) -> dict[int, int]:
    """Open real items each project has that the worker never had, each counted up to
    TASKS_LEFT_CAP + 1, in one query (a bounded subquery per project)."""
    if not project_ids:
        return {}
    items, assignments = Item._meta.db_table, Assignment._meta.db_table
    placeholders = ", ".join(["%s"] * len(project_ids))
    sql = (
        f"SELECT p.id, (SELECT count(*) FROM (SELECT 1 FROM {items} i "  # noqa: S608 (model names)
        "WHERE i.project_id = p.id AND i.is_open AND i.is_gold = %s "
        f"AND NOT EXISTS (SELECT 1 FROM {assignments} a WHERE a.item_id = i.id "
        "AND a.worker_id = %s) LIMIT %s) AS open_items) "
        f"FROM {Project._meta.db_table} p WHERE p.id IN ({placeholders})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [False, worker.pk, TASKS_LEFT_CAP + 1, *project_ids])
        return dict(cursor.fetchall())


def _listings_by_project(project_ids: list[int]) -> dict[int, list[JobPage]]:
    """Each project's live listings, in one query."""
    through = Project.listings.through
    links = (
        through.objects.filter(project_id__in=project_ids, jobpage__live=True)
        .select_related("jobpage", "jobpage__company")
        .order_by("jobpage__title", "jobpage_id")
    )
    by_project = defaultdict(list)
    for link in links:
        by_project[link.project_id].append(link.jobpage)
    return by_project


def _came_through(
    listings: list[JobPage], applications: dict[int, Application]
) -> tuple[JobPage | None, Application | None]:
    """The listing a worker reaches a project through: an admitted application's first, then
    any application's, then the project's first listing."""
    for wanted in (Application.Status.ACTIVE, None):
        for listing in listings:
            application = applications.get(listing.pk)
            if application is not None and wanted in (None, application.status):
                return listing, application
    return (listings[0] if listings else None), None


def _unlock(
    *,
    card: ProjectCard,
    tests: dict[int, QualificationTest],
    stops: dict[int, WorkerStop],
    worker: User,
    now,
) -> Unlock | None:
    """The reason and the way forward for a refused eligibility; None when it is ok."""
    eligibility, project = card.eligibility, card.project
    if eligibility.ok:
        return None
    code = eligibility.code
    listing = card.listing
    if code in ADMISSION_CODES:
        return _admission_unlock(code, eligibility, listing, card.application)
    if code == "not_qualified" and project.required_qualification_id:
        qualification = project.required_qualification
        reason = f"Needs the qualification “{qualification.name}”"
        if project.min_qualification_score:
            reason += f" with a score of at least {project.min_qualification_score}"
        test = tests.get(project.pk)
        if test is None:
            return Unlock(code, reason + ". No test grants it yet.")
        return Unlock(
            code,
            reason + ".",
            "Take the test",
            reverse("qualifications:test", kwargs={"test_id": test.pk}),
        )
    if code == "stopped":
        stop = stops.get(project.pk)
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


def _admission_unlock(
    code: str, eligibility: Eligibility, listing: JobPage | None, application: Application | None
) -> Unlock:
    """What to do when the project is for workers admitted through its listing."""
    if listing is None:
        return Unlock(code, eligibility.message)
    name = f"“{listing.title}”"
    application_url = (
        reverse("jobs_work:application", kwargs={"application_id": application.pk})
        if application is not None
        else ""
    )
    if code == "not_admitted":
        return Unlock(
            code,
            f"Its tasks are for workers admitted through the listing {name}.",
            "Apply to the listing",
            listing.url or "",
        )
    if code == "admission_pending":
        test_id = listing.qualification_test_id
        if application.status == Application.Status.TEST_REQUIRED and test_id:
            then = (
                "passing admits you"
                if listing.admits_on_pass
                else f"{listing.company.name} decides once you pass"
            )
            return Unlock(
                code,
                f"Pass the test of {name}: {then}.",
                "Take the test",
                reverse("qualifications:test", kwargs={"test_id": test_id}),
                heading="Pass its listing's test first",
            )
        return Unlock(
            code,
            f"Your application to {name} waits for the company's decision.",
            "Your application",
            application_url,
        )
    if code == "application_withdrawn":
        return Unlock(
            code,
            f"You withdrew your application to {name}. Apply again to take its tasks.",
            "See the listing",
            listing.url or "",
        )
    if code == "listing_closed":
        return Unlock(code, f"The listing {name} has closed: its projects take no new tasks.")
    return Unlock(
        code,
        f"Your application to {name} was not selected.",
        "Your application",
        application_url,
    )


def project_cards(*, worker: User, projects: list[Project], now=None) -> list[ProjectCard]:
    """Every card these projects show for this worker, in a fixed number of queries."""
    now = now or timezone.now()
    projects = list(projects)
    ids = [project.pk for project in projects]
    standings = worker_standings(worker=worker, projects=projects, now=now)
    listings = _listings_by_project(ids)
    listing_ids = {listing.pk for pages in listings.values() for listing in pages}
    applications = {
        application.job_id: application
        for application in Application.objects.filter(worker=worker, job_id__in=listing_ids)
    }
    cards = []
    for project in projects:
        standing = standings[project.pk]
        eligibility = eligibility_from(worker=worker, project=project, standing=standing)
        listing, application = _came_through(listings.get(project.pk, []), applications)
        card = ProjectCard(
            project=project,
            eligibility=eligibility,
            pay=project_pay(project),
            listing=listing,
            application=application,
        )
        if eligibility.ok:
            card.live_assignment_id = standing["live_lease"]
            if "exposed" in standing:
                card.exposure_left = max(project.daily_exposure_cap - standing["exposed"], 0)
        cards.append(card)
    _fill_tasks_left(worker=worker, cards=cards)
    _fill_unlocks(worker=worker, cards=cards, now=now)
    return cards


def _fill_tasks_left(*, worker: User, cards: list[ProjectCard]) -> None:
    open_ids = [card.project.pk for card in cards if card.eligibility.ok]
    left = _tasks_left(worker=worker, project_ids=open_ids)
    for card in cards:
        if card.eligibility.ok:
            card.tasks_left = left.get(card.project.pk, 0)


def _fill_unlocks(*, worker: User, cards: list[ProjectCard], now) -> None:
    refused = [card for card in cards if not card.eligibility.ok]
    needs_test = [card.project for card in refused if card.eligibility.code == "not_qualified"]
    stopped = [card.project.pk for card in refused if card.eligibility.code == "stopped"]
    tests = _tests_granting(needs_test)
    stops = (
        {
            stop.project_id: stop
            for stop in WorkerStop.objects.filter(
                worker=worker, project_id__in=stopped, lifted_at__isnull=True
            )
        }
        if stopped
        else {}
    )
    for card in refused:
        card.unlock = _unlock(card=card, tests=tests, stops=stops, worker=worker, now=now)


def _tests_granting(projects: list[Project]) -> dict[int, QualificationTest]:
    """The test that grants each project's qualification: a linked listing's test first,
    else the newest test of that qualification (one or two queries for all)."""
    wanted = {project.required_qualification_id for project in projects}
    wanted.discard(None)
    if not wanted:
        return {}
    tests = list(
        QualificationTest.objects.filter(qualification_id__in=wanted).order_by("-created_at", "-pk")
    )
    linked = set(
        JobPage.objects.filter(
            projects__in=[project.pk for project in projects],
            qualification_test__isnull=False,
        ).values_list("projects", "qualification_test_id")
    )
    chosen = {}
    for project in projects:
        candidates = [t for t in tests if t.qualification_id == project.required_qualification_id]
        linked_first = [t for t in candidates if (project.pk, t.pk) in linked]
        if candidates:
            chosen[project.pk] = (linked_first or candidates)[0]
    return chosen


def project_card(*, worker: User, project: Project, now=None) -> ProjectCard:
    """Everything a project's own page shows for this worker."""
    return project_cards(worker=worker, projects=[project], now=now)[0]


def visible_projects() -> QuerySet[Project]:
    """Active projects, newest first, with what their cards show."""
    return Project.objects.filter(status=Project.Status.ACTIVE).select_related(
        "company", "company__record", "required_qualification"
    )


@dataclass
class WorkHome:
    """The worker's projects: under the listings they came through, then open ones, then
    the locked ones with the way to unlock each."""

    groups: list[ListingGroup]
    open_cards: list[ProjectCard]
    locked: list[ProjectCard]

    @property
    def has_work(self) -> bool:
        return bool(self.groups or self.open_cards)


def _sort_startable_first(cards: list[ProjectCard]) -> list[ProjectCard]:
    return sorted(cards, key=lambda card: not card.can_start)


def worker_home(*, worker: User, now=None) -> WorkHome:
    """The active projects (newest first, up to PROJECT_LIST_LIMIT) for the worker's home."""
    projects = list(visible_projects().order_by("-launched_at", "-pk")[:PROJECT_LIST_LIMIT])
    cards = project_cards(worker=worker, projects=projects, now=now)
    groups: dict[int, ListingGroup] = {}
    open_cards, locked = [], []
    for card in cards:
        if not card.eligibility.ok:
            locked.append(card)
        elif card.listing is not None and card.project.through_listings:
            groups.setdefault(card.listing.pk, ListingGroup(card.listing)).cards.append(card)
        else:
            open_cards.append(card)
    for group in groups.values():
        group.cards = _sort_startable_first(group.cards)
    ordered = sorted(groups.values(), key=lambda group: not any(c.can_start for c in group.cards))
    return WorkHome(groups=ordered, open_cards=_sort_startable_first(open_cards), locked=locked)


def listing_projects_for_worker(*, worker: User, listing: JobPage, now=None) -> list[ProjectCard]:
    """The active projects of one listing, as cards for this worker."""
    projects = list(
        visible_projects()
        .filter(listings=listing)
        .order_by("-launched_at", "-pk")[:PROJECT_LIST_LIMIT]
    )
    return project_cards(worker=worker, projects=projects, now=now)


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
