"""The guide index and guide pages, with their blocks, contents and related guides."""

from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file

from tests.cms.factories import make_guide

BODY = [
    {"type": "paragraph", "value": "<p>Most listings need <b>no experience</b>.</p>"},
    {"type": "heading", "value": "The skills that matter"},
    {"type": "callout", "value": {"tone": "warning", "text": "<p>Never pay to apply.</p>"}},
    {"type": "heading", "value": "Your first tasks"},
    {
        "type": "checklist",
        "value": {"title": "Before you start", "items": ["Read the guidelines", "Time a batch"]},
    },
    {"type": "quote", "value": "Consistency beats speed."},
]


def test_guide_index_lists_live_guides_in_tree_order(client, site_tree):
    # given two published guides and a draft
    first = make_guide(title="First steps", summary="Where to begin.", reading_minutes=4)
    second = make_guide(title="Getting paid", summary="Money matters.", reading_minutes=6)
    make_guide(title="Unfinished draft", live=False)

    # when
    response = client.get("/guides/")

    # then
    assert response.status_code == 200
    assert [guide.pk for guide in response.context["guides"]] == [first.pk, second.pk]
    html = response.content.decode()
    assert f'<a href="{first.url}">First steps</a>' in html
    assert "Where to begin." in html
    assert "4 min read" in html
    assert "6 min read" in html
    assert "Unfinished draft" not in html


def test_guide_index_without_guides_shows_an_empty_state(client, site_tree):
    response = client.get("/guides/")

    assert response.status_code == 200
    assert "No guides yet" in response.content.decode()


def test_guide_renders_its_blocks_and_a_table_of_contents(client, site_tree):
    guide = make_guide(title="Getting started", summary="From sign-up to pay.", body=BODY)

    response = client.get(guide.url)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 id="guide-title">Getting started</h1>' in html
    assert "From sign-up to pay." in html
    # headings are anchors, listed in "On this page"
    assert (
        '<h2 id="the-skills-that-matter" class="guide-heading">The skills that matter</h2>' in html
    )
    assert '<h2 id="your-first-tasks" class="guide-heading">Your first tasks</h2>' in html
    assert "On this page" in html
    assert '<li><a href="#the-skills-that-matter">The skills that matter</a></li>' in html
    assert '<li><a href="#your-first-tasks">Your first tasks</a></li>' in html
    # the other blocks
    assert "Most listings need <b>no experience</b>." in html
    assert 'class="callout callout-warning"' in html
    assert "<p>Never pay to apply.</p>" in html
    assert '<p class="guide-checklist-title">Before you start</p>' in html
    assert "<li>Read the guidelines</li>" in html
    assert "<li>Time a batch</li>" in html
    assert "<blockquote>Consistency beats speed.</blockquote>" in html


def test_guide_without_headings_has_no_table_of_contents(client, site_tree):
    guide = make_guide()

    html = client.get(guide.url).content.decode()

    assert "On this page" not in html


def test_guide_renders_an_image_block(client, site_tree):
    image = get_image_model().objects.create(
        title="A labelled street scene", file=get_test_image_file()
    )
    guide = make_guide(body=[{"type": "image", "value": image.pk}])

    html = client.get(guide.url).content.decode()

    assert '<figure class="guide-figure">' in html
    assert "<figcaption>A labelled street scene</figcaption>" in html
    assert "<img " in html


def test_guide_suggests_other_live_guides_but_not_itself(client, site_tree):
    guide = make_guide(title="This guide")
    other = make_guide(title="Another guide")
    make_guide(title="Draft guide", live=False)

    response = client.get(guide.url)

    assert [related.pk for related in response.context["related_guides"]] == [other.pk]
    html = response.content.decode()
    assert f'<a href="{other.url}">Another guide</a>' in html
    assert "Draft guide" not in html
