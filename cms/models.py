from django.db import models
from django.utils.text import slugify
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from core.categories import Category
from jobs.selectors import board_counts, featured_jobs_by_category

from .blocks import GuideStreamBlock

HOME_LATEST_GUIDES = 3
RELATED_GUIDES = 3


class HomePage(Page):
    """The front door: featured jobs by category, how it works on both sides, live counts."""

    hero_title = models.CharField(max_length=120, default="Remote work that trains tomorrow's AI")
    hero_text = models.TextField(
        max_length=400,
        default=(
            "Find annotation, moderation and evaluation jobs, prove your skills once, "
            "and get paid on time for every task."
        ),
    )
    workers_intro = RichTextField(blank=True, features=["bold", "italic", "link"])
    companies_intro = RichTextField(blank=True, features=["bold", "italic", "link"])

    content_panels = [
        *Page.content_panels,
        FieldPanel("hero_title"),
        FieldPanel("hero_text"),
        FieldPanel("workers_intro"),
        FieldPanel("companies_intro"),
    ]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["jobs.JobIndexPage", "cms.GuideIndexPage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["featured_categories"] = featured_jobs_by_category(per_category=3)
        context["counts"] = board_counts()
        context["categories"] = Category.choices
        context["latest_guides"] = (
            GuidePage.objects.live()
            .public()
            .order_by("-first_published_at", "-pk")[:HOME_LATEST_GUIDES]
        )
        return context


class GuideIndexPage(Page):
    """Lists the guides at /guides/."""

    intro = RichTextField(blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.GuidePage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Tree order, so editors decide the reading order by moving pages in the admin.
        context["guides"] = GuidePage.objects.child_of(self).live().public().order_by("path")
        return context


class GuidePage(Page):
    """A guide for job seekers and workers, written in blocks."""

    summary = models.CharField(max_length=300)
    reading_minutes = models.PositiveSmallIntegerField(default=5)
    body = StreamField(GuideStreamBlock())

    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
    ]
    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("reading_minutes"),
        FieldPanel("body"),
    ]
    parent_page_types = ["cms.GuideIndexPage"]
    subpage_types = []

    @property
    def table_of_contents(self) -> list[tuple[str, str]]:
        """(anchor, text) of each heading block; cms/blocks/heading.html uses the same anchor."""
        return [
            (slugify(block.value), block.value)
            for block in self.body
            if block.block_type == "heading"
        ]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["related_guides"] = (
            GuidePage.objects.sibling_of(self, inclusive=False)
            .live()
            .public()
            .order_by("path")[:RELATED_GUIDES]
        )
        return context


@register_setting(icon="cog")
class SiteSettings(ClusterableModel, BaseSiteSetting):
    """Site-wide text that editors change without a deploy."""

    support_email = models.EmailField(default="support@loopwork.example")
    footer_text = models.CharField(
        max_length=300,
        default="Loopwork connects people with remote human-in-the-loop work, fairly paid.",
    )

    panels = [FieldPanel("support_email"), FieldPanel("footer_text"), InlinePanel("footer_links")]


class FooterLink(Orderable):
    """A link in the site footer."""

    settings = ParentalKey(SiteSettings, on_delete=models.CASCADE, related_name="footer_links")
    label = models.CharField(max_length=60)
    url = models.CharField(max_length=300, help_text="A path such as /guides/ or a full URL.")

    panels = [FieldPanel("label"), FieldPanel("url")]

    def __str__(self):
        return self.label
