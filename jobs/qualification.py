"""Qualification tests: starting and answering attempts, grading, grants and their end.

Lock order, everywhere: the attempt row, then the grant row, then application rows.
The deadline, the drawn questions and their order are fixed on the server when an attempt
starts; grading happens once per attempt (the attempt row is locked and its status moves
out of IN_PROGRESS in the same transaction); an overdue attempt is graded lazily by the
next request that touches it and by the `expire_overdue_attempts` task.

Paid tests (completion_payment_cents > 0, company tests only): starting an attempt reserves
the payment plus the platform fee from the company balance in the same transaction
(refused, and no attempt created, when the balance is short), and grading pays the reserved
amount to the worker, passed or not, once per attempt (payouts/earnings.py). Ledger
accounts are locked after the attempt row.
"""

import datetime
import json
import logging
import random
from fractions import Fraction

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from annotation.base import InvalidInput
from annotation.registry import get_interface
from core.errors import LoopworkError
from payouts.earnings import test_payment_post, test_payment_reserve

from . import grading
from .applications import applications_qualify
from .models import QualificationTest
from .qualification_models import (
    AttemptAnswer,
    QualificationAttempt,
    QualificationGrant,
    QualificationQuestion,
)
from .qualification_selectors import EXPIRY_WARNING_DAYS, format_for_worker, worker_test_standing

logger = logging.getLogger(__name__)

REVOKE_REASON_MAX_LENGTH = 500
_system_random = random.SystemRandom()


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now or timezone.now()


# --- Starting -----------------------------------------------------------------------------


def _draw(*, test: QualificationTest, rng: random.Random) -> tuple[list[int], dict[str, list]]:
    pool = list(test.questions.order_by("sort_order", "pk"))
    picked = rng.sample(pool, test.questions_per_attempt)
    if not test.shuffle_questions:
        position = {question.pk: index for index, question in enumerate(pool)}
        picked.sort(key=lambda question: position[question.pk])
    option_orders = {}
    for question in picked:
        ids = [option["id"] for option in question.options]
        if test.shuffle_options:
            rng.shuffle(ids)
        option_orders[str(question.pk)] = ids
    return [question.pk for question in picked], option_orders


def attempt_start(
    *,
    worker: User,
    test: QualificationTest,
    now: datetime.datetime | None = None,
    rng: random.Random | None = None,
) -> QualificationAttempt:
    """Start (or continue) the worker's attempt at `test`.

    Guarantees: at most one attempt in progress per worker and test (a partial unique
    constraint backs it; two concurrent starts both return the one attempt); an overdue
    attempt is graded first; the attempt limit, the cooldown after a failed attempt and a
    revoked grant are refused with a LoopworkError saying when a retake is possible; the
    drawn questions, their order, option order and the deadline are fixed here.
    """
    if not worker.is_worker:
        raise LoopworkError("Only worker accounts take tests.", code="not_a_worker", status=403)
    now = _now(now)
    existing = QualificationAttempt.objects.filter(
        worker=worker, test=test, status=QualificationAttempt.Status.IN_PROGRESS
    ).first()
    if existing is not None:
        if not existing.is_overdue(now):
            return existing
        attempt_finalise_if_overdue(attempt=existing, now=now)
    standing = worker_test_standing(worker=worker, test=test, now=now)
    if standing.open_attempt is not None:
        return standing.open_attempt
    if standing.refusal:
        raise LoopworkError(standing.refusal, code=standing.refusal_code, status=409)
    question_ids, option_orders = _draw(test=test, rng=rng or _system_random)
    try:
        with transaction.atomic():
            attempt = QualificationAttempt.objects.create(
                worker=worker,
                test=test,
                question_ids=question_ids,
                option_orders=option_orders,
                started_at=now,
                deadline=now + datetime.timedelta(minutes=test.time_limit_minutes),
                pass_score=test.pass_score,
                payment_cents=test.completion_payment_cents,
            )
            if attempt.payment_cents:
                # A paid test the company cannot fund is refused here (409 test_not_funded)
                # and the attempt is not created: once started, its payment is reserved.
                test_payment_reserve(
                    attempt_id=attempt.pk,
                    test_id=test.pk,
                    company_id=test.company_id,
                    amount_cents=attempt.payment_cents,
                    test_title=test.title,
                )
    except IntegrityError:
        # Another tab won the race to the partial unique constraint: continue its attempt.
        return QualificationAttempt.objects.get(
            worker=worker, test=test, status=QualificationAttempt.Status.IN_PROGRESS
        )
    logger.info("attempt started id=%s test=%s worker=%s", attempt.pk, test.pk, worker.pk)
    return attempt


# --- Answering ----------------------------------------------------------------------------


def _clean_sample_task(*, question: QualificationQuestion, raw, field: str) -> dict:
    """The interface's normalised answer (a dict), {} for no answer yet, or a 422 refusal."""
    if isinstance(raw, str):
        if not raw.strip():
            return {}
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise LoopworkError(
                "The answer could not be read; try again.",
                code="invalid_answer",
                field=field,
                status=422,
            ) from exc
    if raw is None or raw == {}:
        return {}
    try:
        return get_interface(question.interface).clean_answer(
            raw, question.task_config, question.task_data
        )
    except InvalidInput as refusal:
        raise LoopworkError(
            refusal.message, code="invalid_answer", field=field, status=422
        ) from None


def clean_answer(*, question: QualificationQuestion, raw) -> list | str | dict:
    """The stored form of a worker's raw answer, or a LoopworkError (422) naming the field.

    Choice answers are lists of option ids of this question (at most one for single
    choice); text answers are strings of at most grading.MAX_TEXT_ANSWER characters;
    numeric answers must be empty or a number grading.parse_number accepts; sample-task
    answers (a dict, or its JSON text from the widget's hidden input) are checked and
    normalised by the question's annotation interface, {} meaning not answered yet.
    """
    field = f"q{question.pk}"
    if question.kind == QualificationQuestion.Kind.SAMPLE_TASK:
        return _clean_sample_task(question=question, raw=raw, field=field)
    if question.is_choice:
        values = raw if isinstance(raw, list) else ([] if raw in (None, "") else [raw])
        values = [str(value) for value in values]
        known = {option["id"] for option in question.options}
        if any(value not in known for value in values) or len(set(values)) != len(values):
            raise LoopworkError(
                "Choose among the options shown.", code="invalid_answer", field=field, status=422
            )
        if question.kind == QualificationQuestion.Kind.SINGLE_CHOICE and len(values) > 1:
            raise LoopworkError(
                "Choose one option.", code="invalid_answer", field=field, status=422
            )
        return values
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        raise LoopworkError("Type your answer.", code="invalid_answer", field=field, status=422)
    if question.kind == QualificationQuestion.Kind.SHORT_TEXT:
        if len(raw) > grading.MAX_TEXT_ANSWER:
            raise LoopworkError(
                f"Keep the answer to {grading.MAX_TEXT_ANSWER} characters.",
                code="invalid_answer",
                field=field,
                status=422,
            )
        return raw
    text = raw.strip()
    if text and grading.parse_number(text) is None:
        raise LoopworkError(
            "Write a number with digits, e.g. 42 or 3.5 (no thousands separators, no words).",
            code="invalid_answer",
            field=field,
            status=422,
        )
    return text


def _lock_attempt(*, attempt_id: int, worker: User | None = None) -> QualificationAttempt:
    queryset = QualificationAttempt.objects.select_for_update(of=("self",)).select_related(
        "test", "test__qualification"
    )
    if worker is not None:
        queryset = queryset.filter(worker=worker)
    attempt = queryset.filter(pk=attempt_id).first()
    if attempt is None:
        raise LoopworkError("No such attempt.", code="not_found", status=404)
    return attempt


def _store_answers(*, attempt: QualificationAttempt, cleaned: dict, now) -> None:
    for question_id, value in cleaned.items():
        AttemptAnswer.objects.update_or_create(
            attempt=attempt, question_id=question_id, defaults={"value": value, "saved_at": now}
        )


def _clean_all(*, attempt: QualificationAttempt, answers: dict) -> dict[int, list | str | dict]:
    questions = {q.pk: q for q in QualificationQuestion.objects.filter(pk__in=attempt.question_ids)}
    cleaned = {}
    for question_id, raw in answers.items():
        question = questions.get(_as_int(question_id))
        if question is None:
            raise LoopworkError(
                "That question is not part of this attempt.",
                code="unknown_question",
                field="question",
                status=422,
            )
        cleaned[question.pk] = clean_answer(question=question, raw=raw)
    return cleaned


def _as_int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def attempt_answers_save(
    *, attempt: QualificationAttempt, worker: User, answers: dict, now=None
) -> QualificationAttempt:
    """Save answers ({question id: raw answer}) to the worker's attempt in progress.

    Guarantees: only the attempt's worker saves (404 otherwise); nothing is saved when any
    answer is invalid (422 naming the question) or the attempt ended (409 attempt_ended);
    an answer arriving after the deadline is not counted: the attempt is graded with what
    was saved in time and the save is refused with 409 deadline_passed.
    """
    now = _now(now)
    overdue = False
    with transaction.atomic():
        locked = _lock_attempt(attempt_id=attempt.pk, worker=worker)
        if not locked.is_in_progress:
            raise LoopworkError(
                "This attempt has ended; answers can no longer change.",
                code="attempt_ended",
                status=409,
            )
        if now > locked.deadline:
            _finalise_locked(
                attempt=locked, ended_by=QualificationAttempt.EndedBy.DEADLINE, now=now
            )
            overdue = True
        else:
            cleaned = _clean_all(attempt=locked, answers=answers)
            _store_answers(attempt=locked, cleaned=cleaned, now=now)
    if overdue:
        raise LoopworkError(
            "Time is up: this answer arrived after the deadline and was not counted.",
            code="deadline_passed",
            status=409,
        )
    return locked


def attempt_submit(
    *, attempt: QualificationAttempt, worker: User, answers: dict | None = None, now=None
) -> QualificationAttempt:
    """End the worker's attempt and grade it, once.

    Guarantees: `answers` given with the submit are saved first when they arrive before the
    deadline (all or nothing: an invalid one refuses the submit with 422 and changes nothing);
    after the deadline they are ignored and what was saved in time is graded. The attempt row
    is locked, so two concurrent submits grade once; submitting an ended attempt returns it
    unchanged.
    """
    now = _now(now)
    with transaction.atomic():
        locked = _lock_attempt(attempt_id=attempt.pk, worker=worker)
        if not locked.is_in_progress:
            return locked
        if now > locked.deadline:
            ended_by = QualificationAttempt.EndedBy.DEADLINE
        else:
            if answers:
                cleaned = _clean_all(attempt=locked, answers=answers)
                _store_answers(attempt=locked, cleaned=cleaned, now=now)
            ended_by = QualificationAttempt.EndedBy.SUBMITTED
        _finalise_locked(attempt=locked, ended_by=ended_by, now=now)
    return locked


def attempt_finalise_if_overdue(*, attempt: QualificationAttempt, now=None) -> QualificationAttempt:
    """Grade an in-progress attempt whose deadline passed; otherwise change nothing.

    Idempotent and safe to run concurrently (the attempt row is locked).
    """
    now = _now(now)
    if not attempt.is_overdue(now):
        return attempt
    with transaction.atomic():
        locked = _lock_attempt(attempt_id=attempt.pk)
        if locked.is_overdue(now):
            _finalise_locked(
                attempt=locked, ended_by=QualificationAttempt.EndedBy.DEADLINE, now=now
            )
    return locked


def attempts_expire_overdue(*, now=None) -> int:
    """Grade every attempt in progress past its deadline; returns how many were graded."""
    now = _now(now)
    graded = 0
    overdue = QualificationAttempt.objects.filter(
        status=QualificationAttempt.Status.IN_PROGRESS, deadline__lt=now
    ).values_list("pk", flat=True)
    for attempt_id in list(overdue[:1000]):
        with transaction.atomic():
            locked = _lock_attempt(attempt_id=attempt_id)
            if locked.is_overdue(now):
                _finalise_locked(
                    attempt=locked, ended_by=QualificationAttempt.EndedBy.DEADLINE, now=now
                )
                graded += 1
    return graded


# --- Grading and its consequences ---------------------------------------------------------


def _finalise_locked(*, attempt: QualificationAttempt, ended_by: str, now) -> None:
    """Grade a locked attempt in progress and apply the outcome (caller holds the lock)."""
    questions = {q.pk: q for q in QualificationQuestion.objects.filter(pk__in=attempt.question_ids)}
    answers = {answer.question_id: answer for answer in attempt.answers.all()}
    earned = Fraction(0)
    total = 0
    for question_id in attempt.question_ids:
        question = questions.get(question_id)
        if question is None:  # deleted by its author since the attempt started
            continue
        total += question.weight
        answer = answers.get(question_id)
        if answer is None:
            continue
        credit = grading.grade_question(question, answer.value)
        earned += credit
        answer.credit = round(float(credit), 4)
    AttemptAnswer.objects.bulk_update(list(answers.values()), ["credit"])
    attempt.score = grading.score_percent(earned=earned, total=total)
    attempt.status = (
        QualificationAttempt.Status.PASSED
        if attempt.score >= attempt.pass_score
        else QualificationAttempt.Status.FAILED
    )
    attempt.ended_at = min(now, attempt.deadline) if ended_by == "deadline" else now
    attempt.ended_by = ended_by
    attempt.save(update_fields=["score", "status", "ended_at", "ended_by", "updated_at"])
    logger.info(
        "attempt graded id=%s test=%s score=%s status=%s",
        attempt.pk,
        attempt.test_id,
        attempt.score,
        attempt.status,
    )
    if attempt.payment_cents:
        # Every completed attempt is paid, passed or not, from what its start reserved.
        test = attempt.test
        test_payment_post(
            attempt_id=attempt.pk,
            test_id=test.pk,
            company_id=test.company_id,
            worker_id=attempt.worker_id,
            amount_cents=attempt.payment_cents,
            test_title=test.title,
            link=reverse("qualifications:result", args=[attempt.pk]),
        )
    if attempt.status == QualificationAttempt.Status.PASSED:
        grant = _grant_upgrade(attempt=attempt, now=now)
        if grant.is_valid(now):
            applications_qualify(worker=attempt.worker, qualification=grant.qualification)


def _grant_upgrade(*, attempt: QualificationAttempt, now) -> QualificationGrant:
    test = attempt.test
    expires_at = (
        now + datetime.timedelta(days=test.grant_validity_days)
        if test.grant_validity_days
        else None
    )
    lookup = {"worker_id": attempt.worker_id, "qualification_id": test.qualification_id}
    grant = QualificationGrant.objects.select_for_update().filter(**lookup).first()
    if grant is None:
        try:
            with transaction.atomic():
                return QualificationGrant.objects.create(
                    **lookup, test=test, score=attempt.score, granted_at=now, expires_at=expires_at
                )
        except IntegrityError:
            grant = QualificationGrant.objects.select_for_update().get(**lookup)
    if grant.is_revoked:
        # Revocation is a staff decision; passing again does not undo it.
        return grant
    if grant.is_expired(now) or attempt.score >= grant.score:
        grant.score = attempt.score if grant.is_expired(now) else max(grant.score, attempt.score)
        grant.test = test
    grant.granted_at = now
    grant.expires_at = expires_at
    grant.expiry_warning_sent_at = None
    grant.save()
    return grant


# --- Grants: revocation and expiry --------------------------------------------------------


@transaction.atomic
def grant_revoke(
    *, grant: QualificationGrant, actor: User, reason: str, now=None
) -> QualificationGrant:
    """Revoke a grant with a reason, recording who and when.

    Guarantees: a reason (at most 500 characters) is required; an already revoked grant is
    refused; the row is locked so two revocations record one.
    """
    reason = (reason or "").strip()
    if not reason:
        raise LoopworkError("Give the reason for revoking.", code="reason_required", field="reason")
    if len(reason) > REVOKE_REASON_MAX_LENGTH:
        raise LoopworkError(
            f"Keep the reason to {REVOKE_REASON_MAX_LENGTH} characters.",
            code="reason_too_long",
            field="reason",
        )
    locked = QualificationGrant.objects.select_for_update().get(pk=grant.pk)
    if locked.is_revoked:
        raise LoopworkError("This qualification is already revoked.", code="already_revoked")
    locked.revoked_at = _now(now)
    locked.revoked_by = actor
    locked.revoke_reason = reason
    locked.save(update_fields=["revoked_at", "revoked_by", "revoke_reason", "updated_at"])
    logger.info("grant revoked id=%s by=%s", locked.pk, actor.pk)
    return locked


def grants_send_expiry_warnings(*, now=None) -> int:
    """Email each worker whose grant expires within 7 days, once per grant.

    Guarantees: a grant is warned at most once per validity period (expiry_warning_sent_at
    is set in the same transaction as the send; renewing the grant clears it); rows are
    taken with SKIP LOCKED so two runs never warn the same grant. Returns how many were sent.
    """
    now = _now(now)
    horizon = now + datetime.timedelta(days=EXPIRY_WARNING_DAYS)
    due = QualificationGrant.objects.filter(
        revoked_at__isnull=True,
        expiry_warning_sent_at__isnull=True,
        expires_at__gt=now,
        expires_at__lte=horizon,
    ).values_list("pk", flat=True)
    sent = 0
    for grant_id in list(due[:1000]):
        with transaction.atomic():
            grant = (
                QualificationGrant.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("worker", "worker__worker_profile", "qualification")
                .filter(pk=grant_id, expiry_warning_sent_at__isnull=True)
                .first()
            )
            if grant is None:
                continue
            send_mail(
                subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}Your qualification "
                f"“{grant.qualification.name}” expires soon",
                message=(
                    f"Hello {grant.worker.display_name},\n\n"
                    f"your qualification “{grant.qualification.name}” (score {grant.score}) "
                    f"expires on {format_for_worker(grant.expires_at, grant.worker)}.\n"
                    "Take its test again before then to keep working on the projects "
                    "that need it.\n"
                ),
                from_email=None,
                recipient_list=[grant.worker.email],
            )
            grant.expiry_warning_sent_at = now
            grant.save(update_fields=["expiry_warning_sent_at", "updated_at"])
            sent += 1
            logger.info("grant expiry warning sent grant=%s", grant.pk)
    return sent
