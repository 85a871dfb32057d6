"""Review decisions: who may decide, the states each decision starts from, the audit log,
revision once, automatic approval and the evidence a decision rests on."""

import datetime

import pytest
import time_machine
from django.core import mail

from accounts.models import Notification
from accounts.notifications import preferences_save
from core.errors import LoopworkError
from marketplace.models import Assignment, ReviewDecision
from marketplace.review import (
    BULK_MAX,
    assignment_evidence,
    auto_approve_due,
    review_approve,
    review_bulk,
    review_reject,
    review_request_revision,
    revision_resubmit,
)
from tests.factories import CompanyFactory, WorkerFactory
from tests.marketplace.factories import (
    make_assignment,
    make_items,
    make_project,
    make_reviewer,
    make_submission,
)

pytestmark = pytest.mark.django_db

NOON = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)
Action = ReviewDecision.Action
Status = Assignment.Status


@pytest.fixture
def project():
    return make_project(auto_approve_hours=72)


@pytest.fixture
def reviewer(project):
    return make_reviewer(project.company)


@pytest.fixture
def submission(project):
    return make_submission(project, WorkerFactory())


def refused(call, **kwargs) -> LoopworkError:
    with pytest.raises(LoopworkError) as caught:
        call(**kwargs)
    return caught.value


def unchanged(assignment: Assignment) -> None:
    fresh = Assignment.objects.get(pk=assignment.pk)
    assert (fresh.status, fresh.reviewed_at, fresh.reviewed_by_id) == (
        assignment.status,
        None,
        None,
    )
    assert not ReviewDecision.objects.filter(assignment=assignment).exists()


# --- Approve and reject -------------------------------------------------------------------


@pytest.mark.parametrize("role", ["owner", "manager", "reviewer"])
def test_every_company_role_approves_and_the_decision_is_recorded(project, submission, role):
    reviewer = make_reviewer(project.company, role=role)
    with time_machine.travel(NOON, tick=False):
        review_approve(submission.pk, reviewer=reviewer)
    submission.refresh_from_db()
    assert (submission.status, submission.reviewed_at, submission.reviewed_by) == (
        Status.APPROVED,
        NOON,
        reviewer,
    )
    decision = ReviewDecision.objects.get(assignment=submission)
    assert (decision.action, decision.actor, decision.created_at) == (
        Action.APPROVED,
        reviewer,
        NOON,
    )
    assert set(decision.evidence) == {"gold", "agreement", "timing"}
    notice = Notification.objects.get(user=submission.worker)
    assert notice.kind == "assignment_approved"


def test_reject_needs_a_reason_and_a_comment_and_records_both(reviewer, submission):
    review_reject(submission.pk, reviewer=reviewer, reason="too_fast", comment="  2 seconds. ")
    submission.refresh_from_db()
    assert (submission.status, submission.reject_reason, submission.review_comment) == (
        Status.REJECTED,
        "too_fast",
        "2 seconds.",
    )
    decision = ReviewDecision.objects.get(assignment=submission)
    assert (decision.action, decision.reason, decision.comment) == (
        Action.REJECTED,
        "too_fast",
        "2 seconds.",
    )
    notice = Notification.objects.get(user=submission.worker)
    assert notice.kind == "assignment_rejected"
    assert "Answered too fast" in notice.body and "2 seconds." in notice.body
    assert notice.link == f"/work/history/{submission.pk}/dispute/"


@pytest.mark.parametrize(
    ("reason", "comment", "code", "field"),
    [
        ("", "Wrong.", "invalid_reason", "reason"),
        ("rude", "Wrong.", "invalid_reason", "reason"),
        (None, "Wrong.", "invalid_reason", "reason"),
        ("other", "", "comment_required", "comment"),
        ("other", "   ", "comment_required", "comment"),
        ("other", None, "comment_required", "comment"),
        ("other", "x" * 2001, "comment_too_long", "comment"),
        ("other", "bad\x00byte", "invalid_comment", "comment"),
    ],
)
def test_a_rejection_with_bad_input_is_refused_and_changes_nothing(
    reviewer, submission, reason, comment, code, field
):
    error = refused(
        review_reject, assignment_id=submission.pk, reviewer=reviewer, reason=reason,
        comment=comment,
    )  # fmt: skip
    assert (error.code, error.field, error.status) == (code, field, 422)
    unchanged(submission)


def test_another_companys_member_cannot_decide(submission):
    stranger = make_reviewer(CompanyFactory(), role="owner")
    for call, extra in (
        (review_approve, {}),
        (review_reject, {"reason": "other", "comment": "No."}),
        (review_request_revision, {"comment": "Again."}),
    ):
        error = refused(call, assignment_id=submission.pk, reviewer=stranger, **extra)
        assert (error.code, error.status) == ("not_found", 404)
    unchanged(submission)


def test_a_worker_cannot_decide(submission):
    error = refused(review_approve, assignment_id=submission.pk, reviewer=WorkerFactory())
    assert error.status == 404
    error = refused(review_approve, assignment_id=submission.pk, reviewer=submission.worker)
    assert error.status == 404
    unchanged(submission)


def test_an_unknown_assignment_is_not_found(reviewer):
    assert refused(review_approve, assignment_id=10**9, reviewer=reviewer).status == 404


def test_a_decision_is_final(reviewer, submission):
    review_approve(submission.pk, reviewer=reviewer)
    for call, extra in (
        (review_approve, {}),
        (review_reject, {"reason": "other", "comment": "No."}),
        (review_request_revision, {"comment": "Again."}),
    ):
        error = refused(call, assignment_id=submission.pk, reviewer=reviewer, **extra)
        assert (error.code, error.status) == ("already_decided", 409)
        assert "already approved" in error.message
    submission.refresh_from_db()
    assert submission.status == Status.APPROVED
    assert ReviewDecision.objects.filter(assignment=submission).count() == 1


@pytest.mark.parametrize("status", [Status.LEASED, Status.RETURNED, Status.EXPIRED])
def test_an_assignment_without_an_answer_cannot_be_decided(project, reviewer, status):
    assignment = make_assignment(make_items(project, 1)[0], WorkerFactory(), status=status)
    error = refused(review_approve, assignment_id=assignment.pk, reviewer=reviewer)
    assert (error.code, error.status) == ("not_submitted", 409)


def test_a_gold_assignment_can_be_decided(project, reviewer):
    gold = make_items(project, 1, gold_label="positive")[0]
    assignment = make_submission(project, WorkerFactory(), item=gold, gold_score=1.0)
    review_reject(assignment.pk, reviewer=reviewer, reason="spam", comment="Copied.")
    assignment.refresh_from_db()
    assert assignment.status == Status.REJECTED


# --- Revision -----------------------------------------------------------------------------


def test_revision_returns_the_answer_once_and_restarts_the_deadline(project, reviewer, submission):
    with time_machine.travel(NOON, tick=False):
        review_request_revision(submission.pk, reviewer=reviewer, comment="Read rule 3.")
    submission.refresh_from_db()
    assert (submission.status, submission.revision_count, submission.review_comment) == (
        Status.REVISION,
        1,
        "Read rule 3.",
    )
    assert submission.review_due_at == NOON + datetime.timedelta(hours=72)
    notice = Notification.objects.get(user=submission.worker)
    assert (notice.kind, notice.link) == (
        "revision_requested",
        f"/work/history/{submission.pk}/revise/",
    )
    # While in revision the company waits for the worker.
    error = refused(review_approve, assignment_id=submission.pk, reviewer=reviewer)
    assert (error.code, error.status) == ("in_revision", 409)

    later = NOON + datetime.timedelta(hours=1)
    with time_machine.travel(later, tick=False):
        revision_resubmit(submission.pk, worker=submission.worker, answer={"label": "negative"})
    submission.refresh_from_db()
    assert (submission.status, submission.answer) == (Status.SUBMITTED, {"label": "negative"})
    assert submission.review_due_at == later + datetime.timedelta(hours=72)

    error = refused(
        review_request_revision, assignment_id=submission.pk, reviewer=reviewer, comment="More."
    )
    assert (error.code, error.status) == ("revision_used", 409)
    actions = list(
        ReviewDecision.objects.filter(assignment=submission).values_list("action", "actor")
    )
    assert actions == [
        (Action.REVISION_REQUESTED, reviewer.pk),
        (Action.RESUBMITTED, submission.worker.pk),
    ]


def test_a_revision_request_needs_a_comment(reviewer, submission):
    error = refused(
        review_request_revision, assignment_id=submission.pk, reviewer=reviewer, comment=" "
    )
    assert (error.code, error.field) == ("comment_required", "comment")
    unchanged(submission)


def test_an_unrevised_answer_is_approved_automatically_when_the_new_deadline_passes(
    reviewer, submission
):
    with time_machine.travel(NOON, tick=False):
        review_request_revision(submission.pk, reviewer=reviewer, comment="Check it.")
    assert auto_approve_due(now=NOON + datetime.timedelta(hours=71)) == 0
    assert auto_approve_due(now=NOON + datetime.timedelta(hours=72)) == 1
    submission.refresh_from_db()
    assert (submission.status, submission.answer, submission.reviewed_by) == (
        Status.APPROVED,
        {"label": "positive"},
        None,
    )


def test_a_resubmitted_answer_is_checked_by_the_interface(reviewer, submission):
    review_request_revision(submission.pk, reviewer=reviewer, comment="Check it.")
    for answer, field in (({"label": "sarcastic"}, "label"), ("positive", "answer")):
        error = refused(
            revision_resubmit, assignment_id=submission.pk, worker=submission.worker,
            answer=answer,
        )  # fmt: skip
        assert (error.code, error.status, error.field) == ("invalid_answer", 422, field)
    submission.refresh_from_db()
    assert (submission.status, submission.answer) == (Status.REVISION, {"label": "positive"})


def test_a_revised_gold_answer_is_graded_again(project, reviewer):
    gold = make_items(project, 1, gold_label="negative")[0]
    assignment = make_submission(project, WorkerFactory(), item=gold, gold_score=0.0)
    review_request_revision(assignment.pk, reviewer=reviewer, comment="Look again.")
    revision_resubmit(assignment.pk, worker=assignment.worker, answer={"label": "negative"})
    assignment.refresh_from_db()
    assert assignment.gold_score == 1.0


def test_only_the_worker_resubmits_and_only_in_revision(reviewer, submission):
    error = refused(
        revision_resubmit, assignment_id=submission.pk, worker=WorkerFactory(), answer={}
    )
    assert error.status == 404
    error = refused(
        revision_resubmit, assignment_id=submission.pk, worker=submission.worker,
        answer={"label": "negative"},
    )  # fmt: skip
    assert (error.code, error.status) == ("not_in_revision", 409)


# --- Bulk ---------------------------------------------------------------------------------


def test_bulk_decides_each_and_lists_the_conflicts(project, reviewer):
    first, second, decided = (make_submission(project, WorkerFactory()) for _ in range(3))
    review_reject(decided.pk, reviewer=reviewer, reason="other", comment="No.")
    foreign = make_submission(make_project(), WorkerFactory())
    outcome = review_bulk(
        [first.pk, second.pk, decided.pk, foreign.pk, first.pk], reviewer=reviewer,
        action="approve",
    )  # fmt: skip
    assert outcome.done == [first.pk, second.pk]
    assert [pk for pk, _message in outcome.conflicts] == [decided.pk, foreign.pk]
    assert "already rejected" in outcome.conflicts[0][1]
    foreign.refresh_from_db()
    assert foreign.status == Status.SUBMITTED


def test_bulk_reject_applies_the_reason_to_each(project, reviewer):
    rows = [make_submission(project, WorkerFactory()) for _ in range(2)]
    outcome = review_bulk(
        [row.pk for row in rows], reviewer=reviewer, action="reject", reason="spam",
        comment="Copied text.",
    )  # fmt: skip
    assert outcome.conflicts == []
    assert set(Assignment.objects.filter(pk__in=outcome.done).values_list("reject_reason")) == {
        ("spam",)
    }


@pytest.mark.parametrize(
    ("ids", "kwargs", "code"),
    [
        ([1], {"action": "delete"}, "invalid_action"),
        ([1], {"action": "reject", "reason": "other"}, "comment_required"),
        ([1], {"action": "reject", "reason": "nope", "comment": "x"}, "invalid_reason"),
        ([], {"action": "approve"}, "nothing_selected"),
        (["one"], {"action": "approve"}, "invalid_ids"),
        (list(range(1, BULK_MAX + 2)), {"action": "approve"}, "too_many"),
    ],
)
def test_bulk_refuses_bad_input_whole(reviewer, submission, ids, kwargs, code):
    error = refused(review_bulk, assignment_ids=ids, reviewer=reviewer, **kwargs)
    assert (error.code, error.status) == (code, 422)
    unchanged(submission)


# --- Automatic approval -------------------------------------------------------------------


def test_auto_approval_takes_only_due_undecided_submissions_and_is_idempotent(project):
    due = make_submission(project, WorkerFactory(), review_due_at=NOON)
    later = make_submission(project, WorkerFactory(), review_due_at=NOON + datetime.timedelta(1))
    rejected = make_assignment(
        make_items(project, 1)[0], WorkerFactory(), status=Status.REJECTED, review_due_at=NOON
    )
    assert auto_approve_due(now=NOON) == 1
    assert auto_approve_due(now=NOON) == 0
    due.refresh_from_db()
    assert (due.status, due.reviewed_by, due.reviewed_at) == (Status.APPROVED, None, NOON)
    decision = ReviewDecision.objects.get(assignment=due)
    assert (decision.action, decision.actor) == (Action.AUTO_APPROVED, None)
    assert ReviewDecision.objects.count() == 1
    later.refresh_from_db()
    rejected.refresh_from_db()
    assert (later.status, rejected.status) == (Status.SUBMITTED, Status.REJECTED)


def test_auto_approval_respects_its_limit(project):
    for _ in range(3):
        make_submission(project, WorkerFactory(), review_due_at=NOON)
    assert auto_approve_due(now=NOON, limit=2) == 2
    assert auto_approve_due(now=NOON) == 1


# --- Evidence -----------------------------------------------------------------------------


def test_evidence_lists_failed_gold_agreement_and_timing(project):
    worker = WorkerFactory()
    for score, label in ((0.0, "negative"), (1.0, "positive")):
        gold = make_items(project, 1, gold_label="positive")[0]
        make_submission(project, worker, item=gold, gold_score=score, answer={"label": label})
    item = make_items(project, 1)[0]
    mine = make_submission(project, worker, item=item, work_seconds=2, is_too_fast=True)
    make_submission(project, WorkerFactory(), item=item, answer={"label": "positive"})
    make_submission(project, WorkerFactory(), item=item, answer={"label": "negative"})

    evidence = assignment_evidence(mine)

    assert evidence["gold"]["answered"] == 2
    assert evidence["gold"]["failed"] == 1
    assert evidence["gold"]["accuracy"] == 50.0
    [failed] = evidence["gold"]["failed_items"]
    assert (failed["answer"], failed["expected"], failed["score"]) == (
        {"label": "negative"},
        {"label": "positive"},
        0.0,
    )
    assert evidence["agreement"] == {"value": 0.5, "source": "others", "others": 2}
    # Work times 20, 20, 2, 20, 20: the median is 20.
    assert evidence["timing"] == {
        "work_seconds": 2,
        "median_seconds": 20,
        "min_work_seconds": project.min_work_seconds,
        "is_too_fast": True,
    }


def test_evidence_prefers_the_aggregated_agreement(project):
    mine = make_submission(project, WorkerFactory(), agreement=0.25)
    assert assignment_evidence(mine)["agreement"] == {
        "value": 0.25,
        "source": "aggregated",
        "others": 0,
    }


def test_evidence_of_a_lone_answer_has_no_agreement(project):
    mine = make_submission(project, WorkerFactory())
    assert assignment_evidence(mine)["agreement"] == {"value": None, "source": None, "others": 0}
    assert assignment_evidence(mine)["gold"] == {
        "answered": 0,
        "failed": 0,
        "accuracy": None,
        "failed_items": [],
    }


# --- What the worker is told --------------------------------------------------------------


def test_a_bulk_approval_tells_each_worker_once_with_count_rewards_and_projects(project, reviewer):
    project = make_project(company=project.company, reward_cents=50)
    other_project = make_project(
        company=project.company, title="Rate chatbot replies", reward_cents=125
    )
    worker, other = WorkerFactory(), WorkerFactory()
    mine = [
        make_submission(project, worker),
        make_submission(project, worker),
        make_submission(other_project, worker),
    ]
    theirs = make_submission(project, other)
    decided = make_submission(project, worker)
    review_reject(decided.pk, reviewer=reviewer, reason="other", comment="No.")

    outcome = review_bulk(
        [*(row.pk for row in mine), theirs.pk, decided.pk], reviewer=reviewer, action="approve"
    )

    assert len(outcome.done) == 4
    notice = Notification.objects.get(user=worker, kind="assignment_approved")
    assert notice.title == "3 answers approved in 2 projects"
    assert notice.body.startswith("Rewards: $2.25, added to your pending earnings.")
    assert notice.link == "/work/earnings/"
    assert notice.links == [
        {
            "text": "Sentiment of product reviews: 2 answers, $1",
            "path": f"/work/history/?project={project.pk}",
        },
        {
            "text": "Rate chatbot replies: 1 answer, $1.25",
            "path": f"/work/history/?project={other_project.pk}",
        },
    ]
    single = Notification.objects.get(user=other, kind="assignment_approved")
    assert single.title == "Your answer was approved: Sentiment of product reviews"
    assert single.body.startswith("Rewards: $0.50, added to your pending earnings.")
    assert Notification.objects.filter(kind="assignment_approved").count() == 2


def test_a_single_approval_stays_one_notice_about_that_task(project, reviewer, submission):
    review_approve(submission.pk, reviewer=reviewer)

    notice = Notification.objects.get(user=submission.worker)
    assert notice.kind == "assignment_approved"
    assert notice.title == "Your answer was approved: Sentiment of product reviews"
    assert f"Task {submission.pk}." in notice.body
    assert notice.links == []


def test_automatic_approval_tells_each_worker_once_per_batch(project):
    worker = WorkerFactory()
    due = NOON - datetime.timedelta(hours=1)
    for _ in range(3):
        make_submission(project, worker, review_due_at=due)

    assert auto_approve_due(now=NOON) == 3

    notice = Notification.objects.get(user=worker)
    assert notice.title == "3 answers approved: Sentiment of product reviews"
    assert notice.body.startswith(
        "Approved automatically: the company did not review in time.\n\nRewards: $0.15"
    )
    assert auto_approve_due(now=NOON) == 0
    assert Notification.objects.count() == 1


def test_a_worker_who_wants_approvals_by_email_gets_the_digest_with_absolute_links(
    project, reviewer, django_capture_on_commit_callbacks
):
    worker = WorkerFactory()
    preferences_save(user=worker, choices={"assignment_approved": "email"})
    project = make_project(company=project.company, reward_cents=40)
    rows = [make_submission(project, worker) for _ in range(2)]

    with django_capture_on_commit_callbacks(execute=True):
        review_bulk([row.pk for row in rows], reviewer=reviewer, action="approve")

    [message] = mail.outbox
    assert message.subject == "[Loopwork] 2 answers approved: Sentiment of product reviews"
    assert "Rewards: $0.80" in message.body
    assert (
        f"- Sentiment of product reviews: 2 answers, $0.80: "
        f"http://testserver/work/history/?project={project.pk}"
    ) in message.body
    assert "Open it in Loopwork: http://testserver/work/earnings/" in message.body
