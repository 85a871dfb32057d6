"""Reads about qualification tests that pages, the include and the API share.

Nothing here returns the answer key of a question that is still being answered:
`attempt_questions` gives the worker-facing shape only; `attempt_review` adds the key
and explanations, and the views call it only after the attempt ended and only when the
test shows feedback.
"""

import datetime
import zoneinfo
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import formats, timezone

from accounts.models import User
from annotation.base import InvalidInput
from annotation.registry import get_interface

from .models import QualificationTest
from .qualification_models import (
    AttemptAnswer,
    QualificationAttempt,
    QualificationGrant,
    QualificationQuestion,
)

EXPIRY_WARNING_DAYS = 7


def worker_timezone(worker: User) -> zoneinfo.ZoneInfo:
    """The worker's own time zone (WorkerProfile.timezone), UTC when unknown or invalid."""
    profile = getattr(worker, "worker_profile", None)
    name = getattr(profile, "timezone", "") or "UTC"
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def format_for_worker(moment: datetime.datetime | None, worker: User) -> str:
    """`moment` in the worker's time zone, e.g. "Nov. 26, 2026, 2:00 p.m. (Europe/Paris)"."""
    if moment is None:
        return ""
    zone = worker_timezone(worker)
    local = timezone.localtime(moment, zone)
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} ({zone.key})"


@dataclass
class TestStanding:
    """Where a worker stands with one test: what they may do next and why not."""

    test: QualificationTest
    attempts_used: int
    attempts_left: int
    open_attempt: QualificationAttempt | None
    last_attempt: QualificationAttempt | None
    grant: QualificationGrant | None
    retake_at: datetime.datetime | None = None
    retake_at_text: str = ""
    refusal: str = ""
    refusal_code: str = ""
    question_count: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def can_start(self) -> bool:
        return self.open_attempt is None and not self.refusal

    @property
    def valid_grant(self) -> QualificationGrant | None:
        return self.grant if self.grant is not None and self.grant.is_valid() else None


def worker_test_standing(
    *, worker: User, test: QualificationTest, now: datetime.datetime | None = None
) -> TestStanding:
    """The worker's attempts, grant, retake date and the reason a new attempt is refused.

    Does not finalise an overdue attempt (services do): an overdue in-progress attempt is
    reported as open; callers that act on it call `attempt_finalise_if_overdue` first.
    """
    now = now or timezone.now()
    attempts = QualificationAttempt.objects.filter(worker=worker, test=test)
    used = attempts.count()
    open_attempt = attempts.filter(status=QualificationAttempt.Status.IN_PROGRESS).first()
    last = attempts.exclude(status=QualificationAttempt.Status.IN_PROGRESS).first()
    grant = QualificationGrant.objects.filter(
        worker=worker, qualification_id=test.qualification_id
    ).first()
    standing = TestStanding(
        test=test,
        attempts_used=used,
        attempts_left=max(0, test.max_attempts - used),
        open_attempt=open_attempt,
        last_attempt=last,
        grant=grant,
        question_count=test.questions.count(),
    )
    if open_attempt is not None:
        return standing
    if grant is not None and grant.is_revoked:
        standing.refusal = (
            f"Your qualification “{test.qualification.name}” was revoked: {grant.revoke_reason}"
        )
        standing.refusal_code = "grant_revoked"
    elif used >= test.max_attempts:
        standing.refusal = (
            f"You have used all {test.max_attempts} attempts at this test."
            if test.max_attempts > 1
            else "You have used your one attempt at this test."
        )
        standing.refusal_code = "attempt_limit"
    elif (
        last is not None
        and last.status == QualificationAttempt.Status.FAILED
        and test.retake_cooldown_hours
    ):
        retake_at = (last.ended_at or last.deadline) + datetime.timedelta(
            hours=test.retake_cooldown_hours
        )
        if retake_at > now:
            standing.retake_at = retake_at
            standing.retake_at_text = format_for_worker(retake_at, worker)
            standing.refusal = f"You can retake on {standing.retake_at_text}."
            standing.refusal_code = "cooldown"
    if not standing.refusal and standing.question_count < test.questions_per_attempt:
        standing.refusal = "This test is not ready yet: it has fewer questions than it draws."
        standing.refusal_code = "test_not_ready"
    return standing


def attempt_for_worker(*, worker: User, attempt_id: int) -> QuerySet[QualificationAttempt]:
    """The worker's own attempt by id (a queryset for get_object_or_404)."""
    return QualificationAttempt.objects.filter(pk=attempt_id, worker=worker).select_related(
        "test", "test__qualification"
    )


def _ordered_questions(attempt: QualificationAttempt) -> list[QualificationQuestion]:
    by_id = {q.pk: q for q in QualificationQuestion.objects.filter(pk__in=attempt.question_ids)}
    return [by_id[qid] for qid in attempt.question_ids if qid in by_id]


def _answers(attempt: QualificationAttempt) -> dict[int, AttemptAnswer]:
    return {answer.question_id: answer for answer in attempt.answers.all()}


def _empty_value(question: QualificationQuestion):
    if question.is_choice:
        return []
    return {} if question.kind == QualificationQuestion.Kind.SAMPLE_TASK else ""


def _worker_items(questions, option_orders: dict, answers: dict) -> list[dict]:
    items = []
    for number, question in enumerate(questions, start=1):
        texts = question.option_texts
        order = option_orders.get(str(question.pk), list(texts))
        saved = answers.get(question.pk)
        value = saved.value if saved is not None else _empty_value(question)
        item = {
            "number": number,
            "id": question.pk,
            "kind": question.kind,
            "prompt": question.prompt,
            "context": question.context,
            "weight": question.weight,
            "options": [(oid, texts[oid]) for oid in order if oid in texts],
            "value": value,
        }
        if question.kind == QualificationQuestion.Kind.SAMPLE_TASK:
            # What the widget needs to show the task; the gold answer stays on the server.
            item["interface"] = question.interface
            item["task_config"] = question.task_config
            item["task_data"] = question.task_data
            item["field_name"] = f"q-{question.pk}"
        items.append(item)
    return items


def describe_sample_answer(question: QualificationQuestion, answer) -> str:
    """The interface's short description of a sample-task answer; "" when there is none."""
    if not isinstance(answer, dict) or not answer:
        return ""
    try:
        return get_interface(question.interface).describe_answer(answer, question.task_config)
    except InvalidInput:  # an interface no longer registered
        return ""


def attempt_questions(*, attempt: QualificationAttempt) -> list[dict]:
    """The drawn questions as the worker sees them, in the attempt's order, with saved answers.

    Each item: number, id, kind, prompt, context, weight, options [(id, text)] in the
    attempt's option order, value (the saved answer); sample tasks add interface,
    task_config, task_data and field_name. No correctness, accepted answers, regex, numeric
    answer, gold answer or explanation: this is what may reach the browser mid-attempt.
    """
    return _worker_items(_ordered_questions(attempt), attempt.option_orders, _answers(attempt))


def preview_questions(*, test: QualificationTest) -> list[dict]:
    """The whole pool in authoring order, shaped like `attempt_questions`, for a preview."""
    return _worker_items(list(test.questions.order_by("sort_order", "pk")), {}, {})


def attempt_review(*, attempt: QualificationAttempt) -> list[dict]:
    """The ended attempt question by question with the key, the credit and the explanation.

    Only for an ended attempt of a test that shows feedback (the views check both).
    """
    if attempt.is_in_progress:
        raise ValueError("an attempt in progress has no review")
    answers = _answers(attempt)
    items = []
    for number, question in enumerate(_ordered_questions(attempt), start=1):
        saved = answers.get(question.pk)
        value = saved.value if saved is not None else _empty_value(question)
        texts = question.option_texts
        order = attempt.option_orders.get(str(question.pk), list(texts))
        correct = {o["id"] for o in question.options if o.get("correct")}
        chosen = set(value) if isinstance(value, list) else set()
        credit = saved.credit if saved is not None and saved.credit is not None else 0
        items.append(
            {
                "number": number,
                "kind": question.kind,
                "prompt": question.prompt,
                "context": question.context,
                "weight": question.weight,
                "credit": credit,
                "full": credit == question.weight,
                "options": [
                    {"text": texts[oid], "correct": oid in correct, "chosen": oid in chosen}
                    for oid in order
                    if oid in texts
                ],
                "answer_text": value if isinstance(value, str) else "",
                "accepted": question.accepted_answers,
                "numeric_answer": question.numeric_answer,
                "tolerance": question.tolerance,
                "explanation": question.explanation,
                "interface": question.interface,
                "answer_described": describe_sample_answer(question, value),
                "gold_described": describe_sample_answer(question, question.gold_answer),
            }
        )
    return items


def qualifications_overview(*, worker: User) -> dict:
    """The worker's grants and open attempts, JSON-ready (ISO 8601 times, UTC).

    {"grants": [{"qualification": {"name", "slug", "category"}, "score", "granted_at",
    "expires_at", "expired", "expiring_soon", "revoked", "revoked_at", "revoke_reason"}],
     "open_attempts": [{"id", "test": {"id", "title"}, "started_at", "deadline"}]}
    Both /work/qualifications/ and GET /api/v1/me/qualifications return this.
    """
    now = timezone.now()
    soon = now + datetime.timedelta(days=EXPIRY_WARNING_DAYS)
    grants = QualificationGrant.objects.filter(worker=worker).select_related("qualification")
    attempts = (
        QualificationAttempt.objects.filter(
            worker=worker, status=QualificationAttempt.Status.IN_PROGRESS, deadline__gt=now
        )
        .select_related("test")
        .order_by("deadline")
    )
    return {
        "grants": [
            {
                "qualification": {
                    "name": grant.qualification.name,
                    "slug": grant.qualification.slug,
                    "category": grant.qualification.category,
                },
                "score": grant.score,
                "granted_at": grant.granted_at.isoformat(),
                "expires_at": grant.expires_at.isoformat() if grant.expires_at else None,
                "expired": grant.is_expired(now),
                "expiring_soon": bool(
                    grant.expires_at and now < grant.expires_at <= soon and not grant.is_revoked
                ),
                "revoked": grant.is_revoked,
                "revoked_at": grant.revoked_at.isoformat() if grant.revoked_at else None,
                "revoke_reason": grant.revoke_reason,
            }
            for grant in grants
        ],
        "open_attempts": [
            {
                "id": attempt.pk,
                "test": {"id": attempt.test_id, "title": attempt.test.title},
                "started_at": attempt.started_at.isoformat(),
                "deadline": attempt.deadline.isoformat(),
            }
            for attempt in attempts
        ],
    }


def tests_for_company(*, company) -> QuerySet[QualificationTest]:
    """The company's own tests with question and attempt counts."""
    return (
        QualificationTest.objects.filter(company=company)
        .select_related("qualification")
        .annotate(
            question_total=Count("questions", distinct=True),
            attempt_total=Count("attempts", distinct=True),
            passed_total=Count("attempts", filter=Q(attempts__status="passed"), distinct=True),
        )
    )


def qualification_test_results(*, test: QualificationTest) -> QuerySet[QualificationAttempt]:
    """Ended attempts of a test, newest first, with the worker (for its authors)."""
    return (
        QualificationAttempt.objects.filter(test=test)
        .exclude(status=QualificationAttempt.Status.IN_PROGRESS)
        .select_related("worker", "worker__worker_profile")
    )


def worker_holds(*, worker: User, qualification_id: int, now=None) -> QualificationGrant | None:
    """The worker's valid (not revoked, not expired) grant of a qualification, or None."""
    grant = QualificationGrant.objects.filter(
        worker=worker, qualification_id=qualification_id
    ).first()
    return grant if grant is not None and grant.is_valid(now or timezone.now()) else None
