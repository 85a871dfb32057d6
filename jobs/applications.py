"""Applications to job listings: submit, withdraw, admit or decline, and the reads pages share.

A listing admits applicants one of two ways (`JobPage.admission`): on passing its test (at
once when it has none), or by the company's decision. Admission moves the application to
ACTIVE ("Admitted"), which is what opens the listing's projects to the worker
(marketplace/assignment.py checks it in every claim); withdrawing, being declined or the
listing closing ends that access to new tasks.

Every status change writes one ApplicationEvent (new status, actor, note, time) in the
same transaction, so an application's history is complete by construction, and tells the
people it concerns (accounts.notifications, sent after commit).
"""

import logging
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import formats

from accounts.models import Membership, User
from accounts.notifications import notify
from core.errors import LoopworkError

from .models import Application, ApplicationEvent, JobPage, ListingPay
from .qualification_selectors import worker_holds

logger = logging.getLogger(__name__)

MOTIVATION_MAX_LENGTH = 2000
NOTE_MAX_LENGTH = 500
BULK_MAX = 200
# Decisions a company's median decision time is taken over.
DECISION_SAMPLE = 50

# Statuses a company can still decide on; rejected and withdrawn ones are final,
# an accepted (active) one was already decided.
DECIDABLE = (
    Application.Status.SUBMITTED,
    Application.Status.TEST_REQUIRED,
    Application.Status.QUALIFIED,
)
CLOSED_FOR_WITHDRAWAL = (Application.Status.REJECTED, Application.Status.WITHDRAWN)

STATUS_BADGES = {
    Application.Status.SUBMITTED: "badge",
    Application.Status.TEST_REQUIRED: "badge-warn",
    Application.Status.QUALIFIED: "badge-ok",
    Application.Status.ACTIVE: "badge-ok",
    Application.Status.REJECTED: "badge-bad",
    Application.Status.WITHDRAWN: "badge-muted",
}


def status_badge_class(status: str) -> str:
    """The badge CSS class that shows an application status."""
    return STATUS_BADGES.get(status, "badge-muted")


def _record(*, application: Application, actor: User | None, note: str = "") -> ApplicationEvent:
    return ApplicationEvent.objects.create(
        application=application, status=application.status, actor=actor, note=note[:NOTE_MAX_LENGTH]
    )


def _refuse_unless_open(job: JobPage) -> None:
    if not job.live:
        raise LoopworkError("This listing is not published.", code="listing_not_live")
    if job.status == JobPage.Status.PAUSED:
        raise LoopworkError(
            "This listing is paused and is not taking applications right now.",
            code="listing_paused",
        )
    if job.status == JobPage.Status.CLOSED:
        raise LoopworkError("This listing is closed.", code="listing_closed")
    if job.is_past_deadline:
        raise LoopworkError(
            f"This listing closed on {formats.date_format(job.deadline, 'DATE_FORMAT')}.",
            code="listing_past_deadline",
        )


def _clean_motivation(motivation: str) -> str:
    text = (motivation or "").strip()
    if not text:
        raise LoopworkError(
            "Tell the company why you are a good fit.", code="motivation_empty", field="motivation"
        )
    if len(text) > MOTIVATION_MAX_LENGTH:
        raise LoopworkError(
            f"Keep it to {MOTIVATION_MAX_LENGTH} characters (you wrote {len(text)}).",
            code="motivation_too_long",
            field="motivation",
        )
    return text


def _initial_status(job: JobPage) -> tuple[str, str]:
    if job.qualification_test_id:
        return (
            Application.Status.TEST_REQUIRED,
            f"Take the qualification test “{job.qualification_test.title}” to continue.",
        )
    if job.admits_on_pass:
        return Application.Status.ACTIVE, "Admitted at once: this listing needs no test."
    return Application.Status.SUBMITTED, ""


@transaction.atomic
def application_submit(*, worker: User, job: JobPage, motivation: str) -> Application:
    """Apply `worker` to `job`.

    Guarantees: at most one application per worker and listing (a unique constraint
    backs it, and a lost race is refused like any duplicate); a withdrawn application
    is reopened in place rather than duplicated; the first status is TEST_REQUIRED when
    the listing names a qualification test (moved on at once when the worker already
    holds a valid grant of its qualification), else ACTIVE for a listing that admits on
    passing and SUBMITTED for one the company decides; event rows record it; the worker
    and the company's owners and managers are told. Refusals (LoopworkError) change nothing.
    """
    if not worker.is_worker:
        raise LoopworkError("Only worker accounts can apply to listings.", code="not_a_worker")
    if not EmailAddress.objects.filter(user=worker, primary=True, verified=True).exists():
        raise LoopworkError(
            "Verify your email address before you apply.", code="email_not_verified"
        )
    _refuse_unless_open(job)
    text = _clean_motivation(motivation)
    status, note = _initial_status(job)

    existing = Application.objects.select_for_update().filter(worker=worker, job=job).first()
    if existing is not None:
        if existing.status != Application.Status.WITHDRAWN:
            raise LoopworkError("You have already applied to this listing.", code="duplicate")
        existing.status = status
        existing.motivation = text
        existing.save(update_fields=["status", "motivation", "updated_at"])
        _record(application=existing, actor=worker, note=note or "Application reopened.")
        logger.info("application reopened id=%s job=%s", existing.pk, job.pk)
        return _announce(_qualified_if_already_passed(existing, job))

    try:
        with transaction.atomic():
            application = Application.objects.create(
                worker=worker, job=job, motivation=text, status=status
            )
    except IntegrityError as exc:
        # Another request by the same worker won the race to the unique constraint.
        raise LoopworkError("You have already applied to this listing.", code="duplicate") from exc
    _record(application=application, actor=worker, note=note)
    logger.info("application submitted id=%s job=%s", application.pk, job.pk)
    return _announce(_qualified_if_already_passed(application, job))


def _announce(application: Application) -> Application:
    """Tell the applicant their application arrived (and where it stands), and the company."""
    job = application.job
    step = application_next_step(application)
    if application.status == Application.Status.ACTIVE:
        application_admitted_notice(application)
    else:
        notify(
            application.worker,
            kind="application_received",
            title=f"Application received: {job.title}",
            body=f"{job.company.name} has your application. {step.text}",
            link=worker_application_link(application),
        )
    for manager in _managers(job.company_id):
        notify(
            manager,
            kind="new_applicant",
            title=f"New applicant: {job.title}",
            body=f"{application.worker.display_name} applied. Status: "
            f"{application.get_status_display()}.",
            link=reverse("company_jobs:application", kwargs={"application_id": application.pk}),
        )
    return application


def _managers(company_id: int) -> list[User]:
    return [
        membership.user
        for membership in Membership.objects.filter(
            company_id=company_id, role__in=(Membership.Role.OWNER, Membership.Role.MANAGER)
        ).select_related("user")
    ]


def worker_application_link(application: Application) -> str:
    return reverse("jobs_work:application", kwargs={"application_id": application.pk})


def application_admitted_notice(application: Application, *, by_company: bool = False) -> None:
    """Tell a worker they were admitted (by the company, or by the listing's own rule on
    passing or applying), and where their tasks are."""
    job = application.job
    who = (
        f"{job.company.name} admitted you."
        if by_company
        else f"“{job.title}” admits applicants who meet its test, and you do."
        if job.qualification_test_id
        else f"“{job.title}” admits every applicant at once."
    )
    notify(
        application.worker,
        kind="application_admitted",
        title=f"You are admitted: {job.title}",
        body=f"{who} {application_next_step(application).text}",
        link=worker_application_link(application),
    )


def applications_qualify(
    *, worker: User, qualification, already_held: bool = False
) -> list[Application]:
    """Move the worker's TEST_REQUIRED applications to listings whose test grants
    `qualification` on: to ACTIVE (admitted) where the listing admits on passing, to
    QUALIFIED where the company decides; an ApplicationEvent each (`already_held`: the
    worker applied holding the qualification, rather than just passing); returns those moved.

    Call it inside the transaction that created or renewed the grant (or after an
    application is submitted by a worker who already holds a valid grant). Admitted
    workers are told where their tasks are.
    """
    applications = list(
        Application.objects.select_for_update(of=("self",))
        .select_related("job", "job__company", "worker")
        .filter(
            worker=worker,
            status=Application.Status.TEST_REQUIRED,
            job__qualification_test__qualification=qualification,
        )
        .order_by("pk")
    )
    for application in applications:
        admitted = application.job.admits_on_pass
        application.status = Application.Status.ACTIVE if admitted else Application.Status.QUALIFIED
        application.save(update_fields=["status", "updated_at"])
        how = "Holds" if already_held else "Passed the qualification test for"
        ApplicationEvent.objects.create(
            application=application,
            status=application.status,
            actor=None,
            note=f"{how} “{qualification.name}”."
            + ((" Admitted on passing." if not already_held else " Admitted.") if admitted else ""),
        )
        if admitted:
            application_admitted_notice(application)
    return applications


def _qualified_if_already_passed(application: Application, job: JobPage) -> Application:
    """A worker who already holds the test's qualification moves on at once, as on passing."""
    if application.status != Application.Status.TEST_REQUIRED:
        return application
    qualification_id = job.qualification_test.qualification_id
    if worker_holds(worker=application.worker, qualification_id=qualification_id) is None:
        return application
    applications_qualify(
        worker=application.worker,
        qualification=job.qualification_test.qualification,
        already_held=True,
    )
    application.refresh_from_db()
    return application


@transaction.atomic
def application_withdraw(*, application: Application, worker: User) -> Application:
    """Withdraw the worker's own application.

    Guarantees: only its owner can withdraw; a rejected or withdrawn application is
    refused; one event row records the change.
    """
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.worker_id != worker.pk:
        raise LoopworkError("This is not your application.", code="not_owner", status=404)
    if locked.status in CLOSED_FOR_WITHDRAWAL:
        raise LoopworkError(
            f"This application is already {locked.get_status_display().lower()}.",
            code="not_withdrawable",
        )
    locked.status = Application.Status.WITHDRAWN
    locked.save(update_fields=["status", "updated_at"])
    _record(application=locked, actor=worker, note="Withdrawn by the applicant.")
    logger.info("application withdrawn id=%s", locked.pk)
    return locked


DECISIONS = ("admit", "decline")


def _clean_decision(decision: str, note: str) -> str:
    if decision not in DECISIONS:
        raise LoopworkError("Choose admit or decline.", code="bad_decision", field="decision")
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise LoopworkError(
            f"Keep the note to {NOTE_MAX_LENGTH} characters.", code="note_too_long", field="note"
        )
    if decision == "decline" and not note:
        raise LoopworkError(
            "Give the applicant a reason: they read it in their application's history.",
            code="reason_required",
            field="note",
        )
    return note


def _require_decider(actor: User, company_id: int) -> None:
    membership = Membership.objects.filter(user=actor, company_id=company_id).first()
    if membership is None or not membership.can_manage:
        raise LoopworkError(
            "Only an owner or manager of the company can decide on applications.",
            code="not_allowed",
            status=403,
        )


def _decide_locked(*, locked: Application, actor: User, decision: str, note: str) -> Application:
    if locked.status not in DECIDABLE:
        raise LoopworkError(
            f"This application is already {locked.get_status_display().lower()}.",
            code="already_decided",
        )
    admitted = decision == "admit"
    locked.status = Application.Status.ACTIVE if admitted else Application.Status.REJECTED
    locked.save(update_fields=["status", "updated_at"])
    _record(application=locked, actor=actor, note=note)
    if admitted:
        application_admitted_notice(locked, by_company=True)
    else:
        notify(
            locked.worker,
            kind="application_declined",
            title=f"Not selected: {locked.job.title}",
            body=f"{locked.job.company.name} did not select your application. Their reason: {note}",
            link=worker_application_link(locked),
        )
    logger.info("application decided id=%s decision=%s", locked.pk, decision)
    return locked


@transaction.atomic
def application_decide(
    *, application: Application, actor: User, decision: str, note: str = ""
) -> Application:
    """Admit (→ ACTIVE) or decline (→ REJECTED, with a reason the applicant reads) an
    application to the actor's company.

    Guarantees: only an owner or manager of the listing's company decides; the row is
    locked (SELECT ... FOR UPDATE) so two concurrent decisions give exactly one outcome
    and the second is refused; withdrawn, declined or already admitted ones are refused;
    the applicant is told, with the reason when declined.
    """
    note = _clean_decision(decision, note)
    locked = (
        Application.objects.select_for_update(of=("self",))
        .select_related("job", "job__company", "worker")
        .get(pk=application.pk)
    )
    _require_decider(actor, locked.job.company_id)
    return _decide_locked(locked=locked, actor=actor, decision=decision, note=note)


@dataclass
class BulkDecision:
    """What a bulk decision did: the ids decided, and (id, why not) for the others."""

    done: list[int] = field(default_factory=list)
    conflicts: list[tuple[int, str]] = field(default_factory=list)


def applications_decide_bulk(
    *, application_ids: Iterable, company, actor: User, decision: str, note: str = ""
) -> BulkDecision:
    """Admit or decline many applications to `company`'s listings, each on its own.

    Bad input (unknown decision, no reason to decline, no ids or more than BULK_MAX, ids
    that are not numbers) refuses the whole request. Otherwise an application that cannot
    be decided (another company's, already decided, withdrawn) is listed with why, and the
    others go ahead; rows are locked in id order, one short transaction each.
    """
    note = _clean_decision(decision, note)
    _require_decider(actor, company.pk)
    try:
        ids = sorted({int(pk) for pk in application_ids})
    except (TypeError, ValueError):
        raise LoopworkError(
            "Application ids must be whole numbers.", code="invalid_ids", field="ids"
        ) from None
    if not ids:
        raise LoopworkError("Select at least one application.", code="nothing_selected")
    if len(ids) > BULK_MAX:
        raise LoopworkError(f"Decide at most {BULK_MAX} applications at once.", code="too_many")
    outcome = BulkDecision()
    for application_id in ids:
        try:
            with transaction.atomic():
                locked = (
                    Application.objects.select_for_update(of=("self",))
                    .select_related("job", "job__company", "worker")
                    .filter(pk=application_id, job__company=company)
                    .first()
                )
                if locked is None:
                    raise LoopworkError("No such application.", code="not_found", status=404)
                _decide_locked(locked=locked, actor=actor, decision=decision, note=note)
        except LoopworkError as refusal:
            outcome.conflicts.append((application_id, refusal.message))
        else:
            outcome.done.append(application_id)
    return outcome


@dataclass(frozen=True)
class NextStep:
    """Where an application stands and what happens next: who acts, and the way to it (the
    test's own call to action, which knows about retakes, is shown beside a test step)."""

    title: str
    text: str
    action_label: str = ""
    action_url: str = ""
    start_tasks: bool = False


def company_decision_time_text(company_id: int) -> str:
    """How long the company takes to decide on an application, from its latest decisions."""
    decisions = _decision_durations(company_id)
    if not decisions:
        return "reviews each application; it has no record of decision times yet"
    hours = statistics.median(decisions)
    if hours < 24:
        return f"decides on applications within about {max(round(hours), 1)} hours"
    days = round(hours / 24)
    return f"decides on applications within about {days} day{'s' if days != 1 else ''}"


def _decision_durations(company_id: int) -> list[float]:
    """Hours from application to the company's decision, for its latest decisions."""
    rows = (
        ApplicationEvent.objects.filter(
            application__job__company_id=company_id,
            status__in=(Application.Status.ACTIVE, Application.Status.REJECTED),
            actor__isnull=False,
        )
        .order_by("-created_at")
        .values_list("created_at", "application__created_at", "actor_id", "application__worker_id")
    )[:DECISION_SAMPLE]
    return [
        (decided - applied).total_seconds() / 3600
        for decided, applied, actor_id, worker_id in rows
        if actor_id != worker_id
    ]


def _has_tasks(job: JobPage) -> bool:
    return ListingPay.objects.filter(listing_id=job.pk, project_count__gt=0).exists()


def application_next_step(application: Application) -> NextStep:
    """The way forward from where the application stands, in the applicant's words."""
    job = application.job
    company = job.company.name
    status = application.status
    if status == Application.Status.ACTIVE:
        if job.status == JobPage.Status.CLOSED or not job.live:
            return NextStep(
                "The listing has closed",
                f"{company} closed this listing, so its projects take no new tasks from you.",
            )
        if _has_tasks(job):
            return NextStep(
                "You are admitted",
                "You can start the listing's tasks now.",
                "Start tasks",
                reverse("work:listing_tasks", kwargs={"listing_id": job.pk}),
                start_tasks=True,
            )
        if job.pays_through_projects:
            return NextStep(
                "You are admitted",
                f"{company} has not opened the listing's tasks yet: we will tell you when it does.",
            )
        return NextStep(
            "You are admitted",
            f"This work happens outside Loopwork: {company} will contact you about next steps.",
        )
    if status == Application.Status.TEST_REQUIRED and job.qualification_test_id:
        return NextStep(
            "Next: the qualification test",
            f"Take “{job.qualification_test.title}”. "
            + (
                "Pass it and you are admitted at once."
                if job.admits_on_pass
                else f"Once you pass, {company} {company_decision_time_text(job.company_id)}."
            ),
        )
    if status in (Application.Status.SUBMITTED, Application.Status.QUALIFIED):
        passed = "You passed the test. " if status == Application.Status.QUALIFIED else ""
        return NextStep(
            f"Waiting for {company}",
            f"{passed}{company} {company_decision_time_text(job.company_id)}; you will hear "
            "by email and in your notifications.",
        )
    if status == Application.Status.REJECTED:
        reason = (
            application.events.filter(status=Application.Status.REJECTED)
            .exclude(note="")
            .values_list("note", flat=True)
            .last()
        )
        return NextStep(
            "Not selected",
            f"{company} did not select this application."
            + (f" Their reason: {reason}" if reason else ""),
        )
    if job.accepts_applications:
        return NextStep(
            "Withdrawn",
            "You withdrew this application. You can apply again while the listing is open.",
            "Apply again",
            job.url or "",
        )
    return NextStep("Withdrawn", "You withdrew this application.")


# --- Selectors ---------------------------------------------------------------------------


def applications_for_worker(*, worker: User) -> QuerySet[Application]:
    """The worker's own applications, newest first, with listing and company loaded."""
    return Application.objects.filter(worker=worker).select_related(
        "job", "job__company", "job__qualification_test"
    )


def applications_for_company(
    *, company, job_id: int | None = None, status: str | None = None
) -> QuerySet[Application]:
    """Applications to the company's listings, newest first, optionally filtered."""
    queryset = Application.objects.filter(job__company=company).select_related(
        "job", "worker", "worker__worker_profile"
    )
    if job_id:
        queryset = queryset.filter(job_id=job_id)
    if status:
        queryset = queryset.filter(status=status)
    return queryset
