"""Export and import of qualification tests as JSON ("loopwork.qualification_test/1").

Format:
    {"format": "loopwork.qualification_test/1",
     "qualification": {"name", "slug", "category", "description"},
     "test": {"title", "category", "instructions", "pass_score", "time_limit_minutes",
              "max_attempts", "retake_cooldown_hours", "questions_per_attempt",
              "shuffle_questions", "shuffle_options", "grant_validity_days", "show_feedback"},
     "questions": [{"kind", "prompt", "context"?, "weight", "explanation",
                    "options": [{"text", "correct"}]            (choice kinds)
                    "accepted_answers": [str], "regex": str|null (short_text)
                    "answer": number, "tolerance": number        (numeric)
                    "interface": str, "config": {}, "item": {},
                    "gold_answer": {}, "tolerance": number|null  (sample_task)}]}

A sample task is one item of an annotation interface (annotation/registry.py): `config` is
its label schema, `item` the data shown, `gold_answer` the answer it is graded against and
`tolerance` the interface's tolerance (null for its default). Each is checked with the
interface's clean_config / clean_item / clean_answer; a refusal names its path, e.g.
"questions[2].gold_answer.boxes: ...".

Import validates everything first and reports every problem with its JSON path; it creates
nothing when there is any. Identity is the qualification slug: importing a file whose
qualification already exists updates that qualification and its test in place (questions
matched by position, option ids kept where the text is unchanged), and importing the same
file twice changes nothing the second time (`result.changed` is False). A slug owned by
another company is refused.
"""

import json
import math
import secrets
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.text import slugify

from annotation.base import InvalidInput
from annotation.registry import get_interface
from core.categories import Category
from core.errors import LoopworkError

from . import grading
from .models import QUALIFICATION_TEST_SETTINGS, Qualification, QualificationTest
from .qualification_models import QualificationQuestion

FORMAT = "loopwork.qualification_test/1"
MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_QUESTIONS = 500
MAX_OPTIONS = 12

TEST_LIMITS = {
    "pass_score": (1, 100),
    "time_limit_minutes": (1, 240),
    "max_attempts": (1, 20),
    "retake_cooldown_hours": (0, 24 * 90),
    "questions_per_attempt": (1, 200),
}
TEXT_LIMITS = {"prompt": 2000, "context": 6000, "explanation": 4000}


class QualificationImportError(LoopworkError):
    """A refused import; `errors` lists every problem as "path: message"."""

    def __init__(self, errors: list[str]):
        super().__init__(
            "The file is not a valid test: " + "; ".join(errors[:20]),
            code="invalid_import",
            field="file",
            status=422,
        )
        self.errors = errors


@dataclass
class ImportResult:
    test: QualificationTest
    created: bool
    changed: bool
    messages: list[str] = field(default_factory=list)


def new_option_id() -> str:
    return secrets.token_hex(4)


# --- Export -------------------------------------------------------------------------------


def _number(value) -> int | float:
    decimal = Decimal(value)
    return int(decimal) if decimal == decimal.to_integral_value() else float(decimal)


def question_as_json(question: QualificationQuestion) -> dict:
    data = {"kind": question.kind, "prompt": question.prompt}
    if question.context:
        data["context"] = question.context
    data["weight"] = question.weight
    data["explanation"] = question.explanation
    if question.is_choice:
        data["options"] = [
            {"text": option["text"], "correct": bool(option.get("correct"))}
            for option in question.options
        ]
    elif question.kind == QualificationQuestion.Kind.SHORT_TEXT:
        data["accepted_answers"] = list(question.accepted_answers)
        data["regex"] = question.regex or None
    elif question.kind == QualificationQuestion.Kind.SAMPLE_TASK:
        data["interface"] = question.interface
        data["config"] = question.task_config
        data["item"] = question.task_data
        data["gold_answer"] = question.gold_answer
        data["tolerance"] = question.task_tolerance
    else:
        data["answer"] = _number(question.numeric_answer)
        data["tolerance"] = _number(question.tolerance)
    return data


def qualification_test_export(*, test: QualificationTest) -> dict:
    """The test, its qualification and its whole question pool in the JSON format."""
    qualification = test.qualification
    return {
        "format": FORMAT,
        "qualification": {
            "name": qualification.name,
            "slug": qualification.slug,
            "category": qualification.category,
            "description": qualification.description,
        },
        "test": {
            "title": test.title,
            "category": test.category,
            "instructions": test.instructions,
            "pass_score": test.pass_score,
            "time_limit_minutes": test.time_limit_minutes,
            "max_attempts": test.max_attempts,
            "retake_cooldown_hours": test.retake_cooldown_hours,
            "questions_per_attempt": test.questions_per_attempt,
            "shuffle_questions": test.shuffle_questions,
            "shuffle_options": test.shuffle_options,
            "grant_validity_days": test.grant_validity_days,
            "show_feedback": test.show_feedback,
        },
        "questions": [question_as_json(q) for q in test.questions.order_by("sort_order", "pk")],
    }


# --- Validation ---------------------------------------------------------------------------


class _Errors(list):
    def add(self, path: str, message: str) -> None:
        self.append(f"{path}: {message}")


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _text(data: dict, key: str, path: str, errors: _Errors, *, required=True, limit=None):
    if key not in data:
        if required:
            errors.add(f"{path}.{key}", "is missing")
        return ""
    value = data[key]
    if not isinstance(value, str):
        errors.add(f"{path}.{key}", "must be text")
        return ""
    if required and not value.strip():
        errors.add(f"{path}.{key}", "must not be empty")
    if limit and len(value) > limit:
        errors.add(f"{path}.{key}", f"is longer than {limit} characters")
    return value


@dataclass(frozen=True)
class SampleTask:
    """A sample task's parts after the interface cleaned them."""

    interface: str
    config: dict
    item: dict
    gold_answer: dict
    tolerance: float | None


def _refusal_path(path: str, key: str, refusal: InvalidInput) -> str:
    return f"{path}.{key}.{refusal.field}" if refusal.field else f"{path}.{key}"


def clean_sample_task(data: dict, path: str, errors: _Errors) -> SampleTask | None:
    """Check a sample task's interface, config, item, gold answer and tolerance.

    Adds every problem to `errors` with its path and returns None, or returns the cleaned
    parts. Each later part is checked only when the parts it depends on are valid.
    """
    name = data.get("interface")
    if not isinstance(name, str) or not name:
        errors.add(f"{path}.interface", "name an annotation interface")
        return None
    try:
        interface = get_interface(name)
    except InvalidInput:
        errors.add(f"{path}.interface", f"unknown annotation interface {name!r}")
        return None
    tolerance = data.get("tolerance")
    if tolerance is not None and (
        not _is_number(tolerance) or not math.isfinite(tolerance) or tolerance < 0
    ):
        errors.add(f"{path}.tolerance", "must be null or a number of at least 0")
    parts = {}
    for key in ("config", "item", "gold_answer"):
        if not isinstance(data.get(key), dict):
            errors.add(f"{path}.{key}", "must be an object")
            return None
    try:
        parts["config"] = interface.clean_config(data["config"])
    except InvalidInput as refusal:
        errors.add(_refusal_path(path, "config", refusal), refusal.message)
        return None
    try:
        parts["item"] = interface.clean_item(data["item"], parts["config"])
    except InvalidInput as refusal:
        errors.add(_refusal_path(path, "item", refusal), refusal.message)
        return None
    try:
        parts["gold_answer"] = interface.clean_answer(
            data["gold_answer"], parts["config"], parts["item"]
        )
    except InvalidInput as refusal:
        errors.add(_refusal_path(path, "gold_answer", refusal), refusal.message)
        return None
    return SampleTask(
        interface=name,
        config=parts["config"],
        item=parts["item"],
        gold_answer=parts["gold_answer"],
        tolerance=float(tolerance) if _is_number(tolerance) else None,
    )


def validate_question(data, path: str, errors: _Errors) -> None:
    """Add to `errors` every problem of one question's JSON (shared with the authoring form)."""
    if not isinstance(data, dict):
        errors.add(path, "must be an object")
        return
    kind = data.get("kind")
    if kind not in QualificationQuestion.Kind.values:
        errors.add(
            f"{path}.kind",
            f"unknown kind {kind!r}; use one of {', '.join(QualificationQuestion.Kind.values)}",
        )
        return
    _text(data, "prompt", path, errors, limit=TEXT_LIMITS["prompt"])
    _text(data, "context", path, errors, required=False, limit=TEXT_LIMITS["context"])
    _text(data, "explanation", path, errors, required=False, limit=TEXT_LIMITS["explanation"])
    weight = data.get("weight")
    if "weight" not in data:
        errors.add(f"{path}.weight", "is missing")
    elif not _is_int(weight) or not 1 <= weight <= 100:
        errors.add(f"{path}.weight", "must be a whole number from 1 to 100")
    if kind in ("single_choice", "multiple_choice"):
        options = data.get("options")
        if not isinstance(options, list) or len(options) < 2:
            errors.add(f"{path}.options", "a choice question needs a list of at least 2 options")
            return
        if len(options) > MAX_OPTIONS:
            errors.add(f"{path}.options", f"at most {MAX_OPTIONS} options")
        texts = []
        for index, option in enumerate(options):
            option_path = f"{path}.options[{index}]"
            if not isinstance(option, dict):
                errors.add(option_path, "must be an object with text and correct")
                continue
            texts.append(_text(option, "text", option_path, errors, limit=1000).strip())
            if not isinstance(option.get("correct"), bool):
                errors.add(f"{option_path}.correct", "must be true or false")
        if len(set(texts)) != len(texts):
            errors.add(f"{path}.options", "two options have the same text")
        correct = sum(1 for o in options if isinstance(o, dict) and o.get("correct") is True)
        if kind == "single_choice" and correct != 1:
            errors.add(
                f"{path}.options", "a single-choice question needs exactly one correct option"
            )
        if kind == "multiple_choice" and correct < 1:
            errors.add(
                f"{path}.options", "a multiple-choice question needs at least one correct option"
            )
    elif kind == "sample_task":
        clean_sample_task(data, path, errors)
    elif kind == "short_text":
        accepted = data.get("accepted_answers")
        regex = data.get("regex")
        if not isinstance(accepted, list) or not all(isinstance(a, str) for a in accepted):
            errors.add(f"{path}.accepted_answers", "must be a list of texts")
            accepted = []
        elif any(not grading.normalise_text(a) for a in accepted):
            errors.add(f"{path}.accepted_answers", "an accepted answer is empty")
        if regex is not None and not isinstance(regex, str):
            errors.add(f"{path}.regex", "must be text or null")
        elif regex:
            problem = grading.regex_problem(regex)
            if problem:
                errors.add(f"{path}.regex", problem)
        if not accepted and not regex:
            errors.add(f"{path}.accepted_answers", "give at least one accepted answer or a regex")
    else:
        answer = data.get("answer")
        tolerance = data.get("tolerance", 0)
        if not _is_number(answer):
            errors.add(f"{path}.answer", "must be a number")
        elif abs(answer) >= 10**17:
            errors.add(f"{path}.answer", "is too large")
        if not _is_number(tolerance) or tolerance < 0:
            errors.add(f"{path}.tolerance", "must be a number of at least 0")


def validate_document(data) -> list[str]:
    """Every problem of an import document, each as "path: message" (empty when valid)."""
    errors = _Errors()
    if not isinstance(data, dict):
        return ["(root): the file must hold a JSON object"]
    if data.get("format") != FORMAT:
        errors.add("format", f"must be {FORMAT!r}")
    qualification = data.get("qualification")
    if not isinstance(qualification, dict):
        errors.add("qualification", "is missing or not an object")
    else:
        _text(qualification, "name", "qualification", errors, limit=120)
        slug = _text(qualification, "slug", "qualification", errors, limit=80)
        if slug and slugify(slug) != slug:
            errors.add("qualification.slug", "use lowercase letters, digits and hyphens only")
        if qualification.get("category") not in Category.values:
            errors.add(
                "qualification.category", f"unknown category {qualification.get('category')!r}"
            )
        _text(qualification, "description", "qualification", errors, required=False, limit=2000)
    test = data.get("test")
    if not isinstance(test, dict):
        errors.add("test", "is missing or not an object")
        test = {}
    else:
        _text(test, "title", "test", errors, limit=160)
        _text(test, "instructions", "test", errors, required=False, limit=6000)
        if test.get("category") not in Category.values:
            errors.add("test.category", f"unknown category {test.get('category')!r}")
        for key, (low, high) in TEST_LIMITS.items():
            value = test.get(key)
            if key not in test:
                errors.add(f"test.{key}", "is missing")
            elif not _is_int(value) or not low <= value <= high:
                errors.add(f"test.{key}", f"must be a whole number from {low} to {high}")
        for key in ("shuffle_questions", "shuffle_options", "show_feedback"):
            if not isinstance(test.get(key), bool):
                errors.add(f"test.{key}", "must be true or false")
        validity = test.get("grant_validity_days")
        if validity is not None and (not _is_int(validity) or not 1 <= validity <= 3650):
            errors.add("test.grant_validity_days", "must be null or a whole number from 1 to 3650")
    questions = data.get("questions")
    if not isinstance(questions, list) or not questions:
        errors.add("questions", "must be a non-empty list")
        return errors
    if len(questions) > MAX_QUESTIONS:
        errors.add("questions", f"at most {MAX_QUESTIONS} questions")
    for index, question in enumerate(questions):
        validate_question(question, f"questions[{index}]", errors)
    drawn = test.get("questions_per_attempt")
    if _is_int(drawn) and drawn > len(questions):
        errors.add(
            "test.questions_per_attempt",
            f"draws {drawn} questions but the pool has only {len(questions)}",
        )
    return errors


def parse_upload(raw: bytes | str) -> dict:
    """The JSON document in an uploaded file, or a QualificationImportError."""
    if isinstance(raw, bytes):
        if len(raw) > MAX_IMPORT_BYTES:
            raise QualificationImportError([f"(file): larger than {MAX_IMPORT_BYTES} bytes"])
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise QualificationImportError(["(file): not UTF-8 text"]) from exc
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise QualificationImportError(
            [f"(file): not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"]
        ) from exc


# --- Import -------------------------------------------------------------------------------


def _question_fields(data: dict, previous: QualificationQuestion | None) -> dict:
    kind = data["kind"]
    fields = {
        "kind": kind,
        "prompt": data["prompt"],
        "context": data.get("context", "") or "",
        "weight": data["weight"],
        "explanation": data.get("explanation", "") or "",
        "options": [],
        "accepted_answers": [],
        "regex": "",
        "numeric_answer": None,
        "tolerance": Decimal(0),
        "interface": "",
        "task_config": {},
        "task_data": {},
        "gold_answer": None,
        "task_tolerance": None,
    }
    if kind in ("single_choice", "multiple_choice"):
        old_ids = {}
        if previous is not None:
            old_ids = {option["text"]: option["id"] for option in previous.options}
        fields["options"] = [
            {
                "id": old_ids.get(option["text"].strip()) or new_option_id(),
                "text": option["text"].strip(),
                "correct": option["correct"],
            }
            for option in data["options"]
        ]
    elif kind == "short_text":
        fields["accepted_answers"] = [a.strip() for a in data["accepted_answers"]]
        fields["regex"] = data.get("regex") or ""
    elif kind == "sample_task":
        errors = _Errors()
        task = clean_sample_task(data, "questions", errors)
        if task is None:  # validated before; the interface changed its mind in between
            raise QualificationImportError(errors)
        fields["interface"] = task.interface
        fields["task_config"] = task.config
        fields["task_data"] = task.item
        fields["gold_answer"] = task.gold_answer
        fields["task_tolerance"] = task.tolerance
    else:
        try:
            fields["numeric_answer"] = Decimal(str(data["answer"])).quantize(Decimal("0.000001"))
            fields["tolerance"] = Decimal(str(data.get("tolerance", 0))).quantize(
                Decimal("0.000001")
            )
        except InvalidOperation as exc:  # validated before; defensive for odd floats
            raise QualificationImportError([f"questions: bad number ({exc})"]) from exc
    return fields


def _comparable(document: dict) -> str:
    return json.dumps(document, sort_keys=True, default=str)


@transaction.atomic
def qualification_test_import(*, data: dict, company=None) -> ImportResult:
    """Create or update a test (and its qualification) from a JSON document.

    Guarantees: all or nothing (every problem is reported with its JSON path and nothing is
    written); idempotent (the same document twice changes nothing the second time); a
    company imports only into its own tests (a slug owned by someone else is refused).
    `company` None means a platform test (staff).
    """
    errors = validate_document(data)
    if errors:
        raise QualificationImportError(errors)
    qualification_data = data["qualification"]
    test_data = data["test"]
    qualification = (
        Qualification.objects.select_for_update().filter(slug=qualification_data["slug"]).first()
    )
    if qualification is not None and company is not None and qualification.company_id != company.pk:
        raise QualificationImportError(
            [f"qualification.slug: {qualification.slug!r} is taken; choose another slug"]
        )
    created = qualification is None
    if created:
        qualification = Qualification(slug=qualification_data["slug"], company=company)
    test = None if created else qualification.tests.order_by("pk").first()
    if test is not None:
        # Normalise the incoming document like an export would, then compare.
        incoming = json.loads(json.dumps(data))
        for question in incoming["questions"]:
            question.setdefault("explanation", "")
            if question.get("kind") == "short_text":
                question["regex"] = question.get("regex") or None
            if question.get("kind") == "sample_task":
                task = clean_sample_task(question, "questions", _Errors())
                question["config"] = task.config
                question["item"] = task.item
                question["gold_answer"] = task.gold_answer
                question["tolerance"] = task.tolerance
            if question.get("kind") == "numeric":
                question["answer"] = _number(Decimal(str(question["answer"])))
                question["tolerance"] = _number(Decimal(str(question.get("tolerance", 0))))
            if not question.get("context"):
                question.pop("context", None)
        if _comparable(incoming) == _comparable(qualification_test_export(test=test)):
            return ImportResult(test=test, created=False, changed=False, messages=["unchanged"])
    if test is not None and test.attempts.filter(status="in_progress").exists():
        raise QualificationImportError(
            ["(file): attempts at this test are in progress; import again after they end"]
        )
    qualification.name = qualification_data["name"]
    qualification.category = qualification_data["category"]
    qualification.description = qualification_data.get("description", "") or ""
    qualification.save()
    if test is None:
        test = QualificationTest(qualification=qualification, company=qualification.company)
        created = True
    for key in QUALIFICATION_TEST_SETTINGS:
        setattr(test, key, test_data.get(key, "" if key == "instructions" else None))
    test.full_clean(exclude=["qualification", "company"])
    test.save()
    existing = list(test.questions.order_by("sort_order", "pk"))
    for index, question_data in enumerate(data["questions"]):
        previous = existing[index] if index < len(existing) else None
        fields = _question_fields(question_data, previous)
        if previous is None:
            QualificationQuestion.objects.create(test=test, sort_order=index, **fields)
        else:
            for key, value in fields.items():
                setattr(previous, key, value)
            previous.sort_order = index
            previous.save()
    surplus = existing[len(data["questions"]) :]
    if surplus:
        QualificationQuestion.objects.filter(pk__in=[q.pk for q in surplus]).delete()
    return ImportResult(test=test, created=created, changed=True)
