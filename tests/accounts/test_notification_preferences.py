"""Notification preferences: notify honours each person's choice, and the page that sets it."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Notification, NotificationPreference
from accounts.notifications import (
    Notice,
    channels_of,
    notify,
    notify_many,
    preferences_save,
)
from core.errors import LoopworkError
from tests.factories import MembershipFactory, WorkerFactory

pytestmark = pytest.mark.django_db

PAGE = "/notifications/preferences/"


def choose(user, **choices):
    NotificationPreference.objects.bulk_create(
        NotificationPreference(user=user, kind=kind, channel=channel)
        for kind, channel in choices.items()
    )


# --- notify honours the choice ----------------------------------------------------------------


def test_off_stores_nothing_and_sends_nothing(worker, django_capture_on_commit_callbacks):
    choose(worker, assignment_rejected="off")
    with django_capture_on_commit_callbacks(execute=True):
        assert notify(worker, kind="assignment_rejected", title="Rejected") is None
    assert Notification.objects.count() == 0
    assert mail.outbox == []


def test_app_only_stores_the_row_without_email(worker, django_capture_on_commit_callbacks):
    choose(worker, assignment_rejected="app")
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(worker, kind="assignment_rejected", title="Rejected")
    assert Notification.objects.get().pk == notification.pk
    notification.refresh_from_db()
    assert notification.emailed is False
    assert mail.outbox == []


def test_email_chosen_for_an_app_only_kind_sends_it(worker, django_capture_on_commit_callbacks):
    choose(worker, assignment_approved="email")
    with django_capture_on_commit_callbacks(execute=True):
        notify(worker, kind="assignment_approved", title="Approved")
    assert [message.subject for message in mail.outbox] == ["[Loopwork] Approved"]


def test_one_persons_choice_never_changes_anothers(worker, django_capture_on_commit_callbacks):
    other = WorkerFactory()
    choose(worker, bonus="off")
    with django_capture_on_commit_callbacks(execute=True):
        notify_many([Notice(worker, "A bonus"), Notice(other, "A bonus")], kind="bonus")
    assert list(Notification.objects.values_list("user_id", flat=True)) == [other.pk]
    assert [message.to for message in mail.outbox] == [[other.email]]


def test_an_inactive_user_gets_the_row_but_no_email(django_capture_on_commit_callbacks):
    gone = WorkerFactory(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        notify(gone, kind="bonus", title="A bonus")
    assert Notification.objects.filter(user=gone).count() == 1
    assert mail.outbox == []


def test_notify_many_costs_the_same_queries_for_two_or_forty(django_capture_on_commit_callbacks):
    few = WorkerFactory.create_batch(2)
    many = WorkerFactory.create_batch(40)
    choose(many[0], bonus="off")
    with CaptureQueriesContext(connection) as small:
        notify_many([Notice(user, "A bonus") for user in few], kind="bonus")
    with CaptureQueriesContext(connection) as large:
        created = notify_many([Notice(user, "A bonus") for user in many], kind="bonus")
    assert len(small) == len(large) == 2  # the preferences, then one INSERT
    assert len(created) == 39


def test_a_batch_is_emailed_once_each_after_commit(django_capture_on_commit_callbacks):
    users = WorkerFactory.create_batch(3)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify_many([Notice(user, "Paid", link="/work/payouts/") for user in users], kind="bonus")
    assert len(callbacks) == 1
    assert sorted(message.to[0] for message in mail.outbox) == sorted(u.email for u in users)
    assert Notification.objects.filter(emailed=True).count() == 3


def test_a_digest_link_off_the_site_is_refused_whole(worker):
    with pytest.raises(LoopworkError) as refusal:
        notify(worker, kind="bonus", title="t", links=[("Fine", "/work/"), ("Bad", "https://x.io")])
    assert refusal.value.code == "bad_link"
    assert Notification.objects.count() == 0


# --- Saving preferences -----------------------------------------------------------------------


def test_saving_the_default_removes_the_row_so_defaults_stay_in_one_place(worker):
    assert preferences_save(user=worker, choices={"bonus": "app", "payout_paid": "email"}) == 1
    assert list(NotificationPreference.objects.values_list("kind", "channel")) == [("bonus", "app")]
    assert preferences_save(user=worker, choices={"bonus": "email"}) == 1
    assert NotificationPreference.objects.count() == 0
    assert channels_of([worker.pk], kind="bonus") == {worker.pk: "email"}


def test_a_bad_channel_refuses_the_whole_save(worker):
    with pytest.raises(LoopworkError) as refusal:
        preferences_save(user=worker, choices={"bonus": "app", "payout_paid": "loud"})
    assert (refusal.value.code, refusal.value.field) == ("invalid_channel", "payout_paid")
    assert NotificationPreference.objects.count() == 0


# --- The page ---------------------------------------------------------------------------------


def test_a_worker_sees_worker_kinds_grouped_with_accessible_choices(site_tree, worker_client):
    response = worker_client.get(PAGE)

    html = response.content.decode()
    assert response.status_code == 200
    form = response.context["form"]
    assert "payout_paid" in form.fields and "review_waiting" not in form.fields
    assert [group for group, _fields in form.groups()] == [
        "Applications and projects",
        "Your answers",
        "Disputes and quality",
        "Money",
    ]
    assert '<legend class="pref-label">Payout sent</legend>' in html
    assert 'aria-describedby="id_payout_paid_help"' in html
    assert '<label class="pref-option" for="id_payout_paid_0">' in html
    assert "In Loopwork and by email" in html and "In Loopwork only" in html
    # The defaults are chosen: approvals in the app, payouts by email.
    assert form["assignment_approved"].value() == "app"
    assert form["payout_paid"].value() == "email"
    assert "<script>" not in html and 'style="' not in html  # the CSP allows neither inline


def test_a_company_member_sees_company_kinds(site_tree, client, owner):
    client.force_login(owner)
    form = client.get(PAGE).context["form"]
    assert [group for group, _fields in form.groups()] == [
        "Listings and applicants",
        "Review",
        "Billing",
    ]
    assert "payout_paid" not in form.fields


def test_someone_who_works_and_belongs_to_a_company_sees_both(site_tree, client, company):
    both = MembershipFactory(company=company, role="reviewer", user=WorkerFactory()).user
    client.force_login(both)
    fields = client.get(PAGE).context["form"].fields
    assert {"payout_paid", "review_waiting"} <= set(fields)


def test_one_form_saves_every_choice_and_notify_follows_it(
    site_tree, worker_client, worker, django_capture_on_commit_callbacks
):
    form = worker_client.get(PAGE).context["form"]
    data = {name: field.initial for name, field in form.fields.items()}
    data.update(bonus="off", assignment_rejected="app", assignment_approved="email")

    response = worker_client.post(PAGE, data)

    assert response.status_code == 302
    assert response["Location"] == PAGE
    assert dict(NotificationPreference.objects.values_list("kind", "channel")) == {
        "bonus": "off",
        "assignment_rejected": "app",
        "assignment_approved": "email",
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert notify(worker, kind="bonus", title="A bonus") is None
        notify(worker, kind="assignment_rejected", title="Rejected")
        notify(worker, kind="assignment_approved", title="Approved")
    assert [message.subject for message in mail.outbox] == ["[Loopwork] Approved"]
    page = worker_client.get(PAGE)
    assert page.context["form"]["bonus"].value() == "off"
    assert "Your notification settings are saved." in page.content.decode()


def test_bad_input_is_a_form_error_and_changes_nothing(site_tree, worker_client, worker):
    choose(worker, bonus="off")
    form = worker_client.get(PAGE).context["form"]
    data = {name: field.initial for name, field in form.fields.items()}
    data.update(bonus="app", payout_paid="loudly")
    del data["payout_held"]

    response = worker_client.post(PAGE, data)

    assert response.status_code == 422
    errors = response.context["form"].errors
    assert errors["payout_paid"] == ["Choose one of the three options."]
    assert errors["payout_held"] == ["Choose how you want this notification."]
    assert "nothing was changed" in response.content.decode()
    assert list(NotificationPreference.objects.values_list("kind", "channel")) == [("bonus", "off")]


def test_kinds_outside_the_users_audience_and_other_users_are_out_of_reach(
    site_tree, worker_client, worker
):
    other = WorkerFactory()
    choose(other, bonus="off")
    form = worker_client.get(PAGE).context["form"]
    assert form["bonus"].value() == "email"  # the other worker's choice is not shown
    data = {name: field.initial for name, field in form.fields.items()}
    data.update(review_waiting="off", user=other.pk, user_id=other.pk)

    assert worker_client.post(PAGE, data).status_code == 302

    assert list(NotificationPreference.objects.values_list("user_id", "kind", "channel")) == [
        (other.pk, "bonus", "off")
    ]


def test_the_page_needs_a_signed_in_user(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.post(PAGE, {"bonus": "off"}).status_code == 302
    assert NotificationPreference.objects.count() == 0


def test_the_notifications_list_and_account_settings_link_to_it(site_tree, worker_client):
    listing = worker_client.get("/notifications/").content.decode()
    assert f'href="{PAGE}"' in listing
    assert "We also email each one" not in listing
    profile = worker_client.get("/accounts/profile/").content.decode()
    assert f'<a href="{PAGE}">Notifications</a>' in profile
