"""A qualified worker completes tasks in three interfaces, drawing a box with the mouse."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image, ImageDraw

from jobs.models import Qualification
from jobs.qualification_models import QualificationGrant
from marketplace.models import Assignment, Item
from tests.factories import CompanyFactory, WorkerFactory
from tests.marketplace.factories import make_items, make_project

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def street_scene() -> str:
    """A small PNG under MEDIA_ROOT, served by our /media/ view; returns its URL."""
    folder = Path(settings.MEDIA_ROOT) / "journey"
    folder.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", (600, 400), "#cfe3f7")
    ImageDraw.Draw(image).rectangle([120, 120, 360, 280], fill="#c0392b")
    image.save(folder / "street.png")
    return "/media/journey/street.png"


def three_projects(qualification):
    company = CompanyFactory(name="Northwind Labs")
    common = {
        "company": company,
        "required_qualification": qualification,
        "min_qualification_score": 80,
    }
    classification = make_project(title="Sentiment of reviews", reward_cents=5, **common)
    make_items(classification, 2)
    regions = make_project(
        title="Find the cars",
        interface="regions",
        category="image-annotation",
        label_schema={"labels": ["car", "person"]},
        reward_cents=12,
        **common,
    )
    image_url = street_scene()
    Item.objects.bulk_create(Item(project=regions, data={"image_url": image_url}) for _ in range(2))
    comparison = make_project(
        title="Which reply is better",
        interface="comparison",
        category="ai-response-review",
        label_schema={
            "question": "Which reply is more helpful?",
            "allow_tie": True,
            "require_reason": False,
        },
        reward_cents=20,
        **common,
    )
    Item.objects.bulk_create(
        Item(
            project=comparison,
            data={
                "prompt": f"How do I reset my password? ({n})",
                "response_a": "I cannot help with that.",
                "response_b": "Open Settings, choose Security, then Reset password.",
            },
        )
        for n in range(2)
    )
    return classification, regions, comparison


def start_from_home(journey, title):
    page = journey.page
    journey.goto("/work/")
    page.get_by_role("button", name=f"Start {title}").click()
    page.wait_for_url(re.compile(r"/work/tasks/\d+/$"))


def submit_and_wait_for_the_next_task(journey):
    page = journey.page
    current = page.url
    page.get_by_role("button", name="Submit", exact=True).click()
    page.wait_for_url(lambda url: url != current and re.search(r"/work/tasks/\d+/$", url))


def session_text(journey) -> str:
    return journey.page.locator("[data-session-tally]").inner_text()


def test_a_worker_completes_tasks_in_three_interfaces_including_drawing_a_box(journey, site_tree):
    qualification = Qualification.objects.create(
        name="Data labelling basics", slug="data-labelling-basics", category="text-annotation"
    )
    worker = WorkerFactory(email="tasker@example.org")
    QualificationGrant.objects.create(worker=worker, qualification=qualification, score=92)
    classification, regions, comparison = three_projects(qualification)
    page = journey.page

    journey.log_in(worker.email)
    journey.goto("/work/")
    for title in ("Sentiment of reviews", "Find the cars", "Which reply is better"):
        assert page.get_by_role("heading", name=title).count() == 1
    assert page.get_by_role("heading", name="Projects you can unlock").count() == 0
    journey.shot("projects")

    # Classification: the "2" key picks the second label.
    start_from_home(journey, "Sentiment of reviews")
    assert page.get_by_text("This session: 0 tasks · $0").count() == 1
    page.keyboard.press("2")
    assert page.get_by_label("negative").is_checked()
    journey.shot("classification-answered")
    submit_and_wait_for_the_next_task(journey)
    assert session_text(journey) == "This session: 1 task · $0.05"
    journey.shot("classification-next-task")

    # Regions: draw a box from 20%,30% to 60%,70% of the image.
    start_from_home(journey, "Find the cars")
    image = page.locator("img[data-annot-image]")
    image.wait_for()
    page.wait_for_function(
        "document.querySelector('img[data-annot-image]').naturalWidth > 0", timeout=10_000
    )
    box = image.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.3)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.4, box["y"] + box["height"] * 0.5, steps=5)
    page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.7, steps=5)
    page.mouse.up()
    assert page.locator("[data-annot-list] li").count() == 1
    journey.shot("regions-box-drawn")
    submit_and_wait_for_the_next_task(journey)
    assert session_text(journey) == "This session: 1 task · $0.12"
    journey.shot("regions-next-task")

    # Comparison: the "B" key picks response B.
    start_from_home(journey, "Which reply is better")
    page.keyboard.press("b")
    assert page.locator("input[name=answer__choice][value=b]").is_checked()
    journey.shot("comparison-answered")
    submit_and_wait_for_the_next_task(journey)
    assert session_text(journey) == "This session: 1 task · $0.20"
    journey.shot("comparison-next-task")

    answers = {
        project.interface: Assignment.objects.get(
            worker=worker, project=project, status="submitted"
        ).answer
        for project in (classification, regions, comparison)
    }
    assert answers["classification"] == {"label": "negative"}
    assert answers["comparison"]["choice"] == "b"
    [drawn] = answers["regions"]["boxes"]
    assert drawn["label"] == "car"
    assert drawn["x"] == pytest.approx(0.2, abs=0.03)
    assert drawn["y"] == pytest.approx(0.3, abs=0.03)
    assert drawn["w"] == pytest.approx(0.4, abs=0.03)
    assert drawn["h"] == pytest.approx(0.4, abs=0.03)
    # Each project holds the worker's next task, leased when they submitted.
    assert Assignment.objects.filter(worker=worker, status="leased").count() == 3
