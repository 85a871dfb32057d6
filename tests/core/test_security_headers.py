"""Security headers on every page, and uploads that can never run as HTML or script."""

from pathlib import Path

import pytest

from tests.factories import make_job

# (path, signed in as a worker?): the login page redirects people who are signed in already.
STRICT_PAGES = [
    ("/", False),
    ("/jobs/", False),
    ("JOB", False),
    ("/accounts/login/", False),
    ("/work/", True),
]


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.mark.parametrize(("page", "signed_in"), STRICT_PAGES)
def test_pages_carry_the_strict_policy_and_security_headers(
    page, signed_in, client, worker, site_tree
):
    path = make_job().url if page == "JOB" else page
    if signed_in:
        client.force_login(worker)

    response = client.get(path)

    assert response.status_code == 200
    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_hsts_is_sent_on_secure_requests_when_configured(client, settings, site_tree):
    settings.SECURE_HSTS_SECONDS = 3600

    secure = client.get("/jobs/", secure=True)
    plain = client.get("/jobs/")

    assert secure["Strict-Transport-Security"].startswith("max-age=3600")
    assert "Strict-Transport-Security" not in plain


def test_wagtail_admin_is_excluded_from_the_strict_policy_by_design(client, settings, site_tree):
    # Wagtail's admin ships inline scripts and styles; it is staff-only and behind 2FA.
    assert "/admin/" in settings.CONTENT_SECURITY_POLICY["EXCLUDE_URL_PREFIXES"]

    response = client.get("/admin/")

    assert "Content-Security-Policy" not in response
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("evil.html", b"<script>alert(1)</script>"),
        ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ("notes.js", b"alert(1)"),
    ],
)
def test_active_uploads_are_served_as_sandboxed_downloads(client, media_root, name, body):
    (media_root / "uploads").mkdir()
    (media_root / "uploads" / name).write_bytes(body)

    response = client.get(f"/media/uploads/{name}")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert b"".join(response.streaming_content) == body


def test_png_uploads_are_served_inline_as_images(client, media_root):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
    (media_root / "logo.png").write_bytes(png)

    response = client.get("/media/logo.png")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "attachment" not in response.get("Content-Disposition", "")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    "path",
    [
        "/media/../config/settings/base.py",
        "/media/%2e%2e/config/settings/base.py",
        "/media/..%2fconfig%2fsettings%2fbase.py",
        "/media/missing.png",
    ],
)
def test_paths_outside_media_or_missing_are_not_found(client, media_root, path, site_tree):
    assert Path(__file__).resolve().parents[2].joinpath("config/settings/base.py").exists()

    response = client.get(path)

    assert response.status_code == 404
