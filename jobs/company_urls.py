from django.urls import path

from . import company_views

app_name = "company_jobs"

urlpatterns = [
    path("", company_views.dashboard, name="home"),
]
