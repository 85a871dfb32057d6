from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import GroupApprovalTask, Page
from wagtail.search import index

from accounts.models import Company, Country, Language
from core.categories import Category
from core.durations import format_duration
from core.errors import LoopworkError
from core.models import TimeStampedModel
from core.money import format_money

from .admin_panels import ListingPayPanel

LISTING_RICH_TEXT_FEATURES = ["h3", "bold", "italic", "ol", "ul", "link"]
MAX_HOURLY_PAY_CENTS = 100_000_00


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
    """One job listing of one company, published after staff moderation.

    Its pay has one source. A listing of task work on Loopwork (`pay_source` "projects")
    is paid what its linked projects pay: marketplace writes their figures to ListingPay,
    and no number is typed for it. A listing of work done elsewhere (an hourly support
    role, say) states an hourly pay (`hourly_pay_cents`) and says so.
    """

    class PaySource(models.TextChoices):
        PROJECTS = "projects", "Tasks on Loopwork: the pay comes from the linked projects"
        HOURLY = "hourly", "Hourly work outside Loopwork, at the pay stated here"

    class Admission(models.TextChoices):
        ON_PASS = "on_pass", "Automatically, when they pass the test (at once when there is none)"
        COMPANY = "company", "By our decision: we admit or decline each applicant"

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
    pay_source = models.CharField(
        max_length=16, choices=PaySource.choices, default=PaySource.PROJECTS
    )
    hourly_pay_cents = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="For work outside Loopwork: the pay per hour, in minor units (cents).",
        validators=[MinValueValidator(1), MaxValueValidator(MAX_HOURLY_PAY_CENTS)],
    )
    currency = models.CharField(max_length=3, default="USD")
    admission = models.CharField(
        max_length=16,
        choices=Admission.choices,
        default=Admission.ON_PASS,
        help_text="How applicants are admitted to the listing's work.",
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
        ListingPayPanel(heading="Pay against its projects"),
        *Page.content_panels,
        FieldPanel("company"),
        FieldPanel("category"),
        FieldPanel("summary"),
        FieldPanel("description"),
        MultiFieldPanel(
            [FieldPanel("pay_source"), FieldPanel("hourly_pay_cents"), FieldPanel("currency")],
            heading="Pay",
        ),
        MultiFieldPanel(
            [
                FieldPanel("admission"),
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
                condition=~models.Q(pay_source="hourly") | models.Q(hourly_pay_cents__isnull=False),
                name="jobpage_hourly_pay_is_stated",
            )
        ]

    @property
    def pays_through_projects(self) -> bool:
        return self.pay_source == self.PaySource.PROJECTS

    @property
    def project_pay(self) -> "ListingPay | None":
        """What the linked projects pay (None for hourly work, or before any is linked)."""
        if not self.pays_through_projects:
            return None
        try:
            figures = self.pay_figures
        except ListingPay.DoesNotExist:
            return None
        return figures if figures.project_count else None

    @property
    def pay_display(self) -> str:
        """The pay as one line: "$15.00 per hour", "$0.10 per task", or a range per task."""
        if not self.pays_through_projects:
            if self.hourly_pay_cents is None:
                return "Pay not stated"
            return f"{format_money(self.hourly_pay_cents, self.currency)} per hour"
        pay = self.project_pay
        return pay.per_task_text if pay else "Pay is set by its projects"

    @property
    def hourly_rate_cents(self) -> int:
        """What the work pays per hour (the lowest of its projects'); 0 when not known yet."""
        if not self.pays_through_projects:
            return self.hourly_pay_cents or 0
        pay = self.project_pay
        return pay.hourly_min_cents if pay else 0

    @property
    def is_past_deadline(self) -> bool:
        return self.deadline is not None and self.deadline < timezone.localdate()

    @property
    def accepts_applications(self) -> bool:
        return self.live and self.status == self.Status.OPEN and not self.is_past_deadline

    @property
    def admits_on_pass(self) -> bool:
        return self.admission == self.Admission.ON_PASS

    def pay_problem(self) -> LoopworkError | None:
        """Why the listing's pay may not go live as it stands, or None when it may.

        Task work must be linked to at least one project (its pay comes from there) and pay
        at least the platform's floor per hour; hourly work outside Loopwork must state its
        pay and may not be linked to projects, whose pay would disagree with it. Listings
        sit below projects, so this reads the figures marketplace keeps in ListingPay.
        """
        figures = ListingPay.objects.filter(listing_id=self.pk).first()
        linked = figures.project_count if figures is not None else 0
        floor = format_money(settings.PAY_FLOOR_HOURLY_CENTS)
        if not self.pays_through_projects:
            if linked:
                return LoopworkError(
                    f"This listing is linked to {linked} project(s), whose pay would disagree "
                    "with an hourly pay typed here. Choose “Tasks on Loopwork” so the listing "
                    "shows what the projects pay, or unlink them.",
                    code="pay_disagrees",
                    field="pay_source",
                )
            if self.hourly_pay_cents is None:
                return LoopworkError(
                    "Say what the work pays per hour.",
                    code="hourly_pay_required",
                    field="hourly_pay",
                )
            if self.hourly_pay_cents < settings.PAY_FLOOR_HOURLY_CENTS:
                return LoopworkError(
                    f"The hourly pay is under Loopwork's pay floor of {floor} an hour.",
                    code="below_pay_floor",
                    field="hourly_pay",
                )
            return None
        if not linked:
            return LoopworkError(
                "Link a project to this listing first: the listing shows what its projects pay. "
                "Open the project's settings and choose this listing under “Listings”.",
                code="no_projects",
                field="pay_source",
            )
        if not figures.hourly_min_cents:
            return LoopworkError(
                "Its projects do not say how long a task takes yet, so the listing cannot show "
                "the hourly pay: set each project's time per task.",
                code="no_time_estimate",
                field="pay_source",
            )
        if figures.hourly_min_cents < settings.PAY_FLOOR_HOURLY_CENTS:
            return LoopworkError(
                f"Its projects pay {figures.hourly_text} at {figures.time_text}, under "
                f"Loopwork's pay floor of {floor} an hour. Raise the projects' reward first.",
                code="below_pay_floor",
                field="pay_source",
            )
        return None

    def get_context(self, request, *args, **kwargs):
        # board_context imports these models, so it is imported when a page is served.
        from .board_context import job_page_context

        context = super().get_context(request, *args, **kwargs)
        context.update(job_page_context(self, request))
        return context


class ListingApprovalTask(GroupApprovalTask):
    """Staff approval of a listing, which may only publish pay that tells the truth.

    Approving is not offered (and refused if asked for) while the listing's pay may not go
    live: task work not linked to projects, pay under the floor, or hourly pay typed for a
    listing whose projects pay otherwise (JobPage.pay_problem). Moderators see the listing's
    pay beside its projects' in the editor (ListingPayPanel).
    """

    class Meta:
        verbose_name = "Listing approval"

    @staticmethod
    def _problem(obj) -> LoopworkError | None:
        listing = getattr(obj, "specific", obj)
        return listing.pay_problem() if isinstance(listing, JobPage) else None

    def get_actions(self, obj, user):
        actions = super().get_actions(obj, user)
        if self._problem(obj) is None:
            return actions
        return [action for action in actions if action[0] != "approve"]

    def on_action(self, task_state, user, action_name, **kwargs):
        if action_name == "approve":
            problem = self._problem(task_state.revision.as_object())
            if problem is not None:
                raise PermissionDenied(problem.message)
        return super().on_action(task_state, user, action_name, **kwargs)


class ListingPay(models.Model):
    """What a listing's linked projects pay, as workers see it on the listing and in /work/.

    Written by marketplace (which sits above jobs) whenever a project's reward, time
    estimate, measured time or links change, so the board, the listing page and search
    read one stored truth without knowing about projects. Times are the projects' median
    measured time per task once enough answers are timed, their estimate before that;
    hourly rates never go below the pay floor that tops measured shortfalls up.
    """

    listing = models.OneToOneField(
        JobPage, primary_key=True, on_delete=models.CASCADE, related_name="pay_figures"
    )
    currency = models.CharField(max_length=3, default="USD")
    project_count = models.PositiveSmallIntegerField(default=0)
    reward_min_cents = models.PositiveIntegerField(default=0)
    reward_max_cents = models.PositiveIntegerField(default=0)
    seconds_min = models.PositiveIntegerField(null=True, blank=True)
    seconds_max = models.PositiveIntegerField(null=True, blank=True)
    hourly_min_cents = models.PositiveIntegerField(default=0)
    hourly_max_cents = models.PositiveIntegerField(default=0)
    is_estimate = models.BooleanField(
        default=True, help_text="Some project's time is its estimate: too few answers timed."
    )
    floor_applies = models.BooleanField(
        default=False, help_text="The pay floor lifts some project's measured hourly rate."
    )
    projects = models.JSONField(
        default=list, help_text="Each linked project's figures, as marketplace computed them."
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Pay of listing {self.listing_id}"

    @property
    def per_task_text(self) -> str:
        low = format_money(self.reward_min_cents, self.currency)
        if self.reward_max_cents == self.reward_min_cents:
            return f"{low} per task"
        return f"{low}\N{EN DASH}{format_money(self.reward_max_cents, self.currency)} per task"

    @property
    def time_text(self) -> str:
        if self.seconds_min is None:
            return ""
        low = format_duration(self.seconds_min)
        if self.seconds_max in (None, self.seconds_min):
            text = low
        else:
            text = f"{low}\N{EN DASH}{format_duration(self.seconds_max)}"
        return ("about " if self.is_estimate else "") + text + " per task"

    @property
    def hourly_text(self) -> str:
        if not self.hourly_min_cents:
            return ""
        low = format_money(self.hourly_min_cents, self.currency)
        if self.hourly_max_cents == self.hourly_min_cents:
            return f"{low}/h"
        return f"{low}\N{EN DASH}{format_money(self.hourly_max_cents, self.currency)}/h"

    @property
    def basis_text(self) -> str:
        """Where the figures come from, in words."""
        if self.is_estimate:
            return "estimated: too few answers are timed yet"
        return "measured: the median time of workers' answers"


class Application(TimeStampedModel):
    """A worker's application to one listing; its history is in ApplicationEvent."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        TEST_REQUIRED = "test_required", "Test required"
        QUALIFIED = "qualified", "Qualified"
        REJECTED = "rejected", "Not selected"
        WITHDRAWN = "withdrawn", "Withdrawn"
        ACTIVE = "active", "Admitted"

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
