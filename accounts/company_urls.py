from django.urls import path

from . import company_views

app_name = "company"

urlpatterns = [
    path("", company_views.home, name="home"),
]
