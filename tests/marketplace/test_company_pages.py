"""The company's project pages: home, create/edit, state buttons, items, uploads, media."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from marketplace.models import Item, ItemUpload, Project, ProjectMedia
from marketplace.selectors import worker_pseudonym
from tests.factories import CompanyFactory, MembershipFactory, WorkerFactory, fund_company
from tests.marketplace.factories import make_assignment, make_items, make_project

pytestmark = pytest.mark.django_db

FORM = {
    "title": "Toxicity of comments",
    "description": "Comments from our forum.",
    "instructions": "<p>Label <em>toxic</em> comments.</p><script>alert(1)</script>",
    "category": "text-moderation",
    "interface": "classification",
    "label_schema": '{"labels": ["toxic", "fine"]}',
    "reward": "0.05",
    "estimated_task_seconds": "20",
    "access": "open",
    "overlap": "3",
    "lease_minutes": "5",
    "max_assignments_per_worker": "",
    "required_qualification": "",
    "min_qualification_score": "0",
    "gold_rate": "10",
    "accuracy_threshold": "70",
    "min_gold_answers": "5",
    "show_gold_feedback": "on",
    "auto_approve_amount": "3",
    "auto_approve_unit": "days",
    "content_risk": "none",
    "daily_exposure_cap": "",
}


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def test_the_home_shows_projects_with_progress_below_listings(site_tree, company, owner_client):
    project = make_project(company=company, title="Sentiment batch")
    make_items(project, 4)
    response = owner_client.get("/company/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sentiment batch" in html
    assert 'max="4" value="0"' in html
    # The figures and the listing funnel come first; the projects follow, as before.
    assert html.index("Listings</h2>") < html.index("Projects</h2>") < html.index("Sentiment batch")
    assert 'href="/company/projects/"' in html


def test_the_home_has_an_empty_state_for_projects(site_tree, owner_client):
    response = owner_client.get("/company/")
    assert b"No projects yet" in response.content
    assert b'href="/company/projects/new/"' in response.content


def test_creating_a_project_converts_money_and_hours_and_sanitises(owner_client, company):
    response = owner_client.post("/company/projects/new/", FORM)
    project = Project.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/company/projects/{project.pk}/uploads/"
    assert project.company == company
    assert project.reward_cents == 5
    assert project.lease_seconds == 300
    assert project.auto_approve_hours == 72
    assert project.instructions == "<p>Label <em>toxic</em> comments.</p>"
    assert project.label_schema["labels"] == ["toxic", "fine"]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"label_schema": "{nope"}, "label_schema", "This is not valid JSON"),
        ({"label_schema": '{"labels": ["one"]}'}, "label_schema", ""),
        ({"reward": "0.001"}, "reward", "Write an amount such as 0.05."),
        ({"reward": "abc"}, "reward", "Write an amount such as 0.05."),
        ({"content_risk": "graphic"}, "daily_exposure_cap", "Risky content needs"),
        ({"overlap": "11"}, "overlap", ""),
        ({"auto_approve_amount": "31"}, "auto_approve_amount", "At most 30 days."),
    ],
)
def test_bad_form_input_shows_errors_beside_the_field(owner_client, change, field, message):
    response = owner_client.post("/company/projects/new/", {**FORM, **change})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert message in " ".join(response.context["form"].errors[field])
    assert not Project.objects.exists()


def test_the_form_is_prefilled_with_the_interfaces_example(owner_client):
    response = owner_client.get("/company/projects/new/")
    assert response.status_code == 200
    assert b'id="interface-examples"' in response.content
    assert "positive" in response.context["form"].initial["label_schema"]
    assert b"<script>" not in response.content.replace(b'<script id="interface-examples"', b"")


def test_after_launch_the_schema_and_reward_fields_are_locked(owner_client, company):
    project = make_project(company=company, reward_cents=7)
    response = owner_client.get(f"/company/projects/{project.pk}/edit/")
    form = response.context["form"]
    assert form.fields["label_schema"].disabled
    assert form.fields["reward"].disabled
    assert not form.fields["overlap"].disabled
    assert b"This project has been launched" in response.content
    owner_client.post(
        f"/company/projects/{project.pk}/edit/",
        {**FORM, "reward": "9.00", "label_schema": '{"labels": ["x", "y"]}', "overlap": "2"},
    )
    project.refresh_from_db()
    assert project.reward_cents == 7
    assert project.label_schema["labels"] == ["positive", "negative", "neutral"]
    assert project.overlap == 2
    assert project.title == "Toxicity of comments"


def test_the_project_page_shows_progress_state_buttons_and_settings(owner_client, company):
    project = make_project(company=company, status="draft", instructions="<p>Be kind</p>")
    response = owner_client.get(f"/company/projects/{project.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'href="/company/projects/{project.pk}/launch/"' in html
    assert f'action="/company/projects/{project.pk}/state/cancel/"' in html
    assert "/state/pause/" not in html
    assert "data-confirm=" in html
    assert "<p>Be kind</p>" in html
    assert "No items yet" in html


def test_a_reviewer_sees_the_project_but_no_buttons_and_cannot_post(client, company):
    project = make_project(company=company, status="draft")
    make_items(project, 1)
    client.force_login(MembershipFactory(company=company, role="reviewer").user)
    response = client.get(f"/company/projects/{project.pk}/")
    assert response.status_code == 200
    assert b"/launch/" not in response.content
    assert client.post(f"/company/projects/{project.pk}/state/launch/").status_code == 403
    assert client.post(f"/company/projects/{project.pk}/launch/").status_code == 403
    assert client.get(f"/company/projects/{project.pk}/edit/").status_code == 403
    project.refresh_from_db()
    assert project.status == "draft"


def test_launch_page_launches_and_refusal_shows_a_message(owner_client, company):
    # The launch page itself is tested in test_launch_pages.py.
    project = make_project(company=company, status="draft")
    response = owner_client.post(f"/company/projects/{project.pk}/launch/")
    assert response.status_code == 409
    assert b"Upload at least one item" in response.content
    make_items(project, 1)
    fund_company(company.pk, 100)  # launching reserves the budget
    owner_client.post(f"/company/projects/{project.pk}/launch/")
    project.refresh_from_db()
    assert project.status == "active"
    assert owner_client.post(f"/company/projects/{project.pk}/state/fly/").status_code == 404


def test_upload_report_then_keep_the_good_rows(owner_client, company):
    project = make_project(company=company, status="draft")
    file = SimpleUploadedFile("batch.csv", b"id,text\nr1,Fine\nr2,\nr3,Also fine\n", "text/csv")
    response = owner_client.post(f"/company/projects/{project.pk}/uploads/new/", {"file": file})
    upload = ItemUpload.objects.get()
    assert response["Location"] == f"/company/projects/{project.pk}/uploads/{upload.pk}/"
    report = owner_client.get(response["Location"]).content.decode()
    assert "Keep 2 good rows" in report
    assert "Discard all" in report
    assert '<td data-label="Line">3</td>' in report
    owner_client.post(f"/company/projects/{project.pk}/uploads/{upload.pk}/keep/")
    assert Item.objects.filter(project=project).count() == 2
    owner_client.post(f"/company/projects/{project.pk}/uploads/{upload.pk}/keep/")
    assert Item.objects.filter(project=project).count() == 2


def test_a_binary_upload_shows_a_form_error(owner_client, company):
    project = make_project(company=company, status="draft")
    file = SimpleUploadedFile("batch.csv", b"\x00\x01\x02binary", "text/csv")
    response = owner_client.post(f"/company/projects/{project.pk}/uploads/new/", {"file": file})
    assert response.status_code == 400
    assert "binary file" in " ".join(response.context["form"].errors["file"])
    assert not ItemUpload.objects.exists()


def test_media_upload_lists_the_url_and_refuses_svg(owner_client, company, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    project = make_project(company=company, status="draft")
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2)).save(buffer, format="PNG")
    url = f"/company/projects/{project.pk}/media/new/"
    owner_client.post(url, {"file": SimpleUploadedFile("cat.png", buffer.getvalue())})
    media = ProjectMedia.objects.get()
    page = owner_client.get(f"/company/projects/{project.pk}/media/").content.decode()
    assert media.file.url in page
    svg = SimpleUploadedFile("evil.png", b'<svg xmlns="http://www.w3.org/2000/svg"/>')
    response = owner_client.post(url, {"file": svg})
    assert response.status_code == 400
    assert ProjectMedia.objects.count() == 1


def test_items_and_item_detail_show_answers_under_pseudonyms(owner_client, company):
    project = make_project(company=company, overlap=2)
    (item,) = make_items(project, 1)
    (gold,) = make_items(project, 1, gold_label="negative")
    worker = WorkerFactory()
    make_assignment(item, worker, status="submitted", answer={"label": "positive"})

    listing = owner_client.get(f"/company/projects/{project.pk}/items/").content.decode()
    assert "In progress" in listing
    assert "1 / 2" in listing
    assert "Gold" in listing
    done_filter = owner_client.get(f"/company/projects/{project.pk}/items/?status=done")
    assert list(done_filter.context["page_obj"]) == []

    detail = owner_client.get(f"/company/projects/{project.pk}/items/{item.pk}/").content.decode()
    assert worker_pseudonym(company_id=company.pk, worker_id=worker.pk) in detail
    assert worker.email not in detail
    assert "positive" in detail
    gold_page = owner_client.get(f"/company/projects/{project.pk}/items/{gold.pk}/")
    assert b"Gold answer" in gold_page.content
    assert b"negative" in gold_page.content


def test_the_progress_fragment_renders(owner_client, company):
    project = make_project(company=company)
    make_items(project, 3)
    response = owner_client.get(f"/company/projects/{project.pk}/progress/")
    assert response.status_code == 200
    assert b"0 / 3" in response.content


def test_empty_states(owner_client, company):
    project = make_project(company=company, status="draft")
    for path, text in [
        ("/company/projects/", None),
        (f"/company/projects/{project.pk}/items/", b"No items yet"),
        (f"/company/projects/{project.pk}/uploads/", b"No uploads yet"),
        (f"/company/projects/{project.pk}/media/", b"No media yet"),
    ]:
        response = owner_client.get(path)
        assert response.status_code == 200
        if text:
            assert text in response.content


def test_another_companys_project_is_a_404_on_every_page(owner_client):
    theirs = make_project(company=CompanyFactory())
    (item,) = make_items(theirs, 1)
    make_assignment(item, WorkerFactory(), status="submitted")
    upload = ItemUpload.objects.create(project=theirs, file_name="x.csv")
    base = f"/company/projects/{theirs.pk}"
    for path in [
        f"{base}/",
        f"{base}/edit/",
        f"{base}/progress/",
        f"{base}/items/",
        f"{base}/items/{item.pk}/",
        f"{base}/uploads/",
        f"{base}/uploads/{upload.pk}/",
        f"{base}/media/",
    ]:
        assert owner_client.get(path).status_code == 404, path
    for path in [
        f"{base}/state/pause/",
        f"{base}/uploads/{upload.pk}/keep/",
        f"{base}/uploads/{upload.pk}/discard/",
        f"{base}/uploads/new/",
        f"{base}/media/new/",
    ]:
        assert owner_client.post(path).status_code == 404, path
    theirs.refresh_from_db()
    assert theirs.status == "active"
    upload.refresh_from_db()
    assert upload.status == "pending"


def test_an_item_of_another_project_is_a_404(owner_client, company):
    mine = make_project(company=company)
    theirs = make_project(company=CompanyFactory())
    (item,) = make_items(theirs, 1)
    assert owner_client.get(f"/company/projects/{mine.pk}/items/{item.pk}/").status_code == 404


def test_workers_are_refused(worker_client, company):
    project = make_project(company=company)
    assert worker_client.get(f"/company/projects/{project.pk}/").status_code == 403
    assert worker_client.get("/company/projects/").status_code == 403
