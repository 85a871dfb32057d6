"""Agreement is symmetric and within 0..1 for any pair of valid answers."""

from hypothesis import given
from hypothesis import strategies as st

from annotation.registry import INTERFACES

SPANS = INTERFACES["spans"]
REGIONS = INTERFACES["regions"]
RATING = INTERFACES["rating"]
SPAN_CONFIG = {"labels": ["A", "B"]}
BOX_CONFIG = {"labels": ["car", "person"]}
RATING_CONFIG = RATING.clean_config({"min": 1, "max": 7})


@st.composite
def span_answers(draw):
    cuts = sorted(draw(st.sets(st.integers(0, 60), max_size=10)))
    spans = [
        {"start": start, "end": end, "label": draw(st.sampled_from(["A", "B"]))}
        for start, end in zip(cuts[::2], cuts[1::2], strict=False)
    ]
    return SPANS.clean_answer({"spans": spans}, SPAN_CONFIG, {"text": "x" * 60})


fraction = st.floats(0, 0.5, allow_nan=False)
side = st.floats(0.01, 0.5, allow_nan=False)
box = st.fixed_dictionaries(
    {
        "x": fraction,
        "y": fraction,
        "w": side,
        "h": side,
        "label": st.sampled_from(["car", "person"]),
    }
)
box_answers = st.lists(box, max_size=6).map(
    lambda boxes: REGIONS.clean_answer({"boxes": boxes}, BOX_CONFIG, {})
)


@given(span_answers(), span_answers(), st.floats(0.01, 1))
def test_spans_agreement_is_symmetric(a, b, tolerance):
    assert SPANS.agreement(a, b, SPAN_CONFIG) == SPANS.agreement(b, a, SPAN_CONFIG)
    assert 0.0 <= SPANS.grade(a, b, SPAN_CONFIG, tolerance) <= 1.0


@given(box_answers, box_answers, st.floats(0.01, 1))
def test_regions_agreement_is_symmetric(a, b, tolerance):
    assert REGIONS.agreement(a, b, BOX_CONFIG) == REGIONS.agreement(b, a, BOX_CONFIG)
    assert 0.0 <= REGIONS.grade(a, b, BOX_CONFIG, tolerance) <= 1.0


@given(st.integers(1, 7), st.integers(1, 7), st.integers(0, 8))
def test_rating_agreement_is_symmetric_and_grade_bounded(a, b, tolerance):
    first, second = {"rating": a}, {"rating": b}
    assert RATING.agreement(first, second, RATING_CONFIG) == RATING.agreement(
        second, first, RATING_CONFIG
    )
    assert 0.0 <= RATING.grade(first, second, RATING_CONFIG, tolerance) <= 1.0
