import pytest

from annotation.registry import get_interface
from tests.annotation.helpers import refused

iface = get_interface("transcription")
CONFIG = iface.clean_config({"language": "English"})
ITEM = {"audio_url": "/media/projects/1/clip.mp3"}


def test_config_and_items():
    assert CONFIG == {"language": "English", "instructions": ""}
    refused(iface.clean_config, {}, field="language", code="invalid_config")
    refused(iface.clean_config, {"language": ""}, field="language", code="invalid_config")
    assert iface.clean_item({**ITEM, "context": "A call"}, CONFIG) == {**ITEM, "context": "A call"}
    refused(
        iface.clean_item,
        {"audio_url": "file:///etc/passwd"},
        CONFIG,
        field="audio_url",
        code="invalid_item",
    )


def test_answers():
    assert iface.clean_answer({"text": " Hello\r\nthere "}, CONFIG, ITEM) == {
        "text": "Hello\nthere"
    }
    refused(iface.clean_answer, {"text": "   "}, CONFIG, ITEM, field="text")
    refused(iface.clean_answer, {"text": "x" * 10_001}, CONFIG, ITEM, field="text")
    refused(iface.clean_answer, {"text": ["x"]}, CONFIG, ITEM, field="text")


def test_grade_normalises_and_applies_the_tolerance():
    gold = {"text": "Hello, this is a short test."}
    assert iface.grade({"text": "hello this is a short test"}, gold, CONFIG) == 1.0
    # "hello this is a short test" (26 chars) vs "hello this is a shirt tent" : 2 edits -> 0.923
    near = {"text": "Hello, this is a shirt tent."}
    assert iface.grade(near, gold, CONFIG) == 1.0
    assert iface.grade(near, gold, CONFIG, tolerance=0) == pytest.approx(1 - 2 / 26)
    assert iface.grade({"text": "completely different words"}, gold, CONFIG) < 0.5


def test_agreement_is_symmetric():
    a, b = {"text": "the quick brown fox"}, {"text": "a quick brown box"}
    assert iface.agreement(a, b, CONFIG) == iface.agreement(b, a, CONFIG)
