from django.urls import path

from . import company_views

app_name = "company_jobs"

urlpatterns = [
    path("listings/", company_views.listings, name="listings"),
    path("listings/new/", company_views.listing_new, name="listing_new"),
    path("listings/<int:listing_id>/edit/", company_views.listing_edit, name="listing_edit"),
    path("listings/<int:listing_id>/submit/", company_views.listing_submit, name="listing_submit"),
    path("listings/<int:listing_id>/status/", company_views.listing_status, name="listing_status"),
    path("applications/", company_views.applications, name="applications"),
    path(
        "applications/decide/",
        company_views.applications_decide_view,
        name="applications_decide",
    ),
    path(
        "applications/<int:application_id>/",
        company_views.application_detail,
        name="application",
    ),
    path(
        "applications/<int:application_id>/decide/",
        company_views.application_decide_view,
        name="application_decide",
    ),
]
