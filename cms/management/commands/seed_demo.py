"""`manage.py seed_demo [--workers N]`: the demo site, in demo mode only, safe to run again."""

import datetime
import logging
from collections import Counter
from contextlib import contextmanager

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from accounts.models import Company, User
from cms.demo.applications import (
    GRANTED_AGO,
    demo_applications_ensure,
    demo_extra_worker_admissions_ensure,
)
from cms.demo.companies import COMPANIES
from cms.demo.listings import LISTINGS
from cms.demo.money import demo_money_ensure
from cms.demo.pay import demo_pay_ensure, demo_pay_problems
from cms.demo.projects import (
    PROJECTS,
    demo_extra_worker_grants_ensure,
    demo_project_ensure,
    demo_worker_grants_ensure,
)
from cms.demo.qualification_tests import demo_tests_ensure, listing_needs_test
from cms.demo.reviews import SAMPLE_WORKERS, demo_reviews_ensure
from cms.demo.seed import (
    DemoPassword,
    deferred_page_indexing,
    demo_company_ensure,
    demo_extra_workers_ensure,
    demo_listing_ensure,
    demo_profile_ensure,
    demo_user_ensure,
)
from cms.demo.users import (
    ADMIN_EMAIL,
    COMPANY_EMAIL,
    DEMO_PASSWORD,
    WORKER_EMAIL,
    WORKER_PROFILE,
    extra_worker_email,
)
from cms.demo_content import seed_cms
from jobs.models import JobIndexPage, JobPage
from marketplace.models import Item, Project

SITE_URL = "http://127.0.0.1:8000/"
# Listings are back-dated one after another, this far apart, so "newest" ordering means something.
LISTING_SPACING = datetime.timedelta(hours=10)
# Wagtail and its task runner log every page write at INFO; the progress bars say it better.
CHATTY_LOGGERS = ("wagtail", "django_tasks")


@contextmanager
def quiet_loggers(names=CHATTY_LOGGERS):
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


class Command(BaseCommand):
    help = (
        "Seed the demo: site content, demo users, companies, listings, qualification tests, "
        "the active task projects behind every listing of task work, applications, reviewed "
        "work and earnings. Runs only in demo mode (LOOPWORK_DEMO=1; config.settings.dev "
        "turns it on). Running it again changes nothing that already exists."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--workers",
            type=int,
            default=0,
            metavar="N",
            help="Also create worker1@example.com … workerN@example.com (demo password), "
            "verified, qualified for every demo project and admitted to every demo listing "
            "of task work.",
        )

    def handle(self, *args, workers: int, **options):
        with quiet_loggers():
            self._seed(workers)

    def _seed(self, workers: int):
        if not settings.DEMO_MODE:
            raise CommandError(
                "seed_demo only runs in demo mode, because it creates users with a published "
                "password. Set LOOPWORK_DEMO=1 (the dev settings, config.settings.dev, turn it "
                "on by default); never in production."
            )
        if workers < 0:
            raise CommandError("--workers must be 0 or more.")
        # rich writes to the real stream: Django's OutputWrapper would add newlines to its output.
        console = Console(file=self.stdout._out, highlight=False)
        password = DemoPassword()

        with console.status("Site pages, settings and guides…"):
            seed_cms()
        with console.status("Qualification tests…"):
            tests = demo_tests_ensure()
        index = JobIndexPage.objects.get()

        worker, _ = demo_user_ensure(email=WORKER_EMAIL, role=User.Role.WORKER, password=password)
        demo_profile_ensure(user=worker, profile=WORKER_PROFILE)
        demo_user_ensure(email=COMPANY_EMAIL, role=User.Role.COMPANY, password=password)
        admin, _ = demo_user_ensure(
            email=ADMIN_EMAIL,
            role=User.Role.WORKER,
            password=password,
            is_staff=True,
            is_superuser=True,
        )

        companies = {}
        owners = {}
        new_companies = new_listings = new_projects = 0
        now = timezone.now().replace(minute=0, second=0, microsecond=0)
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=console,
            transient=not console.is_terminal,
        ) as progress:
            task = progress.add_task("Companies", total=len(COMPANIES))
            for position, spec in enumerate(COMPANIES):
                owner_email = COMPANY_EMAIL if position == 0 else spec.owner_email
                owner, _ = demo_user_ensure(
                    email=owner_email, role=User.Role.COMPANY, password=password
                )
                companies[spec.slug], created = demo_company_ensure(spec=spec, owner=owner)
                owners[spec.slug] = owner
                new_companies += created
                progress.advance(task)

            task = progress.add_task("Listings", total=len(LISTINGS))
            seen_in_category: Counter = Counter()
            with deferred_page_indexing(JobPage) as to_index:
                for position, spec in enumerate(LISTINGS):
                    category = str(spec.category)
                    needs_test = listing_needs_test(seen_in_category[category])
                    seen_in_category[category] += 1
                    page, created = demo_listing_ensure(
                        spec=spec,
                        index=index,
                        company=companies[spec.company],
                        owner=owners[spec.company],
                        published_at=now - LISTING_SPACING * (position + 1),
                        qualification_test=tests.get(category) if needs_test else None,
                    )
                    if created:
                        to_index.append(page)
                        new_listings += 1
                    progress.advance(task)

            task = progress.add_task("Projects and their items", total=len(PROJECTS))
            for spec in PROJECTS:
                _, created = demo_project_ensure(
                    spec=spec, company=companies[spec.company], owner=owners[spec.company], now=now
                )
                new_projects += created
                progress.advance(task)
        # Passed weeks ago: the worker's admissions and earnings follow from these grants.
        demo_worker_grants_ensure(worker=worker, now=now - GRANTED_AGO)
        # The first company belongs to the demo company login: its review page has work waiting.
        with console.status("Submissions to review…"):
            demo_reviews_ensure(
                company=companies[COMPANIES[0].slug],
                reviewer=owners[COMPANIES[0].slug],
                worker=worker,
                password=password,
                now=now,
            )
        with console.status("Applications and admissions…"):
            samples = list(User.objects.filter(email__in=list(SAMPLE_WORKERS)).order_by("pk"))
            demo_applications_ensure(worker=worker, samples=samples, now=now)
        with console.status("Earnings and a payout, in test mode…"):
            demo_money_ensure(worker=worker, companies=companies, approver=admin, now=now)

        new_workers = 0
        if workers:
            with console.status(f"{workers} extra demo workers…"):
                new_workers = demo_extra_workers_ensure(count=workers, password=password)
                emails = [extra_worker_email(n) for n in range(1, workers + 1)]
                demo_extra_worker_grants_ensure(emails=emails, now=now)
                demo_extra_worker_admissions_ensure(emails=emails, now=now)

        with console.status("Pay figures of listings and projects…"):
            demo_pay_ensure()
        problems = demo_pay_problems()
        if problems:
            raise CommandError(
                "The demo breaks Loopwork's pay rules, so it was not finished:\n"
                + "\n".join(problems)
            )

        self._report(console, new_companies, new_listings, new_projects, new_workers, workers)

    def _report(self, console, new_companies, new_listings, new_projects, new_workers, workers):
        listings = JobPage.objects.live()
        table = Table(title="Loopwork demo data", show_header=True)
        table.add_column("What")
        table.add_column("Total", justify="right")
        table.add_column("New this run", justify="right")
        table.add_row("Companies", str(Company.objects.count()), str(new_companies))
        table.add_row(
            "Open listings",
            str(listings.filter(status=JobPage.Status.OPEN).count()),
            "",
        )
        table.add_row("All live listings", str(listings.count()), str(new_listings))
        table.add_row(
            "  task work, paid by its projects",
            str(listings.filter(pay_source=JobPage.PaySource.PROJECTS).count()),
            "",
        )
        table.add_row(
            "  hourly work in the company's tools",
            str(listings.filter(pay_source=JobPage.PaySource.HOURLY).count()),
            "",
        )
        table.add_row(
            "Active projects",
            str(Project.objects.filter(status=Project.Status.ACTIVE).count()),
            str(new_projects),
        )
        table.add_row("Task items", str(Item.objects.count()), "")
        table.add_row("Users", str(User.objects.count()), "")
        if workers:
            table.add_row(
                f"Extra workers (worker1…worker{workers})", str(workers), str(new_workers)
            )
        console.print(table)
        console.print(f"\nOpen the portal at [bold]{SITE_URL}[/bold]")
        console.print(f"Demo logins, password [bold]{DEMO_PASSWORD}[/bold] (demo mode only):")
        console.print(f"  worker   {WORKER_EMAIL}")
        console.print(f"  company  {COMPANY_EMAIL}")
        console.print(
            f"  admin    {ADMIN_EMAIL}  (sets up two-factor authentication on first visit)"
        )
        console.print("Emails (verification links, notifications) are written to var/mail/\n")
