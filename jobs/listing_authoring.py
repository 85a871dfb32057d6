"""Company listing authoring: drafts, review by staff through a Wagtail workflow, status changes.

A company never publishes. Its edits are saved as draft revisions of the JobPage; "submit
for review" starts the "Listing moderation" workflow, and a staff approval in the Wagtail
admin publishes the latest revision. Pausing, closing or reopening a live listing only
changes who may apply, so it applies at once by publishing a revision built from the live
content, and a pending draft stays pending.
"""

import html
import logging
import re
from dataclasses import dataclass, field
from datetime import date

import nh3
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from wagtail.models import (
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowState,
    WorkflowTask,
)

from accounts.models import Company, Country, Language, Membership, User
from core.categories import Category
from core.errors import LoopworkError
from core.money import format_money, platform_currency
from core.sanitize import sanitize_html

from .models import (
    MAX_HOURLY_PAY_CENTS,
    JobIndexPage,
    JobPage,
    ListingApprovalTask,
    QualificationTest,
)

logger = logging.getLogger(__name__)

MODERATORS_GROUP = "Moderators"
WORKFLOW_NAME = "Listing moderation"
TASK_NAME = "Staff approval"
MODERATOR_PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page")

TITLE_MAX_LENGTH = 120
SUMMARY_MAX_LENGTH = 280
DESCRIPTION_MAX_LENGTH = 20_000
MAX_OPENINGS = 100_000


@dataclass
class ListingInput:
    """What a company says about a listing, already parsed (pay in minor units)."""

    title: str
    category: str
    summary: str
    description: str
    pay_source: str
    hours_per_week: int
    experience_level: str
    openings: int
    hourly_pay_cents: int | None = None
    admission: str = JobPage.Admission.ON_PASS
    status: str = JobPage.Status.OPEN
    deadline: date | None = None
    qualification_test: QualificationTest | None = None
    eligible_countries: list[Country] = field(default_factory=list)
    required_languages: list[Language] = field(default_factory=list)


# --- Sanitising ---------------------------------------------------------------------------

_TAG = re.compile(r"<[a-zA-Z/!]")


def sanitize_listing_html(text: str) -> str:
    """Company text as safe HTML (core.sanitize: simple formatting and http(s) links only).

    Plain text (no tags) becomes paragraphs: a blank line starts a new one, a single
    line break is kept as <br>. Links get rel="noopener noreferrer".
    """
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        return ""
    if not _TAG.search(text):
        paragraphs = [part.strip() for part in re.split(r"\n\s*\n", text) if part.strip()]
        text = "".join(
            "<p>" + "<br>".join(html.escape(line) for line in part.split("\n")) + "</p>"
            for part in paragraphs
        )
    return sanitize_html(text)


# --- Moderation setup ----------------------------------------------------------------------


@transaction.atomic
def ensure_listing_moderation() -> Workflow:
    """Make sure listings under the job board go through the "Listing moderation" workflow.

    Idempotent: creates the Moderators group, the "Staff approval" task (a
    ListingApprovalTask, which approves only pay that may go live) and the workflow
    only when missing, links the workflow to the JobIndexPage when that page has no
    workflow of its own, and gives Moderators add/change/publish on the job board.
    A workflow staff linked there themselves is left alone.
    """
    group, _ = Group.objects.get_or_create(name=MODERATORS_GROUP)
    admin_access = Permission.objects.filter(
        content_type__app_label="wagtailadmin", codename="access_admin"
    ).first()
    if admin_access is not None:
        group.permissions.add(admin_access)
    workflow = Workflow.objects.filter(name=WORKFLOW_NAME).first()
    if workflow is None:
        workflow = Workflow.objects.create(name=WORKFLOW_NAME, active=True)
    task = ListingApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = ListingApprovalTask.objects.create(name=TASK_NAME)
        task.groups.set([group])
    if not WorkflowTask.objects.filter(workflow=workflow, task=task).exists():
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)

    index = JobIndexPage.objects.first()
    if index is not None:
        if not WorkflowPage.objects.filter(page=index).exists():
            WorkflowPage.objects.create(page=index, workflow=workflow)
        for codename in MODERATOR_PAGE_PERMISSIONS:
            permission = Permission.objects.get(
                content_type__app_label="wagtailcore", codename=codename
            )
            GroupPagePermission.objects.get_or_create(
                group=group, page=index, permission=permission
            )
    return workflow


# --- Validation ----------------------------------------------------------------------------


def _validate(*, data: ListingInput, company: Company) -> str:
    """Refuse bad input field by field; return the sanitised description."""
    if not data.title.strip():
        raise LoopworkError("Give the listing a title.", code="title_required", field="title")
    if len(data.title) > TITLE_MAX_LENGTH:
        raise LoopworkError(
            f"Keep the title to {TITLE_MAX_LENGTH} characters.", code="title_long", field="title"
        )
    if data.category not in Category.values:
        raise LoopworkError("Choose a category.", code="bad_category", field="category")
    if not data.summary.strip() or len(data.summary) > SUMMARY_MAX_LENGTH:
        raise LoopworkError(
            f"Write a summary of 1 to {SUMMARY_MAX_LENGTH} characters.",
            code="bad_summary",
            field="summary",
        )
    if len(data.description) > DESCRIPTION_MAX_LENGTH:
        raise LoopworkError(
            f"Keep the description to {DESCRIPTION_MAX_LENGTH:,} characters.",
            code="description_long",
            field="description",
        )
    description = sanitize_listing_html(data.description)
    if not nh3.clean(description, tags=set()).strip():
        raise LoopworkError("Describe the work.", code="description_required", field="description")
    _validate_pay(data)
    if data.admission not in JobPage.Admission.values:
        raise LoopworkError(
            "Choose how applicants are admitted.", code="bad_admission", field="admission"
        )
    if not 1 <= data.hours_per_week <= 60:
        raise LoopworkError(
            "Hours per week must be between 1 and 60.", code="bad_hours", field="hours_per_week"
        )
    if data.experience_level not in JobPage.Experience.values:
        raise LoopworkError(
            "Choose an experience level.", code="bad_experience", field="experience_level"
        )
    if not 1 <= data.openings <= MAX_OPENINGS:
        raise LoopworkError(
            f"Openings must be between 1 and {MAX_OPENINGS:,}.",
            code="bad_openings",
            field="openings",
        )
    if data.deadline is not None and data.deadline < timezone.localdate():
        raise LoopworkError(
            "The deadline cannot be in the past.", code="deadline_past", field="deadline"
        )
    if data.status not in JobPage.Status.values:
        raise LoopworkError("Choose a status.", code="bad_status", field="status")
    test = data.qualification_test
    if test is not None and test.company_id not in (None, company.pk):
        raise LoopworkError(
            "Choose a platform test or one of your company's tests.",
            code="foreign_test",
            field="qualification_test",
        )
    return description


def _validate_pay(data: ListingInput) -> None:
    if data.pay_source not in JobPage.PaySource.values:
        raise LoopworkError(
            "Choose how the work is paid.", code="bad_pay_source", field="pay_source"
        )
    if data.pay_source == JobPage.PaySource.PROJECTS:
        if data.hourly_pay_cents is not None:
            raise LoopworkError(
                "Task work is paid what its projects pay: leave the hourly pay empty.",
                code="pay_typed_for_tasks",
                field="hourly_pay",
            )
        return
    if data.hourly_pay_cents is None:
        raise LoopworkError(
            "Say what the work pays per hour.", code="hourly_pay_required", field="hourly_pay"
        )
    if not 1 <= data.hourly_pay_cents <= MAX_HOURLY_PAY_CENTS:
        raise LoopworkError(
            f"Pay must be between {format_money(1)} and {format_money(MAX_HOURLY_PAY_CENTS)}.",
            code="bad_pay",
            field="hourly_pay",
        )
    floor = settings.PAY_FLOOR_HOURLY_CENTS
    if data.hourly_pay_cents < floor:
        raise LoopworkError(
            f"Loopwork's pay floor is {format_money(floor)} an hour: offer at least that.",
            code="below_pay_floor",
            field="hourly_pay",
        )


def _require_manager(*, membership: Membership, page: JobPage | None = None) -> None:
    if not membership.can_manage:
        raise LoopworkError(
            "Only owners and managers can change listings.", code="not_allowed", status=403
        )
    if page is not None and page.company_id != membership.company_id:
        raise LoopworkError("Listing not found.", code="not_found", status=404)


def _apply(page: JobPage, data: ListingInput, description: str) -> None:
    page.title = data.title.strip()
    page.category = data.category
    page.summary = data.summary.strip()
    page.description = description
    page.pay_source = data.pay_source
    page.hourly_pay_cents = data.hourly_pay_cents
    page.currency = platform_currency()
    page.admission = data.admission
    page.hours_per_week = data.hours_per_week
    page.experience_level = data.experience_level
    page.openings = data.openings
    page.deadline = data.deadline
    page.status = data.status
    page.qualification_test = data.qualification_test
    page.eligible_countries.set(data.eligible_countries)
    page.required_languages.set(data.required_languages)


def _unique_slug(index: Page, title: str) -> str:
    base = slugify(title)[:60].strip("-") or "listing"
    siblings = set(index.get_children().values_list("slug", flat=True))
    slug, n = base, 2
    while slug in siblings:
        slug = f"{base}-{n}"
        n += 1
    return slug


def _locked(page: JobPage) -> JobPage:
    """The page re-read under a row lock on its base Page row."""
    Page.objects.select_for_update().filter(pk=page.pk).first()
    return JobPage.objects.get(pk=page.pk)


def _refusal(exc: ValidationError) -> LoopworkError:
    name, messages = next(iter(exc.message_dict.items()))
    field = {"hourly_pay_cents": "hourly_pay"}.get(name, name)
    return LoopworkError(
        " ".join(messages), code="invalid", field=None if field == "__all__" else field
    )


def _full_clean_or_refuse(page: JobPage) -> None:
    try:
        page.full_clean()
    except ValidationError as exc:
        raise _refusal(exc) from exc


# --- Services -----------------------------------------------------------------------------


@transaction.atomic
def listing_create(*, membership: Membership, user: User, data: ListingInput) -> JobPage:
    """Create a listing of the member's company as an unpublished draft under the job board.

    Guarantees: the page is never live on creation; its first revision is a draft by `user`;
    bad input is refused field by field and nothing is saved.
    """
    _require_manager(membership=membership)
    description = _validate(data=data, company=membership.company)
    index = JobIndexPage.objects.first()
    if index is None:
        raise LoopworkError("The job board is not set up yet.", code="no_job_board", status=503)
    page = JobPage(company=membership.company, live=False, owner=user)
    _apply(page, data, description)
    page.slug = _unique_slug(index, page.title)
    try:
        # add_child places the page in the tree, then validates it in full before saving.
        index.add_child(instance=page)
    except ValidationError as exc:
        raise _refusal(exc) from exc
    page.save_revision(user=user, log_action=True)
    logger.info("listing created page=%s company=%s", page.pk, membership.company_id)
    return page


@transaction.atomic
def listing_update(
    *, page: JobPage, membership: Membership, user: User, data: ListingInput
) -> JobPage:
    """Save new content for a listing as a draft revision.

    Guarantees: a live listing keeps its live content until staff approve the draft; a
    listing in review cannot be edited (the reviewed revision is what gets published).
    """
    _require_manager(membership=membership, page=page)
    description = _validate(data=data, company=membership.company)
    page = _locked(page)
    if page.workflow_in_progress:
        raise LoopworkError(
            "This listing is in review. Wait for the moderation before editing it.",
            code="in_review",
        )
    draft = page.get_latest_revision_as_object()
    _apply(draft, data, description)
    _full_clean_or_refuse(draft)
    if not draft.live:
        # Nothing is public yet, so the page row may follow the draft.
        draft.save(clean=False)
    draft.save_revision(user=user, log_action=True)
    logger.info("listing draft saved page=%s", page.pk)
    return draft


@transaction.atomic
def listing_submit_for_review(
    *, page: JobPage, membership: Membership, user: User
) -> WorkflowState:
    """Send the listing's latest draft to staff through the "Listing moderation" workflow.

    Guarantees: at most one workflow in progress per listing; a listing whose changes were
    requested is resubmitted on the same workflow; a live listing with no draft changes
    is refused (there is nothing to review).
    """
    _require_manager(membership=membership, page=page)
    ensure_listing_moderation()
    page = _locked(page)
    state = page.current_workflow_state
    if state is not None and state.status == WorkflowState.STATUS_IN_PROGRESS:
        raise LoopworkError("This listing is already in review.", code="in_review")
    if page.live and not page.has_unpublished_changes:
        raise LoopworkError(
            "The live listing has no changes to review. Edit it first.", code="nothing_to_review"
        )
    problem = page.get_latest_revision_as_object().pay_problem()
    if problem is not None:
        raise problem
    if state is not None and state.status == WorkflowState.STATUS_NEEDS_CHANGES:
        state.resume(user=user)
        state.refresh_from_db()
        return state
    workflow = page.get_workflow()
    if workflow is None:
        raise LoopworkError(
            "Listing review is not available right now.", code="no_workflow", status=503
        )
    state = workflow.start(page, user)
    logger.info("listing submitted for review page=%s state=%s", page.pk, state.pk)
    return state


def _publish_status(*, page: JobPage, status: str, user: User | None) -> JobPage:
    """Publish a revision of the live content with a new status, keeping a pending draft."""
    pending = page.get_latest_revision() if page.has_unpublished_changes else None
    page.status = status
    revision = page.save_revision(user=user, log_action=True, clean=False)
    revision.publish(user=user, skip_permission_checks=True)
    if pending is not None:
        fresh = JobPage.objects.get(pk=page.pk)
        draft = fresh.with_content_json(pending.content)
        draft.status = status
        draft.save_revision(user=user, clean=False)
    return JobPage.objects.get(pk=page.pk)


@transaction.atomic
def listing_set_status(
    *, page: JobPage, membership: Membership, user: User, status: str
) -> JobPage:
    """Open, pause or close a listing.

    Guarantees: for a live listing it applies at once (published without review, since
    it only changes who may apply) and a pending draft stays an unpublished draft; it is
    refused while the listing is in review; for a draft it is saved in the draft.
    """
    _require_manager(membership=membership, page=page)
    if status not in JobPage.Status.values:
        raise LoopworkError("Choose open, paused or closed.", code="bad_status", field="status")
    page = _locked(page)
    if page.workflow_in_progress:
        raise LoopworkError(
            "This listing is in review. Wait for the moderation to finish, then change its status.",
            code="in_review",
        )
    if not page.live:
        draft = page.get_latest_revision_as_object()
        draft.status = status
        draft.save(clean=False)
        draft.save_revision(user=user, clean=False)
        return draft
    if page.status == status:
        return page
    updated = _publish_status(page=page, status=status, user=user)
    logger.info("listing status page=%s status=%s", page.pk, status)
    return updated


def listings_past_deadline():
    """Live listings whose deadline has passed and that are not closed yet."""
    return (
        JobPage.objects.live()
        .filter(deadline__lt=timezone.localdate())
        .exclude(status=JobPage.Status.CLOSED)
    )


def listing_close_past_deadline() -> int:
    """Close every live listing whose deadline passed; return how many were closed.

    Idempotent: a closed listing is never touched again. Listings in review are skipped
    (applications are refused past the deadline anyway) and closed on a later run.
    """
    closed = 0
    for candidate in listings_past_deadline().values_list("pk", flat=True):
        with transaction.atomic():
            page = _locked(JobPage(pk=candidate))
            if page.status == JobPage.Status.CLOSED or not page.is_past_deadline:
                continue
            if page.workflow_in_progress:
                continue
            _publish_status(page=page, status=JobPage.Status.CLOSED, user=None)
            closed += 1
            logger.info("listing closed past deadline page=%s", page.pk)
    return closed


# --- Selectors ----------------------------------------------------------------------------


@dataclass
class ListingRow:
    """One of a company's listings as the company sees it."""

    page: JobPage
    draft: JobPage
    state: str  # draft | in_review | changes_requested | live
    state_label: str
    state_badge: str
    has_pending_draft: bool
    status: str
    status_label: str
    review_comment: str = ""


STATE_LABELS = {
    "draft": ("Draft", "badge-muted"),
    "in_review": ("In review", "badge-warn"),
    "changes_requested": ("Changes requested", "badge-bad"),
    "live": ("Live", "badge-ok"),
}


def _state(page: JobPage, workflow_state: WorkflowState | None) -> str:
    if workflow_state is not None and workflow_state.status == WorkflowState.STATUS_IN_PROGRESS:
        return "in_review"
    if workflow_state is not None and workflow_state.status == WorkflowState.STATUS_NEEDS_CHANGES:
        return "changes_requested"
    return "live" if page.live else "draft"


def listing_state(page: JobPage) -> str:
    """Where the listing is in moderation: draft, in_review, changes_requested or live.

    Reads `page.current_workflow_state`: one query, none when the pages were read with
    `prefetch_workflow_states()` (as a list of listings should be).
    """
    return _state(page, page.current_workflow_state)


def listing_row(page: JobPage) -> ListingRow:
    """The company's view of one listing: its moderation state and status."""
    draft = page.get_latest_revision_as_object() if page.has_unpublished_changes else page
    workflow_state = page.current_workflow_state
    state = _state(page, workflow_state)
    comment = ""
    if state == "changes_requested":
        task_state = workflow_state.current_task_state
        comment = (task_state.comment if task_state is not None else "") or ""
    label, badge = STATE_LABELS[state]
    shown = page if page.live else draft
    return ListingRow(
        page=page,
        draft=draft,
        state=state,
        state_label=label,
        state_badge=badge,
        has_pending_draft=page.live and page.has_unpublished_changes,
        status=shown.status,
        status_label=shown.get_status_display(),
        review_comment=comment,
    )


def listings_for_company(*, company: Company) -> list[ListingRow]:
    """Every listing of the company, most recently edited first."""
    pages = JobPage.objects.filter(company=company).order_by("-latest_revision_created_at", "-pk")
    return [listing_row(page) for page in pages]
