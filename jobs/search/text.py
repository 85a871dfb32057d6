"""Words of a query or a listing: tokenising, synonyms and the vocabulary, shared by backends."""

from __future__ import annotations

import re

from .results import MAX_SEARCH_TERMS

MAX_TERM_LENGTH = 40
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_VOCABULARY_WORD = re.compile(r"[^\W\d_]{3,40}", re.UNICODE)

# Words of the field that mean the same job; both backends expand a query with them.
SYNONYM_GROUPS = [
    ("annotation", "labeling", "labelling", "tagging"),
    ("moderation", "review"),
    ("rater", "evaluator", "assessor"),
    ("transcription", "speech"),
]
SYNONYMS = {word: group for group in SYNONYM_GROUPS for word in group}


def query_terms(q: str) -> list[str]:
    """The first few lowercase words of a query; punctuation and query syntax are dropped."""
    terms: list[str] = []
    for match in _WORD.finditer(q[:2000]):
        term = match.group().lower()[:MAX_TERM_LENGTH]
        if term not in terms:
            terms.append(term)
        if len(terms) == MAX_SEARCH_TERMS:
            break
    return terms


def vocabulary_words(*texts: str) -> set[str]:
    """Words worth suggesting: letters only, 3 to 40 characters, lowercase."""
    return {word.lower() for text in texts for word in _VOCABULARY_WORD.findall(text)}
