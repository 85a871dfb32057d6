"""The HTTP API at /api/v1/: bearer tokens, JSON errors of one shape, routers from the apps."""

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError
from wagtail.api.v3.auth import BearerTokenAuth

from core.errors import LoopworkError
from jobs.qualification_api import router as qualifications_router

api = NinjaAPI(
    title="Loopwork API",
    version="1",
    description="Loopwork's HTTP API. Authenticate with `Authorization: Bearer <token>`.",
    urls_namespace="api",
    auth=BearerTokenAuth(),
)


def error_response(request, status: int, code: str, message: str, field: str | None = None):
    return api.create_response(
        request, {"error": {"code": code, "message": message, "field": field}}, status=status
    )


@api.exception_handler(LoopworkError)
def loopwork_error(request, exc: LoopworkError):
    return error_response(request, exc.status, exc.code, exc.message, exc.field)


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    first = exc.errors[0] if exc.errors else {}
    location = [str(part) for part in first.get("loc", ()) if part not in ("body", "query", "path")]
    field = ".".join(part for part in location if part != "payload") or None
    return error_response(request, 422, "invalid_input", first.get("msg", "Invalid input."), field)


@api.exception_handler(AuthenticationError)
def authentication_error(request, exc):
    return error_response(
        request, 401, "unauthorized", "Send a valid token as 'Authorization: Bearer <token>'."
    )


@api.exception_handler(AuthorizationError)
def authorization_error(request, exc):
    return error_response(request, 403, "forbidden", str(exc) or "Not allowed.")


@api.exception_handler(Http404)
def not_found(request, exc):
    return error_response(request, 404, "not_found", "Not found.")


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    return error_response(request, exc.status_code, "http_error", str(exc))


api.add_router("/me/", qualifications_router)
