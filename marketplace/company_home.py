"""Everything the company home shows, read in a fixed number of queries.

The home sums up the workspace: money (owners and managers only, as on the billing page),
answers waiting for review, applicants waiting for a decision, live listings, each
listing's funnel from applicants to approved answers, and the latest projects. However many
listings, projects, applications and answers the company has, the reads below cost the
same number of queries: every count is grouped in the database, never looped over.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

from accounts.models import Company
from jobs.listing_stats import (
    Applicants,
    CompanyListing,
    admissions,
    company_listings,
    listing_applicants,
)
from payouts.billing_selectors import CompanyMoney, company_money

from .models import Assignment, Project
from .selectors import company_projects

# A worker admitted through a listing is active when they answered in its projects lately.
ACTIVE_WINDOW = datetime.timedelta(days=7)
RECENT_PROJECTS = 6
# Projects named in the "answers waiting" card; the rest are summed as "and N more".
WAITING_PROJECTS_SHOWN = 5


@dataclass(frozen=True)
class Work:
    """What workers admitted through one listing did in its projects."""

    answers: int = 0  # answered, gold items left out
    approved: int = 0
    rejected: int = 0
    active_workers: int = 0  # answered at least one task in the last ACTIVE_WINDOW


@dataclass(frozen=True)
class ListingFunnel:
    """One listing's row on the home: from applicants to approved answers."""

    listing: CompanyListing
    applicants: Applicants
    work: Work

    @property
    def tested(self) -> int | None:
        """Applicants who completed the listing's test; None when it has no test."""
        return self.applicants.tested if self.listing.has_test else None

    @property
    def approval_rate(self) -> int | None:
        """Approved answers as a whole percent (rounded half up) of those decided, None
        while nothing is decided."""
        decided = self.work.approved + self.work.rejected
        if not decided:
            return None
        return (200 * self.work.approved + decided) // (2 * decided)


@dataclass(frozen=True)
class ProjectWaiting:
    """A project with answers waiting for review."""

    project_id: int
    title: str
    waiting: int


@dataclass(frozen=True)
class CompanyHome:
    """The company home's figures. `money` is None for a member who may not see it."""

    money: CompanyMoney | None
    projects_waiting: list[ProjectWaiting]  # most waiting first
    applicants_new: int
    applicants_qualified: int
    funnels: list[ListingFunnel]
    projects: list[Project]

    @property
    def answers_waiting(self) -> int:
        return sum(project.waiting for project in self.projects_waiting)

    @property
    def projects_waiting_shown(self) -> list[ProjectWaiting]:
        return self.projects_waiting[:WAITING_PROJECTS_SHOWN]

    @property
    def projects_waiting_more(self) -> int:
        return max(len(self.projects_waiting) - WAITING_PROJECTS_SHOWN, 0)

    @property
    def applicants_waiting(self) -> int:
        return self.applicants_new + self.applicants_qualified

    @property
    def live_listings(self) -> int:
        return sum(funnel.listing.is_live for funnel in self.funnels)

    @property
    def listing_states(self) -> dict[str, int]:
        """Listings by moderation state: draft, in_review, changes_requested, live."""
        counts = dict.fromkeys(("draft", "in_review", "changes_requested", "live"), 0)
        for funnel in self.funnels:
            counts[funnel.listing.state] += 1
        return counts


def projects_waiting_review(*, company: Company) -> list[ProjectWaiting]:
    """The company's projects with submissions waiting for review, most waiting first."""
    rows = (
        Assignment.objects.filter(project__company=company, status=Assignment.Status.SUBMITTED)
        .values("project_id", "project__title")
        .annotate(waiting=Count("pk"))
        .order_by("-waiting", "project__title", "project_id")
    )
    return [
        ProjectWaiting(row["project_id"], row["project__title"], row["waiting"]) for row in rows
    ]


def listing_work(*, company: Company, now: datetime.datetime) -> dict[int, Work]:
    """listing id -> the work done in its projects by the workers it admitted, in one query.

    An answer counts for each listing of its project that admitted its worker, so a
    project linked to two listings counts a worker's answers under the listing (or both)
    through which that worker was admitted.
    """
    non_gold = Q(is_gold=False)
    rows = (
        Assignment.objects.filter(project__company=company, status__in=Assignment.ANSWERED)
        .annotate(listing_id=F("project__listings"))
        .filter(Exists(admissions(job=OuterRef("listing_id"), worker=OuterRef("worker_id"))))
        .values("listing_id")
        .annotate(
            answers=Count("pk", filter=non_gold),
            approved=Count("pk", filter=non_gold & Q(status=Assignment.Status.APPROVED)),
            rejected=Count("pk", filter=non_gold & Q(status=Assignment.Status.REJECTED)),
            # Gold tasks are tasks to the worker: answering one is being active.
            active_workers=Count(
                "worker_id", distinct=True, filter=Q(submitted_at__gte=now - ACTIVE_WINDOW)
            ),
        )
        .order_by()
    )
    return {
        row["listing_id"]: Work(
            answers=row["answers"],
            approved=row["approved"],
            rejected=row["rejected"],
            active_workers=row["active_workers"],
        )
        for row in rows
    }


def company_home(
    *, company: Company, with_money: bool, now: datetime.datetime | None = None
) -> CompanyHome:
    """The company home's figures for `company`; money only `with_money` (owners and
    managers). A fixed number of queries, whatever the size of the company."""
    now = now or timezone.now()
    applicants = listing_applicants(company=company)
    work = listing_work(company=company, now=now)
    funnels = [
        ListingFunnel(
            listing=listing,
            applicants=applicants.get(listing.page.pk, Applicants()),
            work=work.get(listing.page.pk, Work()),
        )
        for listing in company_listings(company=company)
    ]
    return CompanyHome(
        money=company_money(company_id=company.pk, now=now) if with_money else None,
        projects_waiting=projects_waiting_review(company=company),
        applicants_new=sum(counts.new for counts in applicants.values()),
        applicants_qualified=sum(counts.qualified for counts in applicants.values()),
        funnels=funnels,
        projects=list(company_projects(company=company, limit=RECENT_PROJECTS)),
    )
