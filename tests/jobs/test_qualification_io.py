"""JSON export and import of qualification tests (jobs/qualification_io.py)."""

import json

import pytest

from jobs.models import Qualification, QualificationTest
from jobs.qualification_io import (
    QualificationImportError,
    parse_upload,
    qualification_test_export,
    qualification_test_import,
)
from jobs.qualification_models import QualificationQuestion
from tests.factories import CompanyFactory
from tests.jobs.qualification_factories import build_test_document


def import_errors(document, **kwargs) -> list[str]:
    with pytest.raises(QualificationImportError) as refusal:
        qualification_test_import(data=document, **kwargs)
    return refusal.value.errors


@pytest.mark.django_db
def test_export_then_import_round_trips():
    document = build_test_document()
    result = qualification_test_import(data=document)
    assert (result.created, result.changed) == (True, True)
    exported = qualification_test_export(test=result.test)
    assert exported == document
    assert json.loads(json.dumps(exported)) == document


@pytest.mark.django_db
def test_importing_the_same_file_twice_changes_nothing():
    document = build_test_document()
    first = qualification_test_import(data=document)
    option_ids = list(QualificationQuestion.objects.values_list("pk", "options"))
    second = qualification_test_import(data=document)
    assert (second.test.pk, second.created, second.changed) == (first.test.pk, False, False)
    assert list(QualificationQuestion.objects.values_list("pk", "options")) == option_ids
    assert (Qualification.objects.count(), QualificationTest.objects.count()) == (1, 1)


@pytest.mark.django_db
def test_importing_a_changed_file_updates_in_place_keeping_ids():
    document = build_test_document()
    first = qualification_test_import(data=document)
    question_ids = list(first.test.questions.values_list("pk", flat=True))
    kept_option = first.test.questions.get(kind="single_choice").options[0]
    document["test"]["pass_score"] = 70
    document["questions"][1]["prompt"] = "Which replies break the rules?"
    del document["questions"][3]
    document["test"]["questions_per_attempt"] = 3
    result = qualification_test_import(data=document)
    assert (result.test.pk, result.changed) == (first.test.pk, True)
    result.test.refresh_from_db()
    assert result.test.pass_score == 70
    assert list(result.test.questions.values_list("pk", flat=True)) == question_ids[:3]
    assert result.test.questions.get(kind="single_choice").options[0] == kept_option
    assert qualification_test_export(test=result.test) == document


@pytest.mark.django_db
def test_a_company_cannot_import_over_another_companys_slug():
    document = build_test_document()
    qualification_test_import(data=document, company=CompanyFactory())
    errors = import_errors(document, company=CompanyFactory())
    assert errors == [
        f"qualification.slug: {document['qualification']['slug']!r} is taken; choose another slug"
    ]


def mutate(path_setter):
    document = build_test_document()
    path_setter(document)
    return document


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["questions"][3].update(kind="essay"),
            "questions[3].kind: unknown kind 'essay'; use one of single_choice, "
            "multiple_choice, short_text, numeric",
        ),
        (lambda d: d["questions"][0].pop("prompt"), "questions[0].prompt: is missing"),
        (lambda d: d["questions"][0].pop("weight"), "questions[0].weight: is missing"),
        (
            lambda d: d["questions"][0]["options"][0].update(correct=False),
            "questions[0].options: a single-choice question needs exactly one correct option",
        ),
        (
            lambda d: d["questions"][0]["options"][1].update(correct=True),
            "questions[0].options: a single-choice question needs exactly one correct option",
        ),
        (
            lambda d: [o.update(correct=False) for o in d["questions"][1]["options"]],
            "questions[1].options: a multiple-choice question needs at least one correct option",
        ),
        (
            lambda d: d["questions"][2].update(regex="(unclosed"),
            "questions[2].regex: the regular expression does not compile",
        ),
        (
            lambda d: d["questions"][2].update(regex="(a+)+"),
            "questions[2].regex: nested quantifiers",
        ),
        (
            lambda d: d["test"].update(pass_score=101),
            "test.pass_score: must be a whole number from 1 to 100",
        ),
        (
            lambda d: d["test"].update(pass_score=-1),
            "test.pass_score: must be a whole number from 1 to 100",
        ),
        (
            lambda d: d["test"].update(questions_per_attempt=5),
            "test.questions_per_attempt: draws 5 questions but the pool has only 4",
        ),
        (
            lambda d: d["qualification"].update(category="cooking"),
            "qualification.category: unknown category 'cooking'",
        ),
        (
            lambda d: d["test"].update(category="cooking"),
            "test.category: unknown category 'cooking'",
        ),
        (lambda d: d.update(format="other/1"), "format: must be 'loopwork.qualification_test/1'"),
        (
            lambda d: d["questions"][3].update(tolerance=-1),
            "questions[3].tolerance: must be a number of at least 0",
        ),
        (lambda d: d["questions"][3].update(answer="5"), "questions[3].answer: must be a number"),
        (
            lambda d: d["questions"][0].update(weight=0),
            "questions[0].weight: must be a whole number from 1 to 100",
        ),
        (
            lambda d: d["test"].update(shuffle_options="yes"),
            "test.shuffle_options: must be true or false",
        ),
        (lambda d: d.update(questions=[]), "questions: must be a non-empty list"),
        (
            lambda d: d["qualification"].update(slug="Not A Slug"),
            "qualification.slug: use lowercase letters, digits and hyphens only",
        ),
    ],
)
def test_bad_documents_are_refused_with_their_path_and_nothing_is_created(change, expected):
    errors = import_errors(mutate(change))
    assert any(error.startswith(expected) for error in errors), errors
    assert (Qualification.objects.count(), QualificationTest.objects.count()) == (0, 0)
    assert QualificationQuestion.objects.count() == 0


@pytest.mark.django_db
def test_every_problem_is_reported_at_once():
    document = build_test_document()
    document["test"]["pass_score"] = 500
    document["questions"][0]["kind"] = "essay"
    document["questions"][2]["regex"] = "("
    assert len(import_errors(document)) == 3


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"{not json", "(file): not valid JSON (line 1, column 2"),
        (b"\xff\xfe", "(file): not UTF-8 text"),
    ],
)
def test_unreadable_files_are_refused(raw, message):
    with pytest.raises(QualificationImportError) as refusal:
        parse_upload(raw)
    assert refusal.value.errors[0].startswith(message)


@pytest.mark.django_db
def test_a_non_object_document_is_refused():
    assert import_errors([1, 2]) == ["(root): the file must hold a JSON object"]
