"""Scheduled jobs of the marketplace: thin wrappers around services, safe to run again."""

import logging

from celery import shared_task
from django.utils import timezone

from .aggregation import aggregate_project, item_completion_process, item_result_refresh
from .assignment import leases_reclaim_expired
from .company_record import company_records_refresh_all
from .digests import budget_checks_run, review_digests_send
from .pay import project_pay_measure
from .projects import project_opened_announce
from .review import auto_approve_due
from .webhooks import webhook_deliver

logger = logging.getLogger(__name__)


@shared_task(name="marketplace.tasks.reclaim_expired_leases")
def reclaim_expired_leases() -> int:
    """Put expired leases' places back in the pool (idempotent; safe beside claims)."""
    return leases_reclaim_expired()


@shared_task(name="marketplace.tasks.auto_approve_due_submissions")
def auto_approve_due_submissions() -> int:
    """Approve submissions whose review deadline passed (idempotent; safe to run twice)."""
    return auto_approve_due()


@shared_task(name="marketplace.tasks.refresh_company_records")
def refresh_company_records() -> int:
    """Recompute every company's record (review time, rejections, pay, rating); idempotent."""
    return company_records_refresh_all()


@shared_task(name="marketplace.tasks.send_review_digests")
def send_review_digests() -> int:
    """One "answers waiting for review" digest per reviewing member (idempotent)."""
    return review_digests_send()


@shared_task(name="marketplace.tasks.check_project_budgets")
def check_project_budgets() -> int:
    """Warn companies whose projects can no longer be paid for, once each (idempotent)."""
    return budget_checks_run()


@shared_task(name="marketplace.tasks.measure_project_pay")
def measure_project_pay() -> int:
    """Store each live project's measured time per task and refresh its listings' pay."""
    return project_pay_measure()


@shared_task(name="marketplace.tasks.announce_project_opened")
def announce_project_opened(project_id: int) -> int:
    """Tell the workers admitted through a launched project's listings (idempotent)."""
    return project_opened_announce(project_id=project_id)


@shared_task(name="marketplace.tasks.deliver_webhook")
def deliver_webhook(delivery_id: int) -> str:
    """One attempt at a webhook delivery, then the next one queued at the time it is due.

    The next attempt is a new message with a countdown rather than `self.retry()`, so the
    schedule lives in the delivery row and an eager run (tests) never raises Retry into
    the code that emitted the event. Idempotent: a delivered or failed delivery is left
    alone (see webhook_deliver).
    """
    delivery = webhook_deliver(delivery_id)
    if delivery.status == delivery.Status.PENDING and delivery.next_attempt_at is not None:
        countdown = max(0.0, (delivery.next_attempt_at - timezone.now()).total_seconds())
        deliver_webhook.apply_async((delivery_id,), countdown=countdown)
    return delivery.status


@shared_task(name="marketplace.tasks.item_completed")
def item_completed(item_id: int) -> None:
    """Aggregate an item that got its last answer and announce it (idempotent)."""
    item_completion_process(item_id)


@shared_task(name="marketplace.tasks.refresh_item_result")
def refresh_item_result(item_id: int) -> None:
    """Re-aggregate an item whose counted answers a review decision changed (idempotent)."""
    item_result_refresh(item_id)


@shared_task(name="marketplace.tasks.aggregate_project")
def aggregate_project_task(project_id: int, method: str | None = None) -> int:
    """Aggregate a whole project on demand (idempotent: results are overwritten)."""
    return aggregate_project(project_id, method)
