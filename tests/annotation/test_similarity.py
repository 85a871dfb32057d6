from hypothesis import given
from hypothesis import strategies as st

from annotation.similarity import (
    box_iou,
    edit_similarity,
    jaccard,
    levenshtein,
    matched_f1,
    normalise_text,
    span_iou,
    token_f1,
)


def naive_levenshtein(a, b):
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


@given(st.text(alphabet="abcd🎉 ", max_size=40), st.text(alphabet="abcd🎉 ", max_size=40))
def test_bit_parallel_levenshtein_matches_the_table(a, b):
    assert levenshtein(a, b) == naive_levenshtein(a, b) == levenshtein(b, a)


def test_levenshtein_known_values_and_long_texts():
    assert levenshtein("kitten", "sitting") == 3
    assert levenshtein("", "abc") == 3
    assert levenshtein("a" * 200, "a" * 199 + "b") == 1
    long = "the quick brown fox jumps over the lazy dog " * 400
    assert levenshtein(long, long.replace("fox", "cat", 1)) == 3


def test_normalise_text_ignores_case_punctuation_and_spacing():
    assert normalise_text("  Hello,   WORLD!\n") == "hello world"
    assert edit_similarity("Hello, world!", "hello world") == 1.0
    assert edit_similarity("", "") == 1.0
    assert edit_similarity("abc", "") == 0.0


def test_token_f1_and_jaccard():
    assert token_f1("a b c d", "a b c e") == 0.75
    assert token_f1("", "") == 1.0
    assert token_f1("a", "") == 0.0
    assert jaccard([], []) == 1.0
    assert jaccard(["a", "b"], ["b", "c"]) == 1 / 3


def test_iou_measures():
    assert span_iou({"start": 0, "end": 10}, {"start": 5, "end": 15}) == 5 / 15
    assert span_iou({"start": 0, "end": 5}, {"start": 5, "end": 10}) == 0.0
    a = {"x": 0.0, "y": 0.0, "w": 0.5, "h": 0.5}
    assert box_iou(a, a) == 1.0
    assert box_iou(a, {"x": 0.25, "y": 0.0, "w": 0.5, "h": 0.5}) == 0.125 / 0.375
    assert box_iou(a, {"x": 0.5, "y": 0.5, "w": 0.1, "h": 0.1}) == 0.0


def test_matching_is_one_to_one():
    gold = [{"start": 0, "end": 10, "label": "X"}]
    twice = gold * 2
    # Two copies of the same span match the gold span once: precision 1/2, recall 1.
    assert matched_f1(twice, gold, span_iou, 0.5) == 2 * 0.5 / 1.5
