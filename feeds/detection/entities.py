"""Who and where: unions, staff groups, employers, areas and the subscription topic in text."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from feeds.detection import lexicon as lx
from feeds.detection.types import PlaceFinder


def unions_in(text: str) -> list[str]:
    """Unions named in ``text``, in order of first mention."""
    out: list[str] = []
    for m in lx.ANY_UNION_RE.finditer(text):
        name = lx.UNION_NAMES[int((m.lastgroup or "u0")[1:])]
        if name not in out:
            out.append(name)
    return out


def staff_in(text: str) -> list[tuple[str, str]]:
    """Staff groups as written, with their topics ("junior doctors" wins over "doctors")."""
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for m in lx.ANY_STAFF_RE.finditer(text):
        written = m.group(0)
        if written.lower() not in seen:
            seen.add(written.lower())
            out.append((written, lx.STAFF_TOPICS[int((m.lastgroup or "s0")[1:])]))
    return out


_LEADING_WORDS_RE = re.compile(
    r"^(?:(?:In|At|On|For|From|By|With|Across|The|the|and|of|for|A|An|Our|Its|Their)\s+)+"
)


def employers_in(text: str) -> list[str]:
    names: list[str] = []
    for m in lx.EMPLOYER_RE.finditer(text):
        name = _LEADING_WORDS_RE.sub("", m.group(0)).strip()
        if name not in names:
            names.append(name)
    for m in lx.EMPLOYER_NAMES_RE.finditer(text):
        if not any(m.group(0) in n for n in names):
            names.append(m.group(0))
    if names or _RAIL_CONTEXT_RE.search(text):
        # "Northern" and "Southern" are train companies only where trains are the subject.
        for m in _AMBIGUOUS_RAIL_RE.finditer(text):
            if m.group(0) not in names:
                names.append(m.group(0))
    return names


_RAIL_CONTEXT_RE = re.compile(r"\b(?:rail|railways?|trains?|Aslef|RMT|TSSA|stations?)\b", re.I)
_AMBIGUOUS_RAIL_RE = re.compile(r"\b(?:Northern|Southern)\b(?!\s+[A-Z]|,)")


def areas_in(text: str) -> list[str]:
    """Area names as written, leaving out those inside an employer's name."""
    taken = [m.span() for m in lx.EMPLOYER_RE.finditer(text)]
    taken += [m.span() for m in lx.EMPLOYER_NAMES_RE.finditer(text)]
    out: list[str] = []
    for m in lx.AREA_NAMES_RE.finditer(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        name = re.sub(r"^the\s+", "", m.group(0))
        if name not in out:
            out.append(name)
    return out


def places_in(text: str, places: PlaceFinder | None) -> tuple[list[str], list[str]]:
    """Area names as written and their codes; a name the gazetteer is unsure of gets no code."""
    codes: list[str] = []
    if places is None:
        return areas_in(text), codes
    names: list[str] = []
    for match in places.find(text):
        if getattr(match, "ambiguous", False):
            continue
        if match.code not in codes:
            codes.append(match.code)
        if match.name not in names and match.type not in _EMPLOYER_PLACE_TYPES:
            names.append(match.name)
    return names, codes


_EMPLOYER_PLACE_TYPES = frozenset({"ambulance_service", "icb", "health_board", "trust"})


_WORKPLACE_TOPICS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p, re.I), topic)
    for p, topic in (
        (r"\bambulance|\bparamedic|\b999\b", "ambulance"),
        (
            r"\bNHS\b|hospital|health\s+board|\bGP\b|surger(?:y|ies)|\bclinic|infirmary"
            r"|pathology|maternity|\bwards?\b",
            "other_nhs",
        ),
        (
            r"\brail|\btrain|\btube\b|underground|\bbus(?:es)?\b|airport|\bferr(?:y|ies)|\bport\b",
            "transport",
        ),
        (r"\bschools?\b|universit|\bcolleges?\b", "education"),
        (r"\bcouncil|\bbin\b|refuse|civil\s+serv|\bjobcentre|\bcourts?\b|\bfire\b", "councils"),
    )
)


_AMBULANCE_EMPLOYER_RE = re.compile(
    r"(?i:ambulance)|\b(?:SECAmb|SCAS|WMAS|NWAS|EEAST|YAS|NEAS|SWASFT|EMAS|WAST|NIAS)\b"
)
_AMBULANCE_STAFF_RE = re.compile(r"ambulance|paramedic|call\s+handler|emergency\s+care", re.I)
_HEALTH_EMPLOYER_RE = re.compile(
    r"\bNHS\b|\bHospitals?\b|\bHealth\s*Board\b|\bHealthcare\b|\bInfirmary\b|Foundation Trust"
)
_NHS_TOPICS = frozenset({"nursing", "doctors", "other_nhs"})
_ANY_WORKPLACE_STAFF_RE = re.compile(r"(?:hospital\s+)?(?:cleaners|porters|domestics)", re.I)


def _workplace_topic(context: str, employers: Sequence[str]) -> str | None:
    text = " ".join([context, *employers])
    for pattern, topic in _WORKPLACE_TOPICS:
        if pattern.search(text):
            return topic
    return None


def topic_for(
    staff: list[tuple[str, str]],
    unions: list[str],
    fallback: str,
    context: str = "",
    employers: Sequence[str] = (),
) -> str:
    """Ambulance work first (an ambulance service, or paramedics, crews, call handlers), then the
    staff group, then a hospital trust or health board (its staff's topic, else other NHS), then
    the union's trade, then the workplace named, then the article's."""
    if any(_AMBULANCE_EMPLOYER_RE.search(e) for e in employers) or any(
        t == "ambulance" and _AMBULANCE_STAFF_RE.search(w) for w, t in staff
    ):
        return "ambulance"
    if staff:
        counts = Counter(t for _, t in staff)
        topic = counts.most_common(1)[0][0]
        if topic == "other_nhs" and all(_ANY_WORKPLACE_STAFF_RE.fullmatch(w) for w, _ in staff):
            # cleaners and porters work in universities and councils too: the workplace says
            return _workplace_topic(context, employers) or topic
        return topic
    if any(_HEALTH_EMPLOYER_RE.search(e) for e in employers):
        for union in unions:
            if lx.UNION_TOPICS.get(union) in _NHS_TOPICS:
                return lx.UNION_TOPICS[union]
        return "other_nhs"
    for union in unions:
        if union in lx.UNION_TOPICS:
            return lx.UNION_TOPICS[union]
    for pattern, topic in _WORKPLACE_TOPICS:
        if context and pattern.search(context):
            return topic
    return fallback
