"""Disputes: a worker challenges a rejection, or appeals a quality-control stop; staff decide.

- A worker may dispute their own rejected submission within 7 days of the rejection
  (`reviewed_at`), once per submission, with a message of 10 to 4000 characters.
- A worker may appeal their own active stop in a project, once per stop.
- Staff with the `marketplace.change_dispute` permission resolve an open dispute: uphold
  it (the rejection or the stop stands), or overturn it, which approves the submission
  through review's single decision path (marketplace/review.py `_decide`, action
  `dispute_overturned`) or lifts the stop.

Every step of an assignment's dispute appends a ReviewDecision audit row (`disputed`,
`dispute_upheld`, `dispute_overturned`), and the worker is notified of each step.

Lock order: the assignment (or the stop) row, then the dispute row.
"""

import datetime
import logging

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.notifications import notify
from core.errors import LoopworkError

from .models import Assignment, Dispute, ReviewDecision, WorkerStop
from .review import review_overturn, review_record, worker_link

logger = logging.getLogger(__name__)

DISPUTE_WINDOW = datetime.timedelta(days=7)
MESSAGE_MIN = 10
MESSAGE_MAX = 4000
NOTE_MAX = 4000
RESOLVE_PERMISSION = "marketplace.change_dispute"


def _clean_message(message) -> str:
    text = message.strip() if isinstance(message, str) else ""
    # A null character cannot be stored by PostgreSQL.
    if not MESSAGE_MIN <= len(text) <= MESSAGE_MAX or "\x00" in text:
        raise LoopworkError(
            f"Explain in {MESSAGE_MIN} to {MESSAGE_MAX} characters why the decision is wrong.",
            code="invalid_message",
            field="message",
            status=422,
        )
    return text


def _already_disputed() -> LoopworkError:
    return LoopworkError(
        "You have disputed this already; staff will decide once.",
        code="already_disputed",
        status=409,
    )


def dispute_open(
    assignment_id: int, *, worker: User, message: str, now: datetime.datetime | None = None
) -> Dispute:
    """Dispute the worker's own rejected submission within 7 days of the rejection.

    Refuses: not_found (404, also another worker's), not_rejected (409),
    dispute_window_closed (409), already_disputed (409), invalid_message (422).
    """
    now = now or timezone.now()
    message = _clean_message(message)
    with transaction.atomic():
        assignment = (
            Assignment.objects.select_for_update(of=("self",))
            .select_related("project")
            .filter(pk=assignment_id, worker_id=worker.pk)
            .first()
        )
        if assignment is None:
            raise LoopworkError("No such submission.", code="not_found", status=404)
        if Dispute.objects.filter(assignment=assignment).exists():
            raise _already_disputed()
        if assignment.status != Assignment.Status.REJECTED:
            raise LoopworkError(
                "Only a rejected submission can be disputed.", code="not_rejected", status=409
            )
        if assignment.reject_reason == Assignment.RejectReason.FRAUD:
            # Staff decided it already, on evidence the company's reviewers do not see.
            raise LoopworkError(
                "Loopwork staff reversed this payment for fraud; a dispute goes to the same "
                "staff, so write to support to appeal it.",
                code="fraud_reversed",
                status=409,
            )
        if assignment.reviewed_at is None or now > assignment.reviewed_at + DISPUTE_WINDOW:
            raise LoopworkError(
                "Rejections can be disputed for 7 days; this one's window has closed.",
                code="dispute_window_closed",
                status=409,
            )
        try:
            with transaction.atomic():
                dispute = Dispute.objects.create(
                    worker=worker, assignment=assignment, message=message
                )
        except IntegrityError:
            raise _already_disputed() from None
        review_record(assignment, action=ReviewDecision.Action.DISPUTED, actor=worker, now=now)
        notify(
            worker,
            kind="dispute_opened",
            title=f"Dispute received: {assignment.project.title}",
            body=(
                f"We received your dispute of the rejection of task {assignment.pk}. "
                "Loopwork staff will look at the answer, the reason and the evidence, "
                "and tell you what they decide."
            ),
            link=worker_link(assignment),
        )
    logger.info("dispute opened id=%s assignment=%s", dispute.pk, assignment.pk)
    return dispute


def stop_appeal(stop_id: int, *, worker: User, message: str) -> Dispute:
    """Appeal the worker's own active quality-control stop, once per stop.

    Refuses: not_found (404: another worker's or a lifted stop), already_disputed (409),
    invalid_message (422).
    """
    message = _clean_message(message)
    with transaction.atomic():
        stop = (
            WorkerStop.objects.select_for_update(of=("self",))
            .select_related("project")
            .filter(pk=stop_id, worker_id=worker.pk, lifted_at__isnull=True)
            .first()
        )
        if stop is None:
            raise LoopworkError("No such stop.", code="not_found", status=404)
        if Dispute.objects.filter(stop=stop).exists():
            raise _already_disputed()
        try:
            with transaction.atomic():
                dispute = Dispute.objects.create(worker=worker, stop=stop, message=message)
        except IntegrityError:
            raise _already_disputed() from None
        notify(
            worker,
            kind="dispute_opened",
            title=f"Appeal received: {stop.project.title}",
            body=(
                "We received your appeal of the stop. Loopwork staff will look at the "
                "evidence and tell you what they decide."
            ),
            link=_appeal_link(stop),
        )
    logger.info("stop appealed id=%s stop=%s", dispute.pk, stop.pk)
    return dispute


def _appeal_link(stop: WorkerStop) -> str:
    return reverse("work:stop_appeal", kwargs={"project_id": stop.project_id})


def can_resolve_disputes(user: User) -> bool:
    return bool(user.is_authenticated and user.is_staff and user.has_perm(RESOLVE_PERMISSION))


def dispute_resolve(
    dispute_id: int,
    *,
    staff: User,
    overturn: bool,
    note: str,
    now: datetime.datetime | None = None,
) -> Dispute:
    """Decide an open dispute: uphold it, or overturn it (approve the submission through
    review's single decision path, or lift the stop). `note` (1..4000) is told to the worker.

    Refuses: forbidden (403) without the permission, not_found (404), already_resolved
    (409; two staff deciding at once get one outcome), invalid_note (422).
    """
    if not can_resolve_disputes(staff):
        raise LoopworkError("Only staff may resolve disputes.", code="forbidden", status=403)
    text = note.strip() if isinstance(note, str) else ""
    if not 1 <= len(text) <= NOTE_MAX or "\x00" in text:
        raise LoopworkError(
            f"Write a note to the worker (1 to {NOTE_MAX} characters).",
            code="invalid_note",
            field="note",
            status=422,
        )
    now = now or timezone.now()
    with transaction.atomic():
        target = Dispute.objects.filter(pk=dispute_id).values("assignment_id", "stop_id").first()
        if target is None:
            raise LoopworkError("No such dispute.", code="not_found", status=404)
        # The lock order: the disputed row first, then the dispute.
        if target["assignment_id"] is not None:
            Assignment.objects.select_for_update().filter(pk=target["assignment_id"]).first()
        else:
            WorkerStop.objects.select_for_update().filter(pk=target["stop_id"]).first()
        dispute = (
            Dispute.objects.select_for_update(of=("self",))
            .select_related("assignment__project", "stop__project", "worker")
            .get(pk=dispute_id)
        )
        if dispute.status != Dispute.Status.OPEN:
            raise LoopworkError(
                "This dispute was resolved already.", code="already_resolved", status=409
            )
        dispute.status = Dispute.Status.OVERTURNED if overturn else Dispute.Status.UPHELD
        dispute.resolved_by = staff
        dispute.resolved_at = now
        dispute.resolution_note = text
        dispute.save(
            update_fields=["status", "resolved_by", "resolved_at", "resolution_note", "updated_at"]
        )
        if dispute.assignment_id is not None:
            _resolve_assignment(dispute, staff=staff, overturn=overturn, note=text, now=now)
        else:
            _resolve_stop(dispute, overturn=overturn, note=text, now=now)
    logger.info("dispute resolved id=%s status=%s staff=%s", dispute.pk, dispute.status, staff.pk)
    return dispute


def _resolve_assignment(
    dispute: Dispute, *, staff: User, overturn: bool, note: str, now: datetime.datetime
) -> None:
    assignment = dispute.assignment
    if overturn:
        # The approval notifies the worker itself.
        review_overturn(assignment.pk, staff=staff, note=note, now=now)
        return
    review_record(
        assignment,
        action=ReviewDecision.Action.DISPUTE_UPHELD,
        actor=staff,
        comment=note,
        now=now,
    )
    notify(
        dispute.worker,
        kind="dispute_resolved",
        title=f"Your dispute was declined: {assignment.project.title}",
        body=f"Staff looked at task {assignment.pk} and the rejection stands.\n\n{note}",
        link=worker_link(assignment),
    )


def _resolve_stop(dispute: Dispute, *, overturn: bool, note: str, now: datetime.datetime) -> None:
    stop = dispute.stop
    if overturn:
        WorkerStop.objects.filter(pk=stop.pk, lifted_at__isnull=True).update(
            lifted_at=now, updated_at=now
        )
        title = f"Your appeal was accepted: {stop.project.title}"
        body = f"The stop is lifted; you can take tasks in this project again.\n\n{note}"
    else:
        title = f"Your appeal was declined: {stop.project.title}"
        body = f"Staff looked at the evidence and the stop stands.\n\n{note}"
    notify(dispute.worker, kind="dispute_resolved", title=title, body=body, link=_appeal_link(stop))
