"""The quality pages: a project's figures per worker for its company, a worker's own summary."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketplace.models import Assignment, WorkerStop
from marketplace.selectors import worker_pseudonym
from tests.factories import MembershipFactory, WorkerFactory
from tests.marketplace.factories import make_assignment, make_items, make_project

pytestmark = pytest.mark.django_db

SUBMITTED = Assignment.Status.SUBMITTED


def _answers(project, worker, rows):
    """rows: (is_gold, gold_score, agreement, work_seconds, too_fast) per answer."""
    real = iter(make_items(project, sum(1 for row in rows if not row[0])))
    gold = iter(make_items(project, sum(1 for row in rows if row[0]), gold_label="positive"))
    for is_gold, score, agreement, seconds, too_fast in rows:
        make_assignment(
            next(gold) if is_gold else next(real),
            worker,
            status=SUBMITTED,
            gold_score=score,
            agreement=agreement,
            work_seconds=seconds,
            is_too_fast=too_fast,
        )


@pytest.fixture
def project(company):
    return make_project(company=company, overlap=3, accuracy_threshold=60, min_work_seconds=5)


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def figures(project):
    careful, hasty = WorkerFactory(), WorkerFactory()
    _answers(
        project,
        careful,
        [
            (True, 1.0, None, 30, False),
            (True, 1.0, None, 40, False),
            (False, None, 1.0, 20, False),
            (False, None, 0.5, 10, False),
        ],
    )
    _answers(
        project,
        hasty,
        [
            (True, 0.0, None, 2, True),
            (True, 1.0, None, 3, True),
            (False, None, 0.0, 9, False),
        ],
    )
    WorkerStop.objects.create(project=project, worker=hasty, reason="Low accuracy.")
    return careful, hasty


def _row(html, pseudonym):
    start = html.index(f"<code>{pseudonym}</code>")
    return html[start : html.index("</tr>", start)]


def test_the_company_sees_figures_per_worker(site_tree, owner_client, project, figures):
    careful, hasty = figures
    response = owner_client.get(f"/company/projects/{project.pk}/quality/")
    assert response.status_code == 200
    html = response.content.decode()
    careful_row = _row(html, worker_pseudonym(company_id=project.company_id, worker_id=careful.pk))
    hasty_row = _row(html, worker_pseudonym(company_id=project.company_id, worker_id=hasty.pk))

    assert '<td data-label="Answers" class="num">4</td>' in careful_row
    assert "100.0%" in careful_row and "2 of 2 correct" in careful_row
    assert "75.0%" in careful_row  # agreement: mean of 1.0 and 0.5
    assert "25 s" in careful_row  # median of 10, 20, 30, 40
    assert "Working" in careful_row

    assert "50.0%" in hasty_row and "1 of 2 correct" in hasty_row
    assert "bar-fill-bad" in hasty_row  # under the 60% threshold
    assert "0.0%" in hasty_row
    assert '<span class="badge badge-warn">2</span>' in hasty_row
    assert "Stopped" in hasty_row
    # Workers appear by pseudonym only.
    assert careful.email not in html and hasty.email not in html


def test_the_flags_list_too_fast_answers_with_their_timings(
    site_tree, owner_client, project, figures
):
    html = owner_client.get(f"/company/projects/{project.pk}/quality/").content.decode()
    flags = html[html.index("Too-fast answers") :]
    assert flags.count('data-label="Time taken"') == 2
    assert '<td data-label="Time taken" class="num">2 s</td>' in flags
    assert '<td data-label="Time taken" class="num">3 s</td>' in flags
    assert "less than 5 seconds" in flags


def test_the_table_sorts(site_tree, owner_client, project, figures):
    careful, hasty = figures
    names = [
        worker_pseudonym(company_id=project.company_id, worker_id=worker.pk)
        for worker in (careful, hasty)
    ]

    def order(query):
        html = owner_client.get(f"/company/projects/{project.pk}/quality/?{query}").content.decode()
        return sorted(names, key=lambda name: html.index(f"<code>{name}</code>"))

    assert order("") == [names[1], names[0]]  # worst accuracy first by default
    assert order("sort=accuracy&dir=desc") == [names[0], names[1]]
    assert order("sort=answers&dir=asc") == [names[1], names[0]]
    assert order("sort=fast&dir=desc") == [names[1], names[0]]
    assert order("sort=agreement&dir=desc") == [names[0], names[1]]
    assert order("sort=time&dir=asc") == [names[1], names[0]]
    assert order("sort=DROP TABLE&dir=sideways") == [names[1], names[0]]  # ignored
    assert owner_client.get(f"/company/projects/{project.pk}/quality/?page=zz").status_code == 200


def test_a_project_without_answers_has_empty_states(site_tree, owner_client, project):
    html = owner_client.get(f"/company/projects/{project.pk}/quality/").content.decode()
    assert "No answers yet" in html
    assert "No flags" in html


def test_another_companys_project_is_not_found(site_tree, owner_client):
    other = make_project()
    assert owner_client.get(f"/company/projects/{other.pk}/quality/").status_code == 404


def test_reviewers_see_it_and_workers_do_not(site_tree, client, company, project):
    client.force_login(MembershipFactory(company=company, role="reviewer").user)
    assert client.get(f"/company/projects/{project.pk}/quality/").status_code == 200
    client.force_login(WorkerFactory())
    assert client.get(f"/company/projects/{project.pk}/quality/").status_code == 403


def test_the_page_costs_the_same_queries_for_many_workers(site_tree, owner_client, project):
    url = f"/company/projects/{project.pk}/quality/"
    _answers(project, WorkerFactory(), [(True, 1.0, 0.5, 10, True)])
    owner_client.get(url)
    with CaptureQueriesContext(connection) as few:
        owner_client.get(url)
    for _ in range(12):
        _answers(
            project, WorkerFactory(), [(True, 0.0, 1.0, 3, True), (False, None, 0.5, 8, False)]
        )
    with CaptureQueriesContext(connection) as many:
        html = owner_client.get(url).content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)
    assert html.count('data-label="Answers"') == 13


def test_the_project_tabs_link_to_quality(site_tree, owner_client, project):
    html = owner_client.get(f"/company/projects/{project.pk}/").content.decode()
    assert f'href="/company/projects/{project.pk}/quality/"' in html


# --- The worker's own summary -----------------------------------------------------------


def test_a_worker_sees_their_own_figures_only(site_tree, client, project):
    me, other = WorkerFactory(), WorkerFactory()
    _answers(project, me, [(True, 1.0, 1.0, 12, False), (True, 0.0, 0.0, 4, True)])
    elsewhere = make_project(title="Someone else's project")
    _answers(elsewhere, other, [(True, 0.0, 0.0, 1, True)])
    _answers(project, other, [(True, 0.0, 0.0, 1, True)] * 3)
    client.force_login(me)

    html = client.get("/work/quality/").content.decode()

    assert project.title in html
    assert "Someone else" not in html
    assert "50.0%" in html and "1 of 2 fully correct" in html
    assert "requires 60%" in html
    assert "Below the threshold" in html
    assert "2 answers" in html and "median 8 s" in html
    assert "Item " in html and ": 4 s" in html  # the too-fast flag with its timing
    assert ": 1 s" not in html  # the other worker's flags


def test_a_stopped_worker_sees_the_evidence_and_the_way_to_appeal(site_tree, client, project):
    me = WorkerFactory()
    _answers(project, me, [(True, 0.0, None, 9, False)] * 3)
    failed = list(project.assignments.values_list("item_id", flat=True))
    WorkerStop.objects.create(
        project=project,
        worker=me,
        reason="Your accuracy on control tasks is 0% over 3 control tasks.",
        evidence={
            "gold_answered": 3,
            "accuracy": 0.0,
            "threshold": 60,
            "recent_failed_gold_item_ids": failed,
            "qualification_revoked": {"grant_id": 1, "qualification_id": 1},
        },
    )
    client.force_login(me)
    html = client.get("/work/quality/").content.decode()
    assert "Stopped on" in html
    assert "Your accuracy: 0.0% over 3 control tasks; required: 60%." in html
    assert f"item {failed[0]}" in html
    assert "qualification this project requires was revoked" in html
    assert f'href="/work/projects/{project.pk}/appeal/"' in html


def test_the_worker_page_has_an_empty_state(site_tree, worker_client):
    html = worker_client.get("/work/quality/").content.decode()
    assert "Nothing to show yet" in html


def test_company_members_cannot_open_the_worker_page(site_tree, owner_client):
    assert owner_client.get("/work/quality/").status_code == 403


def test_the_worker_page_costs_the_same_queries_for_many_projects(site_tree, client):
    me = WorkerFactory()
    client.force_login(me)
    _answers(make_project(), me, [(True, 1.0, 1.0, 12, True)])
    client.get("/work/quality/")
    with CaptureQueriesContext(connection) as few:
        client.get("/work/quality/")
    for _ in range(6):
        project = make_project()
        _answers(project, me, [(True, 0.0, 0.5, 2, True), (False, None, 1.0, 7, False)])
        WorkerStop.objects.create(project=project, worker=me, reason="Low accuracy.")
    with CaptureQueriesContext(connection) as many:
        client.get("/work/quality/")
    assert len(many.captured_queries) == len(few.captured_queries)
