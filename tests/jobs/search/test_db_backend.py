"""The database backend end to end: relevance, filters, facets, typos, paging, hostile input.

Runs on PostgreSQL (full-text search, trigram typo tolerance) and on SQLite (LIKE path).
"""

import pytest
from django.db import connection

from core.categories import Category
from jobs.search.results import ListingQuery
from jobs.search.service import listing_search, listing_suggest

pytestmark = pytest.mark.django_db

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="typo tolerance uses PostgreSQL's pg_trgm"
)


def search(**kwargs):
    kwargs.setdefault("per_page", 50)
    return listing_search(query=ListingQuery(**kwargs))


def titles(results):
    return [hit.listing.title for hit in results.hits]


def test_empty_query_lists_every_open_listing_newest_first(corpus):
    results = search()

    assert results.total == 6
    assert titles(results)[0] == "Product photo tagging"
    assert results.backend == "database"
    assert results.suggestion == ""


def test_relevance_puts_title_matches_before_summary_matches(corpus):
    results = search(q="search")

    assert titles(results) == ["Search relevance rater", "Image annotation for self-driving cars"]
    assert results.query.effective_sort == "relevance"


def test_every_word_must_match(corpus):
    assert titles(search(q="spanish transcription")) == ["Spanish audio transcription"]
    assert titles(search(q="spanish moderation")) == []


def test_synonyms_find_the_same_jobs(corpus):
    # "labeling" means annotation work; "assessor" means rater/evaluator.
    assert "Image annotation for self-driving cars" in titles(search(q="labeling"))
    assert set(titles(search(q="assessor"))) == {
        "Search relevance rater",
        "Chatbot answer evaluator",
    }


def test_prefix_of_a_word_matches_while_typing(corpus):
    assert titles(search(q="transcri")) == ["Spanish audio transcription"]


def test_company_name_matches(corpus):
    assert len(search(q="globex").hits) == 3


def test_highlights_mark_matches_and_escape_the_rest(corpus, site_tree):
    from tests.factories import make_job

    make_job(title="<script>alert(1)</script> search job", summary="Search & rate <b>bold</b>")
    results = search(q="search")
    hit = next(hit for hit in results.hits if "script" in hit.listing.title)

    assert str(hit.title_html) == ("&lt;script&gt;alert(1)&lt;/script&gt; <mark>search</mark> job")
    assert str(hit.summary_html) == "<mark>Search</mark> &amp; rate &lt;b&gt;bold&lt;/b&gt;"


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"categories": (Category.IMAGE_ANNOTATION,)}, {"images", "tagging"}),
        ({"min_hourly_cents": 1800}, {"rater", "chatbot", "audio"}),
        ({"min_hourly_cents": 3000}, {"audio", "chatbot"}),  # 50¢ a minute is $30/hour
        ({"language": "es"}, {"audio", "images", "chatbot"}),  # no language list: open to all
        ({"country": "DE"}, {"chatbot", "images", "moderation", "tagging"}),  # worldwide too
        ({"experience": "expert"}, {"moderation"}),
        ({"no_test": True}, {"images", "audio", "moderation", "chatbot", "tagging"}),
    ],
)
def test_each_filter(corpus, filters, expected):
    results = search(**filters)

    assert set(titles(results)) == {corpus[key].title for key in expected}
    assert results.total == len(expected)


def test_company_filter(corpus):
    acme = corpus["rater"].company_id
    assert set(titles(search(company=acme))) == {
        corpus[key].title for key in ("rater", "audio", "chatbot")
    }


def test_facet_counts_apply_every_other_filter(corpus):
    # given text and two filters
    results = search(q="search", categories=(Category.IMAGE_ANNOTATION,), no_test=True)

    # then each facet counts the listings matching the text and the *other* filters
    facets = {name: facet.counts() for name, facet in results.facets.items()}
    assert titles(results) == ["Image annotation for self-driving cars"]
    # categories: text + no_test (the rater needs a test, so it is not counted)
    assert facets["category"][Category.IMAGE_ANNOTATION] == 1
    assert facets["category"][Category.SEARCH_EVALUATION] == 0
    # test: text + category
    assert facets["test"] == {"none": 1, "required": 0}
    # pay brackets are cumulative minimums
    assert facets["pay"] == {"1000": 1, "1500": 0, "2000": 0, "3000": 0}
    assert facets["experience"] == {"entry": 1, "intermediate": 0, "expert": 0}
    assert facets["company"] == {str(corpus["images"].company_id): 1}


def test_facet_counts_of_the_whole_board(corpus):
    facets = {name: facet.counts() for name, facet in search().facets.items()}

    assert facets["category"][Category.IMAGE_ANNOTATION] == 2
    assert sum(facets["category"].values()) == 6
    assert facets["pay"] == {"1000": 6, "1500": 4, "2000": 2, "3000": 2}
    # two listings name no language, so they count for every language
    assert facets["language"] == {"de": 3, "en": 4, "es": 3}
    assert facets["country"]["DE"] == 4
    assert facets["country"]["MX"] == 4
    assert facets["experience"] == {"entry": 4, "intermediate": 1, "expert": 1}
    assert facets["test"] == {"none": 5, "required": 1}
    assert sorted(facets["company"].values()) == [3, 3]
    assert {value.label for value in search().facets["company"].values} == {
        "Acme Data",
        "Globex Labs",
    }


def test_sorting_by_pay_and_newest(corpus):
    assert titles(search(sort="pay"))[:2] == [
        "Chatbot answer evaluator",
        "Spanish audio transcription",
    ]
    assert titles(search(q="search", sort="newest")) == [
        "Image annotation for self-driving cars",
        "Search relevance rater",
    ]


def test_pagination_limits(corpus):
    first = search(per_page=4, page=1)
    second = search(per_page=4, page=2)
    past = search(per_page=4, page=99)
    below = search(per_page=4, page=-5)
    huge = search(per_page=10_000)

    assert (first.num_pages, len(first.hits), len(second.hits)) == (2, 4, 2)
    assert not set(titles(first)) & set(titles(second))
    assert past.page == 2 and titles(past) == titles(second)
    assert below.page == 1
    assert len(huge.hits) == 6 and huge.query.page_size == 50


@on_postgres
def test_typos_still_find_listings_on_postgresql(corpus):
    results = search(q="transcripton")

    assert titles(results) == ["Spanish audio transcription"]
    assert results.suggestion == "transcription"


def test_did_you_mean_when_nothing_matches(corpus):
    results = search(q="moderatoin")

    assert results.suggestion == "moderation"


def test_nothing_matches_gives_an_empty_page_without_suggestion(corpus):
    results = search(q="zzzzqqq")

    assert (results.total, results.hits, results.suggestion) == (0, [], "")


HOSTILE = [
    "x" * 10_000,
    "search " * 2_000,
    'title:"rater" AND (NOT foo) OR bar~2 ^3 * ? [a TO z] {}',
    "&|!():*<>'\\",
    "'; DROP TABLE jobs_jobpage; --",
    "1 OR 1=1",
    "%_%",
    "😀 données 検索 مرحبا",
    "\x00\x01\x7f",
    "   ",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_queries_never_fail(corpus, text):
    results = search(q=text)

    assert results.total >= 0
    assert listing_suggest(prefix=text) is not None


def test_suggest_offers_titles_and_companies(corpus):
    assert listing_suggest(prefix="soc") == ["Social media moderation"]
    assert "Globex Labs" in listing_suggest(prefix="glob")
    assert listing_suggest(prefix="s") == []


def test_hidden_listings_never_match(corpus, site_tree):
    from jobs.models import JobPage
    from tests.factories import make_job

    make_job(title="Draft search job", live=False)
    make_job(title="Paused search job", status=JobPage.Status.PAUSED)

    assert "Draft search job" not in titles(search(q="search"))
    assert "Paused search job" not in titles(search(q="search"))
