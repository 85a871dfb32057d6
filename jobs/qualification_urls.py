"""Workers taking qualification tests; mounted at /work/ (namespace "qualifications")."""

from django.urls import path

from . import qualification_views as views

app_name = "qualifications"

urlpatterns = [
    path("tests/<int:test_id>/", views.test_detail, name="test"),
    path("tests/<int:test_id>/start/", views.test_start, name="start"),
    path("attempts/<int:attempt_id>/", views.attempt_page, name="attempt"),
    path("attempts/<int:attempt_id>/answer/", views.attempt_autosave, name="autosave"),
    path("attempts/<int:attempt_id>/result/", views.attempt_result, name="result"),
    path("qualifications/", views.my_qualifications, name="mine"),
]
