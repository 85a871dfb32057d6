"""Playwright journeys in Debian's headless Chromium against Django's live server.

No browser is downloaded: Chromium comes from apt (/usr/bin/chromium).
Screenshots of every step are kept in var/test-artifacts/<test name>/.
"""

import os
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections

from tests.factories import PASSWORD

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(settings.BASE_DIR) / "var" / "test-artifacts"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def browser():
    """A browser per test.

    Playwright's sync API keeps an event loop running in this thread, and Django then hands
    out per-context database connections. Starting it after the test database is set up, and
    stopping it before the flush, keeps those steps on the test runner's own connection,
    which holds the serialized data the rollback restores.
    """
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: install Debian's chromium package (make test does).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


class Journey:
    """A browser page plus numbered screenshots of each step."""

    def __init__(self, page, base_url: str, folder: Path):
        self.page = page
        self.base_url = base_url
        self.folder = folder
        self.step = 0

    def goto(self, path: str):
        self.page.goto(self.base_url + path)

    def log_in(self, email: str, password: str = PASSWORD):
        self.goto("/accounts/login/")
        self.page.get_by_label(re.compile("^Email")).fill(email)
        self.page.get_by_label(re.compile("^Password")).fill(password)
        self.page.get_by_role("button", name=re.compile("Sign in|Log in", re.I)).click()
        self.page.wait_for_load_state()

    def shot(self, name: str):
        self.step += 1
        self.page.screenshot(path=str(self.folder / f"{self.step:02d}-{name}.png"), full_page=True)


@pytest.fixture
def journey(browser, live_server, request):
    folder = ARTIFACTS / re.sub(r"[^\w-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    yield Journey(page, live_server.url, folder)
    context.close()
    # ORM calls made while Playwright's loop runs opened their own connections: close them.
    connections.close_all()
    # A CSP violation or a script error in the page is a bug, not noise.
    assert errors == []
