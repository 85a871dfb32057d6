"""Questions, attempts and grants of qualification tests.

A QualificationTest (jobs/models.py) holds a pool of QualificationQuestion rows. Starting a
QualificationAttempt fixes on the server which questions are drawn, their order, the order of
their options and the deadline; each AttemptAnswer is one saved answer. Passing creates or
upgrades the worker's QualificationGrant of the test's qualification.

The answer key (which options are correct, accepted answers, regular expression, numeric
answer) lives only in QualificationQuestion and never leaves the server before an attempt ends.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from core.models import TimeStampedModel

from .models import Qualification, QualificationTest

__all__ = [
    "AttemptAnswer",
    "QualificationAttempt",
    "QualificationGrant",
    "QualificationQuestion",
]


class QualificationQuestion(models.Model):
    """One question of a test's pool, with its answer key, weight and explanation.

    `options` is a list of {"id": str, "text": str, "correct": bool}; the ids are random,
    stable keys the worker's answers refer to (they say nothing about correctness).
    `accepted_answers` and `regex` serve short-text questions, `numeric_answer` and
    `tolerance` numeric ones.
    """

    class Kind(models.TextChoices):
        SINGLE_CHOICE = "single_choice", "Single choice"
        MULTIPLE_CHOICE = "multiple_choice", "Multiple choice"
        SHORT_TEXT = "short_text", "Short text"
        NUMERIC = "numeric", "Numeric"
        SAMPLE_TASK = "sample_task", "Sample task"

    test = models.ForeignKey(QualificationTest, on_delete=models.CASCADE, related_name="questions")
    sort_order = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    prompt = models.TextField(max_length=2000)
    context = models.TextField(
        blank=True,
        max_length=6000,
        help_text="A passage shown above the question (a search result, a chatbot reply…).",
    )
    weight = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    explanation = models.TextField(blank=True, max_length=4000)
    options = models.JSONField(default=list, blank=True)
    accepted_answers = models.JSONField(default=list, blank=True)
    regex = models.CharField(max_length=200, blank=True)
    numeric_answer = models.DecimalField(max_digits=24, decimal_places=6, null=True, blank=True)
    tolerance = models.DecimalField(max_digits=24, decimal_places=6, default=0)
    # A sample task: an annotation interface (annotation/registry.py), its configuration,
    # the item shown, and the gold answer it is graded against (never sent to the worker).
    interface = models.CharField(max_length=32, blank=True)
    task_config = models.JSONField(default=dict, blank=True)
    task_data = models.JSONField(default=dict, blank=True)
    gold_answer = models.JSONField(null=True, blank=True)
    task_tolerance = models.FloatField(
        null=True,
        blank=True,
        help_text="The interface's tolerance (IoU, edit distance…); empty for its default.",
    )

    class Meta:
        ordering = ["test", "sort_order", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(weight__gte=1), name="question_weight_min_1"),
            models.CheckConstraint(
                condition=models.Q(tolerance__gte=0), name="question_tolerance_not_negative"
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="numeric") | models.Q(numeric_answer__isnull=False),
                name="numeric_question_has_answer",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="sample_task")
                | (~models.Q(interface="") & models.Q(gold_answer__isnull=False)),
                name="sample_task_has_interface_and_gold",
            ),
        ]

    def __str__(self):
        return self.prompt[:60]

    @property
    def is_choice(self) -> bool:
        return self.kind in (self.Kind.SINGLE_CHOICE, self.Kind.MULTIPLE_CHOICE)

    @property
    def option_texts(self) -> dict[str, str]:
        return {option["id"]: option["text"] for option in self.options}


class QualificationAttempt(TimeStampedModel):
    """One sitting of a test by a worker; at most one in progress per worker and test.

    `question_ids` is the drawn questions in the order shown; `option_orders` maps a
    question id (as a string) to its option ids in the order shown. Both and `deadline`
    are fixed when the attempt starts.
    """

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        PASSED = "passed", "Passed"
        FAILED = "failed", "Not passed"

    class EndedBy(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        DEADLINE = "deadline", "Time ran out"

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="qualification_attempts"
    )
    test = models.ForeignKey(QualificationTest, on_delete=models.CASCADE, related_name="attempts")
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.IN_PROGRESS, db_index=True
    )
    question_ids = models.JSONField(default=list)
    option_orders = models.JSONField(default=dict)
    started_at = models.DateTimeField(default=timezone.now)
    deadline = models.DateTimeField(db_index=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.CharField(max_length=16, choices=EndedBy.choices, blank=True)
    score = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    pass_score = models.PositiveSmallIntegerField(
        help_text="The test's pass score when the attempt started."
    )
    payment_cents = models.PositiveIntegerField(
        default=0,
        help_text="The completion payment reserved when the attempt started; paid once graded.",
    )

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                "worker",
                "test",
                condition=models.Q(status="in_progress"),
                name="one_attempt_in_progress_per_worker_and_test",
            ),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__lte=100),
                name="attempt_score_at_most_100",
            ),
        ]

    def __str__(self):
        return f"Attempt {self.pk}"

    @property
    def is_in_progress(self) -> bool:
        return self.status == self.Status.IN_PROGRESS

    @property
    def passed(self) -> bool:
        return self.status == self.Status.PASSED

    def is_overdue(self, now=None) -> bool:
        return self.is_in_progress and (now or timezone.now()) > self.deadline


class AttemptAnswer(models.Model):
    """The worker's saved answer to one drawn question of an attempt.

    `value` is a list of option ids for choice questions and the text as typed for
    short-text and numeric ones. `credit` (0..weight) is set when the attempt is graded.
    """

    attempt = models.ForeignKey(
        QualificationAttempt, on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        QualificationQuestion, on_delete=models.CASCADE, related_name="answers"
    )
    value = models.JSONField(default=list, blank=True)
    saved_at = models.DateTimeField(default=timezone.now)
    credit = models.DecimalField(max_digits=9, decimal_places=4, null=True, blank=True)

    class Meta:
        ordering = ["attempt", "pk"]
        constraints = [
            models.UniqueConstraint("attempt", "question", name="one_answer_per_attempt_question")
        ]

    def __str__(self):
        return f"Answer {self.pk}"


class QualificationGrant(TimeStampedModel):
    """A worker holds a qualification with a 0-100 score, until it expires or is revoked.

    One row per worker and qualification: passing again upgrades it (best score, renewed
    expiry). Revocation records who, when and why; a revoked grant is not restored by
    passing again (staff decide).
    """

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="qualification_grants"
    )
    qualification = models.ForeignKey(
        Qualification, on_delete=models.CASCADE, related_name="grants"
    )
    test = models.ForeignKey(
        QualificationTest,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="grants",
        help_text="The test whose best attempt earned the grant.",
    )
    score = models.PositiveSmallIntegerField(validators=[MaxValueValidator(100)])
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoke_reason = models.CharField(max_length=500, blank=True)
    expiry_warning_sent_at = models.DateTimeField(
        null=True, blank=True, help_text="When the worker was told the grant is about to expire."
    )

    class Meta:
        ordering = ["-granted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                "worker", "qualification", name="one_grant_per_worker_and_qualification"
            ),
            models.CheckConstraint(
                condition=models.Q(score__lte=100), name="grant_score_at_most_100"
            ),
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True) | ~models.Q(revoke_reason=""),
                name="revoked_grant_has_reason",
            ),
        ]

    def __str__(self):
        return f"Grant {self.pk}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def is_expired(self, now=None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())

    def is_valid(self, now=None) -> bool:
        return not self.is_revoked and not self.is_expired(now)
