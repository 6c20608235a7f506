"""Find UK place and NHS organisation names in article text and give each its area code.

Names come from ``config/areas/areas.csv`` (official names, plus short forms derived from them:
"South East Coast Ambulance Service", "NHS Kent and Medway", "Kent and Medway ICB") and the
hand-written ``aliases.csv`` (acronyms such as SECAmb, union usage such as "the South East", towns).
All names go into one trie-shaped regular expression, so a scan is one pass over the text and the
longest name wins ("England and Wales" over "England", "North East Lincolnshire" over "North East").

A name that may not mean the place ("Reading", "SAS", "Newcastle", "West Midlands") is resolved by
words around it; if the context does not settle it the match is returned with ``ambiguous=True``
(and the other candidate codes), never silently guessed.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from subscribers.areas import AREAS_DIR, AreaTable, load_area_table

# Single-word district names that are also common words or surnames: only taken as the place
# when written as a place ("in Reading", "Reading Borough Council").
COMMON_WORD_NAMES = frozenset(
    {
        "reading",
        "hart",
        "preston",
        "boston",
        "rugby",
        "bury",
        "harrow",
        "sutton",
        "merton",
        "brent",
        "stafford",
        "lancaster",
        "lincoln",
        "warwick",
        "highland",
        "angus",
        "moray",
        "wyre",
        "melton",
        "arun",
        "rother",
        "swale",
        "halton",
        "ashford",
        "stirling",
        "bath",
        "bedford",
        "mansfield",
        "dover",
        "christchurch",
        "barnet",
        "borders",
        "fylde",
    }
)
# Names whose everyday sense is something else even after "in"/"at" ("talks at Westminster"):
# taken as the place only when followed by "Council", "Hospital" and the like.
INSTITUTION_ONLY_NAMES = frozenset({"westminster", "whitehall", "holyrood", "stormont"})
_BEFORE = re.compile(
    r"(?:\b(?:in|at|across|around|near|throughout|from|of|for|to|covering|serving|"
    r"including|and|or)\s+(?:the\s+)?$)|(?:,\s*$)",
    re.IGNORECASE,
)
_AFTER = re.compile(
    r"^(?:'s)?\s+(?:and\s+\w+\s+)?(?:(?:Borough|City|District|County|Metropolitan)\s+)?"
    r"(?:Council|council|Hospital|hospital|area|residents|patients|depot|station|hospitals|"
    r"Royal|General|University Hospital|branch|region)\b"
)
_WINDOW = 200
_DESCRIPTIVE_CODES = frozenset({"K02000001", "K03000001"})
_POSSESSIVE = re.compile(r"['\u2019]s\b")


@dataclass(frozen=True, slots=True)
class PlaceMatch:
    """A place named in the text: ``name`` exactly as written, ``text[start:end] == name``.

    ``ambiguous`` means the context did not settle what the name refers to; ``code`` is then the
    likeliest reading and ``alternatives`` the others (possibly none: "may not be a place").
    """

    name: str
    code: str
    type: str
    start: int
    end: int
    ambiguous: bool = False
    alternatives: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True)
class _Entry:
    code: str | None  # None: a phrase that is not the place ("Bank of England")
    alternatives: tuple[str, ...] = ()
    context: tuple[str, ...] = ()
    alt_context: tuple[str, ...] = ()
    note: str = ""
    spellings: tuple[str, ...] = ()  # acronyms must be written as one of these
    proper: bool = True  # a lower-case single word is not this name


def _key(text: str) -> str:
    return " ".join(text.lower().split())


_ICB_RE = re.compile(r"^NHS (?P<x>.+) Integrated Care Board$")
_UHB_RE = re.compile(r"^(?P<x>.+?) (?:University|Teaching) Health Board$")
_TRUST_SUFFIX = re.compile(
    r" (?:University NHS Foundation Trust|NHS Foundation Trust|University NHS Trust|NHS Trust|"
    r"Health and Social Care Trust)$"
)
_OF_RE = re.compile(r"^(?P<x>.+), (?P<kind>City|County) of$")


def _derived_names(name: str, type_: str) -> list[str]:
    """Everyday forms of an official name."""
    out = []
    if type_ == "icb" and (m := _ICB_RE.match(name)):
        x = m.group("x")
        out += [f"NHS {x}", f"{x} ICB", f"NHS {x} ICB", f"{x} Integrated Care Board"]
    if type_ == "health_board" and (m := _UHB_RE.match(name)):
        x = m.group("x")
        out += [x, f"{x} Health Board", f"{x} UHB"]
    if type_ == "health_board" and name.endswith("Health and Social Care Trust"):
        x = name.removesuffix(" Health and Social Care Trust")
        out += [f"{x} HSC Trust", f"{x} Health and Social Care Trust"]
    if type_ == "ambulance_service":
        short = _TRUST_SUFFIX.sub("", name)
        if short != name and "Ambulance" in short:
            out.append(short)
    if type_ == "nhs_region" and name.startswith("NHS England "):
        region = name.removeprefix("NHS England ")
        out += [f"NHS England {region}", f"NHS England ({region})", f"NHS {region}"]
    if m := _OF_RE.match(name):
        x = m.group("x")
        out += [x, f"{m.group('kind')} of {x}"]
    return out


def _is_acronym(alias: str) -> bool:
    return len(alias) <= 8 and " " not in alias and sum(c.isupper() for c in alias) >= 2


class Gazetteer:
    """Compiled names; :meth:`find` is pure and thread-safe."""

    def __init__(self, table: AreaTable, entries: dict[str, _Entry]) -> None:
        self._table = table
        self._entries = entries
        self._pattern = re.compile(
            r"(?<![\w&])(?:" + _trie_regex(entries.keys()) + r")(?![\w&]|-(?=\w))",
            re.IGNORECASE,
        )

    @property
    def names(self) -> list[str]:
        return sorted(self._entries)

    def find(self, text: str) -> list[PlaceMatch]:
        """Every place named in ``text``, in order, non-overlapping, longest name first."""
        out: list[PlaceMatch] = []
        for m in self._pattern.finditer(text):
            written = m.group(0)
            entry = self._entries.get(_key(written))
            if entry is None or entry.code is None:
                continue
            if entry.spellings and written not in entry.spellings:
                continue
            if entry.proper and written.islower() and " " not in written:
                continue
            match = self._resolve(text, m.start(), m.end(), written, entry)
            if match is not None:
                out.append(match)
        return out

    def _resolve(
        self, text: str, start: int, end: int, written: str, entry: _Entry
    ) -> PlaceMatch | None:
        code, alternatives = entry.code, entry.alternatives
        assert code is not None
        ambiguous = False
        if entry.context or entry.alt_context or entry.alternatives:
            window = text[max(0, start - _WINDOW) : end + _WINDOW]
            outside = window.replace(written, " ")
            for_main = _mentions(outside, entry.context)
            for_alt = _mentions(outside, entry.alt_context)
            if for_alt and not for_main and alternatives:
                code, alternatives = alternatives[0], (code, *alternatives[1:])
            elif not for_main:
                ambiguous = True
        key = _key(written)
        if not ambiguous and (key in COMMON_WORD_NAMES or key in INSTITUTION_ONLY_NAMES):
            before = text[max(0, start - 40) : start]
            after = text[end : end + 60]
            placed = _AFTER.match(after) is not None
            if key in COMMON_WORD_NAMES:
                placed = placed or _BEFORE.search(before) is not None
            ambiguous = not placed
        note = entry.note
        if not ambiguous and code in _DESCRIPTIVE_CODES and _POSSESSIVE.match(text, end):
            # "the UK's largest union", "Britain's biggest employer": not the strike's extent.
            ambiguous, note = True, "possessive: describes something, not where action is"
        ref = self._table.get(code)
        return PlaceMatch(
            name=written,
            code=code,
            type=ref.type,
            start=start,
            end=end,
            ambiguous=ambiguous,
            alternatives=tuple(alternatives) if ambiguous or alternatives else (),
            note=note if ambiguous else "",
        )

    def area_name(self, code: str) -> str:
        return self._table.get(code).name


@lru_cache(maxsize=512)
def _words_re(words: tuple[str, ...]) -> re.Pattern[str]:
    alternation = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternation})(?!\w)", re.IGNORECASE)


def _mentions(window: str, words: tuple[str, ...]) -> bool:
    return bool(words) and _words_re(words).search(window) is not None


def _trie_regex(names: Iterable[str]) -> str:
    """One regex for many literal names: a character trie, so matching does not try each name."""
    trie: dict[str, Any] = {}
    for name in names:
        node = trie
        for ch in name:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        ends = "" in node
        branches = []
        for ch in sorted((c for c in node if c), key=lambda c: (c == " ", c)):
            piece = r"\s+" if ch == " " else re.escape(ch)
            branches.append(piece + emit(node[ch]))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:
            return f"(?:{body})?"
        return body

    return emit(trie)


def _split(value: str, sep: str = " ") -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(sep) if v.strip())


def build_gazetteer(directory: Path | None = None) -> Gazetteer:
    """Assemble names from the area tables; hand-written aliases override derived names."""
    base = directory or AREAS_DIR
    table = load_area_table(base)
    entries: dict[str, _Entry] = {}

    def put(alias: str, entry: _Entry, *, override: bool) -> None:
        key = _key(alias)
        if not key or (key in entries and not override):
            return
        old = entries.get(key)
        if old is not None and old.code == entry.code and old.spellings and entry.spellings:
            entry = replace(entry, spellings=(*old.spellings, *entry.spellings))
        entries[key] = entry

    for ref in table.areas.values():  # official names first: they win over derived short forms
        put(ref.name, _Entry(ref.code), override=False)
    for ref in table.areas.values():
        for name in _derived_names(ref.name, ref.type):
            put(name, _Entry(ref.code), override=False)
    with (base / "aliases.csv").open(newline="", encoding="utf-8") as fh:
        for n, row in enumerate(csv.DictReader(fh), start=2):
            alias, code = row["alias"].strip(), row["code"].strip()
            alternatives = _split(row["alternatives"])
            for c in (code, *alternatives):
                if c not in table.areas:
                    raise ValueError(f"aliases.csv line {n}: unknown area code {c!r}")
            put(
                alias,
                _Entry(
                    code=code,
                    alternatives=alternatives,
                    context=_split(row["context"], "|"),
                    alt_context=_split(row["alt_context"], "|"),
                    note=row["note"].strip(),
                    spellings=(alias,) if _is_acronym(alias) else (),
                ),
                override=True,
            )
    for line in (base / "not_places.txt").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            put(line, _Entry(None), override=True)
    return Gazetteer(table, entries)


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The process-wide gazetteer (built once, ~0.1 s)."""
    return build_gazetteer()
