"""Every interface refuses hostile answers cleanly: InvalidInput with a field, never a crash."""

import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotation.base import MAX_DEPTH, InvalidInput
from annotation.registry import INTERFACES
from tests.annotation.helpers import refused

ITEMS = {
    "classification": {"text": "Some text"},
    "rating": {"query": "q", "title": "t", "snippet": "s", "url": "https://example.com"},
    "comparison": {"prompt": "p", "response_a": "a", "response_b": "b"},
    "spans": {"text": "Ada Lovelace met Charles Babbage."},
    "regions": {"image_url": "https://example.com/a.png"},
    "transcription": {"audio_url": "https://example.com/a.mp3"},
    "moderation": {"text": "t"},
    "free_text": {"prompt": "p"},
}
VALID = {
    "classification": {"label": "neutral"},
    "rating": {"rating": 3, "comment": ""},
    "comparison": {"choice": "a", "reason": "clearer"},
    "spans": {"spans": [{"start": 0, "end": 3, "label": "Person"}]},
    "regions": {"boxes": [{"x": 0.1, "y": 0.1, "w": 0.2, "h": 0.2, "label": "car"}]},
    "transcription": {"text": "hello there"},
    "moderation": {"labels": ["Spam"], "severity": "Low", "escalate": False, "note": ""},
    "free_text": {"text": "A long enough answer."},
}
# The text field of each interface whose answer carries free text.
TEXT_FIELD = {
    "rating": "comment",
    "comparison": "reason",
    "transcription": "text",
    "moderation": "note",
    "free_text": "text",
}
NAMES = list(INTERFACES)


def setup(name):
    iface = INTERFACES[name]
    return iface, iface.clean_config(iface.example_config()), ITEMS[name]


def test_every_interface_is_covered():
    assert set(NAMES) == set(ITEMS) == set(VALID)


@pytest.mark.parametrize("name", NAMES)
def test_valid_answer_round_trips(name):
    iface, config, item = setup(name)
    cleaned = iface.clean_answer(VALID[name], config, item)
    assert iface.clean_answer(cleaned, config, item) == cleaned
    assert iface.grade(cleaned, cleaned, config) == 1.0
    assert iface.agreement(cleaned, cleaned, config) == 1.0
    assert isinstance(iface.describe_answer(cleaned, config), str)


@pytest.mark.parametrize("name", list(TEXT_FIELD))
def test_html_in_free_text_is_kept_as_plain_text(name):
    iface, config, item = setup(name)
    field = TEXT_FIELD[name]
    hostile = "<script>alert(1)</script><img src=x onerror=alert(2)> done\x00\x07"
    cleaned = iface.clean_answer({**VALID[name], field: hostile}, config, item)
    assert cleaned[field] == "<script>alert(1)</script><img src=x onerror=alert(2)> done"


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    "answer",
    [None, [], "label", 3, 2.5, True, [{"label": "neutral"}]],
    ids=["null", "list", "string", "int", "float", "bool", "list-of-dict"],
)
def test_non_object_answers_are_refused(name, answer):
    iface, config, item = setup(name)
    refused(iface.clean_answer, answer, config, item, field="answer")


@pytest.mark.parametrize("name", NAMES)
def test_deep_nesting_is_refused(name):
    iface, config, item = setup(name)
    deep = "x"
    for _ in range(50):
        deep = [deep]
    key = next(iter(VALID[name]))
    error = refused(iface.clean_answer, {key: deep}, config, item)
    assert error.field.startswith(key)
    deeper = {"a": 1}
    for _ in range(10_000):
        deeper = {"a": deeper}
    refused(iface.clean_answer, deeper, config, item)


@pytest.mark.parametrize("name", NAMES)
def test_nesting_just_past_the_limit_is_refused(name):
    iface, config, item = setup(name)
    value = {}
    for _ in range(MAX_DEPTH):
        value = {"k": value}
    refused(iface.clean_answer, value, config, item)


@pytest.mark.parametrize("name", NAMES)
def test_huge_payload_is_refused(name):
    iface, config, item = setup(name)
    key = TEXT_FIELD.get(name, next(iter(VALID[name])))
    error = refused(iface.clean_answer, {**VALID[name], key: "x" * 1_000_000}, config, item)
    assert error.field == "answer"
    many = {**VALID[name], "padding": list(range(100_000))}
    refused(iface.clean_answer, many, config, item)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("number", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_are_refused(name, number):
    iface, config, item = setup(name)
    key = next(iter(VALID[name]))
    refused(iface.clean_answer, {key: number}, config, item, field=key)


@pytest.mark.parametrize("name", NAMES)
def test_unknown_keys_are_refused(name):
    iface, config, item = setup(name)
    refused(iface.clean_answer, {**VALID[name], "extra": 1}, config, item, field="extra")


def test_bools_are_not_numbers():
    iface, config, item = setup("rating")
    refused(iface.clean_answer, {"rating": True}, config, item, field="rating")
    iface, config, item = setup("spans")
    refused(
        iface.clean_answer,
        {"spans": [{"start": False, "end": True, "label": "Person"}]},
        config,
        item,
        field="spans.0.start",
    )
    iface, config, item = setup("regions")
    box = {"x": True, "y": 0, "w": 0.5, "h": 0.5, "label": "car"}
    refused(iface.clean_answer, {"boxes": [box]}, config, item, field="boxes.0.x")


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=30,
)


def shaped(name):
    """Answers with the right keys but arbitrary values, to reach the deeper checks."""
    keys = sorted({*VALID[name], "start", "end", "label", "x", "y", "w", "h"})
    inner = st.dictionaries(st.sampled_from(keys), JSON, max_size=6)
    value = JSON | st.lists(inner, max_size=4) | st.lists(st.sampled_from(["Person", "car"]))
    return st.dictionaries(st.sampled_from(sorted(VALID[name])), value, max_size=4)


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answer=JSON)
def test_arbitrary_json_only_ever_raises_invalid_input(name, answer):
    iface, config, item = setup(name)
    try:
        cleaned = iface.clean_answer(answer, config, item)
    except InvalidInput as error:
        assert error.code == "invalid_answer" and error.field
        return
    json.dumps(cleaned, allow_nan=False)


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_arbitrary_values_under_the_right_keys_only_raise_invalid_input(name, data):
    iface, config, item = setup(name)
    answer = data.draw(shaped(name))
    try:
        cleaned = iface.clean_answer(answer, config, item)
    except InvalidInput as error:
        assert error.code == "invalid_answer" and error.field
        return
    # Whatever passes is stable, gradable and describable.
    assert iface.clean_answer(cleaned, config, item) == cleaned
    assert 0.0 <= iface.grade(cleaned, VALID[name] | {}, config) <= 1.0
    iface.describe_answer(cleaned, config)


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=40, deadline=None)
@given(data=JSON)
def test_arbitrary_items_and_configs_only_raise_invalid_input(name, data):
    iface, config, _item = setup(name)
    for call, args, code in (
        (iface.clean_item, (data, config), "invalid_item"),
        (iface.clean_config, (data,), "invalid_config"),
    ):
        try:
            call(*args)
        except InvalidInput as error:
            assert error.code == code
