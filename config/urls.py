from django.conf import settings
from django.urls import include, path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from config.api import api
from core.access import public
from core.views import serve_media

# Every login goes through allauth (the admin's and Wagtail's private-page login too),
# so two-factor authentication, rate limits and lockouts apply everywhere.
admin_login_redirect = public(RedirectView.as_view(pattern_name="account_login", query_string=True))

urlpatterns = [
    # First: the API is the busiest prefix, so its requests try no other pattern.
    path("api/v1/", api.urls),
    path("admin/login/", admin_login_redirect, name="admin_login_redirect"),
    path("_util/login/", admin_login_redirect, name="private_page_login_redirect"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("company/", include("accounts.company_urls")),
    path("company/", include("marketplace.company_urls")),
    path("company/", include("jobs.company_urls")),
    path("company/", include("jobs.qualification_company_urls")),
    path("company/", include("payouts.company_urls")),
    path("notifications/", include("accounts.notification_urls")),
    path("work/", include("marketplace.urls")),
    path("work/", include("jobs.work_urls")),
    path("work/", include("jobs.qualification_urls")),
    path("work/", include("payouts.work_urls")),
    path("stripe/", include("payouts.stripe_urls")),
    path("jobs/", include("jobs.urls")),
    path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", serve_media, name="media"),
    path("", include(wagtail_urls)),
]

handler403 = "core.errors_views.permission_denied"
handler404 = "core.errors_views.page_not_found"
handler500 = "core.errors_views.server_error"
