"""API tokens for the HTTP API, kept in Wagtail's APIToken (hashed, revocable).

The plain token is returned once, at creation; only an HMAC digest is stored.
"""

from django.db import transaction
from django.utils import timezone
from wagtail.models import APIToken

from core.errors import LoopworkError

from .models import User

MAX_ACTIVE_TOKENS = 20


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[APIToken, str]:
    """Create a token for the user; returns it with the plain secret (never stored)."""
    name = (name or "").strip()
    if not name:
        raise LoopworkError("Give the token a name.", code="name_required", field="name")
    if len(name) > 80:
        raise LoopworkError(
            "Keep the name under 80 characters.", code="name_too_long", field="name"
        )
    User.objects.select_for_update().filter(pk=user.pk).first()  # one creation at a time
    if APIToken.objects.filter(user=user, revoked_at__isnull=True).count() >= MAX_ACTIVE_TOKENS:
        raise LoopworkError(
            f"You can have at most {MAX_ACTIVE_TOKENS} active tokens. Revoke one first.",
            code="too_many_tokens",
        )
    return APIToken.create_token(user=user, name=name)


def api_token_revoke(*, user: User, token_id: int) -> APIToken:
    """Revoke one of the user's own tokens; revoking twice is harmless."""
    token = APIToken.objects.filter(user=user, pk=token_id).first()
    if token is None:
        raise LoopworkError("No such token.", code="not_found", status=404)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_tokens_for(*, user: User):
    return APIToken.objects.filter(user=user).order_by("-created")
