import pytest

from annotation.registry import get_interface
from tests.annotation.helpers import refused

iface = get_interface("classification")
SINGLE = iface.clean_config({"labels": ["positive", "neutral", "negative"]})
MULTI = iface.clean_config({"labels": ["spam", "promo", "scam"], "multiple": True})
ITEM = {"text": "Great service"}


def test_config_is_normalised_with_defaults():
    assert iface.clean_config({"labels": [" a ", "b"]}) == {
        "labels": ["a", "b"],
        "multiple": False,
        "question": "",
    }


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({}, "labels"),
        ({"labels": ["only"]}, "labels"),
        ({"labels": ["a", "A"]}, "labels.1"),
        ({"labels": ["a", ""]}, "labels.1"),
        ({"labels": ["a", 3]}, "labels.1"),
        ({"labels": ["a", "x" * 101]}, "labels.1"),
        ({"labels": [f"l{n}" for n in range(51)]}, "labels"),
        ({"labels": ["a", "b"], "multiple": "yes"}, "multiple"),
        ({"labels": ["a", "b"], "colour": "red"}, "colour"),
        (["a", "b"], "label_schema"),
    ],
)
def test_bad_configs_are_refused(config, field):
    refused(iface.clean_config, config, field=field, code="invalid_config")


def test_item_needs_text_or_image_and_drops_empty_optional_fields():
    assert iface.clean_item({"text": "hi", "title": ""}, SINGLE) == {"text": "hi"}
    assert iface.clean_item({"image_url": "https://cdn.example.com/a.png"}, SINGLE) == {
        "image_url": "https://cdn.example.com/a.png"
    }
    refused(iface.clean_item, {"title": "t"}, SINGLE, field="text", code="invalid_item")


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "data:image/png;base64,AAAA",
        "ftp://example.com/a.png",
        "//evil.example.com/a.png",
        "/static/a.png",
        "/media/../settings.py",
        "https://",
        "https://exa mple.com/a.png",
        "vbscript:msgbox",
    ],
)
def test_item_refuses_unsafe_urls(url):
    refused(iface.clean_item, {"image_url": url}, SINGLE, field="image_url", code="invalid_item")


def test_item_accepts_media_paths_and_http():
    for url in ("/media/projects/1/cat.png", "http://example.com/cat.png"):
        assert iface.clean_item({"image_url": url}, SINGLE)["image_url"] == url


def test_item_refuses_unknown_fields_and_wrong_types():
    refused(
        iface.clean_item,
        {"text": "x", "gold": "positive"},
        SINGLE,
        field="gold",
        code="invalid_item",
    )
    refused(iface.clean_item, {"text": 5}, SINGLE, field="text", code="invalid_item")
    refused(iface.clean_item, {"text": "x" * 20_001}, SINGLE, field="text", code="invalid_item")


def test_single_answer():
    assert iface.clean_answer({"label": "neutral"}, SINGLE, ITEM) == {"label": "neutral"}
    refused(iface.clean_answer, {"label": "angry"}, SINGLE, ITEM, field="label")
    refused(iface.clean_answer, {}, SINGLE, ITEM, field="label")
    refused(iface.clean_answer, {"labels": ["neutral"]}, SINGLE, ITEM, field="labels")
    refused(iface.clean_answer, {"label": 1}, SINGLE, ITEM, field="label")


def test_multiple_answer_is_ordered_like_the_schema():
    assert iface.clean_answer({"labels": ["scam", "spam"]}, MULTI, ITEM) == {
        "labels": ["spam", "scam"]
    }
    refused(iface.clean_answer, {"labels": []}, MULTI, ITEM, field="labels")
    refused(iface.clean_answer, {"labels": ["spam", "spam"]}, MULTI, ITEM, field="labels.1")
    refused(iface.clean_answer, {"labels": ["spam", "ham"]}, MULTI, ITEM, field="labels.1")
    refused(iface.clean_answer, {"label": "spam"}, MULTI, ITEM, field="label")


def test_grade_and_agreement():
    assert iface.grade({"label": "neutral"}, {"label": "neutral"}, SINGLE) == 1.0
    assert iface.grade({"label": "neutral"}, {"label": "negative"}, SINGLE) == 0.0
    assert iface.grade({"labels": ["spam", "scam"]}, {"labels": ["spam"]}, MULTI) == 0.5
    a, b = {"labels": ["spam", "promo"]}, {"labels": ["promo", "scam"]}
    assert iface.agreement(a, b, MULTI) == iface.agreement(b, a, MULTI) == pytest.approx(1 / 3)


def test_describe_answer():
    assert iface.describe_answer({"label": "positive"}, SINGLE) == "positive"
    assert iface.describe_answer({"labels": ["spam", "scam"]}, MULTI) == "spam, scam"


def test_example_config_is_valid():
    assert iface.clean_config(iface.example_config()) == iface.example_config()
