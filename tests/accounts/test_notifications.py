"""Notifications: stored at once, emailed once after commit, read only by their owner."""

import pytest
from django.core import mail
from django.db import transaction

from accounts.models import Notification
from accounts.notifications import (
    notification_send_email,
    notifications_mark_read,
    notify,
)
from core.errors import LoopworkError
from tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


def test_notify_stores_the_notification_and_emails_it_after_commit(
    worker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(
            worker,
            kind="assignment_rejected",
            title="Your answer was rejected",
            body="Item 12 of “Sentiment”.",
            link="/work/history/",
        )
        assert mail.outbox == []  # nothing is sent before the commit

    notification.refresh_from_db()
    assert notification.user == worker
    assert notification.kind == "assignment_rejected"
    assert notification.read_at is None
    assert notification.emailed is True
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [worker.email]
    assert message.subject == "[Loopwork] Your answer was rejected"
    assert "Item 12 of “Sentiment”." in message.body
    assert "http://testserver/work/history/" in message.body  # made absolute
    assert message.alternatives == []  # plain text only


def test_a_rolled_back_notification_is_never_emailed(worker, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify(worker, kind="assignment_rejected", title="Rejected")
        raise RuntimeError("the decision failed")
    assert Notification.objects.count() == 0
    assert mail.outbox == []


def test_a_kind_shown_in_the_app_by_default_is_stored_without_sending(
    worker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(worker, kind="assignment_approved", title="Approved")
    assert mail.outbox == []
    assert Notification.objects.get().pk == notification.pk


def test_sending_twice_emails_once(worker):
    notification = notify(worker, kind="dispute_resolved", title="Resolved")
    assert notification_send_email(notification.pk) is True
    assert notification_send_email(notification.pk) is False
    assert notification_send_email(999_999) is False
    assert len(mail.outbox) == 1


def test_a_link_off_the_site_is_refused(worker):
    for link in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        with pytest.raises(LoopworkError) as refusal:
            notify(worker, kind="assignment_rejected", title="t", link=link)
        assert refusal.value.code == "bad_link"
    assert Notification.objects.count() == 0


def test_long_titles_and_bodies_are_shortened_not_refused(worker):
    notification = notify(worker, kind="assignment_approved", title="T" * 500, body="B" * 5000)
    assert len(notification.title) == 200
    assert notification.title.endswith("…")
    assert len(notification.body) == 4000


def test_mark_read_touches_only_the_users_own(worker):
    other = WorkerFactory()
    mine = notify(worker, kind="assignment_approved", title="mine")
    theirs = notify(other, kind="assignment_approved", title="theirs")
    assert notifications_mark_read(worker, [mine.pk, theirs.pk]) == 1
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None
    assert theirs.read_at is None
    assert notifications_mark_read(worker, [mine.pk]) == 0  # already read


def test_mark_all_read(worker):
    for n in range(3):
        notify(worker, kind="assignment_approved", title=f"n{n}")
    assert notifications_mark_read(worker, "all") == 3
    assert Notification.objects.filter(read_at__isnull=True).count() == 0


# --- Pages ------------------------------------------------------------------------------


def test_the_page_lists_own_notifications_with_unread_highlighted(site_tree, worker_client, worker):
    other = WorkerFactory()
    notify(other, kind="assignment_approved", title="Someone else's news")
    read = notify(worker, kind="assignment_approved", title="Old news")
    notifications_mark_read(worker, [read.pk])
    notify(worker, kind="assignment_approved", title="Fresh news", body="Line one")

    response = worker_client.get("/notifications/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Fresh news" in html and "Old news" in html
    assert "Someone else" not in html
    assert html.count("notification-unread") == 1
    assert "1 unread." in html


def test_the_header_shows_the_unread_count(site_tree, worker_client, worker):
    notify(worker, kind="assignment_approved", title="a")
    notify(worker, kind="assignment_approved", title="b")
    html = worker_client.get("/notifications/").content.decode()
    assert "unread: </span>2</span>" in html


def test_the_page_costs_the_same_queries_whatever_the_number(
    site_tree, worker_client, worker, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    notify(worker, kind="assignment_approved", title="first")
    worker_client.get("/notifications/")  # the first request also loads the session's user
    with CaptureQueriesContext(connection) as few:
        worker_client.get("/notifications/")
    for n in range(40):
        notify(worker, kind="assignment_approved", title=f"n{n}")
    with django_assert_num_queries(len(few.captured_queries)):
        worker_client.get("/notifications/")
    counts = [q["sql"] for q in few.captured_queries if "accounts_notification" in q["sql"]]
    assert len([sql for sql in counts if "read_at" in sql and "COUNT" in sql]) == 1


def test_the_empty_state(site_tree, worker_client):
    html = worker_client.get("/notifications/").content.decode()
    assert "No notifications yet" in html
    assert "Mark all read" not in html


def test_mark_all_read_button(site_tree, worker_client, worker):
    notify(worker, kind="assignment_approved", title="a")
    response = worker_client.post("/notifications/read-all/")
    assert response.status_code == 302
    assert Notification.objects.filter(read_at__isnull=True).count() == 0
    assert worker_client.get("/notifications/read-all/").status_code == 405


def test_following_a_link_marks_it_read(site_tree, worker_client, worker):
    notification = notify(worker, kind="assignment_approved", title="a", link="/work/")
    response = worker_client.get(f"/notifications/{notification.pk}/")
    assert response.status_code == 302
    assert response["Location"] == "/work/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_another_users_notification_is_not_found(site_tree, worker_client):
    theirs = notify(WorkerFactory(), kind="assignment_approved", title="a", link="/work/")
    assert worker_client.get(f"/notifications/{theirs.pk}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_pages_are_paginated(site_tree, worker_client, worker):
    Notification.objects.bulk_create(
        Notification(user=worker, kind="assignment_approved", title=f"note {n}") for n in range(30)
    )
    first = worker_client.get("/notifications/").content.decode()
    second = worker_client.get("/notifications/?page=2").content.decode()
    assert first.count('<li class="notification') == 25
    assert "Page 2 of 2" in second
    assert worker_client.get("/notifications/?page=abc").status_code == 200


def test_signed_out_visitors_are_sent_to_log_in(client):
    response = client.get("/notifications/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
