"""Reads of the job board that several pages share (home page, listings, API)."""

from django.db.models import Count, F, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from core.categories import Category

from .models import JobPage


def _open_jobs() -> QuerySet[JobPage]:
    """Listings that accept applications today: live, status open and not past their deadline."""
    today = timezone.localdate()
    return JobPage.objects.live().filter(
        Q(deadline__isnull=True) | Q(deadline__gte=today), status=JobPage.Status.OPEN
    )


def featured_jobs_by_category(*, per_category: int = 3) -> list[tuple[str, str, list[JobPage]]]:
    """The newest open listings of each category, at most `per_category` each.

    Returns (category value, category label, listings) in the order of the categories,
    leaving out categories with nothing open. One query whatever the number of listings:
    a window function numbers the listings within their category and only the first
    `per_category` of each come back, with their company.
    """
    if per_category < 1:
        return []
    ranked = (
        _open_jobs()
        .select_related("company", "pay_figures")
        .annotate(
            category_rank=Window(
                RowNumber(),
                partition_by=[F("category")],
                order_by=[F("first_published_at").desc(nulls_last=True), F("pk").desc()],
            )
        )
        .filter(category_rank__lte=per_category)
        .order_by("category", "category_rank")
    )
    grouped: dict[str, list[JobPage]] = {}
    for job in ranked:
        grouped.setdefault(job.category, []).append(job)
    return [
        (category.value, category.label, grouped[category.value])
        for category in Category
        if category.value in grouped
    ]


def board_counts() -> dict[str, int]:
    """Live figures of the board, counting only listings that accept applications.

    Keys: open_listings, companies_hiring (companies with at least one open listing),
    categories (categories with open work) and openings (the sum of their openings).
    """
    totals = _open_jobs().aggregate(
        open_listings=Count("pk"),
        companies_hiring=Count("company", distinct=True),
        categories=Count("category", distinct=True),
        openings=Sum("openings"),
    )
    return {key: value or 0 for key, value in totals.items()}
