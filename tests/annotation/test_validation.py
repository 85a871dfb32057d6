import pytest

from annotation.validation import answer_checker, is_media_url, plain_text
from tests.annotation.helpers import refused


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://example.com/a.png", True),
        ("http://example.com/a.png?x=1", True),
        ("/media/projects/3/a.png", True),
        ("HTTPS://EXAMPLE.COM/a.png", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        (" javascript:alert(1)", False),
        ("data:text/html,<script>", False),
        ("/media/../../etc/passwd", False),
        ("//example.com/a.png", False),
        ("https://example.com/a b.png", False),
        ("https://example.com/\\a.png", False),
        ("https:///nohost", False),
        ("media/a.png", False),
        ("", False),
        (None, False),
        ("https://example.com/" + "a" * 2000, False),
    ],
)
def test_media_urls(url, ok):
    assert is_media_url(url) is ok


def test_plain_text_strips_control_characters_and_unifies_newlines():
    assert plain_text("a\r\nb\rc\x00\x1b[31m\u200bd\te") == "a\nb\nc[31md\te"


def test_limits_name_the_deepest_path():
    error = refused(answer_checker.limits, {"spans": [{"start": [[1]]}]})
    assert error.field == "spans.0.start.0"


def test_limits_refuse_non_json_values():
    refused(answer_checker.limits, {"a": object()}, field="a")
    refused(answer_checker.limits, {1: "a"}, field="answer")
    refused(answer_checker.limits, {"a": float("nan")}, field="a")
