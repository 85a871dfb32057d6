"""Listing moderation: submit starts the workflow, approval publishes, status changes apply."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from wagtail.models import WorkflowPage, WorkflowState

from accounts.models import Notification, User
from core.errors import LoopworkError
from jobs.listing_authoring import (
    WORKFLOW_NAME,
    ensure_listing_moderation,
    listing_set_status,
    listing_submit_for_review,
)
from jobs.models import JobIndexPage, JobPage, ListingApprovalTask, ListingPay
from tests.factories import admin_staff, make_job
from tests.jobs.test_company_listings import valid_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return User.objects.create_superuser(email="moderator@example.org", password="x")


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def create_listing(owner_client, **overrides) -> JobPage:
    response = owner_client.post("/company/listings/new/", valid_post(**overrides))
    assert response.status_code == 302
    return JobPage.objects.get(title=overrides.get("title", "Rate chatbot answers"))


def approve(page: JobPage, staff: User, comment: str = "") -> None:
    page.refresh_from_db()
    page.current_workflow_state.current_task_state.specific.approve(user=staff, comment=comment)


def test_the_migration_created_the_workflow_for_moderators(site_tree):
    from wagtail.models import Workflow

    workflow = Workflow.objects.get(name=WORKFLOW_NAME)
    task = workflow.tasks.get().specific
    assert task.name == "Staff approval"
    assert list(task.groups.values_list("name", flat=True)) == ["Moderators"]


def test_ensure_listing_moderation_links_the_job_board_once(site_tree):
    workflow = ensure_listing_moderation()
    ensure_listing_moderation()
    index = JobIndexPage.objects.get()
    assert WorkflowPage.objects.filter(page=index).count() == 1
    assert WorkflowPage.objects.get(page=index).workflow == workflow
    assert make_job(live=False).get_workflow() == workflow


def test_submit_starts_the_workflow_and_approval_publishes(site_tree, owner_client, staff, client):
    page = create_listing(owner_client)

    response = owner_client.post(f"/company/listings/{page.pk}/submit/")

    page.refresh_from_db()
    assert response.status_code == 302
    assert page.workflow_in_progress is True
    assert page.current_workflow_state.workflow.name == WORKFLOW_NAME
    assert page.live is False
    listing = owner_client.get("/company/listings/")
    assert [row.state_label for row in listing.context["rows"]] == ["In review"]

    approve(page, staff)

    page.refresh_from_db()
    assert page.live is True
    assert page.workflow_in_progress is False
    assert page.url == "/jobs/rate-chatbot-answers/"
    assert client.get("/jobs/rate-chatbot-answers/").status_code == 200


def test_submitting_twice_is_refused(site_tree, owner_client, company, owner):
    page = create_listing(owner_client)
    listing_submit_for_review(page=page, membership=owner.company_membership, user=owner)
    with pytest.raises(LoopworkError) as refusal:
        listing_submit_for_review(page=page, membership=owner.company_membership, user=owner)
    assert refusal.value.code == "in_review"
    assert WorkflowState.objects.count() == 1


def test_a_listing_in_review_cannot_be_edited(site_tree, owner_client):
    page = create_listing(owner_client)
    owner_client.post(f"/company/listings/{page.pk}/submit/")

    response = owner_client.post(f"/company/listings/{page.pk}/edit/", valid_post(title="Changed"))

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "This listing is in review. Wait for the moderation before editing it."
    ]
    assert page.revisions.count() == 1


def test_changes_requested_then_resubmitted(site_tree, owner_client, staff):
    page = create_listing(owner_client)
    owner_client.post(f"/company/listings/{page.pk}/submit/")
    page.refresh_from_db()
    page.current_workflow_state.current_task_state.specific.reject(
        user=staff, comment="Say which languages."
    )

    listing = owner_client.get(f"/company/listings/{page.pk}/edit/")
    assert listing.context["row"].state_label == "Changes requested"
    assert b"Say which languages." in listing.content

    owner_client.post(f"/company/listings/{page.pk}/edit/", valid_post(summary="In German."))
    owner_client.post(f"/company/listings/{page.pk}/submit/")
    page.refresh_from_db()
    assert page.workflow_in_progress is True
    approve(page, staff)
    page.refresh_from_db()
    assert (page.live, page.summary) == (True, "In German.")


def test_editing_a_live_listing_keeps_the_live_version_until_approved(
    site_tree, company, owner_client, staff, client
):
    job = make_job(company=company, title="Live title")

    owner_client.post(f"/company/listings/{job.pk}/edit/", valid_post(title="New title"))

    job.refresh_from_db()
    assert (job.title, job.live, job.has_unpublished_changes) == ("Live title", True, True)
    assert b"Live title" in client.get(job.url).content

    owner_client.post(f"/company/listings/{job.pk}/submit/")
    approve(job, staff)

    job.refresh_from_db()
    assert (job.title, job.has_unpublished_changes) == ("New title", False)


def test_a_live_listing_without_changes_has_nothing_to_review(site_tree, company, owner):
    job = make_job(company=company)
    with pytest.raises(LoopworkError) as refusal:
        listing_submit_for_review(page=job, membership=owner.company_membership, user=owner)
    assert refusal.value.code == "nothing_to_review"
    assert WorkflowState.objects.count() == 0


@pytest.mark.parametrize("status", ["paused", "closed"])
def test_pausing_or_closing_a_live_listing_applies_at_once(
    site_tree, company, owner_client, status
):
    job = make_job(company=company)

    response = owner_client.post(f"/company/listings/{job.pk}/status/", {"status": status})

    job.refresh_from_db()
    assert response.status_code == 302
    assert (job.status, job.live, job.has_unpublished_changes) == (status, True, False)
    assert job.live_revision.as_object().status == status
    assert job.accepts_applications is False


def test_reopening_a_paused_listing(site_tree, company, owner):
    job = make_job(company=company, status="paused")
    listing_set_status(page=job, membership=owner.company_membership, user=owner, status="open")
    job.refresh_from_db()
    assert (job.status, job.accepts_applications) == ("open", True)


def test_a_status_change_keeps_a_pending_draft_unpublished(site_tree, company, owner_client):
    job = make_job(company=company, title="Live title")
    owner_client.post(f"/company/listings/{job.pk}/edit/", valid_post(title="Draft title"))

    owner_client.post(f"/company/listings/{job.pk}/status/", {"status": "paused"})

    job.refresh_from_db()
    assert (job.title, job.status, job.has_unpublished_changes) == ("Live title", "paused", True)
    draft = job.get_latest_revision_as_object()
    assert (draft.title, draft.status) == ("Draft title", "paused")


def test_a_status_change_waits_for_moderation(site_tree, company, owner, owner_client):
    job = make_job(company=company)
    owner_client.post(f"/company/listings/{job.pk}/edit/", valid_post(title="Draft title"))
    owner_client.post(f"/company/listings/{job.pk}/submit/")

    with pytest.raises(LoopworkError) as refusal:
        listing_set_status(
            page=job, membership=owner.company_membership, user=owner, status="closed"
        )

    assert refusal.value.code == "in_review"
    job.refresh_from_db()
    assert (job.status, job.workflow_in_progress) == ("open", True)


def test_the_admin_edit_view_still_works_for_staff(site_tree, staff, client):
    from allauth.mfa.models import Authenticator

    # Staff reach the admin only with two-factor authentication set up.
    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={})
    job = make_job(title="Admin editable")
    client.force_login(staff)

    response = client.get(f"/admin/pages/{job.pk}/edit/")

    assert response.status_code == 200
    assert b"Admin editable" in response.content


def test_staff_approve_in_the_admin_and_the_listing_goes_live(
    site_tree, owner_client, staff, client
):
    from allauth.mfa.models import Authenticator

    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={})
    page = create_listing(owner_client)
    owner_client.post(f"/company/listings/{page.pk}/submit/")
    page.refresh_from_db()
    task_state = page.current_workflow_state.current_task_state
    client.force_login(staff)

    response = client.post(
        f"/admin/pages/workflow/action/{page.pk}/approve/{task_state.pk}/", {"comment": ""}
    )

    page.refresh_from_db()
    assert response.status_code in (200, 302)
    assert (page.live, page.workflow_in_progress) == (True, False)


# --- What the company is told ---------------------------------------------------------------


@pytest.fixture
def company_team(company, owner):
    """The company's owner, a manager and a reviewer (reviewers do not manage listings)."""
    from tests.factories import MembershipFactory

    manager = MembershipFactory(company=company, role="manager").user
    reviewer = MembershipFactory(company=company, role="reviewer").user
    return owner, manager, reviewer


def submitted(owner_client) -> JobPage:
    page = create_listing(owner_client)
    owner_client.post(f"/company/listings/{page.pk}/submit/")
    page.refresh_from_db()
    mail.outbox.clear()  # Wagtail tells staff of the submission; that email is theirs
    return page


def test_approval_tells_owners_and_managers_in_our_words_and_wagtail_sends_nothing(
    site_tree, owner_client, company_team, staff, django_capture_on_commit_callbacks
):
    owner, manager, _reviewer = company_team
    page = submitted(owner_client)

    with django_capture_on_commit_callbacks(execute=True):
        approve(page, staff)

    notices = list(Notification.objects.order_by("user_id"))
    assert [notice.user for notice in notices] == [owner, manager]
    notice = notices[0]
    assert (notice.kind, notice.title, notice.link) == (
        "listing_approved",
        "Your listing is live: Rate chatbot answers",
        "/company/listings/",
    )
    assert notice.body == (
        "Loopwork approved \u201cRate chatbot answers\u201d and published it on the job board. "
        "Job seekers can find it and apply from now on."
    )
    assert sorted(message.to[0] for message in mail.outbox) == sorted([owner.email, manager.email])
    assert {message.subject for message in mail.outbox} == {
        "[Loopwork] Your listing is live: Rate chatbot answers"
    }
    assert not any("has been approved" in message.body for message in mail.outbox)


def test_changes_requested_in_the_admin_bring_the_moderators_comment_to_the_company(
    site_tree, owner_client, company_team, staff, client, django_capture_on_commit_callbacks
):
    from allauth.mfa.models import Authenticator

    owner, manager, _reviewer = company_team
    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={})
    page = submitted(owner_client)
    task_state = page.current_workflow_state.current_task_state
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/pages/workflow/action/{page.pk}/reject/{task_state.pk}/",
            {"comment": "Say which languages the raters need."},
        )

    assert response.status_code in (200, 302)
    page.refresh_from_db()
    assert page.live is False
    notice = Notification.objects.get(user=owner)
    assert (notice.kind, notice.title) == (
        "listing_changes_requested",
        "Changes requested: Rate chatbot answers",
    )
    assert notice.body == (
        "Loopwork reviewed \u201cRate chatbot answers\u201d and asks for changes before it can "
        "go live.\n\nThe moderator wrote: Say which languages the raters need.\n\n"
        "Edit the listing, then send it for review again."
    )
    assert Notification.objects.filter(user=manager, kind="listing_changes_requested").count() == 1
    assert len(mail.outbox) == 2
    assert all("Say which languages the raters need." in m.body for m in mail.outbox)
    assert {m.subject for m in mail.outbox} == {
        "[Loopwork] Changes requested: Rate chatbot answers"
    }


def test_other_pages_keep_wagtails_own_moderation_emails(site_tree, staff):
    from tests.cms.factories import make_guide

    editor = User.objects.create_user(email="editor@loopwork.test", password="x", is_staff=True)
    guide = make_guide(title="How to label", live=False)
    workflow = guide.get_workflow()
    assert workflow is not None and workflow.name != WORKFLOW_NAME
    state = workflow.start(guide, editor)
    mail.outbox.clear()

    state.current_task_state.specific.approve(user=staff)

    assert [message.to for message in mail.outbox] == [[editor.email]]
    assert "has been approved" in mail.outbox[0].body
    assert Notification.objects.count() == 0


# --- Pay that may go live --------------------------------------------------------------------


def test_the_staff_approval_task_is_a_listing_approval(site_tree):
    from wagtail.models import Workflow

    task = Workflow.objects.get(name=WORKFLOW_NAME).tasks.get().specific
    assert isinstance(task, ListingApprovalTask)


def test_task_work_without_a_project_cannot_be_submitted(site_tree, owner_client):
    page = create_listing(owner_client, pay_source="projects", hourly_pay="")

    response = owner_client.post(f"/company/listings/{page.pk}/submit/", follow=True)

    page.refresh_from_db()
    assert page.workflow_in_progress is False
    assert "Link a project to this listing first" in response.content.decode()


def test_hourly_pay_under_the_floor_cannot_be_submitted(site_tree, company, owner, settings):
    job = make_job(company=company, live=False, hourly_pay_cents=900)
    settings.PAY_FLOOR_HOURLY_CENTS = 1000

    with pytest.raises(LoopworkError) as refusal:
        listing_submit_for_review(page=job, membership=owner.company_membership, user=owner)

    assert refusal.value.code == "below_pay_floor"
    assert WorkflowState.objects.count() == 0


def test_a_moderator_is_not_offered_approval_of_pay_that_disagrees(site_tree, owner_client, staff):
    page = create_listing(owner_client)  # hourly work, $18.50
    owner_client.post(f"/company/listings/{page.pk}/submit/")
    page.refresh_from_db()
    task = page.current_workflow_state.current_task_state.task.specific
    assert [name for name, *_rest in task.get_actions(page, staff)] == [
        "reject",
        "approve",
        "approve",
    ]
    # a project linked meanwhile pays otherwise: the typed hourly pay would disagree
    ListingPay.objects.create(listing=page, project_count=1, hourly_min_cents=900)

    assert [name for name, *_rest in task.get_actions(page, staff)] == ["reject"]
    with pytest.raises(PermissionDenied):
        task.on_action(page.current_workflow_state.current_task_state, staff, "approve")
    page.refresh_from_db()
    assert (page.live, page.workflow_in_progress) == (False, True)


def test_the_editor_shows_the_listing_pay_beside_its_projects(site_tree, company, client):
    job = make_job(company=company, task_pay=(10, 40))
    staff = admin_staff()
    User.objects.filter(pk=staff.pk).update(is_superuser=True)
    client.force_login(staff)

    page = client.get(f"/admin/pages/{job.pk}/edit/").content.decode()

    assert "Pay against its projects" in page
    assert "The listing shows" in page
    assert "$0.10 per task" in page
    assert "Project: Project" in page
