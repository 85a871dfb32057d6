from django.urls import path

from . import views

app_name = "work"

urlpatterns = [
    path("", views.home, name="home"),
    path("projects/<int:project_id>/", views.project_detail, name="project"),
    path("projects/<int:project_id>/start/", views.project_start, name="project_start"),
    path("projects/<int:project_id>/done/", views.project_done, name="project_done"),
    path("tasks/<int:assignment_id>/", views.task_page, name="task"),
    path("tasks/<int:assignment_id>/submit/", views.task_submit, name="task_submit"),
    path("tasks/<int:assignment_id>/return/", views.task_return, name="task_return"),
]
