"""Workers rate the companies they worked for; one editable rating per worker and company."""

import pytest

from accounts.models import CompanyRecord
from core.errors import LoopworkError
from marketplace.models import Assignment, CompanyRating
from marketplace.ratings import company_rating_save
from tests.factories import CompanyFactory, WorkerFactory
from tests.marketplace.factories import make_assignment, make_items, make_project

pytestmark = pytest.mark.django_db

SCORES = {"clarity": 4, "fairness": 5, "review_speed": 3}


@pytest.fixture
def project(company):
    return make_project(company=company)


@pytest.fixture
def worked(project, worker):
    (item,) = make_items(project, 1)
    return make_assignment(item, worker, status=Assignment.Status.SUBMITTED)


def test_a_worker_who_answered_rates_the_company_and_its_record_updates(company, worker, worked):
    rating = company_rating_save(worker=worker, company_id=company.pk, comment=" Clear. ", **SCORES)

    assert (rating.clarity, rating.fairness, rating.review_speed, rating.comment) == (
        4,
        5,
        3,
        "Clear.",
    )
    record = CompanyRecord.objects.get(company=company)
    assert (record.rating, record.rating_count) == (4.0, 1)


def test_saving_again_edits_the_one_rating(company, worker, worked):
    company_rating_save(worker=worker, company_id=company.pk, **SCORES)

    company_rating_save(worker=worker, company_id=company.pk, clarity=1, fairness=1, review_speed=1)

    assert CompanyRating.objects.get().clarity == 1
    assert CompanyRecord.objects.get(company=company).rating == 1.0


@pytest.mark.parametrize("status", [Assignment.Status.LEASED, Assignment.Status.EXPIRED])
def test_a_worker_who_never_answered_cannot_rate(company, project, worker, status):
    (item,) = make_items(project, 1)
    make_assignment(item, worker, status=status)

    with pytest.raises(LoopworkError) as refusal:
        company_rating_save(worker=worker, company_id=company.pk, **SCORES)

    assert (refusal.value.code, refusal.value.status) == ("not_worked_for_company", 403)
    assert not CompanyRating.objects.exists()


def test_work_for_another_company_does_not_count(worker, worked):
    other = CompanyFactory()

    with pytest.raises(LoopworkError):
        company_rating_save(worker=worker, company_id=other.pk, **SCORES)


@pytest.mark.parametrize(
    "bad", [{"clarity": 0}, {"fairness": 6}, {"review_speed": "5"}, {"clarity": True}]
)
def test_scores_outside_one_to_five_are_refused(company, worker, worked, bad):
    with pytest.raises(LoopworkError) as refusal:
        company_rating_save(worker=worker, company_id=company.pk, **{**SCORES, **bad})

    assert refusal.value.code == "invalid_rating"
    assert refusal.value.field == next(iter(bad))
    assert not CompanyRating.objects.exists()


def test_the_form_is_linked_from_the_history_and_saves(company, worker, worked, worker_client):
    history = worker_client.get("/work/history/").content.decode()
    assert f'href="/work/companies/{company.pk}/rate/"' in history

    response = worker_client.post(
        f"/work/companies/{company.pk}/rate/",
        {"clarity": "5", "fairness": "4", "review_speed": "4", "comment": "Fast reviews."},
        follow=True,
    )

    assert b"your rating of" in response.content
    assert CompanyRating.objects.get(worker=worker).comment == "Fast reviews."
    page = worker_client.get(f"/work/companies/{company.pk}/rate/")
    assert page.context["form"].initial["clarity"] == 5
    assert b"Edit your rating" in worker_client.get("/work/history/").content


@pytest.mark.parametrize(
    "data",
    [
        {"clarity": "9", "fairness": "4", "review_speed": "4"},
        {"clarity": "", "fairness": "4", "review_speed": "4"},
        {"clarity": "a", "fairness": "4", "review_speed": "4"},
        {"clarity": "3", "fairness": "4", "review_speed": "4", "comment": "x" * 2001},
    ],
)
def test_bad_form_input_is_a_form_error_and_changes_nothing(
    company, worker, worked, worker_client, data
):
    response = worker_client.post(f"/work/companies/{company.pk}/rate/", data)

    assert response.status_code == 400
    assert response.context["form"].errors
    assert not CompanyRating.objects.exists()


def test_the_form_is_404_for_a_company_the_worker_never_worked_for(worker_client, worked):
    other = CompanyFactory()

    assert worker_client.get(f"/work/companies/{other.pk}/rate/").status_code == 404
    response = worker_client.post(
        f"/work/companies/{other.pk}/rate/", {"clarity": "5", "fairness": "5", "review_speed": "5"}
    )
    assert response.status_code == 404
    assert not CompanyRating.objects.exists()


def test_ratings_of_other_workers_are_not_shown_to_edit(company, project, worked, worker_client):
    someone = WorkerFactory()
    (item,) = make_items(project, 1)
    make_assignment(item, someone, status=Assignment.Status.SUBMITTED)
    company_rating_save(
        worker=someone, company_id=company.pk, clarity=1, fairness=1, review_speed=1
    )

    page = worker_client.get(f"/work/companies/{company.pk}/rate/")

    assert page.context["existing"] is None
    assert page.context["form"].initial == {}
