"""Who may reach a URL. Every view declares it with one of these decorators.

The declaration is both the check (it runs before the view) and a label the URL
walk in tests reads (`view.access`), so a route that declares nothing fails the suite.
"""

from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.views import View


@dataclass(frozen=True)
class Access:
    kind: str  # public | signed_in | worker | company | staff
    roles: tuple[str, ...] = ()
    permission: str | None = None

    def __str__(self) -> str:
        if self.kind == "company":
            return f"company ({', '.join(self.roles)})"
        if self.kind == "staff":
            return f"staff with {self.permission}"
        return self.kind


def _check(access: Access, request):
    """None when the request may pass; otherwise the response or exception that refuses it."""
    if access.kind == "public":
        return None
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if access.kind == "signed_in":
        return None
    if access.kind == "worker":
        if not user.is_worker:
            raise PermissionDenied("This page is for workers.")
        return None
    if access.kind == "company":
        membership = user.company_membership
        if membership is None or membership.role not in access.roles:
            raise PermissionDenied("Your company role does not allow this.")
        request.membership = membership
        return None
    if access.kind == "staff":
        if not (user.is_staff and user.has_perm(access.permission)):
            raise PermissionDenied("Staff permission required.")
        return None
    raise ValueError(f"unknown access kind {access.kind}")


def _declare(access: Access):
    def decorate(view):
        if isinstance(view, type) and issubclass(view, View):
            original_dispatch = view.dispatch

            def dispatch(self, request, *args, **kwargs):
                refusal = _check(access, request)
                if refusal is not None:
                    return refusal
                return original_dispatch(self, request, *args, **kwargs)

            view.dispatch = dispatch
            view.access = access
            return view

        @wraps(view)
        def wrapper(request, *args, **kwargs):
            refusal = _check(access, request)
            if refusal is not None:
                return refusal
            return view(request, *args, **kwargs)

        wrapper.access = access
        return wrapper

    return decorate


public = _declare(Access("public"))
signed_in = _declare(Access("signed_in"))
worker_required = _declare(Access("worker"))


def company_role_required(*roles: str):
    return _declare(Access("company", roles=tuple(roles)))


def staff_required(permission: str):
    return _declare(Access("staff", permission=permission))


def declared_access(callback) -> Access | None:
    """The access a resolved URL callback declares, or None."""
    access = getattr(callback, "access", None)
    if access is None:
        access = getattr(getattr(callback, "view_class", None), "access", None)
    return access


# Routes that come from libraries declare their access here, by URL prefix and library.
# Our own apps never appear here: their views carry a decorator above.
THIRD_PARTY_ACCESS = [
    # The Wagtail admin checks the "access admin" permission on every view.
    ("admin/", "wagtail.", Access("staff", permission="wagtailadmin.access_admin")),
    # The admin's "test404" page is a static template Wagtail uses to show its 404 design.
    ("admin/test404/", "django.views.generic.", Access("public")),
    # allauth's own views: sign-up, login and reset are public; it guards account pages itself.
    ("accounts/", "allauth.", Access("public")),
    # Wagtail documents: public unless a collection is made private (Wagtail checks that).
    ("documents/", "wagtail.", Access("public")),
    # The HTTP API: every operation declares its auth to django-ninja (bearer token by
    # default; the schema and docs are public); tests/core/test_api.py checks each one.
    ("api/v1/", "ninja.", Access("public")),
    # Wagtail pages: public; a page made private in the admin is checked by Wagtail.
    ("", "wagtail.", Access("public")),
]

OUR_APPS = (
    "config.",
    "core.",
    "accounts.",
    "annotation.",
    "cms.",
    "jobs.",
    "marketplace.",
    "payouts.",
)


def third_party_access(route: str, callback) -> Access | None:
    target = getattr(callback, "view_class", None) or getattr(callback, "func", None) or callback
    module = getattr(target, "__module__", "") or ""
    if module.startswith(OUR_APPS):
        return None
    for prefix, library, access in THIRD_PARTY_ACCESS:
        if route.startswith(prefix) and module.startswith(library):
            return access
    return None
