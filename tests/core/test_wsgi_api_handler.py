"""The WSGI application: API calls take the short middleware list, pages the full one, and
both carry the same security headers."""

import io
import sys

import pytest
from django.conf import settings
from django.core import signals
from django.db import close_old_connections

from config.wsgi import application

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    # As Django's test client does: the test's transaction must outlive each request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def call(path: str) -> tuple[str, dict[str, list[str]]]:
    status, headers, _body = respond(path)
    return status, headers


def respond(path: str) -> tuple[str, dict[str, list[str]], bytes]:
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": "",
        "SERVER_NAME": "testserver", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver", "wsgi.input": io.BytesIO(b""), "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr, "wsgi.multithread": True, "wsgi.multiprocess": True,
        "wsgi.run_once": False, "wsgi.version": (1, 0),
    }  # fmt: skip
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"] = status
        seen["headers"] = {}
        for name, value in headers:
            seen["headers"].setdefault(name.lower(), []).append(value)

    body = b"".join(application(environ, start_response))
    return seen["status"], seen["headers"], body


def test_an_api_call_has_the_security_headers_and_no_session_machinery():
    status, headers = call("/api/v1/jobs")
    assert status.startswith("200")
    assert "frame-ancestors 'none'" in headers["content-security-policy"][0]
    assert headers["x-frame-options"] == ["DENY"]
    assert headers["x-content-type-options"] == ["nosniff"]
    assert "set-cookie" not in headers
    assert "vary" not in headers or "Cookie" not in ",".join(headers["vary"])


def test_an_api_response_says_its_length_so_the_server_need_not_chunk_it():
    # given an API call, when it is answered
    _status, headers, body = respond("/api/v1/jobs")
    # then its length is in the headers
    assert body.startswith(b"{")
    assert headers["content-length"] == [str(len(body))]


def test_a_page_goes_through_the_full_middleware():
    status, headers = call("/accounts/login/")
    assert status.startswith("200")
    assert headers["content-security-policy"] == call("/api/v1/jobs")[1]["content-security-policy"]
    assert any(settings.CSRF_COOKIE_NAME + "=" in cookie for cookie in headers["set-cookie"])


def test_the_admin_keeps_its_own_csp_exemption():
    _status, headers = call("/admin/login/")
    assert "content-security-policy" not in headers
