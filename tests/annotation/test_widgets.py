"""The annotation_widget tag: every widget renders, escapes item text, restores `initial`."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template

from annotation.base import InvalidInput
from annotation.registry import INTERFACES
from tests.annotation.test_hostile import ITEMS, VALID

SCRIPT = "<script>alert('pwned')</script>"
TAG = Template(
    "{% load annotation_tags %}"
    "{% annotation_widget name config item field_name=field risk=risk initial=initial %}"
)


def render(name, item=None, *, field="answer", risk="none", initial=None, config=None):
    iface = INTERFACES[name]
    context = {
        "name": name,
        "config": config or iface.clean_config(iface.example_config()),
        "item": ITEMS[name] if item is None else item,
        "field": field,
        "risk": risk,
        "initial": initial,
    }
    return TAG.render(Context(context))


@pytest.mark.parametrize("name", list(INTERFACES))
def test_each_widget_renders_with_its_hidden_input_and_assets(name):
    html = render(name, field="q7")
    iface = INTERFACES[name]
    assert 'data-annotation-widget="' + name + '"' in html
    assert '<input type="hidden" name="q7" value="" data-annot-answer>' in html
    assert 'id="annot-q7"' in html
    assert f"/static/{iface.widget_script}" in html
    assert "/static/annotation/annotation.js" in html
    assert "/static/annotation/annotation.css" in html
    assert "Keyboard shortcuts" in html
    assert " style=" not in html and "<script>" not in html.replace("<script src=", "")
    static = Path(settings.BASE_DIR) / "static"
    assert (static / iface.widget_script).is_file()


@pytest.mark.parametrize("name", list(INTERFACES))
def test_item_text_is_escaped(name):
    item = {key: SCRIPT for key, value in ITEMS[name].items() if "url" not in key}
    item |= {key: value for key, value in ITEMS[name].items() if "url" in key}
    html = render(name, item)
    assert SCRIPT not in html
    if any("url" not in key for key in ITEMS[name]):
        assert "&lt;script&gt;alert(&#x27;pwned&#x27;)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("classification", "image_url"),
        ("regions", "image_url"),
        ("transcription", "audio_url"),
        ("moderation", "image_url"),
    ],
)
def test_unsafe_media_urls_never_reach_the_page(name, field):
    html = render(name, {**ITEMS[name], field: "javascript:alert(1)"})
    assert "javascript:" not in html


def test_labels_from_the_schema_are_escaped():
    iface = INTERFACES["classification"]
    config = iface.clean_config({"labels": [SCRIPT, "ok"]})
    html = render("classification", config=config)
    assert SCRIPT not in html
    assert "&lt;script&gt;" in html


def test_the_gold_answer_is_never_rendered():
    # Hosts pass only the item's data; a gold answer kept beside it never shows up.
    item = {"text": "A review"}
    gold = {"label": "negative", "explanation": "GOLD-EXPLANATION-123"}
    html = render("classification", item)
    assert "GOLD-EXPLANATION-123" not in html
    assert json.dumps(gold) not in html


@pytest.mark.parametrize("name", list(INTERFACES))
def test_initial_answer_is_handed_to_the_script(name):
    html = render(name, initial=VALID[name])
    assert 'data-initial="{&quot;' in html


def test_initial_answer_is_also_restored_in_native_inputs():
    html = render("classification", initial={"label": "neutral"})
    assert 'value="neutral" data-annot-key="2" checked' in html
    html = render("free_text", initial=json.dumps({"text": "kept <b>after</b> a conflict"}))
    assert "kept &lt;b&gt;after&lt;/b&gt; a conflict</textarea>" in html
    html = render("rating", initial={"rating": 4, "comment": "fine"})
    assert 'value="4" data-annot-key="4" checked' in html
    html = render("moderation", initial={"labels": ["Spam"], "severity": "High", "escalate": True})
    assert 'value="Spam" data-annot-key="5" data-annot-policy checked' in html


def test_broken_initial_is_ignored():
    html = render("comparison", initial="{not json")
    assert 'data-initial=""' in html


@pytest.mark.parametrize(
    ("risk", "text"), [("mild", "Sensitive content"), ("graphic", "Warning: graphic content")]
)
def test_risky_content_is_behind_a_reveal_control(risk, text):
    html = render("regions", risk=risk, field="r")
    assert f"annot-risk-{risk}" in html
    assert text in html
    assert 'id="annot-r-reveal"' in html and 'for="annot-r-reveal"' in html
    assert "Show content" in html


def test_no_reveal_control_without_risk_and_unknown_risk_counts_as_mild():
    assert "Show content" not in render("regions")
    assert "annot-risk-mild" in render("regions", risk="extreme")


def test_field_names_are_safe_in_ids():
    html = render("classification", field='q"1 x')
    assert 'id="annot-q-1-x"' in html
    assert 'name="q&quot;1 x"' in html


def test_unknown_interface_is_refused():
    with pytest.raises(InvalidInput) as caught:
        Template("{% load annotation_tags %}{% annotation_widget 'nope' c i %}").render(
            Context({"c": {}, "i": {}})
        )
    assert caught.value.code == "unknown_interface"


def test_rating_shortcut_keys_follow_the_scale():
    iface = INTERFACES["rating"]
    assert [p["key"] for p in iface.widget_context({"min": 1, "max": 10}, {}, {})["points"]] == [
        1,
        2,
        3,
        4,
        5,
        6,
        7,
        8,
        9,
        0,
    ]
    assert [p["key"] for p in iface.widget_context({"min": -2, "max": 2}, {}, {})["points"]] == [
        1,
        2,
        3,
        4,
        5,
    ]
