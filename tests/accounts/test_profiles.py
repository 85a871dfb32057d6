"""The profile page: workers edit their profile; everyone finds their security settings."""

import pytest

from accounts.models import Country, Language, WorkerProfile
from accounts.profiles import profile_update
from core.errors import LoopworkError
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

GOOD = {
    "display_name": "Ada L.",
    "country": "KE",
    "languages": ["en", "sw"],
    "categories": ["text-moderation", "image-annotation"],
    "weekly_hours": "20",
    "timezone": "Africa/Nairobi",
}


def snapshot(profile: WorkerProfile):
    profile.refresh_from_db()
    return (
        profile.display_name,
        profile.country_id,
        sorted(profile.languages.values_list("code", flat=True)),
        profile.categories,
        profile.weekly_hours,
        profile.timezone,
    )


def test_worker_sees_their_profile_form_with_every_choice(client, worker):
    client.force_login(worker)

    response = client.get("/accounts/profile/")

    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="languages"' in content
    assert "choices-scroll" in content
    assert 'value="ai-response-review"' in content
    assert '<option value="Europe/Berlin">' in content
    assert 'href="/accounts/2fa/"' in content


def test_worker_saves_a_good_profile(client, worker):
    client.force_login(worker)

    response = client.post("/accounts/profile/", GOOD)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"
    assert snapshot(worker.worker_profile) == (
        "Ada L.",
        "KE",
        ["en", "sw"],
        ["image-annotation", "text-moderation"],
        20,
        "Africa/Nairobi",
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("country", "XX", "Choose a country from the list."),
        ("weekly_hours", "200", "Weekly hours must be between 0 and 80."),
        ("weekly_hours", "-1", "Weekly hours must be between 0 and 80."),
        ("categories", ["underwater-basket-weaving"], "Choose categories from the list."),
        ("languages", ["xx"], "Choose languages from the list."),
        ("timezone", "Mars/Olympus", "Choose a time zone from the list."),
    ],
)
def test_bad_profile_input_shows_the_error_and_saves_nothing(client, worker, field, value, message):
    client.force_login(worker)
    before = snapshot(worker.worker_profile)

    response = client.post("/accounts/profile/", {**GOOD, field: value})

    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert snapshot(worker.worker_profile) == before


def test_profile_update_service_refuses_bad_values_atomically(worker):
    before = snapshot(worker.worker_profile)

    with pytest.raises(LoopworkError) as refused:
        profile_update(
            user=worker,
            display_name="Changed",
            country_code="KE",
            language_codes=["en"],
            categories=["nope"],
            weekly_hours=10,
            timezone_name="UTC",
        )

    assert refused.value.field == "categories"
    assert snapshot(worker.worker_profile) == before


def test_profile_update_creates_a_missing_profile(db):
    user = UserFactory()

    profile = profile_update(
        user=user,
        display_name="",
        country_code=None,
        language_codes=[],
        categories=[],
        weekly_hours=None,
        timezone_name="UTC",
    )

    assert profile.user == user
    assert Country.objects.filter(code="KE").exists()
    assert Language.objects.filter(code="sw").exists()


def test_company_member_sees_company_and_role_and_no_worker_form(client):
    membership = MembershipFactory(role="manager")
    client.force_login(membership.user)

    response = client.get("/accounts/profile/")

    assert response.status_code == 200
    assert response.context["form"] is None
    content = response.content.decode()
    assert membership.company.name in content
    assert "Manager" in content
    assert 'href="/accounts/email/"' in content
    assert 'href="/accounts/password/change/"' in content
    assert 'href="/accounts/2fa/"' in content


def test_company_user_without_company_is_offered_to_create_one(client):
    client.force_login(UserFactory(role="company"))

    response = client.get("/accounts/profile/")

    assert 'href="/company/new/"' in response.content.decode()


def test_profile_needs_sign_in(client):
    response = client.get("/accounts/profile/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_worker_profile_without_a_row_still_renders(client):
    user = UserFactory()
    client.force_login(user)

    assert client.get("/accounts/profile/").status_code == 200
