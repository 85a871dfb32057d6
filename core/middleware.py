"""Middleware of our own."""

from functools import cached_property

from csp.constants import HEADER
from csp.middleware import CheckableLazyObject, CSPMiddleware, PolicyParts
from csp.utils import build_policy
from django.conf import settings


class FixedPolicyCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with the site-wide policy built once instead of per response.

    Our pages use no nonces and no per-view policy changes (no inline scripts), so nearly
    every response carries the same header; rebuilding it cost a measurable share of an API
    call's CPU. A response with its own policy (csp decorators) or a request that used a
    nonce goes through django-csp's own code, as does a report-only policy.
    """

    @cached_property
    def site_policy(self) -> str:
        return build_policy()

    def process_response(self, request, response):
        if (
            getattr(request, "_csp_nonce", None) is not None
            or getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
            or self.get_policy_parts(request=request, response=response) != PolicyParts()
        ):
            return super().process_response(request, response)
        if response.status_code in (404, 500) and settings.DEBUG:
            return response
        prefixes = tuple(settings.CONTENT_SECURITY_POLICY.get("EXCLUDE_URL_PREFIXES") or ())
        if (
            HEADER not in response
            and not getattr(response, "_csp_exempt", False)
            and not request.path_info.startswith(prefixes)
        ):
            response[HEADER] = self.site_policy
        # As django-csp does: a nonce asked for after the header was written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
