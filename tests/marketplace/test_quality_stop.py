"""Quality control's stop: the worker is told why with the evidence, and where to appeal; the
required qualification is revoked when the project asks for it."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Notification
from jobs.models import Qualification
from jobs.qualification_models import QualificationGrant
from marketplace.assignment import assignment_submit
from marketplace.models import WorkerStop
from marketplace.quality import quality_apply_stop_rule
from tests.factories import WorkerFactory
from tests.marketplace.factories import make_assignment, make_items, make_project
from tests.marketplace.test_assignment import ALWAYS_GOLD, claim

pytestmark = pytest.mark.django_db


@pytest.fixture
def qualification(db):
    return Qualification.objects.create(
        name="Sentiment", slug="sentiment", category="text-annotation"
    )


def _project(qualification=None, **fields):
    fields.setdefault("gold_rate", 50)
    fields.setdefault("accuracy_threshold", 60)
    fields.setdefault("min_gold_answers", 3)
    project = make_project(required_qualification=qualification, **fields)
    make_items(project, 6)
    gold = make_items(project, 4, gold_label="positive")
    return project, gold


def _grant(worker, qualification, **fields):
    return QualificationGrant.objects.create(
        worker=worker, qualification=qualification, score=90, **fields
    )


def _answer_gold(worker, project, labels):
    for label in labels:
        assignment = claim(worker, project, rng=ALWAYS_GOLD)
        assignment_submit(worker=worker, assignment_id=assignment.pk, answer={"label": label})


def test_a_stopped_worker_is_told_why_with_the_evidence(
    qualification, django_capture_on_commit_callbacks
):
    project, _gold = _project()
    worker = WorkerFactory()

    with django_capture_on_commit_callbacks(execute=True):
        _answer_gold(worker, project, ["negative", "positive", "neutral"])

    stop = WorkerStop.objects.get(worker=worker)
    notification = Notification.objects.get(user=worker)
    assert notification.kind == "worker_stopped"
    assert notification.title == "You were stopped on “Sentiment of product reviews”"
    assert notification.link == f"/work/projects/{project.pk}/appeal/"  # the appeal form
    body = notification.body
    assert "33.33% over 3 control tasks" in body
    assert "at least 60%" in body
    missed = stop.evidence["recent_failed_gold_item_ids"]
    assert len(missed) == 2
    assert f"item {missed[0]}, item {missed[1]}." in body
    assert "appeal" in body
    # The email carries the same, with an absolute link, and never a gold answer.
    [email] = mail.outbox
    assert email.to == [worker.email]
    assert f"http://testserver/work/projects/{project.pk}/appeal/" in email.body
    assert "33.33%" in email.body
    assert "positive" not in email.body.lower()
    assert "qualification" not in body  # the project does not revoke


def test_revocation_of_the_required_qualification_is_recorded_in_the_evidence(qualification):
    project, _gold = _project(qualification, revoke_qualification_on_stop=True)
    worker = WorkerFactory()
    grant = _grant(worker, qualification)
    other_grant = _grant(WorkerFactory(), qualification)

    _answer_gold(worker, project, ["negative", "negative", "negative"])

    stop = WorkerStop.objects.get(worker=worker)
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    assert grant.revoked_by is None  # the system, not a person
    assert "quality control" in grant.revoke_reason
    assert stop.evidence["qualification_revoked"] == {
        "grant_id": grant.pk,
        "qualification_id": qualification.pk,
    }
    assert stop.evidence["accuracy"] == 0.0
    other_grant.refresh_from_db()
    assert other_grant.revoked_at is None
    assert "qualification this project requires was revoked" in (
        Notification.objects.get(user=worker).body
    )


def test_without_the_setting_the_qualification_stays(qualification):
    project, _gold = _project(qualification, revoke_qualification_on_stop=False)
    worker = WorkerFactory()
    grant = _grant(worker, qualification)

    _answer_gold(worker, project, ["negative", "negative", "negative"])

    assert WorkerStop.objects.filter(worker=worker).exists()
    grant.refresh_from_db()
    assert grant.revoked_at is None
    assert "qualification_revoked" not in WorkerStop.objects.get().evidence


def test_an_already_revoked_grant_is_left_as_it_was(qualification):
    project, gold = _project(qualification, revoke_qualification_on_stop=True)
    worker = WorkerFactory()
    revoked_at = timezone.now() - datetime.timedelta(days=1)
    grant = _grant(worker, qualification, revoked_at=revoked_at, revoke_reason="Staff decision.")
    for item in gold[:3]:
        make_assignment(item, worker, status="submitted", gold_score=0.0, answer={"label": "x"})

    stop = quality_apply_stop_rule(worker=worker, project=project, now=timezone.now())

    assert stop is not None
    assert "qualification_revoked" not in stop.evidence
    grant.refresh_from_db()
    assert (grant.revoked_at, grant.revoke_reason) == (revoked_at, "Staff decision.")


def test_a_second_check_while_stopped_neither_stops_nor_notifies_again():
    project, _gold = _project()
    worker = WorkerFactory()
    _answer_gold(worker, project, ["negative", "negative", "negative"])
    assert (
        quality_apply_stop_rule(
            worker=worker, project=project, now=WorkerStop.objects.get().created_at
        )
        is None
    )
    assert WorkerStop.objects.count() == 1
    assert Notification.objects.filter(user=worker, kind="worker_stopped").count() == 1


def test_a_good_worker_gets_no_notification():
    project, _gold = _project()
    worker = WorkerFactory()
    _answer_gold(worker, project, ["positive", "positive", "negative"])
    assert not WorkerStop.objects.exists()
    assert not Notification.objects.exists()
