"""The company's results page of a project: summary, confidence chart, low-confidence items,
"Aggregate now" and the CSV / JSONL downloads. Scoped to request.membership.company."""

from django.contrib import messages
from django.db import transaction
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from annotation.registry import get_interface
from core.access import company_role_required
from core.errors import LoopworkError

from .aggregation import METHOD_NAMES, low_confidence_results, results_summary
from .export import export_filename, export_format, export_stream
from .models import Project
from .selectors import item_preview
from .tasks import aggregate_project_task

ALL_ROLES = ("owner", "manager", "reviewer")
MANAGERS = ("owner", "manager")


CHART_TOP, CHART_BASE, BAND_WIDTH = 34, 210, 50


def _chart(summary, target: float) -> list[dict]:
    """The histogram's bars in the SVG's coordinates (drawn on the server: no script)."""
    bars = []
    for index, band in enumerate(summary.histogram):
        height = round(band["height"] / 100 * (CHART_BASE - CHART_TOP), 1)
        low, high = round(band["low"] * 100), round(band["high"] * 100)
        bars.append(
            {
                "x": index * BAND_WIDTH + 5,
                "middle": index * BAND_WIDTH + BAND_WIDTH // 2,
                "y": CHART_BASE - height,
                "height": height,
                "count_y": CHART_BASE - height - 6,
                "count": band["count"],
                "label": f"{low} to {high}%",
                "short": f"{low}+",
                "is_low": band["high"] <= target + 1e-9,
            }
        )
    return bars


def _project(request, project_id: int) -> Project:
    return get_object_or_404(Project, pk=project_id, company=request.membership.company)


@company_role_required(*ALL_ROLES)
@require_GET
def project_results(request, project_id: int):
    project = _project(request, project_id)
    interface = get_interface(project.interface)
    summary = results_summary(project=project)
    low = low_confidence_results(project=project)
    for result in low:
        result.preview = item_preview(result.item.data)
        result.answer_display = interface.describe_answer(result.answer or {}, project.label_schema)
        result.method_display = METHOD_NAMES.get(result.method, result.method)
    return render(
        request,
        "marketplace/company/results.html",
        {
            "project": project,
            "tab": "results",
            "can_manage": request.membership.can_manage,
            "is_final": project.status in (Project.Status.COMPLETED, Project.Status.CANCELLED),
            "summary": summary,
            "chart": _chart(summary, project.confidence_target),
            "low_confidence": low,
            "target_percent": round(project.confidence_target * 100),
        },
    )


@company_role_required(*MANAGERS)
@require_POST
def project_results_aggregate(request, project_id: int):
    """Queue the whole project's aggregation (Dawid-Skene for categories) after commit."""
    project = _project(request, project_id)
    transaction.on_commit(lambda: aggregate_project_task.delay(project.pk))
    messages.success(
        request, "Aggregation has started. Large projects take a minute; reload to see it."
    )
    return redirect("company_projects:results", project_id=project.pk)


@company_role_required(*ALL_ROLES)
@require_GET
def project_results_export(request, project_id: int, fmt: str):
    project = _project(request, project_id)
    try:
        chosen = export_format(fmt)
    except LoopworkError as error:
        messages.error(request, error.message)
        return redirect("company_projects:results", project_id=project.pk)
    response = StreamingHttpResponse(
        export_stream(project, chosen), content_type=chosen.content_type
    )
    response["Content-Disposition"] = f'attachment; filename="{export_filename(project, chosen)}"'
    return response
