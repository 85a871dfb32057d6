"""Idempotent writers for the demo data: everything is found by its natural key first.

Email for users, slug for companies and listings. Whatever already exists is left exactly
as it is (no new revision, no new timestamp), so running the seed again changes nothing and
edits made while trying the demo survive a re-seed.
"""

import datetime
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from unittest import mock

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone
from modelsearch.index import insert_or_update_object
from modelsearch.signal_handlers import post_save_signal_handler
from wagtail.models import ReferenceIndex, Revision
from wagtail.signal_handlers import disable_reference_index_auto_update

from accounts.models import Company, Country, Language, Membership, User, WorkerProfile
from jobs.models import JobIndexPage, JobPage, QualificationTest

from .companies import DemoCompany, logo_png
from .listings import DemoListing, description_html
from .users import (
    ADMIN_EMAIL,
    DEMO_PASSWORD,
    EXTRA_WORKER_SHAPES,
    MODERATORS_GROUP,
    DemoProfile,
    extra_worker_email,
)

BATCH_SIZE = 500


@dataclass
class DemoPassword:
    """One salted hash of the demo password, computed once and shared by every demo user.

    Hashing is slow on purpose; a thousand demo workers must not take minutes.
    """

    encoded: str = ""

    def get(self) -> str:
        if not self.encoded:
            self.encoded = make_password(DEMO_PASSWORD)
        return self.encoded


@contextmanager
def demo_clock(moment: datetime.datetime) -> Iterator[None]:
    """Run services as if it were `moment` (demo replay only, one thread).

    The services stamp their rows with `timezone.now()`; replaying the demo's past through
    them, rather than writing rows by hand, keeps every row exactly as they would leave it.
    """
    with mock.patch.object(timezone, "now", return_value=moment):
        yield


def _verify_email(user: User) -> None:
    address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
    if address is None:
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    elif not (address.primary and address.verified):
        address.primary = True
        address.verified = True
        address.save(update_fields=["primary", "verified"])


@transaction.atomic
def demo_user_ensure(
    *,
    email: str,
    role: str,
    password: DemoPassword,
    is_staff: bool = False,
    is_superuser: bool = False,
) -> tuple[User, bool]:
    """The demo user with this email and a verified primary address; created only if missing.

    An existing user keeps their password and details, except that staff flags are granted
    when missing (the admin login must keep working).
    """
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if created:
        user = User.objects.create(
            email=email,
            role=role,
            password=password.get(),
            is_staff=is_staff,
            is_superuser=is_superuser,
        )
    elif (is_staff and not user.is_staff) or (is_superuser and not user.is_superuser):
        user.is_staff = user.is_staff or is_staff
        user.is_superuser = user.is_superuser or is_superuser
        user.save(update_fields=["is_staff", "is_superuser"])
    _verify_email(user)
    if email == ADMIN_EMAIL:
        moderators = Group.objects.filter(name=MODERATORS_GROUP).first()
        if moderators is not None and not user.groups.filter(pk=moderators.pk).exists():
            user.groups.add(moderators)
    return user, created


@transaction.atomic
def demo_profile_ensure(*, user: User, profile: DemoProfile) -> WorkerProfile:
    """The worker's profile, filled from the demo shape when it does not exist yet."""
    existing = WorkerProfile.objects.filter(user=user).first()
    if existing is not None:
        return existing
    created = WorkerProfile.objects.create(
        user=user,
        display_name=profile.display_name,
        country_id=profile.country,
        categories=[str(slug) for slug in profile.categories],
        weekly_hours=profile.weekly_hours,
        timezone=profile.timezone,
    )
    created.languages.set(Language.objects.filter(code__in=profile.languages))
    return created


@transaction.atomic
def demo_company_ensure(*, spec: DemoCompany, owner: User) -> tuple[Company, bool]:
    """The company with this slug, with a generated logo, owned by `owner` when it is new."""
    company = Company.objects.filter(slug=spec.slug).first()
    created = company is None
    if created:
        company = Company(
            name=spec.name, slug=spec.slug, website=spec.website, description=spec.description
        )
        company.logo.save(f"{spec.slug}.png", ContentFile(logo_png(spec)), save=False)
        company.save()
    if not Membership.objects.filter(user=owner).exists():
        Membership.objects.create(user=owner, company=company, role=Membership.Role.OWNER)
    return company, created


@contextmanager
def deferred_page_indexing(model: type) -> Iterator[list]:
    """Index each page appended to the yielded list once at the end, not on each of its saves.

    Creating and publishing a page saves it three times, and every save would update the
    search and reference indexes; for sixty listings that is most of the seeding time.
    """
    created: list = []
    disconnected = post_save.disconnect(post_save_signal_handler, sender=model)
    try:
        with disable_reference_index_auto_update():
            yield created
    finally:
        if disconnected:
            post_save.connect(post_save_signal_handler, sender=model)
    for page in created:
        insert_or_update_object(page)
        ReferenceIndex.create_or_update_for_object(page)


@transaction.atomic
def demo_listing_ensure(
    *,
    spec: DemoListing,
    index: JobIndexPage,
    company: Company,
    owner: User | None,
    published_at: datetime.datetime,
    qualification_test: QualificationTest | None = None,
) -> tuple[JobPage, bool]:
    """The listing with this slug under the job board, published once with a back-dated time.

    Publishing goes through a revision like an editor's would; the publication times are
    then set to `published_at` so "newest first" shows a believable spread. A listing of
    task work states no pay: its projects' figures are written once they are linked
    (cms/demo/pay.py).
    """
    existing = JobPage.objects.child_of(index).filter(slug=spec.slug).first()
    if existing is not None:
        return existing, False
    deadline = (
        # Counted from today, not the back-dated publication, so every deadline is ahead.
        timezone.localdate() + datetime.timedelta(days=spec.deadline_days)
        if spec.deadline_days is not None
        else None
    )
    page = JobPage(
        title=spec.title,
        slug=spec.slug,
        owner=owner,
        company=company,
        category=str(spec.category),
        summary=spec.summary,
        description=description_html(
            spec, company_name=company.name, has_test=qualification_test is not None
        ),
        pay_source=spec.pay_source,
        hourly_pay_cents=spec.hourly_cents,
        admission=spec.admission_rule,
        hours_per_week=spec.hours,
        experience_level=spec.experience,
        openings=spec.openings,
        deadline=deadline,
        status=spec.status,
        qualification_test=qualification_test,
        # Publishing keeps a first publication time it is given, and the search entry it
        # writes (which the board sorts by) reads it: back-dated from the start.
        first_published_at=published_at,
    )
    index.add_child(instance=page)
    page.eligible_countries.set(Country.objects.filter(code__in=spec.countries))
    page.required_languages.set(Language.objects.filter(code__in=spec.languages))
    # add_child above validated the page; validating the same values again is wasted work.
    revision = page.save_revision(user=owner, clean=False)
    revision.publish()
    Revision.objects.filter(pk=revision.pk).update(created_at=published_at)
    JobPage.objects.filter(pk=page.pk).update(
        first_published_at=published_at,
        last_published_at=published_at,
        latest_revision_created_at=published_at,
    )
    page.refresh_from_db()
    return page, True


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@transaction.atomic
def demo_extra_workers_ensure(*, count: int, password: DemoPassword) -> int:
    """worker1@example.com … worker<count>@example.com, verified, with profiles; in bulk.

    Only the missing ones are created (a handful of queries per 500 workers); returns how many.
    """
    wanted = {extra_worker_email(number): number for number in range(1, count + 1)}
    existing: set[str] = set()
    for chunk in _chunks(list(wanted), BATCH_SIZE):
        existing.update(User.objects.filter(email__in=chunk).values_list("email", flat=True))
    missing = [email for email in wanted if email not in existing]
    if not missing:
        return 0
    encoded = password.get()
    languages_through = WorkerProfile.languages.through
    for chunk in _chunks(missing, BATCH_SIZE):
        User.objects.bulk_create(
            [User(email=email, role=User.Role.WORKER, password=encoded) for email in chunk]
        )
        ids = dict(User.objects.filter(email__in=chunk).values_list("email", "pk"))
        EmailAddress.objects.bulk_create(
            [
                EmailAddress(user_id=ids[email], email=email, primary=True, verified=True)
                for email in chunk
            ]
        )
        shapes = {
            email: EXTRA_WORKER_SHAPES[wanted[email] % len(EXTRA_WORKER_SHAPES)] for email in chunk
        }
        WorkerProfile.objects.bulk_create(
            [
                WorkerProfile(
                    user_id=ids[email],
                    display_name=f"Demo Worker {wanted[email]}",
                    country_id=shapes[email].country,
                    categories=[str(slug) for slug in shapes[email].categories],
                    weekly_hours=shapes[email].weekly_hours,
                    timezone=shapes[email].timezone,
                )
                for email in chunk
            ]
        )
        profile_ids = dict(
            WorkerProfile.objects.filter(user_id__in=ids.values()).values_list("user_id", "pk")
        )
        languages_through.objects.bulk_create(
            [
                languages_through(workerprofile_id=profile_ids[ids[email]], language_id=code)
                for email in chunk
                for code in shapes[email].languages
            ]
        )
    return len(missing)
