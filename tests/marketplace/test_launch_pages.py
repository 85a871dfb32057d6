"""The launch page (/company/projects/<id>/launch/): the budget as a receipt, the launch it
confirms, refusals that change nothing, and who may reach it."""

import re

import pytest

from marketplace.models import Project
from payouts import funding
from payouts.models import LedgerTransaction
from tests.factories import CompanyFactory, MembershipFactory, fund_company
from tests.marketplace.factories import make_items, make_project

pytestmark = pytest.mark.django_db

TIMES = "\N{MULTIPLICATION SIGN}"  # the receipt writes a real times sign between figures


@pytest.fixture(autouse=True)
def _fee(settings):
    settings.PLATFORM_FEE_PERCENT = 20


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def _draft(company, *, items=10, reward=10, **fields):
    """10 items x overlap 3 at 10 cents, 2 gold items at a 10% gold rate: $4.08 in all."""
    project = make_project(
        company=company,
        status=Project.Status.DRAFT,
        title="Cats",
        reward_cents=reward,
        overlap=3,
        gold_rate=10,
        **fields,
    )
    make_items(project, items)
    make_items(project, 2, gold_label="positive")
    return project


def _figure(html: str, name: str) -> str:
    match = re.search(rf'data-testid="quote-{name}">([^<]*)<', html)
    assert match, name
    return match.group(1)


def _unchanged(project, company, balance_cents, transactions):
    project.refresh_from_db()
    assert (project.status, project.launched_at) == (Project.Status.DRAFT, None)
    assert funding.escrow_cents(project.pk) == 0
    assert funding.company_balance_cents(company.pk) == balance_cents
    assert LedgerTransaction.objects.count() == transactions


def test_the_page_shows_the_budget_as_a_receipt(owner_client, company):
    project = _draft(company)
    fund_company(company.pk, 50_00)

    response = owner_client.get(f"/company/projects/{project.pk}/launch/")

    assert response.status_code == 200
    html = response.content.decode()
    figures = {
        name: _figure(html, name)
        for name in (
            "items",
            "answers",
            "rewards",
            "fees",
            "gold",
            "total",
            "reserve",
            "balance",
            "balance-after",
        )
    }
    assert figures == {
        "items": "10 ",
        "answers": "30",
        "rewards": "$3",
        "fees": "$0.60",
        "gold": "$0.48",
        "total": "$4.08",
        "reserve": "$4.08",
        "balance": "$50",
        "balance-after": "$45.92",
    }
    assert f"10 items {TIMES} 3 answers = 30 answers {TIMES} $0.10" in html
    assert f"20% of each reward: $0.02 {TIMES} 30 answers" in html
    assert f"4 expected answers {TIMES} $0.12 (reward and fee)" in html
    assert "completed or cancelled" in html
    assert "pays that replacement" in html
    assert f'<form method="post" action="/company/projects/{project.pk}/launch/">' in html
    assert "csrfmiddlewaretoken" in html
    assert ">Launch project</button>" in html
    assert f'href="/company/projects/{project.pk}/"' in html
    assert "<script" not in html.split("</header>", 1)[1].split("<footer", 1)[0]
    assert " style=" not in html


def test_posting_launches_and_reserves_what_the_page_showed(owner_client, company):
    project = _draft(company)
    fund_company(company.pk, 50_00)

    response = owner_client.post(f"/company/projects/{project.pk}/launch/", follow=True)

    assert response.redirect_chain == [(f"/company/projects/{project.pk}/", 302)]
    assert (
        "The project is now active. $4.08 is reserved for its budget; your balance is now "
        "$45.92." in response.content.decode()
    )
    project.refresh_from_db()
    assert project.status == Project.Status.ACTIVE
    assert funding.escrow_cents(project.pk) == 408
    assert funding.company_balance_cents(company.pk) == 45_92


def test_a_short_balance_is_shown_with_the_missing_amount_and_a_top_up_link(owner_client, company):
    project = _draft(company, reward=100)  # 30 x $1.20 + 4 gold x $1.20 = $40.80
    fund_company(company.pk, 10_00)

    page = owner_client.get(f"/company/projects/{project.pk}/launch/").content.decode()

    assert 'data-code="insufficient_balance"' in page
    assert "needs $40.80" in page
    assert "your company balance is $10. Add at least $30.80 on the Billing page." in page
    assert _figure(page, "shortfall") == "$30.80"
    assert 'href="/company/billing/?amount=30.80"' in page
    assert ">Launch project</button>" not in page


def test_a_refused_post_shows_the_page_again_with_a_409_and_changes_nothing(owner_client, company):
    project = _draft(company, reward=100)
    fund_company(company.pk, 10_00)
    transactions = LedgerTransaction.objects.count()

    response = owner_client.post(f"/company/projects/{project.pk}/launch/")

    assert response.status_code == 409
    html = response.content.decode()
    assert 'data-code="insufficient_balance"' in html
    assert "Add at least $30.80 on the Billing page." in html
    _unchanged(project, company, 10_00, transactions)


def test_a_small_shortfall_opens_billing_at_the_smallest_top_up(owner_client, company):
    project = _draft(company)
    fund_company(company.pk, 1_00)
    page = owner_client.get(f"/company/projects/{project.pk}/launch/").content.decode()
    assert _figure(page, "shortfall") == "$3.08"
    assert 'href="/company/billing/?amount=10.00"' in page
    assert "Billing opens with a top-up of $10 filled in." in page


def test_without_items_the_post_is_refused_and_points_to_uploads(owner_client, company):
    project = _draft(company, items=0)
    fund_company(company.pk, 50_00)
    transactions = LedgerTransaction.objects.count()

    response = owner_client.post(f"/company/projects/{project.pk}/launch/")

    assert response.status_code == 409
    html = response.content.decode()
    assert "Upload at least one item (not counting gold items) before launching." in html
    assert f'href="/company/projects/{project.pk}/uploads/"' in html
    _unchanged(project, company, 50_00, transactions)


def test_a_pay_floor_refusal_is_shown_with_a_link_to_edit(owner_client, company, settings):
    settings.PAY_FLOOR_HOURLY_CENTS = 800
    project = _draft(company, reward=1, estimated_task_seconds=20)  # $1.80 an hour
    fund_company(company.pk, 50_00)
    transactions = LedgerTransaction.objects.count()

    page = owner_client.get(f"/company/projects/{project.pk}/launch/").content.decode()
    assert 'data-code="below_pay_floor"' in page
    assert "The smallest reward that meets it is $0.05." in page
    assert f'href="/company/projects/{project.pk}/edit/"' in page
    assert ">Launch project</button>" not in page

    response = owner_client.post(f"/company/projects/{project.pk}/launch/")
    assert response.status_code == 409
    assert "The smallest reward that meets it is $0.05." in response.content.decode()
    _unchanged(project, company, 50_00, transactions)


def test_no_time_estimate_is_shown_with_a_link_to_edit(owner_client, company):
    project = _draft(company, estimated_task_seconds=None)
    fund_company(company.pk, 50_00)
    page = owner_client.get(f"/company/projects/{project.pk}/launch/").content.decode()
    assert 'data-code="no_time_estimate"' in page
    assert "Say how long one task takes (the time per task)" in page
    assert f'href="/company/projects/{project.pk}/edit/"' in page


def test_a_launched_project_sends_the_page_back_to_the_project(owner_client, company):
    project = make_project(company=company, status=Project.Status.ACTIVE)
    response = owner_client.get(f"/company/projects/{project.pk}/launch/")
    assert response["Location"] == f"/company/projects/{project.pk}/"
    response = owner_client.post(f"/company/projects/{project.pk}/launch/")
    assert response.status_code == 409
    assert b"An active project cannot be launched." in response.content


def test_a_manager_may_launch(client, company):
    project = _draft(company)
    fund_company(company.pk, 50_00)
    client.force_login(MembershipFactory(company=company, role="manager").user)
    assert client.get(f"/company/projects/{project.pk}/launch/").status_code == 200
    client.post(f"/company/projects/{project.pk}/launch/")
    project.refresh_from_db()
    assert project.status == Project.Status.ACTIVE


@pytest.mark.parametrize("method", ["get", "post"])
def test_reviewers_are_refused_and_nothing_changes(client, company, method):
    project = _draft(company)
    fund_company(company.pk, 50_00)
    transactions = LedgerTransaction.objects.count()
    client.force_login(MembershipFactory(company=company, role="reviewer").user)

    response = getattr(client, method)(f"/company/projects/{project.pk}/launch/")

    assert response.status_code == 403
    _unchanged(project, company, 50_00, transactions)


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_companys_project_is_a_404_and_nothing_changes(client, company, method):
    project = _draft(company)
    fund_company(company.pk, 50_00)
    transactions = LedgerTransaction.objects.count()
    client.force_login(MembershipFactory(company=CompanyFactory(), role="owner").user)

    response = getattr(client, method)(f"/company/projects/{project.pk}/launch/")

    assert response.status_code == 404
    _unchanged(project, company, 50_00, transactions)


def test_anonymous_visitors_are_sent_to_log_in(client, company):
    project = _draft(company)
    response = client.post(f"/company/projects/{project.pk}/launch/")
    assert response["Location"].startswith("/accounts/login/")
    project.refresh_from_db()
    assert project.status == Project.Status.DRAFT


def test_the_project_page_links_to_the_launch_page_instead_of_a_confirm(owner_client, company):
    project = _draft(company)
    html = owner_client.get(f"/company/projects/{project.pk}/").content.decode()
    assert f'href="/company/projects/{project.pk}/launch/"' in html
    assert "/state/launch/" not in html
    assert "Launch the project?" not in html
    # The other transitions keep their confirmation.
    assert f'action="/company/projects/{project.pk}/state/cancel/"' in html
    assert 'data-confirm="Cancel the project?' in html


def test_the_old_launch_button_address_goes_to_the_page_and_launches_nothing(owner_client, company):
    project = _draft(company)
    fund_company(company.pk, 50_00)
    response = owner_client.post(f"/company/projects/{project.pk}/state/launch/")
    assert response["Location"] == f"/company/projects/{project.pk}/launch/"
    project.refresh_from_db()
    assert project.status == Project.Status.DRAFT
    assert funding.escrow_cents(project.pk) == 0


def test_billing_starts_the_top_up_at_the_amount_the_launch_page_asks(owner_client, company):
    html = owner_client.get("/company/billing/?amount=30.80").content.decode()
    assert 'value="30.80"' in re.search(r'<input[^>]*name="amount"[^>]*>', html).group(0)


@pytest.mark.parametrize("amount", ["3", "lots", "99999999"])
def test_billing_ignores_an_amount_its_form_would_refuse(owner_client, company, amount):
    html = owner_client.get(f"/company/billing/?amount={amount}").content.decode()
    assert "value=" not in re.search(r'<input[^>]*name="amount"[^>]*>', html).group(0)


def test_a_shortfall_above_one_top_up_opens_billing_at_the_largest(owner_client, company):
    project = _draft(company, reward=100_00, items=500)  # (1,500 + 167 gold) answers x $120
    page = owner_client.get(f"/company/projects/{project.pk}/launch/").content.decode()
    assert 'href="/company/billing/?amount=50000.00"' in page
    assert "one top-up is at most $50,000, so add the rest in another" in page
