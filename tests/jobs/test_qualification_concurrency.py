"""Two tabs starting at once get one attempt; two submits at once grade once.

Threads each use their own database connection, so this needs PostgreSQL (SQLite in
memory cannot be shared between connections and serialises writers anyway).
"""

import threading

import pytest
from django.db import connections

from jobs import qualification as services
from jobs.qualification_models import QualificationAttempt, QualificationGrant
from tests.factories import WorkerFactory
from tests.jobs.qualification_factories import answers_for, make_qualification_test

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def run_together(function, count=2):
    barrier = threading.Barrier(count)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(function())
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results, errors


def test_two_concurrent_starts_return_the_same_attempt():
    worker = WorkerFactory()
    test = make_qualification_test()
    results, errors = run_together(lambda: services.attempt_start(worker=worker, test=test), 4)
    assert errors == []
    assert len({attempt.pk for attempt in results}) == 1
    assert QualificationAttempt.objects.filter(worker=worker).count() == 1


def test_two_concurrent_submits_grade_once():
    worker = WorkerFactory()
    test = make_qualification_test()
    attempt = services.attempt_start(worker=worker, test=test)
    answers = answers_for(attempt)
    results, errors = run_together(
        lambda: services.attempt_submit(attempt=attempt, worker=worker, answers=answers)
    )
    assert errors == []
    assert {(a.status, a.score, a.ended_at) for a in results} == {
        ("passed", 100, results[0].ended_at)
    }
    assert QualificationGrant.objects.filter(worker=worker).count() == 1
