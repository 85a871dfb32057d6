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
    path("saved-searches/", work_views.saved_searches, name="saved_searches"),
    path(
        "saved-searches/<int:saved_search_id>/delete/",
        work_views.saved_search_delete_view,
        name="saved_search_delete",
    ),
]
