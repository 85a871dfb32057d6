"""The job search service: `listing_search` and `listing_suggest`, whichever backend serves.

Elasticsearch serves when ELASTICSEARCH_URL is set; when it fails, the database answers the
same query, the failure is logged, and Elasticsearch is skipped for a short while.
"""

from __future__ import annotations

import dataclasses
import hashlib

from django.core.cache import cache
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from accounts.models import Company, Country, Language
from core.categories import Category

from ..models import JobPage
from . import db, es
from .highlight import highlight
from .indexing import search_generation
from .models import ListingSearchEntry
from .results import (
    FACET_CATEGORY,
    FACET_COMPANY,
    FACET_COUNTRY,
    FACET_EXPERIENCE,
    FACET_LANGUAGE,
    FACET_PAY,
    FACET_TEST,
    PAY_BRACKETS,
    TEST_NONE,
    TEST_REQUIRED,
    Facet,
    FacetValue,
    ListingQuery,
    ListingResults,
    SearchHit,
)

NAMES_SECONDS = 3600
RESULTS_SECONDS = 300
SUGGEST_SIZE = 8


def _names(model) -> dict[str, str]:
    """Names of reference rows (languages, countries), cached: they change with a migration."""
    key = f"search:names:{model._meta.label_lower}"
    return cache.get_or_set(
        key, lambda: dict(model.objects.values_list("pk", "name")), NAMES_SECONDS
    )


def _code_facet(name, label, counts, selected, names) -> Facet:
    counts = {code: n for code, n in counts.items() if code != db.ANY and code in names}
    values = [
        FacetValue(value=code, label=names[code], count=n, selected=code == selected)
        for code, n in sorted(counts.items(), key=lambda item: names[item[0]])
    ]
    return Facet(name=name, label=label, values=values)


def _company_names(counts: dict) -> dict[str, str]:
    names = counts.get("_company_names")
    if names is not None:
        return names
    ids = [int(key) for key in counts.get(FACET_COMPANY, {})]
    return {
        str(pk): name for pk, name in Company.objects.filter(pk__in=ids).values_list("pk", "name")
    }


def _facets(counts: dict, query: ListingQuery) -> dict[str, Facet]:
    chosen = set(query.categories)
    category = counts.get(FACET_CATEGORY, {})
    pay = counts.get(FACET_PAY, {})
    experience = counts.get(FACET_EXPERIENCE, {})
    tests = counts.get(FACET_TEST, {})
    company_names = _company_names(counts)
    language_names = _names(Language)
    country_names = _names(Country)
    return {
        FACET_CATEGORY: Facet(
            FACET_CATEGORY,
            "Category",
            [
                FacetValue(c.value, c.label, category.get(c.value, 0), c.value in chosen)
                for c in Category
            ],
        ),
        FACET_PAY: Facet(
            FACET_PAY,
            "Pay per hour",
            [
                FacetValue(
                    str(cents), label, pay.get(str(cents), 0), query.min_hourly_cents == cents
                )
                for cents, label in PAY_BRACKETS
            ],
        ),
        FACET_LANGUAGE: _code_facet(
            FACET_LANGUAGE,
            "Language",
            counts.get(FACET_LANGUAGE, {}),
            query.language,
            language_names,
        ),
        FACET_COUNTRY: _code_facet(
            FACET_COUNTRY,
            "Open to workers in",
            counts.get(FACET_COUNTRY, {}),
            query.country,
            country_names,
        ),
        FACET_EXPERIENCE: Facet(
            FACET_EXPERIENCE,
            "Experience",
            [
                FacetValue(
                    e.value, e.label, experience.get(e.value, 0), query.experience == e.value
                )
                for e in JobPage.Experience
            ],
        ),
        FACET_TEST: Facet(
            FACET_TEST,
            "Qualification test",
            [
                FacetValue(TEST_NONE, "No test needed", tests.get("false", 0), query.no_test),
                FacetValue(TEST_REQUIRED, "Test required", tests.get("true", 0)),
            ],
        ),
        FACET_COMPANY: Facet(
            FACET_COMPANY,
            "Company",
            [
                FacetValue(key, company_names.get(key, ""), n, str(query.company) == key)
                for key, n in counts.get(FACET_COMPANY, {}).items()
                if key in company_names
            ],
        ),
    }


def _hits(ids: list[int], words: set[str]) -> list[SearchHit]:
    pages = (
        JobPage.objects.filter(pk__in=ids)
        .select_related("company", "company__record", "qualification_test", "pay_figures")
        .prefetch_related("eligible_countries", "required_languages")
        .in_bulk()
    )
    return [
        SearchHit(
            listing=pages[pk],
            title_html=highlight(pages[pk].title, words),
            summary_html=highlight(pages[pk].summary, words),
        )
        for pk in ids
        if pk in pages
    ]


def _elasticsearch(query: ListingQuery) -> dict | None:
    """One page from Elasticsearch, or None when it is off or failing (the failure is logged)."""
    if not es.enabled() or es.is_down():
        return None
    try:
        raw = es.search(query, page=query.page)
        size = query.page_size
        last = max(min(-(-raw["total"] // size), es.MAX_RESULT_WINDOW // size), 1)
        page = min(max(query.page, 1), last)
        if page != query.page:
            raw = es.search(query, page=page)
        raw["page"] = page
        return raw
    except es.UNAVAILABLE as error:
        es.mark_down(error)
        return None


def _database(query: ListingQuery) -> dict:
    """One page from the database, cached until any listing changes (see indexing's
    generation counter), so a repeated board view costs one cache read."""
    # The date is part of the key: a listing's deadline passes at midnight.
    identity = (
        search_generation(),
        timezone.localdate(),
        connection.vendor,
        dataclasses.astuple(query),
    )
    key = "search:db:" + hashlib.sha256(repr(identity).encode()).hexdigest()
    raw = cache.get(key)
    if raw is None:
        raw = db.search(query, page=query.page)
        cache.set(key, raw, RESULTS_SECONDS)
    return raw


def listing_search(*, query: ListingQuery) -> ListingResults:
    """The open listings matching `query`: one page of hits, facet counts, total, suggestion.

    Guarantees: only listings that accept applications appear; a page number out of range
    gives the nearest page, never an error; any text is accepted (it is split into at most a
    few plain words); the number of queries does not depend on the number of hits.
    """
    raw = _elasticsearch(query)
    backend = "elasticsearch"
    if raw is None:
        raw = _database(query)
        backend = "database"
    size = query.page_size
    total = raw["total"]
    num_pages = max(-(-total // size), 1)
    if backend == "elasticsearch":
        num_pages = min(num_pages, es.MAX_RESULT_WINDOW // size)
    return ListingResults(
        hits=_hits(raw["ids"], raw["words"]),
        total=total,
        page=raw["page"],
        num_pages=num_pages,
        facets=_facets(raw["facets"], query),
        query=query,
        suggestion=raw["suggestion"],
        backend=backend,
    )


def listing_suggest(*, prefix: str, size: int = SUGGEST_SIZE) -> list[str]:
    """Up to `size` listing titles and company names starting like `prefix` (autocomplete)."""
    prefix = " ".join("".join(ch for ch in prefix[:200] if ch.isprintable()).split())[:100]
    if len(prefix) < 2:
        return []
    if es.enabled() and not es.is_down():
        try:
            return es.suggest(prefix, size=size)
        except es.UNAVAILABLE as error:
            es.mark_down(error)
    today_visible = ListingSearchEntry.objects.filter(visible=True)
    titles = (
        today_visible.filter(Q(title__istartswith=prefix) | Q(title__icontains=f" {prefix}"))
        .order_by("title")
        .values_list("title", flat=True)
        .distinct()[:size]
    )
    found = list(titles)
    if len(found) < size:
        companies = (
            today_visible.filter(company_name__istartswith=prefix)
            .order_by("company_name")
            .values_list("company_name", flat=True)
            .distinct()[: size - len(found)]
        )
        found += [name for name in companies if name not in found]
    return found
