"""Sample-task questions of qualification tests: an annotation interface's item graded against
a gold answer with the interface's tolerance (jobs/grading.py, jobs/qualification.py, the
attempt and result pages, authoring and the JSON format)."""

import copy
import json
from fractions import Fraction

import pytest
from allauth.mfa.models import Authenticator
from django.core.files.uploadedfile import SimpleUploadedFile

from jobs import grading
from jobs import qualification as services
from jobs.models import QualificationTest
from jobs.qualification_io import (
    QualificationImportError,
    qualification_test_export,
    qualification_test_import,
)
from jobs.qualification_models import AttemptAnswer, QualificationAttempt, QualificationQuestion
from tests.factories import UserFactory
from tests.jobs.qualification_factories import build_test_document, make_qualification_test
from tests.jobs.test_qualification_views import editor_post, question_post

GOLD_TEXT = "Goldtext zebra quartz leaves platform nine"
CLASSIFY = {
    "kind": "sample_task",
    "prompt": "Label the sentiment of this review.",
    "weight": 2,
    "explanation": "EXPLAIN-SAMPLE praise and a complaint make it mixed.",
    "interface": "classification",
    "config": {"labels": ["positive", "negative", "mixed"], "multiple": False},
    "item": {"text": "Great sound, but it hurts my ears."},
    "gold_answer": {"label": "mixed"},
    "tolerance": None,
}
REGIONS = {
    "kind": "sample_task",
    "prompt": "Box every car.",
    "weight": 3,
    "explanation": "EXPLAIN-BOXES two cars.",
    "interface": "regions",
    "config": {"labels": ["car", "pedestrian"]},
    "item": {"image_url": "/media/demo/tests/street.png"},
    "gold_answer": {
        "boxes": [
            {"x": 0.1173, "y": 0.2291, "w": 0.2, "h": 0.2, "label": "car"},
            {"x": 0.6, "y": 0.6, "w": 0.2, "h": 0.2, "label": "car"},
        ]
    },
    "tolerance": 0.5,
}
TRANSCRIBE = {
    "kind": "sample_task",
    "prompt": "Type what is said.",
    "weight": 1,
    "explanation": "EXPLAIN-AUDIO the announcement.",
    "interface": "transcription",
    "config": {"language": "en"},
    "item": {"audio_url": "/media/demo/tests/clip.wav"},
    "gold_answer": {"text": GOLD_TEXT},
    "tolerance": 0.1,
}


def question(spec: dict, **overrides) -> QualificationQuestion:
    """An unsaved question built from a JSON spec, for the pure grading functions."""
    data = {**spec, **overrides}
    return QualificationQuestion(
        kind="sample_task",
        prompt=data["prompt"],
        weight=data["weight"],
        interface=data["interface"],
        task_config=data["config"],
        task_data=data["item"],
        gold_answer=data["gold_answer"],
        task_tolerance=data["tolerance"],
    )


def sample_test(*specs, **test_overrides) -> QualificationTest:
    document = build_test_document(questions_per_attempt=len(specs), **test_overrides)
    document["questions"] = copy.deepcopy(list(specs))
    return qualification_test_import(data=document).test


def by_interface(attempt) -> dict[str, QualificationQuestion]:
    return {
        q.interface: q for q in QualificationQuestion.objects.filter(pk__in=attempt.question_ids)
    }


# --- Grading ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "credit"),
    [({"label": "mixed"}, Fraction(2)), ({"label": "positive"}, Fraction(0))],
)
def test_classification_earns_the_weight_for_the_gold_label_only(answer, credit):
    assert grading.grade_question(question(CLASSIFY), answer) == credit


def test_multiple_labels_earn_their_jaccard_overlap_as_an_exact_fraction():
    spec = {
        **CLASSIFY,
        "config": {"labels": ["a", "b", "c"], "multiple": True},
        "gold_answer": {"labels": ["a", "b"]},
    }
    credit = grading.grade_question(question(spec), {"labels": ["a", "c"]})
    assert credit == Fraction(3333, 10000) * 2


def shifted(box: dict, dx: float) -> dict:
    return {**box, "x": round(box["x"] + dx, 4)}


def test_regions_credit_follows_the_iou_tolerance():
    gold = REGIONS["gold_answer"]["boxes"]
    # Each box moved by a fifth of its width: IoU = 0.16 / 0.24 = 2/3.
    answer = {"boxes": [shifted(box, 0.04) for box in gold]}
    assert grading.grade_question(question(REGIONS, tolerance=0.5), answer) == 3
    assert grading.grade_question(question(REGIONS, tolerance=0.8), answer) == 0
    one_box = {"boxes": [gold[0]]}  # precision 1, recall 1/2: F1 = 2/3
    assert grading.grade_question(question(REGIONS), one_box) == Fraction(6667, 10000) * 3


def test_regions_without_a_tolerance_use_the_interface_default():
    gold = REGIONS["gold_answer"]["boxes"]
    answer = {"boxes": [shifted(box, 0.04) for box in gold]}
    assert grading.grade_question(question(REGIONS, tolerance=None), answer) == 3


def test_transcription_forgives_small_slips_within_the_edit_distance_tolerance():
    typo = {"text": GOLD_TEXT.replace("zebra", "zebre").lower() + "."}
    assert grading.grade_question(question(TRANSCRIBE, tolerance=0.1), typo) == 1
    strict = grading.grade_question(question(TRANSCRIBE, tolerance=0), typo)
    assert Fraction(9, 10) < strict < 1
    assert grading.grade_question(question(TRANSCRIBE), {"text": "something else"}) < Fraction(1, 2)


@pytest.mark.parametrize(
    "answer",
    [
        None,
        "mixed",
        ["mixed"],
        {},
        {"label": "MIXED-not-a-label"},
        {"label": ["mixed"]},
        {"label": "mixed", "extra": "<script>alert(1)</script>"},
        {"label": {"a": {"b": {"c": {"d": {"e": "deep"}}}}}},
        {"label": "x" * 100_000},
    ],
)
def test_an_answer_the_interface_refuses_earns_nothing(answer):
    assert grading.grade_question(question(CLASSIFY), answer) == 0


@pytest.mark.parametrize(
    "answer",
    [
        {"boxes": [{"x": float("nan"), "y": 0.1, "w": 0.2, "h": 0.2, "label": "car"}]},
        {"boxes": [{"x": 0.9, "y": 0.9, "w": 0.5, "h": 0.5, "label": "car"}]},
        {"boxes": [{"x": 0.1, "y": 0.1, "w": 0.2, "h": 0.2, "label": "truck"}]},
        {"boxes": "all of them"},
    ],
)
def test_hostile_region_answers_earn_nothing(answer):
    assert grading.grade_question(question(REGIONS), answer) == 0


def test_a_question_whose_interface_is_gone_earns_nothing():
    assert grading.grade_question(question(CLASSIFY, interface="telepathy"), {"label": "x"}) == 0


# --- Answering and grading an attempt -----------------------------------------------------


def test_answers_are_cleaned_stored_and_graded_per_interface(worker):
    test = sample_test(CLASSIFY, REGIONS, TRANSCRIBE)
    attempt = services.attempt_start(worker=worker, test=test)
    questions = by_interface(attempt)
    gold_boxes = REGIONS["gold_answer"]["boxes"]
    services.attempt_answers_save(
        attempt=attempt,
        worker=worker,
        answers={
            questions["classification"].pk: json.dumps({"label": "mixed"}),
            questions["regions"].pk: {"boxes": [shifted(b, 0.04) for b in gold_boxes]},
        },
    )
    stored = AttemptAnswer.objects.get(question=questions["classification"])
    assert stored.value == {"label": "mixed"}
    result = services.attempt_submit(attempt=attempt, worker=worker)
    credits = {a.question.interface: a.credit for a in result.answers.select_related("question")}
    assert credits == {"classification": 2, "regions": 3}
    # 5 of 6 points: the transcription was never answered and earns 0.
    assert (result.score, result.status) == (83, QualificationAttempt.Status.PASSED)


def test_a_refused_answer_is_not_saved_and_names_its_question(worker):
    test = sample_test(CLASSIFY)
    attempt = services.attempt_start(worker=worker, test=test)
    pk = attempt.question_ids[0]
    with pytest.raises(services.LoopworkError) as refusal:
        services.attempt_answers_save(
            attempt=attempt, worker=worker, answers={pk: {"label": "furious"}}
        )
    assert (refusal.value.status, refusal.value.field) == (422, f"q{pk}")
    with pytest.raises(services.LoopworkError):
        services.attempt_answers_save(attempt=attempt, worker=worker, answers={pk: "{not json"})
    assert AttemptAnswer.objects.count() == 0


def test_an_empty_widget_saves_no_answer_yet(worker):
    test = sample_test(CLASSIFY)
    attempt = services.attempt_start(worker=worker, test=test)
    pk = attempt.question_ids[0]
    services.attempt_answers_save(attempt=attempt, worker=worker, answers={pk: ""})
    assert AttemptAnswer.objects.get().value == {}
    assert services.attempt_submit(attempt=attempt, worker=worker).score == 0


# --- Pages --------------------------------------------------------------------------------


def test_the_attempt_page_renders_the_widget_without_the_gold_answer(worker_client, worker):
    test = sample_test(TRANSCRIBE, REGIONS)
    worker_client.post(f"/work/tests/{test.pk}/start/")
    attempt = QualificationAttempt.objects.get(worker=worker)
    questions = by_interface(attempt)
    body = worker_client.get(f"/work/attempts/{attempt.pk}/").content.decode()
    assert f'name="q-{questions["transcription"].pk}"' in body
    assert "/media/demo/tests/clip.wav" in body
    for secret in (GOLD_TEXT, "Goldtext", "0.1173", "0.2291", "EXPLAIN-"):
        assert secret not in body
    saved = worker_client.post(
        f"/work/attempts/{attempt.pk}/answer/",
        {"question": questions["transcription"].pk, "value": {"text": "leaves platform"}},
        content_type="application/json",
    )
    assert saved.status_code == 200
    assert set(saved.json()) == {"saved", "saved_at"}
    assert GOLD_TEXT not in saved.content.decode()
    reloaded = worker_client.get(f"/work/attempts/{attempt.pk}/").content.decode()
    assert "leaves platform" in reloaded and GOLD_TEXT not in reloaded


def test_autosave_refuses_an_answer_the_interface_refuses(worker_client, worker):
    test = sample_test(CLASSIFY)
    worker_client.post(f"/work/tests/{test.pk}/start/")
    attempt = QualificationAttempt.objects.get(worker=worker)
    pk = attempt.question_ids[0]
    response = worker_client.post(
        f"/work/attempts/{attempt.pk}/answer/",
        {"question": pk, "value": {"label": "<b>furious</b>"}},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == f"q{pk}"
    assert response.json()["error"]["code"] == "invalid_answer"
    assert AttemptAnswer.objects.count() == 0


def test_the_form_posts_the_widget_json_and_the_result_explains(worker_client, worker):
    test = sample_test(CLASSIFY, TRANSCRIBE)
    worker_client.post(f"/work/tests/{test.pk}/start/")
    attempt = QualificationAttempt.objects.get(worker=worker)
    questions = by_interface(attempt)
    response = worker_client.post(
        f"/work/attempts/{attempt.pk}/",
        {
            "action": "submit",
            f"q-{questions['classification'].pk}": json.dumps({"label": "positive"}),
            f"q-{questions['transcription'].pk}": json.dumps({"text": GOLD_TEXT.upper()}),
        },
    )
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.score == 33  # 1 of 3 points
    body = worker_client.get(f"/work/attempts/{attempt.pk}/result/").content.decode()
    assert "Your answer" in body and "Expected" in body
    assert "positive" in body and "mixed" in body
    assert "EXPLAIN-SAMPLE" in body and "EXPLAIN-AUDIO" in body


def test_a_refused_form_answer_is_shown_beside_its_question(worker_client, worker):
    test = sample_test(CLASSIFY)
    worker_client.post(f"/work/tests/{test.pk}/start/")
    attempt = QualificationAttempt.objects.get(worker=worker)
    pk = attempt.question_ids[0]
    response = worker_client.post(
        f"/work/attempts/{attempt.pk}/",
        {"action": "save", f"q-{pk}": json.dumps({"label": "furious"})},
    )
    assert response.status_code == 422
    assert f'id="q{pk}-error"' in response.content.decode()
    assert AttemptAnswer.objects.count() == 0


def test_without_feedback_the_result_shows_no_expected_answer(worker_client, worker):
    test = sample_test(TRANSCRIBE, show_feedback=False)
    worker_client.post(f"/work/tests/{test.pk}/start/")
    attempt = QualificationAttempt.objects.get(worker=worker)
    worker_client.post(f"/work/attempts/{attempt.pk}/", {"action": "submit"})
    body = worker_client.get(f"/work/attempts/{attempt.pk}/result/").content.decode()
    assert GOLD_TEXT not in body and "EXPLAIN-" not in body


# --- Import and export --------------------------------------------------------------------


def test_sample_tasks_survive_an_export_import_round_trip(db):
    test = sample_test(CLASSIFY, REGIONS, TRANSCRIBE)
    exported = qualification_test_export(test=test)
    assert [q["interface"] for q in exported["questions"]] == [
        "classification",
        "regions",
        "transcription",
    ]
    assert exported["questions"][2]["gold_answer"] == {"text": GOLD_TEXT}
    assert exported["questions"][1]["tolerance"] == 0.5
    again = qualification_test_import(data=json.loads(json.dumps(exported)))
    assert (again.test.pk, again.changed) == (test.pk, False)
    exported["questions"][0]["gold_answer"] = {"label": "negative"}
    changed = qualification_test_import(data=exported)
    assert changed.changed
    assert test.questions.get(interface="classification").gold_answer == {"label": "negative"}


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"interface": "telepathy"}, "questions[0].interface: unknown annotation interface"),
        ({"interface": None}, "questions[0].interface: name an annotation interface"),
        ({"config": {"labels": ["only-one"]}}, "questions[0].config.labels:"),
        ({"config": "labels"}, "questions[0].config: must be an object"),
        ({"item": {"text": ""}}, "questions[0].item"),
        ({"item": {"image_url": "javascript:alert(1)"}}, "questions[0].item.image_url:"),
        ({"gold_answer": {"label": "furious"}}, "questions[0].gold_answer.label:"),
        ({"gold_answer": None}, "questions[0].gold_answer: must be an object"),
        ({"tolerance": -1}, "questions[0].tolerance: must be null or a number of at least 0"),
    ],
)
def test_a_bad_sample_task_is_refused_with_its_path(db, change, path):
    document = build_test_document(questions_per_attempt=1)
    document["questions"] = [{**CLASSIFY, **change}]
    with pytest.raises(QualificationImportError) as refusal:
        qualification_test_import(data=document)
    assert any(error.startswith(path) for error in refusal.value.errors), refusal.value.errors
    assert QualificationTest.objects.count() == 0


def test_the_company_import_page_lists_sample_task_errors(client, owner):
    client.force_login(owner)
    document = build_test_document(questions_per_attempt=1)
    document["questions"] = [{**CLASSIFY, "gold_answer": {"label": "furious"}}]
    upload = SimpleUploadedFile("t.json", json.dumps(document).encode(), "application/json")
    response = client.post("/company/tests/import/", {"file": upload})
    assert response.status_code == 422
    assert "questions[0].gold_answer.label" in response.content.decode()


# --- Authoring ----------------------------------------------------------------------------


def sample_post(index, **fields) -> dict:
    values = {
        "kind": "sample_task",
        "options": "",
        "interface": "classification",
        "task_config": json.dumps(CLASSIFY["config"]),
        "task_data": json.dumps(CLASSIFY["item"]),
        "gold_answer": json.dumps(CLASSIFY["gold_answer"]),
        "task_tolerance": "",
    }
    values.update(fields)
    return question_post(index, **values)


def test_a_company_member_authors_a_sample_task(client, owner):
    client.force_login(owner)
    blank = client.get("/company/tests/new/").content.decode()
    assert "example configs and tolerances" in blank and "Minimum intersection over union" in blank
    response = client.post("/company/tests/new/", editor_post([sample_post(0)]))
    assert response.status_code == 302
    saved = QualificationQuestion.objects.get()
    assert (saved.interface, saved.gold_answer, saved.task_tolerance) == (
        "classification",
        {"label": "mixed"},
        None,
    )
    assert saved.task_config["labels"] == ["positive", "negative", "mixed"]
    edit = client.get(response["Location"]).content.decode()
    assert "Gold answer (JSON)" in edit and "mixed" in edit
    preview = client.get(f"/company/tests/{saved.test_id}/preview/").content.decode()
    assert 'name="q-' in preview


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"interface": ""}, "interface", "Name an annotation interface."),
        ({"task_config": "{labels"}, "task_config", "Enter a valid JSON."),
        ({"task_config": json.dumps({"labels": ["a"]})}, "task_config", "(labels)"),
        ({"task_data": json.dumps({"title": "no text"})}, "task_data", ""),
        ({"gold_answer": json.dumps({"label": "furious"})}, "gold_answer", "(label)"),
        ({"task_tolerance": "-0.5"}, "task_tolerance", "greater than or equal to 0"),
    ],
)
def test_a_bad_sample_task_shows_the_error_beside_its_field(client, owner, fields, field, message):
    client.force_login(owner)
    response = client.post("/company/tests/new/", editor_post([sample_post(0, **fields)]))
    assert response.status_code == 422
    form = response.context["formset"].forms[0]
    assert field in form.errors, form.errors
    assert message in " ".join(form.errors[field])
    assert QualificationTest.objects.count() == 0


def test_staff_author_sample_tasks_in_the_admin(client, site_tree):
    staff = UserFactory(is_staff=True, is_superuser=True)
    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client.force_login(staff)
    page = client.get("/admin/qualification-tests/new/").content.decode()
    assert "Annotation interface" in page and 'value="transcription"' in page
    data = editor_post([sample_post(0, interface="transcription", **_transcription_fields())])
    response = client.post("/admin/qualification-tests/new/", data)
    assert response.status_code == 302
    assert QualificationQuestion.objects.get().task_tolerance == 0.2


def _transcription_fields() -> dict:
    return {
        "task_config": json.dumps(TRANSCRIBE["config"]),
        "task_data": json.dumps(TRANSCRIBE["item"]),
        "gold_answer": json.dumps(TRANSCRIBE["gold_answer"]),
        "task_tolerance": "0.2",
    }


def test_other_question_kinds_are_unaffected(worker):
    test = make_qualification_test()
    exported = qualification_test_export(test=test)
    assert all("interface" not in q for q in exported["questions"])
