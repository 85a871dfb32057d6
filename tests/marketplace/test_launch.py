"""The launch quote (marketplace/launch.py): exact figures, the same as the launch reserves,
and the refusal the launch would meet, with nothing changed by a refused launch."""

import pytest

from core.errors import LoopworkError
from marketplace.launch import (
    FIX_EDIT,
    FIX_NONE,
    FIX_TOP_UP,
    FIX_UPLOAD,
    project_launch,
    project_launch_quote,
)
from marketplace.models import Item, Project
from marketplace.projects import project_budget, project_transition
from payouts import funding
from payouts.models import LedgerTransaction
from tests.factories import MembershipFactory, fund_company, fund_escrow
from tests.marketplace.factories import make_items, make_project

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fee(settings):
    settings.PLATFORM_FEE_PERCENT = 20


@pytest.fixture
def owner():
    return MembershipFactory(role="owner")


def _draft(owner, *, items=10, gold=2, reward=10, overlap=3, gold_rate=10, **fields):
    """10 items x overlap 3 at 10 cents with 2 gold items at a 10% gold rate, by default."""
    project = make_project(
        company=owner.company,
        status=Project.Status.DRAFT,
        title="Cats",
        reward_cents=reward,
        overlap=overlap,
        gold_rate=gold_rate,
        **fields,
    )
    make_items(project, items)
    if gold:
        make_items(project, gold, gold_label="positive")
    return project


def test_the_quote_has_exact_figures_for_a_project_with_gold(owner):
    project = _draft(owner)
    fund_company(owner.company_id, 50_00)

    quote = project_launch_quote(project)

    # 30 answers x 10¢ = $3.00; the 20% fee is 2¢ each = $0.60; 30 x 10 / 90 = 3.33, so 4
    # gold answers x 12¢ = $0.48; $4.08 in all, leaving $45.92 of $50.
    assert (quote.items, quote.gold_items, quote.overlap, quote.answers) == (10, 2, 3, 30)
    assert (quote.reward_cents, quote.rewards_cents) == (10, 300)
    assert (quote.fee_percent, quote.fee_each_cents, quote.fees_cents) == (20, 2, 60)
    assert (quote.gold_rate, quote.gold_answers, quote.gold_cents) == (10, 4, 48)
    assert quote.cost_each_cents == 12
    assert quote.total_cents == 408 == project_budget(project).total_cents
    assert (quote.already_reserved_cents, quote.reserve_now_cents) == (0, 408)
    assert (quote.balance_cents, quote.balance_after_cents) == (50_00, 45_92)
    assert (quote.escrow_after_cents, quote.shortfall_cents) == (408, 0)
    assert quote.refusal is None


def test_the_quote_is_what_the_launch_reserves_in_the_ledger(owner):
    project = _draft(owner)
    fund_company(owner.company_id, 50_00)
    quote = project_launch_quote(project)

    project_transition(project=project, membership=owner, action="launch")

    assert funding.escrow_cents(project.pk) == quote.escrow_after_cents == 408
    assert funding.company_balance_cents(owner.company_id) == quote.balance_after_cents == 45_92
    reserve = LedgerTransaction.objects.get(kind="escrow_reserve")
    assert reserve.entries.filter(amount_cents__gt=0).get().amount_cents == quote.reserve_now_cents


def test_project_launch_returns_the_figures_it_reserved(owner):
    project = _draft(owner)
    fund_company(owner.company_id, 50_00)

    quote = project_launch(project=project, membership=owner)

    project.refresh_from_db()
    assert project.status == Project.Status.ACTIVE
    assert (quote.total_cents, quote.reserve_now_cents, quote.refusal) == (408, 408, None)
    assert (quote.balance_cents, quote.balance_after_cents) == (50_00, 45_92)
    assert funding.escrow_cents(project.pk) == quote.escrow_after_cents
    assert funding.company_balance_cents(owner.company_id) == quote.balance_after_cents


def test_budget_already_in_escrow_is_not_reserved_twice(owner):
    project = _draft(owner)
    fund_escrow(project_id=project.pk, company_id=owner.company_id, cents=100)
    fund_company(owner.company_id, 10_00)

    quote = project_launch_quote(project)
    assert (quote.already_reserved_cents, quote.reserve_now_cents) == (100, 308)
    assert quote.balance_after_cents == 6_92

    project_launch(project=project, membership=owner)
    assert funding.escrow_cents(project.pk) == 408
    assert funding.company_balance_cents(owner.company_id) == 6_92


def test_extra_answers_are_counted_and_gold_is_nothing_without_gold_items(owner):
    project = _draft(owner, gold=0)
    Item.objects.filter(pk=Item.objects.filter(project=project).first().pk).update(extra_answers=2)

    quote = project_launch_quote(project)

    assert (quote.extra_answers, quote.answers) == (2, 32)
    assert (quote.gold_answers, quote.gold_cents, quote.gold_rate_unused) == (0, 0, True)
    assert quote.total_cents == 32 * 12


def test_a_short_balance_is_the_launchs_own_refusal_with_the_amounts(owner):
    project = _draft(owner, reward=100, gold=0)  # 30 answers x $1.20 = $36
    fund_company(owner.company_id, 10_00)

    quote = project_launch_quote(project)
    with pytest.raises(LoopworkError) as launch:
        project_transition(project=project, membership=owner, action="launch")

    assert quote.refusal.code == "insufficient_balance"
    assert quote.refusal.fix == FIX_TOP_UP
    expected = (
        "Reserving the budget of “Cats” needs $36 (Launching needs 30 answers at $1.20 each "
        "(the $1 reward plus the 20% platform fee)), but your company balance is $10. Add at "
        "least $26 on the Billing page."
    )
    assert quote.refusal.message == launch.value.message == expected
    assert (quote.shortfall_cents, quote.balance_after_cents) == (26_00, -26_00)


def test_a_refused_project_launch_changes_nothing(owner):
    project = _draft(owner, reward=100)
    fund_company(owner.company_id, 10_00)
    transactions = LedgerTransaction.objects.count()

    with pytest.raises(LoopworkError) as refused:
        project_launch(project=project, membership=owner)

    assert (refused.value.code, refused.value.status) == ("insufficient_balance", 409)
    project.refresh_from_db()
    assert (project.status, project.launched_at) == (Project.Status.DRAFT, None)
    assert funding.escrow_cents(project.pk) == 0
    assert funding.company_balance_cents(owner.company_id) == 10_00
    assert LedgerTransaction.objects.count() == transactions


def test_no_items_is_refused_before_the_balance_and_says_to_upload(owner):
    project = _draft(owner, items=0, gold=2)
    quote = project_launch_quote(project)
    assert (quote.refusal.code, quote.refusal.fix) == ("no_items", FIX_UPLOAD)
    assert quote.refusal.message == (
        "Upload at least one item (not counting gold items) before launching."
    )


def test_an_invalid_label_schema_says_to_edit_the_project(owner):
    project = _draft(owner, label_schema={"labels": ["one"]})
    fund_company(owner.company_id, 50_00)
    quote = project_launch_quote(project)
    assert (quote.refusal.code, quote.refusal.field) == ("invalid_label_schema", "label_schema")
    assert quote.refusal.fix == FIX_EDIT


def test_no_time_estimate_is_carried_with_its_message_as_a_setting_to_edit(owner):
    project = _draft(owner, estimated_task_seconds=None)
    fund_company(owner.company_id, 50_00)

    quote = project_launch_quote(project)

    assert (quote.refusal.code, quote.refusal.field) == (
        "no_time_estimate",
        "estimated_task_seconds",
    )
    assert quote.refusal.message.startswith("Say how long one task takes (the time per task)")
    assert quote.refusal.fix == FIX_EDIT


def test_a_reward_under_the_pay_floor_names_the_smallest_that_passes(owner, settings):
    settings.PAY_FLOOR_HOURLY_CENTS = 800
    # 1 cent for 20 seconds is $1.80 an hour; $8 an hour needs 800 x 20 / 3600 = 4.4, so 5.
    project = _draft(owner, reward=1, estimated_task_seconds=20)
    fund_company(owner.company_id, 50_00)

    quote = project_launch_quote(project)
    with pytest.raises(LoopworkError) as launch:
        project_transition(project=project, membership=owner, action="launch")

    assert (quote.refusal.code, quote.refusal.fix) == ("below_pay_floor", FIX_EDIT)
    assert quote.refusal.message == launch.value.message
    assert quote.refusal.message.endswith("The smallest reward that meets it is $0.05.")


def test_a_launched_project_cannot_be_launched_again(owner):
    project = make_project(company=owner.company, status=Project.Status.ACTIVE)
    quote = project_launch_quote(project)
    assert (quote.refusal.code, quote.refusal.fix) == ("invalid_transition", FIX_NONE)
    assert quote.refusal.message == "An active project cannot be launched."


def test_the_api_figures_are_in_minor_units_with_the_currency(owner):
    project = _draft(owner)
    fund_company(owner.company_id, 50_00)
    figures = project_launch_quote(project).as_dict()
    returned = figures.pop("returned_when_ended")
    assert figures == {
        "currency": "USD",
        "items": 10,
        "gold_items": 2,
        "overlap": 3,
        "extra_answers": 0,
        "answers": 30,
        "reward_cents": 10,
        "rewards_cents": 300,
        "fee_percent": 20,
        "fee_each_cents": 2,
        "fees_cents": 60,
        "cost_each_cents": 12,
        "gold_rate": 10,
        "gold_answers": 4,
        "gold_cents": 48,
        "total_cents": 408,
        "already_reserved_cents": 0,
        "reserved_cents": 408,
        "escrow_cents": 408,
        "balance_before_cents": 50_00,
        "balance_after_cents": 45_92,
    }
    assert "completed or cancelled" in returned
    assert "replacement" in returned
