"""Scheduled jobs of the accounts app (the beat schedule is in settings)."""

import logging

from celery import shared_task

from .companies import invitations_expire

logger = logging.getLogger(__name__)


@shared_task(name="accounts.tasks.expire_invitations")
def expire_invitations() -> int:
    """Mark overdue pending invitations as expired; safe to run any number of times."""
    count = invitations_expire()
    if count:
        logger.info("invitations expired count=%s", count)
    return count
