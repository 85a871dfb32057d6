"""The project's URLs plus the company test-authoring routes, until config/urls.py mounts
jobs.qualification_company_urls at /company/ (then this adds nothing)."""

from django.urls import include, path

from config.urls import urlpatterns as project_urlpatterns


def _mounted(patterns) -> bool:
    return any(getattr(p, "namespace", None) == "company_tests" for p in patterns)


urlpatterns = list(project_urlpatterns)
if not _mounted(urlpatterns):
    urlpatterns.insert(0, path("company/", include("jobs.qualification_company_urls")))

handler403 = "core.errors_views.permission_denied"
handler404 = "core.errors_views.page_not_found"
handler500 = "core.errors_views.server_error"


def _has_admin_tests(patterns) -> bool:
    for pattern in patterns:
        if str(getattr(pattern, "pattern", "")) == "admin/":
            for sub in getattr(pattern, "url_patterns", []):
                if getattr(sub, "namespace", None) == "qualification_admin":
                    return True
    return False


if not _has_admin_tests(urlpatterns):
    # Until jobs/wagtail_hooks.py imports jobs.qualification_admin (which registers the hook).
    from jobs.qualification_admin import register_qualification_admin_urls

    urlpatterns.insert(0, path("admin/", include(register_qualification_admin_urls())))
