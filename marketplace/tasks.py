"""Scheduled jobs of the marketplace: thin wrappers around services, safe to run again."""

import logging

from celery import shared_task

from .assignment import leases_reclaim_expired

logger = logging.getLogger(__name__)


@shared_task(name="marketplace.tasks.reclaim_expired_leases")
def reclaim_expired_leases() -> int:
    """Put expired leases' places back in the pool (idempotent; safe beside claims)."""
    return leases_reclaim_expired()
