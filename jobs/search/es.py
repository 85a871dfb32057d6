"""The Elasticsearch backend: the index definition, query building and index writes.

The only module that imports `elasticsearch`. The index is versioned (`<alias>-<stamp>`) and
served through an alias, so `rebuild_job_index` builds a new one and swaps the alias at once.
Query building is pure (`build_search(query).to_dict()` is what goes over the wire), so tests
check the structures without a cluster; `client()` is the one seam to replace in tests.
"""

from __future__ import annotations

import functools
import html
import logging
import re
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from elastic_transport import TransportError
from elasticsearch import ApiError, ConflictError, Elasticsearch, helpers
from elasticsearch.dsl import (
    Boolean,
    Completion,
    Date,
    Document,
    Index,
    Integer,
    Keyword,
    Long,
    Q,
    Search,
    Text,
    analyzer,
    token_filter,
)

from .models import ListingSearchEntry
from .results import (
    COMPANY_FACET_SIZE,
    FACET_CATEGORY,
    FACET_COMPANY,
    FACET_COUNTRY,
    FACET_EXPERIENCE,
    FACET_LANGUAGE,
    FACET_PAY,
    FACET_TEST,
    PAY_BRACKETS,
    SORT_NEWEST,
    SORT_PAY,
    ListingQuery,
)
from .text import SYNONYM_GROUPS, query_terms

logger = logging.getLogger(__name__)

# Errors that mean "Elasticsearch cannot answer now": searches fall back to the database.
UNAVAILABLE = (ApiError, TransportError)
DOWN_CACHE_KEY = "search:elasticsearch-down"
DOWN_SECONDS = 30
MAX_RESULT_WINDOW = 10_000
ANY = "_any"  # a listing with no language (or country) list: open to all

english_stop = token_filter("job_english_stop", type="stop", stopwords="_english_")
english_stemmer = token_filter("job_english_stemmer", type="stemmer", language="english")
english_possessive = token_filter(
    "job_english_possessive", type="stemmer", language="possessive_english"
)
job_synonyms = token_filter(
    "job_synonyms", type="synonym_graph", synonyms=[", ".join(group) for group in SYNONYM_GROUPS]
)
# Indexing stems English words; searching also expands the field's synonyms (a graph filter
# only works at search time).
job_text = analyzer(
    "job_text",
    tokenizer="standard",
    filter=["lowercase", "asciifolding", english_possessive, english_stop, english_stemmer],
)
job_text_search = analyzer(
    "job_text_search",
    tokenizer="standard",
    filter=[
        "lowercase",
        "asciifolding",
        english_possessive,
        job_synonyms,
        english_stop,
        english_stemmer,
    ],
)
# Unstemmed words for the "did you mean" term suggester.
job_words = analyzer("job_words", tokenizer="standard", filter=["lowercase", "asciifolding"])


def _text(**kwargs) -> Text:
    return Text(analyzer=job_text, search_analyzer=job_text_search, copy_to="words", **kwargs)


class ListingDocument(Document):
    """One listing as Elasticsearch keeps it; `visible: false` is a tombstone."""

    page_id = Long()
    visible = Boolean()
    title = _text(fields={"raw": Keyword()})
    summary = _text()
    body = Text(analyzer=job_text, search_analyzer=job_text_search)
    company_name = _text(fields={"raw": Keyword()})
    company_id = Keyword()
    category = Keyword()
    experience = Keyword()
    test_required = Boolean()
    hourly_rate_cents = Integer()
    languages = Keyword()
    countries = Keyword()
    published_at = Date()
    deadline = Date()
    words = Text(analyzer=job_words)
    suggest = Completion(analyzer="simple")

    class Index:
        name = "loopwork-jobs"


def alias_name() -> str:
    return settings.ELASTICSEARCH_INDEX


def job_index(name: str) -> Index:
    """The index definition (settings, analyzers and mappings) under the name `name`."""
    index = Index(name)
    index.settings(number_of_shards=1, number_of_replicas=0, max_result_window=MAX_RESULT_WINDOW)
    index.document(ListingDocument)
    return index


def enabled() -> bool:
    return bool(settings.ELASTICSEARCH_URL)


@functools.cache
def _client_for(url: str) -> Elasticsearch:
    return Elasticsearch(
        url, request_timeout=settings.ELASTICSEARCH_TIMEOUT, max_retries=0, retry_on_timeout=False
    )


def client() -> Elasticsearch:
    return _client_for(settings.ELASTICSEARCH_URL)


def is_down() -> bool:
    """True for a short while after a failure, so a dead cluster does not slow every page."""
    return bool(cache.get(DOWN_CACHE_KEY))


def mark_down(error: Exception) -> None:
    logger.warning("Elasticsearch is unavailable, searching the database instead: %r", error)
    cache.set(DOWN_CACHE_KEY, True, DOWN_SECONDS)


# --- Documents -------------------------------------------------------------------------------


def _codes(value: str) -> list[str]:
    return value.split() or [ANY]


def entry_document(entry: ListingSearchEntry) -> dict:
    """The JSON source of an entry; a hidden entry becomes a tombstone with no content."""
    if not entry.visible:
        return {"page_id": entry.page_id, "visible": False}
    return {
        "page_id": entry.page_id,
        "visible": True,
        "title": entry.title,
        "summary": entry.summary,
        "body": entry.body,
        "company_name": entry.company_name,
        "company_id": str(entry.company_id),
        "category": entry.category,
        "experience": entry.experience,
        "test_required": entry.test_required,
        "hourly_rate_cents": entry.hourly_rate_cents,
        "languages": _codes(entry.languages),
        "countries": _codes(entry.countries),
        "published_at": entry.published_at.isoformat() if entry.published_at else None,
        "deadline": entry.deadline.isoformat() if entry.deadline else None,
        "suggest": {"input": [entry.title, entry.company_name]},
    }


def index_entry(entry: ListingSearchEntry, *, index: str | None = None) -> bool:
    """Write one entry with its version as an external version; False when ES holds newer."""
    try:
        client().index(
            index=index or alias_name(),
            id=str(entry.page_id),
            document=entry_document(entry),
            version=entry.version,
            version_type="external",
        )
    except ConflictError:
        return False
    return True


def bulk_actions(entries: Iterable[ListingSearchEntry], index: str):
    for entry in entries:
        yield {
            "_index": index,
            "_id": str(entry.page_id),
            "_version": entry.version,
            "_version_type": "external",
            "_source": entry_document(entry),
        }


def bulk_index(entries: Iterable[ListingSearchEntry], *, index: str) -> int:
    """Index entries in chunks; version conflicts (a newer copy already there) are skipped."""
    indexed, _errors = helpers.bulk(
        client(), bulk_actions(entries, index), chunk_size=500, raise_on_error=False
    )
    return indexed


def create_index(name: str) -> None:
    job_index(name).create(using=client())


def new_index_name() -> str:
    return f"{alias_name()}-{timezone.now():%Y%m%d%H%M%S%f}"


def swap_alias(new: str) -> list[str]:
    """Point the alias at `new` in one atomic step; returns the indexes it left (to delete)."""
    alias = alias_name()
    es = client()
    old = (
        list(es.indices.get_alias(name=alias).keys()) if es.indices.exists_alias(name=alias) else []
    )
    actions = [{"remove": {"index": name, "alias": alias}} for name in old]
    actions.append({"add": {"index": new, "alias": alias}})
    es.indices.update_aliases(actions=actions)
    return [name for name in old if name != new]


def delete_indexes(names: list[str]) -> None:
    for name in names:
        client().indices.delete(index=name)


# --- Searching -------------------------------------------------------------------------------

TEXT_FIELDS = ["title^3", "company_name^2", "summary^2", "body"]


def _text_query(terms: list[str]):
    text = " ".join(terms)
    return Q(
        "bool",
        should=[
            # Exact words with stemming and synonyms.
            Q("multi_match", query=text, fields=TEXT_FIELDS, operator="and"),
            # Typos: fuzzy words, without synonyms (graph synonyms and fuzziness do not mix).
            Q(
                "multi_match",
                query=text,
                fields=TEXT_FIELDS,
                operator="and",
                fuzziness="AUTO",
                prefix_length=1,
                analyzer="job_text",
                boost=0.5,
            ),
            # The word being typed: a prefix of the last word in titles.
            Q("match_phrase_prefix", title={"query": text, "boost": 2}),
        ],
        minimum_should_match=1,
    )


def _any_or(field: str, value: str):
    return Q("terms", **{field: [value, ANY]})


def facet_filters(query: ListingQuery) -> dict[str, object]:
    filters = {}
    if query.categories:
        filters[FACET_CATEGORY] = Q("terms", category=list(query.categories))
    if query.min_hourly_cents:
        filters[FACET_PAY] = Q("range", hourly_rate_cents={"gte": query.min_hourly_cents})
    if query.language:
        filters[FACET_LANGUAGE] = _any_or("languages", query.language)
    if query.country:
        filters[FACET_COUNTRY] = _any_or("countries", query.country)
    if query.experience:
        filters[FACET_EXPERIENCE] = Q("term", experience=query.experience)
    if query.no_test:
        filters[FACET_TEST] = Q("term", test_required=False)
    if query.company:
        filters[FACET_COMPANY] = Q("term", company_id=str(query.company))
    return filters


def _facet_aggs(filters: dict) -> dict[str, dict]:
    bodies = {
        FACET_CATEGORY: {"terms": {"field": "category", "size": 50}},
        FACET_PAY: {
            "filters": {
                "filters": {
                    str(cents): {"range": {"hourly_rate_cents": {"gte": cents}}}
                    for cents, _ in PAY_BRACKETS
                }
            }
        },
        FACET_LANGUAGE: {"terms": {"field": "languages", "size": 200}},
        FACET_COUNTRY: {"terms": {"field": "countries", "size": 300}},
        FACET_EXPERIENCE: {"terms": {"field": "experience", "size": 10}},
        FACET_TEST: {"terms": {"field": "test_required", "size": 2}},
        FACET_COMPANY: {"terms": {"field": "company_id", "size": COMPANY_FACET_SIZE}},
    }
    aggs = {}
    for name, body in bodies.items():
        others = [f.to_dict() for other, f in filters.items() if other != name]
        aggs[name] = {"filter": {"bool": {"filter": others}}, "aggs": {"values": body}}
    return aggs


def build_search(query: ListingQuery, *, page: int) -> Search:
    """The request for one page of `query`: facet filters as a post filter, so each facet's
    aggregation can count with every other filter applied."""
    terms = query_terms(query.q)
    today = timezone.localdate().isoformat()
    search = Search(index=alias_name()).filter("term", visible=True)
    search = search.filter(
        Q("bool", should=[Q("range", deadline={"gte": today}), ~Q("exists", field="deadline")])
    )
    if terms:
        search = search.query(_text_query(terms))
    filters = facet_filters(query)
    if filters:
        search = search.post_filter(Q("bool", filter=list(filters.values())))
    search = search.update_from_dict({"aggs": _facet_aggs(filters), "track_total_hits": True})
    sort = query.effective_sort
    newest = {"published_at": {"order": "desc", "missing": "_last"}}
    if sort == SORT_NEWEST:
        search = search.sort(newest, {"page_id": "desc"})
    elif sort == SORT_PAY:
        search = search.sort({"hourly_rate_cents": "desc"}, newest, {"page_id": "desc"})
    else:
        search = search.sort("_score", newest, {"page_id": "desc"})
    search = search.highlight_options(
        number_of_fragments=0, pre_tags=["<mark>"], post_tags=["</mark>"], encoder="html"
    ).highlight("title", "summary")
    if terms:
        search = search.suggest(
            "did_you_mean", " ".join(terms), term={"field": "words", "suggest_mode": "missing"}
        )
    size = query.page_size
    offset = min((page - 1) * size, MAX_RESULT_WINDOW - size)
    return search.source(["page_id"])[offset : offset + size]


_MARKED = re.compile(r"<mark>(.*?)</mark>")


def marked_words(fragments: Iterable[str]) -> set[str]:
    """The words Elasticsearch marked, unescaped; the page re-highlights from its own text."""
    return {html.unescape(word).lower() for text in fragments for word in _MARKED.findall(text)}


def _bucket_counts(aggregation: dict) -> dict[str, int]:
    values = aggregation["values"]
    buckets = values["buckets"]
    if isinstance(buckets, dict):
        return {key: bucket["doc_count"] for key, bucket in buckets.items()}
    return {
        str(bucket.get("key_as_string", bucket["key"])): bucket["doc_count"] for bucket in buckets
    }


def parse_response(body: dict) -> dict:
    """Ids, matched words, total, raw facet counts and a suggestion from a search response."""
    hits = body["hits"]["hits"]
    words: set[str] = set()
    for hit in hits:
        for fragments in hit.get("highlight", {}).values():
            words |= marked_words(fragments)
    counts = {name: _bucket_counts(agg) for name, agg in body.get("aggregations", {}).items()}
    for name in (FACET_LANGUAGE, FACET_COUNTRY):
        if name in counts:
            open_to_all = counts[name].pop(ANY, 0)
            counts[name] = {code: n + open_to_all for code, n in counts[name].items()}
            counts[name][ANY] = open_to_all
    corrected = []
    changed = False
    for entry in body.get("suggest", {}).get("did_you_mean", []):
        options = entry.get("options") or []
        if options:
            corrected.append(options[0]["text"])
            changed = True
        else:
            corrected.append(entry["text"])
    return {
        "ids": [int(hit["_source"]["page_id"]) for hit in hits],
        "words": words,
        "total": body["hits"]["total"]["value"],
        "facets": counts,
        "suggestion": " ".join(corrected) if changed else "",
    }


def search(query: ListingQuery, *, page: int) -> dict:
    """Run one page of `query`; raises one of UNAVAILABLE when the cluster cannot answer."""
    body = client().search(index=alias_name(), body=build_search(query, page=page).to_dict())
    return parse_response(dict(body))


def build_suggest(prefix: str, *, size: int) -> dict:
    return {
        "suggest": {
            "listings": {
                "prefix": prefix[:100],
                "completion": {"field": "suggest", "size": size, "skip_duplicates": True},
            }
        },
        "_source": False,
    }


def suggest(prefix: str, *, size: int) -> list[str]:
    body = client().search(index=alias_name(), body=build_suggest(prefix, size=size))
    return [option["text"] for option in body["suggest"]["listings"][0]["options"]]
