"""Search tests: the database serves unless a test configures Elasticsearch itself."""

import datetime

import pytest
from django.utils import timezone

from core.categories import Category
from jobs.models import JobPage, Qualification, QualificationTest
from jobs.search.indexing import listing_index_changed
from tests.factories import CompanyFactory, make_job


@pytest.fixture(autouse=True)
def _database_search(settings):
    settings.ELASTICSEARCH_URL = ""


def published(job, *, days_ago):
    """Pin a listing's first publication so ordering does not depend on test speed."""
    moment = timezone.now() - datetime.timedelta(days=days_ago)
    JobPage.objects.filter(pk=job.pk).update(first_published_at=moment)
    listing_index_changed(page_id=job.pk)
    return job


@pytest.fixture
def qualification_test(db):
    qualification = Qualification.objects.create(
        name="Search rating", slug="search-rating", category=Category.SEARCH_EVALUATION
    )
    return QualificationTest.objects.create(
        qualification=qualification,
        title="Search rating basics",
        category=Category.SEARCH_EVALUATION,
    )


@pytest.fixture
def corpus(site_tree, qualification_test):
    """Six open listings with known words, pay, languages, countries and companies."""
    acme = CompanyFactory(name="Acme Data")
    globex = CompanyFactory(name="Globex Labs")
    jobs = {
        "rater": make_job(
            title="Search relevance rater",
            summary="Rate how well search results answer a query.",
            company=acme,
            category=Category.SEARCH_EVALUATION,
            hourly_pay_cents=1800,
            languages=("en",),
            countries=("US", "GB"),
            experience_level=JobPage.Experience.INTERMEDIATE,
            qualification_test=qualification_test,
        ),
        "images": make_job(
            title="Image annotation for self-driving cars",
            summary="Draw boxes around cars and people; some search work too.",
            company=globex,
            category=Category.IMAGE_ANNOTATION,
            hourly_pay_cents=1200,
        ),
        "audio": make_job(
            title="Spanish audio transcription",
            summary="Transcribe short podcast clips in Spanish.",
            company=acme,
            category=Category.AUDIO_ANNOTATION,
            task_pay=(50, 60),
            languages=("es",),
            countries=("MX",),
        ),
        "moderation": make_job(
            title="Social media moderation",
            summary="Review posts against community policies.",
            company=globex,
            category=Category.SOCIAL_MEDIA_MODERATION,
            hourly_pay_cents=1500,
            languages=("en",),
            experience_level=JobPage.Experience.EXPERT,
        ),
        "chatbot": make_job(
            title="Chatbot answer evaluator",
            summary="Compare two AI answers and pick the better one.",
            company=acme,
            category=Category.AI_RESPONSE_REVIEW,
            hourly_pay_cents=3200,
            countries=("DE",),
        ),
        "tagging": make_job(
            title="Product photo tagging",
            summary="Tag shop photos with colours and styles.",
            company=globex,
            category=Category.IMAGE_ANNOTATION,
            hourly_pay_cents=1000,
            languages=("de",),
        ),
    }
    for days, job in enumerate(jobs.values()):
        published(job, days_ago=10 - days)  # "tagging" is the newest
    return jobs
