"""The demo's qualification tests: one per category, imported from cms/demo_tests/*.json.

Some tests hold sample-task questions whose items show media at fixed /media/ paths; those
files (a generated street scene, a voice clip from cms/demo/assets/) are stored first.
"""

import json
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from jobs.models import QualificationTest
from jobs.qualification_io import qualification_test_import

from .street_scenes import street_scene

TESTS_DIR = Path(__file__).resolve().parent.parent / "demo_tests"
AUDIO_DIR = Path(__file__).resolve().parent / "assets" / "audio"
# Storage name -> how to make the file; the tests' JSON refers to them as /media/<name>.
TEST_MEDIA = {
    "demo/tests/street-scene-106.png": lambda: street_scene(106)[0],
    "demo/tests/voice-clip-lisbon.wav": lambda: (AUDIO_DIR / "clip-03.wav").read_bytes(),
}


def demo_test_media_ensure() -> int:
    """Store the sample tasks' media files that are missing; returns how many were stored."""
    stored = 0
    for name, make in TEST_MEDIA.items():
        if not default_storage.exists(name):
            default_storage.save(name, ContentFile(make()))
            stored += 1
    return stored


def demo_tests_ensure() -> dict[str, QualificationTest]:
    """Import (idempotently) every demo test as a platform test; returns them by category."""
    demo_test_media_ensure()
    tests = {}
    for path in sorted(TESTS_DIR.glob("*.json")):
        result = qualification_test_import(data=json.loads(path.read_text(encoding="utf-8")))
        tests[result.test.category] = result.test
    return tests


def listing_needs_test(position_in_category: int) -> bool:
    """Most listings name their category's test; every third one needs no test."""
    return position_in_category % 3 != 2
