"""Attempts, grading, grants, expiry and revocation (jobs/qualification.py)."""

import datetime
import random

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from core.errors import LoopworkError
from jobs import qualification as services
from jobs import qualification_tasks
from jobs.models import Application, ApplicationEvent
from jobs.qualification_models import AttemptAnswer, QualificationAttempt, QualificationGrant
from jobs.qualification_selectors import qualifications_overview, worker_test_standing
from tests.factories import MembershipFactory, WorkerFactory, make_application, make_job
from tests.jobs.qualification_factories import answers_for, make_qualification_test

NOON = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def qtest(db):
    return make_qualification_test()


def start(worker, test, **kwargs):
    return services.attempt_start(worker=worker, test=test, rng=random.Random(1), **kwargs)


def test_start_fixes_questions_options_and_deadline(worker, qtest):
    with time_machine.travel(NOON, tick=False):
        attempt = start(worker, qtest)
    assert attempt.status == QualificationAttempt.Status.IN_PROGRESS
    assert sorted(attempt.question_ids) == sorted(qtest.questions.values_list("pk", flat=True))
    assert attempt.deadline == NOON + datetime.timedelta(minutes=20)
    assert attempt.pass_score == 80
    for question in qtest.questions.filter(kind__in=["single_choice", "multiple_choice"]):
        assert sorted(attempt.option_orders[str(question.pk)]) == sorted(
            o["id"] for o in question.options
        )


def test_start_draws_a_sample_of_the_pool_in_pool_order_without_shuffle(worker):
    test = make_qualification_test(questions_per_attempt=2, shuffle_questions=False)
    attempt = start(worker, test)
    pool = list(test.questions.order_by("sort_order").values_list("pk", flat=True))
    assert len(attempt.question_ids) == 2
    assert attempt.question_ids == [pk for pk in pool if pk in attempt.question_ids]


def test_starting_again_continues_the_same_attempt(worker, qtest):
    first = start(worker, qtest)
    assert start(worker, qtest).pk == first.pk
    assert QualificationAttempt.objects.count() == 1


def test_company_members_cannot_take_tests(qtest):
    member = MembershipFactory().user
    with pytest.raises(LoopworkError) as refusal:
        start(member, qtest)
    assert refusal.value.code == "not_a_worker"
    assert QualificationAttempt.objects.count() == 0


def test_passing_creates_the_grant_and_qualifies_linked_applications(worker, site_tree):
    test = make_qualification_test(grant_validity_days=30)
    job = make_job(qualification_test=test)
    other_job = make_job()
    application = make_application(worker=worker, job=job, status=Application.Status.TEST_REQUIRED)
    untouched = make_application(worker=worker, job=other_job)
    with time_machine.travel(NOON, tick=False):
        attempt = start(worker, test)
        attempt = services.attempt_submit(
            attempt=attempt, worker=worker, answers=answers_for(attempt)
        )
    assert (attempt.status, attempt.score, attempt.ended_by) == ("passed", 100, "submitted")
    grant = QualificationGrant.objects.get(worker=worker)
    assert (grant.score, grant.qualification_id, grant.test_id) == (
        100,
        test.qualification_id,
        test.pk,
    )
    assert grant.expires_at == NOON + datetime.timedelta(days=30)
    application.refresh_from_db()
    untouched.refresh_from_db()
    assert application.status == Application.Status.QUALIFIED
    assert untouched.status == Application.Status.SUBMITTED
    event = ApplicationEvent.objects.get(application=application)
    assert event.status == Application.Status.QUALIFIED
    assert "Passed the qualification test" in event.note


def test_failing_records_the_score_and_no_grant(worker, qtest):
    attempt = start(worker, qtest)
    attempt = services.attempt_submit(
        attempt=attempt, worker=worker, answers=answers_for(attempt, correct=False)
    )
    assert (attempt.status, attempt.score) == ("failed", 0)
    assert not QualificationGrant.objects.exists()


def test_partial_answers_give_a_weighted_score(worker, qtest):
    attempt = start(worker, qtest)
    right = answers_for(attempt)
    by_kind = {q.kind: q for q in qtest.questions.all()}
    multi = by_kind["multiple_choice"]
    one_right = [o["id"] for o in multi.options if o["correct"]][:1]
    answers = {by_kind["single_choice"].pk: right[by_kind["single_choice"].pk], multi.pk: one_right}
    attempt = services.attempt_submit(attempt=attempt, worker=worker, answers=answers)
    # single 1/1 + multiple 1/2 x 2 = 2 of total weight 5 -> 40%.
    assert attempt.score == 40
    credits = dict(AttemptAnswer.objects.values_list("question__kind", "credit"))
    assert credits == {"single_choice": 1, "multiple_choice": 1}


def test_passing_again_keeps_the_best_score(worker):
    test = make_qualification_test(pass_score=50, retake_cooldown_hours=0)
    by_kind = {q.kind: q for q in test.questions.all()}
    grant_scores = []
    for correct_kinds in (
        {"single_choice", "multiple_choice", "short_text", "numeric"},
        {"single_choice", "multiple_choice"},
    ):
        attempt = start(worker, test)
        answers = answers_for(attempt)
        answers = {
            pk: v for pk, v in answers.items() if any(by_kind[k].pk == pk for k in correct_kinds)
        }
        attempt = services.attempt_submit(attempt=attempt, worker=worker, answers=answers)
        grant_scores.append((attempt.score, QualificationGrant.objects.get(worker=worker).score))
    assert grant_scores == [(100, 100), (60, 100)]


def test_attempt_limit_is_enforced(worker):
    test = make_qualification_test(max_attempts=2, retake_cooldown_hours=0)
    for _ in range(2):
        services.attempt_submit(attempt=start(worker, test), worker=worker)
    with pytest.raises(LoopworkError) as refusal:
        start(worker, test)
    assert refusal.value.code == "attempt_limit"
    assert refusal.value.message == "You have used all 2 attempts at this test."
    assert QualificationAttempt.objects.count() == 2


def test_cooldown_after_a_failed_attempt_names_the_date_in_the_worker_timezone(worker, qtest):
    worker.worker_profile.timezone = "Asia/Tokyo"
    worker.worker_profile.save()
    with time_machine.travel(NOON, tick=False):
        services.attempt_submit(attempt=start(worker, qtest), worker=worker)
    with time_machine.travel(NOON + datetime.timedelta(hours=23, minutes=59), tick=False):
        with pytest.raises(LoopworkError) as refusal:
            start(worker, qtest)
        assert refusal.value.code == "cooldown"
        # 12:00 UTC + 24 h = 21:00 in Tokyo the next day.
        assert refusal.value.message == "You can retake on March 3, 2026, 9 p.m. (Asia/Tokyo)."
    assert QualificationAttempt.objects.count() == 1
    with time_machine.travel(NOON + datetime.timedelta(hours=24, seconds=1), tick=False):
        assert start(worker, qtest).is_in_progress


def test_answers_after_the_deadline_are_not_counted(worker, qtest):
    with time_machine.travel(NOON, tick=False):
        attempt = start(worker, qtest)
        answers = answers_for(attempt)
        first, *rest = list(answers.items())
        services.attempt_answers_save(attempt=attempt, worker=worker, answers=dict([first]))
    late = NOON + datetime.timedelta(minutes=20, seconds=1)
    with time_machine.travel(late, tick=False):
        with pytest.raises(LoopworkError) as refusal:
            services.attempt_answers_save(attempt=attempt, worker=worker, answers=dict(rest))
        assert refusal.value.code == "deadline_passed"
    attempt.refresh_from_db()
    assert attempt.status != QualificationAttempt.Status.IN_PROGRESS
    assert attempt.ended_by == "deadline"
    assert attempt.ended_at == NOON + datetime.timedelta(minutes=20)
    assert AttemptAnswer.objects.filter(attempt=attempt).count() == 1


def test_a_late_submit_grades_only_what_was_saved_in_time(worker, qtest):
    with time_machine.travel(NOON, tick=False):
        attempt = start(worker, qtest)
    with time_machine.travel(NOON + datetime.timedelta(hours=1), tick=False):
        attempt = services.attempt_submit(
            attempt=attempt, worker=worker, answers=answers_for(attempt)
        )
    assert (attempt.status, attempt.score, attempt.ended_by) == ("failed", 0, "deadline")
    assert AttemptAnswer.objects.count() == 0


def test_an_overdue_attempt_is_graded_lazily_on_next_start(worker, qtest):
    with time_machine.travel(NOON, tick=False):
        attempt = start(worker, qtest)
        services.attempt_answers_save(attempt=attempt, worker=worker, answers=answers_for(attempt))
    with time_machine.travel(NOON + datetime.timedelta(minutes=30), tick=False):
        again = start(worker, qtest)
    attempt.refresh_from_db()
    assert (attempt.status, attempt.score, attempt.ended_by) == ("passed", 100, "deadline")
    assert again.pk != attempt.pk


def test_the_task_grades_overdue_attempts_once(worker, qtest):
    with time_machine.travel(NOON, tick=False):
        attempt = start(worker, qtest)
        fresh = start(WorkerFactory(), qtest)
    with time_machine.travel(NOON + datetime.timedelta(minutes=21), tick=False):
        assert qualification_tasks.expire_overdue_attempts.delay().get() == 2
        assert qualification_tasks.expire_overdue_attempts.delay().get() == 0
    attempt.refresh_from_db()
    fresh.refresh_from_db()
    assert attempt.status == fresh.status == "failed"


def test_submitting_twice_grades_once(worker, qtest):
    attempt = start(worker, qtest)
    first = services.attempt_submit(attempt=attempt, worker=worker, answers=answers_for(attempt))
    second = services.attempt_submit(
        attempt=attempt, worker=worker, answers=answers_for(attempt, correct=False)
    )
    assert (first.score, second.score, second.ended_at) == (100, 100, first.ended_at)


def test_an_ended_attempt_refuses_answers(worker, qtest):
    attempt = services.attempt_submit(attempt=start(worker, qtest), worker=worker)
    with pytest.raises(LoopworkError) as refusal:
        services.attempt_answers_save(attempt=attempt, worker=worker, answers={})
    assert refusal.value.code == "attempt_ended"


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("single_choice", ["nope"], "Choose among the options shown."),
        ("multiple_choice", "not-an-id", "Choose among the options shown."),
        ("short_text", "x" * 301, "Keep the answer to 300 characters."),
        ("short_text", ["list"], "Type your answer."),
        ("numeric", "seventy", "Write a number with digits"),
        ("numeric", "1,000", "Write a number with digits"),
    ],
)
def test_invalid_answers_are_refused_and_nothing_saved(worker, qtest, kind, value, message):
    attempt = start(worker, qtest)
    question = qtest.questions.get(kind=kind)
    good = answers_for(attempt)
    good[question.pk] = value
    with pytest.raises(LoopworkError) as refusal:
        services.attempt_answers_save(attempt=attempt, worker=worker, answers=good)
    assert refusal.value.status == 422
    assert refusal.value.field == f"q{question.pk}"
    assert refusal.value.message.startswith(message)
    assert AttemptAnswer.objects.count() == 0


def test_single_choice_with_two_options_is_refused(worker, qtest):
    attempt = start(worker, qtest)
    question = qtest.questions.get(kind="single_choice")
    ids = [o["id"] for o in question.options][:2]
    with pytest.raises(LoopworkError) as refusal:
        services.attempt_answers_save(attempt=attempt, worker=worker, answers={question.pk: ids})
    assert refusal.value.message == "Choose one option."


def test_a_question_outside_the_attempt_is_refused(worker):
    test = make_qualification_test(questions_per_attempt=1, shuffle_questions=False)
    attempt = start(worker, test)
    outside = test.questions.exclude(pk__in=attempt.question_ids).first()
    with pytest.raises(LoopworkError) as refusal:
        services.attempt_answers_save(attempt=attempt, worker=worker, answers={outside.pk: ""})
    assert refusal.value.code == "unknown_question"


def test_another_worker_cannot_save_or_submit(worker, qtest):
    attempt = start(worker, qtest)
    intruder = WorkerFactory()
    for call in (services.attempt_answers_save, services.attempt_submit):
        with pytest.raises(LoopworkError) as refusal:
            call(attempt=attempt, worker=intruder, answers=answers_for(attempt))
        assert refusal.value.status == 404
    attempt.refresh_from_db()
    assert attempt.is_in_progress
    assert AttemptAnswer.objects.count() == 0


def test_revocation_records_who_when_and_why_and_blocks_retakes(worker, qtest, admin_user):
    attempt = start(worker, qtest)
    services.attempt_submit(attempt=attempt, worker=worker, answers=answers_for(attempt))
    grant = QualificationGrant.objects.get()
    with time_machine.travel(NOON, tick=False):
        services.grant_revoke(grant=grant, actor=admin_user, reason="Shared answers online.")
    grant.refresh_from_db()
    assert (grant.revoked_at, grant.revoked_by, grant.revoke_reason) == (
        NOON,
        admin_user,
        "Shared answers online.",
    )
    assert not grant.is_valid()
    with pytest.raises(LoopworkError) as refusal:
        start(worker, qtest)
    assert refusal.value.code == "grant_revoked"


def test_revocation_needs_a_reason_and_happens_once(worker, qtest, admin_user):
    attempt = start(worker, qtest)
    services.attempt_submit(attempt=attempt, worker=worker, answers=answers_for(attempt))
    grant = QualificationGrant.objects.get()
    with pytest.raises(LoopworkError) as refusal:
        services.grant_revoke(grant=grant, actor=admin_user, reason="   ")
    assert refusal.value.field == "reason"
    grant.refresh_from_db()
    assert grant.revoked_at is None
    services.grant_revoke(grant=grant, actor=admin_user, reason="Fraud")
    with pytest.raises(LoopworkError) as refusal:
        services.grant_revoke(grant=grant, actor=admin_user, reason="Again")
    assert refusal.value.code == "already_revoked"
    grant.refresh_from_db()
    assert grant.revoke_reason == "Fraud"


def test_grants_expire_and_passing_again_renews_them(worker):
    test = make_qualification_test(grant_validity_days=10, retake_cooldown_hours=0)
    with time_machine.travel(NOON, tick=False):
        attempt = start(worker, test)
        services.attempt_submit(attempt=attempt, worker=worker, answers=answers_for(attempt))
    later = NOON + datetime.timedelta(days=11)
    with time_machine.travel(later, tick=False):
        grant = QualificationGrant.objects.get()
        assert grant.is_expired() and not grant.is_valid()
        assert qualifications_overview(worker=worker)["grants"][0]["expired"] is True
        attempt = start(worker, test)
        services.attempt_submit(attempt=attempt, worker=worker, answers=answers_for(attempt))
        grant.refresh_from_db()
        assert grant.is_valid()
        assert grant.expires_at == later + datetime.timedelta(days=10)


def test_expiry_warnings_are_sent_once_per_grant(worker):
    test = make_qualification_test(grant_validity_days=30)
    with time_machine.travel(NOON, tick=False):
        attempt = start(worker, test)
        services.attempt_submit(attempt=attempt, worker=worker, answers=answers_for(attempt))
    with time_machine.travel(NOON + datetime.timedelta(days=22), tick=False):
        assert qualification_tasks.send_grant_expiry_warnings.delay().get() == 0
    warn_time = NOON + datetime.timedelta(days=23, hours=1)
    with time_machine.travel(warn_time, tick=False):
        assert qualification_tasks.send_grant_expiry_warnings.delay().get() == 1
        assert qualification_tasks.send_grant_expiry_warnings.delay().get() == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [worker.email]
    assert "expires soon" in mail.outbox[0].subject
    assert QualificationGrant.objects.get().expiry_warning_sent_at == warn_time


def test_revoked_grants_get_no_expiry_warning(worker, admin_user):
    test = make_qualification_test(grant_validity_days=5)
    attempt = start(worker, test)
    services.attempt_submit(attempt=attempt, worker=worker, answers=answers_for(attempt))
    services.grant_revoke(grant=QualificationGrant.objects.get(), actor=admin_user, reason="x")
    assert services.grants_send_expiry_warnings() == 0
    assert mail.outbox == []


def test_overview_lists_grants_and_open_attempts(worker):
    passed = make_qualification_test(grant_validity_days=None)
    open_test = make_qualification_test()
    with time_machine.travel(NOON, tick=False):
        attempt = start(worker, passed)
        services.attempt_submit(attempt=attempt, worker=worker, answers=answers_for(attempt))
        open_attempt = start(worker, open_test)
        overview = qualifications_overview(worker=worker)
    assert overview == {
        "grants": [
            {
                "qualification": {
                    "name": passed.qualification.name,
                    "slug": passed.qualification.slug,
                    "category": "search-evaluation",
                },
                "score": 100,
                "granted_at": NOON.isoformat(),
                "expires_at": None,
                "expired": False,
                "expiring_soon": False,
                "revoked": False,
                "revoked_at": None,
                "revoke_reason": "",
            }
        ],
        "open_attempts": [
            {
                "id": open_attempt.pk,
                "test": {"id": open_test.pk, "title": open_test.title},
                "started_at": NOON.isoformat(),
                "deadline": (NOON + datetime.timedelta(minutes=20)).isoformat(),
            }
        ],
    }
    assert qualifications_overview(worker=WorkerFactory()) == {"grants": [], "open_attempts": []}


def test_standing_counts_attempts_left(worker, qtest):
    services.attempt_submit(attempt=start(worker, qtest), worker=worker)
    standing = worker_test_standing(worker=worker, test=qtest, now=timezone.now())
    assert (standing.attempts_used, standing.attempts_left, standing.refusal_code) == (
        1,
        2,
        "cooldown",
    )


def test_a_test_with_too_few_questions_cannot_start(worker, qtest):
    qtest.questions.first().delete()
    with pytest.raises(LoopworkError) as refusal:
        start(worker, qtest)
    assert refusal.value.code == "test_not_ready"
