import pytest

from annotation.registry import get_interface
from tests.annotation.helpers import refused

iface = get_interface("regions")
CONFIG = iface.clean_config({"labels": ["car", "person"]})
ITEM = {"image_url": "https://example.com/street.jpg"}


def box(x, y, w, h, label="car"):
    return {"x": x, "y": y, "w": w, "h": h, "label": label}


def test_valid_boxes_are_kept_as_fractions():
    answer = iface.clean_answer(
        {"boxes": [box(0, 0, 1, 1), box(0.25, 0.5, 0.5, 0.25, "person")]}, CONFIG, ITEM
    )
    assert answer == {"boxes": [box(0.0, 0.0, 1.0, 1.0), box(0.25, 0.5, 0.5, 0.25, "person")]}
    assert iface.clean_answer({"boxes": []}, CONFIG, ITEM) == {"boxes": []}


def test_a_box_touching_the_edge_after_rounding_is_clipped():
    answer = iface.clean_answer({"boxes": [box(0.5, 0.5, 0.5000001, 0.5)]}, CONFIG, ITEM)
    assert answer["boxes"][0]["w"] == 0.5


@pytest.mark.parametrize(
    ("boxes", "field"),
    [
        ([box(0.1, 0.1, 0, 0.2)], "boxes.0.w"),
        ([box(0.1, 0.1, 0.2, 0)], "boxes.0.h"),
        ([box(-0.1, 0.1, 0.2, 0.2)], "boxes.0.x"),
        ([box(0.1, 1.2, 0.2, 0.2)], "boxes.0.y"),
        ([box(0.9, 0.1, 0.2, 0.2)], "boxes.0.w"),
        ([box(0.1, 0.9, 0.2, 0.2)], "boxes.0.h"),
        ([box(0.1, 0.1, 0.2, 0.2, "dog")], "boxes.0.label"),
        ([{**box(0.1, 0.1, 0.2, 0.2), "x": True}], "boxes.0.x"),
        ([{**box(0.1, 0.1, 0.2, 0.2), "x": "0.1"}], "boxes.0.x"),
        ([{**box(0.1, 0.1, 0.2, 0.2), "score": 1}], "boxes.0.score"),
        ([box(0.1, 0.1, 0.2, 0.2)] * 201, "boxes"),
        ({"x": 0}, "boxes"),
    ],
)
def test_bad_boxes(boxes, field):
    refused(iface.clean_answer, {"boxes": boxes}, CONFIG, ITEM, field=field)


def test_item_needs_a_safe_image_url():
    assert iface.clean_item(ITEM, CONFIG) == ITEM
    refused(iface.clean_item, {}, CONFIG, field="image_url", code="invalid_item")
    refused(
        iface.clean_item,
        {"image_url": "data:image/png;base64,xx"},
        CONFIG,
        field="image_url",
        code="invalid_item",
    )


def test_grade_matches_boxes_by_label_and_iou():
    gold = {"boxes": [box(0, 0, 0.5, 0.5), box(0.5, 0.5, 0.5, 0.5, "person")]}
    assert iface.grade(gold, gold, CONFIG) == 1.0
    # Shifted by a tenth: IoU = 0.4*0.5 / (0.25+0.25-0.2) = 2/3 >= 0.5, matches.
    shifted = {"boxes": [box(0.1, 0, 0.5, 0.5), box(0.5, 0.5, 0.5, 0.5, "person")]}
    assert iface.grade(shifted, gold, CONFIG) == 1.0
    assert iface.grade(shifted, gold, CONFIG, tolerance=0.7) == pytest.approx(0.5)
    # Same place, wrong label: only the person box matches.
    relabelled = {"boxes": [box(0, 0, 0.5, 0.5, "person"), box(0.5, 0.5, 0.5, 0.5, "person")]}
    assert iface.grade(relabelled, gold, CONFIG) == pytest.approx(0.5)
    # An extra box lowers precision.
    extra = {"boxes": [*gold["boxes"], box(0.8, 0, 0.1, 0.1)]}
    assert iface.grade(extra, gold, CONFIG) == pytest.approx(0.8)
    assert iface.grade({"boxes": []}, {"boxes": []}, CONFIG) == 1.0


def test_agreement_is_symmetric():
    a = {"boxes": [box(0, 0, 0.5, 0.5), box(0.05, 0, 0.5, 0.5)]}
    b = {"boxes": [box(0.02, 0, 0.5, 0.5)]}
    assert iface.agreement(a, b, CONFIG) == iface.agreement(b, a, CONFIG)


def test_describe_answer():
    answer = {"boxes": [box(0, 0, 0.1, 0.1), box(0, 0, 0.1, 0.1, "person"), box(0, 0, 0.2, 0.2)]}
    assert iface.describe_answer(answer, CONFIG) == "Box \u00d73: car, car, person"
