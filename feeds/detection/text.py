"""Article text into sentences the rules can read one at a time."""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_SENTENCE_CHARS = 2_000

_SPACE_RE = re.compile(r"[ \t\u00a0\u2009\u202f]+")
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])[\"”’']?\s+(?=[\"“‘'(]?[A-Z0-9£])")
_ABBREV_END_RE = re.compile(r"\b(?:Dr|Mr|Mrs|Ms|St|No|Prof|Rev|Gen|Sgt|Lt|Col|approx|etc)\.$")
_TRANSLATE = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "–",
        "\u2014": "—",
        "\u2012": "-",
        "\u2212": "-",
    }
)


@dataclass(frozen=True)
class Sentence:
    """One sentence with where it sits: paragraph number and order in the article."""

    text: str
    index: int
    paragraph: int
    is_title: bool = False


def normalise(text: str) -> str:
    """Straight quotes, plain spaces, "a.m." as "am": one spelling for the rules to match."""
    text = text.translate(_TRANSLATE)
    text = re.sub(r"\b([ap])\.m\.", r"\1m", text, flags=re.I)
    return text


def split_sentences(title: str, body: str) -> list[Sentence]:
    """The title as sentence 0, then the body split into paragraphs and sentences."""
    out: list[Sentence] = []
    title = _SPACE_RE.sub(" ", normalise(title)).strip()
    if title:
        out.append(Sentence(title, 0, 0, is_title=True))
    paragraph = 0
    for block in re.split(r"\n+", normalise(body)):
        block = _SPACE_RE.sub(" ", block).strip()
        if not block:
            continue
        paragraph += 1
        pieces = _SENTENCE_END_RE.split(block)
        merged: list[str] = []
        for piece in pieces:
            if merged and _ABBREV_END_RE.search(merged[-1]):
                merged[-1] = f"{merged[-1]} {piece}"
            else:
                merged.append(piece)
        for piece in merged:
            piece = piece.strip()
            # A run-on "sentence" (a table or list flattened without full stops) is cut into
            # pieces of at most MAX_SENTENCE_CHARS at word boundaries.
            while len(piece) > MAX_SENTENCE_CHARS:
                cut = piece.rfind(" ", 0, MAX_SENTENCE_CHARS)
                cut = cut if cut > 0 else MAX_SENTENCE_CHARS
                out.append(Sentence(piece[:cut].strip(), len(out), paragraph))
                piece = piece[cut:].strip()
            if piece:
                out.append(Sentence(piece, len(out), paragraph))
    return out
