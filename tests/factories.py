"""factory_boy factories for the whole suite."""

import datetime
import math
import uuid

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import Company, Country, Language, Membership, User, WorkerProfile
from core.categories import Category
from jobs.models import Application, JobIndexPage, JobPage, ListingPay

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    """A user with a verified primary email (pass verified=False for an unverified one)."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    role = User.Role.WORKER
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if not create:
            return
        EmailAddress.objects.create(
            user=self, email=self.email, primary=True, verified=extracted is not False
        )
        self.save()


class WorkerFactory(UserFactory):
    role = User.Role.WORKER

    @factory.post_generation
    def profile(self, create, extracted, **kwargs):
        if create:
            WorkerProfile.objects.create(user=self, display_name=f"Worker {self.pk}")


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Company {n}")
    slug = factory.Sequence(lambda n: f"company-{n}")
    website = "https://example.org"
    description = "We label data for AI."


class CompanyUserFactory(UserFactory):
    role = User.Role.COMPANY


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(CompanyUserFactory)
    company = factory.SubFactory(CompanyFactory)
    role = Membership.Role.OWNER


def admin_staff(*codenames: str) -> User:
    """A staff user who may open the Wagtail admin, with these extra permissions and the
    second factor the admin asks staff for."""
    from allauth.mfa.models import Authenticator
    from django.contrib.auth.models import Permission

    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["access_admin", *codenames])
    )
    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={"secret": "x"})
    return staff


def job_index() -> JobIndexPage:
    from cms.site_tree import ensure_site_tree

    ensure_site_tree()
    return JobIndexPage.objects.get()


_job_counter = iter(range(1, 10**9))


def make_job(
    *,
    company=None,
    title=None,
    category=Category.TEXT_ANNOTATION,
    pay_source=JobPage.PaySource.HOURLY,
    hourly_pay_cents=1500,
    task_pay: tuple[int, int] | None = None,
    admission=JobPage.Admission.COMPANY,
    status=JobPage.Status.OPEN,
    deadline=None,
    countries=(),
    languages=(),
    live=True,
    summary="Label short texts for a sentiment model.",
    **fields,
) -> JobPage:
    """A job listing under /jobs/, published unless live=False: hourly work at $15 by
    default, admitting by the company's decision (admission=ON_PASS for the other way).
    Task work: pay_source=PROJECTS and link projects (marketplace.pay writes the listing's
    pay), or task_pay=(reward cents, seconds per task) to write the listing's pay figures
    directly, as marketplace would for one project paying that."""
    n = next(_job_counter)
    company = company or CompanyFactory()
    if task_pay is not None:
        pay_source = JobPage.PaySource.PROJECTS
    if pay_source == JobPage.PaySource.PROJECTS:
        hourly_pay_cents = None
    page = JobPage(
        title=title or f"Remote job {n}",
        slug=f"remote-job-{n}",
        company=company,
        category=category,
        summary=summary,
        description="<p>Work from home on your own schedule.</p>",
        pay_source=pay_source,
        hourly_pay_cents=hourly_pay_cents,
        admission=admission,
        status=status,
        deadline=deadline,
        live=live,
        **fields,
    )
    job_index().add_child(instance=page)
    if task_pay is not None:
        listing_pay_write(page, reward_cents=task_pay[0], seconds=task_pay[1])
    if countries:
        page.eligible_countries.set(Country.objects.filter(code__in=countries))
    if languages:
        page.required_languages.set(Language.objects.filter(code__in=languages))
    revision = page.save_revision()
    if live:
        revision.publish()
    else:
        page.unpublish()
    page.refresh_from_db()
    return page


def listing_pay_write(page: JobPage, *, reward_cents: int, seconds: int) -> ListingPay:
    """A listing's pay figures as one project paying `reward_cents` for an estimated
    `seconds` a task would give them (what marketplace.pay.listing_pay_refresh writes)."""
    hourly = math.floor(reward_cents * 3600 / seconds + 0.5)
    row = {
        "id": 0, "title": "Project", "status": "active", "reward_cents": reward_cents,
        "seconds": seconds, "measured": False, "timed_answers": 0, "hourly_cents": hourly,
        "floor_applies": False,
    }  # fmt: skip
    pay, _ = ListingPay.objects.update_or_create(
        listing=page,
        defaults={
            "project_count": 1,
            "reward_min_cents": reward_cents,
            "reward_max_cents": reward_cents,
            "seconds_min": seconds,
            "seconds_max": seconds,
            "hourly_min_cents": hourly,
            "hourly_max_cents": hourly,
            "is_estimate": True,
            "projects": [row],
        },
    )
    return pay


def make_application(*, worker=None, job=None, status=Application.Status.SUBMITTED):
    return Application.objects.create(
        worker=worker or WorkerFactory(),
        job=job or make_job(),
        motivation="I have done annotation work before.",
        status=status,
    )


def yesterday() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=1)


# --- Money -------------------------------------------------------------------------------


def fund_company(company_id: int, cents: int, *, key: str | None = None):
    """Credit a company's balance as a card top-up would (Stripe clearing -> balance)."""
    from payouts import ledger
    from payouts.models import LedgerAccount, LedgerTransaction

    key = key or f"test_top_up:{company_id}:{uuid.uuid4().hex}"
    return ledger.transaction_post(
        idempotency_key=key,
        kind=LedgerTransaction.Kind.TOP_UP,
        legs=[
            ledger.Leg(ledger.platform(LedgerAccount.Kind.PLATFORM_STRIPE_CLEARING), -cents),
            ledger.Leg(ledger.company_balance(company_id), cents),
        ],
        reference=f"company:{company_id}",
        description="Card top-up (test)",
    )


def fund_escrow(*, project_id: int, company_id: int, cents: int):
    """Top the company up by `cents` and reserve them in the project's escrow, as a launch does."""
    from payouts import ledger
    from payouts.models import LedgerTransaction

    fund_company(company_id, cents)
    return ledger.transaction_post(
        idempotency_key=f"test_reserve:{project_id}:{uuid.uuid4().hex}",
        kind=LedgerTransaction.Kind.ESCROW_RESERVE,
        legs=[
            ledger.Leg(ledger.company_balance(company_id), -cents),
            ledger.Leg(ledger.project_escrow(project_id), cents),
        ],
        reference=f"project:{project_id}",
        description="Budget reserved (test)",
        # A launch names the project it reserves for; the billing reads find escrows by it.
        source_key=f"project:{project_id}",
        source_label=f"Project {project_id}",
    )
