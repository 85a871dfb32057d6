"""Results: the streamed export of 1,000,000 answers (time, peak memory) and the aggregation
of 100,000 items x 3 answers by majority vote and by Dawid-Skene (time), on PostgreSQL.

DATABASE_URL=postgres://postgres@127.0.0.1:5432/loopwork_bench .venv/bin/python -m bench results
.venv/bin/python -m bench results        # SQLite in memory, smaller sizes

Environment: BENCH_EXPORT_ANSWERS (1000000; 100000 on SQLite), BENCH_AGG_ITEMS (100000;
10000 on SQLite). Rows are written with COPY on PostgreSQL (bulk_create on SQLite).

Peak memory is measured twice per format: the growth of the process's peak RSS while the
export runs (the peak is reset through /proc/self/clear_refs first), and the peak of Python
allocations under tracemalloc in a second run (tracemalloc slows it, so that run is not
timed). The export is consumed the way StreamingHttpResponse consumes it.
"""

import json
import os
import random
import time
import tracemalloc
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.utils import timezone
from rich.progress import Progress

from accounts.models import Company, User
from marketplace.aggregation import aggregate_project
from marketplace.export import export_format, export_stream
from marketplace.models import Assignment, Item, ItemResult, Project

from .harness import throwaway_database

ON_POSTGRES = connection.vendor == "postgresql"
EXPORT_ANSWERS = int(os.environ.get("BENCH_EXPORT_ANSWERS", "1000000" if ON_POSTGRES else "100000"))
AGG_ITEMS = int(os.environ.get("BENCH_AGG_ITEMS", "100000" if ON_POSTGRES else "10000"))
EXPORT_OVERLAP = 5
AGG_OVERLAP = 3
WORKERS = 60
LABELS = ["positive", "negative", "neutral"]
BATCH = 5000
SEED = 5

REPRODUCE = (
    "DATABASE_URL=postgres://postgres@127.0.0.1:5432/loopwork_bench "
    ".venv/bin/python -m bench results"
)

ITEM_COLUMNS = (
    "project_id, data, external_id, is_gold, gold_explanation, assigned_count, "
    "submitted_count, extra_answers, is_open, created_at"
)
ASSIGNMENT_COLUMNS = (
    "created_at, updated_at, project_id, item_id, worker_id, is_gold, status, reward_cents, "
    "leased_at, expires_at, submitted_at, answer, work_seconds, is_too_fast, reject_reason, "
    "review_comment, revision_count"
)


# --- Data ---------------------------------------------------------------------------------


def make_project(company: Company, title: str, overlap: int) -> Project:
    return Project.objects.create(
        company=company,
        title=title,
        category="text-annotation",
        interface="classification",
        label_schema={"labels": LABELS, "multiple": False},
        reward_cents=5,
        overlap=overlap,
        status=Project.Status.ACTIVE,
        launched_at=timezone.now(),
    )


def make_workers() -> list[int]:
    users = User.objects.bulk_create(
        User(email=f"results{n}@bench.example", role=User.Role.WORKER, password=make_password(None))
        for n in range(WORKERS)
    )
    return [user.pk for user in users]


def write_items(project: Project, count: int, overlap: int, progress: Progress) -> list[int]:
    task = progress.add_task(f"items of {project.title}", total=count)
    now = timezone.now()
    if ON_POSTGRES:
        sql = f"COPY marketplace_item ({ITEM_COLUMNS}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for n in range(count):
                data = json.dumps({"text": f"Review {n}: the battery lasts all day."})
                copy.write_row(
                    (project.pk, data, f"r{n}", False, "", overlap, overlap, 0, False, now)
                )
                if n % BATCH == 0:
                    progress.advance(task, BATCH)
    else:
        for start in range(0, count, BATCH):
            Item.objects.bulk_create(
                Item(project=project, data={"text": f"Review {n}: the battery lasts all day."},
                     external_id=f"r{n}", assigned_count=overlap, submitted_count=overlap,
                     is_open=False)
                for n in range(start, min(count, start + BATCH))
            )  # fmt: skip
            progress.advance(task, BATCH)
    progress.update(task, completed=count)
    return list(Item.objects.filter(project=project).order_by("pk").values_list("pk", flat=True))


def answer_rows(item_ids: list[int], workers: list[int], overlap: int, rng: random.Random):
    """(item, worker, label): skilled, biased and noisy workers, as in the tests."""
    skills = {
        worker: ("skilled", 0.9)
        if n % 3 == 0
        else ("biased", 0.0)
        if n % 3 == 1
        else ("noisy", 0.6)
        for n, worker in enumerate(workers)
    }
    for item_id in item_ids:
        truth = LABELS[item_id % 3]
        for worker in rng.sample(workers, overlap):
            kind, skill = skills[worker]
            if kind == "biased":
                label = "positive" if rng.random() < 0.85 else rng.choice(LABELS)
            else:
                label = truth if rng.random() < skill else rng.choice(LABELS)
            yield item_id, worker, label


def write_answers(project: Project, rows, total: int, progress: Progress) -> None:
    task = progress.add_task(f"answers of {project.title}", total=total)
    now = timezone.now()
    if ON_POSTGRES:
        sql = f"COPY marketplace_assignment ({ASSIGNMENT_COLUMNS}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for n, (item_id, worker, label) in enumerate(rows):
                copy.write_row(
                    (now, now, project.pk, item_id, worker, False, "submitted", 5, now, now, now,
                     json.dumps({"label": label}), 20, False, "", "", 0)
                )  # fmt: skip
                if n % BATCH == 0:
                    progress.advance(task, BATCH)
            progress.update(task, completed=total)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) marketplace_assignment")
            cursor.execute("VACUUM (ANALYZE) marketplace_item")
        return
    batch = []
    for item_id, worker, label in rows:
        batch.append(
            Assignment(project=project, item_id=item_id, worker_id=worker, status="submitted",
                       reward_cents=5, leased_at=now, expires_at=now, submitted_at=now,
                       answer={"label": label}, work_seconds=20)
        )  # fmt: skip
        if len(batch) == BATCH:
            Assignment.objects.bulk_create(batch)
            progress.advance(task, len(batch))
            batch = []
    Assignment.objects.bulk_create(batch)
    progress.update(task, completed=total)


# --- Measurements -------------------------------------------------------------------------


def _status_kib(name: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1])
    return 0


def _reset_peak_rss() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def timed_export(project: Project, name: str) -> dict:
    """Time and peak RSS growth of one export, consumed piece by piece."""
    resettable = _reset_peak_rss()
    before = _status_kib("VmRSS")
    started = time.perf_counter()
    size = pieces = 0
    for piece in export_stream(project, export_format(name)):
        size += len(piece.encode())
        pieces += 1
    elapsed = time.perf_counter() - started
    growth = _status_kib("VmHWM") - before if resettable else None
    return {"seconds": elapsed, "bytes": size, "pieces": pieces, "rss_growth_kib": growth}


def traced_export(project: Project, name: str) -> int:
    tracemalloc.start()
    try:
        for _piece in export_stream(project, export_format(name)):
            pass
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak


def accuracy(project: Project, truth_of) -> float:
    results = ItemResult.objects.filter(project=project).values_list("item_id", "answer")
    hits = total = 0
    for item_id, answer in results.iterator(chunk_size=10_000):
        hits += answer["label"] == truth_of(item_id)
        total += 1
    return hits / total if total else 0.0


def run() -> None:
    lines = []
    with throwaway_database():
        company = Company.objects.create(name="Bench company", slug="bench-company")
        workers = make_workers()
        rng = random.Random(SEED)
        export_items = EXPORT_ANSWERS // EXPORT_OVERLAP
        with Progress() as progress:
            export_project = make_project(company, "Export", EXPORT_OVERLAP)
            ids = write_items(export_project, export_items, EXPORT_OVERLAP, progress)
            write_answers(
                export_project,
                answer_rows(ids, workers, EXPORT_OVERLAP, rng),
                export_items * EXPORT_OVERLAP,
                progress,
            )
            warm_project = make_project(company, "Warm-up", AGG_OVERLAP)
            warm_ids = write_items(warm_project, 30, AGG_OVERLAP, progress)
            write_answers(
                warm_project, answer_rows(warm_ids, workers, AGG_OVERLAP, rng), 90, progress
            )
            agg_project = make_project(company, "Aggregation", AGG_OVERLAP)
            agg_ids = write_items(agg_project, AGG_ITEMS, AGG_OVERLAP, progress)
            write_answers(
                agg_project,
                answer_rows(agg_ids, workers, AGG_OVERLAP, rng),
                AGG_ITEMS * AGG_OVERLAP,
                progress,
            )
        answers = export_items * EXPORT_OVERLAP
        lines.append(
            f"\nExport of {answers:,} answers ({export_items:,} items x {EXPORT_OVERLAP}), "
            f"streamed, on {connection.vendor}"
        )
        for name in ("csv", "jsonl"):
            figures = timed_export(export_project, name)
            peak = traced_export(export_project, name)
            rss = figures["rss_growth_kib"]
            lines.append(
                f"  {name:<5} {figures['seconds']:7.1f} s  {figures['bytes'] / 1e6:8.1f} MB out  "
                f"{answers / figures['seconds']:9,.0f} answers/s  peak Python allocations "
                f"{peak / 1e6:6.2f} MB (tracemalloc)  peak RSS growth "
                + (f"{rss / 1024:6.1f} MB" if rss is not None else "n/a")
            )

        def truth_of(item_id: int) -> str:
            return LABELS[item_id % 3]

        lines.append(
            f"\nAggregation of {AGG_ITEMS:,} items x {AGG_OVERLAP} answers "
            f"({WORKERS} workers: skilled, biased, noisy), results and agreements written"
        )
        # Dawid-Skene's first run imports pandas and crowd-kit (seconds): not the figure.
        aggregate_project(warm_project.pk, "ds")
        for method, label in (("mv", "majority vote"), ("ds", "Dawid-Skene")):
            started = time.perf_counter()
            written = aggregate_project(agg_project.pk, method)
            elapsed = time.perf_counter() - started
            lines.append(
                f"  {label:<14} {elapsed:7.1f} s  {written:,} results  "
                f"accuracy {accuracy(agg_project, truth_of):.3f}"
            )
    print("\n".join(lines))
    print(f"  reproduce: {REPRODUCE}")
