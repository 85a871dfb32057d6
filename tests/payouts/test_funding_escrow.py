import pytest

from accounts.api_tokens import api_token_create
from core.errors import LoopworkError
from marketplace.assignment import item_request_more_answers
from marketplace.items import items_import, parse_records
from marketplace.models import Assignment
from marketplace.projects import (
    project_budget,
    project_escrow_settle,
    project_transition,
    project_update,
)
from marketplace.review import review_approve, review_bulk, review_reject
from payouts import funding
from payouts.models import LedgerTransaction
from tests.factories import MembershipFactory, WorkerFactory, fund_company
from tests.marketplace.factories import make_assignment, make_items, make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return MembershipFactory(role="owner")


def _draft(owner, *, items=10, reward=100, overlap=3, **fields):
    project = make_project(
        company=owner.company,
        status="draft",
        reward_cents=reward,
        overlap=overlap,
        title="Cats",
        **fields,
    )
    make_items(project, items)
    return project


def test_launch_reserves_items_times_overlap_times_reward_with_fee(owner):
    project = _draft(owner)  # 10 items x 3 answers x ($1 + 20%) = $36
    fund_company(owner.company_id, 5_000)

    project_transition(project=project, membership=owner, action="launch")

    assert funding.escrow_cents(project.pk) == 3_600
    assert funding.company_balance_cents(owner.company_id) == 1_400
    reserve = LedgerTransaction.objects.get(kind="escrow_reserve")
    assert (reserve.idempotency_key, reserve.source_key) == (
        f"escrow:project:{project.pk}:launch",
        f"project:{project.pk}",
    )


def test_launch_with_gold_reserves_the_expected_control_answers(owner):
    project = _draft(owner, gold_rate=20)
    make_items(project, 2, gold_label="positive")
    fund_company(owner.company_id, 5_000)

    budget = project_budget(project)
    project_transition(project=project, membership=owner, action="launch")

    # 30 answers; at a 20% gold rate, 30 x 20 / 80 = 7.5, so 8 gold answers more.
    assert (budget.answers, budget.gold_answers) == (30, 8)
    assert funding.escrow_cents(project.pk) == 38 * 120


def test_launch_with_a_short_balance_is_refused_with_the_amounts(owner):
    project = _draft(owner)
    fund_company(owner.company_id, 1_000)

    with pytest.raises(LoopworkError) as refused:
        project_transition(project=project, membership=owner, action="launch")

    assert (refused.value.code, refused.value.status) == ("insufficient_balance", 409)
    assert refused.value.message == (
        "Reserving the budget of “Cats” needs $36 (Launching needs 30 answers at $1.20 each "
        "(the $1 reward plus the 20% platform fee)), but your company balance is $10. Add at "
        "least $26 on the Billing page."
    )
    project.refresh_from_db()
    assert project.status == "draft"
    assert funding.company_balance_cents(owner.company_id) == 1_000
    assert funding.escrow_cents(project.pk) == 0


def test_launch_refusal_through_the_api_is_a_409(client, owner):
    project = _draft(owner)
    token = api_token_create(user=owner.user, name="t")[1]

    response = client.post(
        f"/api/v1/projects/{project.pk}/launch", headers={"Authorization": f"Bearer {token}"}
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "insufficient_balance"


def test_items_added_to_an_active_project_reserve_more_or_are_refused(owner):
    project = _draft(owner, items=1, overlap=2)
    fund_company(owner.company_id, 480)
    project = project_transition(project=project, membership=owner, action="launch")
    parsed = parse_records(project=project, records=[{"text": "one"}])

    assert items_import(project=project, membership=owner, parsed=parsed, all_or_nothing=False) == 1
    assert funding.escrow_cents(project.pk) == 480

    parsed = parse_records(project=project, records=[{"text": "two"}])
    with pytest.raises(LoopworkError) as refused:
        items_import(project=project, membership=owner, parsed=parsed, all_or_nothing=False)
    assert refused.value.code == "insufficient_balance"
    assert project.items.count() == 2


def test_more_answers_reserve_more_or_are_not_asked_for(owner):
    project = _draft(owner, items=2, overlap=1, max_overlap=3)
    fund_company(owner.company_id, 360)
    project_transition(project=project, membership=owner, action="launch")
    first, second = project.items.order_by("pk")

    assert item_request_more_answers(first.pk, 1) is True
    assert funding.escrow_cents(project.pk) == 360
    assert item_request_more_answers(second.pk, 1) is False

    second.refresh_from_db()
    assert second.extra_answers == 0
    assert funding.company_balance_cents(owner.company_id) == 0


def test_pausing_keeps_escrow_and_completing_keeps_only_what_awaits_review(owner):
    project = _draft(owner, items=4, overlap=1)
    fund_company(owner.company_id, 1_000)
    project_transition(project=project, membership=owner, action="launch")
    items = list(project.items.order_by("pk"))
    make_assignment(items[0], WorkerFactory(), status=Assignment.Status.SUBMITTED)

    project_transition(project=project, membership=owner, action="pause")
    assert funding.escrow_cents(project.pk) == 480
    project_transition(project=project, membership=owner, action="complete")

    assert funding.escrow_cents(project.pk) == 120
    assert funding.company_balance_cents(owner.company_id) == 880


def test_settling_returns_the_rest_once_nothing_awaits_review(owner):
    project = _draft(owner, items=2, overlap=1)
    fund_company(owner.company_id, 1_000)
    project_transition(project=project, membership=owner, action="launch")
    item = project.items.order_by("pk").first()
    pending = make_assignment(item, WorkerFactory(), status=Assignment.Status.SUBMITTED)
    project_transition(project=project, membership=owner, action="cancel")
    assert funding.escrow_cents(project.pk) == 120

    assert project_escrow_settle(project_id=project.pk) == 0
    Assignment.objects.filter(pk=pending.pk).update(
        status=Assignment.Status.REJECTED, reject_reason="spam"
    )
    assert project_escrow_settle(project_id=project.pk) == 120
    assert project_escrow_settle(project_id=project.pk) == 120

    assert funding.escrow_cents(project.pk) == 0
    assert funding.company_balance_cents(owner.company_id) == 1_000


def test_raising_the_overlap_of_an_active_project_reserves_the_difference(owner):
    project = _draft(owner, items=2, overlap=1)
    fund_company(owner.company_id, 1_000)
    project_transition(project=project, membership=owner, action="launch")

    project_update(project=project, membership=owner, data={"overlap": 3})

    assert funding.escrow_cents(project.pk) == 720
    with pytest.raises(LoopworkError) as refused:
        project_update(project=project, membership=owner, data={"overlap": 5})
    assert refused.value.code == "insufficient_balance"
    project.refresh_from_db()
    assert project.overlap == 3


def test_a_bulk_approval_of_a_finished_projects_last_answers_returns_its_escrow(owner):
    project = _draft(owner, items=3, overlap=1)
    fund_company(owner.company_id, 1_000)
    project_transition(project=project, membership=owner, action="launch")
    submitted = [
        make_assignment(item, WorkerFactory(), status=Assignment.Status.SUBMITTED)
        for item in project.items.order_by("pk")[:2]
    ]
    project_transition(project=project, membership=owner, action="cancel")
    assert funding.escrow_cents(project.pk) == 240

    outcome = review_bulk([a.pk for a in submitted], reviewer=owner.user, action="approve")

    assert outcome.done == [a.pk for a in submitted]
    assert funding.escrow_cents(project.pk) == 0
    assert funding.company_balance_cents(owner.company_id) == 1_000 - 240


def test_the_last_review_decision_of_a_finished_project_returns_its_escrow(owner):
    project = _draft(owner, items=2, overlap=1)
    fund_company(owner.company_id, 1_000)
    project_transition(project=project, membership=owner, action="launch")
    first, second = project.items.order_by("pk")
    approved = make_assignment(first, WorkerFactory(), status=Assignment.Status.SUBMITTED)
    rejected = make_assignment(second, WorkerFactory(), status=Assignment.Status.SUBMITTED)
    project_transition(project=project, membership=owner, action="cancel")
    assert funding.escrow_cents(project.pk) == 240

    review_approve(approved.pk, reviewer=owner.user)
    # One decision is still pending: its cost stays reserved.
    assert funding.escrow_cents(project.pk) == 120

    review_reject(
        rejected.pk, reviewer=owner.user, reason="spam", comment="Random letters, not a label."
    )

    assert funding.escrow_cents(project.pk) == 0
    assert funding.company_balance_cents(owner.company_id) == 1_000 - 120
