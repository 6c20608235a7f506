"""Clause boundaries: the part of a sentence a date, union or status word belongs to."""

from __future__ import annotations

import re
from functools import lru_cache

from feeds.detection import lexicon as lx

_CLAUSE_BREAK_RE = re.compile(
    r";|:\s|\s[-–—]\s|,?\s+but\s+|,?\s+while\s+|,?\s+whereas\s+|,\s+(?:and\s+)?(?:with|as)\s+"
    r"|\.\s|,\s+after\s+|,\s+although\s+|\s+and\s+(?=(?:the\s+)?(?:[A-Z][A-Za-z]+\s+){0,3}"
    r"(?:members|staff|workers|nurses|doctors|union)\b)",
)


@lru_cache(maxsize=256)
def _clause_breaks(text: str) -> tuple[tuple[int, int], ...]:
    """Where clauses split: punctuation and conjunctions, and commas that start a new subject
    ("RCN nurses are out on Monday, GMB crews strike on Tuesday")."""
    breaks = [(m.start(), m.end()) for m in _CLAUSE_BREAK_RE.finditer(text)]
    for m in _SUBJECT_COMMA_RE.finditer(text):
        ahead = text[m.end() : m.end() + 50]
        if _subject_start(ahead) and not _ends_with_union(text[max(0, m.start() - 40) : m.start()]):
            breaks.append((m.start(), m.end()))
    return tuple(sorted(breaks))


_SUBJECT_COMMA_RE = re.compile(
    r",\s+(?:and\s+|while\s+|but\s+|whereas\s+|with\s+)?|\s+(?:and|while|but|whereas)\s+"
)


def _ends_with_union(before: str) -> bool:
    """ "GMB, Unison and Unite": a list of unions is one subject, not three clauses."""
    return any(m.end() == len(before) for m in lx.ANY_UNION_RE.finditer(before))


def _subject_start(ahead: str) -> bool:
    head = " ".join(ahead.split()[:4])
    return bool(lx.ANY_UNION_RE.search(head) or lx.ANY_STAFF_RE.search(head))


def clause_bounds(text: str, pos: int) -> tuple[int, int]:
    start, end = 0, len(text)
    for b_start, b_end in _clause_breaks(text):
        if b_end <= pos:
            start = b_end
        elif b_start >= pos:
            end = b_start
            break
    return start, end
