from django.urls import path

from . import history_views, quality_views, views

app_name = "work"

urlpatterns = [
    path("", views.home, name="home"),
    path("listings/<int:listing_id>/tasks/", views.listing_tasks, name="listing_tasks"),
    path("projects/<int:project_id>/", views.project_detail, name="project"),
    path("projects/<int:project_id>/start/", views.project_start, name="project_start"),
    path("projects/<int:project_id>/done/", views.project_done, name="project_done"),
    path("tasks/<int:assignment_id>/", views.task_page, name="task"),
    path("tasks/<int:assignment_id>/submit/", views.task_submit, name="task_submit"),
    path("tasks/<int:assignment_id>/return/", views.task_return, name="task_return"),
    path("quality/", quality_views.worker_quality, name="quality"),
    path("history/", history_views.history, name="history"),
    path(
        "history/<int:assignment_id>/dispute/",
        history_views.history_dispute,
        name="history_dispute",
    ),
    path(
        "history/<int:assignment_id>/revise/", history_views.history_revise, name="history_revise"
    ),
    path("projects/<int:project_id>/appeal/", history_views.stop_appeal_view, name="stop_appeal"),
    path("companies/<int:company_id>/rate/", history_views.company_rate, name="company_rate"),
]
