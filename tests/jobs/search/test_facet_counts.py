"""The unfiltered board's facet counters stay equal to a full count of the visible entries
through every kind of listing change, a rebuild and a passing deadline."""

import datetime

import pytest
from django.utils import timezone

from core.categories import Category
from jobs.models import JobPage, ListingFacetCount, ListingSearchEntry
from jobs.search import db
from jobs.search.indexing import database_index_rebuild, listing_index_changed
from jobs.search.results import FACET_NAMES, ListingQuery
from tests.factories import CompanyFactory, make_job

pytestmark = pytest.mark.django_db


def scanned_counts() -> dict:
    """Facet counts of the unfiltered board counted over every visible entry."""
    today = timezone.localdate()
    base = ListingSearchEntry.objects.filter(visible=True).exclude(deadline__lt=today)
    if db.is_postgres():
        raw, _ = db._facet_rows_grouping_sets(base, {})
    else:
        raw = db._facet_rows_union(base, {})
    return _comparable(db._facet_counts(raw))


def counted() -> dict:
    """Facet counts of the unfiltered board as search answers them (from the counters)."""
    return _comparable(db.search(ListingQuery(), page=1)["facets"])


def _comparable(counts: dict) -> dict:
    return {name: {k: n for k, n in counts[name].items() if n} for name in FACET_NAMES}


def test_counters_follow_publish_edit_unpublish_delete_and_deadlines(corpus):
    assert counted() == scanned_counts()
    assert counted()["category"][Category.IMAGE_ANNOTATION] == 2

    # an edit moves the listing between values of several facets
    rater = corpus["rater"]
    JobPage.objects.filter(pk=rater.pk).update(
        category=Category.IMAGE_ANNOTATION, experience_level=JobPage.Experience.EXPERT
    )
    rater.required_languages.clear()
    listing_index_changed(page_id=rater.pk)
    assert counted() == scanned_counts()
    assert counted()["category"][Category.IMAGE_ANNOTATION] == 3

    # unpublishing and deleting take listings off the board
    corpus["audio"].unpublish()
    JobPage.objects.get(pk=corpus["tagging"].pk).delete()
    assert counted() == scanned_counts()
    assert sum(counted()["category"].values()) == 4

    # a listing whose deadline has passed is counted by neither, one due later by both
    make_job(title="Expired", company=CompanyFactory(name="Late Co"), deadline=yesterday())
    make_job(title="Due soon", languages=("fr",), deadline=yesterday() + datetime.timedelta(3))
    assert counted() == scanned_counts()
    assert sum(counted()["category"].values()) == 5

    # refreshing the same listing again changes nothing
    listing_index_changed(page_id=rater.pk)
    assert counted() == scanned_counts()


def test_rebuild_keeps_counters_exact_and_never_doubles_them(corpus):
    JobPage.objects.filter(pk=corpus["chatbot"].pk).update(live=False)  # missed by tasks
    ListingFacetCount.objects.filter(facet="category").update(listings=99)  # drifted

    database_index_rebuild()
    database_index_rebuild()

    assert counted() == scanned_counts()
    assert sum(counted()["category"].values()) == 5
    assert not ListingFacetCount.objects.filter(listings__lt=0).exists()


def yesterday():
    return timezone.localdate() - datetime.timedelta(days=1)
