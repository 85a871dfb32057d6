"""The Disputes area of the Wagtail admin: staff with the permission list and resolve."""

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Permission

from marketplace.disputes import dispute_open, stop_appeal
from marketplace.models import Assignment, Dispute, WorkerStop
from marketplace.review import review_reject
from tests.factories import UserFactory, WorkerFactory
from tests.marketplace.factories import make_project, make_reviewer, make_submission

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site(site_tree):
    return site_tree


LIST = "/admin/disputes/"
MESSAGE = "I followed rule 3 to the letter."


def admin_user(*, permitted: bool = True):
    staff = UserFactory(is_staff=True)
    codenames = ["access_admin"] + (["change_dispute"] if permitted else [])
    staff.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    # The admin asks staff for a second factor first.
    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={"secret": "x"})
    return staff


@pytest.fixture
def dispute():
    project = make_project(title="Sentiment of hotel reviews")
    submission = make_submission(project, WorkerFactory())
    review_reject(
        submission.pk,
        reviewer=make_reviewer(project.company),
        reason="disagrees",
        comment="Everyone else said negative.",
    )
    return dispute_open(submission.pk, worker=submission.worker, message=MESSAGE)


def test_staff_see_open_disputes_with_the_rejection_and_the_message(client, dispute):
    client.force_login(admin_user())
    response = client.get(LIST)
    assert response.status_code == 200
    page = response.content.decode()
    for expected in (
        "Sentiment of hotel reviews",
        "Disagrees with the other workers",
        MESSAGE,
        f">{dispute.worker_id}<",
    ):
        assert expected in page
    assert dispute.worker.email not in page
    assert "/admin/disputes/" in client.get("/admin/").content.decode()  # the menu item


def test_the_list_filters_by_status_and_shows_an_empty_state(client, dispute):
    client.force_login(admin_user())
    assert "No upheld disputes." in client.get(LIST + "?status=upheld").content.decode()
    assert MESSAGE in client.get(LIST + "?status=bogus").content.decode()
    assert client.get(LIST + "?page=abc").status_code == 200


def test_staff_overturn_from_the_detail_page(client, dispute):
    staff = admin_user()
    client.force_login(staff)
    url = f"{LIST}{dispute.pk}/"
    page = client.get(url).content.decode()
    assert "Everyone else said negative." in page and "Overturn" in page
    response = client.post(url, {"decision": "overturn", "note": "The worker is right."})
    assert response.status_code == 302
    dispute.refresh_from_db()
    dispute.assignment.refresh_from_db()
    assert (dispute.status, dispute.resolved_by) == (Dispute.Status.OVERTURNED, staff)
    assert dispute.assignment.status == Assignment.Status.APPROVED


def test_staff_uphold_from_the_detail_page(client, dispute):
    client.force_login(admin_user())
    client.post(f"{LIST}{dispute.pk}/", {"decision": "uphold", "note": "Stands."})
    dispute.refresh_from_db()
    dispute.assignment.refresh_from_db()
    assert dispute.status == Dispute.Status.UPHELD
    assert dispute.assignment.status == Assignment.Status.REJECTED


@pytest.mark.parametrize(
    "data",
    [
        {"decision": "overturn", "note": ""},
        {"decision": "overturn", "note": "   "},
        {"decision": "delete", "note": "Why not."},
        {"note": "No decision."},
        {"decision": "uphold", "note": "x" * 4001},
    ],
)
def test_bad_input_on_the_form_changes_nothing(client, dispute, data):
    client.force_login(admin_user())
    response = client.post(f"{LIST}{dispute.pk}/", data)
    assert response.status_code == 422
    assert 'role="alert"' in response.content.decode()
    dispute.refresh_from_db()
    assert dispute.status == Dispute.Status.OPEN


def test_a_resolved_dispute_shows_no_form_and_cannot_be_resolved_again(client, dispute):
    client.force_login(admin_user())
    client.post(f"{LIST}{dispute.pk}/", {"decision": "uphold", "note": "Stands."})
    response = client.post(f"{LIST}{dispute.pk}/", {"decision": "overturn", "note": "Again."})
    assert response.status_code == 200
    assert 'name="decision"' not in response.content.decode()
    dispute.refresh_from_db()
    assert dispute.status == Dispute.Status.UPHELD


def test_a_stop_appeal_is_resolved_by_lifting_the_stop(client):
    stop = WorkerStop.objects.create(
        project=make_project(), worker=WorkerFactory(), reason="Accuracy 40%.", evidence={}
    )
    appeal = stop_appeal(stop.pk, worker=stop.worker, message=MESSAGE)
    client.force_login(admin_user())
    assert "Accuracy 40%." in client.get(f"{LIST}{appeal.pk}/").content.decode()
    client.post(f"{LIST}{appeal.pk}/", {"decision": "overturn", "note": "Gold item was wrong."})
    stop.refresh_from_db()
    assert stop.lifted_at is not None


def test_an_unknown_dispute_is_404(client):
    client.force_login(admin_user())
    assert client.get(f"{LIST}999999/").status_code == 404


def test_staff_without_the_permission_are_refused(client, dispute):
    client.force_login(admin_user(permitted=False))
    # The admin turns a refusal into a redirect to its dashboard with a message.
    for response in (
        client.get(LIST),
        client.get(f"{LIST}{dispute.pk}/"),
        client.post(f"{LIST}{dispute.pk}/", {"decision": "overturn", "note": "Mine."}),
    ):
        assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert "/admin/disputes/" not in client.get("/admin/").content.decode()
    dispute.refresh_from_db()
    assert dispute.status == Dispute.Status.OPEN


@pytest.mark.parametrize("who", ["worker", "company"])
def test_workers_and_companies_are_kept_out(client, dispute, who):
    user = dispute.worker if who == "worker" else make_reviewer(dispute.assignment.project.company)
    client.force_login(user)
    for response in (
        client.get(LIST),
        client.post(f"{LIST}{dispute.pk}/", {"decision": "overturn", "note": "Mine."}),
    ):
        assert response.status_code in (302, 403)
        assert not response.get("Location", "").startswith("/admin/")
    dispute.refresh_from_db()
    assert dispute.status == Dispute.Status.OPEN
