"""Demo applications: who is admitted where, so Work shows each state a worker meets.

- `worker@example.com` passed the text annotation test weeks ago, so applying to the
  sentiment listing (whose project they have worked in since) and later to query rewriting
  admitted them at once; they applied to the chatbot answer review too, whose test they have
  not taken, and that application waits at "Test required".
- The two sample workers of the review history (cms/demo/reviews.py) hold the text annotation
  qualification and are admitted to the sentiment listing they worked through.
- Extra workers (`seed_demo --workers N`) are admitted to every demo listing of task work,
  in bulk, so a load test can claim tasks in any demo project.

The named workers apply through `jobs.applications.application_submit`, the path a real
applicant takes (its events, notifications and admission on a held qualification included),
replayed at a past moment so their history reads in order. Identity is the worker and the
listing: an existing application is left as it is.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction

from accounts.models import User
from core.categories import Category
from jobs.applications import application_submit
from jobs.models import Application, ApplicationEvent, JobPage

from .listings import LISTINGS
from .projects import BATCH_SIZE, demo_category_grants_ensure
from .seed import demo_clock

DAY = datetime.timedelta(days=1)
# The demo worker's and sample workers' grants predate their first admission.
GRANTED_AGO = 31 * DAY
SAMPLE_GRANT_SCORE = 84
EXTRA_WORKER_MOTIVATION = "Demo worker for demos and load tests."
EXTRA_WORKER_NOTE = "Admitted by the demo seed, for demos and load tests."


@dataclass(frozen=True)
class DemoApplication:
    listing: str  # the listing's slug
    ago: datetime.timedelta  # how long before the seed the worker applied
    motivation: str


WORKER_APPLICATIONS = [
    DemoApplication(
        "sentiment-labelling-product-reviews-spanish",
        30 * DAY,
        "I am a native Spanish speaker from Mexico and read product reviews before every "
        "purchase. I passed the text annotation test and can give this 20 hours a week.",
    ),
    DemoApplication(
        "query-rewriting-shopping-search",
        5 * DAY,
        "I shop online in English and Spanish and spot misspelt searches at once. I already "
        "label Spanish reviews on Loopwork.",
    ),
    DemoApplication(
        "chatbot-answer-reviewer",
        2 * DAY,
        "I use writing assistants every day at work and check their answers for mistakes. "
        "I would like to review them properly.",
    ),
]
SAMPLE_APPLICATION = DemoApplication(
    "sentiment-labelling-product-reviews-spanish",
    30 * DAY,
    "Native Spanish speaker; I label reviews carefully and read the guidelines twice.",
)


def task_listing_slugs() -> list[str]:
    """The slugs of the demo listings of task work (paid by their projects)."""
    return [spec.slug for spec in LISTINGS if spec.is_task_work]


def _apply(*, worker: User, spec: DemoApplication, now: datetime.datetime) -> bool:
    job = (
        JobPage.objects.live()
        .select_related("company", "qualification_test__qualification")
        .filter(slug=spec.listing)
        .first()
    )
    if job is None or Application.objects.filter(worker=worker, job=job).exists():
        return False
    moment = now - spec.ago
    with demo_clock(moment):
        application = application_submit(worker=worker, job=job, motivation=spec.motivation)
    # Event rows take their time from a default bound at import, which the clock cannot
    # reach; set them to the moment the replay happened.
    ApplicationEvent.objects.filter(application=application).update(created_at=moment)
    return True


@transaction.atomic
def demo_applications_ensure(*, worker: User, samples: list[User], now: datetime.datetime) -> int:
    """The demo worker's and the sample workers' applications; returns how many were made.

    Call after the demo worker's grants exist (its admissions follow from them) and after
    the sample workers were created by the review history.
    """
    demo_category_grants_ensure(
        workers=samples,
        categories=(Category.TEXT_ANNOTATION,),
        score=SAMPLE_GRANT_SCORE,
        now=now - GRANTED_AGO,
    )
    made = 0
    for spec in WORKER_APPLICATIONS:
        made += _apply(worker=worker, spec=spec, now=now)
    for sample in samples:
        made += _apply(worker=sample, spec=SAMPLE_APPLICATION, now=now)
    return made


@transaction.atomic
def demo_extra_worker_admissions_ensure(*, emails: list[str], now: datetime.datetime) -> int:
    """Admit the extra demo workers to every demo listing of task work; returns how many
    applications were created (none on later runs).

    Written in bulk, as application_submit would leave an admission (an active application
    and its event), without a notification each: thousands of load-test workers would
    otherwise mean thousands of emails to the companies.
    """
    listing_ids = list(
        JobPage.objects.live()
        .filter(slug__in=task_listing_slugs(), pay_source=JobPage.PaySource.PROJECTS)
        .values_list("pk", flat=True)
    )
    created = 0
    for start in range(0, len(emails), BATCH_SIZE):
        worker_ids = list(
            User.objects.filter(email__in=emails[start : start + BATCH_SIZE]).values_list(
                "pk", flat=True
            )
        )
        held = set(
            Application.objects.filter(
                worker_id__in=worker_ids, job_id__in=listing_ids
            ).values_list("worker_id", "job_id")
        )
        missing = [
            (worker_id, listing_id)
            for worker_id in worker_ids
            for listing_id in listing_ids
            if (worker_id, listing_id) not in held
        ]
        if not missing:
            continue
        Application.objects.bulk_create(
            [
                Application(
                    worker_id=worker_id,
                    job_id=listing_id,
                    motivation=EXTRA_WORKER_MOTIVATION,
                    status=Application.Status.ACTIVE,
                )
                for worker_id, listing_id in missing
            ]
        )
        new = Application.objects.filter(worker_id__in=worker_ids, job_id__in=listing_ids).exclude(
            events__isnull=False
        )
        ApplicationEvent.objects.bulk_create(
            [
                ApplicationEvent(
                    application_id=application_id,
                    status=Application.Status.ACTIVE,
                    note=EXTRA_WORKER_NOTE,
                    created_at=now,
                )
                for application_id in new.values_list("pk", flat=True)
            ]
        )
        created += len(missing)
    return created
