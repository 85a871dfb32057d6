"""Company members authoring their own qualification tests; mount at /company/
(namespace "company_tests")."""

from django.urls import path

from . import qualification_views as views

app_name = "company_tests"

urlpatterns = [
    path("tests/", views.company_test_list, name="list"),
    path("tests/new/", views.company_test_create, name="create"),
    path("tests/import/", views.company_test_import, name="import"),
    path("tests/<int:test_id>/", views.company_test_edit, name="edit"),
    path("tests/<int:test_id>/preview/", views.company_test_preview, name="preview"),
    path("tests/<int:test_id>/export/", views.company_test_export, name="export"),
    path("tests/<int:test_id>/results/", views.company_test_results, name="results"),
]
