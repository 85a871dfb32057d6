"""Signing people in and out in browser journeys."""

from django.conf import settings
from django.test import Client

from tests.factories import admin_staff


def staff_session(live_server_url: str, *codenames: str) -> dict:
    """A signed-in staff session cookie with these permissions, for the browser.

    Staff need a second factor (TOTP) to sign in; typing a one-time code is not what the
    journeys test, so the session is made on the server, as force_login does in page tests.
    """
    client = Client()
    client.force_login(admin_staff(*codenames))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server_url}


def log_out(journey) -> None:
    journey.page.get_by_role("button", name="Log out").click()
    journey.page.wait_for_load_state()
