from annotation.registry import get_interface
from tests.annotation.helpers import refused

iface = get_interface("comparison")
CONFIG = iface.clean_config({"allow_tie": False, "require_reason": True})
LOOSE = iface.clean_config({})
ITEM = {"prompt": "Explain", "response_a": "A", "response_b": "B"}


def test_config_defaults_and_refusals():
    assert LOOSE == {"question": "", "allow_tie": True, "require_reason": False}
    refused(iface.clean_config, {"allow_tie": 1}, field="allow_tie", code="invalid_config")
    refused(iface.clean_config, {"ties": True}, field="ties", code="invalid_config")


def test_item_needs_all_three_texts():
    assert iface.clean_item(ITEM, LOOSE) == ITEM
    refused(
        iface.clean_item,
        {"prompt": "p", "response_a": "a"},
        LOOSE,
        field="response_b",
        code="invalid_item",
    )


def test_answers():
    assert iface.clean_answer({"choice": "tie"}, LOOSE, ITEM) == {"choice": "tie", "reason": ""}
    assert iface.clean_answer({"choice": "b", "reason": "clearer"}, CONFIG, ITEM) == {
        "choice": "b",
        "reason": "clearer",
    }
    refused(iface.clean_answer, {"choice": "tie", "reason": "x"}, CONFIG, ITEM, field="choice")
    refused(iface.clean_answer, {"choice": "a", "reason": "  "}, CONFIG, ITEM, field="reason")
    refused(iface.clean_answer, {"choice": "A"}, LOOSE, ITEM, field="choice")
    refused(iface.clean_answer, {"choice": "a", "reason": 3}, LOOSE, ITEM, field="reason")


def test_grade_and_agreement():
    assert iface.grade({"choice": "a"}, {"choice": "a"}, LOOSE) == 1.0
    assert iface.grade({"choice": "a"}, {"choice": "b"}, LOOSE) == 0.0
    assert iface.grade({"choice": "tie"}, {"choice": "b"}, LOOSE) == 0.5
    a, b = {"choice": "a"}, {"choice": "tie"}
    assert iface.agreement(a, b, LOOSE) == iface.agreement(b, a, LOOSE) == 0.5


def test_describe_answer():
    assert (
        iface.describe_answer({"choice": "b", "reason": "clearer steps"}, LOOSE)
        == "B — clearer steps"
    )
    assert iface.describe_answer({"choice": "tie", "reason": ""}, LOOSE) == "Tie"
