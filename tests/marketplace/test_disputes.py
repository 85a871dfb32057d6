"""Disputes and appeals: the 7-day window, one per thing, the worker's own only, and staff
alone resolving them (uphold, or overturn through review's decision path)."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Permission

from accounts.models import Notification
from core.errors import LoopworkError
from marketplace.disputes import dispute_open, dispute_resolve, stop_appeal
from marketplace.models import Assignment, Dispute, ReviewDecision, WorkerStop
from marketplace.review import review_reject
from tests.factories import UserFactory, WorkerFactory
from tests.marketplace.factories import make_project, make_reviewer, make_submission

pytestmark = pytest.mark.django_db

NOON = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)
WINDOW = datetime.timedelta(days=7)
MESSAGE = "The text was clearly positive; see the last sentence."
Action = ReviewDecision.Action


def make_staff(*, permitted: bool = True):
    staff = UserFactory(is_staff=True)
    if permitted:
        staff.user_permissions.add(
            Permission.objects.get(codename="change_dispute", content_type__app_label="marketplace")
        )
    return type(staff).objects.get(pk=staff.pk)  # a fresh permission cache


@pytest.fixture
def rejected():
    project = make_project()
    submission = make_submission(project, WorkerFactory())
    with time_machine.travel(NOON, tick=False):
        review_reject(
            submission.pk,
            reviewer=make_reviewer(project.company),
            reason="disagrees",
            comment="Others said negative.",
        )
    submission.refresh_from_db()
    return submission


def refused(call, *args, **kwargs) -> LoopworkError:
    with pytest.raises(LoopworkError) as caught:
        call(*args, **kwargs)
    return caught.value


def open_dispute(assignment, *, at=NOON + datetime.timedelta(days=1)) -> Dispute:
    with time_machine.travel(at, tick=False):
        return dispute_open(assignment.pk, worker=assignment.worker, message=MESSAGE)


# --- Opening ------------------------------------------------------------------------------


def test_a_worker_disputes_their_rejection_with_an_audit_row_and_a_receipt(rejected):
    dispute = open_dispute(rejected)
    assert (dispute.status, dispute.worker, dispute.assignment, dispute.message) == (
        Dispute.Status.OPEN,
        rejected.worker,
        rejected,
        MESSAGE,
    )
    assert list(
        ReviewDecision.objects.filter(assignment=rejected).values_list("action", "actor")
    ) == [(Action.REJECTED, rejected.reviewed_by_id), (Action.DISPUTED, rejected.worker.pk)]
    assert Notification.objects.filter(user=rejected.worker, kind="dispute_opened").exists()


def test_the_window_is_seven_days_from_the_rejection(rejected):
    error = refused(open_dispute, rejected, at=NOON + WINDOW + datetime.timedelta(seconds=1))
    assert (error.code, error.status) == ("dispute_window_closed", 409)
    assert not Dispute.objects.exists()
    assert open_dispute(rejected, at=NOON + WINDOW).status == Dispute.Status.OPEN


def test_one_dispute_per_assignment(rejected):
    open_dispute(rejected)
    error = refused(open_dispute, rejected)
    assert (error.code, error.status) == ("already_disputed", 409)
    assert Dispute.objects.count() == 1


def test_only_the_workers_own_rejection_can_be_disputed(rejected):
    with time_machine.travel(NOON, tick=False):
        error = refused(dispute_open, rejected.pk, worker=WorkerFactory(), message=MESSAGE)
    assert (error.code, error.status) == ("not_found", 404)
    assert not Dispute.objects.exists()


def test_an_approved_or_pending_submission_cannot_be_disputed():
    pending = make_submission(make_project(), WorkerFactory())
    error = refused(dispute_open, pending.pk, worker=pending.worker, message=MESSAGE)
    assert (error.code, error.status) == ("not_rejected", 409)


@pytest.mark.parametrize(
    "message", ["", "too short", " " * 20, None, 42, "x" * 4001, "null \x00 character here"]
)
def test_a_dispute_message_is_10_to_4000_characters(rejected, message):
    error = refused(dispute_open, rejected.pk, worker=rejected.worker, message=message)
    assert (error.code, error.status, error.field) == ("invalid_message", 422, "message")
    assert not Dispute.objects.exists()


# --- Resolving ----------------------------------------------------------------------------


def test_staff_overturn_approves_through_the_decision_path(rejected):
    dispute = open_dispute(rejected)
    staff = make_staff()
    at = NOON + datetime.timedelta(days=2)
    with time_machine.travel(at, tick=False):
        dispute_resolve(dispute.pk, staff=staff, overturn=True, note="The worker is right.")
    dispute.refresh_from_db()
    rejected.refresh_from_db()
    assert (dispute.status, dispute.resolved_by, dispute.resolved_at) == (
        Dispute.Status.OVERTURNED,
        staff,
        at,
    )
    assert (rejected.status, rejected.reviewed_by, rejected.reject_reason) == (
        Assignment.Status.APPROVED,
        staff,
        "",
    )
    last = ReviewDecision.objects.filter(assignment=rejected).last()
    assert (last.action, last.actor, last.comment) == (
        Action.DISPUTE_OVERTURNED,
        staff,
        "The worker is right.",
    )
    notice = Notification.objects.filter(user=rejected.worker, kind="dispute_resolved").get()
    assert "The worker is right." in notice.body


def test_staff_uphold_keeps_the_rejection(rejected):
    dispute = open_dispute(rejected)
    staff = make_staff()
    dispute_resolve(dispute.pk, staff=staff, overturn=False, note="Gold item 3 was missed.")
    dispute.refresh_from_db()
    rejected.refresh_from_db()
    assert dispute.status == Dispute.Status.UPHELD
    assert rejected.status == Assignment.Status.REJECTED
    assert ReviewDecision.objects.filter(assignment=rejected).last().action == (
        Action.DISPUTE_UPHELD
    )
    assert Notification.objects.filter(user=rejected.worker, kind="dispute_resolved").exists()


def test_a_dispute_is_resolved_once(rejected):
    dispute = open_dispute(rejected)
    staff = make_staff()
    dispute_resolve(dispute.pk, staff=staff, overturn=False, note="Stands.")
    error = refused(dispute_resolve, dispute.pk, staff=staff, overturn=True, note="Changed.")
    assert (error.code, error.status) == ("already_resolved", 409)
    rejected.refresh_from_db()
    assert rejected.status == Assignment.Status.REJECTED


@pytest.mark.parametrize("who", ["worker", "company", "staff_without_permission"])
def test_only_staff_with_the_permission_resolve(rejected, who):
    dispute = open_dispute(rejected)
    user = {
        "worker": lambda: rejected.worker,
        "company": lambda: make_reviewer(rejected.project.company, role="owner"),
        "staff_without_permission": lambda: make_staff(permitted=False),
    }[who]()
    error = refused(dispute_resolve, dispute.pk, staff=user, overturn=True, note="Mine.")
    assert (error.code, error.status) == ("forbidden", 403)
    dispute.refresh_from_db()
    assert dispute.status == Dispute.Status.OPEN


@pytest.mark.parametrize("note", ["", "   ", None, "x" * 4001, "a\x00b"])
def test_resolving_needs_a_note(rejected, note):
    dispute = open_dispute(rejected)
    error = refused(dispute_resolve, dispute.pk, staff=make_staff(), overturn=True, note=note)
    assert (error.code, error.field) == ("invalid_note", "note")
    dispute.refresh_from_db()
    assert dispute.status == Dispute.Status.OPEN


def test_resolving_an_unknown_dispute_is_not_found():
    error = refused(dispute_resolve, 10**9, staff=make_staff(), overturn=True, note="x")
    assert error.status == 404


# --- Stop appeals -------------------------------------------------------------------------


@pytest.fixture
def stop():
    return WorkerStop.objects.create(
        project=make_project(), worker=WorkerFactory(), reason="Accuracy 40%.", evidence={}
    )


def test_a_worker_appeals_their_stop_once(stop):
    appeal = stop_appeal(stop.pk, worker=stop.worker, message=MESSAGE)
    assert (appeal.stop, appeal.assignment, appeal.status) == (stop, None, Dispute.Status.OPEN)
    error = refused(stop_appeal, stop.pk, worker=stop.worker, message=MESSAGE)
    assert (error.code, error.status) == ("already_disputed", 409)


def test_another_workers_or_a_lifted_stop_cannot_be_appealed(stop):
    assert refused(stop_appeal, stop.pk, worker=WorkerFactory(), message=MESSAGE).status == 404
    stop.lifted_at = NOON
    stop.save()
    assert refused(stop_appeal, stop.pk, worker=stop.worker, message=MESSAGE).status == 404
    assert not Dispute.objects.exists()


def test_an_overturned_appeal_lifts_the_stop(stop):
    appeal = stop_appeal(stop.pk, worker=stop.worker, message=MESSAGE)
    with time_machine.travel(NOON, tick=False):
        dispute_resolve(appeal.pk, staff=make_staff(), overturn=True, note="Gold item was wrong.")
    stop.refresh_from_db()
    assert stop.lifted_at == NOON
    notice = Notification.objects.filter(user=stop.worker, kind="dispute_resolved").get()
    assert "lifted" in notice.body


def test_an_upheld_appeal_keeps_the_stop(stop):
    appeal = stop_appeal(stop.pk, worker=stop.worker, message=MESSAGE)
    dispute_resolve(appeal.pk, staff=make_staff(), overturn=False, note="Accuracy is low.")
    stop.refresh_from_db()
    assert stop.lifted_at is None
