"""Grading of every question kind, edge cases and properties (jobs/grading.py)."""

from decimal import Decimal
from fractions import Fraction
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobs import grading


def test_normalise_text_strips_accents_case_and_whitespace():
    assert grading.normalise_text("  Crème\tBRÛLÉE \n ") == "creme brulee"
    assert grading.normalise_text("\uff26\uff35\uff2c\uff2c width") == "full width"
    assert grading.normalise_text("Straße") == "strasse"
    assert grading.normalise_text("") == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3.5", Decimal("3.5")),
        (" 3.5 ", Decimal("3.5")),
        ("3,5", Decimal("3.5")),
        ("-2", Decimal("-2")),
        ("+7", Decimal("7")),
        (".5", Decimal("0.5")),
        ("\u22124", Decimal("-4")),
        ("\uff11\uff12", Decimal("12")),
        ("1000", Decimal("1000")),
        ("1,0001", Decimal("1.0001")),
        ("1,000", None),
        ("12,345", None),
        ("1 000", None),
        ("1.000,5", None),
        ("three", None),
        ("3 apples", None),
        ("", None),
        ("   ", None),
        ("1e3", None),
        ("nan", None),
        ("inf", None),
        ("9" * 41, None),
    ],
)
def test_parse_number(text, expected):
    assert grading.parse_number(text) == expected


def test_single_choice_full_only_for_exactly_the_correct_option():
    correct = {"a"}
    assert grading.grade_single_choice(chosen=["a"], correct=correct, weight=3) == 3
    assert grading.grade_single_choice(chosen=["b"], correct=correct, weight=3) == 0
    assert grading.grade_single_choice(chosen=["a", "b"], correct=correct, weight=3) == 0
    assert grading.grade_single_choice(chosen=[], correct=correct, weight=3) == 0
    assert grading.grade_single_choice(chosen=None, correct=correct, weight=3) == 0


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        (["a", "b"], Fraction(2)),
        (["a"], Fraction(1)),
        (["a", "c"], Fraction(0)),
        (["a", "b", "c"], Fraction(1)),
        (["c", "d"], Fraction(0)),
        (["a", "b", "c", "d"], Fraction(0)),
        ([], Fraction(0)),
    ],
)
def test_multiple_choice_partial_credit_rule(chosen, expected):
    # Two correct (a, b) of four, weight 2: credit = max(0, (right - wrong) / 2) x 2.
    assert grading.grade_multiple_choice(chosen=chosen, correct={"a", "b"}, weight=2) == expected


def test_multiple_choice_with_three_correct_gives_thirds():
    credit = grading.grade_multiple_choice(chosen=["a"], correct={"a", "b", "c"}, weight=1)
    assert credit == Fraction(1, 3)


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("Keyword Spam", 1),
        ("  keyword   SPAM ", 1),
        ("kéywörd spam", 1),
        ("KEYWORD\u00a0SPAM", 1),
        ("keyword-spam", 0),
        ("", 0),
        ("   ", 0),
        ("x" * 301, 0),
    ],
)
def test_short_text_normalised_against_accepted_answers(answer, expected):
    assert grading.grade_short_text(answer=answer, accepted=["Keyword spam"], weight=1) == expected


def test_short_text_regex_fullmatches_the_normalised_answer():
    grade = grading.grade_short_text
    assert grade(answer="Ticket-42", accepted=[], regex=r"ticket-\d+", weight=2) == 2
    assert grade(answer="my ticket-42", accepted=[], regex=r"ticket-\d+", weight=2) == 0
    assert grade(answer="TICKET-42", accepted=[], regex=r"ticket-\d+", weight=2) == 2
    assert grade(answer="", accepted=[], regex=r".*", weight=2) == 0


def test_a_refused_regex_never_runs():
    assert grading.grade_short_text(answer="aaaa!", accepted=[], regex="(a+)+$", weight=1) == 0


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        (r"ticket-\d+", None),
        (r"(colou?r|hue)", None),
        ("(", "does not compile"),
        ("(a+)+", "nested quantifiers"),
        (r"(\w*)*x", "nested quantifiers"),
        ("(a{1,3}){2,}", "nested quantifiers"),
        ("a" * 201, "200 characters"),
    ],
)
def test_regex_problem(pattern, problem):
    result = grading.regex_problem(pattern)
    if problem is None:
        assert result is None
    else:
        assert problem in result


@pytest.mark.parametrize(
    ("answer", "expected"),
    [("3.5", 1), (" 3.4 ", 1), ("3,6", 1), ("3.61", 0), ("three", 0), ("", 0), ("1,000", 0)],
)
def test_numeric_with_tolerance(answer, expected):
    assert (
        grading.grade_numeric(
            answer=answer, expected=Decimal("3.5"), tolerance=Decimal("0.1"), weight=1
        )
        == expected
    )


def test_numeric_one_thousand_is_written_without_separator():
    grade = grading.grade_numeric
    assert grade(answer="1000", expected=Decimal(1000), tolerance=Decimal(0), weight=1) == 1
    assert grade(answer="1,000", expected=Decimal(1000), tolerance=Decimal(0), weight=1) == 0
    assert grade(answer="one thousand", expected=Decimal(1000), tolerance=Decimal(0), weight=1) == 0


def test_grade_question_dispatches_by_kind_and_ignores_wrong_value_types():
    single = SimpleNamespace(
        kind="single_choice",
        weight=2,
        options=[{"id": "x", "text": "X", "correct": True}, {"id": "y", "text": "Y"}],
    )
    text = SimpleNamespace(kind="short_text", weight=1, accepted_answers=["ok"], regex="")
    number = SimpleNamespace(kind="numeric", weight=1, numeric_answer="2", tolerance="0")
    assert grading.grade_question(single, ["x"]) == 2
    assert grading.grade_question(single, "x") == 0
    assert grading.grade_question(text, ["ok"]) == 0
    assert grading.grade_question(text, "OK") == 1
    assert grading.grade_question(number, 2) == 0
    assert grading.grade_question(number, "2") == 1


@pytest.mark.parametrize(
    ("earned", "total", "expected"),
    [
        (Fraction(0), 5, 0),
        (Fraction(5), 5, 100),
        (Fraction(1), 8, 13),  # 12.5 rounds half up
        (Fraction(1), 200, 1),  # 0.5 rounds half up
        (Fraction(2, 3), 1, 67),
        (Fraction(1), 0, 0),
    ],
)
def test_score_percent_rounds_half_up(earned, total, expected):
    assert grading.score_percent(earned=earned, total=total) == expected


option_ids = st.lists(st.sampled_from("abcdefgh"), unique=True)


@given(chosen=option_ids, correct=option_ids.filter(bool), weight=st.integers(1, 100))
def test_multiple_choice_credit_is_between_zero_and_weight(chosen, correct, weight):
    credit = grading.grade_multiple_choice(chosen=chosen, correct=set(correct), weight=weight)
    assert 0 <= credit <= weight
    if set(chosen) == set(correct):
        assert credit == weight


@given(text=st.text(max_size=60))
def test_normalise_is_idempotent_and_ignores_case(text):
    once = grading.normalise_text(text)
    assert grading.normalise_text(once) == once
    assert once == once.strip()
    assert "  " not in once


@given(text=st.text(max_size=60), accepted=st.text(min_size=1, max_size=30))
def test_short_text_accepts_padded_and_recased_accepted_answers(text, accepted):
    if not grading.normalise_text(accepted):
        return
    padded = f"  {accepted.upper()}  "
    expected = 1 if grading.normalise_text(padded) == grading.normalise_text(accepted) else 0
    assert grading.grade_short_text(answer=padded, accepted=[accepted], weight=1) == expected


@given(value=st.decimals(min_value=-(10**9), max_value=10**9, places=3, allow_nan=False))
def test_numbers_written_with_digits_parse_back(value):
    assert grading.parse_number(f"{value:f}") == value
    assert grading.parse_number(f" {value:f} ") == value


@given(text=st.text(max_size=50))
def test_parse_number_never_raises(text):
    result = grading.parse_number(text)
    assert result is None or result.is_finite()


@given(earned=st.fractions(min_value=0, max_value=50), total=st.integers(1, 50))
def test_score_is_within_0_and_100(earned, total):
    earned = min(earned, Fraction(total))
    assert 0 <= grading.score_percent(earned=earned, total=total) <= 100
