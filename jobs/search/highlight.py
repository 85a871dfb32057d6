"""Safe highlighting: matches wrapped in <mark>, every other character escaped."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_SUFFIXES = ("ations", "ation", "ings", "ing", "ers", "er", "ed", "es", "s")


def _stem(word: str) -> str:
    """A crude English stem, so "annotating" marks "annotation" as the search engine matched."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def highlight(text: str, words: Iterable[str]) -> SafeString:
    """`text` escaped, with words starting like one of `words` wrapped in <mark>.

    Only escaped pieces of `text` and our own tags reach the output, so listing text can
    never inject markup.
    """
    stems = sorted({_stem(word.lower()) for word in words if word}, key=len, reverse=True)
    if not stems or not text:
        return escape(text)
    pattern = re.compile(
        r"(?<!\w)(?:" + "|".join(re.escape(stem) for stem in stems) + r")\w*", re.IGNORECASE
    )
    pieces = []
    last = 0
    for match in pattern.finditer(text):
        pieces.append(escape(text[last : match.start()]))
        pieces.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    pieces.append(escape(text[last:]))
    return mark_safe("".join(pieces))  # noqa: S308 - built only from escaped pieces
