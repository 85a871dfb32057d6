"""`manage.py seed_demo`: a believable demo in demo mode only, and a second run changes nothing."""

import io

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count
from django.test import override_settings
from wagtail.models import Page, Revision

from accounts.models import Company, Membership, Notification, User, WorkerProfile
from cms.demo.users import DEMO_PASSWORD
from core.categories import Category
from jobs.models import Application, ApplicationEvent, JobPage, ListingPay, QualificationTest
from jobs.qualification_models import QualificationGrant, QualificationQuestion
from marketplace.models import Item, Project, ProjectMedia

DEMO_EMAILS = ["worker@example.com", "company@example.com", "admin@example.com"]


def seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo seeded once for the module and rolled back at its end.

    Seeding publishes sixty pages; once per module keeps the file fast. Each test runs in
    its own savepoint inside this transaction, so what a test changes is rolled back too.
    """
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(DEMO_MODE=True, MEDIA_ROOT=str(media)),
        transaction.atomic(),
    ):
        Group.objects.get_or_create(name="Moderators")
        output = seed()
        yield output
        transaction.set_rollback(True)


def open_listings():
    return JobPage.objects.live().filter(status=JobPage.Status.OPEN)


def snapshot() -> dict:
    return {
        "users": User.objects.count(),
        "emails": EmailAddress.objects.count(),
        "profiles": WorkerProfile.objects.count(),
        "companies": Company.objects.count(),
        "memberships": Membership.objects.count(),
        "pages": Page.objects.count(),
        "revisions": Revision.objects.count(),
        "latest_revisions": sorted(Page.objects.values_list("pk", "latest_revision_id")),
        "published_at": sorted(JobPage.objects.values_list("pk", "last_published_at")),
        "user_passwords": sorted(User.objects.values_list("pk", "password")),
        "company_updated_at": sorted(Company.objects.values_list("pk", "updated_at", "logo")),
        "projects": sorted(Project.objects.values_list("pk", "updated_at", "status")),
        "items": Item.objects.count(),
        "project_media": sorted(ProjectMedia.objects.values_list("pk", "file")),
        "grants": sorted(QualificationGrant.objects.values_list("pk", "granted_at", "score")),
        "questions": sorted(QualificationQuestion.objects.values_list("pk", "gold_answer")),
        "applications": sorted(
            Application.objects.values_list("pk", "worker_id", "job_id", "status", "updated_at")
        ),
        "application_events": sorted(
            ApplicationEvent.objects.values_list("pk", "application_id", "status", "created_at")
        ),
        "listing_pay": sorted(
            ListingPay.objects.values_list(
                "listing_id", "reward_min_cents", "hourly_min_cents", "projects", "updated_at"
            )
        ),
        "project_pay": sorted(
            Project.objects.values_list(
                "pk",
                "reward_cents",
                "estimated_task_seconds",
                "median_work_seconds",
                "timed_answer_count",
            )
        ),
        "notifications": Notification.objects.count(),
    }


def test_seed_creates_at_least_six_companies_with_website_description_and_logo(seeded, db):
    companies = list(Company.objects.all())

    assert len(companies) >= 6
    for company in companies:
        assert company.website == f"https://{company.slug}.example"
        assert len(company.description) > 80
        assert company.logo.name.endswith(".png")
        with company.logo.open("rb") as logo:
            assert logo.read(8) == b"\x89PNG\r\n\x1a\n"
        assert company.memberships.filter(role=Membership.Role.OWNER).count() == 1


def test_seed_creates_sixty_open_live_listings_in_every_category(seeded, db):
    listings = open_listings()

    assert listings.count() >= 60
    for category in Category.values:
        assert listings.filter(category=category).count() >= 5, category
    assert listings.values("company").distinct().count() >= 6
    assert JobPage.objects.live().exclude(status=JobPage.Status.OPEN).count() >= 2


def test_seed_listings_vary_in_pay_countries_languages_and_dates(seeded, db):
    listings = open_listings()

    task_work = listings.filter(pay_source=JobPage.PaySource.PROJECTS)
    hourly = listings.filter(pay_source=JobPage.PaySource.HOURLY)
    assert (task_work.count(), hourly.count()) == (15, 45)
    assert not task_work.filter(hourly_pay_cents__isnull=False).exists()
    assert {job.hourly_pay_cents for job in hourly} <= set(range(900, 3801))
    assert listings.filter(eligible_countries__isnull=True).count() >= 20
    assert listings.filter(eligible_countries__code="MX").exists()
    languages = set(listings.values_list("required_languages__code", flat=True))
    assert {"en", "es", "de", "fr", "ja", "pt", "hi"} <= languages
    assert len(set(listings.values_list("experience_level", flat=True))) == 3
    assert len(set(listings.values_list("first_published_at", flat=True))) == listings.count()
    assert all("<h3>" in job.description and "<li>" in job.description for job in listings)


def test_seed_imports_one_test_per_category_and_links_most_listings_to_it(seeded, db):
    tests = QualificationTest.objects.annotate(question_count=Count("questions"))
    assert sorted(test.category for test in tests) == sorted(Category.values)
    assert all(test.question_count >= 8 and test.company_id is None for test in tests)

    listings = open_listings()
    with_test = listings.filter(qualification_test__isnull=False).select_related(
        "qualification_test"
    )
    assert with_test.count() > listings.count() / 2
    assert listings.filter(qualification_test__isnull=True).count() >= len(Category.values)
    assert all(job.qualification_test.category == job.category for job in with_test)


def test_seed_creates_the_demo_users_with_verified_emails_and_roles(seeded, db, rf):
    worker = User.objects.get(email="worker@example.com")
    company_user = User.objects.get(email="company@example.com")
    admin = User.objects.get(email="admin@example.com")

    assert worker.role == User.Role.WORKER
    profile = worker.worker_profile
    assert profile.display_name
    assert profile.country_id is not None
    assert profile.languages.count() >= 1
    assert profile.categories
    assert profile.weekly_hours
    assert profile.timezone != "UTC"
    assert company_user.role == User.Role.COMPANY
    assert company_user.membership.role == Membership.Role.OWNER
    assert (admin.is_staff, admin.is_superuser) == (True, True)
    assert admin.groups.filter(name="Moderators").exists()
    for email in DEMO_EMAILS:
        address = EmailAddress.objects.get(email=email)
        assert (address.primary, address.verified) == (True, True)
        request = rf.post("/accounts/login/")
        assert authenticate(request, email=email, password=DEMO_PASSWORD).email == email


def test_seed_prints_the_url_and_the_demo_logins(seeded, db):
    assert "http://127.0.0.1:8000/" in seeded
    assert DEMO_PASSWORD in seeded
    for email in DEMO_EMAILS:
        assert email in seeded
    assert "var/mail/" in seeded


@override_settings(DEMO_MODE=True)
def test_seeding_again_changes_nothing(seeded, db, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    before = snapshot()

    seed()

    assert snapshot() == before


@override_settings(DEMO_MODE=True)
def test_seed_with_workers_creates_numbered_verified_workers(seeded, db, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    users_before = User.objects.count()

    seed("--workers", "3")

    assert User.objects.count() == users_before + 3
    for number in (1, 2, 3):
        user = User.objects.get(email=f"worker{number}@example.com")
        assert user.role == User.Role.WORKER
        assert user.check_password(DEMO_PASSWORD)
        assert EmailAddress.objects.get(user=user).verified
        assert user.worker_profile.languages.exists()
    assert not User.objects.filter(email="worker4@example.com").exists()


@override_settings(DEMO_MODE=True)
def test_seed_workers_again_creates_no_duplicates(seeded, db, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    seed("--workers", "3")
    before = snapshot()

    seed("--workers", "3")

    assert snapshot() == before


@override_settings(DEMO_MODE=False)
def test_seed_refuses_outside_demo_mode(db):
    before = snapshot()

    with pytest.raises(CommandError, match="LOOPWORK_DEMO=1"):
        seed()

    assert snapshot() == before
