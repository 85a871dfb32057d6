from django.urls import path

from . import notification_views as views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("preferences/", views.notification_preferences, name="preferences"),
    path("read-all/", views.notification_mark_all_read, name="read_all"),
    path("<int:notification_id>/", views.notification_open, name="open"),
]
