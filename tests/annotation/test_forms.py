import pytest
from django.http import QueryDict

from annotation.forms import answer_from_post
from annotation.registry import get_interface
from tests.annotation.helpers import refused


def post(**fields):
    data = QueryDict(mutable=True)
    for key, value in fields.items():
        if isinstance(value, list):
            data.setlist(key, value)
        else:
            data[key] = value
    return data


def test_hidden_json_wins_over_native_fields():
    iface = get_interface("classification")
    config = iface.example_config()
    data = post(answer='{"label": "neutral"}', answer__label="positive")
    assert answer_from_post(iface, config, data) == {"label": "neutral"}


@pytest.mark.parametrize(
    ("name", "fields", "expected"),
    [
        ("classification", {"q__label": "positive"}, {"label": "positive"}),
        ("classification", {}, {}),
        ("rating", {"q__rating": "4", "q__comment": "ok"}, {"rating": 4, "comment": "ok"}),
        ("rating", {"q__rating": "four"}, {"rating": "four"}),
        ("comparison", {"q__choice": "b", "q__reason": "why"}, {"choice": "b", "reason": "why"}),
        ("transcription", {"q__text": "hello"}, {"text": "hello"}),
        ("free_text", {"q__text": "hello"}, {"text": "hello"}),
        (
            "moderation",
            {"q__labels": ["Spam", "Violence"], "q__severity": "High", "q__escalate": "on"},
            {"labels": ["Spam", "Violence"], "severity": "High", "escalate": True, "note": ""},
        ),
        ("spans", {"q__text": "x"}, {}),
        ("regions", {}, {}),
    ],
)
def test_native_fields_without_javascript(name, fields, expected):
    iface = get_interface(name)
    config = iface.clean_config(iface.example_config())
    assert answer_from_post(iface, config, post(q="", **fields), "q") == expected


def test_native_answer_then_goes_through_clean_answer():
    iface = get_interface("rating")
    config = iface.clean_config(iface.example_config())
    raw = answer_from_post(iface, config, post(q__rating="9"), "q")
    refused(iface.clean_answer, raw, config, {"query": "q"}, field="rating")


@pytest.mark.parametrize("raw", ["{not json", "[" * 100_000, "x" * 200_000])
def test_unreadable_hidden_json_is_refused_with_the_field(raw):
    iface = get_interface("classification")
    refused(answer_from_post, iface, iface.example_config(), {"q": raw}, "q", field="q")
