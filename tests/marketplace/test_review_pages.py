"""The company's review pages: the submissions list with filters, one submission with its
evidence and history, and the decisions (one, many, revision) made through review.py."""

import pytest

from marketplace.models import Assignment, ReviewDecision
from marketplace.selectors import worker_pseudonym
from tests.factories import CompanyFactory, MembershipFactory, WorkerFactory
from tests.marketplace.factories import make_assignment, make_items, make_project

pytestmark = pytest.mark.django_db

SUBMITTED = Assignment.Status.SUBMITTED


@pytest.fixture
def project(company):
    return make_project(company=company, overlap=3, title="Sentiment batch")


@pytest.fixture
def reviewer(company):
    return MembershipFactory(company=company, role="reviewer").user


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client


def submit(project, count=1, *, worker=None, **fields):
    """`count` submitted assignments of the project, one item each."""
    worker = worker or WorkerFactory()
    return [
        make_assignment(item, worker, status=SUBMITTED, **fields)
        for item in make_items(project, count)
    ]


def url(project, suffix=""):
    return f"/company/projects/{project.pk}/review/{suffix}"


def test_the_list_shows_each_submission_with_answer_time_flags_and_pseudonym(
    project, reviewer_client
):
    worker = WorkerFactory()
    (fast,) = submit(project, worker=worker, work_seconds=2, is_too_fast=True, agreement=0.2)
    (gold_item,) = make_items(project, 1, gold_label="negative")
    make_assignment(gold_item, worker, status=SUBMITTED, gold_score=0.0, work_seconds=40)

    response = reviewer_client.get(url(project))

    assert response.status_code == 200
    html = response.content.decode()
    assert worker_pseudonym(company_id=project.company_id, worker_id=worker.pk) in html
    assert worker.email not in html
    assert f"#{fast.pk}" in html
    assert "positive" in html
    assert "2 s" in html and "40 s" in html
    assert "Too fast" in html
    assert "Low agreement" in html
    assert "Gold failed" in html
    assert "<strong>2</strong> waiting for review" in html


def test_the_list_has_an_empty_state(project, reviewer_client):
    response = reviewer_client.get(url(project))

    assert b"Nothing to review yet" in response.content


def rows_listed(response) -> set[int]:
    return {row.assignment.pk for row in response.context["rows"]}


def test_filters_narrow_the_list_by_worker_item_status_gold_agreement_and_speed(
    project, reviewer_client
):
    alice, bob = WorkerFactory(), WorkerFactory()
    (plain,) = submit(project, worker=alice, agreement=0.9)
    (fast,) = submit(project, worker=bob, is_too_fast=True, work_seconds=1, agreement=0.6)
    (approved,) = submit(project, worker=bob)
    Assignment.objects.filter(pk=approved.pk).update(status=Assignment.Status.APPROVED)
    (gold_item,) = make_items(project, 1, gold_label="negative")
    passed = make_assignment(gold_item, alice, status=SUBMITTED, gold_score=1.0)
    bob_name = worker_pseudonym(company_id=project.company_id, worker_id=bob.pk)

    def listed(**params):
        return rows_listed(reviewer_client.get(url(project), params))

    assert listed() == {plain.pk, fast.pk, approved.pk, passed.pk}
    assert listed(worker=bob_name) == {fast.pk, approved.pk}
    assert listed(worker=bob_name.lower().removeprefix("w-")) == {fast.pk, approved.pk}
    assert listed(worker="W-00000000") == set()
    assert listed(item=str(plain.item_id)) == {plain.pk}
    assert listed(item=f"#{fast.item_id}") == {fast.pk}
    assert listed(status="approved") == {approved.pk}
    assert listed(gold="passed") == {passed.pk}
    assert listed(gold="failed") == set()
    assert listed(agreement="high") == {plain.pk}
    assert listed(agreement="medium") == {fast.pk}
    assert listed(too_fast="on") == {fast.pk}


def test_an_unknown_filter_value_is_an_error_on_the_form_not_a_500(project, reviewer_client):
    submit(project, 2)

    response = reviewer_client.get(url(project), {"status": "nonsense", "gold": "x"})

    assert response.status_code == 200
    assert response.context["filters"].errors["status"]
    assert len(response.context["rows"]) == 2


def test_the_list_is_paginated_and_keeps_the_filters(project, reviewer_client):
    submit(project, 52)

    first = reviewer_client.get(url(project), {"status": "submitted"})
    second = reviewer_client.get(url(project), {"status": "submitted", "page": 2})

    assert len(first.context["rows"]) == 50
    assert len(second.context["rows"]) == 2
    assert "status=submitted&amp;page=2" in first.content.decode()


def test_the_list_costs_the_same_queries_for_many_rows(
    project, reviewer_client, django_assert_max_num_queries
):
    for _ in range(3):
        submit(project, 2, work_seconds=20, agreement=0.5)
    with django_assert_max_num_queries(16) as few:
        reviewer_client.get(url(project))
    for _ in range(20):
        submit(project, 2, work_seconds=20, agreement=0.5)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = reviewer_client.get(url(project))

    assert len(response.context["rows"]) == 46


@pytest.mark.parametrize("role", ["owner", "manager", "reviewer"])
def test_every_company_role_may_review(project, client, role):
    member = MembershipFactory(company=project.company, role=role).user
    (assignment,) = submit(project)
    client.force_login(member)

    assert client.get(url(project)).status_code == 200
    response = client.post(url(project, f"{assignment.pk}/approve/"))

    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.APPROVED
    assert assignment.reviewed_by == member


def test_another_companys_project_and_submissions_are_404_and_unchanged(project, client):
    (assignment,) = submit(project)
    stranger = MembershipFactory(company=CompanyFactory(), role="owner").user
    client.force_login(stranger)

    assert client.get(url(project)).status_code == 404
    assert client.get(url(project, f"{assignment.pk}/")).status_code == 404
    assert client.post(url(project, f"{assignment.pk}/approve/")).status_code == 404
    reject = {"reason": "spam", "comment": "No."}
    assert client.post(url(project, f"{assignment.pk}/reject/"), reject).status_code == 404
    bulk = {"assignment": [assignment.pk], "action": "approve"}
    assert client.post(url(project, "bulk/"), bulk).status_code == 404
    assignment.refresh_from_db()
    assert assignment.status == SUBMITTED
    assert not ReviewDecision.objects.exists()


def test_a_submission_of_another_project_of_the_company_is_404_under_this_one(
    project, reviewer_client
):
    other = make_project(company=project.company, title="Other")
    (assignment,) = submit(other)

    assert reviewer_client.get(url(project, f"{assignment.pk}/")).status_code == 404
    assert reviewer_client.post(url(project, f"{assignment.pk}/approve/")).status_code == 404


def test_a_worker_cannot_reach_the_review_pages(project, worker_client):
    assert worker_client.get(url(project)).status_code == 403


def test_the_detail_shows_the_answer_evidence_and_history(project, reviewer_client, reviewer):
    worker = WorkerFactory()
    (gold_item,) = make_items(project, 1, gold_label="negative")
    make_assignment(gold_item, worker, status=SUBMITTED, gold_score=0.0, work_seconds=9)
    (assignment,) = submit(project, worker=worker, work_seconds=2, is_too_fast=True)
    reviewer_client.post(
        url(project, f"{assignment.pk}/revision/"), {"comment": "Read the last line again."}
    )

    response = reviewer_client.get(url(project, f"{assignment.pk}/"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Evidence" in html and "Too fast" in html
    assert "Failed gold items" in html and f"#{gold_item.pk}" in html
    assert "Returned for revision" in html
    assert "Read the last line again." in html
    assert reviewer.email in html
    assert worker.email not in html


def test_rejecting_needs_a_reason_and_a_comment_and_bad_input_changes_nothing(
    project, reviewer_client
):
    (assignment,) = submit(project)

    for data in (
        {"reason": "", "comment": "Wrong."},
        {"reason": "spam", "comment": "  "},
        {"reason": "made_up", "comment": "x"},
        {"reason": "spam", "comment": "x" * 2001},
    ):
        response = reviewer_client.post(url(project, f"{assignment.pk}/reject/"), data)
        assert response.status_code == 400
        assert response.context["reject_form"].errors
    assignment.refresh_from_db()
    assert assignment.status == SUBMITTED
    assert not ReviewDecision.objects.exists()


def test_a_rejection_records_the_reason_and_comment(project, reviewer_client, reviewer):
    (assignment,) = submit(project)

    response = reviewer_client.post(
        url(project, f"{assignment.pk}/reject/"),
        {"reason": "ignored_instructions", "comment": "Label the whole review."},
        follow=True,
    )

    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.REJECTED
    assert assignment.reject_reason == "ignored_instructions"
    assert assignment.review_comment == "Label the whole review."
    decision = ReviewDecision.objects.get(assignment=assignment)
    assert (decision.action, decision.actor) == ("rejected", reviewer)
    assert b"Rejected. The worker is told why." in response.content


def test_a_decided_submission_shows_a_conflict_message_and_stays_as_it_was(
    project, reviewer_client
):
    (assignment,) = submit(project)
    reviewer_client.post(url(project, f"{assignment.pk}/approve/"))

    response = reviewer_client.post(
        url(project, f"{assignment.pk}/reject/"),
        {"reason": "spam", "comment": "Changed my mind."},
        follow=True,
    )

    assert "already approved" in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.APPROVED
    assert ReviewDecision.objects.filter(assignment=assignment).count() == 1


def test_a_submission_is_returned_for_revision_only_once(project, reviewer_client):
    (assignment,) = submit(project)
    first = reviewer_client.post(
        url(project, f"{assignment.pk}/revision/"), {"comment": "Check the label."}
    )
    assert first.status_code == 302
    Assignment.objects.filter(pk=assignment.pk).update(status=SUBMITTED)

    page = reviewer_client.get(url(project, f"{assignment.pk}/"))
    second = reviewer_client.post(
        url(project, f"{assignment.pk}/revision/"), {"comment": "Again."}, follow=True
    )

    assert b"Return for revision" not in page.content
    assert "once already" in second.content.decode()
    assignment.refresh_from_db()
    assert assignment.revision_count == 1


def test_a_revision_request_needs_a_comment(project, reviewer_client):
    (assignment,) = submit(project)

    response = reviewer_client.post(url(project, f"{assignment.pk}/revision/"), {"comment": ""})

    assert response.status_code == 400
    assert response.context["revision_form"].errors["comment"]
    assignment.refresh_from_db()
    assert assignment.status == SUBMITTED


def test_bulk_approve_decides_the_selected_and_reports_each_conflict(project, reviewer_client):
    chosen = submit(project, 3)
    decided = chosen[0]
    reviewer_client.post(url(project, f"{decided.pk}/approve/"))
    other_project = make_project(company=project.company, title="Other")
    (elsewhere,) = submit(other_project)

    response = reviewer_client.post(
        url(project, "bulk/"),
        {
            "assignment": [a.pk for a in chosen] + [elsewhere.pk],
            "action": "approve",
            "back": "status=submitted&evil=1",
        },
        follow=True,
    )

    html = response.content.decode()
    assert response.redirect_chain[-1][0] == url(project) + "?status=submitted"
    assert "Approved 2 submissions." in html
    assert f"Submission #{decided.pk}: This submission was already approved" in html
    assert f"Submission #{elsewhere.pk}: not found in this project." in html
    assert set(
        Assignment.objects.filter(pk__in=[a.pk for a in chosen]).values_list("status", flat=True)
    ) == {"approved"}
    elsewhere.refresh_from_db()
    assert elsewhere.status == SUBMITTED


def test_bulk_reject_records_the_reason_for_each(project, reviewer_client):
    chosen = submit(project, 2)

    reviewer_client.post(
        url(project, "bulk/"),
        {
            "assignment": [a.pk for a in chosen],
            "action": "reject",
            "reason": "too_fast",
            "comment": "Under two seconds each.",
        },
    )

    assert (
        list(
            Assignment.objects.filter(pk__in=[a.pk for a in chosen]).values_list(
                "status", "reject_reason"
            )
        )
        == [("rejected", "too_fast")] * 2
    )


@pytest.mark.parametrize(
    "data",
    [
        {"action": "reject", "reason": "", "comment": "Why."},
        {"action": "reject", "reason": "spam", "comment": ""},
        {"action": "destroy"},
        {"action": "approve", "assignment": []},
        {"action": "approve", "assignment": ["abc"]},
    ],
)
def test_bad_bulk_input_is_reported_and_changes_nothing(project, reviewer_client, data):
    chosen = submit(project, 2)
    data = {"assignment": [a.pk for a in chosen], **data}

    response = reviewer_client.post(url(project, "bulk/"), data, follow=True)

    assert response.status_code == 200
    assert response.context["messages"]
    assert set(
        Assignment.objects.filter(pk__in=[a.pk for a in chosen]).values_list("status", flat=True)
    ) == {SUBMITTED}
    assert not ReviewDecision.objects.exists()


def test_the_review_tab_sits_beside_the_other_project_tabs(project, reviewer_client):
    response = reviewer_client.get(f"/company/projects/{project.pk}/items/")

    assert f'href="{url(project)}"' in response.content.decode()
