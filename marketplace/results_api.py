"""API: a project's results, streamed as JSONL or CSV (`GET /api/v1/projects/{id}/results`).

Any member of the project's company may read them; for anyone else the project does not
exist (404). The body is streamed in item order, so its size does not bound memory.
"""

from typing import Literal

from django.http import StreamingHttpResponse
from ninja import Query, Router, Schema

from core.errors import LoopworkError

from .export import export_filename, export_format, export_stream
from .models import Project
from .project_api import ERRORS

router = Router(tags=["results"])

RECORD_SCHEMA = {
    "type": "object",
    "description": "One item's result (one line of JSONL).",
    "properties": {
        "item_id": {"type": "integer"},
        "external_id": {"type": "string"},
        "data": {"type": "object", "description": "The item's fields."},
        "answer": {"type": ["object", "null"], "description": "The aggregated answer."},
        "confidence": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
        "method": {"type": "string", "description": "majority_vote, dawid_skene, mean..."},
        "answer_count": {"type": "integer"},
        "answers": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "worker": {"type": "string", "description": "Pseudonymous worker id."},
                    "answer": {"type": "object"},
                    "status": {"type": "string"},
                    "submitted_at": {"type": "string", "format": "date-time"},
                },
            },
        },
    },
}


class ResultsQuery(Schema):
    format: Literal["jsonl", "csv"] = "jsonl"


@router.get(
    "projects/{int:project_id}/results",
    summary="A project's results, streamed",
    description=(
        "One record per item (gold items excluded): its fields, the aggregated answer with "
        "its confidence and method, and each counted answer with a pseudonymous worker id. "
        "`format=jsonl` (default): one JSON object per line. `format=csv`: one row per item, "
        "the answers as a JSON column; cells that start with = + - @ are prefixed with '. "
        "Any member of the project's company; 404 for everyone else."
    ),
    response=ERRORS,
    openapi_extra={
        "responses": {
            200: {
                "description": "The results, streamed.",
                "content": {
                    "application/x-ndjson": {"schema": {"type": "string"}},
                    "text/csv": {"schema": {"type": "string"}},
                },
                "x-jsonl-record": RECORD_SCHEMA,
            }
        }
    },
)
def get_results(request, project_id: int, query: Query[ResultsQuery]):
    membership = request.user.company_membership
    project = (
        Project.objects.filter(company=membership.company, pk=project_id).first()
        if membership is not None
        else None
    )
    if project is None:
        raise LoopworkError("No such project.", code="not_found", status=404)
    chosen = export_format(query.format)
    response = StreamingHttpResponse(
        export_stream(project, chosen), content_type=chosen.content_type
    )
    response["Content-Disposition"] = f'attachment; filename="{export_filename(project, chosen)}"'
    return response
