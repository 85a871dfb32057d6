"""Transcription audio and item images are served so the widgets can play and show them."""

import pytest
from django.conf import settings


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("clip.mp3", "audio/mpeg"),
        ("clip.wav", "audio/wav"),
        ("clip.ogg", "audio/ogg"),
        ("clip.m4a", "audio/mp4"),
        ("clip.webm", "audio/webm"),
    ],
)
def test_audio_is_served_inline_but_sandboxed(client, media_root, name, content_type):
    (media_root / name).write_bytes(b"\x00" * 32)

    response = client.get(f"/media/{name}")

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert "attachment" not in response.get("Content-Disposition", "")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_html_disguised_as_anything_else_is_still_a_download(client, media_root):
    (media_root / "clip.html").write_bytes(b"<script>alert(1)</script>")

    response = client.get("/media/clip.html")

    assert response["Content-Type"] == "application/octet-stream"
    assert "attachment" in response["Content-Disposition"]


def test_pages_may_load_item_images_and_audio_from_https_only():
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    assert directives["img-src"] == ["'self'", "data:", "https:"]
    assert directives["media-src"] == ["'self'", "https:"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
