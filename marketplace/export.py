"""Export of a project's results as CSV or JSONL, streamed in flat memory.

One record per real item (gold items are checks, not results): the item's id, the company's
external id, the item's fields, the aggregated answer with its confidence and method, and
the individual answers that count (submitted or approved) with pseudonymous worker ids.

Two queries are read side by side in chunks, both in item order: the items (with their
results) and the answers. Each item's answers are gathered while its record is written, so
memory holds one chunk of each query, never the project: a million answers export in the
same memory as a thousand.

CSV is one row per item, the answers as a JSON column. A cell that starts with = + - @, a
tab or a carriage return is prefixed with a single quote, so a spreadsheet never runs it as
a formula (CSV injection).
"""

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder

from annotation.registry import get_interface
from core.errors import LoopworkError

from .aggregation import COUNTED
from .models import Assignment, Item, Project
from .selectors import worker_pseudonym

READ_CHUNK = 2000
WRITE_BYTES = 64 * 1024
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportFormat:
    name: str
    content_type: str
    extension: str


FORMATS = {
    "csv": ExportFormat("csv", "text/csv; charset=utf-8", "csv"),
    "jsonl": ExportFormat("jsonl", "application/x-ndjson; charset=utf-8", "jsonl"),
}


def export_format(name) -> ExportFormat:
    """The format called `name`; refuses any other with code `invalid_format` (422)."""
    found = FORMATS.get(name) if isinstance(name, str) else None
    if found is None:
        raise LoopworkError(
            "Choose the format csv or jsonl.", code="invalid_format", field="format", status=422
        )
    return found


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder, separators=(",", ":"))


def neutralise(cell):
    """A CSV cell a spreadsheet will show as text, never evaluate as a formula."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def result_records(project: Project) -> Iterator[dict]:
    """One dict per real item in id order, built while two chunked queries are read."""
    items = (
        Item.objects.filter(project_id=project.pk, is_gold=False)
        .order_by("pk")
        .values_list(
            "pk",
            "external_id",
            "data",
            "result__answer",
            "result__confidence",
            "result__method",
            "extra_answers",
        )
        .iterator(chunk_size=READ_CHUNK)
    )
    answers = (
        Assignment.objects.filter(project_id=project.pk, is_gold=False, status__in=COUNTED)
        .order_by("item_id", "pk")
        .values_list("item_id", "worker_id", "answer", "status", "submitted_at")
        .iterator(chunk_size=READ_CHUNK)
    )
    pseudonyms: dict[int, str] = {}

    def pseudonym(worker_id: int) -> str:
        if worker_id not in pseudonyms:
            pseudonyms[worker_id] = worker_pseudonym(
                company_id=project.company_id, worker_id=worker_id
            )
        return pseudonyms[worker_id]

    pending = next(answers, None)
    for pk, external_id, data, answer, confidence, method, extra_answers in items:
        # Answers of items not listed (none: both queries see the same project) are skipped.
        while pending is not None and pending[0] < pk:
            pending = next(answers, None)
        given = []
        while pending is not None and pending[0] == pk:
            _item, worker_id, value, status, submitted_at = pending
            given.append(
                {
                    "worker": pseudonym(worker_id),
                    "answer": value,
                    "status": status,
                    "submitted_at": submitted_at,
                }
            )
            pending = next(answers, None)
        yield {
            "item_id": pk,
            "external_id": external_id,
            "data": data,
            "answer": answer,
            "confidence": confidence,
            "method": method or "",
            "answer_count": len(given),
            "answers_needed": project.overlap + extra_answers,
            "answers": given,
        }


class _Line:
    """csv.writer's file: hands back each written line instead of storing it."""

    def write(self, value: str) -> str:
        return value


def _buffered(lines: Iterable[str]) -> Iterator[str]:
    """Joins lines into pieces of about WRITE_BYTES, so the response is not a write per row."""
    parts, size = [], 0
    for line in lines:
        parts.append(line)
        size += len(line)
        if size >= WRITE_BYTES:
            yield "".join(parts)
            parts, size = [], 0
    if parts:
        yield "".join(parts)


def _csv_lines(project: Project) -> Iterator[str]:
    fields = [field.name for field in get_interface(project.interface).input_fields]
    writer = csv.writer(_Line())
    yield writer.writerow(
        [
            "item_id",
            "external_id",
            *fields,
            "answer",
            "confidence",
            "method",
            "answer_count",
            "answers_needed",
            "answers",
        ]
    )
    for record in result_records(project):
        data = record["data"] or {}
        values = [data.get(name, "") for name in fields]
        row = [
            record["item_id"],
            record["external_id"],
            *(value if isinstance(value, str) else _dumps(value) for value in values),
            "" if record["answer"] is None else _dumps(record["answer"]),
            "" if record["confidence"] is None else record["confidence"],
            record["method"],
            record["answer_count"],
            record["answers_needed"],
            _dumps(record["answers"]),
        ]
        yield writer.writerow([neutralise(cell) for cell in row])


def _jsonl_lines(project: Project) -> Iterator[str]:
    for record in result_records(project):
        yield _dumps(record) + "\n"


def export_stream(project: Project, fmt: ExportFormat) -> Iterator[str]:
    """The export as an iterator of text pieces, for a StreamingHttpResponse."""
    lines = _csv_lines(project) if fmt.name == "csv" else _jsonl_lines(project)
    return _buffered(lines)


def export_filename(project: Project, fmt: ExportFormat) -> str:
    return f"project-{project.pk}-results.{fmt.extension}"
