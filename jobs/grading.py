"""Grading of qualification test answers: pure functions, no database.

Rules (also shown to authors in the admin help):

- single choice: full weight when exactly the one correct option is chosen, else 0.
- multiple choice, partial credit: credit = max(0, (correct chosen - wrong chosen) / number
  of correct options) x weight. Choosing every option therefore earns nothing more than
  choosing none when half the options are wrong.
- short text: the answer and the accepted answers are normalised (Unicode NFKD, accents
  stripped, casefolded, runs of whitespace collapsed to one space, trimmed) and compared
  for equality; an optional regular expression must match the whole normalised answer
  (case-insensitive). Answers longer than MAX_TEXT_ANSWER characters earn nothing.
- numeric: digits with an optional sign and at most one decimal mark, "." or ",";
  "3.5", " 3.5 ", "3,5" and "-2" are numbers. Thousands separators are not: "1,000" is
  ambiguous (one thousand or one) and is refused, as are "1 000", "1.000,5" and numbers
  written as words ("three"). Full credit when |answer - expected| <= tolerance.
- sample task: credit = weight x the interface's grade (0..1) of the answer against the gold
  answer with the question's tolerance (annotation/registry.py); the interface's float score
  is taken to 4 decimal places as a Fraction. An answer the interface refuses earns 0.
- an empty answer earns 0.
- score = round half up of 100 x earned / total weight.

Credits are Fractions so no float rounding creeps into the score.
"""

import math
import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from annotation.base import InvalidInput
from annotation.registry import get_interface

MAX_TEXT_ANSWER = 300
MAX_NUMERIC_ANSWER = 40
MAX_REGEX_LENGTH = 200

_WHITESPACE = re.compile(r"\s+")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d+)?|[.,]\d+)")
_AMBIGUOUS_THOUSANDS = re.compile(r"[+-]?\d{1,3},\d{3}")
# A group that contains a quantifier and is itself quantified, e.g. (a+)+ or (\w*)*:
# the shape behind catastrophic backtracking.
_NESTED_QUANTIFIER = re.compile(r"\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)\s*[+*{]")


def normalise_text(text: str) -> str:
    """NFKD, accents stripped, casefolded, whitespace collapsed and trimmed."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _WHITESPACE.sub(" ", stripped.casefold()).strip()


def parse_number(text: str) -> Decimal | None:
    """The number a worker typed, or None when it is empty, ambiguous or not a number."""
    if text is None:
        return None
    cleaned = unicodedata.normalize("NFKC", str(text)).strip().replace("\u2212", "-")
    if not cleaned or len(cleaned) > MAX_NUMERIC_ANSWER:
        return None
    if not _NUMBER.fullmatch(cleaned) or _AMBIGUOUS_THOUSANDS.fullmatch(cleaned):
        return None
    try:
        value = Decimal(cleaned.replace(",", "."))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def regex_problem(pattern: str) -> str | None:
    """Why a short-text regular expression is refused, or None when it is acceptable."""
    if len(pattern) > MAX_REGEX_LENGTH:
        return f"keep the regular expression to {MAX_REGEX_LENGTH} characters"
    try:
        re.compile(pattern)
    except re.error as exc:
        return f"the regular expression does not compile ({exc})"
    if _NESTED_QUANTIFIER.search(pattern):
        return "nested quantifiers such as (a+)+ can take very long to match; simplify it"
    return None


def grade_single_choice(*, chosen: Iterable[str], correct: set[str], weight: int) -> Fraction:
    chosen = set(chosen or ())
    return Fraction(weight) if len(chosen) == 1 and chosen == correct else Fraction(0)


def grade_multiple_choice(*, chosen: Iterable[str], correct: set[str], weight: int) -> Fraction:
    chosen = set(chosen or ())
    if not chosen or not correct:
        return Fraction(0)
    right = len(chosen & correct)
    wrong = len(chosen - correct)
    return max(Fraction(0), Fraction(right - wrong, len(correct))) * weight


def grade_short_text(
    *, answer: str, accepted: Iterable[str], regex: str = "", weight: int
) -> Fraction:
    if not isinstance(answer, str) or len(answer) > MAX_TEXT_ANSWER:
        return Fraction(0)
    normalised = normalise_text(answer)
    if not normalised:
        return Fraction(0)
    if normalised in {normalise_text(item) for item in accepted}:
        return Fraction(weight)
    if (
        regex
        and regex_problem(regex) is None
        and re.fullmatch(regex, normalised, flags=re.IGNORECASE)
    ):
        return Fraction(weight)
    return Fraction(0)


def grade_numeric(*, answer: str, expected: Decimal, tolerance: Decimal, weight: int) -> Fraction:
    value = parse_number(answer) if isinstance(answer, str) else None
    if value is None:
        return Fraction(0)
    return Fraction(weight) if abs(value - expected) <= tolerance else Fraction(0)


def grade_sample_task(
    *,
    answer,
    gold: dict,
    interface: str,
    config: dict,
    item_data: dict,
    tolerance: float | None,
    weight: int,
) -> Fraction:
    """weight x the interface's grade of `answer` against `gold`; 0 for a refused answer."""
    if not isinstance(answer, dict) or not answer:
        return Fraction(0)
    try:
        task = get_interface(interface)
        cleaned = task.clean_answer(answer, config, item_data)
        score = float(task.grade(cleaned, gold, config, tolerance))
    except InvalidInput:
        return Fraction(0)
    if not math.isfinite(score):
        return Fraction(0)
    score = min(1.0, max(0.0, score))
    return Fraction(round(score * 10000), 10000) * weight


def grade_question(question, value) -> Fraction:
    """Credit (0..weight) for `value` answering `question` (a QualificationQuestion)."""
    kind = question.kind
    weight = question.weight
    if kind in ("single_choice", "multiple_choice"):
        chosen = value if isinstance(value, list) else []
        correct = {option["id"] for option in question.options if option.get("correct")}
        grade = grade_single_choice if kind == "single_choice" else grade_multiple_choice
        return grade(chosen=[str(item) for item in chosen], correct=correct, weight=weight)
    if kind == "short_text":
        return grade_short_text(
            answer=value if isinstance(value, str) else "",
            accepted=question.accepted_answers,
            regex=question.regex,
            weight=weight,
        )
    if kind == "numeric":
        return grade_numeric(
            answer=value if isinstance(value, str) else "",
            expected=Decimal(question.numeric_answer),
            tolerance=Decimal(question.tolerance),
            weight=weight,
        )
    if kind == "sample_task":
        return grade_sample_task(
            answer=value,
            gold=question.gold_answer,
            interface=question.interface,
            config=question.task_config,
            item_data=question.task_data,
            tolerance=question.task_tolerance,
            weight=weight,
        )
    raise ValueError(f"unknown question kind {kind!r}")


def score_percent(*, earned: Fraction, total: int) -> int:
    """round half up of 100 x earned / total; 0 when there is nothing to earn."""
    if total <= 0:
        return 0
    return min(100, max(0, math.floor(Fraction(100) * Fraction(earned) / total + Fraction(1, 2))))
