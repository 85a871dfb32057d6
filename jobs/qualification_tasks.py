"""Celery tasks of qualification tests: thin wrappers around idempotent services."""

import logging

from celery import shared_task

from . import qualification

logger = logging.getLogger(__name__)


@shared_task(name="jobs.qualification_tasks.expire_overdue_attempts")
def expire_overdue_attempts() -> int:
    """Grade every attempt whose deadline passed (idempotent; safe to run concurrently)."""
    graded = qualification.attempts_expire_overdue()
    if graded:
        logger.info("overdue attempts graded count=%s", graded)
    return graded


@shared_task(name="jobs.qualification_tasks.send_grant_expiry_warnings")
def send_grant_expiry_warnings() -> int:
    """Email workers whose qualification expires within 7 days, once per grant."""
    return qualification.grants_send_expiry_warnings()
