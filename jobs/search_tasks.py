"""Search's Celery tasks: index updates by listing id and version, saved-search digests."""

import logging

from celery import shared_task
from django.db import transaction

from .search.es import UNAVAILABLE
from .search.indexing import listing_index_changed, listing_index_sync, stale_entry_ids
from .search.saved import saved_search_digests_send

logger = logging.getLogger(__name__)


def listing_index_enqueue(*, page_id: int) -> int:
    """Record a listing change now and update the search index once the change commits."""
    version = listing_index_changed(page_id=page_id)
    transaction.on_commit(lambda: update_listing_index.delay(page_id=page_id, version=version))
    return version


@shared_task(
    name="jobs.search_tasks.update_listing_index",
    autoretry_for=UNAVAILABLE,
    retry_backoff=True,
    max_retries=5,
)
def update_listing_index(*, page_id: int, version: int) -> str:
    """Bring one listing up to date in the search index (a stale version does nothing)."""
    outcome = listing_index_sync(page_id=page_id, version=version)
    logger.info("search index page=%s version=%s: %s", page_id, version, outcome)
    return outcome


@shared_task(name="jobs.search_tasks.send_saved_search_digests")
def send_saved_search_digests() -> int:
    """Email each due saved search its new matches (idempotent: each match is sent once)."""
    sent = saved_search_digests_send()
    logger.info("sent %s saved-search digests", sent)
    return sent


@shared_task(name="jobs.search_tasks.refresh_stale_search_entries")
def refresh_stale_search_entries() -> int:
    """Reindex listings whose company was renamed; the safety net for edits outside pages."""
    page_ids = stale_entry_ids()
    for page_id in page_ids:
        listing_index_enqueue(page_id=page_id)
    return len(page_ids)
