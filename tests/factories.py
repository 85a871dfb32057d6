"""factory_boy factories for the whole suite."""

import datetime
import uuid

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import Company, Country, Language, Membership, User, WorkerProfile
from core.categories import Category
from jobs.models import Application, JobIndexPage, JobPage

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
    status=JobPage.Status.OPEN,
    deadline=None,
    countries=(),
    languages=(),
    live=True,
    summary="Label short texts for a sentiment model.",
    **fields,
) -> JobPage:
    """A job listing under /jobs/, published unless live=False: hourly work at $15 by
    default; pass pay_source=PROJECTS (and link projects) for task work."""
    n = next(_job_counter)
    company = company or CompanyFactory()
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
        status=status,
        deadline=deadline,
        live=live,
        **fields,
    )
    job_index().add_child(instance=page)
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
