import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Value
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.functional import cached_property

from core.categories import Category
from core.models import TimeStampedModel

from .notification_kinds import Channel


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in with their email address.

    `role` is what they came for: finding work or hiring. Staff is `is_staff` on top.
    """

    class Role(models.TextChoices):
        WORKER = "worker", "Looking for work"
        COMPANY = "company", "Hiring for a company"

    username = None
    first_name = None
    last_name = None
    email = models.EmailField("email address", unique=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.WORKER)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self):
        return self.display_name

    @property
    def is_worker(self) -> bool:
        return self.role == self.Role.WORKER

    @cached_property
    def company_membership(self):
        """The user's membership of a company, or None."""
        if not self.pk:
            return None
        return Membership.objects.select_related("company").filter(user=self).first()

    def get_full_name(self) -> str:
        # The model has no first and last name; the admin shows this instead.
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        profile = getattr(self, "worker_profile", None)
        if profile is not None and profile.display_name:
            return profile.display_name
        return self.email.split("@", 1)[0]


class Country(models.Model):
    """An ISO 3166-1 country, reference data loaded by a migration."""

    code = models.CharField(max_length=2, primary_key=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"

    def __str__(self):
        return self.name


class Language(models.Model):
    """A language work can be done in (ISO 639-1 code), reference data loaded by a migration."""

    code = models.CharField(max_length=8, primary_key=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


def default_timezone() -> str:
    return "UTC"


class WorkerProfile(TimeStampedModel):
    """What a job seeker tells about themselves; used to match listings and projects."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="worker_profile"
    )
    display_name = models.CharField(max_length=60, blank=True)
    country = models.ForeignKey(Country, null=True, blank=True, on_delete=models.SET_NULL)
    languages = models.ManyToManyField(Language, blank=True)
    categories = models.JSONField(
        default=list, blank=True, help_text="Slugs of the work categories of interest."
    )
    weekly_hours = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Hours a week the worker has for tasks."
    )
    timezone = models.CharField(max_length=64, default=default_timezone)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weekly_hours__isnull=True) | models.Q(weekly_hours__lte=80),
                name="profile_weekly_hours_at_most_80",
            )
        ]

    def __str__(self):
        return f"Profile of user {self.user_id}"

    @property
    def category_labels(self) -> list[str]:
        labels = dict(Category.choices)
        return [labels[slug] for slug in self.categories if slug in labels]


def logo_upload_to(instance, filename):
    extension = filename.rsplit(".", 1)[-1].lower()
    return f"company-logos/{instance.slug}-{secrets.token_hex(4)}.{extension}"


class Company(TimeStampedModel):
    """A workspace of people who hire workers and run projects."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80, unique=True)
    website = models.URLField(blank=True)
    description = models.TextField(blank=True, max_length=4000)
    logo = models.ImageField(upload_to=logo_upload_to, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "companies"

    def __str__(self):
        return self.name


class Membership(TimeStampedModel):
    """A user's place in one company."""

    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        MANAGER = "manager", "Manager"
        REVIEWER = "reviewer", "Reviewer"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices)

    class Meta:
        ordering = ["company", "role", "user__email"]

    def __str__(self):
        return f"{self.user_id} {self.role} of {self.company_id}"

    @property
    def can_manage(self) -> bool:
        return self.role in (self.Role.OWNER, self.Role.MANAGER)


def invitation_token() -> str:
    return secrets.token_urlsafe(32)


def invitation_expiry():
    return timezone.now() + timedelta(days=14)


class Invitation(TimeStampedModel):
    """An email invitation to join a company with a role; accepted or declined by its addressee."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        REVOKED = "revoked", "Revoked"
        EXPIRED = "expired", "Expired"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=16, choices=Membership.Role.choices)
    token = models.CharField(max_length=64, unique=True, default=invitation_token)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    expires_at = models.DateTimeField(default=invitation_expiry)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                "company",
                Lower("email"),
                condition=models.Q(status="pending"),
                name="one_pending_invitation_per_email_and_company",
            )
        ]

    def __str__(self):
        return f"Invitation {self.pk} to company {self.company_id}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.PENDING and self.expires_at > timezone.now()


class Notification(models.Model):
    """A message to one user, shown in the app and (when `emailed`) sent by email."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, max_length=4000)
    link = models.CharField(max_length=300, blank=True, help_text="A path on this site.")
    # A digest's own links, one per line it sums up: [{"text": ..., "path": "/..."}]. The
    # database default keeps raw and COPY inserts that name only the older columns working.
    links = models.JSONField(
        default=list, db_default=Value([], output_field=models.JSONField()), blank=True
    )
    read_at = models.DateTimeField(null=True, blank=True)
    emailed = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["user", "created_at"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
            models.Index(fields=["user", "-created_at"], name="notification_recent"),
        ]

    def __str__(self):
        return self.title


class NotificationPreference(models.Model):
    """How one user wants one kind of notification, where they changed its default.

    A user without a row for a kind gets the kind's default (accounts.notification_kinds);
    choosing the default again deletes the row.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=40)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_user_kind")
        ]

    def __str__(self):
        return f"{self.user_id} {self.kind}: {self.channel}"


class DigestMark(models.Model):
    """Where a periodic notice left off for one subject, so each thing is announced once.

    Like a ledger account's owner, `subject_id` means what the kind says:
    - `review_waiting`: a company; submissions up to `until` have been announced.
    - `budget_low`: a project; `raised` while a warning stands, cleared once the project
      can pay for what it still needs again (so it is warned again only after that).
    """

    kind = models.CharField(max_length=40)
    subject_id = models.PositiveBigIntegerField()
    until = models.DateTimeField(null=True, blank=True)
    raised = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "subject_id"], name="one_digest_mark")
        ]

    def __str__(self):
        return f"{self.kind}:{self.subject_id}"


class CompanyRecord(models.Model):
    """A company's track record as workers see it on listings and projects.

    Computed by marketplace from review decisions and ratings (a beat task and after each
    rating), stored here so that listings, which sit below marketplace, can show it.
    """

    company = models.OneToOneField(Company, on_delete=models.CASCADE, related_name="record")
    reviewed_count = models.PositiveIntegerField(default=0)
    median_review_hours = models.FloatField(null=True, blank=True)
    rejection_rate = models.FloatField(null=True, blank=True, help_text="0..1")
    effective_hourly_cents = models.PositiveIntegerField(null=True, blank=True)
    rating = models.FloatField(null=True, blank=True, help_text="1..5")
    rating_count = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Record of {self.company_id}"
