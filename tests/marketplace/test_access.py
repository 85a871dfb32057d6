"""Access through listings: only workers a project's listing admitted take its tasks.

The engine checks the admission in the claim itself (the standing read and the pick), on
PostgreSQL and SQLite alike; the API refuses everyone else with a 403 whose code says why.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.api_tokens import api_token_create
from accounts.models import Notification
from core.errors import LoopworkError
from jobs.applications import application_decide, application_withdraw
from jobs.models import Application, JobPage
from marketplace import assignment as engine
from marketplace.assignment import assignment_claim_next, assignment_submit, project_eligibility
from marketplace.models import Assignment, Project
from marketplace.projects import project_opened_announce, project_transition
from tests.factories import (
    MembershipFactory,
    WorkerFactory,
    fund_company,
    make_application,
    make_job,
)
from tests.marketplace.factories import NoGold, make_items, make_project

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_gold(monkeypatch):
    monkeypatch.setattr(engine, "_system_random", NoGold())


@pytest.fixture
def listing(db):
    return make_job(pay_source=JobPage.PaySource.PROJECTS)


@pytest.fixture
def project(listing):
    project = make_project(company=listing.company, access=Project.Access.LISTINGS, overlap=2)
    project.listings.set([listing])
    make_items(project, 5)
    return project


def claim(worker, project):
    return assignment_claim_next(worker=worker, project=project, rng=NoGold())


def refusal(worker, project) -> str:
    with pytest.raises(LoopworkError) as caught:
        claim(worker, project)
    assert caught.value.status == 403
    return caught.value.code


def leases(worker) -> int:
    return Assignment.objects.filter(worker=worker).count()


def test_a_worker_who_never_applied_is_refused_and_nothing_is_leased(project):
    worker = WorkerFactory()

    assert refusal(worker, project) == "not_admitted"
    assert leases(worker) == 0
    assert project_eligibility(worker=worker, project=project).code == "not_admitted"


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (Application.Status.SUBMITTED, "admission_pending"),
        (Application.Status.TEST_REQUIRED, "admission_pending"),
        (Application.Status.QUALIFIED, "admission_pending"),
        (Application.Status.REJECTED, "application_declined"),
        (Application.Status.WITHDRAWN, "application_withdrawn"),
    ],
)
def test_an_applicant_not_admitted_is_refused_with_why(project, listing, status, code):
    worker = WorkerFactory()
    make_application(worker=worker, job=listing, status=status)

    assert refusal(worker, project) == code
    assert leases(worker) == 0


def test_an_admitted_worker_gets_tasks(project, listing):
    worker = WorkerFactory()
    make_application(worker=worker, job=listing, status=Application.Status.ACTIVE)

    assignment = claim(worker, project)

    assert assignment is not None
    assert assignment.project_id == project.pk
    assert project_eligibility(worker=worker, project=project).ok


def test_admission_through_another_listing_of_the_project_counts(project, listing):
    other = make_job(company=listing.company, pay_source=JobPage.PaySource.PROJECTS)
    project.listings.add(other)
    worker = WorkerFactory()
    make_application(worker=worker, job=listing, status=Application.Status.REJECTED)
    make_application(worker=worker, job=other, status=Application.Status.ACTIVE)

    assert claim(worker, project) is not None


def test_admission_to_a_listing_of_another_project_opens_nothing(project):
    elsewhere = make_job(pay_source=JobPage.PaySource.PROJECTS)
    worker = WorkerFactory()
    make_application(worker=worker, job=elsewhere, status=Application.Status.ACTIVE)

    assert refusal(worker, project) == "not_admitted"


def test_closing_the_listing_ends_access_to_new_tasks(project, listing):
    worker = WorkerFactory()
    make_application(worker=worker, job=listing, status=Application.Status.ACTIVE)
    JobPage.objects.filter(pk=listing.pk).update(status=JobPage.Status.CLOSED)

    assert refusal(worker, project) == "listing_closed"
    assert leases(worker) == 0


def test_an_unpublished_listing_grants_no_access(project, listing):
    worker = WorkerFactory()
    make_application(worker=worker, job=listing, status=Application.Status.ACTIVE)
    JobPage.objects.filter(pk=listing.pk).update(live=False)

    assert refusal(worker, project) == "listing_closed"


def test_withdrawing_ends_access_but_the_task_in_hand_may_be_finished(project, listing):
    worker = WorkerFactory()
    application = make_application(worker=worker, job=listing, status=Application.Status.ACTIVE)
    held = claim(worker, project)

    application_withdraw(application=application, worker=worker)

    assert claim(worker, project).pk == held.pk  # the live lease comes back, nothing new
    assignment_submit(worker=worker, assignment_id=held.pk, answer={"label": "positive"})
    assert refusal(worker, project) == "application_withdrawn"
    assert leases(worker) == 1


def test_being_declined_ends_access_to_new_tasks(project, listing):
    owner = MembershipFactory(company=listing.company, role="owner").user
    worker = WorkerFactory()
    application = make_application(worker=worker, job=listing, status=Application.Status.QUALIFIED)

    application_decide(
        application=application, actor=owner, decision="decline", note="We need native speakers."
    )

    assert refusal(worker, project) == "application_declined"


def test_an_open_project_needs_no_application(listing):
    project = make_project(company=listing.company, access=Project.Access.OPEN)
    project.listings.set([listing])
    make_items(project, 2)

    assert claim(WorkerFactory(), project) is not None


def test_the_pick_itself_requires_the_admission(project, listing):
    """A standing read before a withdrawal committed cannot lease after it: the pick (on
    PostgreSQL the very statement that inserts the lease) checks the admission again."""
    worker = WorkerFactory()
    make_application(worker=worker, job=listing, status=Application.Status.WITHDRAWN)
    now = engine._now(None)

    assert engine._take(project=project, worker=worker, now=now, gold=False) is None
    if connection.vendor == "postgresql":
        assert engine._take_at_once(project=project, worker=worker, now=now) is None
    assert leases(worker) == 0


def test_the_admission_check_costs_no_extra_round_trip(project, listing):
    worker = WorkerFactory()
    make_application(worker=worker, job=listing, status=Application.Status.ACTIVE)
    open_project = make_project(access=Project.Access.OPEN)
    make_items(open_project, 5)

    def queries(target) -> int:
        with CaptureQueriesContext(connection) as captured:
            engine.assignment_claim_next_in(worker=worker, project_id=target.pk, rng=NoGold())
        return len(captured)

    assert queries(project) == queries(open_project)


# --- The API ---------------------------------------------------------------------------


def auth(user) -> dict:
    _token, secret = api_token_create(user=user, name="script")
    return {"Authorization": f"Bearer {secret}"}


def next_task(client, worker, project):
    return client.post(f"/api/v1/projects/{project.pk}/assignments/next", headers=auth(worker))


def test_the_api_refuses_a_worker_not_admitted_with_a_403_that_says_why(client, project):
    worker = WorkerFactory()

    response = next_task(client, worker, project)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_admitted"
    assert "apply to the listing" in response.json()["error"]["message"]
    assert leases(worker) == 0


def test_the_api_refuses_a_pending_applicant(client, project, listing):
    worker = WorkerFactory()
    make_application(worker=worker, job=listing, status=Application.Status.TEST_REQUIRED)

    response = next_task(client, worker, project)

    assert (response.status_code, response.json()["error"]["code"]) == (403, "admission_pending")


def test_the_api_gives_an_admitted_worker_a_task(client, project, listing):
    worker = WorkerFactory()
    make_application(worker=worker, job=listing, status=Application.Status.ACTIVE)

    response = next_task(client, worker, project)

    assert response.status_code == 200
    assert response.json()["project"] == project.pk


# --- The worker's pages -------------------------------------------------------------


def test_the_project_page_says_to_apply_to_the_listing(client, project, listing):
    worker = WorkerFactory()
    client.force_login(worker)

    page = client.get(f"/work/projects/{project.pk}/").content.decode()

    assert "Apply to its listing first" in page
    assert listing.title in page
    assert "Apply to the listing" in page


def test_start_tasks_from_a_listing_leads_to_its_project(client, project, listing):
    worker = WorkerFactory()
    make_application(worker=worker, job=listing, status=Application.Status.ACTIVE)
    client.force_login(worker)

    response = client.get(f"/work/listings/{listing.pk}/tasks/")

    assert response.status_code == 302
    assert response["Location"] == f"/work/projects/{project.pk}/"


# --- Told when a project opens ---------------------------------------------------------


def test_launching_tells_each_admitted_worker_once(listing, django_capture_on_commit_callbacks):
    project = make_project(
        company=listing.company,
        access=Project.Access.LISTINGS,
        status=Project.Status.DRAFT,
        reward_cents=10,
        estimated_task_seconds=30,
    )
    project.listings.set([listing])
    make_items(project, 2)
    fund_company(listing.company_id, 50_00)
    admitted, pending = WorkerFactory(), WorkerFactory()
    make_application(worker=admitted, job=listing, status=Application.Status.ACTIVE)
    make_application(worker=pending, job=listing, status=Application.Status.QUALIFIED)
    owner = MembershipFactory(company=listing.company, role="owner")

    with django_capture_on_commit_callbacks(execute=True):
        project_transition(project=project, membership=owner, action="launch")

    [notice] = Notification.objects.filter(kind="project_opened")
    assert notice.user == admitted
    assert notice.link == f"/work/projects/{project.pk}/"
    assert "$0.10 per task, about 30 s, ≈ $12/h" in notice.body
    assert project_opened_announce(project_id=project.pk) == 0  # told once
