"""Folding the many ways reports name a union, an employer or a place into one comparable form.

A union post says "GMB members at SECAmb", the BBC "the GMB union ... South East Coast Ambulance
Service" and a local paper "ambulance workers in the GMB": all must fold to the same names before
two reports can be recognised as the same walkout.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

# Canonical short name -> the other ways it is written (lower case, punctuation folded to spaces).
_UNION_ALIASES: dict[str, tuple[str, ...]] = {
    "GMB": ("gmb", "gmb union", "general municipal and boilermakers"),
    "Unite": ("unite", "unite the union"),
    "Unison": ("unison",),
    "RCN": ("rcn", "royal college of nursing"),
    "BMA": ("bma", "british medical association", "the doctors union"),
    "CSP": ("csp", "chartered society of physiotherapy"),
    "SoR": ("sor", "society of radiographers"),
    "RCM": ("rcm", "royal college of midwives"),
    "HCSA": ("hcsa", "hospital consultants and specialists association"),
    "BDA": ("bda", "british dietetic association"),
    "RMT": (
        "rmt",
        "rail maritime and transport",
        "national union of rail maritime and transport workers",
    ),
    "Aslef": ("aslef", "associated society of locomotive engineers and firemen"),
    "TSSA": ("tssa", "transport salaried staffs association"),
    "NEU": ("neu", "national education union"),
    "NASUWT": ("nasuwt",),
    "NAHT": ("naht", "national association of head teachers"),
    "EIS": ("eis", "educational institute of scotland"),
    "UCU": ("ucu", "university and college union"),
    "PCS": ("pcs", "public and commercial services"),
    "FBU": ("fbu", "fire brigades union"),
    "CWU": ("cwu", "communication workers union"),
    "Prospect": ("prospect",),
    "Usdaw": ("usdaw",),
    "Equity": ("equity",),
    "Nautilus": ("nautilus", "nautilus international"),
    "BALPA": ("balpa", "british airline pilots association"),
}

_UNION_LOOKUP: dict[str, str] = {
    alias: canonical for canonical, aliases in _UNION_ALIASES.items() for alias in aliases
}

# Well-known short forms of NHS employers; the long form is folded by ``employer_key``.
_EMPLOYER_ALIASES: dict[str, tuple[str, ...]] = {
    "south east coast ambulance": ("secamb",),
    "south western ambulance": ("swasft", "swast"),
    "north west ambulance": ("nwas",),
    "north east ambulance": ("neas",),
    "yorkshire ambulance": ("yas",),
    "east midlands ambulance": ("emas",),
    "west midlands ambulance": ("wmas",),
    "east of england ambulance": ("eeast", "eoe ambulance"),
    "south central ambulance": ("scas",),
    "london ambulance": ("las",),
    "welsh ambulance": ("wast", "welsh ambulance services"),
    "scottish ambulance": ("sas",),
    "northern ireland ambulance": ("nias",),
    "isle of wight": ("iow",),
}

_EMPLOYER_LOOKUP: dict[str, str] = {
    alias: canonical for canonical, aliases in _EMPLOYER_ALIASES.items() for alias in aliases
}

# Words that differ between reports of the same employer without changing which one it is.
_EMPLOYER_NOISE = frozenset(
    {"the", "nhs", "foundation", "trust", "ft", "service", "services", "university", "of"}
)
_PLACE_NOISE = frozenset({"the", "of", "and", "nhs", "region", "area", "county", "city", "england"})


@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """Lower case, ``&`` as ``and``, punctuation and apostrophes dropped, spaces collapsed."""
    text = text.lower().replace("&", " and ").replace("'", "").replace("’", "")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


@lru_cache(maxsize=4096)
def canonical_union(name: str) -> str:
    """The short name a union calls itself; an unknown union keeps its folded name."""
    folded = fold(name)
    if folded in _UNION_LOOKUP:
        return _UNION_LOOKUP[folded]
    trimmed = " ".join(w for w in folded.split() if w not in {"the", "union", "members", "trade"})
    if trimmed in _UNION_LOOKUP:
        return _UNION_LOOKUP[trimmed]
    for alias, canonical in _UNION_LOOKUP.items():
        if len(alias) > 5 and alias in folded:
            return canonical
    return trimmed or folded


def canonical_unions(names: Iterable[str]) -> tuple[str, ...]:
    """Canonical union names, sorted and without repeats."""
    return tuple(sorted({canonical_union(n) for n in names if n.strip()}))


_EMPLOYER_ALIAS_RE = re.compile(
    r"\b("
    + "|".join(re.escape(a) for a in sorted(_EMPLOYER_LOOKUP, key=len, reverse=True))
    + r")\b"
)


@lru_cache(maxsize=8192)
def employer_key(name: str) -> str:
    """A form of an employer's name under which its long and short spellings agree."""
    folded = fold(name)
    if folded in _EMPLOYER_LOOKUP:
        return _EMPLOYER_LOOKUP[folded]
    words = [w for w in folded.split() if w not in _EMPLOYER_NOISE]
    key = " ".join(words) or folded
    found = _EMPLOYER_ALIAS_RE.search(folded)
    return _EMPLOYER_LOOKUP[found.group(1)] if found else key


@lru_cache(maxsize=8192)
def place_key(name: str) -> str:
    """A form of a place name under which "the North West" and "North West region" agree."""
    folded = fold(name)
    words = [w for w in folded.split() if w not in _PLACE_NOISE]
    return " ".join(words) or folded


def slug(text: str) -> str:
    """A short, stable identifier fragment for canonical keys."""
    return fold(text).replace(" ", "-")[:80] or "unknown"
