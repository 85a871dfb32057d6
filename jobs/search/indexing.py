"""Keeping search data in step with listings: the database entries and the Elasticsearch index.

Every change of a listing (publish, unpublish, edit, delete) calls `listing_index_changed`,
which bumps the listing's index version and refreshes its database entry in the caller's
transaction; the index task then calls `listing_index_sync` with that version. A task whose
version is older than the entry's is stale and does nothing, and Elasticsearch writes use the
version as an external version, so a late or repeated task never brings back a deleted listing.
"""

from __future__ import annotations

import html
import logging
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping

from django.contrib.postgres.search import SearchVector
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F, OuterRef, Subquery
from django.utils.html import strip_tags
from wagtail.models import PageViewRestriction

from accounts.models import Company

from ..models import JobPage
from . import es
from .models import NO_DEADLINE, ListingFacetCount, ListingSearchEntry, ListingSearchWord
from .results import (
    FACET_CATEGORY,
    FACET_COMPANY,
    FACET_COUNTRY,
    FACET_EXPERIENCE,
    FACET_LANGUAGE,
    FACET_PAY,
    FACET_TEST,
    PAY_BRACKETS,
)
from .text import vocabulary_words

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
# PostgreSQL's GIN index on (search_vector, facet_tokens) of visible entries (migration jobs/0008).
MATCH_INDEX = "search_entry_match_gin"
GENERATION_KEY = "search:generation"
ENTRY_FIELDS = [
    "visible",
    "title",
    "summary",
    "body",
    "company_id",
    "company_name",
    "category",
    "experience",
    "test_required",
    "hourly_rate_cents",
    "languages",
    "countries",
    "published_at",
    "deadline",
    "facet_tokens",
]


FACET_FIELDS = [
    "visible",
    "category",
    "experience",
    "test_required",
    "hourly_rate_cents",
    "languages",
    "countries",
    "company_id",
    "deadline",
]


def pay_bucket(hourly_rate_cents: int) -> int:
    """The highest pay bracket a rate reaches, 0 below the lowest (as the facet query's CASE)."""
    return max((cents for cents, _ in PAY_BRACKETS if hourly_rate_cents >= cents), default=0)


def facet_keys(values: Mapping) -> list[tuple[str, str, object]]:
    """The (facet, value, deadline) counters an entry adds to: none when it is hidden."""
    if not values["visible"]:
        return []
    keys = [
        (FACET_CATEGORY, values["category"]),
        (FACET_EXPERIENCE, values["experience"]),
        (FACET_TEST, "true" if values["test_required"] else "false"),
        (FACET_PAY, str(pay_bucket(values["hourly_rate_cents"]))),
        *((FACET_LANGUAGE, code) for code in values["languages"].split() or [""]),
        *((FACET_COUNTRY, code) for code in values["countries"].split() or [""]),
        (FACET_COMPANY, str(values["company_id"])),
    ]
    deadline = values["deadline"] or NO_DEADLINE
    return [(facet, value, deadline) for facet, value in keys]


def tsvector_lexeme(text: str) -> str:
    """`text` quoted as one verbatim lexeme of a tsvector or tsquery literal."""
    escaped = text.replace("\\", "\\\\").replace("'", "''")
    return f"'{escaped}'"


def facet_token(facet: str, value: str) -> str:
    return f"{facet}:{value}"


def facet_tokens(values: Mapping) -> str | None:
    """The entry's facet lexemes as a tsvector literal (PostgreSQL; None on SQLite or hidden):
    the same facet values the counters count, so a filter is a lexeme match."""
    if connection.vendor != "postgresql" or not values["visible"]:
        return None
    tokens = sorted({facet_token(facet, value) for facet, value, _ in facet_keys(values)})
    return " ".join(tsvector_lexeme(token) for token in tokens)


def _count_facets(*, removed: Iterable[Mapping], added: Iterable[Mapping]) -> None:
    """Move the facet counters from the `removed` entry states to the `added` ones, in the
    caller's transaction. Rows are written in key order, so concurrent writers never
    deadlock on them."""
    delta: Counter = Counter()
    for values in added:
        delta.update(facet_keys(values))
    for values in removed:
        delta.subtract(facet_keys(values))
    rows = sorted((key, n) for key, n in delta.items() if n)
    if not rows:
        return
    table = ListingFacetCount._meta.db_table
    placeholders = ", ".join(["(%s, %s, %s, %s)"] * len(rows))
    params = [part for (facet, value, deadline), n in rows for part in (facet, value, deadline, n)]
    with connection.cursor() as cursor:
        # The table name is the model's own; every value is a parameter.
        cursor.execute(
            f"INSERT INTO {table} (facet, value, deadline, listings) VALUES {placeholders} "  # noqa: S608
            f"ON CONFLICT (facet, value, deadline) "
            f"DO UPDATE SET listings = {table}.listings + excluded.listings",
            params,
        )


def _codes(codes: Iterable[str]) -> str:
    ordered = sorted(codes)
    return f" {' '.join(ordered)} " if ordered else ""


def _listing_pages():
    return JobPage.objects.select_related("company", "pay_figures").prefetch_related(
        "eligible_countries", "required_languages"
    )


def _restricted_paths() -> list[str]:
    return list(PageViewRestriction.objects.values_list("page__path", flat=True))


def _entry_values(page: JobPage, restricted_paths: list[str]) -> dict:
    """What search keeps of a listing; `visible` is whether the board may show it at all."""
    public = not any(page.path.startswith(path) for path in restricted_paths)
    return {
        "visible": page.live and public and page.status == JobPage.Status.OPEN,
        "title": page.title[:255],
        "summary": page.summary,
        "body": html.unescape(strip_tags(page.description or ""))[:20000],
        "company_id": page.company_id,
        "company_name": page.company.name,
        "category": page.category,
        "experience": page.experience_level,
        "test_required": page.qualification_test_id is not None,
        "hourly_rate_cents": page.hourly_rate_cents,
        "languages": _codes(language.code for language in page.required_languages.all()),
        "countries": _codes(country.code for country in page.eligible_countries.all()),
        "published_at": page.first_published_at,
        "deadline": page.deadline,
    }


def _with_tokens(values: dict) -> dict:
    return {**values, "facet_tokens": facet_tokens(values)}


def _hidden_values() -> dict:
    return {"visible": False, "search_vector": None, "facet_tokens": None}


def _write_vectors(page_ids: list[int]) -> None:
    if connection.vendor != "postgresql" or not page_ids:
        return
    ListingSearchEntry.objects.filter(page_id__in=page_ids, visible=True).update(
        search_vector=SearchVector("title", weight="A", config="english")
        + SearchVector("company_name", "summary", weight="B", config="english")
        + SearchVector("body", weight="C", config="english")
    )


def _add_words(entries: Iterable[dict]) -> None:
    words = set()
    for values in entries:
        if values.get("visible"):
            words |= vocabulary_words(values["title"], values["summary"], values["company_name"])
    ListingSearchWord.objects.bulk_create(
        [ListingSearchWord(word=word) for word in words], ignore_conflicts=True
    )


def search_data_changed() -> None:
    """Invalidate cached database search results: now for this transaction's readers and again
    on commit, so nothing read before the commit stays cached under the new generation."""
    _bump_generation()
    transaction.on_commit(_bump_generation)


def _bump_generation() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, None)


def search_generation() -> int:
    return cache.get_or_set(GENERATION_KEY, 1, None)


def _refresh_entry(entry: ListingSearchEntry) -> None:
    """Copy the listing's current state into its (locked) entry; a deleted listing hides it."""
    search_data_changed()
    page = _listing_pages().filter(pk=entry.page_id).first()
    values = _with_tokens(_entry_values(page, _restricted_paths())) if page else _hidden_values()
    before = {name: getattr(entry, name) for name in FACET_FIELDS}
    for name, value in values.items():
        setattr(entry, name, value)
    entry.save()
    _count_facets(removed=[before], added=[{name: getattr(entry, name) for name in FACET_FIELDS}])
    if page:
        _write_vectors([entry.page_id])
        _add_words([values])


def listing_index_changed(*, page_id: int) -> int:
    """Record a change of listing `page_id`: a new version and a fresh database entry.

    Runs in the caller's transaction, so database search sees the change exactly when the
    change commits. Returns the new version for the index task.
    """
    with transaction.atomic():
        entry, _ = ListingSearchEntry.objects.select_for_update().get_or_create(page_id=page_id)
        entry.version += 1
        _refresh_entry(entry)
    return entry.version


def listing_index_sync(*, page_id: int, version: int) -> str:
    """Bring listing `page_id` up to date in every search store; idempotent by version.

    Returns "stale" when a newer change exists (its own task will do the work), "indexed"
    or "removed" otherwise. Elasticsearch rejects a write older than the one it holds.
    """
    with transaction.atomic():
        entry = ListingSearchEntry.objects.select_for_update().filter(page_id=page_id).first()
        if entry is None or entry.version > version:
            return "stale"
        _refresh_entry(entry)
    if es.enabled():
        es.index_entry(entry)
    return "indexed" if entry.visible else "removed"


def _batches(queryset, size: int = BATCH_SIZE) -> Iterator[list]:
    last = 0
    while True:
        batch = list(queryset.filter(pk__gt=last).order_by("pk")[:size])
        if not batch:
            return
        yield batch
        last = batch[-1].pk


def database_index_rebuild(*, progress=None) -> int:
    """Refresh every listing's database entry and rebuild the vocabulary; returns the count.

    Versions are kept, so index tasks already queued stay comparable. `progress(n)` is
    called after each batch of n listings.
    """
    restricted = _restricted_paths()
    existing = set(ListingSearchEntry.objects.values_list("page_id", flat=True))
    seen: set[int] = set()
    count = 0
    ListingSearchWord.objects.all().delete()
    for pages in _batches(_listing_pages()):
        with transaction.atomic():
            rows = {page.pk: _with_tokens(_entry_values(page, restricted)) for page in pages}
            # The batch's entries are locked and read before they are overwritten; an entry
            # created meanwhile by a listing change is set right by the recount at the end.
            before = list(
                ListingSearchEntry.objects.select_for_update()
                .filter(page_id__in=list(rows))
                .order_by("page_id")
                .values(*FACET_FIELDS)
            )
            _count_facets(removed=before, added=rows.values())
            new = [ListingSearchEntry(page_id=pk, version=1, **v) for pk, v in rows.items()]
            ListingSearchEntry.objects.bulk_create(
                new,
                update_conflicts=True,
                unique_fields=["page_id"],
                update_fields=[*ENTRY_FIELDS, "indexed_at"],
            )
            _write_vectors(list(rows))
            _add_words(rows.values())
        seen |= set(rows)
        count += len(rows)
        if progress:
            progress(len(rows))
    gone = existing - seen
    if gone:
        with transaction.atomic():
            hidden = ListingSearchEntry.objects.select_for_update().filter(page_id__in=gone)
            _count_facets(removed=hidden.order_by("page_id").values(*FACET_FIELDS), added=[])
            hidden.update(**_hidden_values())
    facet_counts_rebuild()
    _flush_pending_index_entries()
    search_data_changed()
    return count


def _flush_pending_index_entries() -> None:
    """Merge the GIN index's pending list (where a bulk write leaves up to 4 MB of entries
    that every search would otherwise scan linearly until autovacuum merges them)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [MATCH_INDEX])


def facet_counts_rebuild() -> None:
    """Recount the facet counters from the visible entries (they are kept exact as entries
    change; this repairs counters written by anything else, e.g. before they existed).

    On PostgreSQL the counters are locked first: an entry write waiting for them has not
    committed, so the recount sees its old state and its own delta follows.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                table = ListingFacetCount._meta.db_table
                cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")  # our own table name
        counts: Counter = Counter()
        visible = ListingSearchEntry.objects.filter(visible=True).values(*FACET_FIELDS)
        for values in visible.iterator(chunk_size=5000):
            counts.update(facet_keys(values))
        ListingFacetCount.objects.all().delete()
        ListingFacetCount.objects.bulk_create(
            [
                ListingFacetCount(facet=facet, value=value, deadline=deadline, listings=n)
                for (facet, value, deadline), n in sorted(counts.items())
            ],
            batch_size=1000,
        )


def entries_for_index() -> Iterator[ListingSearchEntry]:
    """Visible entries in primary key order, for bulk indexing."""
    for batch in _batches(ListingSearchEntry.objects.filter(visible=True)):
        yield from batch


def visible_entry_count() -> int:
    return ListingSearchEntry.objects.filter(visible=True).count()


def entries_changed_since(moment) -> list[ListingSearchEntry]:
    return list(ListingSearchEntry.objects.filter(indexed_at__gte=moment))


def stale_entry_ids() -> list[int]:
    """Visible entries whose company was renamed since (a company edit is not a page edit)."""
    current_name = Company.objects.filter(pk=OuterRef("company_id")).values("name")[:1]
    return list(
        ListingSearchEntry.objects.filter(visible=True)
        .annotate(current_name=Subquery(current_name))
        .exclude(company_name=F("current_name"))
        .values_list("page_id", flat=True)
    )
