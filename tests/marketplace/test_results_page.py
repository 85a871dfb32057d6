"""The company's results page: empty state, summary and chart, low-confidence items,
"Aggregate now" (owners and managers), downloads, and scoping to the member's company."""

import json

import pytest
from django.contrib.messages import get_messages

from marketplace.models import ItemResult
from tests.factories import MembershipFactory
from tests.marketplace.factories import bulk_answers, make_items, make_project, make_workers_fast

pytestmark = pytest.mark.django_db


def member_client(client, company, role="owner"):
    client.force_login(MembershipFactory(company=company, role=role).user)
    return client


def answered_project(company):
    """Three items: two agreed on, one split (below the 70% target)."""
    project = make_project(company=company, overlap=2)
    items = make_items(project, 3)
    ann, bob = make_workers_fast(2, prefix="page")
    bulk_answers(
        [
            (items[0], ann, {"label": "positive"}),
            (items[0], bob, {"label": "positive"}),
            (items[1], ann, {"label": "negative"}),
            (items[1], bob, {"label": "negative"}),
            (items[2], ann, {"label": "positive"}),
            (items[2], bob, {"label": "neutral"}),
        ]
    )
    return project, items


def url(project, suffix=""):
    return f"/company/projects/{project.pk}/results/{suffix}"


def test_a_project_without_answers_shows_the_empty_state(client, company):
    project = make_project(company=company)
    make_items(project, 2)

    response = member_client(client, company, "reviewer").get(url(project))

    assert response.status_code == 200
    assert b'data-testid="results-empty"' in response.content
    assert b"No results yet" in response.content
    assert b'aria-current="page">Results' in response.content


def test_aggregate_now_fills_the_summary_chart_and_low_confidence_list(
    client, company, django_capture_on_commit_callbacks
):
    project, items = answered_project(company)
    manager = member_client(client, company, "manager")

    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(url(project, "aggregate/"))

    assert response.status_code == 302
    assert response["Location"] == url(project)
    assert ItemResult.objects.filter(project=project).count() == 3
    page = manager.get(url(project)).content.decode()
    assert 'data-testid="items-aggregated">3<' in page
    assert '<svg class="confidence-chart"' in page
    assert page.count('<rect class="confidence-bar') == 10
    assert f'href="/company/projects/{project.pk}/items/{items[2].pk}/"' in page
    assert f"/items/{items[0].pk}/" not in page
    assert "export.csv" in page and "export.jsonl" in page
    assert "<script>" not in page.split("</main>")[0].split("<main")[-1]


def test_a_reviewer_sees_results_but_cannot_aggregate(client, company):
    project, _items = answered_project(company)
    reviewer = member_client(client, company, "reviewer")

    assert reviewer.post(url(project, "aggregate/")).status_code == 403
    assert not ItemResult.objects.exists()
    page = reviewer.get(url(project)).content.decode()
    assert "Owners and managers aggregate a project." in page
    assert reviewer.get(url(project, "aggregate/")).status_code in (403, 405)


def test_downloads_stream_csv_and_jsonl(client, company):
    project, _items = answered_project(company)
    owner = member_client(client, company)

    csv_response = owner.get(url(project, "export.csv"))
    jsonl_response = owner.get(url(project, "export.jsonl"))

    assert csv_response.streaming and jsonl_response.streaming
    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="project-' in csv_response["Content-Disposition"]
    lines = b"".join(jsonl_response.streaming_content).decode().splitlines()
    assert [json.loads(line)["answer_count"] for line in lines] == [2, 2, 2]


def test_an_unknown_download_format_goes_back_with_a_message(client, company):
    project, _items = answered_project(company)
    owner = member_client(client, company)

    response = owner.get(url(project, "export.xlsx"))

    assert response.status_code == 302
    assert [m.message for m in get_messages(response.wsgi_request)] == [
        "Choose the format csv or jsonl."
    ]


def test_another_companys_project_is_404_on_every_results_url(client, company):
    project, _items = answered_project(company)
    stranger = member_client(client, MembershipFactory().company)

    assert stranger.get(url(project)).status_code == 404
    assert stranger.post(url(project, "aggregate/")).status_code == 404
    assert stranger.get(url(project, "export.csv")).status_code == 404
    assert not ItemResult.objects.exists()


def test_workers_and_visitors_are_kept_out(client, worker, company):
    project, _items = answered_project(company)
    assert client.get(url(project)).status_code == 302
    client.force_login(worker)
    assert client.get(url(project)).status_code == 403
