"""Creating a company and editing its settings, with checked logo uploads."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from accounts.companies import company_create
from accounts.models import Company, Membership
from core.errors import LoopworkError
from tests.factories import CompanyFactory, MembershipFactory, UserFactory, WorkerFactory

from .helpers import html_file, png_file, svg_file

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def company_user():
    return UserFactory(role="company")


def test_company_user_creates_a_company_and_becomes_its_owner(client):
    user = company_user()
    client.force_login(user)

    response = client.post(
        "/company/new/",
        {
            "name": "Acme Labels",
            "website": "acme.example",
            "description": "We label.",
            "logo": png_file(),
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/company/members/"
    company = Company.objects.get()
    assert (company.name, company.slug, company.website) == (
        "Acme Labels",
        "acme-labels",
        "https://acme.example",
    )
    assert company.logo.name.startswith("company-logos/acme-labels-")
    assert company.logo.name.endswith(".png")
    assert Membership.objects.get(user=user).role == "owner"


def test_company_slug_is_unique(db):
    CompanyFactory(name="Acme", slug="acme")

    company = company_create(user=company_user(), name="Acme")

    assert company.slug == "acme-2"


def test_a_worker_is_refused_company_creation_with_a_clear_message(client):
    client.force_login(WorkerFactory())

    get = client.get("/company/new/")
    post = client.post("/company/new/", {"name": "Sneaky"})

    assert get.status_code == 403
    assert "set up for finding work" in get.content.decode()
    assert post.status_code == 403
    assert Company.objects.count() == 0


def test_someone_already_in_a_company_is_refused(client):
    membership = MembershipFactory()
    client.force_login(membership.user)

    response = client.post("/company/new/", {"name": "Second"})

    assert response.status_code == 403
    assert "already belong to a company" in response.content.decode()
    assert Company.objects.count() == 1


def test_company_create_service_refuses_a_worker(db):
    with pytest.raises(LoopworkError) as refused:
        company_create(user=WorkerFactory(), name="Nope")

    assert refused.value.code == "not_a_company_user"
    assert Company.objects.count() == 0


def test_company_without_a_name_shows_a_field_error(client):
    client.force_login(company_user())

    response = client.post("/company/new/", {"name": ""})

    assert response.status_code == 400
    assert response.context["form"].errors["name"] == ["This field is required."]
    assert Company.objects.count() == 0


@pytest.mark.parametrize(
    "upload",
    [svg_file(), html_file("logo.png"), SimpleUploadedFile("x.gif", b"GIF89a;", "image/gif")],
    ids=["svg", "html-named-png", "broken-gif"],
)
def test_logo_that_is_not_a_png_jpeg_or_webp_is_refused_on_create(client, upload):
    client.force_login(company_user())
    upload.seek(0)

    response = client.post("/company/new/", {"name": "Acme", "logo": upload})

    assert response.status_code == 400
    assert response.context["form"].errors["logo"] == [
        "The logo must be a PNG, JPEG or WebP image (SVG and other files are not accepted)."
    ]
    assert Company.objects.count() == 0


def settings_post(client, **extra):
    data = {"name": "Renamed", "website": "https://renamed.example", "description": "New."}
    return client.post("/company/settings/", {**data, **extra})


def test_owner_and_manager_edit_settings_with_a_real_png(client):
    membership = MembershipFactory(role="manager")
    client.force_login(membership.user)

    page = client.get("/company/settings/")
    response = settings_post(client, logo=png_file("anything.webp"))

    assert page.status_code == 200
    assert response.status_code == 302
    company = Company.objects.get(pk=membership.company_id)
    assert (company.name, company.website, company.description) == (
        "Renamed",
        "https://renamed.example",
        "New.",
    )
    assert company.logo.name.endswith(".png")


@pytest.mark.parametrize(
    "upload", [svg_file(), html_file("logo.png")], ids=["svg", "html-named-png"]
)
def test_settings_refuse_a_bad_logo_and_change_nothing(client, upload):
    membership = MembershipFactory()
    company = membership.company
    before = (company.name, company.website, company.description, company.logo.name)
    client.force_login(membership.user)
    upload.seek(0)

    response = settings_post(client, logo=upload)

    assert response.status_code == 400
    assert "PNG, JPEG or WebP" in response.context["form"].errors["logo"][0]
    company.refresh_from_db()
    assert (company.name, company.website, company.description, company.logo.name) == before


@override_settings(MAX_IMAGE_UPLOAD_BYTES=1000)
def test_settings_refuse_an_oversize_logo(client):
    membership = MembershipFactory()
    client.force_login(membership.user)

    response = settings_post(client, logo=png_file(size=(400, 400)))

    assert response.status_code == 400
    assert response.context["form"].errors["logo"][0].startswith("The logo is too large")
    membership.company.refresh_from_db()
    assert membership.company.name != "Renamed"
    assert not membership.company.logo


def test_reviewers_cannot_edit_settings(client):
    membership = MembershipFactory(role="reviewer")
    client.force_login(membership.user)

    response = settings_post(client)

    assert response.status_code == 403
    membership.company.refresh_from_db()
    assert membership.company.name != "Renamed"
