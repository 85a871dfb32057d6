"""Saved searches: saving from the board, the worker's list, the digest and unsubscribing."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from core.categories import Category
from jobs.models import SavedSearch
from jobs.search.saved import (
    saved_search_digests_send,
    unsubscribe_token,
)
from tests.factories import CompanyFactory, MembershipFactory, WorkerFactory, make_job

from .conftest import published

pytestmark = pytest.mark.django_db

LIST_URL = "/work/saved-searches/"


def save(client, **params):
    return client.post(LIST_URL, {"frequency": "daily", **params})


def test_a_worker_saves_a_search_and_sees_it_listed(worker_client, worker):
    response = save(worker_client, q="rater", category=Category.SEARCH_EVALUATION, page="3")

    assert response.status_code == 302
    saved = SavedSearch.objects.get(worker=worker)
    assert saved.query_string == "q=rater&category=search-evaluation"
    page = worker_client.get(LIST_URL)
    assert page.status_code == 200
    assert "rater" in page.content.decode()


def test_saving_the_same_search_twice_keeps_one(worker_client, worker):
    save(worker_client, q="rater")
    save(worker_client, q="rater")

    assert SavedSearch.objects.filter(worker=worker).count() == 1


def test_the_board_offers_saving_to_signed_in_workers_only(client, worker, site_tree):
    assert "Save this search" not in client.get("/jobs/?q=rater").content.decode()
    client.force_login(worker)
    assert "Save this search" in client.get("/jobs/?q=rater").content.decode()


def test_a_worker_deletes_only_their_own_saved_search(worker_client, worker):
    other = SavedSearch.objects.create(worker=WorkerFactory(), name="x", query_string="q=x")
    mine = SavedSearch.objects.create(worker=worker, name="y", query_string="q=y")

    worker_client.post(f"{LIST_URL}{other.pk}/delete/")
    worker_client.post(f"{LIST_URL}{mine.pk}/delete/")

    assert list(SavedSearch.objects.values_list("pk", flat=True)) == [other.pk]
    assert "x" not in [s.name for s in worker_client.get(LIST_URL).context["searches"]]


def test_company_members_cannot_save_searches(client):
    client.force_login(MembershipFactory().user)

    response = save(client, q="rater")

    assert response.status_code in (302, 403)
    assert not SavedSearch.objects.exists()


def test_digest_sends_only_new_matches_once(site_tree, worker):
    # given a saved search made two days ago, one old and one new matching listing
    now = timezone.now()
    saved = SavedSearch.objects.create(worker=worker, name="rater jobs", query_string="q=rater")
    SavedSearch.objects.filter(pk=saved.pk).update(created_at=now - datetime.timedelta(days=2))
    company = CompanyFactory(name="Acme Data")
    published(make_job(title="Old rater job", company=company), days_ago=5)
    published(make_job(title="New rater job", company=company), days_ago=1)
    published(make_job(title="New moderation job", company=company), days_ago=1)

    # when digests are sent, then sent again
    first = saved_search_digests_send(now=now)
    second = saved_search_digests_send(now=now + datetime.timedelta(days=2))

    # then one email lists only the new match, and the second run has nothing new
    assert (first, second) == (1, 0)
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "New rater job" in body
    assert "Old rater job" not in body and "moderation" not in body
    assert mail.outbox[0].to == [worker.email]
    assert "/jobs/saved-searches/unsubscribe/" in body
    assert mail.outbox[0].extra_headers["List-Unsubscribe"].startswith("<http")


def test_digest_waits_for_the_period(site_tree, worker):
    saved = SavedSearch.objects.create(
        worker=worker, name="all", query_string="", frequency=SavedSearch.Frequency.WEEKLY
    )
    make_job(title="Fresh job")

    assert saved_search_digests_send(now=saved.created_at + datetime.timedelta(days=2)) == 0
    assert saved_search_digests_send(now=timezone.now() + datetime.timedelta(days=8)) == 1


def test_unsubscribe_link_works_without_signing_in(client, site_tree, worker):
    saved = SavedSearch.objects.create(worker=worker, name="rater jobs", query_string="q=rater")
    url = f"/jobs/saved-searches/unsubscribe/{unsubscribe_token(saved)}/"

    confirm = client.get(url)
    done = client.post(url)

    assert confirm.status_code == 200 and "Unsubscribe" in confirm.content.decode()
    assert done.status_code == 200
    saved.refresh_from_db()
    assert saved.email_enabled is False
    published(make_job(title="New rater job"), days_ago=0)
    assert saved_search_digests_send(now=timezone.now() + datetime.timedelta(days=3)) == 0


def test_a_forged_unsubscribe_token_is_refused(client, site_tree, worker):
    saved = SavedSearch.objects.create(worker=worker, name="rater jobs", query_string="q=rater")
    token = unsubscribe_token(saved)

    response = client.post(f"/jobs/saved-searches/unsubscribe/{token[:-2]}xx/")

    assert response.status_code == 404
    saved.refresh_from_db()
    assert saved.email_enabled is True
