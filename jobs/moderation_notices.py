"""Listing moderation outcomes reach the company in Loopwork's words, not Wagtail's stock emails.

Wagtail tells a workflow's requester that their page was approved or sent back with its own
emails ("The page ... has been approved"), sent by the receivers wagtail.admin connects to
the documented `workflow_approved` and `workflow_rejected` signals
(wagtail/admin/signal_handlers.py). Those two signals are the smallest hook that sees every
outcome: the admin's action view and a direct `TaskState.approve()` alike. The listing's
Task type (jobs.models.ListingApprovalTask) guards what may be approved, but its `on_action`
runs for admin actions only, and the stock emails are sent per workflow, not per task;
Wagtail has no setting to turn them off.

So `register()` takes the two stock receivers' places (their own dispatch_uid, so Wagtail's
later connect is a no-op and an earlier one is replaced). For a listing it calls
`listing_moderation_notify`, which tells the company's owners and managers; for any other
page (guides moderated by staff) it hands the signal to Wagtail's stock notifier unchanged.
This is the one receiver pair in the app and it only notifies: the moderation itself stays
Wagtail's workflow (see listing_authoring).
"""

import logging

from django.urls import reverse
from wagtail.admin.signal_handlers import (
    workflow_approval_email_notifier,
    workflow_rejection_email_notifier,
)
from wagtail.models import WorkflowState
from wagtail.signals import workflow_approved, workflow_rejected

from accounts.models import Membership, User
from accounts.notifications import Notice, notify_many

from .models import JobPage

logger = logging.getLogger(__name__)

# Wagtail's own dispatch_uids for its approval and rejection emails (admin/signal_handlers.py).
STOCK_APPROVED_UID = "workflow_state_approved_email_notification"
STOCK_REJECTED_UID = "workflow_state_rejected_email_notification"


def listing_moderation_notify(*, listing: JobPage, approved: bool, comment: str = "") -> int:
    """Tell the listing's company owners and managers what moderation decided.

    `approved`: the listing is live (`listing_approved`); otherwise it was sent back with
    the moderator's `comment` (`listing_changes_requested`). Returns how many were told.
    Runs in the moderation's transaction; the emails leave after it commits.
    """
    recipients = list(
        User.objects.filter(
            is_active=True,
            membership__company_id=listing.company_id,
            membership__role__in=(Membership.Role.OWNER, Membership.Role.MANAGER),
        ).order_by("pk")
    )
    comment = (comment or "").strip()
    if approved:
        title = f"Your listing is live: {listing.title}"
        lines = [
            f"Loopwork approved \u201c{listing.title}\u201d and published it on the job board. "
            "Job seekers can find it and apply from now on."
        ]
        if comment:
            lines.append(f"The moderator wrote: {comment}")
    else:
        title = f"Changes requested: {listing.title}"
        lines = [
            f"Loopwork reviewed \u201c{listing.title}\u201d and asks for changes before it can "
            "go live.",
            f"The moderator wrote: {comment}" if comment else "The moderator left no comment.",
            "Edit the listing, then send it for review again.",
        ]
    link = reverse("company_jobs:listings")
    created = notify_many(
        [Notice(user, title=title, body="\n\n".join(lines), link=link) for user in recipients],
        kind="listing_approved" if approved else "listing_changes_requested",
    )
    logger.info(
        "listing moderation notified page=%s approved=%s recipients=%s",
        listing.pk,
        approved,
        len(created),
    )
    return len(created)


def _listing_of(workflow_state: WorkflowState) -> JobPage | None:
    """The listing a workflow state moderates (read afresh: approval just published it)."""
    model = workflow_state.content_type.model_class()
    if model is None or not issubclass(model, JobPage):
        return None
    return JobPage.objects.filter(pk=workflow_state.object_id).first()


def _on_workflow_approved(sender, instance: WorkflowState, user=None, **kwargs):
    listing = _listing_of(instance)
    if listing is None:
        return workflow_approval_email_notifier(instance=instance, user=user, **kwargs)
    task_state = instance.current_task_state
    comment = task_state.specific.get_comment() if task_state is not None else ""
    listing_moderation_notify(listing=listing, approved=True, comment=comment)
    return True


def _on_workflow_rejected(sender, instance: WorkflowState, user=None, **kwargs):
    listing = _listing_of(instance)
    if listing is None:
        return workflow_rejection_email_notifier(instance=instance, user=user, **kwargs)
    task_state = instance.current_task_state
    comment = task_state.specific.get_comment() if task_state is not None else ""
    listing_moderation_notify(listing=listing, approved=False, comment=comment)
    return True


def register() -> None:
    """Put our receivers in the places of Wagtail's stock approval and rejection emails."""
    for signal, receiver, uid in (
        (workflow_approved, _on_workflow_approved, STOCK_APPROVED_UID),
        (workflow_rejected, _on_workflow_rejected, STOCK_REJECTED_UID),
    ):
        signal.disconnect(sender=WorkflowState, dispatch_uid=uid)
        signal.connect(receiver, sender=WorkflowState, dispatch_uid=uid, weak=False)
