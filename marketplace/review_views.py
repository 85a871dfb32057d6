"""The company's review pages: a project's submissions, one submission, and the decisions.

Thin: marketplace/review.py decides (who may, whether it is still undecided, what is
recorded); review_selectors.py reads. Every role of the company may review; another
company's project or submission is a 404.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from annotation.registry import get_interface
from core.access import company_role_required
from core.errors import LoopworkError

from .models import Assignment, Project
from .review import (
    assignment_evidence,
    review_approve,
    review_bonus,
    review_bulk,
    review_reject,
    review_request_revision,
)
from .review_forms import (
    BonusForm,
    BulkReviewForm,
    RejectForm,
    RevisionForm,
    SubmissionFilterForm,
)
from .review_selectors import (
    evidence_display,
    project_submission,
    project_submissions,
    submission_counts,
    submission_history,
    submission_rows,
)
from .selectors import worker_pseudonym

REVIEWERS = ("owner", "manager", "reviewer")
ROWS_PER_PAGE = 50
FILTER_KEYS = ("worker", "item", "status", "gold", "agreement", "too_fast")


def _project(request, project_id: int) -> Project:
    return get_object_or_404(Project, pk=project_id, company=request.membership.company)


def _submission(request, project: Project, assignment_id: int) -> Assignment:
    assignment = project_submission(project=project, assignment_id=assignment_id)
    if assignment is None:
        raise Http404("No such submission in this project.")
    return assignment


def _header_context(request, project: Project) -> dict:
    return {
        "project": project,
        "tab": "review",
        "can_manage": request.membership.can_manage,
        "is_final": project.status in (Project.Status.COMPLETED, Project.Status.CANCELLED),
    }


def _list_query(params) -> str:
    """The list's filters and page as a query string, to come back to after a decision."""
    pairs = [(key, params[key]) for key in (*FILTER_KEYS, "page") if params.get(key)]
    return urlencode(pairs)


def _back_to_list(project: Project, query: str):
    url = reverse("company_projects:review", kwargs={"project_id": project.pk})
    return redirect(f"{url}?{query}" if query else url)


def _list_page(request, project: Project, *, bulk_form=None, status=200):
    filter_form = SubmissionFilterForm(request.GET or None)
    filters = filter_form.to_filters()
    page = Paginator(project_submissions(project=project, filters=filters), ROWS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    query = _list_query(request.GET)
    filter_query = urlencode(
        [(key, request.GET[key]) for key in FILTER_KEYS if request.GET.get(key)]
    )
    return render(
        request,
        "marketplace/company/review.html",
        {
            **_header_context(request, project),
            "filters": filter_form,
            "filtered": bool(filter_query),
            "query": filter_query,
            "back_query": query,
            "page_obj": page,
            "rows": submission_rows(project=project, assignments=page.object_list),
            "counts": submission_counts(project=project),
            "bulk_form": bulk_form or BulkReviewForm(),
            "reject_reasons": Assignment.REVIEWER_REASONS,
        },
        status=status,
    )


@company_role_required(*REVIEWERS)
@require_GET
def review_list(request, project_id: int):
    """The project's submissions with filters, paginated, with bulk approve and reject."""
    return _list_page(request, _project(request, project_id))


def _report_conflict(request, refusal: LoopworkError) -> None:
    if refusal.status == 404:
        raise Http404(refusal.message) from refusal
    messages.error(request, refusal.message)


@company_role_required(*REVIEWERS)
@require_POST
def review_bulk_view(request, project_id: int):
    """Approve or reject the checked submissions; each already decided one is reported."""
    project = _project(request, project_id)
    query = request.POST.get("back", "")
    form = BulkReviewForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _back_to_list(project, _list_query_from(query))
    ids = form.cleaned_data["assignment"]
    # Only this project's submissions: ids of other projects are reported as not found.
    own = set(Assignment.objects.filter(project=project, pk__in=ids).values_list("pk", flat=True))
    try:
        outcome = review_bulk(
            sorted(own),
            reviewer=request.user,
            action=form.cleaned_data["action"],
            reason=form.cleaned_data["reason"],
            comment=form.cleaned_data["comment"],
        )
    except LoopworkError as refusal:
        _report_conflict(request, refusal)
        return _back_to_list(project, _list_query_from(query))
    verb = "Approved" if form.cleaned_data["action"] == "approve" else "Rejected"
    if outcome.done:
        count = len(outcome.done)
        messages.success(request, f"{verb} {count} submission{'s' if count != 1 else ''}.")
    for assignment_id, message in outcome.conflicts:
        messages.warning(request, f"Submission #{assignment_id}: {message}")
    for assignment_id in sorted(set(ids) - own):
        messages.warning(request, f"Submission #{assignment_id}: not found in this project.")
    return _back_to_list(project, _list_query_from(query))


def _list_query_from(raw: str) -> str:
    """The list's query string posted back by the form, keeping only the list's own keys."""
    return _list_query(QueryDict(raw))


def _detail_page(
    request,
    project,
    assignment,
    *,
    reject_form=None,
    revision_form=None,
    bonus_form=None,
    status=200,
):
    interface = get_interface(project.interface)
    answer = assignment.answer if isinstance(assignment.answer, dict) else {}
    return render(
        request,
        "marketplace/company/review_detail.html",
        {
            **_header_context(request, project),
            "assignment": assignment,
            "worker": worker_pseudonym(
                company_id=project.company_id, worker_id=assignment.worker_id
            ),
            "answer_text": interface.describe_answer(answer, project.label_schema),
            "interface": interface,
            "evidence": evidence_display(evidence=assignment_evidence(assignment), project=project),
            "history": submission_history(
                assignment=assignment, viewer_company_id=project.company_id
            ),
            "dispute": getattr(assignment, "dispute", None),
            "reject_form": reject_form or RejectForm(),
            "revision_form": revision_form or RevisionForm(),
            "bonus_form": bonus_form or BonusForm(currency=project.currency),
            "can_pay_bonus": request.membership.can_manage
            and assignment.status in Assignment.ANSWERED,
            "can_decide": assignment.status == Assignment.Status.SUBMITTED,
            "can_request_revision": assignment.status == Assignment.Status.SUBMITTED
            and assignment.revision_count == 0,
            "back_query": _list_query(request.GET),
        },
        status=status,
    )


@company_role_required(*REVIEWERS)
@require_GET
def review_detail(request, project_id: int, assignment_id: int):
    """One submission: the item and the answer, the evidence, and the audit history."""
    project = _project(request, project_id)
    return _detail_page(request, project, _submission(request, project, assignment_id))


def _after_decision(request, project, assignment, message: str):
    messages.success(request, message)
    return redirect(
        "company_projects:review_detail", project_id=project.pk, assignment_id=assignment.pk
    )


@company_role_required(*REVIEWERS)
@require_POST
def review_approve_view(request, project_id: int, assignment_id: int):
    project = _project(request, project_id)
    assignment = _submission(request, project, assignment_id)
    try:
        review_approve(assignment.pk, reviewer=request.user)
    except LoopworkError as refusal:
        _report_conflict(request, refusal)
        return redirect(
            "company_projects:review_detail", project_id=project.pk, assignment_id=assignment.pk
        )
    if request.POST.get("from") == "list":
        messages.success(request, f"Submission #{assignment.pk} approved.")
        return _back_to_list(project, _list_query_from(request.POST.get("back", "")))
    return _after_decision(request, project, assignment, "Approved.")


@company_role_required(*REVIEWERS)
@require_POST
def review_reject_view(request, project_id: int, assignment_id: int):
    project = _project(request, project_id)
    assignment = _submission(request, project, assignment_id)
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            review_reject(
                assignment.pk,
                reviewer=request.user,
                reason=form.cleaned_data["reason"],
                comment=form.cleaned_data["comment"],
            )
        except LoopworkError as refusal:
            if refusal.code == "already_decided" or refusal.status == 404:
                _report_conflict(request, refusal)
                return redirect(
                    "company_projects:review_detail",
                    project_id=project.pk,
                    assignment_id=assignment.pk,
                )
            form.add_service_error(refusal)
        else:
            return _after_decision(
                request, project, assignment, "Rejected. The worker is told why."
            )
    return _detail_page(request, project, assignment, reject_form=form, status=400)


@company_role_required(*REVIEWERS)
@require_POST
def review_revision_view(request, project_id: int, assignment_id: int):
    project = _project(request, project_id)
    assignment = _submission(request, project, assignment_id)
    form = RevisionForm(request.POST)
    if form.is_valid():
        try:
            review_request_revision(
                assignment.pk, reviewer=request.user, comment=form.cleaned_data["comment"]
            )
        except LoopworkError as refusal:
            if refusal.field != "comment":
                _report_conflict(request, refusal)
                return redirect(
                    "company_projects:review_detail",
                    project_id=project.pk,
                    assignment_id=assignment.pk,
                )
            form.add_service_error(refusal)
        else:
            return _after_decision(
                request, project, assignment, "Returned to the worker with your comment."
            )
    return _detail_page(request, project, assignment, revision_form=form, status=400)


@company_role_required("owner", "manager")
@require_POST
def review_bonus_view(request, project_id: int, assignment_id: int):
    """Pay the submission's worker a bonus with a reason (owners and managers)."""
    project = _project(request, project_id)
    assignment = _submission(request, project, assignment_id)
    form = BonusForm(request.POST, currency=project.currency)
    if form.is_valid():
        try:
            review_bonus(
                assignment.pk,
                payer=request.user,
                amount_cents=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
                idempotency_key=form.cleaned_data["nonce"],
            )
        except LoopworkError as refusal:
            form.add_service_error(refusal)
        else:
            return _after_decision(
                request, project, assignment, "Bonus paid. The worker is told why."
            )
    return _detail_page(request, project, assignment, bonus_form=form, status=400)
