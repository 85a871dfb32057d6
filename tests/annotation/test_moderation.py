import pytest

from annotation.registry import get_interface
from tests.annotation.helpers import refused

iface = get_interface("moderation")
CONFIG = iface.clean_config(
    {"policies": ["Hate", "Spam", "Violence"], "severities": ["Low", "High"]}
)
ITEM = {"text": "Buy now!!!"}


def answer(labels=(), severity="", escalate=False, note=""):
    return {"labels": list(labels), "severity": severity, "escalate": escalate, "note": note}


def test_config():
    assert iface.clean_config({"policies": ["a"]}) == {"policies": ["a"], "severities": []}
    refused(iface.clean_config, {"policies": []}, field="policies", code="invalid_config")
    refused(
        iface.clean_config,
        {"policies": ["a"], "severities": ["x", "x"]},
        field="severities.1",
        code="invalid_config",
    )


def test_item():
    assert iface.clean_item({"text": "t", "context": "c"}, CONFIG) == {"text": "t", "context": "c"}
    refused(iface.clean_item, {"context": "c"}, CONFIG, field="text", code="invalid_item")


def test_valid_answers():
    assert iface.clean_answer({"labels": []}, CONFIG, ITEM) == answer()
    assert iface.clean_answer(answer(["Spam", "Hate"], "High", True, "n"), CONFIG, ITEM) == answer(
        ["Hate", "Spam"], "High", True, "n"
    )


@pytest.mark.parametrize(
    ("given", "field"),
    [
        (answer(["Spam"]), "severity"),
        (answer([], "Low"), "severity"),
        (answer(["Spam"], "Medium"), "severity"),
        (answer(["Porn"], "Low"), "labels.0"),
        (answer(["Spam", "Spam"], "Low"), "labels.1"),
        ({**answer(), "escalate": 1}, "escalate"),
        ({**answer(), "escalate": "true"}, "escalate"),
        ({**answer(), "severity": None}, "severity"),
        ({**answer(), "note": "x" * 2001}, "note"),
        ({"severity": ""}, "labels"),
    ],
)
def test_bad_answers(given, field):
    refused(iface.clean_answer, given, CONFIG, ITEM, field=field)


def test_grade_weighs_labels_severity_and_escalation():
    gold = answer(["Hate", "Violence"], "High", True)
    assert iface.grade(gold, gold, CONFIG) == 1.0
    assert iface.grade(answer(["Hate"], "High", True), gold, CONFIG) == pytest.approx(0.7)
    assert iface.grade(answer(["Hate", "Violence"], "Low", False), gold, CONFIG) == pytest.approx(
        0.6
    )
    assert iface.grade(answer(), answer(), CONFIG) == 1.0
    assert iface.grade(answer(), gold, CONFIG) == 0.0


def test_agreement_is_symmetric_and_describe():
    a, b = answer(["Spam"], "Low"), answer(["Spam", "Hate"], "High", True)
    assert iface.agreement(a, b, CONFIG) == iface.agreement(b, a, CONFIG)
    assert iface.describe_answer(b, CONFIG) == "Spam, Hate (High) — escalated"
    assert iface.describe_answer(answer(), CONFIG) == "No violation"
