"""The engine under real concurrency: threads, each with its own database connection."""

import datetime
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from django.db.models import Count, Q

from core.errors import LoopworkError
from marketplace.assignment import (
    assignment_claim_next,
    assignment_submit,
    leases_reclaim_expired,
)
from marketplace.models import Assignment, Item, Project
from tests.factories import WorkerFactory
from tests.marketplace.factories import NoGold, make_items, make_project

# On SQLite (a file in tests, as in the product) writers are serialised by IMMEDIATE
# transactions; on PostgreSQL by row locks with SKIP LOCKED. The same checks hold on both.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


NOON = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)


def in_threads(count: int, work) -> list:
    """Run work(index) in `count` threads started together; re-raise the first error."""
    barrier = threading.Barrier(count)

    def run(index):
        try:
            barrier.wait()
            return work(index)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def assert_counters_match_real_counts(project: Project) -> None:
    items = Item.objects.filter(project=project).annotate(
        holding=Count("assignments", filter=Q(assignments__status__in=Assignment.HOLDS_PLACE)),
        answered=Count("assignments", filter=Q(assignments__status__in=Assignment.COUNTED)),
    )
    for item in items:
        assert item.assigned_count == item.holding, item.pk
        assert item.submitted_count == item.answered, item.pk
        if not item.is_gold:
            assert item.holding <= project.overlap, item.pk
            assert item.is_open == (item.holding < project.overlap), item.pk
    repeats = Assignment.objects.values("item", "worker").annotate(n=Count("pk")).filter(n__gt=1)
    assert not repeats.exists()


def test_sixteen_workers_finish_a_project_without_over_assignment():
    project = make_project(overlap=3)
    make_items(project, 40)
    workers = [WorkerFactory() for _ in range(16)]

    def work(index):
        worker, done = workers[index], 0
        while (assignment := assignment_claim_next(
            worker=worker, project=project, rng=NoGold()
        )) is not None:  # fmt: skip
            assignment_submit(
                worker=worker, assignment_id=assignment.pk, answer={"label": "positive"}
            )
            done += 1
        return done

    done = in_threads(16, work)

    assert sum(done) == 120
    answers = Counter(
        Assignment.objects.filter(status=Assignment.Status.SUBMITTED).values_list("item", flat=True)
    )
    assert set(answers.values()) == {3}
    assert len(answers) == 40
    assert_counters_match_real_counts(project)
    project.refresh_from_db()
    assert project.status == Project.Status.COMPLETED


def test_one_worker_claiming_in_parallel_gets_one_lease():
    project = make_project(overlap=1)
    make_items(project, 10)
    worker = WorkerFactory()

    leased = in_threads(
        8, lambda _i: assignment_claim_next(worker=worker, project=project, rng=NoGold()).pk
    )

    assert len(set(leased)) == 1
    assert Assignment.objects.count() == 1
    assert_counters_match_real_counts(project)


def test_one_worker_racing_in_several_tabs_never_passes_the_cap():
    project = make_project(overlap=1, max_assignments_per_worker=3)
    make_items(project, 20)
    worker = WorkerFactory()

    def work(_index):
        for _ in range(10):
            try:
                assignment = assignment_claim_next(worker=worker, project=project, rng=NoGold())
            except LoopworkError as refusal:
                assert refusal.code == "cap_reached"
                return
            assert assignment is not None
            assignment_submit(
                worker=worker, assignment_id=assignment.pk, answer={"label": "positive"}
            )

    in_threads(6, work)

    assert Assignment.objects.filter(worker=worker, status="submitted").count() == 3
    assert Assignment.objects.count() == 3
    assert_counters_match_real_counts(project)


def test_one_worker_submitting_in_parallel_records_one_answer():
    project = make_project(overlap=2)
    (item,) = make_items(project, 1)
    worker = WorkerFactory()
    assignment = assignment_claim_next(worker=worker, project=project, rng=NoGold())
    labels = ["positive", "negative", "neutral"]

    results = in_threads(
        8,
        lambda i: (
            assignment_submit(
                worker=worker, assignment_id=assignment.pk, answer={"label": labels[i % 3]}
            ).status
        ),
    )

    assert set(results) == {Assignment.Status.SUBMITTED}
    assignment.refresh_from_db()
    assert assignment.answer["label"] in labels
    item.refresh_from_db()
    assert (item.assigned_count, item.submitted_count) == (1, 1)


def test_reclaims_racing_late_submits_and_new_claims_stay_consistent():
    project = make_project(overlap=1, lease_seconds=60)
    make_items(project, 12)
    slow = [WorkerFactory() for _ in range(12)]
    quick = [WorkerFactory() for _ in range(6)]
    leases = [
        assignment_claim_next(worker=worker, project=project, rng=NoGold(), now=NOON)
        for worker in slow
    ]
    late = NOON + datetime.timedelta(minutes=5)

    def work(index):
        if index < 12:  # a slow worker's late answer
            try:
                assignment_submit(
                    worker=slow[index],
                    assignment_id=leases[index].pk,
                    answer={"label": "positive"},
                    now=late,
                )
            except LoopworkError as refusal:
                assert refusal.code == "lease_expired"
                return "refused"
            return "accepted"
        elif index < 18:  # a quick worker takes whatever was reclaimed
            assignment_claim_next(worker=quick[index - 12], project=project, rng=NoGold(), now=late)
        else:  # the beat task, twice at once
            leases_reclaim_expired(now=late)
        return None

    outcomes = Counter(in_threads(20, work))

    assert outcomes["accepted"] + outcomes["refused"] == 12
    assert_counters_match_real_counts(project)
    refused = Assignment.objects.filter(worker__in=slow, status=Assignment.Status.EXPIRED).count()
    assert refused == outcomes["refused"]
