from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from accounts.models import Company, Country, Language
from core.categories import Category
from core.models import TimeStampedModel
from core.money import format_money

LISTING_RICH_TEXT_FEATURES = ["h3", "bold", "italic", "ol", "ul", "link"]


class Qualification(TimeStampedModel):
    """A skill a worker can hold, e.g. "English search relevance rating", proven by a test."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80, unique=True)
    category = models.CharField(max_length=32, choices=Category.choices)
    description = models.TextField(blank=True, max_length=2000)
    company = models.ForeignKey(
        Company,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="qualifications",
        help_text="Empty for platform-wide qualifications.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


# The settings of a test that authors edit and JSON documents carry, in one place.
QUALIFICATION_TEST_SETTINGS = (
    "title",
    "category",
    "instructions",
    "pass_score",
    "time_limit_minutes",
    "max_attempts",
    "retake_cooldown_hours",
    "questions_per_attempt",
    "shuffle_questions",
    "shuffle_options",
    "grant_validity_days",
    "show_feedback",
)


class QualificationTest(TimeStampedModel):
    """A timed, server-graded test whose pass grants its qualification with a 0-100 score."""

    qualification = models.ForeignKey(Qualification, on_delete=models.PROTECT, related_name="tests")
    company = models.ForeignKey(
        Company,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="qualification_tests",
        help_text="The company that authored the test; empty for platform tests.",
    )
    title = models.CharField(max_length=160)
    category = models.CharField(max_length=32, choices=Category.choices)
    instructions = models.TextField(blank=True, max_length=6000)
    pass_score = models.PositiveSmallIntegerField(
        default=80, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    time_limit_minutes = models.PositiveSmallIntegerField(
        default=20, validators=[MinValueValidator(1), MaxValueValidator(240)]
    )
    max_attempts = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    retake_cooldown_hours = models.PositiveIntegerField(
        default=24, validators=[MaxValueValidator(24 * 90)]
    )
    questions_per_attempt = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(1), MaxValueValidator(200)]
    )
    shuffle_questions = models.BooleanField(default=True)
    shuffle_options = models.BooleanField(default=True)
    grant_validity_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="Empty: the qualification never expires."
    )
    show_feedback = models.BooleanField(
        default=True, help_text="Show correct answers and explanations after an attempt."
    )
    completion_payment_cents = models.PositiveIntegerField(
        default=0,
        validators=[MaxValueValidator(100_00)],
        help_text="Paid by the company for every completed attempt, in minor units; 0: unpaid.",
    )

    class Meta:
        ordering = ["title"]
        constraints = [
            # Only a company can fund a paid test.
            models.CheckConstraint(
                condition=models.Q(completion_payment_cents=0) | models.Q(company__isnull=False),
                name="paid_test_has_company",
            ),
        ]

    def __str__(self):
        return self.title


class JobIndexPage(Page):
    """The job board at /jobs/; its children are the listings."""

    intro = models.CharField(
        max_length=300,
        blank=True,
        default="Remote human-in-the-loop jobs: annotation, moderation, evaluation and support.",
    )

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["jobs.JobPage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        # board_context imports these models, so it is imported when a page is served.
        from .board_context import job_index_context

        context = super().get_context(request, *args, **kwargs)
        context.update(job_index_context(self, request))
        return context


class JobPage(Page):
    """One job listing of one company, published after staff moderation."""

    class PayType(models.TextChoices):
        PER_TASK = "per_task", "per task"
        PER_HOUR = "per_hour", "per hour"

    class Experience(models.TextChoices):
        ENTRY = "entry", "Entry level"
        INTERMEDIATE = "intermediate", "Some experience"
        EXPERT = "expert", "Specialist"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        PAUSED = "paused", "Paused"
        CLOSED = "closed", "Closed"

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="job_pages")
    category = models.CharField(max_length=32, choices=Category.choices, db_index=True)
    summary = models.CharField(max_length=280)
    description = RichTextField(features=LISTING_RICH_TEXT_FEATURES)
    pay_type = models.CharField(max_length=16, choices=PayType.choices, default=PayType.PER_HOUR)
    pay_amount_cents = models.PositiveIntegerField(
        help_text="Pay in minor units (cents) per task or per hour.",
        validators=[MinValueValidator(1), MaxValueValidator(100_000_00)],
    )
    currency = models.CharField(max_length=3, default="USD")
    task_minutes = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
        help_text="For pay per task: typical minutes one task takes (gives the hourly rate).",
    )
    hours_per_week = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    eligible_countries = ParentalManyToManyField(
        Country, blank=True, help_text="Leave empty when people anywhere may apply."
    )
    required_languages = ParentalManyToManyField(Language, blank=True)
    experience_level = models.CharField(
        max_length=16, choices=Experience.choices, default=Experience.ENTRY
    )
    openings = models.PositiveIntegerField(default=10, validators=[MinValueValidator(1)])
    deadline = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    qualification_test = models.ForeignKey(
        QualificationTest,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="job_pages",
        help_text="The test applicants must pass; empty when no test is needed.",
    )

    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("description"),
        index.FilterField("category"),
        index.FilterField("status"),
        index.FilterField("company"),
    ]
    content_panels = [
        *Page.content_panels,
        FieldPanel("company"),
        FieldPanel("category"),
        FieldPanel("summary"),
        FieldPanel("description"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("pay_type"), FieldPanel("pay_amount_cents")]),
                FieldRowPanel([FieldPanel("currency"), FieldPanel("task_minutes")]),
            ],
            heading="Pay",
        ),
        MultiFieldPanel(
            [
                FieldPanel("hours_per_week"),
                FieldPanel("experience_level"),
                FieldPanel("openings"),
                FieldPanel("deadline"),
                FieldPanel("status"),
            ],
            heading="Terms",
        ),
        FieldPanel("qualification_test"),
        FieldPanel("eligible_countries"),
        FieldPanel("required_languages"),
    ]
    parent_page_types = ["jobs.JobIndexPage"]
    subpage_types = []

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(pay_type="per_task") | models.Q(task_minutes__isnull=False),
                name="jobpage_per_task_pay_needs_task_minutes",
            )
        ]

    @property
    def pay_display(self) -> str:
        return f"{format_money(self.pay_amount_cents, self.currency)} {self.get_pay_type_display()}"

    @property
    def hourly_rate_cents(self) -> int:
        """What the pay comes to per hour (per-task pay at the stated minutes per task)."""
        if self.pay_type == self.PayType.PER_HOUR:
            return self.pay_amount_cents
        return self.pay_amount_cents * 60 // max(self.task_minutes or 60, 1)

    @property
    def is_past_deadline(self) -> bool:
        return self.deadline is not None and self.deadline < timezone.localdate()

    @property
    def accepts_applications(self) -> bool:
        return self.live and self.status == self.Status.OPEN and not self.is_past_deadline

    def get_context(self, request, *args, **kwargs):
        # board_context imports these models, so it is imported when a page is served.
        from .board_context import job_page_context

        context = super().get_context(request, *args, **kwargs)
        context.update(job_page_context(self, request))
        return context


class Application(TimeStampedModel):
    """A worker's application to one listing; its history is in ApplicationEvent."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        TEST_REQUIRED = "test_required", "Test required"
        QUALIFIED = "qualified", "Qualified"
        REJECTED = "rejected", "Not selected"
        WITHDRAWN = "withdrawn", "Withdrawn"
        ACTIVE = "active", "Active"

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="applications"
    )
    job = models.ForeignKey(JobPage, on_delete=models.CASCADE, related_name="applications")
    motivation = models.TextField(max_length=2000)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.SUBMITTED, db_index=True
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint("worker", "job", name="one_application_per_worker_and_job")
        ]

    def __str__(self):
        return f"Application {self.pk}"


class ApplicationEvent(models.Model):
    """One step in an application's history: its new status, who moved it and why."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=16, choices=Application.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.application_id} → {self.status}"


# Questions, attempts and grants of qualification tests live in their own module.
from .qualification_models import *  # noqa: E402, F403

# Search entries, their vocabulary and saved searches live in the search package.
from .search.models import *  # noqa: E402, F403
