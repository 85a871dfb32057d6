"""Index maintenance: publish, unpublish, edit and delete reach search through the index task,
by id and version, so a late or repeated task never brings a deleted listing back."""

import pytest

from jobs.models import JobPage, ListingSearchEntry
from jobs.search import es
from jobs.search.indexing import database_index_rebuild, listing_index_sync
from jobs.search.results import ListingQuery
from jobs.search.service import listing_search
from jobs.search_tasks import update_listing_index
from tests.factories import make_job

from .fakes import FakeElasticsearch

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake_es(settings, monkeypatch):
    settings.ELASTICSEARCH_URL = "http://elasticsearch.test:9200"
    fake = FakeElasticsearch()
    monkeypatch.setattr(es, "client", lambda: fake)
    return fake


def board_titles(q=""):
    from django.test import override_settings

    with override_settings(ELASTICSEARCH_URL=""):
        results = listing_search(query=ListingQuery(q=q, per_page=50))
    return [hit.listing.title for hit in results.hits]


def test_publishing_indexes_the_listing_through_the_task(
    site_tree, fake_es, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = make_job(title="Search relevance rater")

    entry = ListingSearchEntry.objects.get(page_id=job.pk)
    assert entry.visible and entry.title == "Search relevance rater"
    assert callbacks  # the task was enqueued on commit
    assert fake_es.visible_ids() == {job.pk}
    assert fake_es.versions[str(job.pk)] == entry.version
    assert board_titles("rater") == ["Search relevance rater"]


def test_editing_and_republishing_updates_the_entry(
    site_tree, fake_es, django_capture_on_commit_callbacks
):
    job = make_job(title="Old title")
    job.title = "Chatbot evaluator"
    with django_capture_on_commit_callbacks(execute=True):
        job.save_revision().publish()

    assert board_titles("chatbot") == ["Chatbot evaluator"]
    assert board_titles("old") == []
    assert fake_es.documents[str(job.pk)]["title"] == "Chatbot evaluator"


def test_unpublishing_removes_the_listing(site_tree, fake_es, django_capture_on_commit_callbacks):
    job = make_job(title="Search relevance rater")
    with django_capture_on_commit_callbacks(execute=True):
        job.unpublish()

    assert board_titles() == []
    assert fake_es.documents[str(job.pk)] == {"page_id": job.pk, "visible": False}


def test_deleting_leaves_a_tombstone_and_a_stale_task_cannot_resurrect_it(
    site_tree, fake_es, django_capture_on_commit_callbacks
):
    # given a published listing whose publish task has not run yet
    with django_capture_on_commit_callbacks(execute=False) as publish_callbacks:
        job = make_job(title="Search relevance rater")
    page_id = job.pk
    publish_version = ListingSearchEntry.objects.get(page_id=page_id).version

    # when it is deleted (its task runs) ...
    with django_capture_on_commit_callbacks(execute=True):
        JobPage.objects.get(pk=page_id).delete()
    delete_version = ListingSearchEntry.objects.get(page_id=page_id).version

    # ... and the late publish task arrives afterwards, twice
    for callback in publish_callbacks:
        callback()
    outcome = update_listing_index(page_id=page_id, version=publish_version)

    # then the listing stays gone everywhere
    assert delete_version > publish_version
    assert outcome == "stale"
    assert board_titles() == []
    assert fake_es.visible_ids() == set()
    assert fake_es.versions[str(page_id)] == delete_version
    entry = ListingSearchEntry.objects.get(page_id=page_id)
    assert entry.visible is False and entry.search_vector is None


def test_elasticsearch_refuses_an_older_version_even_if_the_task_runs(site_tree, fake_es):
    job = make_job(title="Search relevance rater")
    entry = ListingSearchEntry.objects.get(page_id=job.pk)
    # Elasticsearch already holds a newer version (e.g. a delete that raced ahead)
    fake_es.versions[str(job.pk)] = entry.version + 5
    fake_es.documents[str(job.pk)] = {"page_id": job.pk, "visible": False}

    assert listing_index_sync(page_id=job.pk, version=entry.version) == "indexed"
    assert fake_es.visible_ids() == set()


def test_repeating_a_task_is_harmless(site_tree, fake_es):
    job = make_job(title="Search relevance rater")
    version = ListingSearchEntry.objects.get(page_id=job.pk).version

    update_listing_index(page_id=job.pk, version=version)
    update_listing_index(page_id=job.pk, version=version)

    assert fake_es.visible_ids() == {job.pk}
    assert board_titles() == ["Search relevance rater"]


def test_without_elasticsearch_the_task_only_refreshes_the_database(site_tree, settings):
    job = make_job(title="Search relevance rater")
    JobPage.objects.filter(pk=job.pk).update(title="Renamed quietly")
    version = ListingSearchEntry.objects.get(page_id=job.pk).version

    assert update_listing_index(page_id=job.pk, version=version) == "indexed"
    assert board_titles("renamed") == ["Renamed quietly"]


def test_database_rebuild_refreshes_every_entry(site_tree):
    kept = make_job(title="Search relevance rater")
    gone = make_job(title="Gone listing")
    JobPage.objects.filter(pk=kept.pk).update(title="Rater of search results")
    ListingSearchEntry.objects.filter(page_id=gone.pk).update(title="stale")
    JobPage.objects.filter(pk=gone.pk).update(live=False)

    count = database_index_rebuild()

    assert count == 2
    assert board_titles() == ["Rater of search results"]
