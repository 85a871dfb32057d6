import pytest

from annotation.registry import get_interface
from tests.annotation.helpers import refused

iface = get_interface("free_text")
CONFIG = iface.clean_config({"min_length": 5, "max_length": 20})
ITEM = {"prompt": "Summarise"}


def test_config():
    assert iface.clean_config({}) == {"min_length": 1, "max_length": 2000, "placeholder": ""}
    refused(
        iface.clean_config,
        {"min_length": 10, "max_length": 5},
        field="max_length",
        code="invalid_config",
    )
    refused(iface.clean_config, {"max_length": 0}, field="max_length", code="invalid_config")
    refused(iface.clean_config, {"max_length": 10**6}, field="max_length", code="invalid_config")
    refused(iface.clean_config, {"min_length": -1}, field="min_length", code="invalid_config")


def test_item():
    assert iface.clean_item({"prompt": "p", "text": ""}, CONFIG) == {"prompt": "p"}
    refused(iface.clean_item, {"text": "t"}, CONFIG, field="prompt", code="invalid_item")


def test_answers_respect_the_lengths():
    assert iface.clean_answer({"text": "  hello  "}, CONFIG, ITEM) == {"text": "hello"}
    refused(iface.clean_answer, {"text": "hey"}, CONFIG, ITEM, field="text")
    refused(iface.clean_answer, {"text": "x" * 21}, CONFIG, ITEM, field="text")
    refused(
        iface.clean_answer, {"text": ""}, iface.clean_config({"min_length": 0}), ITEM, field="text"
    )


def test_grade_is_word_overlap_with_a_full_credit_threshold():
    gold = {"text": "The refund was approved today."}
    assert iface.grade({"text": "the refund was approved today"}, gold, CONFIG) == 1.0
    # 4 of 5 words shared both ways: F1 = 0.8, which reaches the default threshold.
    assert iface.grade({"text": "The refund was approved yesterday"}, gold, CONFIG) == 1.0
    assert iface.grade(
        {"text": "The refund was approved yesterday"}, gold, CONFIG, tolerance=0.9
    ) == pytest.approx(0.8)
    assert iface.grade({"text": "no idea"}, gold, CONFIG) == 0.0


def test_agreement_is_symmetric():
    a, b = {"text": "one two three"}, {"text": "two three four five"}
    assert iface.agreement(a, b, CONFIG) == iface.agreement(b, a, CONFIG)
