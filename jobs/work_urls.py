from django.urls import path

from . import work_views

app_name = "jobs_work"

urlpatterns = [
    path("applications/", work_views.applications, name="applications"),
    path(
        "applications/<int:application_id>/",
        work_views.application_detail,
        name="application",
    ),
    path(
        "applications/<int:application_id>/withdraw/",
        work_views.application_withdraw_view,
        name="application_withdraw",
    ),
]
