"""A company creates a project, uploads items and launches it."""

import re

import pytest

from marketplace.models import Item, ItemUpload, Project
from tests.factories import CompanyFactory, MembershipFactory, fund_company

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CSV = (
    "id,text,gold_label\n"
    "r1,The battery lasts two days,\n"
    "r2,,\n"
    "r3,Stopped working after a week,negative\n"
    "r4,Does what it says,\n"
)


def test_a_company_creates_a_project_uploads_items_and_launches_it(journey, site_tree, tmp_path):
    owner = MembershipFactory(
        company=CompanyFactory(name="Northwind Labs"), role="owner", user__email="owner@example.org"
    ).user
    # The company added money earlier (tests/browser/test_money_journey.py does it on the page).
    fund_company(owner.company_membership.company_id, 50_00)
    page = journey.page
    page.on("dialog", lambda dialog: dialog.accept())

    journey.log_in(owner.email)
    journey.goto("/company/")
    assert page.get_by_role("heading", name="No projects yet").count() == 1
    journey.shot("home-without-projects")

    page.get_by_role("link", name="New project").first.click()
    page.wait_for_load_state()
    page.get_by_label("Title").fill("Sentiment of product reviews")
    page.get_by_label("Category").select_option("text-annotation")
    page.get_by_label("Instructions").fill("<p>Pick the <strong>sentiment</strong>.</p>")
    page.get_by_label("Annotation interface").select_option("classification")
    page.get_by_label("Label schema (JSON)").fill(
        '{"labels": ["positive", "neutral", "negative"], "multiple": false}'
    )
    page.get_by_label("Reward per assignment").fill("0.05")
    # 5 cents for 20 seconds is $9 an hour, above the $8 pay floor a launch checks.
    page.get_by_label("Time per task (seconds)").fill("20")
    page.get_by_label("Overlap").fill("2")
    journey.shot("project-form")
    page.get_by_role("button", name="Create draft").click()
    page.wait_for_load_state()
    project = Project.objects.get()
    assert project.reward_cents == 5
    assert page.url.endswith(f"/company/projects/{project.pk}/uploads/")
    journey.shot("uploads-empty")

    csv_file = tmp_path / "reviews.csv"
    csv_file.write_text(CSV)
    page.get_by_label("File").set_input_files(str(csv_file))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("good-rows").inner_text() == "3"
    assert page.get_by_test_id("bad-rows").inner_text() == "1"
    assert page.get_by_role("cell", name=re.compile("Give a text, an image URL, or both")).count()
    journey.shot("upload-report")

    page.get_by_role("button", name="Keep 3 good rows").click()
    page.wait_for_load_state()
    assert page.get_by_text("3 items added to the project.").count() == 1
    assert Item.objects.filter(project=project).count() == 3
    assert ItemUpload.objects.get().status == ItemUpload.Status.KEPT
    journey.shot("upload-kept")

    page.get_by_role("link", name="Summary").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Review budget and launch").click()
    page.wait_for_load_state()
    # 2 items to answer (the third is gold, at the default 0% gold rate) x 2 answers x
    # ($0.05 + $0.01 fee) = $0.24, from the $50 balance.
    assert page.get_by_test_id("quote-total").inner_text() == "$0.24"
    assert page.get_by_test_id("quote-balance-after").inner_text() == "$49.76"
    journey.shot("launch-page")
    page.get_by_role("button", name="Launch project").click()
    page.wait_for_load_state()
    assert page.get_by_text("The project is now active.").count() == 1
    assert page.get_by_test_id("items-done").inner_text() == "0 / 2"
    assert page.get_by_role("button", name="Pause").count() == 1
    journey.shot("project-active")
    project.refresh_from_db()
    assert project.status == Project.Status.ACTIVE

    journey.goto("/company/")
    assert page.get_by_role("link", name="Sentiment of product reviews").count() == 1
    journey.shot("home-with-project")

    page.set_viewport_size({"width": 390, "height": 844})
    journey.goto(f"/company/projects/{project.pk}/")
    journey.shot("project-active-phone")
    journey.goto(f"/company/projects/{project.pk}/items/")
    journey.shot("items-phone")
