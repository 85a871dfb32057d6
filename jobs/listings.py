"""The job board's search: the one function /jobs/ goes through to find listings.

A later search backend (Elasticsearch) replaces the body of `listing_search`; the
views and templates only know `ListingQuery` in and `ListingResults` out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from core.categories import Category

from .models import JobPage

SORT_NEWEST = "newest"
SORT_PAY = "pay"
SORT_CHOICES = [(SORT_NEWEST, "Newest"), (SORT_PAY, "Highest pay")]
MAX_SEARCH_TERMS = 8


def _default_per_page() -> int:
    return settings.LISTINGS_PER_PAGE


@dataclass(frozen=True)
class ListingQuery:
    """What a visitor asks the board for; every field is optional."""

    q: str = ""
    categories: tuple[str, ...] = ()
    min_hourly_cents: int | None = None
    language: str | None = None
    country: str | None = None
    no_test: bool = False
    sort: str = SORT_NEWEST
    page: int = 1
    per_page: int = field(default_factory=_default_per_page)

    @property
    def is_filtered(self) -> bool:
        """True when anything narrows the board (sorting and paging do not)."""
        return bool(
            self.q.strip()
            or self.categories
            or self.min_hourly_cents
            or self.language
            or self.country
            or self.no_test
        )


@dataclass
class ListingResults:
    """One page of matching listings, with the counts the filters show."""

    hits: list[JobPage]
    total: int
    page: int
    num_pages: int
    category_counts: dict[str, int]
    query: ListingQuery

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def start_index(self) -> int:
        """1-based position of the first hit on this page (0 when there is none)."""
        return (self.page - 1) * self.query.per_page + 1 if self.hits else 0

    @property
    def end_index(self) -> int:
        return self.start_index + len(self.hits) - 1 if self.hits else 0


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


def _text_filter(q: str) -> Q:
    """Every word must appear (case-insensitively) in the title, summary or company name."""
    condition = Q()
    for term in q.split()[:MAX_SEARCH_TERMS]:
        condition &= (
            Q(title__icontains=term) | Q(summary__icontains=term) | Q(company__name__icontains=term)
        )
    return condition


def _filtered_without_categories(query: ListingQuery) -> QuerySet[JobPage]:
    listings = open_listings().annotate(hourly_rate=hourly_rate_expression())
    if query.q.strip():
        listings = listings.filter(_text_filter(query.q))
    if query.min_hourly_cents:
        listings = listings.filter(hourly_rate__gte=query.min_hourly_cents)
    if query.language:
        languages = JobPage.required_languages.through.objects
        listings = listings.filter(
            Exists(languages.filter(jobpage_id=OuterRef("pk"), language_id=query.language))
            | ~Exists(languages.filter(jobpage_id=OuterRef("pk")))
        )
    if query.country:
        countries = JobPage.eligible_countries.through.objects
        listings = listings.filter(
            Exists(countries.filter(jobpage_id=OuterRef("pk"), country_id=query.country))
            | ~Exists(countries.filter(jobpage_id=OuterRef("pk")))
        )
    if query.no_test:
        listings = listings.filter(qualification_test__isnull=True)
    return listings


def listing_search(*, query: ListingQuery) -> ListingResults:
    """The open listings matching `query`, one page of them, and counts per category.

    Guarantees: only listings that accept applications today appear; the number of
    queries does not depend on how many listings match or are shown (one for the
    category counts, which also give the total, one for the page, two prefetches);
    a page number past the end gives the last page, never an error.
    """
    per_page = max(query.per_page, 1)
    base = _filtered_without_categories(query)

    counts = {category.value: 0 for category in Category}
    for row in base.order_by().values("category").annotate(n=Count("pk")):
        if row["category"] in counts:
            counts[row["category"]] = row["n"]

    if query.categories:
        wanted = set(query.categories)
        total = sum(n for category, n in counts.items() if category in wanted)
        listings = base.filter(category__in=query.categories)
    else:
        total = sum(counts.values())
        listings = base

    num_pages = max(math.ceil(total / per_page), 1)
    page = min(max(query.page, 1), num_pages)

    if query.sort == SORT_PAY:
        listings = listings.order_by(
            F("hourly_rate").desc(), F("first_published_at").desc(nulls_last=True), "-pk"
        )
    else:
        listings = listings.order_by(F("first_published_at").desc(nulls_last=True), "-pk")

    offset = (page - 1) * per_page
    hits = (
        list(
            listings.select_related("company", "qualification_test").prefetch_related(
                "eligible_countries", "required_languages"
            )[offset : offset + per_page]
        )
        if total
        else []
    )
    return ListingResults(
        hits=hits,
        total=total,
        page=page,
        num_pages=num_pages,
        category_counts=counts,
        query=query,
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
