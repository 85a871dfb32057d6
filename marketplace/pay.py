"""What a project pays per task and per hour: the one source of every pay figure shown.

A project's pay is its reward per task and its time per task. The time is the median work
time of its latest answers (capped at the lease, like the pay floor's top-up) once
MEASURED_MIN_ANSWERS of them are timed, and the company's estimate before that; a median
of few answers says little, and the median is not moved by a few very fast or very slow
ones. The effective hourly rate is reward / time, and a measured rate never reads below the
pay floor, since approvals top measured shortfalls up to it (payouts/earnings.py).

The measured time is stored on the project by `project_pay_measure` (Celery beat and after
a launch), so /work/, the project page and the listing read the same stored figures and
agree. Listings sit below marketplace, so `listing_pay_refresh` writes each listing's
figures, from its linked projects, to jobs.ListingPay; the board, the listing page and
search read them there.
"""

import logging
import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.durations import format_duration
from core.money import format_money
from jobs.models import JobPage, ListingPay
from jobs.search_tasks import listing_index_enqueue
from payouts.earnings import effective_pay_floor

from .models import Assignment, Project

logger = logging.getLogger(__name__)

# Timed answers needed before the measured median replaces the company's estimate.
MEASURED_MIN_ANSWERS = 20
# The median looks at this many of the latest timed answers.
MEDIAN_SAMPLE = 501
LIVE = (Project.Status.ACTIVE, Project.Status.PAUSED)
# Projects whose pay a listing shows: any not cancelled (a draft's pay is what it will pay).
SHOWN = (Project.Status.DRAFT, *LIVE, Project.Status.COMPLETED)


def pay_floor_cents(project: Project) -> int:
    """The hourly floor that applies to the project: the platform's, or its own if higher
    (the same rule approvals top up to)."""
    return effective_pay_floor(project.pay_floor_hourly_cents)


def minimum_reward_cents(*, seconds: int, floor_cents: int) -> int:
    """The smallest reward per task that pays `floor_cents` an hour for tasks of `seconds`."""
    return max(math.ceil(floor_cents * seconds / 3600), 1)


def hourly_cents(*, reward_cents: int, seconds: int) -> int:
    """What a reward per task comes to per hour (half-cents round up)."""
    return math.floor(reward_cents * 3600 / seconds + 0.5)


@dataclass(frozen=True)
class ProjectPay:
    """A project's pay figures as every page shows them."""

    reward_cents: int
    currency: str
    seconds: int | None
    measured: bool
    timed_answers: int
    floor_cents: int

    @property
    def rate_cents(self) -> int | None:
        """reward / time, before the floor."""
        if not self.seconds:
            return None
        return hourly_cents(reward_cents=self.reward_cents, seconds=self.seconds)

    @property
    def floor_applies(self) -> bool:
        """Measured work is slower than the reward pays for: the floor tops it up."""
        rate = self.rate_cents
        return self.measured and rate is not None and rate < self.floor_cents

    @property
    def hourly_cents(self) -> int | None:
        rate = self.rate_cents
        if rate is None:
            return None
        return max(rate, self.floor_cents) if self.measured else rate

    @property
    def reward_text(self) -> str:
        return format_money(self.reward_cents, self.currency)

    @property
    def time_text(self) -> str:
        if not self.seconds:
            return "not known yet"
        return (
            format_duration(self.seconds)
            if self.measured
            else f"about {format_duration(self.seconds)}"
        )

    @property
    def hourly_text(self) -> str:
        cents = self.hourly_cents
        return "" if cents is None else f"{format_money(cents, self.currency)}/h"

    @property
    def basis_text(self) -> str:
        if self.measured:
            return f"median of {self.timed_answers:,} timed answers"
        if self.seconds:
            return "the company's estimate, until 20 answers are timed"
        return "no estimate yet"

    @property
    def is_estimate(self) -> bool:
        return not self.measured


def project_pay(project: Project) -> ProjectPay:
    """The project's pay figures, from its stored fields (no query)."""
    measured = (
        project.median_work_seconds is not None
        and project.timed_answer_count >= MEASURED_MIN_ANSWERS
    )
    return ProjectPay(
        reward_cents=project.reward_cents,
        currency=project.currency,
        seconds=project.median_work_seconds if measured else project.estimated_task_seconds,
        measured=measured,
        timed_answers=project.timed_answer_count,
        floor_cents=pay_floor_cents(project),
    )


# --- Measuring ----------------------------------------------------------------------------


def _measured_time(project: Project) -> tuple[int | None, int]:
    """(median work seconds of the latest timed answers, how many were timed)."""
    timed = list(
        Assignment.objects.filter(
            project_id=project.pk, status__in=Assignment.ANSWERED, work_seconds__isnull=False
        )
        .order_by("-submitted_at", "-pk")
        .values_list("work_seconds", flat=True)[:MEDIAN_SAMPLE]
    )
    if not timed:
        return None, 0
    capped = [min(seconds, project.lease_seconds) for seconds in timed]
    return max(round(statistics.median(capped)), 1), len(timed)


def project_pay_measure(*, project_ids: Iterable[int] | None = None) -> int:
    """Store the measured time per task of these projects (default: every active or paused
    one) and refresh the pay of their listings; returns how many projects changed.

    Idempotent; one bounded read per project (the latest MEDIAN_SAMPLE answers).
    """
    projects = Project.objects.only(
        "pk", "lease_seconds", "median_work_seconds", "timed_answer_count"
    )
    if project_ids is None:
        projects = projects.filter(status__in=LIVE)
    else:
        projects = projects.filter(pk__in=list(project_ids))
    changed = []
    for project in projects:
        median, count = _measured_time(project)
        if (median, count) != (project.median_work_seconds, project.timed_answer_count):
            Project.objects.filter(pk=project.pk).update(
                median_work_seconds=median, timed_answer_count=count
            )
            changed.append(project.pk)
    if changed:
        listing_pay_refresh(listing_ids=listings_of(project_ids=changed))
    return len(changed)


def listings_of(*, project_ids: Iterable[int]) -> list[int]:
    """The ids of the listings linked to these projects."""
    through = Project.listings.through
    return list(
        through.objects.filter(project_id__in=list(project_ids))
        .values_list("jobpage_id", flat=True)
        .distinct()
    )


# --- Listings ------------------------------------------------------------------------------


def _project_row(project: Project) -> dict:
    pay = project_pay(project)
    return {
        "id": project.pk,
        "title": project.title,
        "status": project.status,
        "status_label": project.get_status_display(),
        "reward_cents": pay.reward_cents,
        "seconds": pay.seconds,
        "measured": pay.measured,
        "timed_answers": pay.timed_answers,
        "hourly_cents": pay.hourly_cents,
        "floor_applies": pay.floor_applies,
        "reward_text": pay.reward_text,
        "time_text": pay.time_text,
        "hourly_text": pay.hourly_text or "not known yet",
    }


def _figures(projects: list[Project]) -> dict:
    """ListingPay's fields for a listing paid by `projects` (live ones first, if any)."""
    live = [project for project in projects if project.status in LIVE]
    shown = live or projects
    rows = [_project_row(project) for project in shown]
    timed = [row for row in rows if row["seconds"]]
    hourly = [row["hourly_cents"] for row in timed]
    rewards = [row["reward_cents"] for row in rows]
    return {
        "currency": shown[0].currency if shown else settings.PLATFORM_CURRENCY,
        "project_count": len(rows),
        "reward_min_cents": min(rewards, default=0),
        "reward_max_cents": max(rewards, default=0),
        "seconds_min": min((row["seconds"] for row in timed), default=None),
        "seconds_max": max((row["seconds"] for row in timed), default=None),
        "hourly_min_cents": min(hourly, default=0),
        "hourly_max_cents": max(hourly, default=0),
        "is_estimate": not rows or any(not row["measured"] for row in rows),
        "floor_applies": any(row["floor_applies"] for row in rows),
        "projects": rows,
    }


_COMPARED = (
    "project_count", "reward_min_cents", "reward_max_cents", "seconds_min", "seconds_max",
    "hourly_min_cents", "hourly_max_cents", "is_estimate", "floor_applies", "projects",
)  # fmt: skip


def listing_pay_refresh(*, listing_ids: Iterable[int]) -> int:
    """Write each listing's pay figures from its linked (not cancelled) projects to
    jobs.ListingPay; a listing whose figures changed is reindexed for search after commit.
    Returns how many listings changed. Idempotent; a fixed number of queries per call plus
    one write per changed listing."""
    ids = sorted(set(listing_ids))
    if not ids:
        return 0
    through = Project.listings.through
    links = through.objects.filter(jobpage_id__in=ids, project__status__in=SHOWN).select_related(
        "project"
    )
    by_listing: dict[int, list[Project]] = {pk: [] for pk in ids}
    for link in links.order_by("project_id"):
        by_listing[link.jobpage_id].append(link.project)
    existing = ListingPay.objects.in_bulk(ids)
    known = set(JobPage.objects.filter(pk__in=ids).values_list("pk", flat=True))
    changed = 0
    now = timezone.now()
    with transaction.atomic():
        for listing_id in ids:
            if listing_id not in known:
                continue
            figures = _figures(by_listing[listing_id])
            current = existing.get(listing_id)
            if current is not None and all(
                getattr(current, name) == figures[name] for name in _COMPARED
            ):
                continue
            ListingPay.objects.update_or_create(
                listing_id=listing_id, defaults={**figures, "updated_at": now}
            )
            listing_index_enqueue(page_id=listing_id)
            changed += 1
    if changed:
        logger.info("listing pay refreshed count=%s", changed)
    return changed
