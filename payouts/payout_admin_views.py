"""The Wagtail admin's payout areas: batches to review (hold lines, approve batches) and the
last reconciliation report.

Wagtail wraps these URLs with its admin-access check; each view also declares the payout
permission it needs, and the services check it again, with the four-eyes rule.
"""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from core.access import staff_required
from core.errors import LoopworkError
from core.money import format_money

from .models import PayoutBatch, PayoutLine, ReconciliationReport
from .payouts import payout_batch_approve, payout_batch_schedule, payout_line_hold
from .stripe_gateway import is_offline_test_mode

APPROVE = "payouts.approve_payoutbatch"
VIEW_RECONCILIATION = "payouts.view_reconciliation"
PER_PAGE = 25
LINES_PER_PAGE = 200


class HoldForm(forms.Form):
    line = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(max_length=300, label="Reason for holding")


def _batches():
    return PayoutBatch.objects.annotate(
        line_count=Count("lines"),
        total_cents=Sum("lines__amount_cents"),
        flagged=Count("lines", filter=~Q(lines__fraud_flags=[])),
        waiting=Count("lines", filter=Q(lines__status=PayoutLine.Status.PENDING_REVIEW)),
    ).select_related("created_by", "approved_by")


@staff_required(APPROVE)
@require_http_methods(["GET", "POST"])
def batch_list(request):
    """Payout batches, newest first; "Create a batch now" makes a batch of everyone above
    the minimum (which its creator then cannot approve)."""
    if request.method == "POST":
        batch = payout_batch_schedule(created_by=request.user)
        if batch is None:
            messages.info(request, "Nobody has available earnings above the minimum.")
            return redirect("payout_admin:list")
        messages.success(request, f"Batch {batch.pk} created. Another approver must approve it.")
        return redirect("payout_admin:detail", batch.pk)
    batches = _batches().order_by("-created_at", "-pk")
    page = Paginator(batches, PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        {"batch": batch, "total_text": format_money(batch.total_cents or 0, batch.currency)}
        for batch in page
    ]
    return render(
        request,
        "payouts/payout_admin_batches.html",
        {"rows": rows, "page": page, "offline": is_offline_test_mode()},
    )


@staff_required(APPROVE)
@require_http_methods(["GET", "POST"])
def batch_detail(request, batch_id: int):
    """One batch: each line with its fraud flags; hold a line with a reason, or approve."""
    batch = get_object_or_404(_batches(), pk=batch_id)
    hold_form = HoldForm()
    if request.method == "POST":
        try:
            if request.POST.get("action") == "approve":
                payout_batch_approve(batch_id=batch.pk, actor=request.user)
                messages.success(request, f"Batch {batch.pk} approved; its payouts are being sent.")
                return redirect("payout_admin:detail", batch.pk)
            hold_form = HoldForm(request.POST)
            if hold_form.is_valid():
                line = get_object_or_404(batch.lines, pk=hold_form.cleaned_data["line"])
                payout_line_hold(
                    line_id=line.pk, reason=hold_form.cleaned_data["reason"], actor=request.user
                )
                messages.success(request, f"Payout {line.pk} held; the money is available again.")
                return redirect("payout_admin:detail", batch.pk)
        except LoopworkError as refusal:
            messages.error(request, refusal.message)
            return redirect("payout_admin:detail", batch.pk)
    lines = batch.lines.select_related("worker", "payout_account").order_by("pk")
    page = Paginator(lines, LINES_PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        {"line": line, "amount_text": format_money(line.amount_cents, line.currency)}
        for line in page
    ]
    return render(
        request,
        "payouts/payout_admin_batch.html",
        {
            "batch": batch,
            "rows": rows,
            "page": page,
            "total_text": format_money(batch.total_cents or 0, batch.currency),
            "can_approve": batch.status == PayoutBatch.Status.OPEN
            and batch.created_by_id != request.user.pk,
            "hold_form": hold_form,
            "header_title": f"Payout batch {batch.pk}",
        },
    )


@staff_required(VIEW_RECONCILIATION)
@require_GET
def reconciliation(request):
    """The last reconciliation report with each difference, and the runs before it."""
    reports = list(ReconciliationReport.objects.order_by("-started_at", "-pk")[:15])
    return render(
        request,
        "payouts/payout_admin_reconciliation.html",
        {
            "report": reports[0] if reports else None,
            "earlier": reports[1:],
            "offline": is_offline_test_mode(),
        },
    )
