"""The company's record: median review time, rejection rate, effective hourly pay, rating;
computed by company_record_refresh, refreshed hourly, shown on listings and projects."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import CompanyRecord
from marketplace.company_record import company_record_refresh
from marketplace.models import Assignment, CompanyRating
from marketplace.tasks import refresh_company_records
from tests.factories import CompanyFactory, WorkerFactory, make_job
from tests.marketplace.factories import make_assignment, make_items, make_project

pytestmark = pytest.mark.django_db

S = Assignment.Status


def decided(project, status, *, review_hours, work_seconds=60):
    (item,) = make_items(project, 1)
    submitted = timezone.now() - datetime.timedelta(days=3)
    return make_assignment(
        item,
        WorkerFactory(),
        status=status,
        submitted_at=submitted,
        reviewed_at=submitted + datetime.timedelta(hours=review_hours),
        work_seconds=work_seconds,
        **({"reject_reason": "spam"} if status == S.REJECTED else {}),
    )


def test_the_record_holds_median_review_time_rejections_pay_and_rating(company):
    project = make_project(company=company, reward_cents=10)
    decided(project, S.APPROVED, review_hours=2, work_seconds=30)
    decided(project, S.APPROVED, review_hours=4, work_seconds=90)
    decided(project, S.APPROVED, review_hours=30, work_seconds=60)
    decided(project, S.REJECTED, review_hours=10, work_seconds=5)
    (waiting_item,) = make_items(project, 1)
    make_assignment(waiting_item, WorkerFactory(), status=S.SUBMITTED, work_seconds=999)
    for clarity, fairness, speed in ((5, 4, 3), (2, 2, 2)):
        CompanyRating.objects.create(
            company=company,
            worker=WorkerFactory(),
            clarity=clarity,
            fairness=fairness,
            review_speed=speed,
        )

    record = company_record_refresh(company.pk)

    assert record.reviewed_count == 4
    assert record.median_review_hours == 7.0
    assert record.rejection_rate == 0.25
    # 30 cents for 180 seconds of approved work: 600 cents an hour.
    assert record.effective_hourly_cents == 600
    assert record.rating == 3.0
    assert record.rating_count == 2


def test_a_company_with_nothing_decided_has_empty_figures(company):
    record = company_record_refresh(company.pk)

    assert (record.reviewed_count, record.median_review_hours, record.rejection_rate) == (
        0,
        None,
        None,
    )
    assert (record.effective_hourly_cents, record.rating, record.rating_count) == (None, None, 0)


def test_refreshing_twice_keeps_one_row_with_the_same_figures(company):
    project = make_project(company=company)
    decided(project, S.APPROVED, review_hours=3)
    first = company_record_refresh(company.pk)

    second = company_record_refresh(company.pk)

    assert CompanyRecord.objects.count() == 1
    assert (first.median_review_hours, first.rejection_rate) == (
        second.median_review_hours,
        second.rejection_rate,
    )


def test_other_companies_decisions_do_not_count(company):
    other = make_project(company=CompanyFactory())
    decided(other, S.REJECTED, review_hours=100)

    assert company_record_refresh(company.pk).reviewed_count == 0


def test_the_hourly_task_refreshes_every_company_with_projects(company):
    project = make_project(company=company)
    decided(project, S.REJECTED, review_hours=1)
    idle = CompanyFactory()

    assert refresh_company_records() == 1

    assert CompanyRecord.objects.get(company=company).rejection_rate == 1.0
    assert not CompanyRecord.objects.filter(company=idle).exists()


def test_the_beat_schedule_runs_the_refresh_hourly(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["refresh-company-records"]

    assert entry == {"task": "marketplace.tasks.refresh_company_records", "schedule": 3600.0}


def test_work_cards_and_the_project_page_show_the_record_or_the_empty_state(company, worker_client):
    project = make_project(company=company, title="Rated project")
    make_project(company=CompanyFactory(), title="Unrated project")
    decided(project, S.APPROVED, review_hours=5, work_seconds=36)
    company_record_refresh(company.pk)

    home = worker_client.get("/work/").content.decode()
    page = worker_client.get(f"/work/projects/{project.pk}/").content.decode()

    assert "Reviews in 5 hours · 0% rejected · tasks paid $5/h" in home
    assert "New company: no record yet" in home
    assert "Reviews in 5 hours" in page


def test_job_listings_show_the_record_and_the_board_reads_it_without_extra_queries(
    site_tree, client, company, django_assert_max_num_queries
):
    job = make_job(company=company, title="Label reviews")
    project = make_project(company=company)
    decided(project, S.REJECTED, review_hours=50)
    company_record_refresh(company.pk)

    detail = client.get(job.url).content.decode()
    board = client.get("/jobs/").content.decode()

    assert "Median review time" in detail
    assert "2.1 days" in detail
    assert "100% of 1 decided" in detail
    assert "Reviews in 2.1 days · 100% rejected" in board
    for _ in range(3):
        make_job(company=CompanyFactory(), title="More work")
    with django_assert_max_num_queries(60) as queries:
        client.get("/jobs/")
    record_reads = [q for q in queries.captured_queries if "accounts_companyrecord" in q["sql"]]
    assert len(record_reads) <= 1


def test_a_listing_of_a_company_without_a_record_shows_the_empty_state(site_tree, client):
    job = make_job(company=CompanyFactory(), title="Fresh listing")

    assert "New company: no record yet" in client.get(job.url).content.decode()
