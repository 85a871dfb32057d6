"""The worker's history under /work/history/: every submission with its decision and
earnings, and the worker's ways to answer a decision: revise, dispute, appeal a stop, and
rate the company.

Thin: review.py, disputes.py and ratings.py decide; history_selectors.py reads. Every
lookup is the worker's own; anyone else's id is a 404.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import Company
from annotation.forms import answer_from_post
from annotation.registry import get_interface
from core.access import worker_required
from core.errors import LoopworkError
from core.money import platform_currency

from . import history_selectors as selectors
from .disputes import dispute_open, stop_appeal
from .ratings import (
    companies_to_rate,
    company_rating_save,
    rated_company_ids,
    worker_may_rate,
    worker_rating,
)
from .review import revision_resubmit
from .review_forms import HistoryFilterForm, MessageForm, RatingForm
from .worker_selectors import evidence_summary

ROWS_PER_PAGE = 25


@worker_required
@require_GET
def history(request):
    """Every submission of the worker, newest first, with filters, totals and pagination."""
    worker = request.user
    projects = selectors.worker_history_projects(worker=worker)
    form = HistoryFilterForm(request.GET or None, projects=projects)
    status, project_id = "", None
    if form.is_bound and form.is_valid():
        status = form.cleaned_data["status"]
        project_id = form.cleaned_data["project"]
    submissions = selectors.worker_submissions(worker=worker, status=status, project_id=project_id)
    page = Paginator(submissions, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    query = urlencode(
        [(key, request.GET[key]) for key in ("status", "project") if request.GET.get(key)]
    )
    currency = projects[0].currency if projects else platform_currency()
    return render(
        request,
        "marketplace/history.html",
        {
            "filters": form,
            "filtered": bool(status or project_id),
            "query": query,
            "page_obj": page,
            "rows": selectors.history_rows(assignments=page.object_list),
            "totals": selectors.history_totals(submissions=submissions, currency=currency),
            "stops": selectors.worker_stops(worker=worker),
            "companies": companies_to_rate(worker=worker),
            "rated_ids": rated_company_ids(worker=worker),
        },
    )


def _own_submission(request, assignment_id: int):
    assignment = selectors.worker_submission(worker=request.user, assignment_id=assignment_id)
    if assignment is None:
        raise Http404("No such submission of yours.")
    return assignment


@worker_required
@require_http_methods(["GET", "POST"])
def history_dispute(request, assignment_id: int):
    """Dispute a rejection: a message to Loopwork staff, who decide."""
    assignment = _own_submission(request, assignment_id)
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            dispute_open(assignment.pk, worker=request.user, message=form.cleaned_data["message"])
        except LoopworkError as refusal:
            if refusal.status == 404:
                raise Http404(refusal.message) from refusal
            form.add_service_error(refusal)
        else:
            messages.success(request, "Dispute sent. We will tell you when staff have decided.")
            return redirect("work:history")
    row = selectors.history_rows(assignments=[assignment])[0]
    return render(
        request,
        "marketplace/history_dispute.html",
        {"row": row, "form": form},
        status=400 if form.errors else 200,
    )


@worker_required
@require_http_methods(["GET", "POST"])
def history_revise(request, assignment_id: int):
    """The task again with the worker's answer filled in and the reviewer's comment."""
    assignment = selectors.worker_revision(worker=request.user, assignment_id=assignment_id)
    if assignment is None:
        raise Http404("No submission of yours is waiting for a revision here.")
    project = assignment.project
    interface = get_interface(project.interface)
    answer = assignment.answer
    error = None
    if request.method == "POST":
        try:
            answer = answer_from_post(interface, project.label_schema, request.POST, "answer")
            revision_resubmit(assignment.pk, worker=request.user, answer=answer)
        except LoopworkError as refusal:
            if refusal.status == 404:
                raise Http404(refusal.message) from refusal
            error = refusal
        else:
            messages.success(request, "Revision sent: the company reviews it again.")
            return redirect("work:history")
    return render(
        request,
        "marketplace/history_revise.html",
        {"assignment": assignment, "project": project, "answer": answer, "error": error},
        status=error.status if error else 200,
    )


@worker_required
@require_http_methods(["GET", "POST"])
def stop_appeal_view(request, project_id: int):
    """Appeal a quality-control stop in a project: a message to Loopwork staff."""
    stop = selectors.worker_active_stop(worker=request.user, project_id=project_id)
    if stop is None:
        raise Http404("You are not stopped on this project.")
    form = MessageForm(request.POST or None)
    appeal = getattr(stop, "appeal", None)
    if request.method == "POST" and appeal is None and form.is_valid():
        try:
            stop_appeal(stop.pk, worker=request.user, message=form.cleaned_data["message"])
        except LoopworkError as refusal:
            if refusal.status == 404:
                raise Http404(refusal.message) from refusal
            form.add_service_error(refusal)
        else:
            messages.success(request, "Appeal sent. We will tell you when staff have decided.")
            return redirect("work:project", project_id=project_id)
    return render(
        request,
        "marketplace/history_appeal.html",
        {"stop": stop, "appeal": appeal, "form": form, "evidence": evidence_summary(stop.evidence)},
        status=400 if form.errors else 200,
    )


@worker_required
@require_http_methods(["GET", "POST"])
def company_rate(request, company_id: int):
    """Rate a company the worker has worked for; saving again edits the rating."""
    company = get_object_or_404(Company, pk=company_id)
    if not worker_may_rate(worker=request.user, company_id=company.pk):
        raise Http404("You can rate a company once you have done work for it.")
    existing = worker_rating(worker=request.user, company_id=company.pk)
    initial = {}
    if existing is not None:
        initial = {
            "clarity": existing.clarity,
            "fairness": existing.fairness,
            "review_speed": existing.review_speed,
            "comment": existing.comment,
        }
    form = RatingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            company_rating_save(worker=request.user, company_id=company.pk, **form.cleaned_data)
        except LoopworkError as refusal:
            form.add_service_error(refusal)
        else:
            messages.success(request, f"Thank you: your rating of {company.name} is saved.")
            return redirect(reverse("work:history"))
    return render(
        request,
        "marketplace/history_rate.html",
        {"company": company, "form": form, "existing": existing},
        status=400 if form.errors else 200,
    )
