"""Reads about a company's listings as a whole: which exist, and who applied to each.

Each read is a fixed number of queries however many listings and applications the company
has, so the company home can show every listing at once.
"""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, QuerySet

from accounts.models import Company

from .listing_authoring import STATE_LABELS, listing_state
from .models import Application, JobPage
from .qualification_models import QualificationAttempt

Status = Application.Status

# Applications that wait on the company's decision: new ones to a listing without a test,
# and applicants who passed the test. A listing that admits on passing never leaves anyone
# in either.
WAITING_FOR_COMPANY = (Status.SUBMITTED, Status.QUALIFIED)
# An attempt counts as taking the test once it is graded, passed or not.
COMPLETED_ATTEMPT = (QualificationAttempt.Status.PASSED, QualificationAttempt.Status.FAILED)


@dataclass(frozen=True)
class CompanyListing:
    """One of the company's listings with its moderation state, as the home lists it."""

    page: JobPage
    title: str
    state: str  # draft | in_review | changes_requested | live
    state_label: str
    state_badge: str

    @property
    def is_live(self) -> bool:
        """Published on the job board (a live listing with changes in review still is)."""
        return self.page.live

    @property
    def has_test(self) -> bool:
        return self.page.qualification_test_id is not None


@dataclass(frozen=True)
class Applicants:
    """Who applied to one listing, by where they stand."""

    applicants: int = 0
    new: int = 0  # submitted: waiting for a decision, no test on the listing
    qualified: int = 0  # passed the test, waiting for a decision
    admitted: int = 0  # active: may take the listing's tasks
    tested: int = 0  # completed at least one attempt of the listing's test

    @property
    def waiting(self) -> int:
        return self.new + self.qualified


def company_listings(*, company: Company) -> list[CompanyListing]:
    """Every listing of the company, most recently edited first (the listings page's
    order), in three queries: the pages and their open moderation workflows."""
    pages = (
        JobPage.objects.filter(company=company)
        .order_by("-latest_revision_created_at", "-pk")
        # Wagtail prefetches a JobPage's workflows through its specific relation only: on a
        # plain JobPage queryset it looks them up as a generic Page's and finds none.
        .specific()
        .prefetch_workflow_states()
    )
    listings = []
    for page in pages:
        state = listing_state(page)
        label, badge = STATE_LABELS[state]
        # The public title when live (the link goes to the public page), else the draft's.
        title = page.title if page.live else (page.draft_title or page.title)
        listings.append(CompanyListing(page, title, state, label, badge))
    return listings


def listing_applicants(*, company: Company) -> dict[int, Applicants]:
    """listing id -> its applicants, for every listing of the company that has any.

    Two queries: applications by listing and status, and applicants who completed an
    attempt of their listing's test (any attempt of that test counts, also one taken
    before applying, since passing it then qualifies the application at once).
    """
    by_listing: dict[int, dict[str, int]] = {}
    rows = (
        Application.objects.filter(job__company=company)
        .values("job_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        by_listing.setdefault(row["job_id"], {})[row["status"]] = row["n"]
    completed = QualificationAttempt.objects.filter(
        worker_id=OuterRef("worker_id"),
        test_id=OuterRef("job__qualification_test_id"),
        status__in=COMPLETED_ATTEMPT,
    )
    tested = dict(
        Application.objects.filter(job__company=company, job__qualification_test__isnull=False)
        .filter(Exists(completed))
        .values("job_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("job_id", "n")
    )
    return {
        job_id: Applicants(
            applicants=sum(counts.values()),
            new=counts.get(Status.SUBMITTED, 0),
            qualified=counts.get(Status.QUALIFIED, 0),
            admitted=counts.get(Status.ACTIVE, 0),
            tested=tested.get(job_id, 0),
        )
        for job_id, counts in by_listing.items()
    }


def admissions(*, job, worker) -> QuerySet[Application]:
    """The admitted (active) application of `worker` to listing `job`; both may be
    expressions (OuterRef), so that a read over work keeps only what workers did through
    the listing that admitted them."""
    return Application.objects.filter(job_id=job, worker_id=worker, status=Status.ACTIVE)
