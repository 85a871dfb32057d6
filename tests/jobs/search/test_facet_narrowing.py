"""Shortcuts of the database backend give exactly what a full scan gives: the facet lexemes
that narrow a search with filters stay equal to each entry's facet values through every
listing change, and the no-words, one-filter path counts like the scan of every entry."""

import re

import pytest
from django.db import connection
from django.utils import timezone

from core.categories import Category
from jobs.models import JobPage, ListingSearchEntry
from jobs.search import db
from jobs.search.indexing import FACET_FIELDS, facet_keys, listing_index_changed
from jobs.search.results import FACET_NAMES, ListingQuery
from tests.factories import CompanyFactory, make_job

pytestmark = pytest.mark.django_db

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="facet lexemes are a PostgreSQL tsvector"
)

FILTER_SETS = [
    {"categories": (Category.SEARCH_EVALUATION,)},
    {"language": "en"},
    {"country": "DE"},
    {"min_hourly_cents": 1800},
    {"experience": "expert"},
    {"no_test": True},
    {"categories": (Category.IMAGE_ANNOTATION,), "language": "de"},
    {"categories": (Category.IMAGE_ANNOTATION, Category.SEARCH_EVALUATION), "country": "US"},
    {"language": "es", "min_hourly_cents": 1500, "no_test": True},
    {"min_hourly_cents": 1200, "country": "MX"},  # not a pay bracket: the lexemes cannot tell
    {"experience": "entry", "no_test": True, "country": "GB", "language": "en"},
]
WORDS = ["", "search", "rater", "annotation"]


def stored_lexemes(entry) -> set[str]:
    return {m.replace("''", "'") for m in re.findall(r"'((?:[^']|'')*)'", entry.facet_tokens or "")}


def expected_lexemes(entry) -> set[str]:
    values = {name: getattr(entry, name) for name in FACET_FIELDS}
    return {f"{facet}:{value}" for facet, value, _ in facet_keys(values)}


def assert_lexemes_exact():
    entries = list(ListingSearchEntry.objects.all())
    assert entries
    for entry in entries:
        assert stored_lexemes(entry) == expected_lexemes(entry), entry.page_id


def full_scan(query: ListingQuery) -> dict:
    """Total and facet counts of `query` from a scan of every visible entry, no shortcut."""
    today = timezone.localdate()
    base = ListingSearchEntry.objects.filter(visible=True).exclude(deadline__lt=today)
    if query.q:
        terms = db.query_terms(query.q)
        if db.is_postgres():
            base = base.filter(search_vector=db._tsquery(terms, {}))
        else:
            base = base.filter(db._like_condition(terms))
    filters = db._filters(query)
    if db.is_postgres():
        raw, _ = db._facet_rows_grouping_sets(base, filters)
    else:
        raw = db._facet_rows_union(base, filters)
    facets = db._facet_counts(raw)
    return {name: {k: n for k, n in facets[name].items() if n} for name in FACET_NAMES}


def answered(query: ListingQuery) -> dict:
    facets = db.search(query, page=1)["facets"]
    return {name: {k: n for k, n in facets[name].items() if n} for name in FACET_NAMES}


def assert_every_query_matches_the_full_scan(company_id):
    for words in WORDS:
        for filters in [*FILTER_SETS, {"company": company_id, "language": "en"}]:
            query = ListingQuery(q=words, per_page=50, **filters)
            assert answered(query) == full_scan(query), (words, filters)


@on_postgres
def test_facet_lexemes_follow_publish_edit_unpublish_delete(corpus):
    # given the corpus, every entry carries exactly its facet values as lexemes
    assert_lexemes_exact()
    assert stored_lexemes(ListingSearchEntry.objects.get(page_id=corpus["rater"].pk)) == {
        f"category:{Category.SEARCH_EVALUATION}",
        "experience:intermediate",
        "test:true",
        "pay:1500",
        "language:en",
        "country:GB",
        "country:US",
        f"company:{corpus['rater'].company_id}",
    }

    # when a listing is edited across several facets
    rater = corpus["rater"]
    JobPage.objects.filter(pk=rater.pk).update(
        category=Category.IMAGE_ANNOTATION, hourly_pay_cents=3100, qualification_test=None
    )
    rater.required_languages.clear()
    listing_index_changed(page_id=rater.pk)
    # and others are unpublished, deleted and added
    corpus["audio"].unpublish()
    JobPage.objects.get(pk=corpus["tagging"].pk).delete()
    make_job(title="Quote's job", company=CompanyFactory(name="O'Brien"), languages=("fr",))

    # then the lexemes still equal the facet values, and hidden entries have none
    assert_lexemes_exact()
    hidden = ListingSearchEntry.objects.filter(visible=False)
    assert sorted(e.page_id for e in hidden) == sorted([corpus["audio"].pk, corpus["tagging"].pk])
    assert {e.facet_tokens for e in hidden} == {None}


def test_searches_with_filters_count_like_a_full_scan(corpus):
    # given listings open to all languages and countries, and some hidden or edited ones
    make_job(title="Worldwide search rater", category=Category.SEARCH_EVALUATION)
    corpus["moderation"].unpublish()
    JobPage.objects.filter(pk=corpus["chatbot"].pk).update(experience_level="expert")
    listing_index_changed(page_id=corpus["chatbot"].pk)

    # then every mix of words and filters counts exactly as the scan of every entry
    assert_every_query_matches_the_full_scan(corpus["rater"].company_id)


def test_one_filter_without_words_counts_its_own_facet_over_the_whole_board(corpus):
    # given a category filter and no words
    results = db.search(ListingQuery(categories=(Category.IMAGE_ANNOTATION,)), page=1)

    # then the category facet counts the whole board, the others only image annotation
    assert results["total"] == 2
    assert {k: n for k, n in results["facets"]["category"].items() if n} == {
        Category.SEARCH_EVALUATION: 1,
        Category.IMAGE_ANNOTATION: 2,
        Category.AUDIO_ANNOTATION: 1,
        Category.SOCIAL_MEDIA_MODERATION: 1,
        Category.AI_RESPONSE_REVIEW: 1,
    }
    assert results["facets"]["language"] == {"de": 2, "_any": 1}
    assert results["facets"]["company"] == {str(corpus["images"].company_id): 2}
    assert results["facets"]["_company_names"] == {str(corpus["images"].company_id): "Globex Labs"}
    assert results["ids"] == [corpus["tagging"].pk, corpus["images"].pk]


def test_one_company_filter_names_the_leading_companies_of_the_board(corpus):
    acme = corpus["rater"].company_id
    globex = corpus["images"].company_id

    results = db.search(ListingQuery(company=acme), page=1)

    assert results["total"] == 3
    assert results["facets"]["company"] == {str(acme): 3, str(globex): 3}
    names = results["facets"]["_company_names"]
    assert names == {str(acme): "Acme Data", str(globex): "Globex Labs"}


def test_counted_rows_query_asks_for_at_most_one_failing_filter():
    tokens = {"category": ["category:a", "category:b"], "language": ["language:en", "language:"]}

    assert db._counted_rows_tsquery(tokens) == (
        "(('language:en' | 'language:')) | (('category:a' | 'category:b'))"
    )
    assert db._counted_rows_tsquery({**tokens, "test": ["test:false"]}) == (
        "(('language:en' | 'language:') & ('test:false')) | "
        "(('category:a' | 'category:b') & ('test:false')) | "
        "(('category:a' | 'category:b') & ('language:en' | 'language:'))"
    )
    # one filter, or only one the lexemes can tell, narrows nothing
    assert db._counted_rows_tsquery({"category": ["category:a"]}) is None
    assert db._counted_rows_tsquery({"category": ["category:a"], "pay": None}) is None


def test_pay_lexemes_keep_every_rate_at_or_above_the_minimum():
    def pay_tokens(cents):
        return db._filter_tokens(ListingQuery(min_hourly_cents=cents))["pay"]

    assert pay_tokens(1500) == ["pay:1500", "pay:2000", "pay:3000"]
    # between brackets: the bracket below is kept, the exact filter decides
    assert pay_tokens(1800) == ["pay:1500", "pay:2000", "pay:3000"]
    assert pay_tokens(900) is None
