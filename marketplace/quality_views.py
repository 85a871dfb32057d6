"""The quality pages: a project's per-worker figures for its company, a worker's own summary."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from core.access import company_role_required, worker_required

from .models import Project
from .quality_selectors import (
    DEFAULT_SORT,
    SORTS,
    project_quality_page,
    project_quality_rows,
    project_quality_totals,
    project_too_fast_flags,
    worker_quality_summary,
)

ALL_ROLES = ("owner", "manager", "reviewer")
WORKERS_PER_PAGE = 50
# Columns of the company's table: (sort key or None, label).
COLUMNS = [
    (None, "Worker"),
    ("answers", "Answers"),
    ("accuracy", "Gold accuracy"),
    ("agreement", "Agreement with majority"),
    ("time", "Median time"),
    ("fast", "Too fast"),
    (None, "Status"),
]


@company_role_required(*ALL_ROLES)
@require_GET
def project_quality(request, project_id: int):
    project = get_object_or_404(Project, pk=project_id, company=request.membership.company)
    sort = request.GET.get("sort", DEFAULT_SORT)
    if sort not in SORTS:
        sort = DEFAULT_SORT
    descending = request.GET.get("dir") == "desc"
    rows = project_quality_rows(project=project, sort=sort, descending=descending)
    page = Paginator(rows, WORKERS_PER_PAGE).get_page(request.GET.get("page"))
    columns = [
        {
            "key": key,
            "label": label,
            "current": key == sort,
            # Clicking the current column flips its direction; another column starts ascending.
            "next_dir": "asc" if key == sort and descending else "desc" if key == sort else "asc",
        }
        for key, label in COLUMNS
    ]
    return render(
        request,
        "marketplace/company/quality.html",
        {
            "project": project,
            "tab": "quality",
            "can_manage": request.membership.can_manage,
            "is_final": project.status in (Project.Status.COMPLETED, Project.Status.CANCELLED),
            "page_obj": page,
            "workers": project_quality_page(project=project, rows=list(page.object_list)),
            "totals": project_quality_totals(project=project),
            "flags": project_too_fast_flags(project=project),
            "columns": columns,
            "sort": sort,
            "direction": "desc" if descending else "asc",
            "query": f"sort={sort}&dir={'desc' if descending else 'asc'}",
        },
    )


@worker_required
@require_GET
def worker_quality(request):
    return render(
        request,
        "marketplace/worker_quality.html",
        {"projects": worker_quality_summary(worker=request.user)},
    )
