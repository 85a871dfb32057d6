"""Search data kept in the database: the listing search entries, their vocabulary, saved searches.

`ListingSearchEntry` is a flat copy of what search needs from a listing (one narrow table
with a stored, weighted tsvector on PostgreSQL), refreshed whenever the listing is published,
unpublished, edited or deleted. Its row outlives the listing as a tombstone carrying the last
version, so a late index task can tell it is stale.
"""

import datetime

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models

from core.categories import Category
from core.models import TimeStampedModel

__all__ = ["ListingFacetCount", "ListingSearchEntry", "ListingSearchWord", "SavedSearch"]


class ListingSearchEntry(models.Model):
    page_id = models.BigIntegerField(primary_key=True)
    version = models.BigIntegerField(default=0)
    visible = models.BooleanField(default=False)
    title = models.CharField(max_length=255, blank=True)
    summary = models.CharField(max_length=280, blank=True)
    body = models.TextField(blank=True)
    company_id = models.BigIntegerField(null=True)
    company_name = models.CharField(max_length=120, blank=True)
    category = models.CharField(max_length=32, choices=Category.choices, blank=True)
    experience = models.CharField(max_length=16, blank=True)
    test_required = models.BooleanField(default=False)
    hourly_rate_cents = models.PositiveIntegerField(default=0)
    # Space-delimited codes with a space at each end (" en es "), empty for "any": the same
    # containment filter works on PostgreSQL and SQLite.
    languages = models.CharField(max_length=255, blank=True)
    countries = models.CharField(max_length=1000, blank=True)
    published_at = models.DateTimeField(null=True)
    deadline = models.DateField(null=True)
    # PostgreSQL only (stays empty on SQLite): title A, company and summary B, description C.
    search_vector = SearchVectorField(null=True)
    # PostgreSQL only: one verbatim lexeme per facet value ("category:text-moderation",
    # "language:en", "language:" for open to all), GIN-indexed with search_vector, so a query
    # with filters reads only the matching entries that can count for some facet.
    facet_tokens = SearchVectorField(null=True)
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        # PostgreSQL also has search_entry_newest_first, the board's default order (migration
        # jobs/0006: SQLite cannot index NULLS LAST).
        indexes = [
            models.Index(
                fields=["category", "-published_at"],
                name="search_entry_category",
                condition=models.Q(visible=True),
            ),
        ]

    def __str__(self):
        return f"search entry {self.page_id} v{self.version}"


# `ListingFacetCount.deadline` of listings without a deadline (a key column cannot be NULL).
NO_DEADLINE = datetime.date(9999, 12, 31)


class ListingFacetCount(models.Model):
    """How many visible entries have each facet value, per deadline: the facet counts of the
    unfiltered board (no words, no filters) without scanning every entry.

    Kept exact by indexing, in the same transaction as the entry writes; a listing open to
    every language or country counts under the value "".
    """

    facet = models.CharField(max_length=16)
    value = models.CharField(max_length=64)
    deadline = models.DateField(default=NO_DEADLINE)
    listings = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["facet", "value", "deadline"], name="search_facet_count_unique_value"
            )
        ]

    def __str__(self):
        return f"{self.facet}={self.value} until {self.deadline}: {self.listings}"


class ListingSearchWord(models.Model):
    """A word of listing titles, summaries and company names: the "did you mean" vocabulary."""

    word = models.CharField(max_length=40, primary_key=True)

    def __str__(self):
        return self.word


class SavedSearch(TimeStampedModel):
    """A worker's saved board query; new matches are emailed in a digest until unsubscribed."""

    class Frequency(models.TextChoices):
        DAILY = "daily", "Daily"
        WEEKLY = "weekly", "Weekly"

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    name = models.CharField(max_length=120)
    # The board's query string (q=...&category=...), parsed by the board's filter form.
    query_string = models.CharField(max_length=1000)
    frequency = models.CharField(max_length=8, choices=Frequency.choices, default=Frequency.DAILY)
    email_enabled = models.BooleanField(default=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                "worker", "query_string", name="saved_search_unique_query_per_worker"
            )
        ]

    def __str__(self):
        return self.name
