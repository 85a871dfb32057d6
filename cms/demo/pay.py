"""The demo's pay figures, written once the demo is seeded, and the check that they hold.

Demo projects are written directly (cms/demo/projects.py), not through project_create, so
nothing has told their listings what they pay yet. `demo_pay_ensure` does what the
marketplace does after a change: it stores each project's measured time per task (the
seeded answers are timed) and writes every task listing's figures from its projects, so the
job board shows them at once. Both only write what changed, so a second run writes nothing.

`demo_pay_problems` then holds every demo listing to the rule a company's listing meets
before a moderator may publish it (JobPage.pay_problem): task work is linked to
projects paying at least the floor, hourly work states a pay at or above it. The seed
refuses to finish on a demo that breaks the pay rules it advertises.
"""

from jobs.models import JobPage
from marketplace.models import Project
from marketplace.pay import listing_pay_refresh, project_pay_measure

from .companies import COMPANIES
from .listings import LISTINGS
from .projects import PROJECTS


def demo_projects():
    """The demo projects, each found by its company and title (the seed's identity)."""
    companies = {spec.slug for spec in COMPANIES}
    return Project.objects.filter(
        company__slug__in=companies, title__in=[spec.title for spec in PROJECTS]
    )


def demo_listings():
    """Every demo listing, live or not, found by its slug."""
    return JobPage.objects.filter(slug__in=[spec.slug for spec in LISTINGS])


def demo_pay_ensure() -> tuple[int, int]:
    """Measure the demo projects and write their listings' pay; returns (projects measured,
    listings written), both 0 when nothing changed."""
    measured = project_pay_measure(project_ids=list(demo_projects().values_list("pk", flat=True)))
    task_listings = demo_listings().filter(pay_source=JobPage.PaySource.PROJECTS)
    written = listing_pay_refresh(listing_ids=task_listings.values_list("pk", flat=True))
    return measured, written


def demo_pay_problems() -> list[str]:
    """Why each demo listing's pay could not go live, as "slug: reason"; empty when all can."""
    problems = []
    for page in demo_listings().order_by("slug"):
        problem = page.pay_problem()
        if problem is not None:
            problems.append(f"{page.slug}: {problem.message}")
    return problems
