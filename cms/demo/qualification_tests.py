"""The demo's qualification tests: one per category, imported from cms/demo_tests/*.json."""

import json
from pathlib import Path

from jobs.models import QualificationTest
from jobs.qualification_io import qualification_test_import

TESTS_DIR = Path(__file__).resolve().parent.parent / "demo_tests"


def demo_tests_ensure() -> dict[str, QualificationTest]:
    """Import (idempotently) every demo test as a platform test; returns them by category."""
    tests = {}
    for path in sorted(TESTS_DIR.glob("*.json")):
        result = qualification_test_import(data=json.loads(path.read_text(encoding="utf-8")))
        tests[result.test.category] = result.test
    return tests


def listing_needs_test(position_in_category: int) -> bool:
    """Most listings name their category's test; every third one needs no test."""
    return position_in_category % 3 != 2
