"""Review: the company's decisions on submissions, and the audit log behind them.

Every decision — approval, rejection, automatic approval, a dispute overturned — and every
other change of a submission's review state (revision requested, revision resubmitted)
goes through one function, `_decide`. It locks the assignment row, checks the state,
writes the new status with who decided and why, appends a `ReviewDecision` audit row with
a snapshot of the evidence, and notifies the worker, all in one transaction. Decisions
are single and final: two decisions racing on one assignment give one outcome, and the
other gets 409 `already_decided`.

Who may decide: any member of the project's company (owner, manager or reviewer); an
assignment of another company's project does not exist for them (404). Gold assignments
may be decided like any other.

Revision, once: a reviewer may return a submitted answer to the worker with a comment
(status `revision`, `revision_count` 1). While in revision the review deadline restarts
(now + the project's `auto_approve_hours`): if the worker never revises, the original
answer is approved automatically when it passes, like any unreviewed submission. A
resubmitted answer is checked by the project's interface, goes back to `submitted` with a
new deadline, and can no longer be returned for revision.

Automatic approval (`auto_approve_due`, run by Celery beat) approves submissions in
`submitted` or `revision` whose `review_due_at` has passed. It is idempotent and safe to
run twice at once: rows are taken with SKIP LOCKED on PostgreSQL, and the state is checked
again under the lock, so each submission gets exactly one decision row.

Lock order: the assignment row only (decisions never lock items or projects).
"""

import datetime
import logging
import statistics
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from functools import partial

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, User
from accounts.notifications import Notice, notify, notify_many
from annotation.base import InvalidInput
from annotation.registry import get_interface
from core.errors import LoopworkError
from core.money import format_money
from payouts.earnings import (
    Approval,
    approval_post,
    approval_reverse,
    approvals_post,
    bonus_post,
)
from payouts.models import LedgerTransaction

from .assignment import assignment_place_free, assignment_place_retake
from .models import Assignment, Project, ReviewDecision
from .projects import FINAL_STATES, project_escrow_settle

logger = logging.getLogger(__name__)

Action = ReviewDecision.Action
Status = Assignment.Status

COMMENT_MAX = 2000
BULK_MAX = 500
AUTO_APPROVE_BATCH = 200
# Failed gold items listed in the evidence of one submission.
EVIDENCE_FAILED_GOLD = 10

# The state each change starts from, and the status it leaves.
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    Action.APPROVED: ((Status.SUBMITTED,), Status.APPROVED),
    Action.REJECTED: ((Status.SUBMITTED,), Status.REJECTED),
    Action.REVISION_REQUESTED: ((Status.SUBMITTED,), Status.REVISION),
    Action.RESUBMITTED: ((Status.REVISION,), Status.SUBMITTED),
    Action.AUTO_APPROVED: (Assignment.UNDECIDED, Status.APPROVED),
    Action.DISPUTE_OVERTURNED: ((Status.REJECTED,), Status.APPROVED),
}


@dataclass
class BulkOutcome:
    """What a bulk decision did: the ids decided, and (id, why not) for the others."""

    done: list[int] = field(default_factory=list)
    conflicts: list[tuple[int, str]] = field(default_factory=list)


def _not_found() -> LoopworkError:
    return LoopworkError("No such submission.", code="not_found", status=404)


def _refuse_state(assignment: Assignment, action: str) -> LoopworkError:
    """Why this change cannot be made to the assignment as it stands now."""
    if assignment.status in Assignment.DECIDED and action != Action.DISPUTE_OVERTURNED:
        decided = assignment.get_status_display().lower()
        return LoopworkError(
            f"This submission was already {decided}"
            f"{' automatically' if assignment.reviewed_by_id is None else ''}; "
            "a decision is final and was not changed.",
            code="already_decided",
            status=409,
        )
    if assignment.status == Status.REVISION:
        return LoopworkError(
            "This submission is back with the worker for revision; decide once it is "
            "resubmitted (or it is approved automatically if it never is).",
            code="in_revision",
            status=409,
        )
    if action == Action.RESUBMITTED:
        return LoopworkError(
            "This task is not waiting for a revision.", code="not_in_revision", status=409
        )
    if action == Action.DISPUTE_OVERTURNED:
        return LoopworkError(
            "Only a rejected submission can be overturned.", code="not_rejected", status=409
        )
    return LoopworkError(
        "This assignment has no answer to review.", code="not_submitted", status=409
    )


def _decide(
    assignment_id: int,
    *,
    action: str,
    actor: User | None,
    company_id: int | None = None,
    worker_id: int | None = None,
    reason: str = "",
    comment: str = "",
    changes: dict | None = None,
    now: datetime.datetime | None = None,
) -> Assignment:
    """The single path of every review decision, and where approvals are paid.

    Every approval (manual, bulk, automatic, a rejection overturned on dispute) pays the
    worker through payouts.earnings.approval_post inside this transaction: reward to the
    worker's pending earnings and fee to revenue from the project's escrow (the company
    balance makes up a short escrow). When neither can pay, the whole decision is refused
    (409 `insufficient_balance`) and nothing changes. A rejection moves no money and frees
    the answer's place (assignment.assignment_place_free): the item gets another worker's
    answer, which the escrow still reserved pays; an overturned rejection counts again. The
    measured work time is capped at the lease (a lease cannot last longer) before the pay
    floor is applied to it.

    Locks the assignment row (scoped to `company_id` for reviewers, to `worker_id` for the
    worker's own changes: any other row is not_found, 404), checks that `action` may start
    from its status (409 `already_decided`, `in_revision`...), writes the new status with
    `changes`, appends the audit row with the evidence as it is now, and notifies the worker
    after commit. `actor` None is the system (automatic approval).
    """
    now = now or timezone.now()
    allowed_from, new_status = TRANSITIONS[action]
    with transaction.atomic():
        rows = Assignment.objects.select_for_update(of=("self",)).select_related("project")
        if company_id is not None:
            rows = rows.filter(project__company_id=company_id)
        if worker_id is not None:
            rows = rows.filter(worker_id=worker_id)
        assignment = rows.filter(pk=assignment_id).first()
        if assignment is None:
            raise _not_found()
        if assignment.status not in allowed_from:
            raise _refuse_state(assignment, action)
        if action == Action.REVISION_REQUESTED and assignment.revision_count >= 1:
            raise LoopworkError(
                "This submission was returned for revision once already; approve or reject it.",
                code="revision_used",
                status=409,
            )
        evidence = (
            _timing_snapshot(assignment)
            if action == Action.AUTO_APPROVED
            else assignment_evidence(assignment)
        )
        fields = {"status": new_status, **(changes or {})}
        if action == Action.RESUBMITTED:
            fields["review_due_at"] = now + datetime.timedelta(
                hours=assignment.project.auto_approve_hours
            )
        else:
            # The company's review: who, when and why (a revision request included).
            fields.update(reviewed_at=now, reviewed_by=actor, review_comment=comment)
            fields["reject_reason"] = reason if action == Action.REJECTED else ""
            if action == Action.REVISION_REQUESTED:
                fields["revision_count"] = assignment.revision_count + 1
                fields["review_due_at"] = now + datetime.timedelta(
                    hours=assignment.project.auto_approve_hours
                )
        for name, value in fields.items():
            setattr(assignment, name, value)
        assignment.save(update_fields=[*fields, "updated_at"])
        decision = ReviewDecision.objects.create(
            assignment=assignment,
            action=action,
            actor=actor,
            reason=reason if action == Action.REJECTED else "",
            comment=comment,
            evidence=evidence,
            created_at=now,
        )
        if new_status == Status.APPROVED:
            assignment_pay(assignment, decision_id=decision.pk, now=now)
        if action == Action.REJECTED:
            # The rejected answer stops counting: another worker's answer replaces it.
            if assignment_place_free(assignment=assignment, now=now):
                assignment.project.status = Project.Status.ACTIVE
        elif action == Action.DISPUTE_OVERTURNED:
            assignment_place_retake(assignment=assignment, now=now)
        if new_status in (Status.APPROVED, Status.REJECTED) and (
            assignment.project.status in FINAL_STATES
        ):
            # A finished project's last pending decision returns the rest of its escrow.
            project_escrow_settle(project_id=assignment.project_id)
        _notify_worker(assignment, action=action)
        if action in CHANGES_COUNTED_ANSWERS and not assignment.is_gold:
            transaction.on_commit(partial(_queue_result_refresh, assignment.item_id), robust=True)
    logger.info(
        "review decision assignment=%s action=%s actor=%s",
        assignment.pk,
        action,
        getattr(actor, "pk", None),
    )
    return assignment


# Decisions after which the item's aggregated result counts other answers (or another one).
CHANGES_COUNTED_ANSWERS = (
    Action.REJECTED,
    Action.REVISION_REQUESTED,
    Action.RESUBMITTED,
    Action.DISPUTE_OVERTURNED,
)


def _queue_result_refresh(item_id: int) -> None:
    # Imported here: the tasks module imports this one.
    from .tasks import refresh_item_result

    refresh_item_result.delay(item_id)


def assignment_pay(assignment: Assignment, *, decision_id: int, now: datetime.datetime) -> None:
    """Post an approved assignment's pay (reward, fee, any pay-floor top-up) to the ledger;
    idempotent (keyed on the assignment)."""
    approval_post(decision_id=decision_id, now=now, **asdict(_approval(assignment)))


def _approval(assignment: Assignment) -> Approval:
    """What paying `assignment` takes, with its work time capped at the lease."""
    project = assignment.project
    work_seconds = assignment.work_seconds
    if work_seconds is not None:
        work_seconds = min(work_seconds, project.lease_seconds)
    return Approval(
        assignment_id=assignment.pk,
        project_id=project.pk,
        company_id=project.company_id,
        worker_id=assignment.worker_id,
        reward_cents=assignment.reward_cents,
        currency=project.currency,
        project_title=project.title,
        work_seconds=work_seconds,
        pay_floor_hourly_cents=project.pay_floor_hourly_cents,
        link=earning_link(assignment),
    )


def _approve_many(
    assignment_ids: list[int],
    *,
    action: str,
    actor: User | None,
    now: datetime.datetime,
    company_id: int | None = None,
    comment: str = "",
) -> BulkOutcome:
    """Approve many submissions at once, with the rules and audit of `_decide`.

    Bulk approval and automatic approval come here: in one transaction, every row is locked
    and its state checked, all are paid in one ledger batch (payouts.earnings.approvals_post),
    then updated and audited in one statement each, and each worker gets one notice for the
    whole batch (created in bulk), so a batch of hundreds costs a fixed number of queries
    (plus, for a reviewer's approval, each one's evidence). A
    submission that cannot be approved (not found, decided already, in revision, its company
    unable to pay) is listed in `conflicts` with why, and changes nothing.
    """
    allowed_from, new_status = TRANSITIONS[action]
    refusals: dict[int, str] = {}
    with transaction.atomic():
        rows = Assignment.objects.select_for_update(of=("self",)).select_related(
            "project", "worker"
        )
        if company_id is not None:
            rows = rows.filter(project__company_id=company_id)
        found = {row.pk: row for row in rows.filter(pk__in=assignment_ids).order_by("pk")}
        ready = []
        for assignment_id in assignment_ids:
            assignment = found.get(assignment_id)
            if assignment is None:
                refusals[assignment_id] = _not_found().message
            elif assignment.status not in allowed_from:
                refusals[assignment_id] = _refuse_state(assignment, action).message
            else:
                ready.append(assignment)
        paid = approvals_post([_approval(assignment) for assignment in ready], now=now)
        for assignment_id, refusal in paid.refused.items():
            refusals[assignment_id] = refusal.message
        approved = [assignment for assignment in ready if assignment.pk not in paid.refused]
        decisions = [
            ReviewDecision(
                assignment=assignment,
                action=action,
                actor=actor,
                comment=comment,
                evidence=(
                    _timing_snapshot(assignment)
                    if action == Action.AUTO_APPROVED
                    else assignment_evidence(assignment)
                ),
                created_at=now,
            )
            for assignment in approved
        ]
        fields = {
            "status": new_status,
            "reviewed_at": now,
            "reviewed_by": actor,
            "review_comment": comment,
            "reject_reason": "",
        }
        Assignment.objects.filter(pk__in=[assignment.pk for assignment in approved]).update(
            **fields, updated_at=timezone.now()
        )
        ReviewDecision.objects.bulk_create(decisions)
        for assignment in approved:
            for name, value in fields.items():
                setattr(assignment, name, value)
        _notify_approved(approved, action=action, comment=comment)
        for project_id in {a.project_id for a in approved if a.project.status in FINAL_STATES}:
            # A finished project's last pending decision returns the rest of its escrow.
            project_escrow_settle(project_id=project_id)
    logger.info(
        "review decisions action=%s approved=%s refused=%s actor=%s",
        action,
        len(approved),
        len(refusals),
        getattr(actor, "pk", None),
    )
    return BulkOutcome(
        done=[assignment.pk for assignment in approved],
        conflicts=[(pk, refusals[pk]) for pk in assignment_ids if pk in refusals],
    )


def earning_link(assignment: Assignment) -> str:
    """The worker's history row of the assignment, for their earnings statement."""
    return f"{reverse('work:history')}?project={assignment.project_id}#submission-{assignment.pk}"


# Whether each kind is emailed is the worker's choice (approvals stay in the app by default:
# see accounts.notification_kinds).
NOTICES = {
    Action.APPROVED: ("assignment_approved", "Your answer was approved"),
    Action.AUTO_APPROVED: ("assignment_approved", "Your answer was approved"),
    Action.REJECTED: ("assignment_rejected", "Your answer was rejected"),
    Action.REVISION_REQUESTED: ("revision_requested", "Please revise your answer"),
    Action.DISPUTE_OVERTURNED: (
        "dispute_resolved",
        "Your dispute was accepted: the answer is approved",
    ),
}


def _notify_worker(assignment: Assignment, *, action: str) -> None:
    notice = NOTICES.get(action)
    if notice is None:
        return
    kind, title = notice
    lines = [f"Project: {assignment.project.title}. Task {assignment.pk}."]
    if action == Action.REJECTED:
        lines.append(f"Reason: {assignment.get_reject_reason_display()}.")
    if assignment.review_comment:
        author = "Loopwork staff" if action == Action.DISPUTE_OVERTURNED else "The reviewer"
        lines.append(f"{author} wrote: {assignment.review_comment}")
    if action == Action.REJECTED:
        lines.append("You can dispute a rejection within 7 days from your work history.")
    if action == Action.REVISION_REQUESTED:
        lines.append(
            "Open your work history to revise the answer. If you do not, your original "
            "answer is approved automatically when the review period ends."
        )
    notify(
        assignment.worker,
        kind=kind,
        title=f"{title}: {assignment.project.title}",
        body="\n\n".join(lines),
        link=worker_link(assignment, action=action),
    )


def _notify_approved(approved: list[Assignment], *, action: str, comment: str) -> None:
    """One notice per worker for a batch of approvals, however many of theirs it holds.

    Created in bulk (accounts.notifications.notify_many): the same few queries for a batch
    of 1 or 500.
    """
    by_worker: dict[int, list[Assignment]] = {}
    for assignment in approved:
        by_worker.setdefault(assignment.worker_id, []).append(assignment)
    notify_many(
        [
            _approval_digest(answers, automatic=action == Action.AUTO_APPROVED, comment=comment)
            for answers in by_worker.values()
        ],
        kind="assignment_approved",
    )


def _money_total(amounts: dict[str, int]) -> str:
    return " + ".join(format_money(cents, currency) for currency, cents in amounts.items())


def _approval_digest(answers: list[Assignment], *, automatic: bool, comment: str) -> Notice:
    """One worker's approved answers of a batch: how many, their rewards, per project."""
    projects: dict[int, tuple[Project, list[Assignment]]] = {}
    totals: dict[str, int] = {}
    for answer in answers:
        projects.setdefault(answer.project_id, (answer.project, []))[1].append(answer)
        currency = answer.project.currency
        totals[currency] = totals.get(currency, 0) + answer.reward_cents
    count = len(answers)
    first = answers[0].project
    if count == 1:
        title = f"Your answer was approved: {first.title}"
    elif len(projects) == 1:
        title = f"{count} answers approved: {first.title}"
    else:
        title = f"{count} answers approved in {len(projects)} projects"
    # The title says how many; the body says what they earned (and why, when automatic).
    lines = [f"Rewards: {_money_total(totals)}, added to your pending earnings."]
    if automatic:
        lines.insert(0, "Approved automatically: the company did not review in time.")
    if comment:
        lines.append(f"The reviewer wrote: {comment}")
    lines.append(
        "Pending earnings become available to pay out once their hold period ends; your "
        "earnings page shows when."
    )
    links = []
    for project, project_answers in projects.values():
        cents = sum(answer.reward_cents for answer in project_answers)
        many = len(project_answers)
        links.append(
            (
                f"{project.title}: {many} {'answer' if many == 1 else 'answers'}, "
                f"{format_money(cents, project.currency)}",
                f"{reverse('work:history')}?project={project.pk}",
            )
        )
    return Notice(
        answers[0].worker,
        title=title,
        body="\n\n".join(lines),
        link=reverse("payouts_work:earnings"),
        links=links,
    )


def worker_link(assignment: Assignment, *, action: str = "") -> str:
    """Where the worker acts on a decision: the revision, the dispute, or their history."""
    if action == Action.REVISION_REQUESTED:
        return reverse("work:history_revise", kwargs={"assignment_id": assignment.pk})
    if action == Action.REJECTED:
        return reverse("work:history_dispute", kwargs={"assignment_id": assignment.pk})
    return reverse("work:history")


# --- Reviewer decisions -------------------------------------------------------------------


def _reviewer_company_id(reviewer: User) -> int:
    """The reviewer's company; a user of no company sees no submissions at all (404)."""
    membership = reviewer.company_membership if reviewer.is_authenticated else None
    if membership is None:
        raise _not_found()
    return membership.company_id


def _clean_comment(comment, *, required: bool) -> str:
    text = comment.strip() if isinstance(comment, str) else ""
    if required and not text:
        raise LoopworkError(
            "Write a few words to the worker: what was wrong.",
            code="comment_required",
            field="comment",
            status=422,
        )
    if "\x00" in text:  # PostgreSQL cannot store it
        raise LoopworkError(
            "The comment contains a null character.",
            code="invalid_comment",
            field="comment",
            status=422,
        )
    if len(text) > COMMENT_MAX:
        raise LoopworkError(
            f"Keep the comment to {COMMENT_MAX} characters.",
            code="comment_too_long",
            field="comment",
            status=422,
        )
    return text


def _clean_reason(reason) -> str:
    allowed = [value for value, _label in Assignment.REVIEWER_REASONS]
    if reason not in allowed:
        raise LoopworkError(
            "Choose a reason from the list: " + ", ".join(allowed) + ".",
            code="invalid_reason",
            field="reason",
            status=422,
        )
    return reason


def review_approve(
    assignment_id: int, *, reviewer: User, comment: str = "", now: datetime.datetime | None = None
) -> Assignment:
    """Approve a submitted answer. 404 outside the reviewer's company; 409 when decided."""
    return _decide(
        assignment_id,
        action=Action.APPROVED,
        actor=reviewer,
        company_id=_reviewer_company_id(reviewer),
        comment=_clean_comment(comment, required=False),
        now=now,
    )


def review_reject(
    assignment_id: int,
    *,
    reviewer: User,
    reason: str,
    comment: str,
    now: datetime.datetime | None = None,
) -> Assignment:
    """Reject a submitted answer with a reason from Assignment.REVIEWER_REASONS and a comment
    (1..2000 characters) the worker reads. 422 on bad input; 404 / 409 as review_approve."""
    company_id = _reviewer_company_id(reviewer)
    reason = _clean_reason(reason)
    comment = _clean_comment(comment, required=True)
    return _decide(
        assignment_id,
        action=Action.REJECTED,
        actor=reviewer,
        company_id=company_id,
        reason=reason,
        comment=comment,
        now=now,
    )


def review_request_revision(
    assignment_id: int, *, reviewer: User, comment: str, now: datetime.datetime | None = None
) -> Assignment:
    """Return a submitted answer to its worker with a comment, once per assignment.

    The review deadline restarts; an answer never revised is approved automatically when
    it passes. 409 `revision_used` the second time.
    """
    company_id = _reviewer_company_id(reviewer)
    comment = _clean_comment(comment, required=True)
    return _decide(
        assignment_id,
        action=Action.REVISION_REQUESTED,
        actor=reviewer,
        company_id=company_id,
        comment=comment,
        now=now,
    )


def review_bulk(
    assignment_ids: Iterable[int],
    *,
    reviewer: User,
    action: str,
    reason: str = "",
    comment: str = "",
    now: datetime.datetime | None = None,
) -> BulkOutcome:
    """Approve or reject many submissions; each is decided on its own.

    Bad input (an unknown action, a missing reason or comment, too many ids) refuses the
    whole request (422). Otherwise a submission that cannot be decided (decided already,
    not found, in revision) is listed in `conflicts` with why, and the others go ahead.
    """
    if action not in ("approve", "reject"):
        raise LoopworkError(
            "Choose approve or reject.", code="invalid_action", field="action", status=422
        )
    company_id = _reviewer_company_id(reviewer)
    if action == "reject":
        reason = _clean_reason(reason)
        comment = _clean_comment(comment, required=True)
    else:
        comment = _clean_comment(comment, required=False)
    try:
        ids = list(dict.fromkeys(int(pk) for pk in assignment_ids))
    except (TypeError, ValueError):
        raise LoopworkError(
            "Submission ids must be whole numbers.", code="invalid_ids", field="ids", status=422
        ) from None
    if not ids:
        raise LoopworkError(
            "Select at least one submission.", code="nothing_selected", field="ids", status=422
        )
    if len(ids) > BULK_MAX:
        raise LoopworkError(
            f"Decide at most {BULK_MAX} submissions at once.",
            code="too_many",
            field="ids",
            status=422,
        )
    if action == "approve":
        return _approve_many(
            ids,
            action=Action.APPROVED,
            actor=reviewer,
            company_id=company_id,
            comment=comment,
            now=now or timezone.now(),
        )
    outcome = BulkOutcome()
    for assignment_id in ids:
        try:
            _decide(
                assignment_id,
                action=Action.REJECTED,
                actor=reviewer,
                company_id=company_id,
                reason=reason,
                comment=comment,
                now=now,
            )
        except LoopworkError as refusal:
            outcome.conflicts.append((assignment_id, refusal.message))
        else:
            outcome.done.append(assignment_id)
    return outcome


# --- The worker's revision ----------------------------------------------------------------


def revision_resubmit(
    assignment_id: int, *, worker: User, answer, now: datetime.datetime | None = None
) -> Assignment:
    """The worker's revised answer to a submission returned for revision.

    The answer is checked by the project's interface (422 `invalid_answer` with the field);
    a gold item is graded again. Back to `submitted` with a new review deadline. 404 for
    another worker's assignment, 409 `not_in_revision` otherwise.
    """
    now = now or timezone.now()
    current = (
        Assignment.objects.select_related("project", "item")
        .filter(pk=assignment_id, worker_id=worker.pk)
        .first()
    )
    if current is None:
        raise _not_found()
    if current.status != Status.REVISION:
        raise _refuse_state(current, Action.RESUBMITTED)
    project, item = current.project, current.item
    interface = get_interface(project.interface)
    if not isinstance(answer, dict):
        raise InvalidInput("The answer must be a JSON object.", field="answer")
    cleaned = interface.clean_answer(answer, project.label_schema, item.data)
    changes = {"answer": cleaned, "submitted_at": now}
    if item.is_gold:
        changes["gold_score"] = interface.grade(cleaned, item.gold_answer, project.label_schema)
    return _decide(
        assignment_id,
        action=Action.RESUBMITTED,
        actor=worker,
        worker_id=worker.pk,
        changes=changes,
        now=now,
    )


# --- Automatic approval -------------------------------------------------------------------


def auto_approve_due(now: datetime.datetime | None = None, limit: int | None = None) -> int:
    """Approve every undecided submission whose review deadline has passed; returns how many.

    Idempotent and safe beside reviewers and another run: each batch locks its rows with
    SKIP LOCKED (a submission being decided right now is left to that decision) and each
    one is decided through `_decide`, which checks the state again under the lock.
    `limit` bounds the work of one run.
    """
    now = now or timezone.now()
    total = 0
    while limit is None or total < limit:
        size = AUTO_APPROVE_BATCH if limit is None else min(AUTO_APPROVE_BATCH, limit - total)
        approved = _auto_approve_batch(now=now, size=size)
        total += approved
        if approved < size:
            break
    if total:
        logger.info("auto-approved submissions count=%s", total)
    return total


def _auto_approve_batch(*, now: datetime.datetime, size: int) -> int:
    """Approve up to `size` due submissions; returns how many were approved.

    A submission its company cannot pay for (escrow and balance both short) stays due and
    is tried again on the next run, once the company has topped up.
    """
    with transaction.atomic():
        due = list(
            Assignment.objects.select_for_update(skip_locked=True)
            .filter(status__in=Assignment.UNDECIDED, review_due_at__lte=now)
            .order_by("review_due_at", "pk")
            .values_list("pk", flat=True)[:size]
        )
        outcome = _approve_many(due, action=Action.AUTO_APPROVED, actor=None, now=now)
    for assignment_id, why in outcome.conflicts:
        logger.warning("auto-approval not paid assignment=%s: %s", assignment_id, why)
    return len(outcome.done)


# --- Dispute overturn (called by marketplace/disputes.py) ---------------------------------


def review_overturn(
    assignment_id: int, *, staff: User, note: str, now: datetime.datetime | None = None
) -> Assignment:
    """Approve a rejected submission after staff upheld the worker's dispute.

    The caller (disputes.dispute_resolve) checks that `staff` may resolve disputes.
    """
    return _decide(
        assignment_id,
        action=Action.DISPUTE_OVERTURNED,
        actor=staff,
        comment=note,
        now=now,
    )


def review_bonus(
    assignment_id: int,
    *,
    payer: User,
    amount_cents: int,
    reason: str,
    idempotency_key: str,
) -> LedgerTransaction:
    """Pay the worker of one of the company's answered submissions a bonus, with a reason.

    Owners and managers only (a reviewer: 403; another company's submission: 404). Paid
    from the company balance with the platform fee (payouts.earnings.bonus_post: 422 on a
    bad amount or no reason, 409 `insufficient_balance`), idempotent on `idempotency_key`
    (a form's nonce, an API client's key): the same key pays once. The worker is told.
    """
    membership = payer.company_membership if payer.is_authenticated else None
    if membership is None:
        raise _not_found()
    if membership.role not in (Membership.Role.OWNER, Membership.Role.MANAGER):
        raise LoopworkError("Only owners and managers pay bonuses.", code="forbidden", status=403)
    key = (idempotency_key or "").strip()
    if not key or len(key) > 100:
        raise LoopworkError(
            "Give an idempotency key of 1 to 100 characters.",
            code="invalid_idempotency_key",
            field="idempotency_key",
            status=422,
        )
    with transaction.atomic():
        assignment = (
            Assignment.objects.select_related("project", "worker")
            .filter(
                pk=assignment_id,
                project__company_id=membership.company_id,
                status__in=Assignment.ANSWERED,
            )
            .first()
        )
        if assignment is None:
            raise _not_found()
        full_key = f"assignment:{assignment.pk}:{key}"
        replay = LedgerTransaction.objects.filter(idempotency_key=f"bonus:{full_key}").exists()
        posted = bonus_post(
            company_id=membership.company_id,
            worker_id=assignment.worker_id,
            amount_cents=amount_cents,
            reason=reason,
            actor=payer,
            idempotency_key=full_key,
            project_id=assignment.project_id,
            project_title=assignment.project.title,
            link=earning_link(assignment),
        )
        if not replay:
            notify(
                assignment.worker,
                kind="bonus",
                title=f"You received a bonus: {assignment.project.title}",
                body=f"{format_money(amount_cents, assignment.project.currency)} for task "
                f"{assignment.pk}. {posted.description}",
                link=earning_link(assignment),
            )
    return posted


def review_reverse_fraud(
    assignment_id: int, *, staff: User, reason: str, now: datetime.datetime | None = None
) -> ReviewDecision:
    """Take back the pay of an approved submission found to be fraud, and reject it.

    The caller checks that `staff` may reverse payments. The money goes back to the company
    (payouts.earnings.approval_reverse: from the worker's pending, then available earnings,
    the rest owed on a receivable); the submission becomes rejected with the reason "fraud"
    (not open to dispute) and frees its place, so the item gets another worker's answer; an
    audit row records who and why, and the worker is told.
    Idempotent: a second reversal changes nothing and returns the first audit row. 409
    `not_approved` for a submission that is not approved; 422 without a reason.
    """
    now = now or timezone.now()
    reason = _clean_comment(reason, required=True)
    with transaction.atomic():
        assignment = (
            Assignment.objects.select_for_update(of=("self",))
            .select_related("project", "worker")
            .filter(pk=assignment_id)
            .first()
        )
        if assignment is None:
            raise _not_found()
        earlier = assignment.decisions.filter(action=Action.FRAUD_REVERSED).first()
        if earlier is not None:
            return earlier
        if assignment.status != Status.APPROVED:
            raise LoopworkError(
                "Only an approved submission's pay can be reversed.",
                code="not_approved",
                status=409,
            )
        approval_reverse(assignment_id=assignment.pk, reason=reason, actor=staff)
        fields = {
            "status": Status.REJECTED,
            "reject_reason": Assignment.RejectReason.FRAUD,
            "review_comment": reason,
            "reviewed_at": now,
            "reviewed_by": staff,
        }
        for name, value in fields.items():
            setattr(assignment, name, value)
        assignment.save(update_fields=[*fields, "updated_at"])
        # The answer no longer counts: another worker's answer replaces it.
        assignment_place_free(assignment=assignment, now=now)
        if not assignment.is_gold:
            transaction.on_commit(partial(_queue_result_refresh, assignment.item_id), robust=True)
        decision = ReviewDecision.objects.create(
            assignment=assignment,
            action=Action.FRAUD_REVERSED,
            actor=staff,
            comment=reason,
            evidence=_timing_snapshot(assignment),
            created_at=now,
        )
        notify(
            assignment.worker,
            kind="payment_reversed",
            title=f"Payment reversed: {assignment.project.title}",
            body=f"Task {assignment.pk}: the payment was reversed by Loopwork staff. "
            f"Reason: {reason}",
            link=earning_link(assignment),
        )
    logger.info("fraud reversal assignment=%s staff=%s", assignment_id, staff.pk)
    return decision


def review_record(
    assignment: Assignment,
    *,
    action: str,
    actor: User | None,
    comment: str = "",
    now: datetime.datetime | None = None,
) -> ReviewDecision:
    """Append an audit row that changes no status (a dispute opened, a dispute upheld)."""
    return ReviewDecision.objects.create(
        assignment=assignment,
        action=action,
        actor=actor,
        comment=comment,
        evidence=_timing_snapshot(assignment),
        created_at=now or timezone.now(),
    )


# --- Evidence -----------------------------------------------------------------------------


def _timing_snapshot(assignment: Assignment) -> dict:
    """What the submission itself says, without queries (for automatic approvals)."""
    return {
        "work_seconds": assignment.work_seconds,
        "is_too_fast": assignment.is_too_fast,
        "gold_score": assignment.gold_score,
        "agreement": assignment.agreement,
    }


def assignment_evidence(assignment: Assignment) -> dict:
    """What a decision on this submission rests on, for the company's eyes (and the audit).

    Keys:
    - `gold`: the worker's gold record in the project: `answered`, `failed` (counts),
      `accuracy` (percent or None) and `failed_items`, the latest failed ones (up to 10),
      each `{"item_id", "assignment_id", "answer", "expected", "score"}`. The expected
      answers are gold answers: never show this part to workers.
    - `agreement`: `{"value": 0..1 or None, "source": "aggregated" | "others" | None,
      "others": how many other answers the item has}`; "aggregated" is the agreement with
      the item's aggregated result, "others" the mean agreement with each other answer.
    - `timing`: `{"work_seconds", "median_seconds" (the project's answers),
      "min_work_seconds" (the project's minimum), "is_too_fast"}`.
    """
    project = assignment.project
    return {
        "gold": _gold_evidence(assignment, project),
        "agreement": _agreement_evidence(assignment, project),
        "timing": {
            "work_seconds": assignment.work_seconds,
            "median_seconds": _median_work_seconds(project),
            "min_work_seconds": project.min_work_seconds,
            "is_too_fast": assignment.is_too_fast,
        },
    }


def _gold_evidence(assignment: Assignment, project: Project) -> dict:
    answers = Assignment.objects.filter(
        project_id=project.pk,
        worker_id=assignment.worker_id,
        is_gold=True,
        status__in=Assignment.ANSWERED,
        gold_score__isnull=False,
    )
    scores = list(answers.values_list("gold_score", flat=True))
    failed = (
        answers.filter(gold_score__lt=1.0)
        .select_related("item")
        .only("pk", "answer", "gold_score", "item__id", "item__gold_answer")
        .order_by("-submitted_at", "-pk")[:EVIDENCE_FAILED_GOLD]
    )
    return {
        "answered": len(scores),
        "failed": sum(score < 1.0 for score in scores),
        "accuracy": round(100 * sum(scores) / len(scores), 1) if scores else None,
        "failed_items": [
            {
                "item_id": answer.item.pk,
                "assignment_id": answer.pk,
                "answer": answer.answer,
                "expected": answer.item.gold_answer,
                "score": answer.gold_score,
            }
            for answer in failed
        ],
    }


def _agreement_evidence(assignment: Assignment, project: Project) -> dict:
    others = list(
        Assignment.objects.filter(item_id=assignment.item_id, status__in=Assignment.ANSWERED)
        .exclude(pk=assignment.pk)
        .exclude(answer__isnull=True)
        .values_list("answer", flat=True)
    )
    if assignment.agreement is not None:
        return {"value": assignment.agreement, "source": "aggregated", "others": len(others)}
    if not others or not isinstance(assignment.answer, dict):
        return {"value": None, "source": None, "others": len(others)}
    interface = get_interface(project.interface)
    scores = [
        interface.agreement(assignment.answer, other, project.label_schema)
        for other in others
        if isinstance(other, dict)
    ]
    value = round(sum(scores) / len(scores), 3) if scores else None
    return {"value": value, "source": "others" if scores else None, "others": len(others)}


def _median_work_seconds(project: Project) -> float | None:
    timed = Assignment.objects.filter(
        project_id=project.pk, status__in=Assignment.ANSWERED, work_seconds__isnull=False
    )
    count = timed.count()
    if not count:
        return None
    ordered = timed.order_by("work_seconds").values_list("work_seconds", flat=True)
    middle = list(ordered[(count - 1) // 2 : count // 2 + 1])
    return statistics.fmean(middle)
