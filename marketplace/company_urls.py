from django.urls import path

from . import company_views as views
from . import launch_views, quality_views, results_views, review_views, webhook_views

app_name = "company_projects"

urlpatterns = [
    path("", views.dashboard, name="home"),
    path("projects/", views.project_list, name="list"),
    path("projects/new/", views.project_new, name="new"),
    path("projects/<int:project_id>/", views.project_detail, name="detail"),
    path("projects/<int:project_id>/results/", results_views.project_results, name="results"),
    path(
        "projects/<int:project_id>/results/aggregate/",
        results_views.project_results_aggregate,
        name="results_aggregate",
    ),
    path(
        "projects/<int:project_id>/results/export.<slug:fmt>",
        results_views.project_results_export,
        name="results_export",
    ),
    path("projects/<int:project_id>/edit/", views.project_edit, name="edit"),
    path(
        "projects/<int:project_id>/progress/",
        views.project_progress_fragment,
        name="progress",
    ),
    path("projects/<int:project_id>/launch/", launch_views.project_launch_page, name="launch"),
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
    path("projects/<int:project_id>/quality/", quality_views.project_quality, name="quality"),
    path("webhooks/", webhook_views.webhooks, name="webhooks"),
    path("webhooks/<int:endpoint_id>/rotate/", webhook_views.webhook_rotate, name="webhook_rotate"),
    path("webhooks/<int:endpoint_id>/active/", webhook_views.webhook_toggle, name="webhook_toggle"),
    path("webhooks/<int:endpoint_id>/delete/", webhook_views.webhook_delete, name="webhook_delete"),
    path("webhooks/<int:endpoint_id>/test/", webhook_views.webhook_test, name="webhook_test"),
    path("projects/<int:project_id>/review/", review_views.review_list, name="review"),
    path(
        "projects/<int:project_id>/review/bulk/", review_views.review_bulk_view, name="review_bulk"
    ),
    path(
        "projects/<int:project_id>/review/<int:assignment_id>/",
        review_views.review_detail,
        name="review_detail",
    ),
    path(
        "projects/<int:project_id>/review/<int:assignment_id>/approve/",
        review_views.review_approve_view,
        name="review_approve",
    ),
    path(
        "projects/<int:project_id>/review/<int:assignment_id>/reject/",
        review_views.review_reject_view,
        name="review_reject",
    ),
    path(
        "projects/<int:project_id>/review/<int:assignment_id>/revision/",
        review_views.review_revision_view,
        name="review_revision",
    ),
    path(
        "projects/<int:project_id>/review/<int:assignment_id>/bonus/",
        review_views.review_bonus_view,
        name="review_bonus",
    ),
]
