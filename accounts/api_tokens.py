"""API tokens for the HTTP API, kept in Wagtail's APIToken (hashed, revocable).

The plain token is returned once, at creation; only an HMAC digest is stored.
"""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone
from ninja.security import HttpBearer
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


# The token's user and the token's own columns in one query (every API request runs it).
_FIELDS = [APIToken._meta.get_field("last_used_at"), *User._meta.concrete_fields]
_TOKEN_SQL = (
    "SELECT t.id, t.last_used_at, "  # noqa: S608 (model table and column names)
    + ", ".join(f'u."{field.column}"' for field in User._meta.concrete_fields)
    + f" FROM {APIToken._meta.db_table} t JOIN {User._meta.db_table} u ON u.id = t.user_id"
    " WHERE t.key_hash IN ({}) AND t.revoked_at IS NULL"
)


def _convert(row: tuple) -> list:
    """The backend's and the fields' conversions of raw column values, as the ORM does them
    (worked out once per connection: each thread has its own)."""
    wrapper = connections[DEFAULT_DB_ALIAS]
    converters = getattr(wrapper, "_api_token_converters", None)
    if converters is None:
        columns = [field.get_col(field.model._meta.db_table) for field in _FIELDS]
        converters = wrapper._api_token_converters = [
            (index, column, converter)
            for index, column in enumerate(columns)
            for converter in (
                wrapper.ops.get_db_converters(column) + column.get_db_converters(wrapper)
            )
        ]
    values = list(row)
    for index, column, converter in converters:
        values[index] = converter(values[index], column, wrapper)
    return values


class ApiTokenAuth(HttpBearer):
    """`Authorization: Bearer <token>` against the stored digests, in one query.

    Same rules as Wagtail's BearerTokenAuth: a revoked token, an inactive user or an unknown
    token is refused at once (nothing is cached), a session cookie never authenticates an
    API request, and the token's last use is noted at most once a minute
    (WAGTAILAPI_TOKEN_LAST_USED_INTERVAL). Malformed tokens are refused without a query.
    """

    def authenticate(self, request, token: str):
        request.user = AnonymousUser()
        if not APIToken.validate_token_format(token):
            return None
        hashes = APIToken.candidate_key_hashes(token)
        with connection.cursor() as cursor:
            cursor.execute(_TOKEN_SQL.format(", ".join(["%s"] * len(hashes))), hashes)
            row = cursor.fetchone()
        if row is None:
            return None
        token_id, last_used_at, *user_row = row[:1] + tuple(_convert(row[1:]))
        user = User.from_db(connection.alias, None, user_row)
        if not user.is_active:
            return None
        request.user = user
        interval = getattr(settings, "WAGTAILAPI_TOKEN_LAST_USED_INTERVAL", 60)
        now = timezone.now()
        if interval is not None and (
            last_used_at is None or (now - last_used_at).total_seconds() >= interval
        ):
            APIToken.objects.filter(pk=token_id).update(last_used_at=now)
        return APIToken(pk=token_id, user=user, last_used_at=last_used_at)
