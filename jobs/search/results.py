"""The one query and result shape of job search, whichever backend answers."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.safestring import SafeString

SORT_RELEVANCE = "relevance"
SORT_NEWEST = "newest"
SORT_PAY = "pay"
SORT_CHOICES = [(SORT_RELEVANCE, "Best match"), (SORT_NEWEST, "Newest"), (SORT_PAY, "Highest pay")]
MAX_SEARCH_TERMS = 8
MAX_PER_PAGE = 50

# Pay brackets are minimum hourly rates, so choosing one is the same as the min_pay filter.
PAY_BRACKETS = [(1000, "$10+/hour"), (1500, "$15+/hour"), (2000, "$20+/hour"), (3000, "$30+/hour")]

FACET_CATEGORY = "category"
FACET_PAY = "pay"
FACET_LANGUAGE = "language"
FACET_COUNTRY = "country"
FACET_EXPERIENCE = "experience"
FACET_TEST = "test"
FACET_COMPANY = "company"
FACET_NAMES = (
    FACET_CATEGORY,
    FACET_PAY,
    FACET_LANGUAGE,
    FACET_COUNTRY,
    FACET_EXPERIENCE,
    FACET_TEST,
    FACET_COMPANY,
)
TEST_NONE = "none"
TEST_REQUIRED = "required"
COMPANY_FACET_SIZE = 10


def _default_per_page() -> int:
    return settings.LISTINGS_PER_PAGE


@dataclass(frozen=True)
class ListingQuery:
    """What a visitor asks the board for; every field is optional.

    An empty `sort` means relevance when there is text and newest otherwise.
    """

    q: str = ""
    categories: tuple[str, ...] = ()
    min_hourly_cents: int | None = None
    language: str | None = None
    country: str | None = None
    experience: str | None = None
    company: int | None = None
    no_test: bool = False
    sort: str = ""
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
            or self.experience
            or self.company
            or self.no_test
        )

    @property
    def effective_sort(self) -> str:
        if self.sort in (SORT_NEWEST, SORT_PAY):
            return self.sort
        return SORT_RELEVANCE if self.q.strip() else SORT_NEWEST

    @property
    def page_size(self) -> int:
        return min(max(self.per_page, 1), MAX_PER_PAGE)


@dataclass
class SearchHit:
    """One matching listing with its title and summary as safe HTML with <mark>ed matches."""

    listing: object  # jobs.models.JobPage (company, countries and languages loaded)
    title_html: SafeString
    summary_html: SafeString


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class Facet:
    """Counts per value of one filter, from the results filtered by every *other* filter."""

    name: str
    label: str
    values: list[FacetValue]

    def counts(self) -> dict[str, int]:
        return {value.value: value.count for value in self.values}


@dataclass
class ListingResults:
    """One page of matching listings with facet counts, total and a "did you mean"."""

    hits: list[SearchHit]
    total: int
    page: int
    num_pages: int
    facets: dict[str, Facet]
    query: ListingQuery
    suggestion: str = ""
    backend: str = "database"

    @property
    def listings(self) -> list:
        return [hit.listing for hit in self.hits]

    @property
    def category_counts(self) -> dict[str, int]:
        return self.facets[FACET_CATEGORY].counts()

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def start_index(self) -> int:
        """1-based position of the first hit on this page (0 when there is none)."""
        return (self.page - 1) * self.query.page_size + 1 if self.hits else 0

    @property
    def end_index(self) -> int:
        return self.start_index + len(self.hits) - 1 if self.hits else 0
