"""Task projects, their items, and the assignments that hand items to workers.

A Project belongs to one company and names an annotation interface (annotation/registry.py)
with its label schema. Items are the units of work; each needs `overlap` answers from
distinct workers. An Assignment is one worker's lease on one item, then their answer.

The engine (marketplace/assignment.py) keeps two counters on each item under a row lock:
`assigned_count` (live leases plus counted answers) and `submitted_count` (counted answers:
submitted, in revision or approved; a rejected answer stops counting and frees its place).
`is_open` is true while `assigned_count < overlap`, so the engine's query can use a partial
index instead of counting assignments.
"""

import datetime
import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from accounts.models import Company
from core.categories import Category
from core.models import TimeStampedModel
from jobs.models import JobPage, Qualification

MAX_OVERLAP = 10
DEFAULT_AUTO_APPROVE_HOURS = 72
MAX_PAY_FLOOR_HOURLY_CENTS = 200_00
MAX_ESTIMATED_TASK_SECONDS = 24 * 3600


class Project(TimeStampedModel):
    """A company's labeling, moderation or evaluation job, worked on item by item."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    class Access(models.TextChoices):
        LISTINGS = "listings", "Only workers admitted through its listings"
        OPEN = "open", "Every worker who holds its qualification"

    class ContentRisk(models.TextChoices):
        NONE = "none", "None"
        MILD = "mild", "Mild (offensive language, mild violence)"
        GRAPHIC = "graphic", "Graphic or disturbing"

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="projects")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(max_length=160)
    description = models.TextField(
        blank=True, max_length=2000, help_text="What the project is for; shown in the task list."
    )
    instructions = models.TextField(
        blank=True,
        max_length=50_000,
        help_text="Guidelines shown beside every task (HTML; sanitised before it is shown).",
    )
    category = models.CharField(max_length=32, choices=Category.choices)
    interface = models.CharField(max_length=32, help_text="An annotation interface's name.")
    label_schema = models.JSONField(
        default=dict, blank=True, help_text="The interface's configuration: labels, scale…"
    )
    reward_cents = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(100_00)],
        help_text="Reward per approved assignment, in minor units.",
    )
    currency = models.CharField(max_length=3, default="USD")
    estimated_task_seconds = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_ESTIMATED_TASK_SECONDS)],
        help_text="How long one task takes a careful worker, in seconds: the time workers "
        "see until enough answers are timed, and what the pay floor is checked against at "
        "launch.",
    )
    # The measured time per task (marketplace/pay.py writes these): the median work time of
    # the latest answers, and how many answers were timed.
    median_work_seconds = models.PositiveIntegerField(null=True, blank=True)
    timed_answer_count = models.PositiveIntegerField(default=0)
    overlap = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_OVERLAP)],
        help_text="How many distinct workers answer each item.",
    )
    lease_seconds = models.PositiveIntegerField(
        default=600,
        validators=[MinValueValidator(30), MaxValueValidator(24 * 3600)],
        help_text="How long a worker holds a task before it goes back to the pool.",
    )
    max_assignments_per_worker = models.PositiveIntegerField(
        null=True, blank=True, help_text="Empty for no limit."
    )
    required_qualification = models.ForeignKey(
        Qualification,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
    )
    min_qualification_score = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(100)]
    )
    listings = models.ManyToManyField(JobPage, blank=True, related_name="projects")
    access = models.CharField(
        max_length=16,
        choices=Access.choices,
        default=Access.OPEN,
        help_text="Who may take tasks: workers admitted through the linked listings, or "
        "every worker holding the required qualification.",
    )
    gold_rate = models.PositiveSmallIntegerField(
        default=0,
        validators=[MaxValueValidator(50)],
        help_text="Percent of tasks that are gold (control) items, when gold items exist.",
    )
    accuracy_threshold = models.PositiveSmallIntegerField(
        default=0,
        validators=[MaxValueValidator(100)],
        help_text="Workers whose gold accuracy falls below this percent are stopped.",
    )
    min_gold_answers = models.PositiveSmallIntegerField(
        default=5, help_text="Gold answers a worker gives before the threshold applies."
    )
    show_gold_feedback = models.BooleanField(
        default=True, help_text="Show the worker the expected answer after a gold item."
    )
    min_work_seconds = models.PositiveIntegerField(
        default=3,
        validators=[MaxValueValidator(3600)],
        help_text="Answers given faster than this many seconds are flagged for review (0: off).",
    )
    revoke_qualification_on_stop = models.BooleanField(
        default=False,
        help_text="Also revoke the required qualification when quality control stops a worker.",
    )
    max_overlap = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_OVERLAP)],
        help_text="Dynamic overlap: ask for up to this many answers on low-confidence items.",
    )
    confidence_target = models.FloatField(
        default=0.7,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="Items whose aggregated confidence is below this get more answers.",
    )
    auto_approve_hours = models.PositiveIntegerField(
        default=DEFAULT_AUTO_APPROVE_HOURS,
        validators=[MinValueValidator(1), MaxValueValidator(30 * 24)],
        help_text="Unreviewed submissions are approved automatically after this delay.",
    )
    pay_floor_hourly_cents = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_PAY_FLOOR_HOURLY_CENTS)],
        help_text="Minimum effective hourly pay, in minor units: approved work whose measured "
        "time shows a lower rate is topped up. Empty: the platform's floor only.",
    )
    content_risk = models.CharField(
        max_length=16, choices=ContentRisk.choices, default=ContentRisk.NONE
    )
    daily_exposure_cap = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="For risky content: most tasks one worker may take in 24 hours.",
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    launched_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    auto_completed = models.BooleanField(
        default=False,
        help_text="Completed by the engine when every item had its answers (a rejection "
        "that frees a place reopens it); a company's own completion is final.",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(overlap__gte=1, overlap__lte=MAX_OVERLAP),
                name="project_overlap_1_to_10",
            ),
            models.CheckConstraint(
                condition=models.Q(reward_cents__gte=1), name="project_reward_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(content_risk="none")
                | models.Q(daily_exposure_cap__isnull=False),
                name="risky_project_has_exposure_cap",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_risky(self) -> bool:
        return self.content_risk != self.ContentRisk.NONE

    @property
    def lease_duration(self) -> datetime.timedelta:
        return datetime.timedelta(seconds=self.lease_seconds)

    @property
    def through_listings(self) -> bool:
        return self.access == self.Access.LISTINGS


def project_media_upload_to(instance, filename):
    return f"projects/{instance.project_id}/{filename}"


class ProjectMedia(TimeStampedModel):
    """An image or audio file a company uploaded for its items (checked by type and size)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="media")
    file = models.FileField(upload_to=project_media_upload_to, max_length=300)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["project", "original_name"]

    def __str__(self):
        return self.original_name


class Item(models.Model):
    """One unit of work: the data the interface shows, validated and sanitised on upload.

    A gold item carries the expected answer; it is never sent to a worker and does not
    count toward the project's progress.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="items")
    data = models.JSONField()
    external_id = models.CharField(
        max_length=200, blank=True, help_text="The company's own id for the item, if any."
    )
    is_gold = models.BooleanField(default=False)
    gold_answer = models.JSONField(null=True, blank=True)
    gold_explanation = models.TextField(blank=True, max_length=2000)
    # Gold items count every worker who answers them, so the counters need full integers.
    assigned_count = models.PositiveIntegerField(default=0)
    submitted_count = models.PositiveIntegerField(default=0)
    extra_answers = models.PositiveSmallIntegerField(
        default=0,
        help_text="Answers wanted beyond the project's overlap (more on low confidence).",
    )
    is_open = models.BooleanField(default=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["project", "pk"]
        indexes = [
            # The engine's pick: the project's next open item of a kind, in upload order.
            models.Index(
                fields=["project", "is_gold", "id"],
                condition=models.Q(is_open=True),
                name="item_open_pick",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_gold=False) | models.Q(gold_answer__isnull=False),
                name="gold_item_has_answer",
            ),
        ]

    def __str__(self):
        return f"Item {self.pk}"


class Assignment(TimeStampedModel):
    """One worker's lease on one item, and then their answer.

    A worker never holds two assignments of the same item (unique constraint), whatever
    became of the first. `reward_cents` is the project's reward when the lease was made.
    """

    class Status(models.TextChoices):
        LEASED = "leased", "In progress"
        SUBMITTED = "submitted", "Submitted"
        RETURNED = "returned", "Returned"
        EXPIRED = "expired", "Lease expired"
        REVISION = "revision", "Returned for revision"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    class RejectReason(models.TextChoices):
        FAILED_GOLD = "failed_gold", "Wrong answers on control items"
        DISAGREES = "disagrees", "Disagrees with the other workers"
        TOO_FAST = "too_fast", "Answered too fast to have done the task"
        IGNORED_INSTRUCTIONS = "ignored_instructions", "Did not follow the instructions"
        INCOMPLETE = "incomplete", "Incomplete or empty answer"
        SPAM = "spam", "Spam, copied or generated text"
        OTHER = "other", "Other (explained below)"
        # Only staff give this one, when they reverse an approval's pay for fraud.
        FRAUD = "fraud", "Payment reversed for fraud by Loopwork staff"

    # The reasons a company's reviewer may give (fraud reversal is staff's alone).
    REVIEWER_REASONS = tuple(
        (value, label) for value, label in RejectReason.choices if value != "fraud"
    )
    # Answers that count toward the item's overlap, its result and its progress. A rejected
    # answer does not: its place is freed and another worker's answer replaces it.
    COUNTED = (Status.SUBMITTED, Status.REVISION, Status.APPROVED)
    # Statuses that hold one of the item's `overlap` places: live leases and counted answers.
    HOLDS_PLACE = (Status.LEASED, *COUNTED)
    ANSWERED = (Status.SUBMITTED, Status.REVISION, Status.APPROVED, Status.REJECTED)
    # Waiting for the company's decision (or the worker's revision).
    UNDECIDED = (Status.SUBMITTED, Status.REVISION)
    # The company's decision is made and final, unless a dispute overturns a rejection.
    DECIDED = (Status.APPROVED, Status.REJECTED)

    # The (project, worker, status) and (item, worker) indexes cover lookups by project and
    # by item, so those foreign keys need no index of their own: fewer indexes to update on
    # every claim and submit.
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="assignments", db_index=False
    )
    item = models.ForeignKey(
        Item, on_delete=models.CASCADE, related_name="assignments", db_index=False
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments"
    )
    is_gold = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.LEASED)
    reward_cents = models.PositiveIntegerField()
    leased_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    answer = models.JSONField(null=True, blank=True)
    work_seconds = models.PositiveIntegerField(
        null=True, blank=True, help_text="Seconds from lease to submit."
    )
    gold_score = models.FloatField(
        null=True, blank=True, help_text="0..1 agreement with the gold answer, for gold items."
    )
    is_too_fast = models.BooleanField(
        default=False, help_text="Submitted faster than the project's minimum work time."
    )
    agreement = models.FloatField(
        null=True, blank=True, help_text="0..1 agreement with the item's aggregated answer."
    )
    review_due_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When an undecided submission is approved automatically.",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty for automatic approval.",
    )
    reject_reason = models.CharField(max_length=32, choices=RejectReason.choices, blank=True)
    review_comment = models.TextField(
        blank=True, max_length=2000, help_text="The reviewer's words to the worker."
    )
    revision_count = models.PositiveSmallIntegerField(
        default=0, help_text="Times returned for revision (at most once)."
    )

    class Meta:
        ordering = ["-leased_at", "-pk"]
        indexes = [
            models.Index(fields=["project", "worker", "status"], name="assignment_worker_status"),
            models.Index(
                fields=["review_due_at"],
                condition=models.Q(status__in=["submitted", "revision"]),
                name="assignment_review_due",
            ),
            models.Index(
                fields=["project", "status", "submitted_at"], name="assignment_review_queue"
            ),
            models.Index(
                fields=["project", "expires_at"],
                condition=models.Q(status="leased"),
                name="assignment_live_lease",
            ),
        ]
        constraints = [
            models.UniqueConstraint("item", "worker", name="one_assignment_per_item_and_worker"),
            # At most one lease per worker and project: concurrent claims of one worker (two
            # tabs) cannot both lease, without serialising them on a lock.
            models.UniqueConstraint(
                fields=["project", "worker"],
                condition=models.Q(status="leased"),
                name="one_lease_per_worker_and_project",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["submitted", "revision", "approved", "rejected"])
                | models.Q(answer__isnull=False, submitted_at__isnull=False),
                name="answered_assignment_has_answer",
            ),
            models.CheckConstraint(
                condition=models.Q(revision_count__lte=1), name="assignment_revised_at_most_once"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="rejected") | ~models.Q(reject_reason=""),
                name="rejected_assignment_has_reason",
            ),
        ]

    def __str__(self):
        return f"Assignment {self.pk}"

    def lease_is_live(self, now=None) -> bool:
        return self.status == self.Status.LEASED and (now or timezone.now()) < self.expires_at


class ItemUpload(TimeStampedModel):
    """A CSV or JSONL file checked row by row, waiting for the company to keep or drop it.

    `rows` holds the cleaned good rows ready to become items; `errors` the bad ones as
    {"line": int, "message": str}. Nothing becomes an item until the upload is kept.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a decision"
        KEPT = "kept", "Good rows kept"
        DISCARDED = "discarded", "Discarded"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="uploads")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    file_name = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    rows = models.JSONField(default=list)
    errors = models.JSONField(default=list)
    line_count = models.PositiveIntegerField(default=0)
    created_items = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.file_name


class WorkerStop(TimeStampedModel):
    """A worker stopped from taking tasks in one project (quality control), with evidence.

    Lifting the stop (an upheld appeal, say) sets `lifted_at`; the row stays as history.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="stops")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_stops"
    )
    reason = models.CharField(max_length=500)
    evidence = models.JSONField(default=dict, blank=True)
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                "project",
                "worker",
                condition=models.Q(lifted_at__isnull=True),
                name="one_active_stop_per_project_and_worker",
            ),
        ]

    def __str__(self):
        return f"Stop {self.pk}"


class ReviewDecision(models.Model):
    """The audit log of review: who decided what about a submission, when and why.

    Rows are only ever added. `actor` is empty for decisions the system made (automatic
    approval). `evidence` keeps what the decision rested on (failed gold items, agreement
    with the majority, time taken) as it was at that moment.
    """

    class Action(models.TextChoices):
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        AUTO_APPROVED = "auto_approved", "Approved automatically"
        REVISION_REQUESTED = "revision_requested", "Returned for revision"
        RESUBMITTED = "resubmitted", "Revised and resubmitted"
        DISPUTED = "disputed", "Rejection disputed"
        DISPUTE_UPHELD = "dispute_upheld", "Dispute resolved: rejection upheld"
        DISPUTE_OVERTURNED = "dispute_overturned", "Dispute resolved: overturned and approved"
        FRAUD_REVERSED = "fraud_reversed", "Payment reversed for fraud"

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="decisions")
    action = models.CharField(max_length=32, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=32, blank=True)
    comment = models.TextField(blank=True, max_length=2000)
    evidence = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_action_display()} ({self.assignment_id})"


class Dispute(TimeStampedModel):
    """A worker's challenge of a rejection, or an appeal of a quality-control stop.

    Exactly one of `assignment` and `stop` is set. Staff resolve it in the Wagtail admin:
    uphold, or overturn (which approves the assignment, or lifts the stop).
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        UPHELD = "upheld", "Upheld"
        OVERTURNED = "overturned", "Overturned"

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="disputes"
    )
    assignment = models.OneToOneField(
        Assignment, null=True, blank=True, on_delete=models.CASCADE, related_name="dispute"
    )
    stop = models.OneToOneField(
        WorkerStop, null=True, blank=True, on_delete=models.CASCADE, related_name="appeal"
    )
    message = models.TextField(max_length=4000)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(blank=True, max_length=4000)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(assignment__isnull=False, stop__isnull=True)
                | models.Q(assignment__isnull=True, stop__isnull=False),
                name="dispute_is_about_one_thing",
            ),
        ]

    def __str__(self):
        return f"Dispute {self.pk}"


class CompanyRating(TimeStampedModel):
    """A worker's rating of a company they worked for; one per worker and company."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="ratings")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="company_ratings"
    )
    clarity = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    fairness = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    review_speed = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.UniqueConstraint("company", "worker", name="one_rating_per_company_and_worker"),
            models.CheckConstraint(
                condition=models.Q(
                    clarity__gte=1,
                    clarity__lte=5,
                    fairness__gte=1,
                    fairness__lte=5,
                    review_speed__gte=1,
                    review_speed__lte=5,
                ),
                name="company_rating_1_to_5",
            ),
        ]

    def __str__(self):
        return f"Rating {self.pk}"


class ItemResult(models.Model):
    """The aggregated answer of one item, with how confident the aggregation is (0..1).

    `method` names the rule that produced it (majority vote, Dawid-Skene, mean, the most
    central text, overlap clustering); `details` holds what that rule reports, such as the
    vote shares or the spread of ratings.
    """

    item = models.OneToOneField(Item, on_delete=models.CASCADE, related_name="result")
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="results", db_index=False
    )
    answer = models.JSONField(null=True, blank=True)
    confidence = models.FloatField(default=0.0)
    method = models.CharField(max_length=32)
    answer_count = models.PositiveSmallIntegerField(default=0)
    details = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["item_id"]
        indexes = [
            models.Index(fields=["project", "confidence"], name="item_result_confidence"),
        ]

    def __str__(self):
        return f"Result of item {self.item_id}"


def webhook_secret():
    return "whsec_" + secrets.token_urlsafe(32)


class WebhookEndpoint(TimeStampedModel):
    """A company's URL that receives signed event notifications."""

    class Event(models.TextChoices):
        ITEM_COMPLETED = "item.completed", "Item completed"
        PROJECT_COMPLETED = "project.completed", "Project completed"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=80, default=webhook_secret)
    events = models.JSONField(default=list, help_text="Event names this endpoint receives.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.url


class WebhookDelivery(TimeStampedModel):
    """One event sent (or being retried) to one endpoint. `event_id` is stable across retries."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed after all retries"

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=40)
    event_id = models.CharField(max_length=64, unique=True)
    payload = models.JSONField()
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.event} {self.event_id}"
