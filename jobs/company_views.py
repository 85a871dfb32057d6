"""The company workspace: listings and applications, scoped to request.membership."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.access import company_role_required
from core.errors import LoopworkError

from .applications import (
    DECIDABLE,
    application_decide,
    applications_decide_bulk,
    applications_for_company,
)
from .forms import (
    ApplicationFilterForm,
    BulkDecisionForm,
    DecisionForm,
    ListingForm,
    ListingStatusForm,
)
from .listing_authoring import (
    listing_create,
    listing_row,
    listing_set_status,
    listing_submit_for_review,
    listing_update,
    listings_for_company,
)
from .models import Application, JobPage

ALL_ROLES = ("owner", "manager", "reviewer")
MANAGERS = ("owner", "manager")


def _listing(request, listing_id: int) -> JobPage:
    return get_object_or_404(JobPage, pk=listing_id, company=request.membership.company)


def _form_error(form, error: LoopworkError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


@company_role_required(*ALL_ROLES)
def listings(request):
    return render(
        request,
        "jobs/company/listings.html",
        {
            "rows": listings_for_company(company=request.membership.company),
            "can_manage": request.membership.can_manage,
        },
    )


@company_role_required(*MANAGERS)
def listing_new(request):
    form = ListingForm(request.POST or None, company=request.membership.company)
    if request.method == "POST" and form.is_valid():
        try:
            page = listing_create(
                membership=request.membership, user=request.user, data=form.to_input()
            )
        except LoopworkError as error:
            _form_error(form, error)
        else:
            messages.success(
                request,
                "Draft saved. Submit it for review when it is ready: staff check every "
                "listing before it goes live.",
            )
            return redirect("company_jobs:listing_edit", listing_id=page.pk)
    return render(request, "jobs/company/listing_form.html", {"form": form, "row": None})


@company_role_required(*MANAGERS)
def listing_edit(request, listing_id: int):
    page = _listing(request, listing_id)
    row = listing_row(page)
    company = request.membership.company
    if request.method == "POST":
        form = ListingForm(request.POST, company=company)
        if form.is_valid():
            try:
                listing_update(
                    page=page,
                    membership=request.membership,
                    user=request.user,
                    data=form.to_input(),
                )
            except LoopworkError as error:
                _form_error(form, error)
            else:
                if page.live:
                    messages.success(
                        request,
                        "Changes saved as a draft. The live listing stays as it is until "
                        "staff approve the changes.",
                    )
                else:
                    messages.success(request, "Draft saved.")
                return redirect("company_jobs:listing_edit", listing_id=page.pk)
    else:
        form = ListingForm(initial=ListingForm.initial_from(row.draft), company=company)
    return render(
        request,
        "jobs/company/listing_form.html",
        {
            "form": form,
            "row": row,
            "pay": page.project_pay,
            "status_form": ListingStatusForm(initial={"status": row.status}),
        },
    )


@company_role_required(*MANAGERS)
@require_POST
def listing_submit(request, listing_id: int):
    page = _listing(request, listing_id)
    try:
        listing_submit_for_review(page=page, membership=request.membership, user=request.user)
    except LoopworkError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, "Submitted for review. Staff usually review listings within one working day."
        )
    return redirect("company_jobs:listing_edit", listing_id=page.pk)


@company_role_required(*MANAGERS)
@require_POST
def listing_status(request, listing_id: int):
    page = _listing(request, listing_id)
    form = ListingStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose open, paused or closed.")
        return redirect("company_jobs:listing_edit", listing_id=page.pk)
    status = form.cleaned_data["status"]
    try:
        updated = listing_set_status(
            page=page, membership=request.membership, user=request.user, status=status
        )
    except LoopworkError as error:
        messages.error(request, error.message)
    else:
        label = JobPage.Status(status).label.lower()
        if updated.live:
            messages.success(request, f"The listing is now {label}. This applies right away.")
        else:
            messages.success(request, f"The draft's status is now {label}.")
    return redirect("company_jobs:listing_edit", listing_id=page.pk)


@company_role_required(*ALL_ROLES)
def applications(request):
    company = request.membership.company
    filters = ApplicationFilterForm(request.GET or None, company=company)
    job_id = status = None
    if filters.is_valid():
        listing = filters.cleaned_data.get("listing")
        job_id = listing.pk if listing else None
        status = filters.cleaned_data.get("status") or None
    page = Paginator(
        applications_for_company(company=company, job_id=job_id, status=status), 25
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    can_decide = request.membership.can_manage
    return render(
        request,
        "jobs/company/applications.html",
        {
            "filters": filters,
            "page_obj": page,
            "query": query.urlencode(),
            "filtered": bool(job_id or status),
            "can_decide": can_decide,
            "decidable": DECIDABLE,
            "bulk_form": BulkDecisionForm() if can_decide else None,
        },
    )


@company_role_required(*MANAGERS)
@require_POST
def applications_decide_view(request):
    """Admit or decline the ticked applications; each is decided on its own."""
    company = request.membership.company
    ids = request.POST.getlist("ids")
    form = BulkDecisionForm(request.POST, decidable_ids=[pk for pk in ids if pk.isdigit()])
    back = reverse("company_jobs:applications") + (
        f"?{request.POST['query']}" if request.POST.get("query") else ""
    )
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(back)
    try:
        outcome = applications_decide_bulk(
            application_ids=form.cleaned_data["ids"],
            company=company,
            actor=request.user,
            decision=form.cleaned_data["decision"],
            note=form.cleaned_data["note"],
        )
    except LoopworkError as error:
        messages.error(request, error.message)
        return redirect(back)
    verb = "Admitted" if form.cleaned_data["decision"] == "admit" else "Declined"
    if outcome.done:
        messages.success(request, f"{verb} {len(outcome.done)} applicant(s); each is told.")
    for application_id, why in outcome.conflicts:
        messages.warning(request, f"Application {application_id}: {why}")
    return redirect(back)


@company_role_required(*ALL_ROLES)
def application_detail(request, application_id: int):
    application = get_object_or_404(
        applications_for_company(company=request.membership.company), pk=application_id
    )
    profile = getattr(application.worker, "worker_profile", None)
    return render(
        request,
        "jobs/company/application_detail.html",
        {
            "application": application,
            "profile": profile,
            "languages": list(profile.languages.all()) if profile else [],
            "events": application.events.select_related("actor"),
            "can_decide": request.membership.can_manage and application.status in DECIDABLE,
            "decision_form": DecisionForm(),
        },
    )


@company_role_required(*MANAGERS)
@require_POST
def application_decide_view(request, application_id: int):
    application = get_object_or_404(
        Application, pk=application_id, job__company=request.membership.company
    )
    form = DecisionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("company_jobs:application", application_id=application.pk)
    try:
        decided = application_decide(
            application=application,
            actor=request.user,
            decision=form.cleaned_data["decision"],
            note=form.cleaned_data["note"],
        )
    except LoopworkError as error:
        messages.error(request, error.message)
    else:
        if decided.status == Application.Status.ACTIVE:
            messages.success(request, "Admitted. The worker can start the listing's tasks now.")
        else:
            messages.success(request, "Declined. The applicant is told, with your reason.")
    return redirect("company_jobs:application", application_id=application.pk)
