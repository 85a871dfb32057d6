"""Company members: who sees them, who changes roles, and the last owner rule."""

import pytest

from accounts.models import Membership
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(company):
    return {
        role: MembershipFactory(company=company, role=role)
        for role in ("owner", "manager", "reviewer")
    }


@pytest.mark.parametrize("role", ["owner", "manager", "reviewer"])
def test_every_member_sees_the_members_page(client, team, role):
    client.force_login(team[role].user)

    response = client.get("/company/members/")

    assert response.status_code == 200
    assert [m.pk for m in response.context["members"]] == sorted(
        (m.pk for m in team.values()), key=lambda pk: Membership.objects.get(pk=pk).user.email
    )


def test_members_page_shows_the_empty_state_without_invitations(client, team):
    client.force_login(team["owner"].user)

    response = client.get("/company/members/")

    assert "No invitations are waiting" in response.content.decode()


def test_owner_changes_a_role(client, team):
    client.force_login(team["owner"].user)

    response = client.post(f"/company/members/{team['reviewer'].pk}/role/", {"role": "manager"})

    assert response.status_code == 302
    team["reviewer"].refresh_from_db()
    assert team["reviewer"].role == "manager"


@pytest.mark.parametrize("role", ["manager", "reviewer"])
def test_only_the_owner_changes_roles_or_removes(client, team, role):
    client.force_login(team[role].user)

    change = client.post(f"/company/members/{team['reviewer'].pk}/role/", {"role": "owner"})
    remove = client.post(f"/company/members/{team['reviewer'].pk}/remove/")

    assert (change.status_code, remove.status_code) == (403, 403)
    team["reviewer"].refresh_from_db()
    assert team["reviewer"].role == "reviewer"


def test_the_last_owner_cannot_be_demoted_or_removed(client, team):
    owner = team["owner"]
    client.force_login(owner.user)

    demote = client.post(f"/company/members/{owner.pk}/role/", {"role": "manager"}, follow=True)
    remove = client.post(f"/company/members/{owner.pk}/remove/", follow=True)

    assert "at least one owner" in demote.content.decode()
    assert "at least one owner" in remove.content.decode()
    owner.refresh_from_db()
    assert owner.role == "owner"


def test_an_owner_can_step_down_when_another_owner_exists(client, team, company):
    second = MembershipFactory(company=company, role="owner")
    client.force_login(team["owner"].user)

    client.post(f"/company/members/{team['owner'].pk}/role/", {"role": "manager"})

    team["owner"].refresh_from_db()
    second.refresh_from_db()
    assert (team["owner"].role, second.role) == ("manager", "owner")


def test_owner_removes_a_member(client, team):
    client.force_login(team["owner"].user)

    response = client.post(f"/company/members/{team['reviewer'].pk}/remove/")

    assert response.status_code == 302
    assert not Membership.objects.filter(pk=team["reviewer"].pk).exists()


def test_another_companys_member_id_is_404(client, team):
    stranger = MembershipFactory(role="reviewer")
    client.force_login(team["owner"].user)

    change = client.post(f"/company/members/{stranger.pk}/role/", {"role": "owner"})
    remove = client.post(f"/company/members/{stranger.pk}/remove/")

    assert (change.status_code, remove.status_code) == (404, 404)
    stranger.refresh_from_db()
    assert stranger.role == "reviewer"


def test_an_unknown_role_is_refused(client, team):
    client.force_login(team["owner"].user)

    response = client.post(
        f"/company/members/{team['reviewer'].pk}/role/", {"role": "emperor"}, follow=True
    )

    assert "Choose a role from the list." in response.content.decode()
    team["reviewer"].refresh_from_db()
    assert team["reviewer"].role == "reviewer"
