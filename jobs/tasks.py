"""Scheduled jobs of the jobs app: thin wrappers around services, safe to run again."""

import logging

from celery import shared_task

from . import (
    qualification_tasks,  # noqa: F401  (registers the qualification tasks)
    search_tasks,  # noqa: F401  (registers the search tasks)
)
from .listing_authoring import listing_close_past_deadline

logger = logging.getLogger(__name__)


@shared_task(name="jobs.tasks.close_past_deadline_listings")
def close_past_deadline_listings() -> int:
    """Close live listings whose deadline passed (idempotent: closed ones are skipped)."""
    closed = listing_close_past_deadline()
    logger.info("closed %s listings past their deadline", closed)
    return closed
