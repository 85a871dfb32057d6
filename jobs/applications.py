"""Applications to job listings: submit, withdraw, decide, and the reads pages share.

Every status change writes one ApplicationEvent (new status, actor, note, time) in the
same transaction, so an application's history is complete by construction.
"""

import logging

from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.utils import formats

from accounts.models import Membership, User
from core.errors import LoopworkError

from .models import Application, ApplicationEvent, JobPage
from .qualification import applications_qualify, worker_holds

logger = logging.getLogger(__name__)

MOTIVATION_MAX_LENGTH = 2000
NOTE_MAX_LENGTH = 500

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
    return Application.Status.SUBMITTED, ""


@transaction.atomic
def application_submit(*, worker: User, job: JobPage, motivation: str) -> Application:
    """Apply `worker` to `job`.

    Guarantees: at most one application per worker and listing (a unique constraint
    backs it, and a lost race is refused like any duplicate); a withdrawn application
    is reopened in place rather than duplicated; the first status is TEST_REQUIRED when
    the listing names a qualification test (QUALIFIED at once when the worker already
    holds a valid grant of its qualification), else SUBMITTED; event rows record it.
    Refusals (LoopworkError) change nothing.
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
        return _qualified_if_already_passed(existing, job)

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
    return _qualified_if_already_passed(application, job)


def _qualified_if_already_passed(application: Application, job: JobPage) -> Application:
    """A worker who already holds the test's qualification skips straight to QUALIFIED."""
    if application.status != Application.Status.TEST_REQUIRED:
        return application
    qualification_id = job.qualification_test.qualification_id
    if worker_holds(worker=application.worker, qualification_id=qualification_id) is None:
        return application
    applications_qualify(
        worker=application.worker, qualification=job.qualification_test.qualification
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


@transaction.atomic
def application_decide(
    *, application: Application, actor: User, decision: str, note: str = ""
) -> Application:
    """Accept (→ ACTIVE) or reject (→ REJECTED) an application to the actor's company.

    Guarantees: only an owner or manager of the listing's company decides; the row is
    locked (SELECT ... FOR UPDATE) so two concurrent decisions give exactly one outcome
    and the second is refused; withdrawn, rejected or already accepted ones are refused.
    """
    if decision not in ("accept", "reject"):
        raise LoopworkError("Choose accept or reject.", code="bad_decision", field="decision")
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise LoopworkError(
            f"Keep the note to {NOTE_MAX_LENGTH} characters.", code="note_too_long", field="note"
        )
    locked = (
        Application.objects.select_for_update(of=("self",))
        .select_related("job")
        .get(pk=application.pk)
    )
    membership = Membership.objects.filter(user=actor, company_id=locked.job.company_id).first()
    if membership is None or not membership.can_manage:
        raise LoopworkError(
            "Only an owner or manager of the company can decide on applications.",
            code="not_allowed",
            status=403,
        )
    if locked.status not in DECIDABLE:
        raise LoopworkError(
            f"This application is already {locked.get_status_display().lower()}.",
            code="already_decided",
        )
    locked.status = (
        Application.Status.ACTIVE if decision == "accept" else Application.Status.REJECTED
    )
    locked.save(update_fields=["status", "updated_at"])
    _record(application=locked, actor=actor, note=note)
    logger.info("application decided id=%s decision=%s", locked.pk, decision)
    return locked


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


def application_counts_for_company(*, company) -> dict[str, int]:
    """Number of applications to the company's listings by status (every status present)."""
    counts = dict.fromkeys(Application.Status.values, 0)
    rows = (
        Application.objects.filter(job__company=company)
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        counts[row["status"]] = row["n"]
    return counts
