"""Shared pieces: a throwaway database and latency percentiles."""

import statistics
import time
from collections.abc import Callable
from contextlib import contextmanager

from django.db import connection
from django.test.utils import setup_test_environment, teardown_test_environment


@contextmanager
def throwaway_database():
    """A fresh, migrated test database (SQLite in memory, or test_<name> on PostgreSQL)."""
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)
        teardown_test_environment()


@contextmanager
def counted_queries():
    """Counts the queries run inside it (a wrapper, so requests' query-log resets don't matter)."""
    count = [0]

    def wrapper(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield count


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    cut = statistics.quantiles(ordered, n=100, method="inclusive")
    return {"p50": cut[49], "p95": cut[94], "p99": cut[98], "max": ordered[-1]}


def measure(call: Callable[[], object], *, runs: int, warmup: int = 5) -> dict[str, float]:
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return percentiles(samples)


def report(title: str, rows: list[tuple[str, dict[str, float], str]]) -> None:
    print(f"\n{title}")
    print(f"  {'case':<46} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  note")
    for name, figures, note in rows:
        p50, p95, p99 = figures["p50"], figures["p95"], figures["p99"]
        print(f"  {name:<46} {p50:>8.2f} {p95:>8.2f} {p99:>8.2f}  {note}")
