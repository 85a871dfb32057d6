"""The launch page: the budget a launch reserves, as a receipt, then the company confirms.

Owners and managers of the project's company; another company's project is a 404. GET
shows `project_launch_quote`; POST launches through `project_launch`, and a refusal shows
the page again with the error (its 4xx status) and nothing changed.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from core.access import company_role_required
from core.errors import LoopworkError
from core.money import to_decimal
from payouts.funding import MAX_TOP_UP_CENTS, MIN_TOP_UP_CENTS

from .launch import (
    FIX_EDIT,
    FIX_TOP_UP,
    FIX_UPLOAD,
    RETURNED_WHEN_ENDED,
    LaunchRefusal,
    launch_summary,
    project_launch,
    project_launch_quote,
)
from .models import Project

MANAGERS = ("owner", "manager")


def _top_up_cents(shortfall_cents: int) -> int:
    """The top-up Billing starts at: the missing amount, within what one top-up may be."""
    return min(max(shortfall_cents, MIN_TOP_UP_CENTS), MAX_TOP_UP_CENTS)


def _fix_link(project: Project, refusal: LaunchRefusal | None, shortfall_cents: int):
    """(url, label) of the page that fixes the refusal, or None when there is none."""
    if refusal is None:
        return None
    if refusal.fix == FIX_TOP_UP:
        amount = to_decimal(_top_up_cents(shortfall_cents), project.currency)
        return f"{reverse('payouts_company:billing')}?amount={amount}", "Add money on Billing"
    if refusal.fix == FIX_UPLOAD:
        return reverse("company_projects:uploads", args=[project.pk]), "Upload items"
    if refusal.fix == FIX_EDIT:
        return reverse("company_projects:edit", args=[project.pk]), "Edit the project"
    return None


def _page(request, project: Project, *, error: LoopworkError | None = None):
    quote = project_launch_quote(project)
    refusal = LaunchRefusal.from_error(error) if error is not None else quote.refusal
    return render(
        request,
        "marketplace/company/launch.html",
        {
            "project": project,
            "quote": quote,
            "refusal": refusal,
            "fix": _fix_link(project, refusal, quote.shortfall_cents),
            "returned_when_ended": RETURNED_WHEN_ENDED,
            "top_up_cents": _top_up_cents(quote.shortfall_cents),
            "max_top_up_cents": MAX_TOP_UP_CENTS,
        },
        status=error.status if error is not None else 200,
    )


@company_role_required(*MANAGERS)
def project_launch_page(request, project_id: int):
    project = get_object_or_404(Project, pk=project_id, company=request.membership.company)
    if request.method != "POST":
        if project.status != Project.Status.DRAFT:
            messages.info(request, "This project has already been launched.")
            return redirect("company_projects:detail", project_id=project.pk)
        return _page(request, project)
    try:
        quote = project_launch(project=project, membership=request.membership)
    except LoopworkError as error:
        project.refresh_from_db()
        return _page(request, project, error=error)
    messages.success(request, f"The project is now active. {launch_summary(quote)}")
    return redirect("company_projects:detail", project_id=project.pk)
