"""Reads of listings that are not searches: the open set and a listing's related listings.

Searching the board goes through `jobs.search.service.listing_search`.
"""

from __future__ import annotations

from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from .models import JobPage


def hourly_rate_expression():
    """SQL for JobPage.hourly_rate_cents, so the database can filter and sort on it.

    Integer arithmetic like the property: per-task pay * 60 // minutes per task
    (a missing or zero minutes value counts as 60, never a division by zero).
    """
    minutes = Coalesce(NullIf(F("task_minutes"), Value(0)), Value(60))
    return Case(
        When(
            pay_type=JobPage.PayType.PER_TASK,
            then=F("pay_amount_cents") * Value(60) / minutes,
        ),
        default=F("pay_amount_cents"),
        output_field=IntegerField(),
    )


def open_listings() -> QuerySet[JobPage]:
    """Listings the board shows: live, public, status open and not past their deadline."""
    today = timezone.localdate()
    return (
        JobPage.objects.live()
        .public()
        .filter(status=JobPage.Status.OPEN)
        .filter(Q(deadline__isnull=True) | Q(deadline__gte=today))
    )


def related_listings(*, job: JobPage, limit: int = 3) -> list[JobPage]:
    """Up to `limit` other open listings of the same category, newest first (one query)."""
    return list(
        open_listings()
        .filter(category=job.category)
        .exclude(pk=job.pk)
        .annotate(hourly_rate=hourly_rate_expression())
        .select_related("company")
        .order_by(F("first_published_at").desc(nulls_last=True), "-pk")[:limit]
    )
