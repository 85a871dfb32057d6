"""Company content is sanitised when it is shown, whatever was stored."""

import pytest

from core.sanitize import sanitize_html
from tests.factories import make_job

HOSTILE = (
    '<p onclick="steal()">Label <strong>images</strong></p>'
    "<script>alert(1)</script>"
    '<a href="javascript:alert(2)">click</a>'
    '<img src=x onerror="alert(3)">'
    '<a href="https://example.org/guide">guide</a>'
)


def test_sanitize_keeps_formatting_and_drops_scripts_handlers_and_bad_links():
    clean = sanitize_html(HOSTILE)
    assert "<strong>images</strong>" in clean
    assert '<a href="https://example.org/guide" rel="noopener noreferrer">guide</a>' in clean
    for forbidden in ("<script", "onclick", "javascript:", "<img", "onerror"):
        assert forbidden not in clean


@pytest.mark.django_db
def test_a_listing_description_stored_with_script_renders_without_it(client, site_tree):
    job = make_job(title="Hostile description")
    job.description = HOSTILE  # as if it bypassed the authoring form (e.g. an import)
    job.save_revision().publish()

    body = client.get(job.url).content.decode()

    assert "<strong>images</strong>" in body
    assert "alert(1)" not in body
    assert "javascript:alert" not in body
    assert "onerror" not in body
