"""Sign-up, email verification, login, password reset, rate limits, lockout and staff 2FA."""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from axes.models import AccessAttempt
from django.core import mail
from django.test import override_settings

from accounts.models import User, WorkerProfile
from tests.factories import PASSWORD, UserFactory, WorkerFactory

from .helpers import link_in_last_email

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-much-longer-passphrase-42"


def signup(client, email="new@example.org", role="worker"):
    return client.post(
        "/accounts/signup/",
        {"email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "role": role},
    )


def test_signup_sends_a_verification_email_and_shows_the_sent_page(client):
    response = signup(client)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new@example.org"]
    assert mail.outbox[0].subject.startswith("[Loopwork] ")
    assert "_auth_user_id" not in client.session
    page = client.get("/accounts/confirm-email/")
    assert page.status_code == 200
    assert b"auth-page" in page.content


def test_a_login_before_verification_does_not_get_in(client):
    signup(client)
    client.logout()

    response = client.post(
        "/accounts/login/", {"login": "new@example.org", "password": NEW_PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session


def test_confirming_with_the_key_from_the_email_verifies_and_logs_in(client):
    signup(client)
    confirm_path = link_in_last_email(r"/accounts/confirm-email/[^/\s]+/")

    page = client.get(confirm_path)
    response = client.post(confirm_path)

    assert page.status_code == 200
    assert response.status_code == 302
    user = User.objects.get(email="new@example.org")
    assert EmailAddress.objects.get(user=user).verified is True
    assert client.session["_auth_user_id"] == str(user.pk)


def test_signup_role_form_stores_the_role_and_creates_a_profile_for_workers(client):
    signup(client, email="seeker@example.org", role="worker")
    signup(client, email="hirer@example.org", role="company")

    seeker = User.objects.get(email="seeker@example.org")
    hirer = User.objects.get(email="hirer@example.org")
    assert seeker.role == User.Role.WORKER
    assert WorkerProfile.objects.filter(user=seeker).exists()
    assert hirer.role == User.Role.COMPANY
    assert not WorkerProfile.objects.filter(user=hirer).exists()


def test_signup_page_offers_both_roles(client):
    response = client.get("/accounts/signup/")

    assert response.status_code == 200
    content = response.content.decode()
    assert "Looking for work" in content
    assert "Hiring for a company" in content
    assert 'type="radio"' in content


def test_signup_with_an_unknown_role_is_refused_and_creates_no_user(client):
    response = signup(client, role="admin")

    assert response.status_code == 200
    assert "role" in response.context["form"].errors
    assert not User.objects.filter(email="new@example.org").exists()
    assert mail.outbox == []


def test_password_reset_end_to_end(client):
    user = UserFactory(email="forgetful@example.org")

    response = client.post("/accounts/password/reset/", {"email": "Forgetful@example.org"})
    assert response.status_code == 302
    reset_path = link_in_last_email(r"/accounts/password/reset/key/[^\s]+/")
    form_page = client.get(reset_path, follow=True)
    set_path = form_page.redirect_chain[-1][0]
    done = client.post(set_path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert done.status_code == 302
    assert done["Location"] == "/accounts/password/reset/key/done/"
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    client.logout()
    login = client.post("/accounts/login/", {"login": user.email, "password": NEW_PASSWORD})
    assert login.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_password_reset_with_a_bad_key_changes_nothing(client):
    user = UserFactory()

    response = client.get("/accounts/password/reset/key/1-not-a-real-key/", follow=True)

    assert response.status_code == 200
    assert b"invalid" in response.content.lower()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@override_settings(AXES_ENABLED=False)
def test_login_failed_rate_limit_stops_password_checks_from_one_ip(client):
    user = UserFactory()
    for n in range(10):
        response = client.post("/accounts/login/", {"login": f"x{n}@example.org", "password": "no"})
        assert response.status_code == 200

    blocked = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})

    assert blocked.status_code == 200
    assert "Too many failed login attempts" in blocked.content.decode()
    assert "_auth_user_id" not in client.session


@override_settings(AXES_ENABLED=False)
def test_login_rate_limit_answers_429_after_too_many_attempts_from_one_ip(client):
    for n in range(30):
        client.post("/accounts/login/", {"login": f"x{n}@example.org", "password": "no"})

    response = client.post("/accounts/login/", {"login": "y@example.org", "password": "no"})

    assert response.status_code == 429


@override_settings(
    ACCOUNT_RATE_LIMITS={"login_failed": False}, AXES_FAILURE_LIMIT=5, AXES_ENABLED=True
)
def test_axes_locks_out_after_the_failure_limit_and_shows_the_lockout_page(client):
    user = UserFactory(email="target@example.org")
    for _ in range(4):
        response = client.post("/accounts/login/", {"login": user.email, "password": "wrong"})
        assert response.status_code == 200

    locked = client.post("/accounts/login/", {"login": user.email, "password": "wrong"})
    even_right = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})

    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()
    assert "account/lockout.html" in [t.name for t in locked.templates]
    assert even_right.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.count() == 1


@override_settings(
    ACCOUNT_RATE_LIMITS={"login_failed": False},
    AXES_FAILURE_LIMIT=5,
    AXES_USERNAME_CALLABLE="accounts.axes.login_username",
)
def test_with_the_login_username_callable_a_lockout_is_for_one_account_only(client):
    target = UserFactory(email="target@example.org")
    other = UserFactory(email="other@example.org")
    for _ in range(5):
        client.post("/accounts/login/", {"login": target.email, "password": "wrong"})

    response = client.post("/accounts/login/", {"login": other.email, "password": PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(other.pk)
    assert AccessAttempt.objects.get().username == "target@example.org"


def test_staff_without_totp_are_sent_from_the_admin_to_totp_setup(client, site_tree):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"


def test_staff_with_a_totp_authenticator_reach_the_admin(client, site_tree):
    staff = UserFactory(is_staff=True, is_superuser=True)
    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client.force_login(staff)

    response = client.get("/admin/")

    assert response.status_code == 200


def test_non_staff_are_not_affected_by_the_staff_two_factor_rule(client, site_tree):
    client.force_login(WorkerFactory())

    response = client.get("/admin/")

    assert response.status_code in (302, 403)
    assert response.get("Location", "") != "/accounts/2fa/totp/activate/"
