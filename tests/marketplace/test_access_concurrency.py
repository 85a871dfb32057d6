"""Admission and claims racing, in threads with their own database connections.

Whatever the order, a worker holds a lease in a project reached through its listings only
if their admission committed, a refused claim leased nothing, and once a withdrawal has
committed no claim leases anything new.
"""

import pytest

from core.errors import LoopworkError
from jobs.applications import application_decide, application_withdraw
from jobs.models import Application, JobPage
from marketplace.assignment import assignment_claim_next
from marketplace.models import Assignment, Project
from tests.factories import MembershipFactory, WorkerFactory, make_application, make_job
from tests.marketplace.factories import NoGold, make_items, make_project
from tests.marketplace.test_assignment_concurrency import in_threads

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WORKERS = 8


@pytest.fixture
def setup(site_tree):
    listing = make_job(pay_source=JobPage.PaySource.PROJECTS)
    project = make_project(company=listing.company, access=Project.Access.LISTINGS, overlap=3)
    project.listings.set([listing])
    make_items(project, 20)
    owner = MembershipFactory(company=listing.company, role="owner").user
    return listing, project, owner


def claim_outcome(worker, project):
    try:
        assignment = assignment_claim_next(worker=worker, project=project, rng=NoGold())
    except LoopworkError as refusal:
        return refusal.code
    return "leased" if assignment is not None else "nothing"


def test_admission_racing_a_claim_leases_only_to_the_admitted(setup):
    listing, project, owner = setup
    workers = [WorkerFactory() for _ in range(WORKERS)]
    applications = [
        make_application(worker=worker, job=listing, status=Application.Status.QUALIFIED)
        for worker in workers
    ]

    def work(index):
        # even threads admit a worker while odd threads claim for the same worker
        pair = index // 2
        if index % 2 == 0:
            application_decide(application=applications[pair], actor=owner, decision="admit")
            return "admitted"
        return claim_outcome(workers[pair], project)

    outcomes = in_threads(2 * WORKERS, work)

    for pair, worker in enumerate(workers):
        claimed = outcomes[2 * pair + 1]
        assert claimed in ("leased", "admission_pending"), claimed
        held = Assignment.objects.filter(worker=worker).count()
        assert held == (1 if claimed == "leased" else 0)
        assert Application.objects.get(pk=applications[pair].pk).status == "active"
        # once the admission committed, the worker gets tasks
        assert claim_outcome(worker, project) == "leased"


def test_withdrawal_racing_a_claim_ends_access_to_new_tasks(setup):
    listing, project, _owner = setup
    workers = [WorkerFactory() for _ in range(WORKERS)]
    applications = [
        make_application(worker=worker, job=listing, status=Application.Status.ACTIVE)
        for worker in workers
    ]

    def work(index):
        pair = index // 2
        if index % 2 == 0:
            application_withdraw(application=applications[pair], worker=workers[pair])
            return "withdrawn"
        return claim_outcome(workers[pair], project)

    outcomes = in_threads(2 * WORKERS, work)

    for pair, worker in enumerate(workers):
        claimed = outcomes[2 * pair + 1]
        assert claimed in ("leased", "application_withdrawn", "nothing"), claimed
        held = list(Assignment.objects.filter(worker=worker).values_list("pk", flat=True))
        assert len(held) == (1 if claimed == "leased" else 0)
        # after the withdrawal a claim gives back the task in hand, or refuses: never a new one
        after = claim_outcome(worker, project)
        if held:
            assert after == "leased"  # the live lease, returned to be finished
        else:
            assert after == "application_withdrawn"
        assert list(Assignment.objects.filter(worker=worker).values_list("pk", flat=True)) == held
