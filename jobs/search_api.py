"""Public API of job search: GET /api/v1/jobs (the board's results as JSON) and /jobs/suggest.

Both are public (auth=None). Parameters are the board's: a bad value is a 422 with the field.
"""

from __future__ import annotations

import dataclasses

from ninja import Query, Router, Schema

from core.errors import LoopworkError

from .board_forms import ListingFilterForm
from .search.results import MAX_PER_PAGE
from .search.service import listing_search, listing_suggest

router = Router(tags=["jobs"], auth=None)


class ListingOut(Schema):
    id: int
    title: str
    url: str
    company: str
    category: str
    summary: str
    pay: str
    pay_source: str
    pay_estimated: bool
    currency: str
    hourly_rate_cents: int
    hours_per_week: int
    experience: str
    test_required: bool
    languages: list[str]
    countries: list[str]
    deadline: str | None
    published_at: str | None
    title_highlighted: str
    summary_highlighted: str


class FacetValueOut(Schema):
    value: str
    label: str
    count: int
    selected: bool


class SearchOut(Schema):
    total: int
    page: int
    num_pages: int
    per_page: int
    sort: str
    suggestion: str
    backend: str
    results: list[ListingOut]
    facets: dict[str, list[FacetValueOut]]


class SuggestOut(Schema):
    suggestions: list[str]


def _listing(hit) -> dict:
    job = hit.listing
    return {
        "id": job.pk,
        "title": job.title,
        "url": job.url or "",
        "company": job.company.name,
        "category": job.category,
        "summary": job.summary,
        "pay": job.pay_display,
        "pay_source": job.pay_source,
        "pay_estimated": bool(job.project_pay and job.project_pay.is_estimate),
        "currency": job.currency,
        "hourly_rate_cents": job.hourly_rate_cents,
        "hours_per_week": job.hours_per_week,
        "experience": job.experience_level,
        "test_required": job.qualification_test_id is not None,
        "languages": [language.code for language in job.required_languages.all()],
        "countries": [country.code for country in job.eligible_countries.all()],
        "deadline": job.deadline.isoformat() if job.deadline else None,
        "published_at": job.first_published_at.isoformat() if job.first_published_at else None,
        "title_highlighted": str(hit.title_html),
        "summary_highlighted": str(hit.summary_html),
    }


@router.get("jobs", response=SearchOut, summary="Search open job listings", auth=None)
def search_jobs(
    request,
    q: str = "",
    category: list[str] = Query([]),  # noqa: B008 - ninja's way to declare a list parameter
    min_pay: str = "",
    language: str = "",
    country: str = "",
    experience: str = "",
    company: str = "",
    no_test: str = "",
    sort: str = "",
    page: str = "",
    per_page: int = 20,
):
    """The board's search as JSON: hits with highlighted title and summary (HTML with
    <mark>, all listing text escaped), facet counts, total, paging and a "did you mean"."""
    form = ListingFilterForm(request.GET)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        raise LoopworkError(errors[0], code="invalid_input", field=field, status=422)
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise LoopworkError(
            f"per_page is between 1 and {MAX_PER_PAGE}.",
            code="invalid_input",
            field="per_page",
            status=422,
        )
    query = dataclasses.replace(form.to_query(), per_page=per_page)
    results = listing_search(query=query)
    return {
        "total": results.total,
        "page": results.page,
        "num_pages": results.num_pages,
        "per_page": query.page_size,
        "sort": query.effective_sort,
        "suggestion": results.suggestion,
        "backend": results.backend,
        "results": [_listing(hit) for hit in results.hits],
        "facets": {
            name: [dataclasses.asdict(value) for value in facet.values]
            for name, facet in results.facets.items()
        },
    }


@router.get("jobs/suggest", response=SuggestOut, summary="Autocomplete job titles", auth=None)
def suggest_jobs(request, q: str = ""):
    """Up to eight listing titles or company names that start like `q`."""
    return {"suggestions": listing_suggest(prefix=q[:200])}
