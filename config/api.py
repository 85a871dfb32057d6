"""The HTTP API at /api/v1/: bearer tokens, JSON errors of one shape, routers from the apps."""

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

from accounts.api_tokens import ApiTokenAuth
from core.errors import LoopworkError
from jobs.qualification_api import router as qualifications_router
from jobs.search_api import router as jobs_search_router
from marketplace.project_api import router as projects_router
from marketplace.quality_api import router as quality_router
from marketplace.results_api import router as results_router
from marketplace.review_api import router as review_router
from marketplace.worker_api import router as worker_router
from payouts.api import router as earnings_router

api = NinjaAPI(
    title="Loopwork API",
    version="1",
    description="Loopwork's HTTP API. Authenticate with `Authorization: Bearer <token>`.",
    urls_namespace="api",
    auth=ApiTokenAuth(),
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
api.add_router("/me/", earnings_router)
# Public (auth=None): job search and autocomplete at /api/v1/jobs and /api/v1/jobs/suggest.
api.add_router("/", jobs_search_router)
api.add_router("/projects", projects_router)
api.add_router("/", results_router)
api.add_router("/", worker_router)
api.add_router("/", review_router)
api.add_router("/", quality_router)
