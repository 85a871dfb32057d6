import pytest

from annotation.registry import get_interface
from tests.annotation.helpers import refused

iface = get_interface("spans")
CONFIG = iface.clean_config({"labels": ["Person", "Place"]})
ITEM = iface.clean_item({"text": "Ada met 🎉 Charles in London."}, CONFIG)


def span(start, end, label="Person"):
    return {"start": start, "end": end, "label": label}


def test_offsets_count_code_points():
    start = ITEM["text"].index("Charles")
    assert start == 10  # the emoji is one character
    answer = iface.clean_answer({"spans": [span(start, start + 7)]}, CONFIG, ITEM)
    assert answer == {"spans": [span(10, 17)]}


def test_spans_are_sorted_and_may_be_empty():
    answer = iface.clean_answer({"spans": [span(21, 27, "Place"), span(0, 3)]}, CONFIG, ITEM)
    assert answer == {"spans": [span(0, 3), span(21, 27, "Place")]}
    assert iface.clean_answer({"spans": []}, CONFIG, ITEM) == {"spans": []}


@pytest.mark.parametrize(
    ("spans", "field"),
    [
        ([span(0, 3), span(2, 5)], "spans.1.start"),
        ([span(3, 3)], "spans.0.end"),
        ([span(4, 2)], "spans.0.end"),
        ([span(0, 99)], "spans.0.end"),
        ([span(-1, 2)], "spans.0.start"),
        ([span(0, 3, "Thing")], "spans.0.label"),
        ([{"start": 0, "end": 3}], "spans.0.label"),
        ([{**span(0, 3), "text": "Ada"}], "spans.0.text"),
        ([{"start": True, "end": 3, "label": "Person"}], "spans.0.start"),
        ([{"start": 0.0, "end": 3, "label": "Person"}], "spans.0.start"),
        ([span(0, 1)] * 201, "spans"),
        ("0-3", "spans"),
        ([[0, 3]], "spans.0"),
    ],
)
def test_bad_spans(spans, field):
    refused(iface.clean_answer, {"spans": spans}, CONFIG, ITEM, field=field)


def test_grade_uses_overlap_threshold():
    gold = {"spans": [span(0, 10), span(20, 30, "Place")]}
    assert iface.grade(gold, gold, CONFIG) == 1.0
    # 0..8 against 0..10: IoU 0.8 matches; the Place span is missing: P=1, R=0.5.
    assert iface.grade({"spans": [span(0, 8)]}, gold, CONFIG) == pytest.approx(2 / 3)
    # 0..4 against 0..10: IoU 0.4, below the default 0.5 but above a 0.3 tolerance.
    assert iface.grade({"spans": [span(0, 4)]}, gold, CONFIG) == 0.0
    assert iface.grade({"spans": [span(0, 4)]}, gold, CONFIG, tolerance=0.3) == pytest.approx(2 / 3)
    # Right place, wrong label: no match.
    assert iface.grade({"spans": [span(0, 10, "Place")]}, gold, CONFIG) == 0.0
    assert iface.grade({"spans": []}, {"spans": []}, CONFIG) == 1.0
    assert iface.grade({"spans": []}, gold, CONFIG) == 0.0


def test_agreement_is_symmetric():
    a = {"spans": [span(0, 10), span(12, 14)]}
    b = {"spans": [span(0, 6), span(11, 14), span(20, 22, "Place")]}
    assert iface.agreement(a, b, CONFIG) == iface.agreement(b, a, CONFIG)


def test_describe_answer():
    assert iface.describe_answer({"spans": [span(0, 3), span(5, 8, "Place")]}, CONFIG) == (
        "Spans \u00d72: Person, Place"
    )
    assert iface.describe_answer({"spans": []}, CONFIG) == "No spans"


def test_item_text_keeps_its_spaces_so_offsets_hold():
    cleaned = iface.clean_item({"text": "  Ada\r\nLovelace\x00 "}, CONFIG)
    assert cleaned == {"text": "  Ada\nLovelace "}
    assert cleaned["text"][2:5] == "Ada"
    refused(iface.clean_item, {"text": "   "}, CONFIG, field="text", code="invalid_item")
    refused(iface.clean_item, {"text": "x" * 20_001}, CONFIG, field="text", code="invalid_item")
