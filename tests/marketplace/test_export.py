"""The results export: its records, CSV and JSONL shapes, CSV injection, streaming in chunks
and memory that stays flat as the project grows."""

import csv
import io
import json
import tracemalloc
import types

import pytest
from django.db import connection
from django.db.models.query import QuerySet
from django.utils import timezone

from accounts.models import User
from annotation.registry import get_interface
from core.errors import LoopworkError
from marketplace import export
from marketplace.aggregation import aggregate_project
from marketplace.export import export_format, export_stream, neutralise, result_records
from marketplace.models import Assignment, Item
from marketplace.selectors import worker_pseudonym
from tests.marketplace.factories import bulk_answers, make_items, make_project, make_workers_fast

pytestmark = pytest.mark.django_db


def small_project():
    """Two answered items, one unanswered item, a gold item and a rejected answer."""
    project = make_project(overlap=2)
    first, second, unanswered = make_items(project, 3)
    Item.objects.filter(pk=first.pk).update(external_id="row-1")
    gold = make_items(project, 1, gold_label="positive")[0]
    ann, bob, cy = make_workers_fast(3, prefix="exporter")
    bulk_answers(
        [
            (first, ann, {"label": "positive"}),
            (first, bob, {"label": "positive"}),
            (second, ann, {"label": "negative"}),
            (gold, ann, {"label": "positive"}),
        ]
    )
    bulk_answers([(second, cy, {"label": "neutral"})], status=Assignment.Status.REJECTED)
    aggregate_project(project.pk, "mv")
    return project, (first, second, unanswered), (ann, bob, cy)


def text(project, name: str) -> str:
    return "".join(export_stream(project, export_format(name)))


def test_jsonl_has_one_object_per_real_item_with_pseudonymous_answers():
    project, (first, second, unanswered), (ann, bob, _cy) = small_project()

    lines = text(project, "jsonl").splitlines()

    records = [json.loads(line) for line in lines]
    assert [r["item_id"] for r in records] == [first.pk, second.pk, unanswered.pk]
    top = records[0]
    assert top["external_id"] == "row-1"
    assert top["data"] == {"text": "Review number 0: the battery lasts all day."}
    assert top["answer"] == {"label": "positive"}
    assert top["confidence"] == 1.0
    assert top["method"] == "majority_vote"
    assert top["answer_count"] == 2
    pseudonym = worker_pseudonym(company_id=project.company_id, worker_id=ann.pk)
    assert [a["worker"] for a in top["answers"]] == [
        pseudonym,
        worker_pseudonym(company_id=project.company_id, worker_id=bob.pk),
    ]
    assert top["answers"][0]["answer"] == {"label": "positive"}
    assert top["answers"][0]["status"] == "submitted"
    # The rejected answer is not exported; the unanswered item has no result.
    assert [a["answer"] for a in records[1]["answers"]] == [{"label": "negative"}]
    assert records[2] | {"data": None} == {
        "item_id": unanswered.pk, "external_id": "", "data": None, "answer": None,
        "confidence": None, "method": "", "answer_count": 0,
        "answers_needed": project.overlap, "answers": [],
    }  # fmt: skip
    assert ann.email not in "\n".join(lines)


def test_csv_is_one_row_per_item_with_the_answers_as_json():
    project, (first, _second, _unanswered), _workers = small_project()

    rows = list(csv.reader(io.StringIO(text(project, "csv"))))

    fields = [field.name for field in get_interface("classification").input_fields]
    assert "text" in fields
    assert rows[0] == [
        "item_id", "external_id", *fields, "answer", "confidence", "method", "answer_count",
        "answers_needed", "answers",
    ]  # fmt: skip
    assert len(rows) == 4
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["item_id"] == str(first.pk)
    assert row["text"] == "Review number 0: the battery lasts all day."
    assert {row[name] for name in fields if name != "text"} <= {""}
    assert json.loads(row["answer"]) == {"label": "positive"}
    assert row["confidence"] == "1.0"
    assert len(json.loads(row["answers"])) == 2


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_that_could_run_as_a_formula_is_neutralised(start):
    assert neutralise(f'{start}HYPERLINK("http://evil")') == f'\'{start}HYPERLINK("http://evil")'
    assert neutralise("plain") == "plain"
    assert neutralise(-3) == -3


def test_csv_injection_in_item_fields_and_external_ids_is_neutralised():
    project = make_project(overlap=1)
    item = make_items(project, 1)[0]
    Item.objects.filter(pk=item.pk).update(
        external_id="=cmd|' /C calc'!A0", data={"text": "@SUM(1+1)*cmd"}
    )
    (worker,) = make_workers_fast(1, prefix="inject")
    bulk_answers([(item, worker, {"label": "positive"})])

    rows = list(csv.reader(io.StringIO(text(project, "csv"))))

    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["external_id"] == "'=cmd|' /C calc'!A0"
    assert row["text"] == "'@SUM(1+1)*cmd"
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_an_unknown_format_is_refused():
    with pytest.raises(LoopworkError) as refused:
        export_format("xlsx")
    assert (refused.value.code, refused.value.status, refused.value.field) == (
        "invalid_format",
        422,
        "format",
    )


def test_the_export_is_a_generator_over_chunked_queries(monkeypatch):
    project, _items, _workers = small_project()
    chunk_sizes = []
    original = QuerySet.iterator

    def spy(self, chunk_size=None):
        chunk_sizes.append(chunk_size)
        return original(self, chunk_size=chunk_size)

    monkeypatch.setattr(QuerySet, "iterator", spy)

    stream = export_stream(project, export_format("jsonl"))
    assert isinstance(stream, types.GeneratorType)
    assert chunk_sizes == []  # nothing is read before the response is consumed
    records = result_records(project)
    assert isinstance(records, types.GeneratorType)
    next(records)
    assert chunk_sizes == [export.READ_CHUNK, export.READ_CHUNK]
    assert "".join(stream).count("\n") == 3


def project_with_answers(items: int, per_item: int = 10):
    """`items` items with `per_item` answers each, the answers written by one INSERT ... SELECT
    (bulk_create would take a thousand statements on SQLite)."""
    project = make_project(overlap=per_item)
    make_workers_fast(per_item, prefix=f"mem{items}-")
    make_items(project, items)
    now = timezone.now()
    table, items_table, users = (
        Assignment._meta.db_table, Item._meta.db_table, User._meta.db_table,
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (created_at, updated_at, project_id, item_id, worker_id, "  # noqa: S608 (model tables)
            "is_gold, status, reward_cents, leased_at, expires_at, submitted_at, answer, "
            "work_seconds, is_too_fast, reject_reason, review_comment, revision_count) "
            "SELECT %s, %s, i.project_id, i.id, u.id, %s, 'submitted', 5, %s, %s, %s, "
            f"%s, 20, %s, '', '', 0 FROM {items_table} i CROSS JOIN {users} u "
            "WHERE i.project_id = %s AND u.email LIKE %s",
            [
                now,
                now,
                False,
                now,
                now,
                now,
                '{"label": "positive"}',
                False,
                project.pk,
                f"mem{items}-%",
            ],
        )
    return project


def peak_bytes_of_export(project, name: str) -> tuple[int, int]:
    tracemalloc.start()
    try:
        size = sum(len(piece) for piece in export_stream(project, export_format(name)))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, size


def test_memory_stays_flat_from_5k_to_50k_answers(monkeypatch):
    # JSONL and CSV share the chunked record stream measured here; CSV only formats each row.
    monkeypatch.setattr(export, "READ_CHUNK", 500)
    small = project_with_answers(500)
    large = project_with_answers(5_000)
    assert Assignment.objects.filter(project=large).count() == 50_000

    small_peak, small_size = peak_bytes_of_export(small, "jsonl")
    large_peak, large_size = peak_bytes_of_export(large, "jsonl")

    assert large_size > 9 * small_size
    # Ten times the answers, memory within the same bound (the output alone is ~7 MB).
    assert large_peak < small_peak * 1.5 + 256 * 1024, (small_peak, large_peak)
    assert large_peak < large_size / 4
