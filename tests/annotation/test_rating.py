import pytest

from annotation.registry import get_interface
from tests.annotation.helpers import refused

iface = get_interface("rating")
CONFIG = iface.clean_config({"min": 1, "max": 5, "scale_labels": {"1": "Bad", "5": "Great"}})
SEARCH = {
    "query": "bike tyre",
    "title": "Fix a flat",
    "snippet": "Remove...",
    "url": "https://x.org",
}


def test_config_normalised():
    assert CONFIG == {
        "min": 1,
        "max": 5,
        "question": "",
        "scale_labels": {"1": "Bad", "5": "Great"},
    }


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({"min": 5, "max": 5}, "max"),
        ({"min": 5, "max": 1}, "max"),
        ({"min": 0, "max": 11}, "max"),
        ({"min": 1.0, "max": 5}, "min"),
        ({"min": True, "max": 5}, "min"),
        ({"min": 1, "max": "5"}, "max"),
        ({"min": 1, "max": 5, "scale_labels": {"6": "x"}}, "scale_labels.6"),
        ({"min": 1, "max": 5, "scale_labels": ["x"]}, "scale_labels"),
        ({"min": 1, "max": 5, "scale_labels": {"2": 2}}, "scale_labels.2"),
        ({"min": 1}, "max"),
    ],
)
def test_bad_configs(config, field):
    refused(iface.clean_config, config, field=field, code="invalid_config")


def test_items_are_a_search_result_or_a_post():
    assert iface.clean_item(SEARCH, CONFIG) == SEARCH
    assert iface.clean_item({"text": "Hello", "author": "@a"}, CONFIG) == {
        "text": "Hello",
        "author": "@a",
    }
    refused(
        iface.clean_item, {"query": "q", "text": "t"}, CONFIG, field="text", code="invalid_item"
    )
    refused(iface.clean_item, {"title": "t"}, CONFIG, field="query", code="invalid_item")
    refused(iface.clean_item, {}, CONFIG, field="text", code="invalid_item")
    refused(
        iface.clean_item,
        {**SEARCH, "url": "javascript:x"},
        CONFIG,
        field="url",
        code="invalid_item",
    )


def test_answers():
    assert iface.clean_answer({"rating": 3}, CONFIG, SEARCH) == {"rating": 3, "comment": ""}
    assert iface.clean_answer({"rating": 5, "comment": " ok "}, CONFIG, SEARCH) == {
        "rating": 5,
        "comment": "ok",
    }
    refused(iface.clean_answer, {"rating": 0}, CONFIG, SEARCH, field="rating")
    refused(iface.clean_answer, {"rating": 6}, CONFIG, SEARCH, field="rating")
    refused(iface.clean_answer, {"rating": True}, CONFIG, SEARCH, field="rating")
    refused(iface.clean_answer, {"rating": 3.0}, CONFIG, SEARCH, field="rating")
    refused(iface.clean_answer, {"rating": "3"}, CONFIG, SEARCH, field="rating")
    refused(iface.clean_answer, {"comment": "x"}, CONFIG, SEARCH, field="rating")
    refused(
        iface.clean_answer, {"rating": 3, "comment": "x" * 2001}, CONFIG, SEARCH, field="comment"
    )


def test_grade_with_tolerance_and_linear_falloff():
    gold = {"rating": 4}
    assert iface.grade({"rating": 4}, gold, CONFIG) == 1.0
    assert iface.grade({"rating": 3}, gold, CONFIG) == pytest.approx(0.75)
    assert iface.grade({"rating": 1}, gold, CONFIG) == pytest.approx(0.25)
    assert iface.grade({"rating": 3}, gold, CONFIG, tolerance=1) == 1.0
    assert iface.grade({"rating": 2}, gold, CONFIG, tolerance=1) == pytest.approx(2 / 3)
    assert iface.grade({"rating": 1}, {"rating": 5}, CONFIG) == 0.0


def test_agreement_is_symmetric():
    a, b = {"rating": 1}, {"rating": 4}
    assert iface.agreement(a, b, CONFIG) == iface.agreement(b, a, CONFIG) == pytest.approx(0.25)


def test_describe_answer():
    assert iface.describe_answer({"rating": 5, "comment": ""}, CONFIG) == "5 — Great"
    assert iface.describe_answer({"rating": 3, "comment": "meh"}, CONFIG) == "3 (meh)"
