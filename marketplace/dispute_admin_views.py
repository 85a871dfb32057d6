"""Staff resolve disputes in the Wagtail admin: the open disputes, and one dispute's page.

Thin: marketplace/disputes.py decides (who may, once only, what an overturn does). Every
view needs the `marketplace.change_dispute` permission on top of admin access; the URLs are
registered in marketplace/wagtail_hooks.py.
"""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from annotation.registry import get_interface
from core.access import staff_required
from core.errors import LoopworkError

from .disputes import NOTE_MAX, RESOLVE_PERMISSION, dispute_resolve
from .models import Dispute, ReviewDecision
from .review import assignment_evidence
from .selectors import item_preview

PER_PAGE = 50
LIST_FILTERS = {
    "open": ("Open", Dispute.Status.OPEN),
    "upheld": ("Upheld", Dispute.Status.UPHELD),
    "overturned": ("Overturned", Dispute.Status.OVERTURNED),
}


class ResolveForm(forms.Form):
    """Uphold or overturn, with the note the worker reads."""

    decision = forms.ChoiceField(
        choices=[("uphold", "Uphold"), ("overturn", "Overturn")],
        error_messages={
            "required": "Choose Uphold or Overturn.",
            "invalid_choice": "Choose Uphold or Overturn.",
        },
    )
    note = forms.CharField(
        label="Note to the worker",
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Why you decided so; the worker reads it.",
    )


def _disputes():
    return Dispute.objects.select_related(
        "worker", "assignment__project", "assignment__item", "stop__project", "resolved_by"
    )


@staff_required(RESOLVE_PERMISSION)
@require_GET
def dispute_list(request):
    """Disputes by status (open first), with the rejection, its evidence and the message."""
    shown = request.GET.get("status", "open")
    if shown not in LIST_FILTERS:
        shown = "open"
    disputes = _disputes().filter(status=LIST_FILTERS[shown][1]).order_by("created_at", "pk")
    page = Paginator(disputes, PER_PAGE).get_page(request.GET.get("page"))
    rejections = dict(
        ReviewDecision.objects.filter(
            assignment_id__in=[d.assignment_id for d in page if d.assignment_id],
            action=ReviewDecision.Action.REJECTED,
        ).values_list("assignment_id", "evidence")
    )
    rows = [{"dispute": d, "evidence": rejections.get(d.assignment_id) or {}} for d in page]
    return render(
        request,
        "marketplace/admin/dispute_list.html",
        {
            "rows": rows,
            "page": page,
            "shown": shown,
            "filters": [(key, label) for key, (label, _status) in LIST_FILTERS.items()],
        },
    )


@staff_required(RESOLVE_PERMISSION)
@require_http_methods(["GET", "POST"])
def dispute_detail(request, dispute_id: int):
    """One dispute: the item, the answer, the decision and its evidence; Uphold or Overturn."""
    dispute = get_object_or_404(_disputes(), pk=dispute_id)
    form = ResolveForm(request.POST or None)
    if request.method == "POST" and dispute.status == Dispute.Status.OPEN and form.is_valid():
        try:
            dispute_resolve(
                dispute.pk,
                staff=request.user,
                overturn=form.cleaned_data["decision"] == "overturn",
                note=form.cleaned_data["note"],
            )
        except LoopworkError as refusal:
            form.add_error("note" if refusal.field == "note" else None, refusal.message)
        else:
            messages.success(request, f"Dispute {dispute.pk} resolved; the worker is notified.")
            return redirect("dispute_admin:list")
    context = {"dispute": dispute, "form": form, "header_title": f"Dispute {dispute.pk}"}
    assignment = dispute.assignment
    if assignment is not None:
        project = assignment.project
        answer = assignment.answer if isinstance(assignment.answer, dict) else {}
        context.update(
            assignment=assignment,
            project=project,
            item_text=item_preview(assignment.item.data),
            answer_text=get_interface(project.interface).describe_answer(
                answer, project.label_schema
            ),
            evidence=assignment_evidence(assignment),
            history=assignment.decisions.select_related("actor").order_by("created_at", "pk"),
        )
    else:
        context.update(project=dispute.stop.project, stop=dispute.stop)
    return render(
        request,
        "marketplace/admin/dispute_detail.html",
        context,
        status=422 if form.errors else 200,
    )
