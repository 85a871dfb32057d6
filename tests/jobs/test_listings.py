"""listing_search: the filters, sorting, paging and counts of the job board."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.categories import Category
from jobs.models import JobPage, Qualification, QualificationTest
from jobs.search.indexing import listing_index_changed
from jobs.search.results import ListingQuery
from jobs.search.service import listing_search
from jobs.search_tasks import refresh_stale_search_entries
from tests.factories import make_job, yesterday

pytestmark = pytest.mark.django_db


def search(**kwargs):
    kwargs.setdefault("per_page", 50)
    return listing_search(query=ListingQuery(**kwargs))


def titles(results):
    return [hit.listing.title for hit in results.hits]


def published(job, *, days_ago):
    """Pin a listing's first publication so ordering does not depend on test speed."""
    moment = timezone.now() - datetime.timedelta(days=days_ago)
    JobPage.objects.filter(pk=job.pk).update(first_published_at=moment)
    listing_index_changed(page_id=job.pk)  # an update() sends no signal; search must see it
    return job


def qualification_test():
    qualification = Qualification.objects.create(
        name="English search rating", slug="english-search-rating", category="search-evaluation"
    )
    return QualificationTest.objects.create(
        qualification=qualification, title="Search rating basics", category="search-evaluation"
    )


# --- Visibility -----------------------------------------------------------------------


def test_only_live_open_listings_within_their_deadline_appear(site_tree):
    # given one listing of each hidden kind and two visible ones
    make_job(title="Open")
    make_job(title="Due today", deadline=timezone.localdate())
    make_job(title="Draft", live=False)
    make_job(title="Paused", status=JobPage.Status.PAUSED)
    make_job(title="Closed", status=JobPage.Status.CLOSED)
    make_job(title="Expired", deadline=yesterday())

    # when the board is searched with no filters
    results = search()

    # then only the open ones are found and counted
    assert sorted(titles(results)) == ["Due today", "Open"]
    assert results.total == 2
    assert sum(results.category_counts.values()) == 2


def test_hidden_listings_never_match_a_filter_either(site_tree):
    make_job(title="Closed annotation", status=JobPage.Status.CLOSED, category="image-annotation")
    make_job(title="Draft annotation", live=False, category="image-annotation")

    results = search(q="annotation", categories=("image-annotation",))

    assert results.hits == []
    assert results.total == 0
    assert results.category_counts["image-annotation"] == 0


# --- Text ---------------------------------------------------------------------------------


def test_text_matches_title_summary_and_company_case_insensitively(site_tree):
    make_job(title="Rate SEARCH results")
    make_job(title="Other", summary="Review search ads for quality")
    acme = make_job(title="Third").company
    acme.name = "Searchlight Labs"
    acme.save()
    refresh_stale_search_entries()  # the periodic safety net reindexes renamed companies
    make_job(title="Unrelated", summary="Transcribe podcasts")

    results = search(q="search")

    assert sorted(titles(results)) == ["Other", "Rate SEARCH results", "Third"]


def test_every_word_of_the_text_must_match(site_tree):
    make_job(title="Audio transcription", summary="Transcribe German podcasts")
    make_job(title="Audio review", summary="Rate English clips")

    assert titles(search(q="audio german")) == ["Audio transcription"]
    assert sorted(titles(search(q="  "))) == ["Audio review", "Audio transcription"]


# --- Categories ---------------------------------------------------------------------------


def test_one_category(site_tree):
    make_job(title="Images", category=Category.IMAGE_ANNOTATION)
    make_job(title="Texts", category=Category.TEXT_ANNOTATION)

    assert titles(search(categories=(Category.IMAGE_ANNOTATION,))) == ["Images"]


def test_several_categories(site_tree):
    make_job(title="Images", category=Category.IMAGE_ANNOTATION)
    make_job(title="Texts", category=Category.TEXT_ANNOTATION)
    make_job(title="Search", category=Category.SEARCH_EVALUATION)

    results = search(categories=(Category.IMAGE_ANNOTATION, Category.SEARCH_EVALUATION))

    assert sorted(titles(results)) == ["Images", "Search"]
    assert results.total == 2


def test_category_counts_ignore_the_category_filter_but_apply_the_others(site_tree):
    # given listings in three categories, one of them needing a test
    make_job(category=Category.IMAGE_ANNOTATION)
    make_job(category=Category.IMAGE_ANNOTATION)
    make_job(category=Category.IMAGE_ANNOTATION, qualification_test=qualification_test())
    make_job(category=Category.TEXT_MODERATION)
    make_job(category=Category.AI_RESPONSE_REVIEW, status=JobPage.Status.CLOSED)

    # when one category is chosen together with "no test needed"
    results = search(categories=(Category.TEXT_MODERATION,), no_test=True)

    # then the counts show every category under the other filters, zero included
    assert results.category_counts == {
        **{category.value: 0 for category in Category},
        Category.IMAGE_ANNOTATION.value: 2,
        Category.TEXT_MODERATION.value: 1,
    }
    assert results.total == 1


def test_facet_counts_take_a_fixed_number_of_queries(site_tree):
    base = ListingQuery(categories=(Category.IMAGE_ANNOTATION,))

    def counting_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            listing_search(query=base)
        return sum("GROUP BY" in q["sql"].upper() for q in queries.captured_queries)

    make_job(category=Category.IMAGE_ANNOTATION)
    make_job(category=Category.TEXT_MODERATION)
    few = counting_queries()
    for category in (Category.AUDIO_ANNOTATION, Category.SEARCH_EVALUATION):
        make_job(category=category)

    # The filtered facet's own counts come from the counters table (PostgreSQL), the other
    # facets from one grouped statement; neither grows with the categories.
    assert few <= 2
    assert counting_queries() == few


# --- Pay ------------------------------------------------------------------------------------


def test_minimum_pay_counts_per_task_pay_per_hour(site_tree):
    # given $12/hour, 30 cents per 1-minute task ($18/hour) and $1 per 10-minute task ($6/hour)
    make_job(title="Hourly 12", hourly_pay_cents=1200)
    make_job(title="Task 18", task_pay=(30, 60))
    make_job(title="Task 6", task_pay=(100, 600))

    # when asking for at least $12 an hour
    results = search(min_hourly_cents=1200)

    # then the boundary is inclusive and per-task pay counts at its hourly rate
    assert sorted(titles(results)) == ["Hourly 12", "Task 18"]
    assert titles(search(min_hourly_cents=1201)) == ["Task 18"]


def test_the_hourly_rate_is_the_stated_pay_or_what_the_projects_pay(site_tree):
    jobs = [
        make_job(task_pay=(7, 180)),
        make_job(task_pay=(45, 120)),
        make_job(hourly_pay_cents=1999),
        make_job(pay_source=JobPage.PaySource.PROJECTS),  # no project linked yet
    ]

    assert [JobPage.objects.get(pk=job.pk).hourly_rate_cents for job in jobs] == [
        140,
        1350,
        1999,
        0,
    ]


# --- Language and country -----------------------------------------------------------------


def test_language_includes_listings_that_require_no_language(site_tree):
    make_job(title="German", languages=("de",))
    make_job(title="German or English", languages=("de", "en"))
    make_job(title="Any language")
    make_job(title="English", languages=("en",))

    results = search(language="de")

    assert sorted(titles(results)) == ["Any language", "German", "German or English"]
    assert results.total == 3


def test_country_includes_worldwide_listings(site_tree):
    make_job(title="US only", countries=("US",))
    make_job(title="US and Germany", countries=("US", "DE"))
    make_job(title="Worldwide")
    make_job(title="Philippines", countries=("PH",))

    results = search(country="DE")

    assert sorted(titles(results)) == ["US and Germany", "Worldwide"]
    assert results.total == 2


def test_no_test_leaves_out_listings_with_a_qualification_test(site_tree):
    make_job(title="Tested", qualification_test=qualification_test())
    make_job(title="Open door")

    assert titles(search(no_test=True)) == ["Open door"]
    assert sorted(titles(search(no_test=False))) == ["Open door", "Tested"]


def test_filters_combine(site_tree):
    # given one listing that meets everything and one that misses each filter in turn
    test = qualification_test()
    wanted = dict(
        category=Category.SEARCH_EVALUATION,
        hourly_pay_cents=2000,
        languages=("de",),
        countries=("DE",),
        summary="Rate search results in German",
    )
    make_job(title="Match", **wanted)
    make_job(title="Wrong category", **{**wanted, "category": Category.TEXT_MODERATION})
    make_job(title="Low pay", **{**wanted, "hourly_pay_cents": 900})
    make_job(title="Wrong language", **{**wanted, "languages": ("en",)})
    make_job(title="Wrong country", **{**wanted, "countries": ("US",)})
    make_job(title="Needs test", **wanted, qualification_test=test)
    make_job(title="Wrong words", **{**wanted, "summary": "Moderate posts"})

    # when every filter is applied at once
    results = search(
        q="search german",
        categories=(Category.SEARCH_EVALUATION,),
        min_hourly_cents=1500,
        language="de",
        country="DE",
        no_test=True,
    )

    # then only the full match is left
    assert titles(results) == ["Match"]
    assert results.total == 1
    assert results.category_counts[Category.SEARCH_EVALUATION] == 1
    assert results.category_counts[Category.TEXT_MODERATION] == 1


# --- Sorting and paging ---------------------------------------------------------------------


def test_newest_first_by_default(site_tree):
    published(make_job(title="Old"), days_ago=5)
    published(make_job(title="New"), days_ago=1)
    published(make_job(title="Middle"), days_ago=3)

    assert titles(search()) == ["New", "Middle", "Old"]


def test_highest_pay_first_with_ties_newest(site_tree):
    published(make_job(title="$10 old", hourly_pay_cents=1000), days_ago=5)
    published(make_job(title="$10 new", hourly_pay_cents=1000), days_ago=1)
    published(
        make_job(title="$24 per task", task_pay=(40, 60)),
        days_ago=9,
    )
    published(make_job(title="$15", hourly_pay_cents=1500), days_ago=3)

    results = search(sort="pay")

    assert titles(results) == ["$24 per task", "$15", "$10 new", "$10 old"]


def test_pages_split_the_results(site_tree):
    for day in range(5):
        published(make_job(title=f"Job {day}"), days_ago=day)

    first = search(per_page=2, page=1)
    last = search(per_page=2, page=3)

    assert titles(first) == ["Job 0", "Job 1"]
    assert (first.total, first.num_pages, first.has_previous, first.has_next) == (5, 3, False, True)
    assert titles(last) == ["Job 4"]
    assert (last.page, last.has_previous, last.has_next) == (3, True, False)
    assert (last.start_index, last.end_index) == (5, 5)


def test_a_page_past_the_end_gives_the_last_page(site_tree):
    for day in range(3):
        published(make_job(title=f"Job {day}"), days_ago=day)

    results = search(per_page=2, page=99)

    assert results.page == 2
    assert titles(results) == ["Job 2"]


def test_page_below_one_gives_the_first_page(site_tree):
    make_job(title="Only")

    results = search(page=-3)

    assert results.page == 1
    assert titles(results) == ["Only"]


def test_an_empty_board_has_one_empty_page(site_tree):
    results = search(page=4)

    assert (results.hits, results.total, results.page, results.num_pages) == ([], 0, 1, 1)
    assert results.has_next is False
    assert results.has_previous is False


def test_per_page_defaults_to_the_setting(site_tree, settings):
    settings.LISTINGS_PER_PAGE = 2
    for _ in range(3):
        make_job()

    results = listing_search(query=ListingQuery())

    assert len(results.hits) == 2
    assert results.num_pages == 2


# --- Queries ----------------------------------------------------------------------------------


def count_queries(query):
    with CaptureQueriesContext(connection) as captured:
        results = listing_search(query=query)
        for hit in results.listings:
            _ = (hit.company.name, list(hit.eligible_countries.all()))
            _ = (list(hit.required_languages.all()), hit.qualification_test)
    return len(captured.captured_queries)


def test_queries_do_not_grow_with_the_listings_shown(site_tree):
    # given 3 listings, each with a company, countries, languages and a test
    test = qualification_test()
    for _ in range(3):
        make_job(countries=("US", "DE"), languages=("en",), qualification_test=test)
    listing_search(query=ListingQuery())  # loads language and country names into the cache
    few = count_queries(ListingQuery(per_page=50))
    # when there are 30
    for _ in range(27):
        make_job(countries=("US", "DE"), languages=("en",), qualification_test=test)
    many = count_queries(ListingQuery(per_page=50))

    # then the same, small number of queries runs
    assert few == many
    # facet counts (one UNION ALL), the page of ids, the listings and their two prefetches
    assert many <= 5
