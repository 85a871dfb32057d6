"""A company's track record as workers see it: how fast and how fairly it reviews, what its
work pays per hour, and how workers rate it.

The figures are stored in accounts.CompanyRecord, so job listings (which sit below
marketplace) can show them without importing it. `company_record_refresh` recomputes one
company's record; the hourly beat task and every saved rating call it.
"""

import datetime
import statistics

from django.db import transaction
from django.db.models import Avg, Count, F, Q, Sum
from django.utils import timezone

from accounts.models import Company, CompanyRecord

from .models import Assignment, CompanyRating

# The median review time looks at the latest decisions only, so a refresh costs the same for
# a company with millions of answers.
REVIEW_TIME_SAMPLE = 5000


def _median_review_hours(company_id: int) -> float | None:
    durations = [
        (reviewed - submitted).total_seconds() / 3600
        for submitted, reviewed in Assignment.objects.filter(
            project__company_id=company_id,
            status__in=Assignment.DECIDED,
            submitted_at__isnull=False,
            reviewed_at__isnull=False,
        )
        .order_by("-reviewed_at")
        .values_list("submitted_at", "reviewed_at")[:REVIEW_TIME_SAMPLE]
    ]
    if not durations:
        return None
    return round(max(statistics.median(durations), 0.0), 2)


@transaction.atomic
def company_record_refresh(company_id: int, *, now: datetime.datetime | None = None):
    """Recompute and store the company's record (idempotent: the same data gives the same row).

    Median review time runs from submit to decision over decided assignments (automatic
    approvals included: a company that never reviews shows its full delay). The rejection
    rate is rejected / decided; the effective hourly pay is approved reward per approved
    hour of work; the rating is the mean of every rating's three scores.
    """
    decided = Assignment.objects.filter(
        project__company_id=company_id, status__in=Assignment.DECIDED
    ).aggregate(
        decided=Count("pk"),
        rejected=Count("pk", filter=Q(status=Assignment.Status.REJECTED)),
        approved_reward=Sum("reward_cents", filter=Q(status=Assignment.Status.APPROVED)),
        approved_seconds=Sum("work_seconds", filter=Q(status=Assignment.Status.APPROVED)),
    )
    ratings = CompanyRating.objects.filter(company_id=company_id).aggregate(
        count=Count("pk"),
        mean=Avg((F("clarity") + F("fairness") + F("review_speed")) / 3.0),
    )
    hourly = None
    if decided["approved_seconds"]:
        hourly = round((decided["approved_reward"] or 0) * 3600 / decided["approved_seconds"])
    record, _ = CompanyRecord.objects.update_or_create(
        company_id=company_id,
        defaults={
            "reviewed_count": decided["decided"],
            "median_review_hours": _median_review_hours(company_id),
            "rejection_rate": decided["rejected"] / decided["decided"]
            if decided["decided"]
            else None,
            "effective_hourly_cents": hourly,
            "rating": round(ratings["mean"], 2) if ratings["mean"] is not None else None,
            "rating_count": ratings["count"],
            "updated_at": now or timezone.now(),
        },
    )
    return record


def company_records_refresh_all() -> int:
    """Refresh the record of every company with projects or ratings; returns how many."""
    company_ids = (
        Company.objects.filter(Q(projects__isnull=False) | Q(ratings__isnull=False))
        .values_list("pk", flat=True)
        .distinct()
    )
    count = 0
    for company_id in company_ids.iterator():
        company_record_refresh(company_id)
        count += 1
    return count
