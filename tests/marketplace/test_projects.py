"""Project services: creating, editing and the state machine, with the role rules."""

import pytest

from core.errors import LoopworkError
from jobs.models import Qualification
from marketplace.models import Project
from marketplace.projects import (
    TRANSITIONS,
    allowed_transitions,
    project_create,
    project_transition,
    project_update,
)
from tests.factories import (
    CompanyFactory,
    MembershipFactory,
    WorkerFactory,
    fund_company,
    make_job,
)
from tests.marketplace.factories import (
    CLASSIFICATION_SCHEMA,
    make_assignment,
    make_items,
    make_project,
)

pytestmark = pytest.mark.django_db

GOOD = {
    "title": "Sentiment of reviews",
    "interface": "classification",
    "label_schema": {"labels": ["positive", "negative"]},
    "reward_cents": 5,
    "category": "text-annotation",
}


def member(company, role="owner"):
    return MembershipFactory(company=company, role=role)


def refused(code, call, **kwargs) -> LoopworkError:
    with pytest.raises(LoopworkError) as caught:
        call(**kwargs)
    assert caught.value.code == code
    return caught.value


# Creating


def test_an_owner_creates_a_draft_with_a_normalised_schema(company):
    owner = member(company)
    project = project_create(membership=owner, user=owner.user, data=GOOD)
    assert project.status == Project.Status.DRAFT
    assert project.company == company
    assert project.created_by == owner.user
    assert project.label_schema == {
        "labels": ["positive", "negative"],
        "multiple": False,
        "question": "",
    }
    assert project.currency == "USD"


def test_a_missing_schema_gets_the_interfaces_example(company):
    manager = member(company, "manager")
    data = {key: value for key, value in GOOD.items() if key != "label_schema"}
    project = project_create(membership=manager, user=manager.user, data=data)
    assert project.label_schema["labels"] == ["positive", "neutral", "negative"]


def test_instructions_are_sanitised_on_save(company):
    owner = member(company)
    data = {**GOOD, "instructions": '<p onclick="x()">Read <script>alert(1)</script>this</p>'}
    project = project_create(membership=owner, user=owner.user, data=data)
    assert project.instructions == "<p>Read this</p>"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": "  "}, "title"),
        ({"interface": "telepathy"}, "interface"),
        ({"label_schema": {"labels": ["only one"]}}, "label_schema"),
        ({"label_schema": ["not", "an", "object"]}, "label_schema"),
        ({"reward_cents": 0}, "reward_cents"),
        ({"overlap": 11}, "overlap"),
        ({"lease_seconds": 5}, "lease_seconds"),
        ({"category": "cooking"}, "category"),
        ({"content_risk": "graphic"}, "daily_exposure_cap"),
        ({"gold_rate": 90}, "gold_rate"),
        ({"auto_approve_hours": 0}, "auto_approve_hours"),
    ],
)
def test_bad_settings_are_refused_with_the_field_and_nothing_is_created(company, change, field):
    owner = member(company)
    with pytest.raises(LoopworkError) as caught:
        project_create(membership=owner, user=owner.user, data={**GOOD, **change})
    assert caught.value.field == field
    assert caught.value.status in (400, 422)
    assert not Project.objects.exists()


def test_risky_content_with_a_cap_is_accepted(company):
    owner = member(company)
    data = {**GOOD, "content_risk": "graphic", "daily_exposure_cap": 50}
    project = project_create(membership=owner, user=owner.user, data=data)
    assert project.daily_exposure_cap == 50


def test_only_own_listings_and_visible_qualifications_can_be_linked(site_tree, company):
    owner = member(company)
    other = CompanyFactory()
    theirs = make_job(company=other, pay_source="projects")
    refused(
        "invalid_input",
        project_create,
        membership=owner,
        user=owner.user,
        data={**GOOD, "listings": [theirs.pk]},
    )
    private = Qualification.objects.create(
        name="Theirs", slug="theirs", category="text-annotation", company=other
    )
    error = refused(
        "invalid_input",
        project_create,
        membership=owner,
        user=owner.user,
        data={**GOOD, "required_qualification": private.pk},
    )
    assert error.field == "required_qualification"
    hourly = make_job(company=company)
    error = refused(
        "invalid_input",
        project_create,
        membership=owner,
        user=owner.user,
        data={**GOOD, "listings": [hourly.pk]},
    )
    assert "hourly work outside Loopwork" in error.message
    ours = make_job(company=company, pay_source="projects")
    platform = Qualification.objects.create(
        name="Platform", slug="platform", category="text-annotation"
    )
    project = project_create(
        membership=owner,
        user=owner.user,
        data={**GOOD, "listings": [ours.pk], "required_qualification": platform.pk},
    )
    assert list(project.listings.all()) == [ours]
    assert project.required_qualification == platform


def test_a_reviewer_cannot_create(company):
    reviewer = member(company, "reviewer")
    error = refused("forbidden", project_create, membership=reviewer, user=reviewer.user, data=GOOD)
    assert error.status == 403
    assert not Project.objects.exists()


# Editing


def test_a_draft_changes_anything(company):
    owner = member(company)
    project = make_project(company=company, status=Project.Status.DRAFT)
    project_update(
        project=project,
        membership=owner,
        data={
            "interface": "classification",
            "label_schema": {"labels": ["a", "b"]},
            "reward_cents": 9,
        },
    )
    project.refresh_from_db()
    assert project.label_schema["labels"] == ["a", "b"]
    assert project.reward_cents == 9


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("label_schema", {"labels": ["a", "b"]}),
        ("reward_cents", 50),
    ],
)
def test_launched_projects_keep_schema_and_reward(company, field, value):
    owner = member(company)
    project = make_project(company=company)
    error = refused(
        "setting_locked", project_update, project=project, membership=owner, data={field: value}
    )
    assert error.field == field
    project.refresh_from_db()
    assert project.label_schema == CLASSIFICATION_SCHEMA
    assert project.reward_cents == 5


def test_a_locked_setting_given_unchanged_passes(company):
    owner = member(company)
    project = make_project(company=company)
    project_update(project=project, membership=owner, data={"reward_cents": 5, "title": "Renamed"})
    project.refresh_from_db()
    assert project.title == "Renamed"


def test_overlap_grows_after_launch_and_reopens_full_items(company):
    owner = member(company)
    project = make_project(company=company, overlap=1)
    (item,) = make_items(project, 1)
    make_assignment(item, WorkerFactory(), status="submitted")
    item.refresh_from_db()
    assert item.is_open is False

    project_update(project=project, membership=owner, data={"overlap": 3})

    item.refresh_from_db()
    assert item.is_open is True


def test_overlap_cannot_shrink_below_answers_given(company):
    owner = member(company)
    project = make_project(company=company, overlap=3)
    (item,) = make_items(project, 1)
    make_assignment(item, WorkerFactory(), status="submitted")
    make_assignment(item, WorkerFactory(), status="submitted")

    error = refused(
        "overlap_below_answers",
        project_update,
        project=project,
        membership=owner,
        data={"overlap": 1},
    )
    assert error.field == "overlap"
    project.refresh_from_db()
    assert project.overlap == 3
    project_update(project=project, membership=owner, data={"overlap": 2})
    project.refresh_from_db()
    assert project.overlap == 2


def test_finished_projects_are_read_only(company):
    owner = member(company)
    project = make_project(company=company, status=Project.Status.COMPLETED)
    refused(
        "project_final", project_update, project=project, membership=owner, data={"title": "New"}
    )


def test_a_reviewer_cannot_edit_and_another_company_gets_not_found(company):
    project = make_project(company=company, status=Project.Status.DRAFT)
    error = refused(
        "forbidden",
        project_update,
        project=project,
        membership=member(company, "reviewer"),
        data={"title": "Mine now"},
    )
    assert error.status == 403
    error = refused(
        "not_found",
        project_update,
        project=project,
        membership=member(CompanyFactory()),
        data={"title": "Mine now"},
    )
    assert error.status == 404
    project.refresh_from_db()
    assert project.title == "Sentiment of product reviews"


# The state machine

ALLOWED = [
    ("draft", "launch", "active"),
    ("active", "pause", "paused"),
    ("paused", "resume", "active"),
    ("active", "complete", "completed"),
    ("paused", "complete", "completed"),
    ("draft", "cancel", "cancelled"),
    ("active", "cancel", "cancelled"),
    ("paused", "cancel", "cancelled"),
]


@pytest.mark.parametrize(("source", "action", "target"), ALLOWED)
def test_allowed_transitions(company, source, action, target):
    project = make_project(company=company, status=source)
    make_items(project, 1)
    fund_company(company.pk, 100)  # launching reserves the budget (payouts/funding.py)
    moved = project_transition(
        project=project, membership=member(company, "manager"), action=action
    )
    assert moved.status == target
    project.refresh_from_db()
    assert project.status == target
    if action == "launch":
        assert project.launched_at is not None
    if target in ("completed", "cancelled"):
        assert project.finished_at is not None


REFUSED = [
    (source, action)
    for source in Project.Status.values
    for action in TRANSITIONS
    if (source, action) not in {(s, a) for s, a, _ in ALLOWED}
]


@pytest.mark.parametrize(("source", "action"), REFUSED)
def test_refused_transitions_change_nothing(company, source, action):
    project = make_project(company=company, status=source)
    make_items(project, 1)
    error = refused(
        "invalid_transition",
        project_transition,
        project=project,
        membership=member(company),
        action=action,
    )
    assert error.status == 409
    assert "cannot be" in error.message
    project.refresh_from_db()
    assert project.status == source


def test_allowed_transitions_match_the_buttons():
    project = Project(status=Project.Status.ACTIVE)
    assert [t.action for t in allowed_transitions(project)] == ["pause", "complete", "cancel"]


def test_launch_needs_an_item_that_is_not_gold(company):
    owner = member(company)
    project = make_project(company=company, status=Project.Status.DRAFT)
    error = refused(
        "no_items", project_transition, project=project, membership=owner, action="launch"
    )
    assert "at least one item" in error.message
    make_items(project, 2, gold_label="positive")
    refused("no_items", project_transition, project=project, membership=owner, action="launch")
    project.refresh_from_db()
    assert project.status == Project.Status.DRAFT


def test_launch_needs_a_valid_label_schema(company):
    owner = member(company)
    project = make_project(
        company=company, status=Project.Status.DRAFT, label_schema={"labels": ["one"]}
    )
    make_items(project, 1)
    error = refused(
        "invalid_label_schema",
        project_transition,
        project=project,
        membership=owner,
        action="launch",
    )
    assert error.field == "label_schema"


def test_reviewers_and_other_companies_cannot_change_the_state(company):
    project = make_project(company=company, status=Project.Status.ACTIVE)
    refused(
        "forbidden",
        project_transition,
        project=project,
        membership=member(company, "reviewer"),
        action="pause",
    )
    refused(
        "not_found",
        project_transition,
        project=project,
        membership=member(CompanyFactory()),
        action="pause",
    )
    project.refresh_from_db()
    assert project.status == Project.Status.ACTIVE
