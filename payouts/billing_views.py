"""The company billing pages: balance, escrow and spend per project, top-ups, receipts, refunds.

Owners and managers see billing and add money; only owners take money back. Every lookup
is scoped to request.membership.company. The card form is Stripe's Payment Element, loaded
from js.stripe.com on the payment page only (its own CSP); in offline test mode a labelled
form completes the payment through the same event handler as Stripe's webhook.
"""

from csp.decorators import csp_update
from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.access import company_role_required
from core.errors import LoopworkError
from core.money import format_money, platform_currency, to_decimal, to_minor_units

from . import stripe_gateway
from .billing_forms import RefundForm, TestTopUpForm, TopUpForm
from .billing_selectors import company_billing
from .funding import (
    MAX_TOP_UP_CENTS,
    MIN_TOP_UP_CENTS,
    refund_request,
    refundable_cents,
    topup_client_secret,
    topup_create,
    topup_test_event,
)
from .models import TopUp
from .webhooks import stripe_event_accept, stripe_event_process

MANAGERS = ("owner", "manager")
STRIPE_JS = "https://js.stripe.com"


def _page(request, *, top_up_form=None, refund_form=None, top_up_initial=None, status=200):
    company = request.membership.company
    offline = stripe_gateway.is_offline_test_mode()
    refundable = refundable_cents(company=company)
    form_class = TestTopUpForm if offline else TopUpForm
    return render(
        request,
        "payouts/billing.html",
        {
            "company": company,
            "billing": company_billing(company_id=company.pk),
            "offline": offline,
            "top_up_form": top_up_form or form_class(initial=top_up_initial),
            "refund_form": refund_form or RefundForm(refundable_cents=refundable),
            "refundable_cents": refundable,
            "is_owner": request.membership.role == "owner",
            "fee_percent": settings.PLATFORM_FEE_PERCENT,
        },
        status=status,
    )


def _suggested_amount(value: str | None) -> dict | None:
    """The top-up form's starting amount from `?amount=12.50`, when it is one it accepts."""
    if not value:
        return None
    currency = platform_currency()
    try:
        cents = to_minor_units(value, currency)
    except ValueError:
        return None
    if not MIN_TOP_UP_CENTS <= cents <= MAX_TOP_UP_CENTS:
        return None
    return {"amount": to_decimal(cents, currency)}


@company_role_required(*MANAGERS)
def billing(request):
    """The billing page. The launch page links here with `?amount=` set to what a launch is
    missing, so the top-up form starts at that amount."""
    return _page(request, top_up_initial=_suggested_amount(request.GET.get("amount")))


@company_role_required(*MANAGERS)
@require_POST
def top_up(request):
    """Start a top-up; in offline test mode complete it at once with the chosen outcome."""
    offline = stripe_gateway.is_offline_test_mode()
    form = (TestTopUpForm if offline else TopUpForm)(request.POST)
    if not form.is_valid():
        return _page(request, top_up_form=form, status=422)
    try:
        started = topup_create(
            company=request.membership.company,
            user=request.user,
            amount_cents=form.cleaned_data["amount"],
        )
    except LoopworkError as error:
        form.add_error("amount", error.message)
        return _page(request, top_up_form=form, status=error.status)
    if not offline:
        return redirect("payouts_company:top_up_pay", started.top_up.pk)
    event = topup_test_event(
        top_up=started.top_up, succeed=form.cleaned_data["outcome"] == "succeed"
    )
    stored, _ = stripe_event_accept(event=event)
    # Processed here as well as by its task, so the receipt shows the outcome at once;
    # processing is idempotent, so whichever runs second changes nothing.
    stripe_event_process(event_pk=stored.pk)
    top_up = TopUp.objects.get(pk=started.top_up.pk)
    if top_up.status == TopUp.Status.SUCCEEDED:
        messages.success(
            request, f"Test payment of {format_money(top_up.amount_cents)} added to your balance."
        )
    else:
        messages.error(request, f"Test payment declined: {top_up.failure_message}")
    return redirect("payouts_company:top_up_receipt", top_up.pk)


def _top_up(request, top_up_id: int) -> TopUp:
    return get_object_or_404(TopUp, pk=top_up_id, company=request.membership.company)


@company_role_required(*MANAGERS)
@csp_update(
    {
        "script-src": [STRIPE_JS],
        "frame-src": [STRIPE_JS, "https://hooks.stripe.com"],
        "connect-src": ["https://api.stripe.com"],
    }
)
def top_up_pay(request, top_up_id: int):
    """The card form (Stripe's Payment Element) for a waiting top-up."""
    top_up = _top_up(request, top_up_id)
    if top_up.status != TopUp.Status.CREATED or stripe_gateway.is_offline_test_mode():
        return redirect("payouts_company:top_up_receipt", top_up.pk)
    try:
        client_secret = topup_client_secret(top_up=top_up)
    except LoopworkError as error:
        messages.error(request, error.message)
        return redirect("payouts_company:billing")
    return render(
        request,
        "payouts/billing_pay.html",
        {
            "top_up": top_up,
            "client_secret": client_secret,
            "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
            "return_url": request.build_absolute_uri(
                reverse("payouts_company:top_up_receipt", args=[top_up.pk])
            ),
        },
    )


@company_role_required(*MANAGERS)
def top_up_receipt(request, top_up_id: int):
    top_up = _top_up(request, top_up_id)
    return render(
        request,
        "payouts/billing_receipt.html",
        {
            "company": request.membership.company,
            "top_up": top_up,
            "refunds": top_up.refunds.order_by("created_at"),
        },
    )


@company_role_required("owner")
@require_POST
def refund(request):
    company = request.membership.company
    form = RefundForm(request.POST, refundable_cents=refundable_cents(company=company))
    if not form.is_valid():
        return _page(request, refund_form=form, status=422)
    try:
        refunds = refund_request(
            company=company, user=request.user, amount_cents=form.cleaned_data["amount"]
        )
    except LoopworkError as error:
        form.add_error("amount", error.message)
        return _page(request, refund_form=form, status=error.status)
    total = sum(item.amount_cents for item in refunds)
    messages.success(
        request,
        f"Refund of {format_money(total)} requested: it leaves your balance now and reaches "
        "the card in 5 to 10 business days.",
    )
    return redirect("payouts_company:billing")
