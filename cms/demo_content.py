"""The CMS content of a fresh site: home page texts, footer settings, the guide index and guides.

`seed_cms()` is idempotent: it looks pages up by slug and writes (and publishes a new
revision) only when something differs, so running it twice changes nothing.
"""

import copy
import re
from typing import Any

from django.db import transaction
from wagtail.models import Page, Site

from .guides import GUIDE_INDEX_INTRO, GUIDES
from .models import FooterLink, GuideIndexPage, GuidePage, SiteSettings
from .site_tree import ensure_site_tree

WORKERS_INTRO = (
    "<p>Many listings need no experience. Prove your skills once with a short test, "
    "see the pay of every task before you start, and follow your earnings to the cent.</p>"
)
COMPANIES_INTRO = (
    "<p>Reach people who have proven they can follow your guidelines, keep quality high "
    "with control items and overlap, and pay only for the work you approve.</p>"
)
SUPPORT_EMAIL = "support@loopwork.example"
FOOTER_TEXT = (
    "Loopwork connects people with remote human-in-the-loop work: annotation, "
    "moderation and evaluation, fairly and openly paid."
)
GETTING_STARTED_SLUG = "getting-started-with-hitl-jobs"
WORDS_PER_MINUTE = 200


@transaction.atomic
def seed_cms() -> None:
    """Create or update the site's CMS content; a second run writes nothing."""
    home = ensure_site_tree()
    _update_page(home, workers_intro=WORKERS_INTRO, companies_intro=COMPANIES_INTRO)
    index = GuideIndexPage.objects.get()
    _update_page(index, intro=GUIDE_INDEX_INTRO)
    for guide in GUIDES:
        _ensure_guide(index, **guide)
    site = Site.objects.get(is_default_site=True)
    getting_started = GuidePage.objects.child_of(index).get(slug=GETTING_STARTED_SLUG)
    _ensure_site_settings(
        site,
        support_email=SUPPORT_EMAIL,
        footer_text=FOOTER_TEXT,
        footer_links=[
            ("Browse jobs", "/jobs/"),
            ("Guides", "/guides/"),
            ("Getting started guide", getting_started.relative_url(site)),
            ("Sign up", "/accounts/signup/"),
        ],
    )


def _update_page(page: Page, **fields: Any) -> None:
    """Set the fields and publish a revision, only when one of them differs."""
    changed = {name: value for name, value in fields.items() if getattr(page, name) != value}
    if not changed:
        return
    for name, value in changed.items():
        setattr(page, name, value)
    page.save_revision().publish()


def _ensure_guide(
    index: GuideIndexPage, *, slug: str, title: str, summary: str, body: list[dict]
) -> GuidePage:
    reading_minutes = reading_minutes_of(body)
    # Wagtail writes block ids into raw stream data it is given: hand it a copy.
    body = copy.deepcopy(body)
    page = GuidePage.objects.child_of(index).filter(slug=slug).first()
    if page is None:
        page = GuidePage(
            slug=slug, title=title, summary=summary, reading_minutes=reading_minutes, body=body
        )
        index.add_child(instance=page)
        page.save_revision().publish()
        return page
    stream_block = GuidePage._meta.get_field("body").stream_block
    wanted_body = _without_ids(stream_block.get_prep_value(stream_block.to_python(body)))
    current_body = _without_ids(page.body.get_prep_value())
    if (page.title, page.summary, page.reading_minutes, current_body) != (
        title,
        summary,
        reading_minutes,
        wanted_body,
    ):
        page.title, page.summary, page.reading_minutes, page.body = (
            title,
            summary,
            reading_minutes,
            body,
        )
        page.save_revision().publish()
    return page


def _ensure_site_settings(
    site: Site, *, support_email: str, footer_text: str, footer_links: list[tuple[str, str]]
) -> None:
    settings = SiteSettings.for_site(site)
    if (settings.support_email, settings.footer_text) != (support_email, footer_text):
        settings.support_email, settings.footer_text = support_email, footer_text
        settings.save()
    current = list(
        FooterLink.objects.filter(settings=settings)
        .order_by("sort_order", "pk")
        .values_list("label", "url")
    )
    if current != footer_links:
        FooterLink.objects.filter(settings=settings).delete()
        FooterLink.objects.bulk_create(
            FooterLink(settings=settings, label=label, url=url, sort_order=position)
            for position, (label, url) in enumerate(footer_links)
        )


def _without_ids(value: Any) -> Any:
    """Stream data without the block ids Wagtail generates, for comparing content."""
    if isinstance(value, list):
        return [_without_ids(item) for item in value]
    if isinstance(value, dict):
        return {key: _without_ids(item) for key, item in value.items() if key != "id"}
    return value


def reading_minutes_of(body: list[dict]) -> int:
    """Minutes to read a guide body at an unhurried pace, at least one."""
    return max(1, round(word_count(body) / WORDS_PER_MINUTE))


def word_count(body: list[dict]) -> int:
    """Words in a raw guide body (text of headings, paragraphs, callouts, checklists)."""
    return len(_text_of(body).split())


def _text_of(value: Any) -> str:
    if isinstance(value, str):
        return re.sub(r"<[^>]+>", " ", value)
    if isinstance(value, list):
        return " ".join(_text_of(item) for item in value)
    if isinstance(value, dict):
        return " ".join(
            _text_of(item) for key, item in value.items() if key not in {"type", "tone", "id"}
        )
    return ""
