"""The assignment engine: eligibility, leasing, gold, caps, answers, returns and reclaims."""

import datetime
import random

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core.errors import LoopworkError
from jobs.models import Qualification
from jobs.qualification_models import QualificationGrant
from marketplace import tasks
from marketplace.assignment import (
    assignment_claim_next,
    assignment_return,
    assignment_submit,
    leases_reclaim_expired,
    project_eligibility,
)
from marketplace.models import Assignment, Item, Project, WorkerStop
from tests.factories import MembershipFactory, WorkerFactory
from tests.marketplace.factories import make_assignment, make_items, make_project

pytestmark = pytest.mark.django_db

NOON = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)
GOOD = {"label": "positive"}


class FixedDraw(random.Random):
    """A Random whose draws are given in advance: 0.0 always mixes in gold, 0.999 never."""

    def __init__(self, *values: float):
        super().__init__(0)
        self.values = list(values)

    def random(self) -> float:
        return self.values.pop(0) if len(self.values) > 1 else self.values[0]


NEVER_GOLD = FixedDraw(0.999)
ALWAYS_GOLD = FixedDraw(0.0)


def claim(worker, project, **kwargs):
    kwargs.setdefault("rng", NEVER_GOLD)
    return assignment_claim_next(worker=worker, project=project, **kwargs)


def refusal(call) -> LoopworkError:
    with pytest.raises(LoopworkError) as caught:
        call()
    return caught.value


def item_state(item: Item) -> tuple[int, int, bool]:
    item.refresh_from_db()
    return item.assigned_count, item.submitted_count, item.is_open


@pytest.fixture
def project(db):
    return make_project(overlap=2)


# --- Leasing ------------------------------------------------------------------------------


def test_a_claim_leases_the_first_open_item_with_a_snapshot_of_the_reward(project):
    first, _second = make_items(project, 2)
    worker = WorkerFactory()

    assignment = claim(worker, project, now=NOON)

    assert assignment.item_id == first.pk
    assert assignment.status == Assignment.Status.LEASED
    assert assignment.reward_cents == project.reward_cents
    assert assignment.leased_at == NOON
    assert assignment.expires_at == NOON + datetime.timedelta(seconds=project.lease_seconds)
    assert assignment.is_gold is False
    assert item_state(first) == (1, 0, True)


def test_asking_again_returns_the_live_lease(project):
    make_items(project, 3)
    worker = WorkerFactory()

    first = claim(worker, project)
    again = claim(worker, project)

    assert again.pk == first.pk
    assert Assignment.objects.filter(worker=worker).count() == 1


def test_a_lease_that_ran_out_is_expired_before_the_worker_gets_the_next_item(project):
    first_item, second_item = make_items(project, 2)
    worker = WorkerFactory()
    stale = claim(worker, project, now=NOON)
    later = NOON + datetime.timedelta(seconds=project.lease_seconds + 5)

    fresh = claim(worker, project, now=later)

    stale.refresh_from_db()
    assert (stale.item_id, stale.status) == (first_item.pk, Assignment.Status.EXPIRED)
    assert fresh.item_id == second_item.pk
    assert item_state(first_item) == (0, 0, True)
    assert item_state(second_item) == (1, 0, True)
    assert Assignment.objects.filter(worker=worker, status="leased").get().pk == fresh.pk


def test_the_database_holds_one_lease_per_worker_and_project(project):
    first_item, second_item = make_items(project, 2)
    worker = WorkerFactory()
    make_assignment(first_item, worker)

    with pytest.raises(IntegrityError), transaction.atomic():
        make_assignment(second_item, worker)
    # Answers and leases in other projects are not limited.
    make_assignment(second_item, worker, status=Assignment.Status.SUBMITTED)
    (elsewhere,) = make_items(make_project(title="Elsewhere"), 1)
    make_assignment(elsewhere, worker)


def test_item_counters_hold_more_than_a_small_integer(gold_project):
    # Every worker may answer each gold item, so its counters outgrow 32,767.
    project, _real, gold = gold_project
    Item.objects.filter(pk__in=[item.pk for item in gold]).update(
        assigned_count=40_000, submitted_count=40_000
    )

    assignment = claim(WorkerFactory(), project, rng=ALWAYS_GOLD)

    assert assignment.is_gold
    assert Item.objects.get(pk=assignment.item_id).assigned_count == 40_001


def test_overlap_gives_each_item_to_that_many_distinct_workers(project):
    first, second = make_items(project, 2)
    a, b, c = WorkerFactory(), WorkerFactory(), WorkerFactory()

    assert claim(a, project).item_id == first.pk
    assert claim(b, project).item_id == first.pk
    assert claim(c, project).item_id == second.pk
    assert item_state(first) == (2, 0, False)


def test_a_worker_never_gets_an_item_twice(project):
    _first, second = make_items(project, 2)
    worker = WorkerFactory()

    assignment_submit(worker=worker, assignment_id=claim(worker, project).pk, answer=GOOD)
    assignment = claim(worker, project)

    assert assignment.item_id == second.pk
    assignment_submit(worker=worker, assignment_id=assignment.pk, answer=GOOD)
    assert claim(worker, project) is None


def test_nothing_left_returns_none_and_changes_nothing(project):
    (item,) = make_items(project, 1)
    make_assignment(item, WorkerFactory(), status=Assignment.Status.SUBMITTED)
    make_assignment(item, WorkerFactory(), status=Assignment.Status.SUBMITTED)

    assert claim(WorkerFactory(), project) is None
    assert Assignment.objects.count() == 2


# --- Eligibility --------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["draft", "paused", "completed", "cancelled"])
def test_only_an_active_project_hands_out_tasks(status):
    project = make_project(status=status)
    make_items(project, 1)

    error = refusal(lambda: claim(WorkerFactory(), project))

    assert (error.code, error.status) == ("project_not_active", 409)
    assert not Assignment.objects.exists()


def test_an_unverified_email_is_refused(project):
    make_items(project, 1)

    error = refusal(lambda: claim(WorkerFactory(verified=False), project))

    assert (error.code, error.status) == ("email_unverified", 403)
    assert not Assignment.objects.exists()


def test_a_company_member_is_refused(project):
    make_items(project, 1)

    error = refusal(lambda: claim(MembershipFactory().user, project))

    assert (error.code, error.status) == ("not_a_worker", 403)


@pytest.fixture
def qualified_project(db):
    qualification = Qualification.objects.create(
        name="Sentiment", slug="sentiment", category="text-annotation"
    )
    project = make_project(required_qualification=qualification, min_qualification_score=70)
    make_items(project, 2)
    return project


def grant(worker, project, **fields):
    fields.setdefault("score", 80)
    return QualificationGrant.objects.create(
        worker=worker, qualification=project.required_qualification, **fields
    )


@pytest.mark.parametrize(
    "grant_fields",
    [
        None,
        {"score": 69},
        {"revoked_at": NOON - datetime.timedelta(days=1), "revoke_reason": "Copied answers."},
        {"expires_at": NOON - datetime.timedelta(seconds=1)},
    ],
    ids=["no grant", "score too low", "revoked", "expired"],
)
def test_a_required_qualification_needs_a_valid_grant_with_the_score(
    qualified_project, grant_fields
):
    worker = WorkerFactory()
    if grant_fields is not None:
        grant(worker, qualified_project, **grant_fields)

    error = refusal(lambda: claim(worker, qualified_project, now=NOON))

    assert (error.code, error.status) == ("not_qualified", 403)
    assert not Assignment.objects.exists()


def test_a_valid_grant_with_enough_score_is_accepted(qualified_project):
    worker = WorkerFactory()
    grant(worker, qualified_project, score=70, expires_at=NOON + datetime.timedelta(days=1))

    assert claim(worker, qualified_project, now=NOON) is not None


def test_a_stopped_worker_is_refused_until_the_stop_is_lifted(project):
    make_items(project, 1)
    worker = WorkerFactory()
    stop = WorkerStop.objects.create(project=project, worker=worker, reason="Low accuracy.")

    error = refusal(lambda: claim(worker, project))
    assert (error.code, error.status) == ("stopped", 403)

    stop.lifted_at = timezone.now()
    stop.save()
    assert claim(worker, project) is not None


def test_the_per_worker_maximum_counts_live_leases_and_answers_not_returns(project):
    project.max_assignments_per_worker = 2
    project.save()
    make_items(project, 5)
    worker = WorkerFactory()

    returned = claim(worker, project)
    assignment_return(worker=worker, assignment_id=returned.pk)
    assignment_submit(worker=worker, assignment_id=claim(worker, project).pk, answer=GOOD)
    held = claim(worker, project)
    assert claim(worker, project).pk == held.pk  # the task in hand, even at the cap

    assignment_submit(worker=worker, assignment_id=held.pk, answer=GOOD)
    error = refusal(lambda: claim(worker, project))

    assert (error.code, error.status) == ("cap_reached", 403)
    assert Assignment.objects.filter(worker=worker).count() == 3


def test_the_daily_exposure_cap_counts_the_last_24_hours():
    project = make_project(content_risk="graphic", daily_exposure_cap=2)
    make_items(project, 5)
    worker = WorkerFactory()

    with time_machine.travel(NOON, tick=False):
        for _ in range(2):
            assignment = claim(worker, project)
            assignment_return(worker=worker, assignment_id=assignment.pk)
        error = refusal(lambda: claim(worker, project))
        assert (error.code, error.status) == ("exposure_cap_reached", 403)
    with time_machine.travel(NOON + datetime.timedelta(hours=23, minutes=59), tick=False):
        assert refusal(lambda: claim(worker, project)).code == "exposure_cap_reached"
    with time_machine.travel(NOON + datetime.timedelta(hours=24, seconds=1), tick=False):
        assert claim(worker, project) is not None


def test_project_eligibility_reports_without_leasing(project):
    make_items(project, 1)
    worker = WorkerFactory()
    WorkerStop.objects.create(project=project, worker=worker, reason="Low accuracy.")

    eligibility = project_eligibility(worker=worker, project=project)

    assert (eligibility.ok, eligibility.code) == (False, "stopped")
    assert eligibility.message
    assert project_eligibility(worker=WorkerFactory(), project=project).ok is True
    assert not Assignment.objects.exists()


# --- Gold ---------------------------------------------------------------------------------


@pytest.fixture
def gold_project(db):
    project = make_project(overlap=1, gold_rate=20)
    real = make_items(project, 3)
    gold = make_items(project, 2, gold_label="positive")
    return project, real, gold


def test_gold_is_mixed_in_when_the_draw_says_so(gold_project):
    project, real, gold = gold_project
    worker = WorkerFactory()

    assignment = claim(worker, project, rng=ALWAYS_GOLD)

    assert assignment.item_id == gold[0].pk
    assert assignment.is_gold is True
    assert item_state(real[0]) == (0, 0, True)  # the real item it picked stays free


def test_no_gold_when_the_draw_misses_or_the_rate_is_zero(gold_project):
    project, real, _gold = gold_project

    assert claim(WorkerFactory(), project, rng=NEVER_GOLD).item_id == real[0].pk
    project.gold_rate = 0
    assert claim(WorkerFactory(), project, rng=ALWAYS_GOLD).item_id == real[1].pk


def test_gold_items_ignore_overlap_but_each_worker_gets_each_once(gold_project):
    project, _real, gold = gold_project
    a, b = WorkerFactory(), WorkerFactory()

    for worker in (a, b):
        first = claim(worker, project, rng=ALWAYS_GOLD)
        assignment_submit(worker=worker, assignment_id=first.pk, answer=GOOD)
        second = claim(worker, project, rng=ALWAYS_GOLD)
        assignment_submit(worker=worker, assignment_id=second.pk, answer=GOOD)
        assert [first.item_id, second.item_id] == [gold[0].pk, gold[1].pk]
        # No gold left for this worker: real work instead.
        assert claim(worker, project, rng=ALWAYS_GOLD).is_gold is False

    assert item_state(gold[0]) == (2, 2, True)


def test_workers_are_never_fed_only_gold(gold_project):
    project, real, _gold = gold_project
    for item in real:
        make_assignment(item, WorkerFactory(), status=Assignment.Status.SUBMITTED)

    assert claim(WorkerFactory(), project, rng=ALWAYS_GOLD) is None


def test_a_gold_answer_is_scored(gold_project):
    project, _real, _gold = gold_project
    worker = WorkerFactory()

    right = claim(worker, project, rng=ALWAYS_GOLD)
    assignment_submit(worker=worker, assignment_id=right.pk, answer={"label": "positive"})
    wrong = claim(worker, project, rng=ALWAYS_GOLD)
    assignment_submit(worker=worker, assignment_id=wrong.pk, answer={"label": "negative"})

    right.refresh_from_db()
    wrong.refresh_from_db()
    assert (right.gold_score, wrong.gold_score) == (1.0, 0.0)


def test_low_gold_accuracy_stops_the_worker_after_the_minimum_answers():
    project = make_project(gold_rate=50, accuracy_threshold=60, min_gold_answers=3)
    make_items(project, 10)
    gold = make_items(project, 4, gold_label="positive")
    worker = WorkerFactory()

    for answer in ("positive", "negative"):
        assignment = claim(worker, project, rng=ALWAYS_GOLD)
        assignment_submit(worker=worker, assignment_id=assignment.pk, answer={"label": answer})
    assert not WorkerStop.objects.exists()  # two gold answers: too few to judge

    assignment = claim(worker, project, rng=ALWAYS_GOLD)
    assignment_submit(worker=worker, assignment_id=assignment.pk, answer={"label": "neutral"})

    stop = WorkerStop.objects.get()
    assert (stop.project, stop.worker, stop.lifted_at) == (project, worker, None)
    assert stop.evidence == {
        "gold_answered": 3,
        "accuracy": 33.33,
        "threshold": 60,
        "recent_failed_gold_item_ids": [gold[2].pk, gold[1].pk],
    }
    assert "33.33%" in stop.reason
    assert refusal(lambda: claim(worker, project)).code == "stopped"


def test_a_threshold_of_zero_never_stops_anyone():
    project = make_project(gold_rate=50, accuracy_threshold=0, min_gold_answers=1)
    make_items(project, 3)
    make_items(project, 2, gold_label="positive")
    worker = WorkerFactory()

    for _ in range(2):
        assignment = claim(worker, project, rng=ALWAYS_GOLD)
        assignment_submit(worker=worker, assignment_id=assignment.pk, answer={"label": "negative"})

    assert not WorkerStop.objects.exists()


# --- Submitting ---------------------------------------------------------------------------


def test_a_submit_records_the_answer_and_the_time_worked(project):
    (item,) = make_items(project, 1)
    worker = WorkerFactory()
    assignment = claim(worker, project, now=NOON)

    submitted = assignment_submit(
        worker=worker,
        assignment_id=assignment.pk,
        answer={"label": "negative"},
        now=NOON + datetime.timedelta(seconds=42),
    )

    submitted.refresh_from_db()
    assert submitted.status == Assignment.Status.SUBMITTED
    assert submitted.answer == {"label": "negative"}
    assert submitted.submitted_at == NOON + datetime.timedelta(seconds=42)
    assert submitted.work_seconds == 42
    assert submitted.gold_score is None
    assert item_state(item) == (1, 1, True)


def test_a_double_submit_records_one_answer(project):
    (item,) = make_items(project, 1)
    worker = WorkerFactory()
    assignment = claim(worker, project)

    assignment_submit(worker=worker, assignment_id=assignment.pk, answer={"label": "negative"})
    again = assignment_submit(
        worker=worker, assignment_id=assignment.pk, answer={"label": "positive"}
    )

    assert (again.pk, again.status) == (assignment.pk, Assignment.Status.SUBMITTED)
    assignment.refresh_from_db()
    assert assignment.answer == {"label": "negative"}
    assert item_state(item) == (1, 1, True)


@pytest.mark.parametrize(
    ("answer", "field"),
    [({"label": "bogus"}, "label"), ({}, "label"), ("positive", "answer"), (None, "answer")],
)
def test_an_invalid_answer_is_refused_with_its_field_and_changes_nothing(project, answer, field):
    (item,) = make_items(project, 1)
    worker = WorkerFactory()
    assignment = claim(worker, project)

    error = refusal(
        lambda: assignment_submit(worker=worker, assignment_id=assignment.pk, answer=answer)
    )

    assert (error.code, error.status, error.field) == ("invalid_answer", 422, field)
    assignment.refresh_from_db()
    assert (assignment.status, assignment.answer) == (Assignment.Status.LEASED, None)
    assert item_state(item) == (1, 0, True)


def test_another_workers_assignment_is_not_found_and_unchanged(project):
    make_items(project, 1)
    owner = WorkerFactory()
    assignment = claim(owner, project)
    intruder = WorkerFactory()

    for call in (
        lambda: assignment_submit(worker=intruder, assignment_id=assignment.pk, answer=GOOD),
        lambda: assignment_return(worker=intruder, assignment_id=assignment.pk),
    ):
        error = refusal(call)
        assert (error.code, error.status) == ("not_found", 404)
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.LEASED


def test_a_cancelled_project_refuses_answers(project):
    make_items(project, 1)
    worker = WorkerFactory()
    assignment = claim(worker, project)
    Project.objects.filter(pk=project.pk).update(status=Project.Status.CANCELLED)

    error = refusal(
        lambda: assignment_submit(worker=worker, assignment_id=assignment.pk, answer=GOOD)
    )

    assert (error.code, error.status) == ("project_not_active", 409)


def test_a_paused_project_still_takes_the_task_in_hand(project):
    make_items(project, 1)
    worker = WorkerFactory()
    assignment = claim(worker, project)
    Project.objects.filter(pk=project.pk).update(status=Project.Status.PAUSED)

    submitted = assignment_submit(worker=worker, assignment_id=assignment.pk, answer=GOOD)

    assert submitted.status == Assignment.Status.SUBMITTED


# --- Late answers -------------------------------------------------------------------------


def test_a_late_answer_is_accepted_while_the_lease_was_not_reclaimed(project):
    (item,) = make_items(project, 1)
    worker = WorkerFactory()
    assignment = claim(worker, project, now=NOON)

    late = NOON + datetime.timedelta(seconds=project.lease_seconds + 5)
    assignment_submit(worker=worker, assignment_id=assignment.pk, answer=GOOD, now=late)

    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.SUBMITTED
    assert item_state(item) == (1, 1, True)


def test_a_late_answer_takes_the_place_back_when_the_item_has_room(project):
    (item,) = make_items(project, 1)
    worker = WorkerFactory()
    assignment = claim(worker, project, now=NOON)
    late = NOON + datetime.timedelta(seconds=project.lease_seconds + 5)
    assert leases_reclaim_expired(now=late) == 1
    assert item_state(item) == (0, 0, True)

    assignment_submit(worker=worker, assignment_id=assignment.pk, answer=GOOD, now=late)

    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.SUBMITTED
    assert item_state(item) == (1, 1, True)


def test_a_late_answer_is_refused_when_the_item_went_to_someone_else():
    project = make_project(overlap=1)
    (item,) = make_items(project, 1)
    slow, quick = WorkerFactory(), WorkerFactory()
    assignment = claim(slow, project, now=NOON)
    late = NOON + datetime.timedelta(seconds=project.lease_seconds + 5)
    taken = claim(quick, project, now=late)  # reclaims lazily, then leases the item
    assert taken.item_id == item.pk

    error = refusal(
        lambda: assignment_submit(worker=slow, assignment_id=assignment.pk, answer=GOOD, now=late)
    )

    assert (error.code, error.status) == ("lease_expired", 409)
    assert "went to another worker" in error.message
    assignment.refresh_from_db()
    assert (assignment.status, assignment.answer) == (Assignment.Status.EXPIRED, None)
    assert item_state(item) == (1, 0, False)


# --- Returning and reclaiming -------------------------------------------------------------


def test_a_returned_task_goes_back_to_the_pool_but_not_to_the_same_worker():
    project = make_project(overlap=1)
    first, second = make_items(project, 2)
    worker = WorkerFactory()
    assignment = claim(worker, project)

    returned = assignment_return(worker=worker, assignment_id=assignment.pk)

    assert returned.status == Assignment.Status.RETURNED
    assert item_state(first) == (0, 0, True)
    assert claim(worker, project).item_id == second.pk
    assert claim(WorkerFactory(), project).item_id == first.pk


def test_only_a_leased_task_can_be_returned_or_submitted_after_return(project):
    make_items(project, 2)
    worker = WorkerFactory()
    assignment = claim(worker, project)
    assignment_return(worker=worker, assignment_id=assignment.pk)

    again = refusal(lambda: assignment_return(worker=worker, assignment_id=assignment.pk))
    submit = refusal(
        lambda: assignment_submit(worker=worker, assignment_id=assignment.pk, answer=GOOD)
    )

    assert (again.code, again.status) == ("not_leased", 409)
    assert (submit.code, submit.status) == ("not_leased", 409)


def test_the_beat_task_reclaims_expired_leases_once():
    project = make_project(overlap=1)
    items = make_items(project, 3)
    workers = [WorkerFactory() for _ in items]
    with time_machine.travel(NOON, tick=False):
        for worker in workers:
            claim(worker, project)
    live = claim(WorkerFactory(), make_project_with_item())

    with time_machine.travel(NOON + datetime.timedelta(seconds=601), tick=False):
        assert tasks.reclaim_expired_leases.delay().get() == 3
        assert tasks.reclaim_expired_leases() == 0

    assert set(Assignment.objects.values_list("status", flat=True)) == {"expired", "leased"}
    assert Assignment.objects.get(status="leased").pk == live.pk
    assert [item_state(item) for item in items] == [(0, 0, True)] * 3


def make_project_with_item() -> Project:
    project = make_project(title="Another project")
    make_items(project, 1)
    return project


def test_a_claim_reclaims_expired_leases_lazily_when_nothing_is_open():
    project = make_project(overlap=1)
    (item,) = make_items(project, 1)
    assignment = claim(WorkerFactory(), project, now=NOON)

    assert claim(WorkerFactory(), project, now=NOON + datetime.timedelta(seconds=599)) is None
    taken = claim(WorkerFactory(), project, now=NOON + datetime.timedelta(seconds=600))

    assert taken.item_id == item.pk
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.EXPIRED
    assert item_state(item) == (1, 0, False)


# --- Completion ---------------------------------------------------------------------------


def test_the_last_answer_completes_the_project_and_gold_does_not_hold_it_open(project):
    items = make_items(project, 2)
    make_items(project, 1, gold_label="positive")
    workers = [WorkerFactory(), WorkerFactory()]

    for worker in workers:
        for _ in items:
            assignment = claim(worker, project, now=NOON)
            assert not project_is("completed", project)
            assignment_submit(worker=worker, assignment_id=assignment.pk, answer=GOOD, now=NOON)

    project.refresh_from_db()
    assert (project.status, project.finished_at) == (Project.Status.COMPLETED, NOON)
    assert all(item.completed_at == NOON for item in Item.objects.filter(is_gold=False))


def project_is(status, project) -> bool:
    return Project.objects.filter(pk=project.pk, status=status).exists()


def test_a_project_with_answers_still_leased_is_not_completed(project):
    (item,) = make_items(project, 1)
    first = claim(WorkerFactory(), project)
    claim(WorkerFactory(), project)  # holds the second place, not answered

    assignment_submit(worker=first.worker, assignment_id=first.pk, answer=GOOD)

    assert project_is("active", project)
    assert item_state(item) == (2, 1, False)


# --- Query counts -------------------------------------------------------------------------


def test_the_hot_path_runs_a_fixed_small_number_of_queries(project, django_assert_num_queries):
    make_items(project, 50)
    worker = WorkerFactory()
    claim(worker, project)  # warm up content types and the like
    assignment_submit(worker=worker, assignment_id=claim(worker, project).pk, answer=GOOD)

    # On PostgreSQL a claim is eligibility, then one statement that picks, leases and counts
    # (no transaction of its own). SQLite runs the portable path in a transaction (a
    # savepoint pair inside the test's): eligibility, the pick in its own savepoint pair,
    # savepoint + insert + release, item counters.
    postgres = connection.vendor == "postgresql"
    with django_assert_num_queries(2 if postgres else 2 + 1 + 2 + 1 + 3 + 1):
        assignment = claim(worker, project)
    # Submit, in a transaction (a savepoint pair here): read and lock the assignment and
    # its item in one statement, then write both (one statement on PostgreSQL).
    with django_assert_num_queries(2 + 2 if postgres else 2 + 3):
        assignment_submit(worker=worker, assignment_id=assignment.pk, answer=GOOD)
    # A repeated submit reads once.
    with django_assert_num_queries(2 + 1):
        assignment_submit(worker=worker, assignment_id=assignment.pk, answer=GOOD)
