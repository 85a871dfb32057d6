"""Every kind of notification Loopwork sends: what people call it, who gets it, how by default.

`notify` refuses a kind that is not here (UnknownNotificationKind), so a new message cannot
ship without a label on the preferences page and a default channel; a test walks the code's
`notify(..., kind="...")` calls and fails on any that is missing.

Defaults: decisions, money and anything a person must act on are emailed; frequent good
news (approvals) stays in the app, where the unread count shows it.
"""

from dataclasses import dataclass

from django.db import models


class Channel(models.TextChoices):
    """How one kind reaches one person; the labels are the preferences page's words."""

    EMAIL = "email", "In Loopwork and by email"
    APP = "app", "In Loopwork only"
    OFF = "off", "Off"


class Audience(models.TextChoices):
    WORKER = "worker", "Workers"
    COMPANY = "company", "Company members"
    BOTH = "both", "Everyone"


class UnknownNotificationKind(LookupError):
    """A programming error: a notification of a kind the registry does not declare."""


@dataclass(frozen=True)
class NotificationKind:
    name: str
    label: str
    description: str
    audience: str
    default: str
    group: str


# Groups, in the order the preferences page shows them.
WORKER_GROUPS = ("Applications and projects", "Your answers", "Disputes and quality", "Money")
COMPANY_GROUPS = ("Listings and applicants", "Review", "Billing")

_W, _C = Audience.WORKER, Audience.COMPANY
_EMAIL, _APP = Channel.EMAIL, Channel.APP

KINDS: dict[str, NotificationKind] = {
    kind.name: kind
    for kind in (
        # --- Workers -----------------------------------------------------------------------
        NotificationKind(
            "application_received",
            "Application received",
            "We confirm each application you send, with what happens next.",
            _W,
            _EMAIL,
            "Applications and projects",
        ),
        NotificationKind(
            "application_admitted",
            "Application accepted",
            "A company admitted you to one of its listings.",
            _W,
            _EMAIL,
            "Applications and projects",
        ),
        NotificationKind(
            "application_declined",
            "Application declined",
            "A company declined your application, with the reason it gave.",
            _W,
            _EMAIL,
            "Applications and projects",
        ),
        NotificationKind(
            "project_opened",
            "New project open to you",
            "You were admitted to a project and can start its tasks.",
            _W,
            _EMAIL,
            "Applications and projects",
        ),
        NotificationKind(
            "assignment_approved",
            "Answers approved",
            "A summary of the answers a company approved, and what they earned you.",
            _W,
            _APP,
            "Your answers",
        ),
        NotificationKind(
            "assignment_rejected",
            "Answer rejected",
            "A company rejected one of your answers, with its reason; you can dispute it.",
            _W,
            _EMAIL,
            "Your answers",
        ),
        NotificationKind(
            "revision_requested",
            "Revision requested",
            "A reviewer returned an answer to you with a comment to act on.",
            _W,
            _EMAIL,
            "Your answers",
        ),
        NotificationKind(
            "dispute_opened",
            "Dispute or appeal received",
            "We confirm each dispute or appeal you send.",
            _W,
            _EMAIL,
            "Disputes and quality",
        ),
        NotificationKind(
            "dispute_resolved",
            "Dispute or appeal decided",
            "Loopwork staff decided your dispute or appeal.",
            _W,
            _EMAIL,
            "Disputes and quality",
        ),
        NotificationKind(
            "worker_stopped",
            "Stopped by quality control",
            "Your accuracy on control tasks fell below a project's threshold.",
            _W,
            _EMAIL,
            "Disputes and quality",
        ),
        NotificationKind(
            "bonus",
            "Bonus received",
            "A company paid you a bonus on top of a reward.",
            _W,
            _EMAIL,
            "Money",
        ),
        NotificationKind(
            "payment_reversed",
            "Payment reversed",
            "Loopwork staff took back the pay of an answer found to be fraud.",
            _W,
            _EMAIL,
            "Money",
        ),
        NotificationKind(
            "payout_held",
            "Payout held",
            "Staff held a payout under review; the money goes back to your available earnings.",
            _W,
            _EMAIL,
            "Money",
        ),
        NotificationKind(
            "payout_paid",
            "Payout sent",
            "A payout left for your Stripe account, with when to expect it in your bank.",
            _W,
            _EMAIL,
            "Money",
        ),
        NotificationKind(
            "bank_payout_failed",
            "Bank transfer failed",
            "Your bank returned money Stripe sent it; you need to fix your bank details.",
            _W,
            _EMAIL,
            "Money",
        ),
        # --- Company members ---------------------------------------------------------------
        NotificationKind(
            "new_applicant",
            "New applicant",
            "Someone applied to one of your company's listings.",
            _C,
            _EMAIL,
            "Listings and applicants",
        ),
        NotificationKind(
            "listing_approved",
            "Listing approved",
            "Loopwork approved a listing you sent for review and it is live.",
            _C,
            _EMAIL,
            "Listings and applicants",
        ),
        NotificationKind(
            "listing_changes_requested",
            "Listing sent back",
            "Loopwork asked for changes to a listing, with the moderator's comment.",
            _C,
            _EMAIL,
            "Listings and applicants",
        ),
        NotificationKind(
            "review_waiting",
            "Answers waiting for review",
            "One summary of the answers that arrived since the last one, per project.",
            _C,
            _EMAIL,
            "Review",
        ),
        NotificationKind(
            "budget_low",
            "Budget running low",
            "A project's reserved budget and your balance can no longer pay for what it "
            "still needs.",
            _C,
            _EMAIL,
            "Billing",
        ),
    )
}


def kind_get(name: str) -> NotificationKind:
    """The registered kind `name`; UnknownNotificationKind for any other."""
    try:
        return KINDS[name]
    except KeyError:
        raise UnknownNotificationKind(
            f"Notification kind {name!r} is not registered in accounts/notification_kinds.py."
        ) from None


def kinds_for(*, worker: bool, company: bool) -> list[NotificationKind]:
    """The kinds a person sees on their preferences page, in the page's order (by group)."""
    groups = (WORKER_GROUPS if worker else ()) + (COMPANY_GROUPS if company else ())
    audiences = {Audience.BOTH}
    if worker:
        audiences.add(Audience.WORKER)
    if company:
        audiences.add(Audience.COMPANY)
    return sorted(
        (kind for kind in KINDS.values() if kind.audience in audiences and kind.group in groups),
        key=lambda kind: groups.index(kind.group),
    )
