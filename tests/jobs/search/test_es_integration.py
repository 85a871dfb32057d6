"""Against a real Elasticsearch cluster (docker compose provides one): set ELASTICSEARCH_URL.

ELASTICSEARCH_URL=http://localhost:9200 .venv/bin/pytest tests/jobs/search/test_es_integration.py
"""

import os

import pytest
from django.core.management import call_command

from core.categories import Category
from jobs.search import es
from jobs.search.results import ListingQuery
from jobs.search.service import listing_search, listing_suggest

CLUSTER = os.environ.get("ELASTICSEARCH_URL", "")

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not CLUSTER, reason="ELASTICSEARCH_URL is not set: no Elasticsearch cluster to test against"
    ),
]


@pytest.fixture
def cluster(settings, corpus):
    settings.ELASTICSEARCH_URL = CLUSTER
    settings.ELASTICSEARCH_INDEX = "loopwork-jobs-test"
    call_command("rebuild_job_index")
    yield es.client()
    client = es.client()
    for name in client.indices.get(index="loopwork-jobs-test-*"):
        client.indices.delete(index=name)


def titles(results):
    return [hit.listing.title for hit in results.hits]


def test_the_alias_serves_the_rebuilt_index(cluster):
    assert next(iter(cluster.indices.get_alias(name="loopwork-jobs-test"))).startswith(
        "loopwork-jobs-test-"
    )


def test_search_with_stemming_synonyms_and_typos(cluster):
    assert listing_search(query=ListingQuery(q="transcriptions")).backend == "elasticsearch"
    assert titles(listing_search(query=ListingQuery(q="transcriptions"))) == [
        "Spanish audio transcription"
    ]
    assert "Image annotation for self-driving cars" in titles(
        listing_search(query=ListingQuery(q="labeling"))
    )
    assert titles(listing_search(query=ListingQuery(q="transcripton"))) == [
        "Spanish audio transcription"
    ]


def test_facets_and_filters_match_the_database_backend(cluster, settings):
    query = ListingQuery(q="search", categories=(Category.IMAGE_ANNOTATION,), no_test=True)
    from_es = listing_search(query=query)
    settings.ELASTICSEARCH_URL = ""
    from_db = listing_search(query=query)

    assert titles(from_es) == titles(from_db)
    for name in ("category", "pay", "experience", "test"):
        assert from_es.facets[name].counts() == from_db.facets[name].counts(), name


def test_completion_suggester(cluster):
    assert "Social media moderation" in listing_suggest(prefix="soc")


def test_a_stale_write_is_refused_by_the_cluster(cluster, corpus):
    from jobs.models import ListingSearchEntry

    entry = ListingSearchEntry.objects.get(page_id=corpus["rater"].pk)
    entry.version += 10
    entry.visible = False
    assert es.index_entry(entry) is True
    entry.version -= 5
    entry.visible = True
    assert es.index_entry(entry) is False
