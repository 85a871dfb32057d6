"""The company home: money, what waits on the company, each listing's funnel, empty states."""

import datetime
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jobs.listing_authoring import listing_submit_for_review
from jobs.listing_stats import Applicants, CompanyListing
from jobs.models import Application, JobPage
from jobs.qualification_models import QualificationAttempt
from marketplace.company_home import ListingFunnel, Work, company_home
from marketplace.models import Assignment, Project
from marketplace.review import review_approve
from payouts import earnings
from tests.factories import (
    CompanyFactory,
    MembershipFactory,
    WorkerFactory,
    fund_company,
    make_application,
    make_job,
)
from tests.jobs.qualification_factories import make_qualification_test
from tests.marketplace.factories import make_assignment, make_items, make_project, make_reviewer

pytestmark = pytest.mark.django_db

A = Assignment.Status
S = Application.Status


def answer(project, worker, status, *, gold=False, days_ago=0):
    """One answer of `worker` in `project`, on an item of its own."""
    item = make_items(project, 1, gold_label="positive" if gold else None)[0]
    submitted_at = timezone.now() - datetime.timedelta(days=days_ago)
    return make_assignment(item, worker, status=status, submitted_at=submitted_at)


def attempt(worker, test, status):
    return QualificationAttempt.objects.create(
        worker=worker,
        test=test,
        status=status,
        deadline=timezone.now() + datetime.timedelta(minutes=20),
        pass_score=80,
    )


@dataclass
class Seeded:
    company: object
    owner: object
    tested_listing: JobPage
    open_listing: JobPage
    draft_listing: JobPage
    tested_project: Project
    open_project: Project
    unlisted_project: Project


@pytest.fixture
def seeded(site_tree):
    """Brightloom: two live listings (one with a test), a draft, three projects."""
    company = CompanyFactory(name="Brightloom")
    owner = MembershipFactory(company=company, role="owner").user
    fund_company(company.pk, 50_00)
    test = make_qualification_test(company=company)
    tested = make_job(company=company, title="Sentiment raters", qualification_test=test)
    open_ = make_job(company=company, title="Image boxers")
    draft = make_job(company=company, title="Audio transcribers", live=False)

    w1, w2, w3, w4, w5, w6, w7, w8, w9, w10 = (WorkerFactory() for _ in range(10))
    # Sentiment raters: two admitted, one passed and waiting, one taking the test, one declined.
    for worker, status in [(w1, S.ACTIVE), (w2, S.ACTIVE), (w3, S.QUALIFIED)]:
        make_application(worker=worker, job=tested, status=status)
    make_application(worker=w4, job=tested, status=S.TEST_REQUIRED)
    make_application(worker=w5, job=tested, status=S.REJECTED)
    for worker in (w1, w2, w3):
        attempt(worker, test, QualificationAttempt.Status.PASSED)
    attempt(w5, test, QualificationAttempt.Status.FAILED)
    attempt(w4, test, QualificationAttempt.Status.IN_PROGRESS)  # not completed: not tested
    attempt(w6, test, QualificationAttempt.Status.PASSED)  # never applied here: not counted
    # Image boxers (no test): one new, one admitted, one withdrawn.
    make_application(worker=w6, job=open_, status=S.SUBMITTED)
    make_application(worker=w7, job=open_, status=S.ACTIVE)
    make_application(worker=w8, job=open_, status=S.WITHDRAWN)

    tested_project = make_project(company=company, title="Review sentiment", reward_cents=100)
    tested_project.listings.set([tested])
    open_project = make_project(company=company, title="Street boxes")
    open_project.listings.set([open_])
    unlisted = make_project(company=company, title="Open qualification work")

    # w1: two approved, one rejected, a gold answer (active, but not an answer), a lease.
    answer(tested_project, w1, A.APPROVED)
    answer(tested_project, w1, A.APPROVED)
    answer(tested_project, w1, A.REJECTED)
    answer(tested_project, w1, A.SUBMITTED, gold=True)
    make_assignment(make_items(tested_project, 1)[0], w1, status=A.LEASED)
    # w2 answered eight days ago: an answer, but not an active worker.
    answer(tested_project, w2, A.APPROVED, days_ago=8)
    # w9 was never admitted through the listing (holds the project's qualification).
    answer(tested_project, w9, A.SUBMITTED)
    answer(tested_project, w9, A.APPROVED)
    # Image boxers: w7 has three waiting; w6 (only applied) answered nothing.
    for _ in range(3):
        answer(open_project, w7, A.SUBMITTED)
    answer(unlisted, w10, A.SUBMITTED)
    return Seeded(company, owner, tested, open_, draft, tested_project, open_project, unlisted)


@pytest.fixture
def other_company(site_tree):
    """Another company with the same kinds of data, none of which may show at Brightloom."""
    company = CompanyFactory(name="Northwind")
    fund_company(company.pk, 999_00)
    listing = make_job(company=company, title="Northwind raters")
    worker = WorkerFactory()
    make_application(worker=worker, job=listing, status=S.ACTIVE)
    make_application(job=listing, status=S.SUBMITTED)
    make_application(job=listing, status=S.QUALIFIED)
    project = make_project(company=company, title="Northwind batch")
    project.listings.set([listing])
    answer(project, worker, A.SUBMITTED)
    answer(project, worker, A.APPROVED)
    return company


def funnel_figures(home):
    return {
        funnel.listing.title: (
            funnel.applicants.applicants,
            funnel.tested,
            funnel.applicants.admitted,
            funnel.work.active_workers,
            funnel.work.answers,
            funnel.approval_rate,
        )
        for funnel in home.funnels
    }


def test_the_funnel_counts_each_listing_exactly(seeded, other_company):
    home = company_home(company=seeded.company, with_money=True)

    assert funnel_figures(home) == {
        # 5 applied; 4 completed the test (w4's attempt is still running); 2 admitted;
        # w1 answered this week; 4 answers by admitted workers (w9's left out), 3 of 4
        # decided ones approved.
        "Sentiment raters": (5, 4, 2, 1, 4, 75),
        # No test; 3 waiting answers, none decided yet.
        "Image boxers": (3, None, 1, 1, 3, None),
        "Audio transcribers": (0, None, 0, 0, 0, None),
    }


def test_the_waiting_figures_and_listings(seeded, other_company):
    home = company_home(company=seeded.company, with_money=True)

    # Submitted answers, gold ones too (the review page lists them): most waiting first.
    assert [(p.title, p.waiting) for p in home.projects_waiting] == [
        ("Street boxes", 3),
        ("Review sentiment", 2),
        ("Open qualification work", 1),
    ]
    assert home.answers_waiting == 6
    # w6 applied to Image boxers (no test), w3 passed the Sentiment raters test.
    assert (home.applicants_new, home.applicants_qualified, home.applicants_waiting) == (1, 1, 2)
    assert home.live_listings == 2
    assert home.listing_states == {"draft": 1, "in_review": 0, "changes_requested": 0, "live": 2}
    assert [project.title for project in home.projects] == [
        "Open qualification work",
        "Street boxes",
        "Review sentiment",
    ]


def test_money_is_the_billing_figures_with_this_months_spend(seeded, other_company):
    submission = answer(seeded.tested_project, WorkerFactory(), A.SUBMITTED)
    review_approve(submission.pk, reviewer=seeded.owner)  # $1.00 + $0.20 fee from escrow
    earnings.bonus_post(
        company_id=seeded.company.pk,
        worker_id=submission.worker_id,
        amount_cents=3_00,
        reason="Careful work",
        actor=seeded.owner,
        idempotency_key="home-bonus",
    )  # $3.00 + $0.60 fee from the balance

    money = company_home(company=seeded.company, with_money=True).money

    # $50 funded, $3.60 bonus; each project reserved $100 (make_project) of which the
    # approval drew $1.20.
    assert money.balance_cents == 50_00 - 3_60
    assert money.reserved_cents == 3 * 100_00 - 1_20
    assert money.spent_this_month_cents == 1_20 + 3_60


def test_the_owner_sees_every_card_linking_to_its_page(seeded, client):
    client.force_login(seeded.owner)

    response = client.get("/company/")

    html = response.content.decode()
    assert response.status_code == 200
    for card in ("balance", "escrow", "spend", "answers", "applicants", "listings"):
        assert f'data-testid="card-{card}"' in html
    assert "$50" in html  # the balance (the escrow came from separate top-ups)
    assert 'href="/company/billing/">Billing and top-ups</a>' in html
    assert 'href="/company/billing/#projects-heading">Budget of each project</a>' in html
    assert 'href="/company/billing/#projects-heading">Spending by project</a>' in html
    # Several projects wait: each links to its review queue, the card to the project list.
    for project in (seeded.open_project, seeded.tested_project, seeded.unlisted_project):
        assert f'href="/company/projects/{project.pk}/review/?status=submitted"' in html
    assert html.index("Street boxes<span") < html.index("Review sentiment<span")
    assert 'href="/company/applications/?status=submitted">New applications' in html
    assert 'href="/company/applications/?status=qualified">Passed the test' in html
    assert 'href="/company/listings/">All listings' in html


def test_the_funnel_table_links_live_listings_to_their_public_page(seeded, client):
    client.force_login(seeded.owner)

    html = client.get("/company/").content.decode()

    assert f'<a class="funnel-title" href="{seeded.tested_listing.url}">Sentiment raters' in html
    assert f'<a class="funnel-title" href="{seeded.open_listing.url}">Image boxers' in html
    assert f'href="{seeded.draft_listing.url}"' not in html  # not published: no link
    assert '<span class="funnel-title">Audio transcribers</span>' in html
    for listing in (seeded.tested_listing, seeded.open_listing, seeded.draft_listing):
        assert f'href="/company/applications/?listing={listing.pk}">Applications' in html
    assert '<th scope="col" class="funnel-num">Approval rate</th>' in html
    assert '<td data-label="Approval rate" class="funnel-num">75%</td>' in html
    assert html.count('<span class="muted">No test</span>') == 2


def test_another_companys_figures_never_show(seeded, other_company, client):
    northwind_owner = MembershipFactory(company=other_company, role="owner").user
    client.force_login(northwind_owner)

    response = client.get("/company/")

    home = response.context["home"]
    assert funnel_figures(home) == {"Northwind raters": (3, None, 1, 1, 2, 100)}
    assert [(p.title, p.waiting) for p in home.projects_waiting] == [("Northwind batch", 1)]
    assert (home.applicants_waiting, home.live_listings) == (2, 1)
    assert home.money.balance_cents == 999_00
    assert home.money.spent_this_month_cents == 0
    html = response.content.decode()
    for name in ("Brightloom", "Sentiment raters", "Street boxes", "Review sentiment"):
        assert name not in html


def test_a_reviewer_sees_no_money(seeded, client):
    client.force_login(make_reviewer(seeded.company))

    response = client.get("/company/")

    html = response.content.decode()
    assert response.context["home"].money is None
    for card in ("balance", "escrow", "spend"):
        assert f'data-testid="card-{card}"' not in html
    assert "/company/billing/" not in html
    assert "$" not in html
    # Everything else is the same as the owner's.
    assert 'data-testid="card-answers"' in html
    assert 'data-testid="card-applicants"' in html
    assert "Sentiment raters" in html


def test_a_manager_sees_the_money(seeded, client):
    client.force_login(make_reviewer(seeded.company, role="manager"))

    html = client.get("/company/").content.decode()

    assert 'data-testid="card-balance"' in html


def test_a_brand_new_company_gets_an_invitation_for_each_empty_part(site_tree, company, client):
    client.force_login(MembershipFactory(company=company, role="owner").user)

    response = client.get("/company/")

    html = response.content.decode()
    home = response.context["home"]
    assert (home.funnels, home.projects, home.projects_waiting) == ([], [], [])
    assert (home.money.balance_cents, home.money.reserved_cents) == (0, 0)
    assert "Add money by card before you launch a project." in html
    assert "Nothing reserved. Launching a project reserves its budget here." in html
    assert "No projects yet, so there is nothing to review." in html
    assert "No listings yet, so no applicants." in html
    assert "<h3>No listings yet</h3>" in html
    assert 'href="/company/listings/new/">Draft your first listing' in html
    assert "<h3>No projects yet</h3>" in html
    assert 'href="/company/projects/new/">Create a project' in html
    # Nothing claims that answers or applicants are merely "waiting on nothing".
    assert "Nothing is waiting for review." not in html
    assert "No one is waiting for your decision." not in html


def test_a_new_companys_reviewer_is_told_who_creates_things(site_tree, company, client):
    client.force_login(make_reviewer(company))

    html = client.get("/company/").content.decode()

    assert "An owner or manager of your company writes listings." in html
    assert "An owner or manager of your company creates projects." in html
    assert "/company/listings/new/" not in html
    assert "/company/projects/new/" not in html


def test_nothing_waiting_is_said_plainly(site_tree, company, owner, client):
    listing = make_job(company=company, title="Quiet listing")
    make_application(job=listing, status=S.ACTIVE)
    make_project(company=company, title="Quiet project")
    client.force_login(owner)

    html = client.get("/company/").content.decode()

    assert "Nothing is waiting for review." in html
    assert "No one is waiting for your decision." in html
    assert 'href="/company/projects/">All projects' in html
    assert 'href="/company/applications/">All applications' in html


def test_one_project_waiting_links_straight_to_its_review(site_tree, company, owner, client):
    project = make_project(company=company, title="Only batch")
    answer(project, WorkerFactory(), A.SUBMITTED)
    answer(project, WorkerFactory(), A.SUBMITTED)
    make_project(company=company, title="Idle batch")
    client.force_login(owner)

    html = client.get("/company/").content.decode()

    assert (
        f'href="/company/projects/{project.pk}/review/?status=submitted">'
        "Review the answers in Only batch</a>"
    ) in html


def test_the_funnel_shows_the_moderation_state(site_tree, company, owner, client):
    listing = make_job(company=company, title="Waiting for staff", live=False)
    listing_submit_for_review(page=listing, membership=owner.company_membership, user=owner)
    client.force_login(owner)

    response = client.get("/company/")

    (funnel,) = response.context["home"].funnels
    assert (funnel.listing.state, funnel.listing.is_live) == ("in_review", False)
    assert '<span class="badge badge-warn">In review</span>' in response.content.decode()
    assert response.context["home"].listing_states["in_review"] == 1


@pytest.mark.parametrize(
    ("approved", "rejected", "rate"),
    [(0, 0, None), (3, 1, 75), (2, 1, 67), (1, 7, 13), (1, 2, 33), (0, 4, 0), (5, 0, 100)],
)
def test_the_approval_rate_is_a_whole_percent_rounded_half_up(approved, rejected, rate):
    listing = CompanyListing(JobPage(title="x"), "x", "live", "Live", "badge-ok")
    funnel = ListingFunnel(listing, Applicants(), Work(approved=approved, rejected=rejected))

    assert funnel.approval_rate == rate


def _grow(company, n: int) -> None:
    """One more listing with a test, applicants, attempts, a project and answers."""
    test = make_qualification_test(company=company)
    listing = make_job(company=company, title=f"Listing {n}", qualification_test=test)
    project = make_project(company=company, title=f"Project {n}", escrow_cents=0)
    project.listings.set([listing])
    for status in (S.ACTIVE, S.QUALIFIED, S.SUBMITTED):
        worker = WorkerFactory()
        make_application(worker=worker, job=listing, status=status)
        attempt(worker, test, QualificationAttempt.Status.PASSED)
        answer(project, worker, A.SUBMITTED)
        answer(project, worker, A.APPROVED)


def test_the_home_costs_the_same_queries_for_one_or_five_listings(site_tree, client):
    company = CompanyFactory()
    owner = MembershipFactory(company=company, role="owner").user
    fund_company(company.pk, 10_00)
    client.force_login(owner)
    _grow(company, 1)
    client.get("/company/")  # warms the caches every page fills once (site root paths)

    with CaptureQueriesContext(connection) as one_selector:
        company_home(company=company, with_money=True)
    with CaptureQueriesContext(connection) as one_page:
        assert client.get("/company/").status_code == 200
    for n in range(2, 6):
        _grow(company, n)
    with CaptureQueriesContext(connection) as five_selector:
        home = company_home(company=company, with_money=True)
    with CaptureQueriesContext(connection) as five_page:
        client.get("/company/")

    assert len(home.funnels) == len(home.projects) == 5
    assert len(five_selector) == len(one_selector) <= 12
    assert len(five_page) == len(one_page)
