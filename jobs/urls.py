from django.urls import path

from . import views

app_name = "jobs"

urlpatterns = [
    path("<int:job_id>/apply/", views.apply, name="apply"),
    path("suggest/", views.suggest, name="suggest"),
    path(
        "saved-searches/unsubscribe/<str:token>/",
        views.saved_search_unsubscribe_view,
        name="saved_search_unsubscribe",
    ),
]
