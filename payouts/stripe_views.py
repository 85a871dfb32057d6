"""The Stripe webhook endpoint: public (Stripe signs it), CSRF-exempt, answers quickly."""

import logging

from django.http import HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.access import public

from .stripe_gateway import WebhookSignatureError
from .webhooks import webhook_receive

logger = logging.getLogger(__name__)


@public
@csrf_exempt
@require_POST
def stripe_webhook(request):
    """Verify the signature against the raw body, store the event once, answer 200.

    A missing, wrong or stale signature is a 400 and nothing is written. A duplicate is a
    200 that changes nothing (Stripe stops retrying it). Processing happens after commit.
    """
    try:
        _event, created = webhook_receive(
            payload=request.body, signature=request.headers.get("Stripe-Signature")
        )
    except WebhookSignatureError as error:
        logger.warning("stripe webhook refused", extra={"reason": str(error)[:200]})
        return HttpResponseBadRequest("invalid signature", content_type="text/plain")
    return HttpResponse("duplicate" if not created else "ok", content_type="text/plain")
