"""The worker's payouts under /work/payouts/: the payout account (Stripe Connect Express
onboarding with its return and refresh pages), the request form, and each payout's state.

Thin: services in payouts/payout_accounts.py and payouts/payouts.py do the work, always for
`request.user`, so no id in a URL can reach another worker's payouts.
"""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from core.access import worker_required
from core.errors import LoopworkError
from core.money import format_money

from . import ledger
from .models import PayoutLine
from .payout_accounts import (
    payout_account_for,
    payout_account_onboarding_link,
    payout_account_sync,
)
from .payout_forms import PayoutRequestForm
from .payouts import payout_request
from .stripe_gateway import GatewayError, is_offline_test_mode

RECENT_PAYOUTS = 50
STATUS_BADGES = {
    PayoutLine.Status.PENDING_REVIEW: "",
    PayoutLine.Status.APPROVED: "",
    PayoutLine.Status.SENDING: "",
    PayoutLine.Status.PAID: "badge-ok",
    PayoutLine.Status.HELD: "badge-warn",
    PayoutLine.Status.FAILED: "badge-bad",
    PayoutLine.Status.REVERSED: "badge-bad",
}
STATUS_NOTES = {
    PayoutLine.Status.PENDING_REVIEW: "Waiting for our weekly review",
    PayoutLine.Status.APPROVED: "Approved, about to be sent",
    PayoutLine.Status.SENDING: "Being sent to your Stripe account",
    PayoutLine.Status.PAID: "Sent to your Stripe account; Stripe pays it to your bank",
    PayoutLine.Status.HELD: "Held for a check; the money is back in your available balance",
    PayoutLine.Status.FAILED: "Could not be sent; the money is back in your available balance",
    PayoutLine.Status.REVERSED: "Reversed by Stripe; the money is back in your available balance",
}


def _page(request, *, form=None, status=200):
    worker = request.user
    account = payout_account_for(worker)
    available = ledger.balance_of(ledger.worker_available(worker.pk))
    minimum = settings.PAYOUT_MINIMUM_CENTS
    lines = [
        {
            "line": line,
            "amount_text": format_money(line.amount_cents, line.currency),
            "badge": STATUS_BADGES[line.status],
            "note": STATUS_NOTES[line.status],
        }
        for line in PayoutLine.objects.filter(worker=worker).order_by("-created_at", "-pk")[
            :RECENT_PAYOUTS
        ]
    ]
    can_request = account is not None and account.payouts_enabled and available >= minimum
    return render(
        request,
        "payouts/payouts.html",
        {
            "account": account,
            "offline": is_offline_test_mode(),
            "available_text": format_money(available),
            "minimum_text": format_money(minimum),
            "can_request": can_request,
            "form": form or PayoutRequestForm(available_cents=available),
            "lines": lines,
        },
        status=status,
    )


@worker_required
@require_GET
def payouts_page(request):
    """The payout account, the request form and every payout with its state and date."""
    return _page(request)


@worker_required
@require_POST
def payout_request_view(request):
    """Ask for a payout of available earnings (one request per form, however often sent)."""
    available = ledger.balance_of(ledger.worker_available(request.user.pk))
    form = PayoutRequestForm(request.POST, available_cents=available)
    if not form.is_valid():
        return _page(request, form=form, status=400)
    try:
        line = payout_request(
            worker=request.user,
            amount_cents=form.cleaned_data["amount"],
            idempotency_key=form.cleaned_data["request_key"],
        )
    except LoopworkError as error:
        about_amount = error.field == "amount" or error.code == "insufficient_available"
        form.add_error("amount" if about_amount else None, error.message)
        return _page(request, form=form, status=400)
    messages.success(
        request,
        f"Payout of {format_money(line.amount_cents, line.currency)} requested. "
        "We review payouts within two working days.",
    )
    return redirect("payouts_work:payouts")


def _onboarding_redirect(request):
    try:
        url = payout_account_onboarding_link(
            worker=request.user,
            return_url=request.build_absolute_uri(reverse("payouts_work:payouts_connect_return")),
            refresh_url=request.build_absolute_uri(reverse("payouts_work:payouts_connect_refresh")),
        )
    except LoopworkError as error:
        messages.error(request, error.message)
        return redirect("payouts_work:payouts")
    return redirect(url)


@worker_required
@require_POST
def payout_connect(request):
    """Start (or continue) Stripe onboarding: create the account once, then go to Stripe."""
    return _onboarding_redirect(request)


@worker_required
@require_GET
def payout_connect_refresh(request):
    """Stripe sends the worker here when an onboarding link expired: make a new one."""
    return _onboarding_redirect(request)


@worker_required
@require_GET
def payout_connect_return(request):
    """Stripe sends the worker back here after onboarding: read the account's state now
    (the webhook may still be on its way)."""
    try:
        account = payout_account_sync(worker=request.user)
    except GatewayError as error:
        messages.error(request, error.message)
        return redirect("payouts_work:payouts")
    if account is None:
        messages.info(request, "Connect a payout account to get paid.")
    elif account.payouts_enabled:
        messages.success(request, "Your payout account is ready. You can now request payouts.")
    else:
        messages.warning(
            request,
            "Stripe still needs some details before it can pay you. "
            "Continue the setup when you are ready.",
        )
    return redirect("payouts_work:payouts")
