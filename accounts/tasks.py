"""Scheduled jobs of the accounts app (the beat schedule is in settings)."""

import logging

from celery import shared_task

from .companies import invitations_expire
from .notifications import notification_send_email

logger = logging.getLogger(__name__)


@shared_task(name="accounts.tasks.expire_invitations")
def expire_invitations() -> int:
    """Mark overdue pending invitations as expired; safe to run any number of times."""
    count = invitations_expire()
    if count:
        logger.info("invitations expired count=%s", count)
    return count


@shared_task(name="accounts.tasks.send_notification_email", max_retries=5, default_retry_delay=60)
def send_notification_email(notification_id: int) -> bool:
    """Email one notification; idempotent (a notification is emailed at most once)."""
    return notification_send_email(notification_id)


@shared_task(name="accounts.tasks.send_notification_emails", max_retries=5, default_retry_delay=60)
def send_notification_emails(notification_ids: list[int]) -> int:
    """Email a batch of notifications (a digest's); returns how many this run sent.

    Idempotent per notification: running it again sends only those not sent yet."""
    return sum(notification_send_email(notification_id) for notification_id in notification_ids)
