"""One source of pay: a project's figures, its listings' figures, and the floor at launch."""

import pytest

from core.errors import LoopworkError
from jobs.models import JobPage, ListingPay
from marketplace.models import Project
from marketplace.pay import (
    MEASURED_MIN_ANSWERS,
    listing_pay_refresh,
    minimum_reward_cents,
    project_pay,
    project_pay_measure,
)
from marketplace.projects import project_transition, project_update
from tests.factories import MembershipFactory, WorkerFactory, fund_company, make_job
from tests.marketplace.factories import make_assignment, make_items, make_project

pytestmark = pytest.mark.django_db


def timed(project, seconds):
    for item, taken in zip(make_items(project, len(seconds)), seconds, strict=True):
        make_assignment(item, WorkerFactory(), status="submitted", work_seconds=taken)


# --- A project's figures -----------------------------------------------------------------


def test_before_enough_answers_the_figures_are_the_companys_estimate():
    project = make_project(reward_cents=15, estimated_task_seconds=45)
    timed(project, [200] * (MEASURED_MIN_ANSWERS - 1))
    project_pay_measure(project_ids=[project.pk])
    project.refresh_from_db()

    pay = project_pay(project)

    assert (pay.seconds, pay.measured, pay.timed_answers) == (45, False, 19)
    assert (pay.hourly_cents, pay.hourly_text, pay.time_text) == (1200, "$12/h", "about 45 s")
    assert pay.basis_text == "the company's estimate, until 20 answers are timed"


def test_from_twenty_timed_answers_the_median_replaces_the_estimate():
    project = make_project(reward_cents=15, estimated_task_seconds=45, lease_seconds=300)
    # one answer ran past the lease: it counts at the lease, as the pay floor counts it
    timed(project, [30] * 10 + [36] * 9 + [5000])
    project_pay_measure(project_ids=[project.pk])
    project.refresh_from_db()

    pay = project_pay(project)

    assert (project.median_work_seconds, project.timed_answer_count) == (33, 20)
    assert (pay.seconds, pay.measured) == (33, True)
    assert pay.hourly_cents == 1636  # 15 cents every 33 seconds
    assert pay.basis_text == "median of 20 timed answers"


def test_a_measured_rate_under_the_floor_shows_the_floor_it_is_topped_up_to(settings):
    settings.PAY_FLOOR_HOURLY_CENTS = 800
    project = make_project(reward_cents=10, estimated_task_seconds=40)
    timed(project, [90] * 20)  # 10 cents in 90 s is $4/h
    project_pay_measure(project_ids=[project.pk])
    project.refresh_from_db()

    pay = project_pay(project)

    assert (pay.rate_cents, pay.hourly_cents, pay.floor_applies) == (400, 800, True)


def test_a_projects_own_floor_above_the_platforms_applies(settings):
    settings.PAY_FLOOR_HOURLY_CENTS = 800
    project = make_project(reward_cents=10, pay_floor_hourly_cents=1500)

    assert project_pay(project).floor_cents == 1500


def test_measuring_again_changes_nothing_and_reports_no_change():
    project = make_project(estimated_task_seconds=20)
    timed(project, [10] * 20)

    assert project_pay_measure(project_ids=[project.pk]) == 1
    assert project_pay_measure(project_ids=[project.pk]) == 0


# --- The listing's figures ---------------------------------------------------------------


def linked(listing, **fields) -> Project:
    project = make_project(company=listing.company, **fields)
    project.listings.add(listing)
    return project


def test_a_listing_shows_exactly_what_its_project_pays(site_tree):
    listing = make_job(pay_source=JobPage.PaySource.PROJECTS)
    project = linked(listing, reward_cents=10, estimated_task_seconds=40)

    listing_pay_refresh(listing_ids=[listing.pk])

    figures = ListingPay.objects.get(listing=listing)
    pay = project_pay(project)
    assert (figures.reward_min_cents, figures.seconds_min, figures.hourly_min_cents) == (
        pay.reward_cents,
        pay.seconds,
        pay.hourly_cents,
    )
    listing = JobPage.objects.get(pk=listing.pk)
    assert listing.pay_display == "$0.10 per task"
    assert listing.hourly_rate_cents == 900
    assert figures.time_text == "about 40 s per task"
    assert figures.is_estimate


def test_a_listing_of_several_projects_shows_their_range(site_tree):
    listing = make_job(pay_source=JobPage.PaySource.PROJECTS)
    linked(listing, reward_cents=10, estimated_task_seconds=40)
    linked(listing, reward_cents=30, estimated_task_seconds=60)

    listing_pay_refresh(listing_ids=[listing.pk])

    figures = ListingPay.objects.get(listing=listing)
    assert figures.per_task_text == "$0.10\N{EN DASH}$0.30 per task"
    assert figures.hourly_text == "$9\N{EN DASH}$18/h"
    assert JobPage.objects.get(pk=listing.pk).hourly_rate_cents == 900


def test_live_projects_set_the_pay_and_cancelled_ones_never_do(site_tree):
    listing = make_job(pay_source=JobPage.PaySource.PROJECTS)
    linked(listing, reward_cents=10, estimated_task_seconds=40)
    linked(listing, reward_cents=99, status=Project.Status.DRAFT, estimated_task_seconds=40)
    linked(listing, reward_cents=1, status=Project.Status.CANCELLED, estimated_task_seconds=40)

    listing_pay_refresh(listing_ids=[listing.pk])

    figures = ListingPay.objects.get(listing=listing)
    assert (figures.project_count, figures.reward_min_cents, figures.reward_max_cents) == (
        1,
        10,
        10,
    )


def test_changing_a_projects_reward_updates_its_listings_pay(site_tree, company):
    owner = MembershipFactory(company=company, role="owner")
    listing = make_job(company=company, pay_source=JobPage.PaySource.PROJECTS)
    project = linked(listing, reward_cents=10, estimated_task_seconds=40, status="draft")
    listing_pay_refresh(listing_ids=[listing.pk])

    project_update(project=project, membership=owner, data={"reward_cents": 20})

    assert ListingPay.objects.get(listing=listing).hourly_min_cents == 1800


def test_unlinking_a_project_takes_its_pay_off_the_listing(site_tree, company):
    owner = MembershipFactory(company=company, role="owner")
    listing = make_job(company=company, pay_source=JobPage.PaySource.PROJECTS)
    project = make_project(company=company, status="draft", estimated_task_seconds=40)
    project_update(project=project, membership=owner, data={"listings": [listing.pk]})
    assert ListingPay.objects.get(listing=listing).project_count == 1

    project_update(project=project, membership=owner, data={"listings": []})

    assert ListingPay.objects.get(listing=listing).project_count == 0
    assert JobPage.objects.get(pk=listing.pk).pay_display == "Pay is set by its projects"


def test_an_hourly_listing_cannot_be_linked_to_a_project(site_tree, company):
    owner = MembershipFactory(company=company, role="owner")
    hourly = make_job(company=company, hourly_pay_cents=1500)
    project = make_project(company=company, status="draft")

    with pytest.raises(LoopworkError) as refusal:
        project_update(project=project, membership=owner, data={"listings": [hourly.pk]})

    assert refusal.value.field == "listings"
    assert not project.listings.exists()


# --- What may go live --------------------------------------------------------------------


def test_task_work_with_no_project_may_not_go_live(site_tree):
    listing = make_job(pay_source=JobPage.PaySource.PROJECTS)

    assert listing.pay_problem().code == "no_projects"


def test_task_work_under_the_floor_may_not_go_live(site_tree, settings):
    settings.PAY_FLOOR_HOURLY_CENTS = 800
    listing = make_job(pay_source=JobPage.PaySource.PROJECTS)
    linked(listing, reward_cents=10, estimated_task_seconds=60, status="draft")  # $6/h
    listing_pay_refresh(listing_ids=[listing.pk])

    problem = listing.pay_problem()

    assert problem.code == "below_pay_floor"
    assert "$6/h" in problem.message


def test_hourly_pay_typed_for_a_listing_with_projects_disagrees(site_tree):
    listing = make_job(hourly_pay_cents=2000)
    ListingPay.objects.create(listing=listing, project_count=1, hourly_min_cents=900)

    assert listing.pay_problem().code == "pay_disagrees"


def test_honest_pay_may_go_live(site_tree):
    task_work = make_job(task_pay=(10, 40))
    hourly = make_job(hourly_pay_cents=1500)

    assert task_work.pay_problem() is None
    assert hourly.pay_problem() is None


# --- The floor at launch -----------------------------------------------------------------


@pytest.fixture
def draft(company):
    project = make_project(
        company=company, status=Project.Status.DRAFT, reward_cents=10, estimated_task_seconds=60
    )
    make_items(project, 3)
    fund_company(company.pk, 100_00)
    return project


def test_the_smallest_reward_for_the_floor():
    assert minimum_reward_cents(seconds=60, floor_cents=800) == 14  # 13.33 rounds up
    assert minimum_reward_cents(seconds=45, floor_cents=800) == 10
    assert minimum_reward_cents(seconds=1, floor_cents=800) == 1


def test_a_project_under_the_floor_cannot_launch_and_is_told_the_smallest_reward(
    draft, company, settings
):
    settings.PAY_FLOOR_HOURLY_CENTS = 800
    owner = MembershipFactory(company=company, role="owner")

    with pytest.raises(LoopworkError) as refusal:
        project_transition(project=draft, membership=owner, action="launch")

    assert (refusal.value.code, refusal.value.field, refusal.value.status) == (
        "below_pay_floor",
        "reward_cents",
        409,
    )
    assert refusal.value.message == (
        "At $0.10 a task of about 1 min this pays $6/h, under the pay floor of $8 an hour. "
        "The smallest reward that meets it is $0.14."
    )
    draft.refresh_from_db()
    assert draft.status == Project.Status.DRAFT


def test_the_smallest_reward_launches(draft, company, settings):
    settings.PAY_FLOOR_HOURLY_CENTS = 800
    owner = MembershipFactory(company=company, role="owner")
    Project.objects.filter(pk=draft.pk).update(reward_cents=14)
    draft.refresh_from_db()

    launched = project_transition(project=draft, membership=owner, action="launch")

    assert launched.status == Project.Status.ACTIVE


def test_a_project_without_a_time_per_task_cannot_launch(draft, company):
    owner = MembershipFactory(company=company, role="owner")
    Project.objects.filter(pk=draft.pk).update(estimated_task_seconds=None)
    draft.refresh_from_db()

    with pytest.raises(LoopworkError) as refusal:
        project_transition(project=draft, membership=owner, action="launch")

    assert (refusal.value.code, refusal.value.field) == (
        "no_time_estimate",
        "estimated_task_seconds",
    )


def test_a_project_through_listings_needs_a_listing_to_launch(draft, company):
    owner = MembershipFactory(company=company, role="owner")
    Project.objects.filter(pk=draft.pk).update(access=Project.Access.LISTINGS, reward_cents=20)
    draft.refresh_from_db()

    with pytest.raises(LoopworkError) as refusal:
        project_transition(project=draft, membership=owner, action="launch")

    assert (refusal.value.code, refusal.value.field) == ("no_listing", "listings")


def test_the_time_per_task_must_fit_in_the_lease(draft, company):
    owner = MembershipFactory(company=company, role="owner")

    with pytest.raises(LoopworkError) as refusal:
        project_update(
            project=draft,
            membership=owner,
            data={"estimated_task_seconds": 700, "lease_seconds": 600},
        )

    assert refusal.value.field == "estimated_task_seconds"
    draft.refresh_from_db()
    assert draft.estimated_task_seconds == 60


def test_the_time_per_task_is_fixed_after_launch(company):
    owner = MembershipFactory(company=company, role="owner")
    project = make_project(company=company, estimated_task_seconds=30)

    with pytest.raises(LoopworkError) as refusal:
        project_update(project=project, membership=owner, data={"estimated_task_seconds": 10})

    assert refusal.value.code == "setting_locked"
