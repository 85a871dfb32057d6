"""manage.py rebuild_job_index: database entries always; a new index behind the alias with ES."""

import pytest
from django.core.management import call_command

from jobs.models import JobPage, ListingSearchEntry
from jobs.search import es
from tests.factories import make_job

pytestmark = pytest.mark.django_db


def test_rebuild_on_the_database_backend(site_tree, capsys):
    job = make_job(title="Search relevance rater")
    JobPage.objects.filter(pk=job.pk).update(summary="Fresh words")

    call_command("rebuild_job_index")

    assert ListingSearchEntry.objects.get(page_id=job.pk).summary == "Fresh words"
    assert "ELASTICSEARCH_URL is not set" in capsys.readouterr().out


def test_rebuild_builds_a_new_index_and_swaps_the_alias(site_tree, settings, monkeypatch):
    make_job(title="Search relevance rater")
    make_job(title="Hidden", live=False)
    settings.ELASTICSEARCH_URL = "http://elasticsearch.test:9200"
    calls = []
    monkeypatch.setattr(es, "create_index", lambda name: calls.append(("create", name)))
    monkeypatch.setattr(
        es,
        "bulk_index",
        lambda entries, index: calls.append(("bulk", index, [e.title for e in entries])) or 1,
    )
    monkeypatch.setattr(es, "swap_alias", lambda name: calls.append(("swap", name)) or ["old-1"])
    monkeypatch.setattr(es, "delete_indexes", lambda names: calls.append(("delete", names)))

    class Indices:
        def refresh(self, index):
            calls.append(("refresh", index))

    monkeypatch.setattr(es, "client", lambda: type("C", (), {"indices": Indices()})())

    call_command("rebuild_job_index")

    name = calls[0][1]
    assert name.startswith("loopwork-jobs-")
    assert calls[1] == ("bulk", name, ["Search relevance rater"])
    assert ("refresh", name) in calls
    assert ("swap", name) in calls
    assert calls[-1] == ("delete", ["old-1"])
