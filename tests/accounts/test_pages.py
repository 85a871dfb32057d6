"""allauth's pages are drawn in our frame with our classes."""

import pytest

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = [
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/accounts/password/reset/done/",
    "/accounts/confirm-email/",
]
SIGNED_IN_PAGES = [
    "/accounts/email/",
    "/accounts/password/change/",
    "/accounts/logout/",
    "/accounts/2fa/",
    "/accounts/reauthenticate/",
]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_account_pages_use_the_site_frame(client, path):
    response = client.get(path)

    assert response.status_code == 200
    content = response.content.decode()
    assert 'class="site-header"' in content
    assert "auth-page auth-entrance" in content
    assert "css/accounts.css" in content


@pytest.mark.parametrize("path", SIGNED_IN_PAGES)
def test_signed_in_account_pages_use_the_site_frame(client, path):
    client.force_login(UserFactory())

    response = client.get(path)

    assert response.status_code == 200
    content = response.content.decode()
    assert 'class="site-header"' in content
    assert 'class="btn btn-' in content


def test_login_form_fields_are_labelled_and_styled(client):
    content = client.get("/accounts/login/").content.decode()

    assert '<label for="id_login">' in content
    assert '<label for="id_password">' in content
    assert 'class="auth-form card"' in content
    assert 'class="btn btn-primary btn-block"' in content


def test_totp_qr_code_is_an_inline_data_image_allowed_by_the_csp(client):
    client.force_login(UserFactory())
    # Activating TOTP asks for the password again first.
    reauthenticated = client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert reauthenticated.status_code == 302

    response = client.get("/accounts/2fa/totp/activate/")

    assert response.status_code == 200
    content = response.content.decode()
    assert '<img class="auth-img auth-qr" src="data:image/svg+xml;base64,' in content
    assert "data:" in response["Content-Security-Policy"].split("img-src")[1].split(";")[0]
    assert 'id="authenticator_secret"' in content
