"""Pages of qualification tests: taking, results, overview, authoring, admin; leakage and
permissions (jobs/qualification_views.py, jobs/qualification_admin.py)."""

import datetime
import json
import re
from pathlib import Path

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import RequestFactory

from jobs import qualification as services
from jobs.models import Application, Qualification, QualificationTest
from jobs.qualification_io import qualification_test_export
from jobs.qualification_models import AttemptAnswer, QualificationAttempt, QualificationGrant
from tests.factories import (
    CompanyFactory,
    MembershipFactory,
    UserFactory,
    WorkerFactory,
    make_application,
    make_job,
)
from tests.jobs.qualification_factories import (
    answers_for,
    build_test_document,
    make_qualification_test,
)

NOON = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)
KEY_FRAGMENTS = [
    "EXPLAIN-",
    "Keyword-Spamlabel",
    "keyword-spamlabel",
    "keyregex",
    "73519",
    "correct",
]


@pytest.fixture
def qtest(db):
    return make_qualification_test()


def attempt_of(worker):
    return QualificationAttempt.objects.get(worker=worker)


def form_answers(attempt, *, correct=True) -> dict:
    return {f"q{pk}": value for pk, value in answers_for(attempt, correct=correct).items()}


# --- Taking a test ------------------------------------------------------------------------


def test_the_intro_page_shows_the_rules_and_a_start_button(worker_client, qtest):
    response = worker_client.get(f"/work/tests/{qtest.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert qtest.title in body
    assert "20 minutes" in body
    assert "80%" in body
    assert "3 of 3" in body
    assert "Start the test" in body


def test_starting_redirects_to_the_attempt_and_a_reload_continues_it(worker_client, worker, qtest):
    response = worker_client.post(f"/work/tests/{qtest.pk}/start/")
    attempt = attempt_of(worker)
    assert response.status_code == 302
    assert response["Location"] == f"/work/attempts/{attempt.pk}/"
    assert worker_client.post(f"/work/tests/{qtest.pk}/start/")["Location"] == response["Location"]
    page = worker_client.get(f"/work/attempts/{attempt.pk}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert f'data-deadline="{attempt.deadline.isoformat()}"' in body
    assert "Ends at" in body
    assert body.count('<fieldset class="question card"') == 4
    assert 'src="/static/js/qualification-test.js" defer' in body


def test_autosave_then_reload_shows_the_saved_answer(worker_client, worker, qtest):
    worker_client.post(f"/work/tests/{qtest.pk}/start/")
    attempt = attempt_of(worker)
    question = qtest.questions.get(kind="short_text")
    response = worker_client.post(
        f"/work/attempts/{attempt.pk}/answer/",
        data=json.dumps({"question": question.pk, "value": "my draft"}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["saved"] is True
    assert AttemptAnswer.objects.get().value == "my draft"
    assert 'value="my draft"' in worker_client.get(f"/work/attempts/{attempt.pk}/").content.decode()


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ("{not json", 400, "invalid_json"),
        (json.dumps([1]), 400, "invalid_body"),
        (json.dumps({"value": "x"}), 400, "invalid_body"),
        (json.dumps({"question": 999999, "value": "x"}), 422, "unknown_question"),
        (json.dumps({"question": "abc", "value": "x"}), 422, "unknown_question"),
    ],
)
def test_autosave_refuses_bad_bodies(worker_client, worker, qtest, body, status, code):
    worker_client.post(f"/work/tests/{qtest.pk}/start/")
    attempt = attempt_of(worker)
    response = worker_client.post(
        f"/work/attempts/{attempt.pk}/answer/", data=body, content_type="application/json"
    )
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert AttemptAnswer.objects.count() == 0


def test_autosave_refuses_an_invalid_answer_with_the_field(worker_client, worker, qtest):
    worker_client.post(f"/work/tests/{qtest.pk}/start/")
    attempt = attempt_of(worker)
    question = qtest.questions.get(kind="numeric")
    response = worker_client.post(
        f"/work/attempts/{attempt.pk}/answer/",
        data=json.dumps({"question": question.pk, "value": "seventy"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == f"q{question.pk}"
    assert AttemptAnswer.objects.count() == 0


def test_autosave_after_the_deadline_is_refused_and_not_counted(worker_client, worker, qtest):
    with time_machine.travel(NOON, tick=False):
        worker_client.post(f"/work/tests/{qtest.pk}/start/")
    attempt = attempt_of(worker)
    question = qtest.questions.get(kind="short_text")
    with time_machine.travel(NOON + datetime.timedelta(minutes=21), tick=False):
        response = worker_client.post(
            f"/work/attempts/{attempt.pk}/answer/",
            data=json.dumps({"question": question.pk, "value": "Keyword-Spamlabel"}),
            content_type="application/json",
        )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "deadline_passed"
    assert AttemptAnswer.objects.count() == 0
    attempt.refresh_from_db()
    assert (attempt.status, attempt.ended_by) == ("failed", "deadline")


def test_the_form_without_javascript_saves_and_submits(worker_client, worker, site_tree):
    test = make_qualification_test()
    job = make_job(qualification_test=test)
    application = make_application(worker=worker, job=job, status=Application.Status.TEST_REQUIRED)
    worker_client.post(f"/work/tests/{test.pk}/start/")
    attempt = attempt_of(worker)
    answers = form_answers(attempt)
    saved = worker_client.post(f"/work/attempts/{attempt.pk}/", {**answers, "action": "save"})
    assert saved.status_code == 302
    assert AttemptAnswer.objects.count() == 4
    response = worker_client.post(f"/work/attempts/{attempt.pk}/", {**answers, "action": "submit"})
    assert response["Location"] == f"/work/attempts/{attempt.pk}/result/"
    result = worker_client.get(response["Location"]).content.decode()
    assert "You passed" in result
    assert "Your score: 100%" in result
    assert "EXPLAIN-SINGLE" in result
    application.refresh_from_db()
    assert application.status == Application.Status.QUALIFIED
    assert job.title in result


def test_an_invalid_form_answer_shows_next_to_its_question_and_nothing_is_saved(
    worker_client, worker, qtest
):
    worker_client.post(f"/work/tests/{qtest.pk}/start/")
    attempt = attempt_of(worker)
    answers = form_answers(attempt)
    numeric = qtest.questions.get(kind="numeric")
    answers[f"q{numeric.pk}"] = "lots"
    response = worker_client.post(f"/work/attempts/{attempt.pk}/", {**answers, "action": "submit"})
    body = response.content.decode()
    assert response.status_code == 422
    assert f'id="q{numeric.pk}-error"' in body
    assert "Write a number with digits" in body
    assert 'value="lots"' in body
    attempt.refresh_from_db()
    assert attempt.is_in_progress
    assert AttemptAnswer.objects.count() == 0


def test_failing_shows_the_score_and_the_retake_date(worker_client, worker, qtest):
    worker.worker_profile.timezone = "America/New_York"
    worker.worker_profile.save()
    with time_machine.travel(NOON, tick=False):
        worker_client.post(f"/work/tests/{qtest.pk}/start/")
        attempt = attempt_of(worker)
        worker_client.post(
            f"/work/attempts/{attempt.pk}/",
            {**form_answers(attempt, correct=False), "action": "submit"},
        )
        result = worker_client.get(f"/work/attempts/{attempt.pk}/result/").content.decode()
        intro = worker_client.get(f"/work/tests/{qtest.pk}/").content.decode()
        refused = worker_client.post(f"/work/tests/{qtest.pk}/start/", follow=True)
    expected = "You can retake on March 3, 2026, 7 a.m. (America/New_York)."
    assert "Your score: 0%" in result
    assert expected in result
    assert "EXPLAIN-NUM" in result
    assert expected in intro
    assert expected in refused.content.decode()
    assert QualificationAttempt.objects.count() == 1


def test_without_feedback_the_result_hides_the_key(worker_client, worker):
    test = make_qualification_test(show_feedback=False)
    worker_client.post(f"/work/tests/{test.pk}/start/")
    attempt = attempt_of(worker)
    worker_client.post(f"/work/attempts/{attempt.pk}/", {"action": "submit"})
    body = worker_client.get(f"/work/attempts/{attempt.pk}/result/").content.decode()
    assert "Your score: 0%" in body
    for fragment in KEY_FRAGMENTS:
        assert fragment not in body


def test_my_qualifications_lists_grants_revocations_and_open_attempts(
    worker_client, worker, admin_user
):
    passed = make_qualification_test()
    revoked = make_qualification_test()
    open_test = make_qualification_test()
    for test in (passed, revoked):
        attempt = services.attempt_start(worker=worker, test=test)
        services.attempt_submit(attempt=attempt, worker=worker, answers=answers_for(attempt))
    services.grant_revoke(
        grant=QualificationGrant.objects.get(qualification=revoked.qualification),
        actor=admin_user,
        reason="Answers shared online",
    )
    services.attempt_start(worker=worker, test=open_test)
    body = worker_client.get("/work/qualifications/").content.decode()
    assert passed.qualification.name in body
    assert revoked.qualification.name in body
    assert "Revoked" in body and "Answers shared online" in body
    assert open_test.title in body


def test_my_qualifications_has_an_empty_state(worker_client):
    assert "No qualifications yet" in worker_client.get("/work/qualifications/").content.decode()


# --- The answer key never reaches the worker mid-attempt -----------------------------------


def test_no_answer_key_in_anything_the_worker_gets_during_an_attempt(worker_client, worker, qtest):
    bodies = []
    bodies.append(worker_client.get(f"/work/tests/{qtest.pk}/").content.decode())
    start = worker_client.post(f"/work/tests/{qtest.pk}/start/", follow=True)
    bodies.append(start.content.decode())
    attempt = attempt_of(worker)
    for question in qtest.questions.all():
        value = [question.options[0]["id"]] if question.is_choice else "guess 1"
        if question.kind == "numeric":
            value = "12"
        response = worker_client.post(
            f"/work/attempts/{attempt.pk}/answer/",
            data=json.dumps({"question": question.pk, "value": value}),
            content_type="application/json",
        )
        assert response.status_code == 200
        bodies.append(response.content.decode())
    bodies.append(worker_client.get(f"/work/attempts/{attempt.pk}/").content.decode())
    bodies.append(worker_client.get("/work/qualifications/").content.decode())
    bodies.append(Path(settings.BASE_DIR, "static/js/qualification-test.js").read_text())
    for body in bodies:
        for fragment in KEY_FRAGMENTS:
            assert fragment not in body, fragment
    page = bodies[-3]
    # Every option is shown exactly once, and a correct option's input looks like any other.
    for question in qtest.questions.filter(kind__in=["single_choice", "multiple_choice"]):
        inputs = set()
        for option in question.options:
            assert page.count(option["text"]) == 1
            tag = re.search(rf'<input [^>]*value="{option["id"]}"[^>]*>', page).group(0)
            inputs.add(tag.replace(option["id"], "ID").replace(" checked", ""))
        assert len(inputs) == 1


# --- Permissions --------------------------------------------------------------------------


def test_a_worker_cannot_read_or_answer_another_workers_attempt(client, worker, qtest):
    attempt = services.attempt_start(worker=worker, test=qtest)
    client.force_login(WorkerFactory())
    question = qtest.questions.first()
    assert client.get(f"/work/attempts/{attempt.pk}/").status_code == 404
    assert client.post(f"/work/attempts/{attempt.pk}/", {"action": "submit"}).status_code == 404
    assert client.get(f"/work/attempts/{attempt.pk}/result/").status_code == 404
    response = client.post(
        f"/work/attempts/{attempt.pk}/answer/",
        data=json.dumps({"question": question.pk, "value": ""}),
        content_type="application/json",
    )
    assert response.status_code == 404
    attempt.refresh_from_db()
    assert attempt.is_in_progress
    assert AttemptAnswer.objects.count() == 0


def test_unknown_tests_and_attempts_are_404(worker_client):
    assert worker_client.get("/work/tests/999999/").status_code == 404
    assert worker_client.post("/work/tests/999999/start/").status_code == 404
    assert worker_client.get("/work/attempts/999999/").status_code == 404


# --- The call to action include -----------------------------------------------------------


def render_link(test, worker) -> str:
    request = RequestFactory().get("/")
    request.user = worker
    template = Template(
        '{% include "jobs/qualification/includes/test_link.html" with test=test worker=worker %}'
    )
    return template.render(Context({"test": test, "worker": worker, "request": request}))


def test_the_call_to_action_follows_the_worker(worker, qtest):
    assert "Take the test" in render_link(qtest, worker)
    attempt = services.attempt_start(worker=worker, test=qtest)
    assert f"/work/attempts/{attempt.pk}/" in render_link(qtest, worker)
    services.attempt_submit(attempt=attempt, worker=worker)
    assert "Retake on" in render_link(qtest, worker)
    other = WorkerFactory()
    attempt = services.attempt_start(worker=other, test=qtest)
    services.attempt_submit(attempt=attempt, worker=other, answers=answers_for(attempt))
    assert "Passed with 100" in render_link(qtest, other)
    assert render_link(None, worker).strip() == ""


# --- Company authoring --------------------------------------------------------------------


def question_post(index, **fields) -> dict:
    defaults = {
        "id": "",
        "kind": "single_choice",
        "prompt": f"Prompt {index}",
        "context": "",
        "weight": "1",
        "options": "*Right\nWrong",
        "accepted_answers": "",
        "regex": "",
        "numeric_answer": "",
        "tolerance": "0",
        "explanation": "",
    }
    defaults.update(fields)
    return {f"questions-{index}-{key}": value for key, value in defaults.items()}


def editor_post(questions: list[dict], **test_fields) -> dict:
    data = {
        "qualification_name": "Image boxes",
        "title": "Bounding boxes test",
        "category": "image-annotation",
        "instructions": "Draw tight boxes.",
        "pass_score": "70",
        "time_limit_minutes": "15",
        "max_attempts": "2",
        "retake_cooldown_hours": "12",
        "questions_per_attempt": str(len(questions)),
        "shuffle_questions": "on",
        "shuffle_options": "on",
        "grant_validity_days": "",
        "show_feedback": "on",
        "questions-TOTAL_FORMS": str(len(questions)),
        "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
    }
    data.update(test_fields)
    for question in questions:
        data.update(question)
    return data


def test_a_company_member_creates_a_test_with_questions_inline(client, owner, company):
    client.force_login(owner)
    data = editor_post(
        [
            question_post(0),
            question_post(1, kind="numeric", numeric_answer="4", tolerance="0.5", options=""),
            question_post(2, kind="short_text", accepted_answers="cat\nkitten", options=""),
        ]
    )
    response = client.post("/company/tests/new/", data)
    test = QualificationTest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/company/tests/{test.pk}/"
    assert (test.company, test.qualification.company, test.qualification.name) == (
        company,
        company,
        "Image boxes",
    )
    exported = qualification_test_export(test=test)["questions"]
    assert exported[0]["options"] == [
        {"text": "Right", "correct": True},
        {"text": "Wrong", "correct": False},
    ]
    assert exported[1]["answer"] == 4 and exported[1]["tolerance"] == 0.5
    assert exported[2]["accepted_answers"] == ["cat", "kitten"]
    edit = client.get(f"/company/tests/{test.pk}/").content.decode()
    assert "*Right" in edit


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ({"options": "*One\n*Two"}, "A single-choice question needs exactly one correct option."),
        ({"options": "One\nTwo"}, "A single-choice question needs exactly one correct option."),
        ({"kind": "short_text", "options": "", "regex": "(a+)+"}, "Nested quantifiers"),
        ({"kind": "numeric", "options": ""}, "Must be a number."),
        ({"weight": "0"}, "Ensure this value is greater than or equal to 1."),
    ],
)
def test_bad_questions_show_a_form_error_and_nothing_is_saved(client, owner, question, message):
    client.force_login(owner)
    response = client.post("/company/tests/new/", editor_post([question_post(0, **question)]))
    assert response.status_code == 422
    assert message in response.content.decode()
    assert (QualificationTest.objects.count(), Qualification.objects.count()) == (0, 0)


def test_drawing_more_questions_than_the_pool_is_a_form_error(client, owner):
    client.force_login(owner)
    data = editor_post([question_post(0)], questions_per_attempt="3")
    response = client.post("/company/tests/new/", data)
    assert response.status_code == 422
    assert "The test draws 3 questions but its pool has 1" in response.content.decode()
    assert QualificationTest.objects.count() == 0


def test_company_import_preview_export_and_results(client, owner, company, worker):
    client.force_login(owner)
    document = build_test_document()
    upload = SimpleUploadedFile("t.json", json.dumps(document).encode(), "application/json")
    response = client.post("/company/tests/import/", {"file": upload})
    test = QualificationTest.objects.get()
    assert response["Location"] == f"/company/tests/{test.pk}/"
    assert test.company == company
    preview = client.get(f"/company/tests/{test.pk}/preview/").content.decode()
    assert "Preview" in preview and "KEYOPT-forecast" in preview
    assert "EXPLAIN-" not in preview
    assert QualificationAttempt.objects.count() == 0
    exported = client.get(f"/company/tests/{test.pk}/export/")
    assert exported["Content-Type"].startswith("application/json")
    assert json.loads(exported.content) == document
    attempt = services.attempt_start(worker=worker, test=test)
    services.attempt_submit(attempt=attempt, worker=worker, answers=answers_for(attempt))
    results = client.get(f"/company/tests/{test.pk}/results/").content.decode()
    assert worker.display_name in results and "100%" in results
    listing = client.get("/company/tests/").content.decode()
    assert test.title in listing


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{oops", "not valid JSON"),
        (json.dumps({"format": "x"}).encode(), "format: must be"),
    ],
)
def test_a_bad_import_lists_the_problems_and_creates_nothing(client, owner, content, message):
    client.force_login(owner)
    upload = SimpleUploadedFile("t.json", content, "application/json")
    response = client.post("/company/tests/import/", {"file": upload})
    assert response.status_code == 422
    assert "Nothing was imported" in response.content.decode()
    assert message in response.content.decode()
    assert QualificationTest.objects.count() == 0


def test_an_import_without_a_file_is_a_form_error(client, owner):
    client.force_login(owner)
    response = client.post("/company/tests/import/", {})
    assert response.status_code == 422
    assert "choose a .json file" in response.content.decode()


def test_a_company_member_cannot_see_or_edit_another_companys_test(client, owner, worker):
    other = make_qualification_test(company=CompanyFactory())
    attempt = services.attempt_start(worker=worker, test=other)
    services.attempt_submit(attempt=attempt, worker=worker)
    client.force_login(owner)
    for suffix in ("", "preview/", "export/", "results/"):
        assert client.get(f"/company/tests/{other.pk}/{suffix}").status_code == 404
    before = other.title
    response = client.post(f"/company/tests/{other.pk}/", editor_post([question_post(0)]))
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.title == before
    assert other.title not in client.get("/company/tests/").content.decode()


def test_reviewers_may_read_but_not_author(client, company):
    reviewer = MembershipFactory(company=company, role="reviewer").user
    test = make_qualification_test(company=company)
    client.force_login(reviewer)
    assert client.get("/company/tests/").status_code == 200
    assert client.get(f"/company/tests/{test.pk}/preview/").status_code == 200
    assert client.get(f"/company/tests/{test.pk}/results/").status_code == 200
    assert client.get(f"/company/tests/{test.pk}/").status_code == 403
    assert client.post("/company/tests/new/", editor_post([question_post(0)])).status_code == 403
    assert client.get(f"/company/tests/{test.pk}/export/").status_code == 403


def test_workers_cannot_reach_company_authoring(worker_client, qtest):
    assert worker_client.get("/company/tests/").status_code == 403
    assert worker_client.get(f"/company/tests/{qtest.pk}/").status_code == 403


# --- Staff in the Wagtail admin -----------------------------------------------------------


@pytest.fixture
def staff_client(client, db, site_tree):
    staff = UserFactory(is_staff=True, is_superuser=True)
    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client.force_login(staff)
    client.staff = staff
    return client


def test_staff_author_any_test_in_the_admin(staff_client, worker):
    company_test = make_qualification_test(company=CompanyFactory())
    assert company_test.title in staff_client.get("/admin/qualification-tests/").content.decode()
    assert staff_client.get(f"/admin/qualification-tests/{company_test.pk}/").status_code == 200
    assert (
        staff_client.get(f"/admin/qualification-tests/{company_test.pk}/preview/").status_code
        == 200
    )
    assert staff_client.get("/admin/qualification-tests/new/").status_code == 200
    response = staff_client.post("/admin/qualification-tests/new/", editor_post([question_post(0)]))
    created = QualificationTest.objects.exclude(pk=company_test.pk).get()
    assert response["Location"] == f"/admin/qualification-tests/{created.pk}/"
    assert created.company is None
    upload = SimpleUploadedFile("t.json", json.dumps(build_test_document()).encode())
    assert (
        staff_client.post("/admin/qualification-tests/import/", {"file": upload}).status_code == 302
    )
    assert QualificationTest.objects.count() == 3


def test_staff_revoke_a_grant_with_a_reason(staff_client, worker, qtest):
    attempt = services.attempt_start(worker=worker, test=qtest)
    services.attempt_submit(attempt=attempt, worker=worker, answers=answers_for(attempt))
    grant = QualificationGrant.objects.get()
    url = f"/admin/qualification-tests/grants/{grant.pk}/revoke/"
    refused = staff_client.post(url, {"reason": ""})
    assert refused.status_code == 422
    grant.refresh_from_db()
    assert grant.revoked_at is None
    assert staff_client.post(url, {"reason": "Cheating"}).status_code == 302
    grant.refresh_from_db()
    assert (grant.revoke_reason, grant.revoked_by) == ("Cheating", staff_client.staff)
