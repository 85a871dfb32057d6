"""Company listing authoring: the form, its errors, sanitising, drafts and permissions."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from jobs.listing_authoring import sanitize_listing_html
from jobs.models import JobPage, Qualification, QualificationTest
from tests.factories import CompanyFactory, MembershipFactory, make_job

pytestmark = pytest.mark.django_db


def valid_post(**overrides) -> dict:
    data = {
        "title": "Rate chatbot answers",
        "category": "ai-response-review",
        "summary": "Read chatbot answers and rate how helpful and safe they are.",
        "description": "You will read answers.\n\nThen rate them on a scale.",
        "pay_source": "hourly",
        "hourly_pay": "18.50",
        "admission": "company",
        "hours_per_week": "20",
        "eligible_countries": ["DE", "FR"],
        "required_languages": ["en"],
        "experience_level": "intermediate",
        "openings": "5",
        "deadline": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        "status": "open",
        "qualification_test": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def qualification_test(company=None, title="Platform test") -> QualificationTest:
    qualification = Qualification.objects.create(
        name=title, slug=f"q-{Qualification.objects.count()}", category="text-annotation"
    )
    return QualificationTest.objects.create(
        qualification=qualification, company=company, title=title, category="text-annotation"
    )


def test_creating_a_listing_saves_an_unpublished_draft(site_tree, company, owner, owner_client):
    response = owner_client.post("/company/listings/new/", valid_post())

    page = JobPage.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/company/listings/{page.pk}/edit/"
    assert page.live is False
    assert page.company == company
    assert (page.pay_source, page.hourly_pay_cents) == ("hourly", 1850)
    assert page.admission == "company"
    assert page.currency == "USD"
    assert page.description == "<p>You will read answers.</p><p>Then rate them on a scale.</p>"
    assert sorted(page.eligible_countries.values_list("code", flat=True)) == ["DE", "FR"]
    assert list(page.required_languages.values_list("code", flat=True)) == ["en"]
    revision = page.get_latest_revision()
    assert revision.user == owner
    assert page.get_parent().specific_class.__name__ == "JobIndexPage"
    assert owner_client.get(page.url).status_code == 404


def test_a_listing_of_task_work_types_no_pay(site_tree, owner_client):
    # an hourly figure sent along with task work is dropped: the projects set the pay
    owner_client.post(
        "/company/listings/new/",
        valid_post(pay_source="projects", hourly_pay="45.00", admission="on_pass"),
    )
    page = JobPage.objects.get()
    assert (page.pay_source, page.hourly_pay_cents, page.admission) == ("projects", None, "on_pass")
    assert page.pay_display == "Pay is set by its projects"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required."),
        (
            {"title": "x" * 121},
            "title",
            "Ensure this value has at most 120 characters (it has 121).",
        ),
        (
            {"category": "knitting"},
            "category",
            "Select a valid choice. knitting is not one of the available choices.",
        ),
        ({"summary": ""}, "summary", "This field is required."),
        (
            {"summary": "x" * 281},
            "summary",
            "Ensure this value has at most 280 characters (it has 281).",
        ),
        ({"description": ""}, "description", "This field is required."),
        ({"description": "<script>alert(1)</script>"}, "description", "Describe the work."),
        (
            {"pay_source": "per_year"},
            "pay_source",
            "Select a valid choice. per_year is not one of the available choices.",
        ),
        ({"hourly_pay": ""}, "hourly_pay", "Say what the work pays per hour."),
        ({"hourly_pay": "abc"}, "hourly_pay", "Enter a number."),
        ({"hourly_pay": "0"}, "hourly_pay", "Ensure this value is greater than or equal to 0.01."),
        (
            {"hourly_pay": "1.234"},
            "hourly_pay",
            "Ensure that there are no more than 2 decimal places.",
        ),
        ({"hourly_pay": "100000.01"}, "hourly_pay", "Pay must be between $0.01 and $100,000."),
        (
            {"hourly_pay": "7.99"},
            "hourly_pay",
            "Loopwork's pay floor is $8 an hour: offer at least that.",
        ),
        (
            {"admission": "lottery"},
            "admission",
            "Select a valid choice. lottery is not one of the available choices.",
        ),
        (
            {"hours_per_week": "61"},
            "hours_per_week",
            "Ensure this value is less than or equal to 60.",
        ),
        (
            {"eligible_countries": ["XX"]},
            "eligible_countries",
            "Select a valid choice. XX is not one of the available choices.",
        ),
        (
            {"required_languages": ["zz"]},
            "required_languages",
            "Select a valid choice. zz is not one of the available choices.",
        ),
        (
            {"experience_level": "guru"},
            "experience_level",
            "Select a valid choice. guru is not one of the available choices.",
        ),
        ({"openings": "0"}, "openings", "Ensure this value is greater than or equal to 1."),
        ({"deadline": "2020-01-01"}, "deadline", "The deadline cannot be in the past."),
        ({"deadline": "not-a-date"}, "deadline", "Enter a valid date."),
        (
            {"status": "archived"},
            "status",
            "Select a valid choice. archived is not one of the available choices.",
        ),
    ],
)
def test_bad_input_gets_a_clear_error_and_saves_nothing(
    site_tree, owner_client, overrides, field, message
):
    response = owner_client.post("/company/listings/new/", valid_post(**overrides))

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert JobPage.objects.count() == 0


def test_another_companys_qualification_test_cannot_be_chosen(site_tree, owner_client):
    foreign = qualification_test(company=CompanyFactory(), title="Their test")
    response = owner_client.post(
        "/company/listings/new/", valid_post(qualification_test=str(foreign.pk))
    )
    assert response.context["form"].errors["qualification_test"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert JobPage.objects.count() == 0


def test_platform_and_own_tests_can_be_chosen(site_tree, company, owner_client):
    platform = qualification_test(title="Platform test")
    own = qualification_test(company=company, title="Our own test")
    qualification_test(company=CompanyFactory(), title="Their test")

    page = owner_client.get("/company/listings/new/")
    owner_client.post("/company/listings/new/", valid_post(qualification_test=str(own.pk)))

    choices = list(page.context["form"].fields["qualification_test"].queryset)
    assert choices == [own, platform]
    assert JobPage.objects.get().qualification_test == own


def test_the_description_is_sanitised():
    dirty = (
        '<h3 onclick="steal()">Duties</h3><script>alert(1)</script>'
        '<p style="color:red">Rate <strong>answers</strong> <em>carefully</em>.</p>'
        '<a href="https://example.org" onclick="x()" target="_blank">Guide</a>'
        '<a href="javascript:alert(1)">bad</a><img src=x onerror=alert(1)><ul><li>One</li></ul>'
    )
    assert sanitize_listing_html(dirty) == (
        "<h3>Duties</h3><p>Rate <strong>answers</strong> <em>carefully</em>.</p>"
        '<a href="https://example.org" rel="noopener noreferrer">Guide</a>'
        '<a rel="noopener noreferrer">bad</a><ul><li>One</li></ul>'
    )


def test_plain_text_becomes_paragraphs_and_is_escaped():
    assert sanitize_listing_html("Line one\nline two\n\n<3 & more") == (
        "<p>Line one<br>line two</p><p>&lt;3 &amp; more</p>"
    )


def test_editing_saves_a_new_draft_revision(site_tree, company, owner_client):
    owner_client.post("/company/listings/new/", valid_post())
    page = JobPage.objects.get()

    response = owner_client.post(
        f"/company/listings/{page.pk}/edit/", valid_post(title="Rate chatbot answers (German)")
    )

    page.refresh_from_db()
    assert response.status_code == 302
    assert page.live is False
    assert page.get_latest_revision_as_object().title == "Rate chatbot answers (German)"
    assert page.revisions.count() == 2


def test_the_edit_form_shows_the_latest_draft(site_tree, company, owner_client):
    job = make_job(company=company, title="Live title")
    owner_client.post(f"/company/listings/{job.pk}/edit/", valid_post(title="Draft title"))
    response = owner_client.get(f"/company/listings/{job.pk}/edit/")
    assert response.context["form"].initial["title"] == "Draft title"
    assert response.context["form"].initial["hourly_pay"] == Decimal("18.50")


def test_the_listings_page_shows_states(site_tree, company, owner_client):
    make_job(company=company, title="Live one")
    owner_client.post("/company/listings/new/", valid_post(title="Draft one"))
    make_job(title="Another company's job")

    response = owner_client.get("/company/listings/")

    assert response.status_code == 200
    states = {row.draft.title: row.state_label for row in response.context["rows"]}
    assert states == {"Live one": "Live", "Draft one": "Draft"}
    assert b"Another company" not in response.content


def test_a_reviewer_sees_listings_but_cannot_create_or_edit(site_tree, company, client):
    job = make_job(company=company, title="Live one")
    client.force_login(MembershipFactory(company=company, role="reviewer").user)

    listing_page = client.get("/company/listings/")
    create = client.post("/company/listings/new/", valid_post())
    edit = client.post(f"/company/listings/{job.pk}/edit/", valid_post(title="Hacked"))
    status = client.post(f"/company/listings/{job.pk}/status/", {"status": "closed"})

    assert listing_page.status_code == 200
    assert b"Live one" in listing_page.content
    assert (create.status_code, edit.status_code, status.status_code) == (403, 403, 403)
    assert JobPage.objects.count() == 1
    job.refresh_from_db()
    assert (job.title, job.status, job.has_unpublished_changes) == ("Live one", "open", False)


def test_another_companys_listing_is_404(site_tree, owner_client):
    theirs = make_job(company=CompanyFactory(), title="Theirs")

    for response in (
        owner_client.get(f"/company/listings/{theirs.pk}/edit/"),
        owner_client.post(f"/company/listings/{theirs.pk}/edit/", valid_post()),
        owner_client.post(f"/company/listings/{theirs.pk}/submit/"),
        owner_client.post(f"/company/listings/{theirs.pk}/status/", {"status": "closed"}),
    ):
        assert response.status_code == 404
    theirs.refresh_from_db()
    assert (theirs.status, theirs.revisions.count()) == ("open", 1)


def test_a_manager_can_create(site_tree, company, client):
    client.force_login(MembershipFactory(company=company, role="manager").user)
    assert client.post("/company/listings/new/", valid_post()).status_code == 302
    assert JobPage.objects.get().company == company
