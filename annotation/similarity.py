"""The measures grading and agreement are built from: set overlap, edit distance, IoU matching.

Pure Python and bounded: edit distance is bit-parallel (Myers/Hyyrö), so two 20,000-character
transcripts compare in milliseconds, not in the minutes a plain table would take.
"""

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

_PUNCTUATION = re.compile(r"[^\w\s]", re.UNICODE)
_SPACES = re.compile(r"\s+")


def jaccard(a: Iterable, b: Iterable) -> float:
    """Size of the intersection over size of the union; two empty sets agree completely."""
    first, second = set(a), set(b)
    if not first and not second:
        return 1.0
    return len(first & second) / len(first | second)


def normalise_text(text: str) -> str:
    """Case, accents' composition, punctuation and runs of whitespace do not count."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _PUNCTUATION.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def levenshtein(a: str, b: str) -> int:
    """Edit distance (insertions, deletions, substitutions of one character each)."""
    if len(a) < len(b):
        a, b = b, a
    m = len(b)
    if m == 0:
        return len(a)
    full = (1 << m) - 1
    last = 1 << (m - 1)
    peq: dict[str, int] = {}
    for index, char in enumerate(b):
        peq[char] = peq.get(char, 0) | (1 << index)
    pv, mv, score = full, 0, m
    for char in a:
        eq = peq.get(char, 0)
        xv = eq | mv
        xh = ((((eq & pv) + pv) & full) ^ pv) | eq
        ph = (mv | ~(xh | pv)) & full
        mh = pv & xh
        if ph & last:
            score += 1
        elif mh & last:
            score -= 1
        ph = ((ph << 1) | 1) & full
        mh = (mh << 1) & full
        pv = (mh | ~(xv | ph)) & full
        mv = ph & xv
    return score


def edit_similarity(a: str, b: str) -> float:
    """1 - distance / length of the longer normalised text; 1.0 for two empty texts."""
    first, second = normalise_text(a), normalise_text(b)
    longest = max(len(first), len(second))
    if longest == 0:
        return 1.0
    return 1.0 - levenshtein(first, second) / longest


def token_f1(a: str, b: str) -> float:
    """F1 of the normalised words two texts share (counted with multiplicity)."""
    first, second = normalise_text(a).split(), normalise_text(b).split()
    if not first and not second:
        return 1.0
    common = sum((Counter(first) & Counter(second)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(first), common / len(second)
    return 2 * precision * recall / (precision + recall)


def matched_f1(
    predicted: Sequence[dict],
    expected: Sequence[dict],
    overlap: Callable[[dict, dict], float],
    threshold: float,
) -> float:
    """F1 of a one-to-one matching of same-label objects whose overlap reaches the threshold.

    Pairs are matched greedily, best overlap first, which is what a person would pair up.
    Two empty answers agree completely.
    """
    if not predicted and not expected:
        return 1.0
    pairs = []
    for i, first in enumerate(predicted):
        for j, second in enumerate(expected):
            if first.get("label") != second.get("label"):
                continue
            score = overlap(first, second)
            if score >= threshold and score > 0:
                pairs.append((score, i, j))
    pairs.sort(key=lambda pair: -pair[0])
    used_i, used_j = set(), set()
    for _score, i, j in pairs:
        if i not in used_i and j not in used_j:
            used_i.add(i)
            used_j.add(j)
    matches = len(used_i)
    if matches == 0:
        return 0.0
    precision, recall = matches / len(predicted), matches / len(expected)
    return 2 * precision * recall / (precision + recall)


def span_iou(a: dict, b: dict) -> float:
    """Character overlap of two [start, end) spans over their union."""
    inter = min(a["end"], b["end"]) - max(a["start"], b["start"])
    if inter <= 0:
        return 0.0
    union = max(a["end"], b["end"]) - min(a["start"], b["start"])
    return inter / union


def box_iou(a: dict, b: dict) -> float:
    """Area of intersection over area of union of two boxes given as x, y, w, h."""
    iw = min(a["x"] + a["w"], b["x"] + b["w"]) - max(a["x"], b["x"])
    ih = min(a["y"] + a["h"], b["y"] + b["h"]) - max(a["y"], b["y"])
    if iw <= 0 or ih <= 0:
        return 0.0
    inter = iw * ih
    union = a["w"] * a["h"] + b["w"] * b["h"] - inter
    return inter / union if union > 0 else 0.0


def clamp01(value: float) -> float:
    return max(0.0, min(1.0, value))
