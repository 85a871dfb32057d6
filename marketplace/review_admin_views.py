"""Staff review actions in the Wagtail admin: reversing an approval's pay for fraud.

The form sits on the approval's page in the Ledger area (payouts/ledger_admin.py) and posts
here, because the reversal is a review decision: marketplace/review.py's
`review_reverse_fraud` takes the money back, writes the audit row and tells the worker, once.
Needs the ledger's reversal permission on top of admin access; the URL is registered in
marketplace/wagtail_hooks.py.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from core.access import staff_required
from core.errors import LoopworkError
from payouts.earnings import reversal_key
from payouts.ledger_admin import REVERSE, ReverseForm, approval_assignment_id, transaction_page
from payouts.models import LedgerTransaction

from .review import review_reverse_fraud


@staff_required(REVERSE)
@require_POST
def reverse_for_fraud(request, transaction_id: int):
    """Reverse the approval `transaction_id` paid; on success show the reversal, on a refusal
    the approval's page again with the reason (422). Posting twice changes nothing more."""
    tx = get_object_or_404(LedgerTransaction.objects.select_related("reverses"), pk=transaction_id)
    assignment_id = approval_assignment_id(tx)
    if assignment_id is None:
        raise Http404("Only an approval can be reversed for fraud.")
    form = ReverseForm(request.POST)
    if form.is_valid():
        try:
            review_reverse_fraud(
                assignment_id, staff=request.user, reason=form.cleaned_data["reason"]
            )
        except LoopworkError as refusal:
            # The service's only field is the reason (it calls it the comment).
            form.add_error("reason" if refusal.field else None, refusal.message)
        else:
            reversal = LedgerTransaction.objects.get(idempotency_key=reversal_key(assignment_id))
            messages.success(
                request, f"Approval of task {assignment_id} reversed; the worker is notified."
            )
            return redirect("ledger_admin:transaction", transaction_id=reversal.pk)
    return transaction_page(request, tx, form=form, status=422)
