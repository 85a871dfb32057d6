"""seed_cms(): the content of a fresh site, written once and left alone on a second run."""

import pytest
from wagtail.models import Page, Revision

from cms.demo_content import seed_cms, word_count
from cms.guides import GUIDES
from cms.models import FooterLink, GuideIndexPage, GuidePage, HomePage, SiteSettings

REQUIRED_GUIDES = [
    "what-human-in-the-loop-work-is",
    "getting-started-with-hitl-jobs",
    "pay-privacy-and-wellbeing",
]


def snapshot():
    return {
        "pages": Page.objects.count(),
        "revisions": Revision.objects.count(),
        "settings": SiteSettings.objects.count(),
        "footer_links": list(FooterLink.objects.values_list("pk", "label", "url")),
        "guides": list(
            GuidePage.objects.order_by("path").values_list("pk", "slug", "latest_revision_id")
        ),
    }


@pytest.mark.django_db
def test_seed_cms_creates_the_site_content():
    # when
    seed_cms()

    # then the tree, texts, guides and settings exist
    home = HomePage.objects.get()
    assert home.workers_intro.startswith("<p>")
    assert home.companies_intro.startswith("<p>")
    index = GuideIndexPage.objects.get()
    assert index.intro.startswith("<p>")
    guides = GuidePage.objects.child_of(index).live().order_by("path")
    assert [guide.slug for guide in guides] == [guide["slug"] for guide in GUIDES]
    settings = SiteSettings.objects.get()
    assert settings.support_email == "support@loopwork.example"
    assert list(settings.footer_links.order_by("sort_order").values_list("label", "url")) == [
        ("Browse jobs", "/jobs/"),
        ("Guides", "/guides/"),
        ("Getting started guide", "/guides/getting-started-with-hitl-jobs/"),
        ("Sign up", "/accounts/signup/"),
    ]


@pytest.mark.django_db
def test_the_three_core_guides_have_substantial_structured_bodies():
    seed_cms()

    for slug in REQUIRED_GUIDES:
        guide = GuidePage.objects.get(slug=slug)
        raw = guide.body.get_prep_value()
        block_types = {block["type"] for block in raw}
        assert {"heading", "paragraph", "callout", "checklist"} <= block_types, slug
        assert 600 <= word_count(raw) <= 1200, slug
        assert guide.has_unpublished_changes is False
        assert guide.reading_minutes >= 3


@pytest.mark.django_db
def test_the_first_guide_explains_all_ten_categories():
    from core.categories import Category

    seed_cms()
    body = str(GuidePage.objects.get(slug="what-human-in-the-loop-work-is").body)

    for heading in [
        "Image annotation",
        "Text annotation",
        "Audio annotation and transcription",
        "Text moderation",
        "Image and video moderation",
        "Social media moderation",
        "Search engine evaluation",
        "Social media evaluation",
        "Customer support escalation",
        "AI response review",
    ]:
        assert f"<h3>{heading}</h3>" in body
    assert len(Category) == 10


@pytest.mark.django_db
def test_seed_cms_twice_changes_nothing():
    # given a seeded site
    seed_cms()
    before = snapshot()

    # when
    seed_cms()

    # then
    assert snapshot() == before


@pytest.mark.django_db
def test_seed_cms_restores_edited_content_with_one_new_revision():
    # given a seeded site where an editor changed a guide's summary
    seed_cms()
    guide = GuidePage.objects.get(slug="pay-privacy-and-wellbeing")
    original = guide.summary
    guide.summary = "Edited."
    guide.save_revision().publish()
    revisions = Revision.objects.count()

    # when
    seed_cms()

    # then
    guide.refresh_from_db()
    assert guide.summary == original
    assert Revision.objects.count() == revisions + 1


@pytest.mark.django_db
def test_seeded_pages_render_with_the_site_settings_in_the_footer(client):
    seed_cms()

    for path in ["/", "/guides/", *[f"/guides/{slug}/" for slug in REQUIRED_GUIDES]]:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert "fairly and openly paid." in html, path
        assert 'href="mailto:support@loopwork.example"' in html, path
        assert (
            '<li><a href="/guides/getting-started-with-hitl-jobs/">Getting started guide</a></li>'
            in html
        ), path
