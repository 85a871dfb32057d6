"""Invitations to join a company: sending, answering, revoking and expiring them."""

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.utils import timezone

from accounts.models import Invitation, Membership, User
from accounts.tasks import expire_invitations
from tests.factories import MembershipFactory, UserFactory, WorkerFactory

from .helpers import link_in_last_email

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_membership(company):
    return MembershipFactory(company=company, role="owner")


def invite(
    client, django_capture_on_commit_callbacks, email="new.person@example.org", role="reviewer"
):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post("/company/members/invite/", {"email": email, "role": role})


def make_invitation(company, email="invitee@example.org", role="manager", **fields):
    return Invitation.objects.create(company=company, email=email, role=role, **fields)


def test_owner_invites_and_the_email_link_opens_the_invitation(
    client, owner_membership, django_capture_on_commit_callbacks
):
    client.force_login(owner_membership.user)

    response = invite(client, django_capture_on_commit_callbacks, role="owner")

    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.status) == (
        "new.person@example.org",
        "owner",
        "pending",
    )
    assert mail.outbox[-1].to == ["new.person@example.org"]
    assert owner_membership.company.name in mail.outbox[-1].subject
    path = link_in_last_email(r"/accounts/invitations/[^/\s]+/")
    assert path == f"/accounts/invitations/{invitation.token}/"
    invitee = UserFactory(email="new.person@example.org")
    client.force_login(invitee)
    page = client.get(path)
    assert page.status_code == 200
    assert "Accept and join" in page.content.decode()
    client.force_login(owner_membership.user)
    members = client.get("/company/members/")
    assert "new.person@example.org" in members.content.decode()


def test_a_manager_cannot_invite_an_owner(client, company, django_capture_on_commit_callbacks):
    manager = MembershipFactory(company=company, role="manager")
    client.force_login(manager.user)

    response = invite(client, django_capture_on_commit_callbacks, role="owner")

    assert response.status_code == 400
    assert response.context["invite_form"].errors["role"]
    assert Invitation.objects.count() == 0
    assert mail.outbox == []


def test_a_reviewer_cannot_invite(client, company, django_capture_on_commit_callbacks):
    client.force_login(MembershipFactory(company=company, role="reviewer").user)

    response = invite(client, django_capture_on_commit_callbacks)

    assert response.status_code == 403
    assert Invitation.objects.count() == 0


def test_a_duplicate_pending_invitation_is_refused(
    client, owner_membership, django_capture_on_commit_callbacks
):
    client.force_login(owner_membership.user)
    invite(client, django_capture_on_commit_callbacks)

    response = invite(client, django_capture_on_commit_callbacks, email="New.Person@example.org")

    assert response.status_code == 400
    assert response.context["invite_form"].errors["email"] == [
        "An invitation to this address is already pending."
    ]
    assert Invitation.objects.count() == 1
    assert len(mail.outbox) == 1


def test_someone_already_in_the_company_is_not_invited(
    client, owner_membership, company, django_capture_on_commit_callbacks
):
    member = MembershipFactory(company=company, role="reviewer")
    client.force_login(owner_membership.user)

    response = invite(client, django_capture_on_commit_callbacks, email=member.user.email.upper())

    assert response.status_code == 400
    assert response.context["invite_form"].errors["email"] == [
        "This person is already a member of your company."
    ]
    assert Invitation.objects.count() == 0


def test_a_bad_email_is_a_field_error(client, owner_membership, django_capture_on_commit_callbacks):
    client.force_login(owner_membership.user)

    response = invite(client, django_capture_on_commit_callbacks, email="not-an-email")

    assert response.status_code == 400
    assert response.context["invite_form"].errors["email"] == ["Enter a valid email address."]
    assert Invitation.objects.count() == 0


def test_the_invited_worker_accepts_with_a_verified_email_in_any_case(client, company):
    invitation = make_invitation(company, email="Invitee@Example.org")
    worker = WorkerFactory(email="invitee@example.org")
    client.force_login(worker)

    response = client.post(f"/accounts/invitations/{invitation.token}/", {"action": "accept"})

    assert response.status_code == 302
    assert Membership.objects.get(user=worker).company == company
    assert Membership.objects.get(user=worker).role == "manager"
    worker.refresh_from_db()
    assert worker.role == User.Role.COMPANY
    invitation.refresh_from_db()
    assert invitation.status == "accepted"
    assert invitation.responded_at is not None


def test_the_invited_user_declines(client, company):
    invitation = make_invitation(company)
    user = UserFactory(email="invitee@example.org")
    client.force_login(user)

    response = client.post(f"/accounts/invitations/{invitation.token}/", {"action": "decline"})

    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == "declined"
    assert not Membership.objects.filter(user=user).exists()


def test_the_wrong_user_cannot_answer(client, company):
    invitation = make_invitation(company)
    client.force_login(UserFactory(email="someone.else@example.org"))

    page = client.get(f"/accounts/invitations/{invitation.token}/")
    accept = client.post(f"/accounts/invitations/{invitation.token}/", {"action": "accept"})
    decline = client.post(f"/accounts/invitations/{invitation.token}/", {"action": "decline"})

    assert "sent to a different email address" in page.content.decode()
    assert "Accept and join" not in page.content.decode()
    assert (accept.status_code, decline.status_code) == (400, 400)
    invitation.refresh_from_db()
    assert invitation.status == "pending"
    assert Membership.objects.filter(company=company).count() == 0


def test_an_unverified_matching_email_is_not_enough(client, company):
    invitation = make_invitation(company)
    user = UserFactory(email="invitee@example.org", verified=False)
    client.force_login(user)

    response = client.post(f"/accounts/invitations/{invitation.token}/", {"action": "accept"})

    assert response.status_code == 400
    assert not Membership.objects.filter(user=user).exists()
    assert EmailAddress.objects.get(user=user).verified is False


def test_someone_already_in_a_company_cannot_accept(client, company):
    invitation = make_invitation(company)
    elsewhere = MembershipFactory(user=UserFactory(email="invitee@example.org", role="company"))
    client.force_login(elsewhere.user)

    response = client.post(f"/accounts/invitations/{invitation.token}/", {"action": "accept"})

    assert response.status_code == 400
    assert "already belong to a company" in response.content.decode()
    assert Membership.objects.get(user=elsewhere.user).company == elsewhere.company
    invitation.refresh_from_db()
    assert invitation.status == "pending"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"expires_at": timezone.now() - datetime.timedelta(minutes=1)}, "has expired"),
        ({"status": "expired"}, "has expired"),
        ({"status": "revoked"}, "withdrawn"),
        ({"status": "accepted"}, "already been accepted"),
        ({"status": "declined"}, "has been declined"),
    ],
)
def test_closed_invitations_say_so_and_cannot_be_accepted(client, company, fields, message):
    invitation = make_invitation(company, **fields)
    user = UserFactory(email="invitee@example.org")
    client.force_login(user)

    page = client.get(f"/accounts/invitations/{invitation.token}/")
    accept = client.post(f"/accounts/invitations/{invitation.token}/", {"action": "accept"})

    assert message in page.content.decode()
    assert "Accept and join" not in page.content.decode()
    assert accept.status_code == 400
    assert not Membership.objects.filter(user=user).exists()


def test_an_unknown_token_is_404(client):
    client.force_login(UserFactory())

    assert client.get("/accounts/invitations/not-a-token/").status_code == 404


def test_revoke_is_scoped_to_the_company(client, owner_membership, company):
    mine = make_invitation(company)
    theirs = make_invitation(MembershipFactory().company)
    client.force_login(owner_membership.user)

    revoked = client.post(f"/company/invitations/{mine.pk}/revoke/")
    foreign = client.post(f"/company/invitations/{theirs.pk}/revoke/")

    assert (revoked.status_code, foreign.status_code) == (302, 404)
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.status, theirs.status) == ("revoked", "pending")


def test_reviewers_cannot_revoke(client, company):
    invitation = make_invitation(company)
    client.force_login(MembershipFactory(company=company, role="reviewer").user)

    response = client.post(f"/company/invitations/{invitation.pk}/revoke/")

    assert response.status_code == 403
    invitation.refresh_from_db()
    assert invitation.status == "pending"


def test_expire_invitations_is_idempotent(company):
    overdue = make_invitation(company, expires_at=timezone.now() - datetime.timedelta(hours=1))
    fresh = make_invitation(company, email="fresh@example.org")
    answered = make_invitation(
        company,
        email="answered@example.org",
        status="accepted",
        expires_at=timezone.now() - datetime.timedelta(hours=1),
    )

    first = expire_invitations.delay().get()
    second = expire_invitations()

    assert (first, second) == (1, 0)
    statuses = {i.pk: i.status for i in Invitation.objects.all()}
    assert statuses == {overdue.pk: "expired", fresh.pk: "pending", answered.pk: "accepted"}


def test_the_profile_lists_open_invitations_for_my_verified_email(client, company):
    invitation = make_invitation(company, email="INVITEE@example.org")
    make_invitation(company, email="other@example.org")
    client.force_login(UserFactory(email="invitee@example.org"))

    response = client.get("/accounts/profile/")

    assert [i.pk for i in response.context["open_invitations"]] == [invitation.pk]
    assert f"/accounts/invitations/{invitation.token}/" in response.content.decode()
