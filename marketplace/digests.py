"""Periodic notices to companies: answers waiting for review, and projects short of money.

Both run from Celery beat (marketplace.tasks) and are idempotent: where each left off is an
`accounts.models.DigestMark` row, locked while a run decides, so a rerun (or a second beat)
sends nothing new. Both cost a fixed number of queries per run (the budget check per chunk
of projects), however many companies, projects and answers there are.

- `review_digests_send`: each company member who reviews (owner, manager, reviewer) gets one
  `review_waiting` notice counting, per project, the answers submitted since the company's
  previous digest that are still waiting for a decision (gold answers too), each project
  linking to its review page. No new answers, no notice.
- `budget_checks_run`: owners and managers get one `budget_low` notice per active or paused
  project whose escrow plus the company balance can no longer pay what the project still
  needs (marketplace.projects.project_budget), saying how much to add and linking to
  billing; not again for that project until it has been funded back to its need.
"""

import datetime
import logging
import math
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, DateTimeField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from accounts.models import DigestMark, Membership, User
from accounts.notifications import Notice, notify_many
from core.money import format_money
from payouts.fees import cost_with_fee_cents
from payouts.funding import escrows_and_balances_cents

from .models import Assignment, Item, Project
from .projects import Budget

logger = logging.getLogger(__name__)

REVIEW_KIND = "review_waiting"
BUDGET_KIND = "budget_low"
REVIEWER_ROLES = (Membership.Role.OWNER, Membership.Role.MANAGER, Membership.Role.REVIEWER)
MANAGER_ROLES = (Membership.Role.OWNER, Membership.Role.MANAGER)
# A submission is stamped when its transaction starts and seen once that commits; answers
# younger than this wait for the next digest rather than risk being skipped by this one.
SETTLE = datetime.timedelta(minutes=1)
# Before any digest, every answer still waiting counts as new.
EPOCH = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
BUDGET_CHUNK = 500
CHECKED_STATUSES = (Project.Status.ACTIVE, Project.Status.PAUSED)


def _marks_locked(kind: str, subject_ids: list[int]) -> dict[int, DigestMark]:
    """The marks of `subject_ids` (created when missing), locked in id order."""
    DigestMark.objects.bulk_create(
        [DigestMark(kind=kind, subject_id=subject_id) for subject_id in subject_ids],
        ignore_conflicts=True,
    )
    return {
        mark.subject_id: mark
        for mark in DigestMark.objects.select_for_update()
        .filter(kind=kind, subject_id__in=subject_ids)
        .order_by("pk")
    }


def _members(company_ids, roles) -> dict[int, list[User]]:
    members: dict[int, list[User]] = defaultdict(list)
    for membership in (
        Membership.objects.select_related("user")
        .filter(company_id__in=company_ids, role__in=roles, user__is_active=True)
        .order_by("user_id")
    ):
        members[membership.company_id].append(membership.user)
    return members


# --- Answers waiting for review -------------------------------------------------------------


@dataclass(frozen=True)
class Waiting:
    project_id: int
    title: str
    count: int


def review_digests_send(*, now: datetime.datetime | None = None) -> int:
    """Send each reviewing member of each company with new answers one digest; returns how
    many notices were stored. Idempotent: the company's mark moves to the digest's end."""
    until = (now or timezone.now()) - SETTLE
    waiting = Assignment.objects.filter(status=Assignment.Status.SUBMITTED, submitted_at__lte=until)
    with transaction.atomic():
        company_ids = sorted(set(waiting.values_list("project__company_id", flat=True).distinct()))
        if not company_ids:
            return 0
        marks = _marks_locked(REVIEW_KIND, company_ids)
        since = Subquery(
            DigestMark.objects.filter(
                kind=REVIEW_KIND, subject_id=OuterRef("project__company_id")
            ).values("until")[:1]
        )
        rows = (
            waiting.filter(project__company_id__in=company_ids)
            .filter(submitted_at__gt=Coalesce(since, Value(EPOCH), output_field=DateTimeField()))
            .values("project__company_id", "project_id", "project__title")
            .annotate(count=Count("pk"))
            .order_by("project__company_id", "-count", "project_id")
        )
        new: dict[int, list[Waiting]] = defaultdict(list)
        for row in rows:
            new[row["project__company_id"]].append(
                Waiting(row["project_id"], row["project__title"], row["count"])
            )
        members = _members(list(new), REVIEWER_ROLES)
        notices = [
            _review_notice(user, new[company_id])
            for company_id in new
            for user in members.get(company_id, [])
        ]
        created = notify_many(notices, kind="review_waiting")
        DigestMark.objects.filter(pk__in=[mark.pk for mark in marks.values()]).update(
            until=until, updated_at=timezone.now()
        )
    logger.info("review digests companies=%s notices=%s", len(new), len(created))
    return len(created)


def _review_notice(user: User, projects: list[Waiting]) -> Notice:
    total = sum(project.count for project in projects)
    answers = "answer" if total == 1 else "answers"
    if len(projects) == 1:
        title = f"{total} new {answers} to review: {projects[0].title}"
        link = reverse("company_projects:review", kwargs={"project_id": projects[0].project_id})
    else:
        title = f"{total} new {answers} to review in {len(projects)} projects"
        link = reverse("company_projects:list")
    body = (
        f"{total} {answers} arrived since your last summary and {'is' if total == 1 else 'are'} "
        "waiting for your decision. Answers nobody reviews in time are approved "
        "automatically when each project's review period ends."
    )
    links = [
        (
            f"{project.title}: {project.count} new {'answer' if project.count == 1 else 'answers'}",
            reverse("company_projects:review", kwargs={"project_id": project.project_id}),
        )
        for project in projects
    ]
    return Notice(user, title=title, body=body, link=link, links=links)


# --- Budget running low ---------------------------------------------------------------------


def project_budgets(projects: list[Project]) -> dict[int, Budget]:
    """`marketplace.projects.project_budget` of many projects in two queries.

    The same arithmetic as that function, read in bulk (tests/marketplace/test_digests.py
    holds the two equal for every kind of project, so they cannot drift apart).
    """
    ids = [project.pk for project in projects]
    items: dict[int, dict[bool, tuple[int, int]]] = defaultdict(dict)
    for row in (
        Item.objects.filter(project_id__in=ids)
        .values("project_id", "is_gold")
        .annotate(count=Count("pk"), extra=Sum("extra_answers"))
        .order_by()
    ):
        items[row["project_id"]][row["is_gold"]] = (row["count"], row["extra"] or 0)
    # Approved answers are paid already; a rejected one is replaced, so it still needs paying.
    approved = dict(
        Assignment.objects.filter(
            project_id__in=ids, is_gold=False, status=Assignment.Status.APPROVED
        )
        .values("project_id")
        .annotate(count=Count("pk"))
        .order_by()
        .values_list("project_id", "count")
    )
    budgets = {}
    for project in projects:
        count, extra = items[project.pk].get(False, (0, 0))
        answers = max(count * project.overlap + extra - approved.get(project.pk, 0), 0)
        gold = 0
        if project.gold_rate and items[project.pk].get(True, (0, 0))[0]:
            gold = math.ceil(answers * project.gold_rate / (100 - project.gold_rate))
        budgets[project.pk] = Budget(
            answers=answers,
            gold_answers=gold,
            cost_each_cents=cost_with_fee_cents(project.reward_cents),
            reward_cents=project.reward_cents,
        )
    return budgets


@dataclass(frozen=True)
class Shortfall:
    project: Project
    need_cents: int
    escrow_cents: int
    balance_cents: int

    @property
    def short_cents(self) -> int:
        return self.need_cents - self.escrow_cents - self.balance_cents


def budget_shortfalls(projects: list[Project]) -> dict[int, Shortfall | None]:
    """For each project, what it lacks (None when its escrow and the balance cover it)."""
    budgets = project_budgets(projects)
    escrows, balances = escrows_and_balances_cents(
        project_ids=[project.pk for project in projects],
        company_ids={project.company_id for project in projects},
    )
    result = {}
    for project in projects:
        shortfall = Shortfall(
            project,
            budgets[project.pk].total_cents,
            escrows[project.pk],
            balances[project.company_id],
        )
        result[project.pk] = shortfall if shortfall.short_cents > 0 else None
    return result


def budget_checks_run() -> int:
    """Warn the owners and managers of each active or paused project that can no longer be
    paid for, once until it is funded again; returns how many notices were stored."""
    ids = list(
        Project.objects.filter(status__in=CHECKED_STATUSES)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    created = 0
    for start in range(0, len(ids), BUDGET_CHUNK):
        created += _budget_chunk(ids[start : start + BUDGET_CHUNK])
    return created


def _budget_chunk(project_ids: list[int]) -> int:
    with transaction.atomic():
        projects = list(
            Project.objects.filter(pk__in=project_ids, status__in=CHECKED_STATUSES).order_by("pk")
        )
        shortfalls = budget_shortfalls(projects)
        short_ids = [pk for pk, shortfall in shortfalls.items() if shortfall is not None]
        # Projects that can pay again lose their warning, so a later shortfall warns anew.
        DigestMark.objects.filter(
            kind=BUDGET_KIND,
            subject_id__in=[pk for pk in shortfalls if pk not in short_ids],
            raised=True,
        ).update(raised=False, updated_at=timezone.now())
        if not short_ids:
            return 0
        marks = _marks_locked(BUDGET_KIND, short_ids)
        to_warn = [shortfalls[pk] for pk in short_ids if not marks[pk].raised]
        members = _members({s.project.company_id for s in to_warn}, MANAGER_ROLES)
        created = notify_many(
            [
                _budget_notice(user, shortfall)
                for shortfall in to_warn
                for user in members.get(shortfall.project.company_id, [])
            ],
            kind="budget_low",
        )
        DigestMark.objects.filter(
            kind=BUDGET_KIND, subject_id__in=[s.project.pk for s in to_warn]
        ).update(raised=True, updated_at=timezone.now())
    if to_warn:
        logger.info("budget warnings projects=%s notices=%s", len(to_warn), len(created))
    return len(created)


def _budget_notice(user: User, shortfall: Shortfall) -> Notice:
    project = shortfall.project
    currency = project.currency
    short = format_money(shortfall.short_cents, currency)
    return Notice(
        user,
        title=f"Budget running low: {project.title}",
        body=(
            f"Add at least {short} to your company balance to keep \u201c{project.title}\u201d "
            f"paid. It still needs {format_money(shortfall.need_cents, currency)} for the "
            "answers it asks for (rewards plus the platform fee); its reserved budget holds "
            f"{format_money(shortfall.escrow_cents, currency)} and your company balance "
            f"{format_money(shortfall.balance_cents, currency)}.\n\n"
            "Until you top up, approvals the money cannot cover are refused (automatic ones "
            "wait), so workers wait for their pay."
        ),
        link=reverse("payouts_company:billing"),
    )
