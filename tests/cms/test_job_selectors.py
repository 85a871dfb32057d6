"""The job board reads shared by the home page: featured listings and live counts."""

import datetime

from django.utils import timezone

from core.categories import Category
from jobs.models import JobPage
from jobs.selectors import board_counts, featured_jobs_by_category
from tests.factories import CompanyFactory, make_job, yesterday


def make_listings_that_do_not_count():
    """One listing for each reason a listing is not open: paused, closed, past deadline, draft."""
    return [
        make_job(status=JobPage.Status.PAUSED, category=Category.SEARCH_EVALUATION, openings=100),
        make_job(status=JobPage.Status.CLOSED, category=Category.AI_RESPONSE_REVIEW, openings=100),
        make_job(deadline=yesterday(), category=Category.TEXT_MODERATION, openings=100),
        make_job(live=False, category=Category.SUPPORT_ESCALATION, openings=100),
    ]


def test_board_counts_only_open_live_listings_before_their_deadline(site_tree):
    # given three open listings of two companies in two categories, and four that are not open
    first, second = CompanyFactory(), CompanyFactory()
    today = timezone.localdate()
    make_job(company=first, category=Category.TEXT_ANNOTATION, openings=4)
    make_job(company=first, category=Category.IMAGE_ANNOTATION, openings=6, deadline=today)
    make_job(
        company=second,
        category=Category.TEXT_ANNOTATION,
        openings=10,
        deadline=today + datetime.timedelta(days=1),
    )
    make_listings_that_do_not_count()

    # when
    counts = board_counts()

    # then
    assert counts == {"open_listings": 3, "companies_hiring": 2, "categories": 2, "openings": 20}


def test_board_counts_are_zero_on_an_empty_board(site_tree):
    make_listings_that_do_not_count()

    assert board_counts() == {
        "open_listings": 0,
        "companies_hiring": 0,
        "categories": 0,
        "openings": 0,
    }


def test_featured_jobs_are_the_newest_open_listings_of_each_category_in_category_order(site_tree):
    # given four text annotation listings, one image annotation listing and some that are not open
    text_jobs = [make_job(category=Category.TEXT_ANNOTATION) for _ in range(4)]
    image_job = make_job(category=Category.IMAGE_ANNOTATION)
    make_listings_that_do_not_count()

    # when
    featured = featured_jobs_by_category(per_category=3)

    # then categories come in the order of core.categories, each with its newest three
    assert [(value, label) for value, label, _ in featured] == [
        ("image-annotation", "Image annotation"),
        ("text-annotation", "Text annotation"),
    ]
    assert [job.pk for job in featured[0][2]] == [image_job.pk]
    assert [job.pk for job in featured[1][2]] == [job.pk for job in reversed(text_jobs[1:])]


def test_featured_jobs_come_with_their_company_in_one_query(site_tree, django_assert_num_queries):
    for category in Category:
        make_job(category=category)
        make_job(category=category)

    with django_assert_num_queries(1):
        featured = featured_jobs_by_category(per_category=1)
        names = [job.company.name for _, _, jobs in featured for job in jobs]

    assert len(names) == len(Category)


def test_featured_jobs_with_a_cap_below_one_are_empty(site_tree):
    make_job()

    assert featured_jobs_by_category(per_category=0) == []
