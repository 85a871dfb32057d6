from django.urls import path

from . import company_views as views

app_name = "company_projects"

urlpatterns = [
    path("", views.dashboard, name="home"),
    path("projects/", views.project_list, name="list"),
    path("projects/new/", views.project_new, name="new"),
    path("projects/<int:project_id>/", views.project_detail, name="detail"),
    path("projects/<int:project_id>/edit/", views.project_edit, name="edit"),
    path(
        "projects/<int:project_id>/progress/",
        views.project_progress_fragment,
        name="progress",
    ),
    path(
        "projects/<int:project_id>/state/<slug:action>/",
        views.project_transition_view,
        name="transition",
    ),
    path("projects/<int:project_id>/items/", views.items, name="items"),
    path("projects/<int:project_id>/items/<int:item_id>/", views.item_detail, name="item"),
    path("projects/<int:project_id>/uploads/", views.uploads, name="uploads"),
    path("projects/<int:project_id>/uploads/new/", views.upload_new, name="upload_new"),
    path(
        "projects/<int:project_id>/uploads/<int:upload_id>/",
        views.upload_report,
        name="upload",
    ),
    path(
        "projects/<int:project_id>/uploads/<int:upload_id>/keep/",
        views.upload_keep,
        name="upload_keep",
    ),
    path(
        "projects/<int:project_id>/uploads/<int:upload_id>/discard/",
        views.upload_discard,
        name="upload_discard",
    ),
    path("projects/<int:project_id>/media/", views.media, name="media"),
    path("projects/<int:project_id>/media/new/", views.media_upload, name="media_upload"),
]
