"""The demo's task projects and sample-task test questions (cms/demo/projects.py,
cms/demo/qualification_tests.py): valid for their interfaces, linked, and qualified right.
Their pay and who may reach them: tests/cms/test_demo_pay_and_access.py."""

import io
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from accounts.models import User
from annotation.registry import INTERFACES, get_interface
from cms.demo.project_items import entity_spans
from cms.demo.projects import PROJECTS
from cms.demo.qualification_tests import TEST_MEDIA
from cms.demo.street_scenes import HEIGHT, WIDTH, street_scene
from jobs.qualification_models import QualificationGrant, QualificationQuestion
from marketplace.models import Item, Project, ProjectMedia

ASSETS = Path(__file__).resolve().parents[2] / "cms" / "demo" / "assets"


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo seeded once (with two extra workers) for the module, rolled back at its end."""
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(DEMO_MODE=True, MEDIA_ROOT=str(media)),
        transaction.atomic(),
    ):
        Group.objects.get_or_create(name="Moderators")
        out = io.StringIO()
        call_command("seed_demo", "--workers", "2", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def demo_projects():
    return Project.objects.filter(title__in=[spec.title for spec in PROJECTS])


def test_sixteen_active_projects_cover_every_interface_with_8_to_60_real_items(seeded, db):
    projects = list(demo_projects())
    assert len(projects) == len(PROJECTS) == 16
    assert {p.interface for p in projects} == set(INTERFACES)
    for project in projects:
        assert project.status == Project.Status.ACTIVE and project.launched_at
        assert 8 <= project.items.filter(is_gold=False).count() <= 60, project.title
        if project.gold_rate:
            assert project.items.filter(is_gold=True).count() >= 3, project.title
        assert project.reward_cents >= 1 and 1 <= project.overlap <= 3
    assert "Active projects" in seeded


def test_every_schema_item_and_gold_answer_passes_its_interface(seeded, db):
    for project in demo_projects():
        interface = get_interface(project.interface)
        assert interface.clean_config(project.label_schema) == project.label_schema
        for item in project.items.all():
            assert interface.clean_item(item.data, project.label_schema) == item.data
            if item.is_gold:
                gold = interface.clean_answer(item.gold_answer, project.label_schema, item.data)
                assert gold == item.gold_answer
                assert interface.grade(gold, gold, project.label_schema) == 1.0
                assert item.gold_explanation


def test_projects_link_a_listing_of_their_company_and_category_and_require_its_test(seeded, db):
    without = 0
    for project in demo_projects().prefetch_related("listings__qualification_test"):
        (listing,) = project.listings.all()
        assert listing.category == project.category
        assert listing.company_id == project.company_id
        test = listing.qualification_test
        if test is None:
            assert project.required_qualification_id is None
            without += 1
        else:
            assert project.required_qualification_id == test.qualification_id
            assert project.min_qualification_score <= test.pass_score
    assert without == 5


def test_projects_with_offensive_content_are_mild_and_capped_per_day(seeded, db):
    risky = demo_projects().exclude(content_risk=Project.ContentRisk.NONE)
    assert sorted(risky.values_list("title", "content_risk", "daily_exposure_cap")) == [
        ("Comment toxicity rating", Project.ContentRisk.MILD, 300),
        ("Social media moderation (English)", Project.ContentRisk.MILD, 200),
    ]


@pytest.mark.parametrize(
    ("interface", "signature"), [("regions", b"\x89PNG"), ("transcription", b"RIFF")]
)
def test_media_items_point_at_stored_project_files(seeded, db, interface, signature):
    project = demo_projects().get(interface=interface)
    media = {f"/media/{m.file.name}": m for m in ProjectMedia.objects.filter(project=project)}
    key = "image_url" if interface == "regions" else "audio_url"
    assert len(media) == project.items.count()
    for item in project.items.all():
        stored = media[item.data[key]]
        with stored.file.open("rb") as handle:
            assert handle.read(4) == signature
        assert stored.size < 100 * 1024


def test_shipped_audio_clips_are_small():
    clips = sorted((ASSETS / "audio").glob("*.wav"))
    assert len(clips) >= 20
    assert all(clip.stat().st_size < 100 * 1024 for clip in clips)


def test_street_scenes_are_deterministic_and_boxes_stay_inside_the_picture():
    assert street_scene(5) == street_scene(5)
    labels = {box.label for n in range(1, 25) for box in street_scene(n)[1]}
    assert labels == {"car", "pedestrian", "bicycle"}
    for n in range(1, 25):
        for box in street_scene(n)[1]:
            assert box.x >= 0 and box.y >= 0
            assert box.x + box.w <= WIDTH and box.y + box.h <= HEIGHT


def test_entity_offsets_are_end_exclusive():
    text = "Lena Fischer won in Berlin."
    spans = entity_spans(text, [("Berlin", "LOCATION"), ("Lena Fischer", "PERSON")])
    assert [text[s["start"] : s["end"]] for s in spans] == ["Lena Fischer", "Berlin"]


def test_the_demo_worker_is_qualified_for_some_projects_and_not_others(seeded, db):
    worker = User.objects.get(email="worker@example.com")
    held = set(
        QualificationGrant.objects.filter(worker=worker).values_list("qualification_id", flat=True)
    )
    required = demo_projects().filter(required_qualification__isnull=False)
    assert required.filter(required_qualification__in=held).exists()
    assert required.exclude(required_qualification__in=held).exists()


def test_extra_workers_are_qualified_for_every_demo_project(seeded, db):
    for number in (1, 2):
        worker = User.objects.get(email=f"worker{number}@example.com")
        for project in demo_projects().filter(required_qualification__isnull=False):
            grant = QualificationGrant.objects.get(
                worker=worker, qualification=project.required_qualification
            )
            assert grant.is_valid() and grant.score >= project.min_qualification_score


@override_settings(DEMO_MODE=True)
def test_seeding_again_adds_no_project_item_media_or_grant(seeded, db):
    counts = (
        Project.objects.count(),
        Item.objects.count(),
        ProjectMedia.objects.count(),
        QualificationGrant.objects.count(),
    )
    call_command("seed_demo", "--workers", "2", stdout=io.StringIO())
    assert (
        Project.objects.count(),
        Item.objects.count(),
        ProjectMedia.objects.count(),
        QualificationGrant.objects.count(),
    ) == counts


def test_demo_tests_hold_sample_tasks_with_stored_media(seeded, db):
    samples = QualificationQuestion.objects.filter(kind="sample_task").select_related("test")
    assert {"classification", "regions", "transcription"} <= {q.interface for q in samples}
    assert len({q.test_id for q in samples}) >= 3
    for question in samples:
        interface = get_interface(question.interface)
        gold = interface.clean_answer(
            question.gold_answer, question.task_config, question.task_data
        )
        assert interface.grade(gold, question.gold_answer, question.task_config) == 1.0
    for name in TEST_MEDIA:
        assert default_storage.exists(name)
