"""The company's webhooks page: endpoints, their secrets and recent deliveries.

Owners and managers only: a secret lets its holder forge events, so reviewers never see it.
Each change is its own POST view; the webhooks service checks role and company again.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from core.access import company_role_required
from core.errors import LoopworkError

from .models import WebhookDelivery, WebhookEndpoint
from .webhook_forms import WebhookEndpointForm
from .webhooks import (
    MAX_ATTEMPTS,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_rotate_secret,
    webhook_endpoint_set_active,
    webhook_send_test,
)

MANAGERS = ("owner", "manager")
RECENT_DELIVERIES = 25


@company_role_required(*MANAGERS)
@require_http_methods(["GET", "POST"])
def webhooks(request):
    company = request.membership.company
    form = WebhookEndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            webhook_endpoint_create(
                membership=request.membership,
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
            )
        except LoopworkError as error:
            form.add_service_error(error)
        else:
            messages.success(request, "Endpoint added. Copy its signing secret below.")
            return redirect("company_projects:webhooks")
    endpoints = list(WebhookEndpoint.objects.filter(company=company))
    deliveries = list(
        WebhookDelivery.objects.filter(endpoint__company=company)
        .select_related("endpoint")
        .order_by("-created_at", "-pk")[:RECENT_DELIVERIES]
    )
    return render(
        request,
        "marketplace/company/webhooks.html",
        {
            "form": form,
            "endpoints": endpoints,
            "deliveries": deliveries,
            "max_attempts": MAX_ATTEMPTS,
            "event_labels": dict(WebhookEndpoint.Event.choices),
        },
        status=422 if form.errors else 200,
    )


def _act(request, action, success: str):
    try:
        action()
    except LoopworkError as error:
        if error.status == 404:
            raise Http404(error.message) from error
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect("company_projects:webhooks")


@company_role_required(*MANAGERS)
@require_POST
def webhook_rotate(request, endpoint_id: int):
    return _act(
        request,
        lambda: webhook_endpoint_rotate_secret(
            membership=request.membership, endpoint_id=endpoint_id
        ),
        "New secret made; the old one no longer signs events. Update your receiver.",
    )


@company_role_required(*MANAGERS)
@require_POST
def webhook_toggle(request, endpoint_id: int):
    active = request.POST.get("active") == "1"
    return _act(
        request,
        lambda: webhook_endpoint_set_active(
            membership=request.membership, endpoint_id=endpoint_id, active=active
        ),
        "Endpoint enabled." if active else "Endpoint disabled; it gets no new events.",
    )


@company_role_required(*MANAGERS)
@require_POST
def webhook_delete(request, endpoint_id: int):
    return _act(
        request,
        lambda: webhook_endpoint_delete(membership=request.membership, endpoint_id=endpoint_id),
        "Endpoint deleted.",
    )


@company_role_required(*MANAGERS)
@require_POST
def webhook_test(request, endpoint_id: int):
    return _act(
        request,
        lambda: webhook_send_test(membership=request.membership, endpoint_id=endpoint_id),
        "Test event sent; its delivery shows below.",
    )
