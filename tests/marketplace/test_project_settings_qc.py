"""The quality-control settings of a project: minimum work time, revocation on stop,
dynamic overlap (max_overlap) and the confidence target, in the form, the API and the service."""

import pytest

from core.errors import LoopworkError
from marketplace.models import Project
from marketplace.projects import project_update
from tests.factories import MembershipFactory
from tests.marketplace.factories import make_project
from tests.marketplace.test_company_pages import FORM
from tests.marketplace.test_project_api import NEW, bearer

pytestmark = pytest.mark.django_db

QC = {
    "min_work_seconds": 8,
    "revoke_qualification_on_stop": True,
    "max_overlap": 5,
    "confidence_target": 0.85,
}


@pytest.fixture
def owner_auth(owner):
    return bearer(owner)


def test_the_api_creates_a_project_with_the_settings(client, owner_auth):
    response = client.post(
        "/api/v1/projects", {**NEW, **QC}, content_type="application/json", headers=owner_auth
    )
    assert response.status_code == 201
    body = response.json()
    assert {key: body[key] for key in QC} == QC
    project = Project.objects.get(pk=body["id"])
    assert project.min_work_seconds == 8
    assert project.revoke_qualification_on_stop is True
    assert project.max_overlap == 5
    assert project.confidence_target == 0.85


def test_the_api_shows_the_defaults(client, owner_auth):
    body = client.post(
        "/api/v1/projects", NEW, content_type="application/json", headers=owner_auth
    ).json()
    assert body["min_work_seconds"] == 3
    assert body["revoke_qualification_on_stop"] is False
    assert body["max_overlap"] is None
    assert body["confidence_target"] == 0.7


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"min_work_seconds": -1}, "min_work_seconds"),
        ({"min_work_seconds": 3601}, "min_work_seconds"),
        ({"min_work_seconds": "fast"}, "min_work_seconds"),
        ({"max_overlap": 11}, "max_overlap"),
        ({"max_overlap": 0}, "max_overlap"),
        ({"max_overlap": 2}, "max_overlap"),  # below the overlap of 3
        ({"confidence_target": 1.5}, "confidence_target"),
        ({"confidence_target": -0.1}, "confidence_target"),
        ({"confidence_target": "high"}, "confidence_target"),
        ({"revoke_qualification_on_stop": "sometimes"}, "revoke_qualification_on_stop"),
    ],
)
def test_bad_values_are_a_422_naming_the_field(client, owner_auth, change, field):
    response = client.post(
        "/api/v1/projects", {**NEW, **change}, content_type="application/json", headers=owner_auth
    )
    assert response.status_code == 422
    assert field in (response.json()["error"]["field"] or "")
    assert not Project.objects.exists()


def test_patch_changes_and_clears_max_overlap(client, company, owner_auth):
    project = make_project(company=company, overlap=2)
    url = f"/api/v1/projects/{project.pk}"
    response = client.patch(
        url, {"max_overlap": 4}, content_type="application/json", headers=owner_auth
    )
    assert response.status_code == 200
    assert response.json()["max_overlap"] == 4
    response = client.patch(
        url, {"max_overlap": None}, content_type="application/json", headers=owner_auth
    )
    assert response.status_code == 200
    project.refresh_from_db()
    assert project.max_overlap is None


def test_raising_the_overlap_above_max_overlap_is_refused(client, company, owner_auth):
    project = make_project(company=company, overlap=2, max_overlap=3)
    response = client.patch(
        f"/api/v1/projects/{project.pk}",
        {"overlap": 4},
        content_type="application/json",
        headers=owner_auth,
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "max_overlap"
    project.refresh_from_db()
    assert project.overlap == 2


def test_the_service_refuses_bad_values_and_changes_nothing(company):
    membership = MembershipFactory(company=company, role="manager")
    project = make_project(company=company, overlap=3)
    for change in (
        {"confidence_target": float("nan")},
        {"confidence_target": True},
        {"min_work_seconds": 2.5},
        {"max_overlap": 1},
    ):
        with pytest.raises(LoopworkError) as refusal:
            project_update(project=project, membership=membership, data=change)
        assert refusal.value.field == next(iter(change))
    project.refresh_from_db()
    assert (project.confidence_target, project.min_work_seconds, project.max_overlap) == (
        0.7,
        3,
        None,
    )


def test_the_api_is_refused_to_reviewers(client, company):
    project = make_project(company=company)
    reviewer = MembershipFactory(company=company, role="reviewer").user
    response = client.patch(
        f"/api/v1/projects/{project.pk}",
        {"min_work_seconds": 0},
        content_type="application/json",
        headers=bearer(reviewer),
    )
    assert response.status_code == 403
    project.refresh_from_db()
    assert project.min_work_seconds == 3


# --- The form ---------------------------------------------------------------------------


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def _form(**changes):
    data = {
        **FORM,
        "min_work_seconds": "10",
        "max_overlap": "6",
        "confidence_target": "0.9",
        "revoke_qualification_on_stop": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_the_form_saves_the_settings(site_tree, owner_client):
    response = owner_client.post("/company/projects/new/", _form())
    assert response.status_code == 302
    project = Project.objects.get()
    assert project.min_work_seconds == 10
    assert project.max_overlap == 6
    assert project.confidence_target == 0.9
    assert project.revoke_qualification_on_stop is True


def test_the_form_shows_the_current_values_when_editing(site_tree, owner_client, company):
    project = make_project(company=company, status=Project.Status.DRAFT, **{**QC, "overlap": 2})
    html = owner_client.get(f"/company/projects/{project.pk}/edit/").content.decode()
    assert 'name="min_work_seconds" value="8"' in html
    assert 'name="max_overlap" value="5"' in html
    assert 'name="confidence_target" value="0.85"' in html
    assert (
        'name="revoke_qualification_on_stop" id="id_revoke_qualification_on_stop" checked' in html
    )


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"min_work_seconds": "-3"}, "min_work_seconds", "greater than or equal to 0"),
        ({"min_work_seconds": "9999"}, "min_work_seconds", "less than or equal to 3600"),
        ({"max_overlap": "2"}, "max_overlap", "at least the overlap"),
        ({"max_overlap": "11"}, "max_overlap", "less than or equal to 10"),
        ({"confidence_target": "1.2"}, "confidence_target", "less than or equal to 1"),
        ({"confidence_target": "abc"}, "confidence_target", "Enter a number"),
    ],
)
def test_the_form_shows_errors_for_bad_values(site_tree, owner_client, change, field, message):
    response = owner_client.post("/company/projects/new/", _form(**change))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["form"].errors[field]
    assert not Project.objects.exists()


def test_an_empty_max_overlap_means_no_dynamic_overlap(site_tree, owner_client):
    owner_client.post("/company/projects/new/", _form(max_overlap=""))
    assert Project.objects.get().max_overlap is None


def test_left_empty_the_time_and_target_keep_their_values(site_tree, owner_client, company):
    project = make_project(company=company, status=Project.Status.DRAFT, **QC)
    response = owner_client.post(
        f"/company/projects/{project.pk}/edit/",
        _form(min_work_seconds="", confidence_target="", max_overlap="5"),
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.min_work_seconds, project.confidence_target) == (8, 0.85)
