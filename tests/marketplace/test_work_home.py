"""The worker home at /work/."""

import pytest

from jobs.models import Application
from tests.factories import make_application, make_job

pytestmark = pytest.mark.django_db


def test_the_home_greets_prompts_for_the_profile_and_explains_projects(worker, worker_client):
    response = worker_client.get("/work/")

    assert response.status_code == 200
    assert f"Hello, {worker.display_name}".encode() in response.content
    assert response.context["missing_profile"] == [
        "your country",
        "the languages you work in",
        "the kinds of work you want",
    ]
    assert b'href="/accounts/profile/"' in response.content
    assert b"Your projects" in response.content
    assert b"You have not applied to a job yet." in response.content


def test_a_complete_profile_gets_no_prompt(worker, worker_client):
    profile = worker.worker_profile
    profile.country_id = "DE"
    profile.categories = ["text-moderation"]
    profile.save()
    profile.languages.set(["de"])

    response = worker_client.get("/work/")

    assert response.context["missing_profile"] == []
    assert b"Complete your profile" not in response.content


def test_the_home_lists_the_latest_five_applications(site_tree, worker, worker_client):
    jobs = [make_job(title=f"Job number {n}") for n in range(6)]
    for job in jobs:
        make_application(worker=worker, job=job, status=Application.Status.TEST_REQUIRED)
    make_application(job=make_job(title="Not mine"))

    response = worker_client.get("/work/")

    shown = [application.job.title for application in response.context["recent_applications"]]
    assert shown == [f"Job number {n}" for n in (5, 4, 3, 2, 1)]
    assert b"Test required" in response.content
    assert b"All your applications (6)" in response.content
    assert b"Not mine" not in response.content
