"""Reads of listings that are not searches: the open set and a listing's related listings.

Searching the board goes through `jobs.search.service.listing_search`.
"""

from __future__ import annotations

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from .models import JobPage


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
        .select_related("company", "pay_figures")
        .order_by(F("first_published_at").desc(nulls_last=True), "-pk")[:limit]
    )
