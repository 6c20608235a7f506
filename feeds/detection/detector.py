"""Article-level strike detection: is this UK strike news, and which walkouts does it give?

The rules read sentence by sentence: a dated period counts as a walkout when the sentence (or the
one before, for continuation lines and regional lists) is about industrial action and the date is
not tied to something else (talks, a ballot closing, train service hours). Unions, staff and
status come from the nearest clause that names them; past walkouts are dropped against the
publication time.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from functools import lru_cache

from feeds.detection import lexicon as lx
from feeds.detection.dates import ClockRange, Moment, Period, extract, uk_local
from feeds.detection.text import Sentence, split_sentences
from feeds.detection.types import (
    OFF_STATUSES,
    ArticleInput,
    DetectedEvent,
    Detection,
    PlaceFinder,
)

_CLAUSE_BREAK_RE = re.compile(
    r";|:\s|\s[-–—]\s|,?\s+but\s+|,?\s+while\s+|,?\s+whereas\s+|,\s+(?:and\s+)?(?:with|as)\s+"
    r"|\.\s|,\s+after\s+|,\s+although\s+|\s+and\s+(?=(?:the\s+)?(?:[A-Z][A-Za-z]+\s+){0,3}"
    r"(?:members|staff|workers|nurses|doctors|union)\b)",
)
_LIST_LINE_RE = re.compile(r"^[^.]{0,80}:\s*\S")


# Cheap first looks: sentences without these stems cannot match the costlier patterns.
# (matched against the lower-cased sentence: much faster than case-insensitive patterns)
_STRIKE_STEM_RE = re.compile(r"strik|struck|walk|picket|stoppage|industrial|action")
_BALLOT_DEAL_STEM_RE = re.compile(r"ballot|vot|accept|deal|mandate|consult|dispute|offer")

# A sentence without any of these names no date or time: skip the grammar.
_TEMPORAL_HINT_RE = re.compile(
    r"\d|day\b|today|tonight|tomorrow|yesterday|noon|midnight|morning|afternoon|evening"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\s"
)


@dataclass
class _SentInfo:
    sent: Sentence
    clean: str  # distractor phrases blanked out
    strike: bool
    lower: str  # the sentence lower-cased, for the cheap first looks
    periods: list[Period] = field(default_factory=list)
    dated_strike: bool = False
    _unions: list[str] | None = None
    _staff: list[tuple[str, str]] | None = None

    # Looked up on demand: most sentences of an article are never asked.
    @property
    def unions(self) -> list[str]:
        if self._unions is None:
            self._unions = _unions_in(self.sent.text)
        return self._unions

    @property
    def staff(self) -> list[tuple[str, str]]:  # (as written, topic)
        if self._staff is None:
            self._staff = _staff_in(self.sent.text)
        return self._staff


@dataclass
class _Candidate:
    event: DetectedEvent
    explicit_status: bool
    sentence_index: int
    revised: bool = False  # "will now walk out from...": newer times than elsewhere in the piece
    explicit_date: bool = False  # written with a day number, not "Monday" or "today"


_REVISED_RE = re.compile(
    r"\b(?:now|instead|revised|new\s+times?|shortened|cut\s+short|brought\s+forward)\b", re.I
)
_LOOSE_RANGE_CONTEXT_RE = re.compile(
    r"\b(?:action|walkouts?|runs?|lasts?|shifts?|strik\w*|stoppage|picket\w*)\b", re.I
)


_SERVICE_HOURS_RE = re.compile(
    r"\b(?:services?|trains?|buses|timetables?|open(?:ing)?|operat\w+|run\s+between)\b", re.I
)


def _apply_clock_range(event: DetectedEvent, rng: ClockRange) -> None:
    assert event.start is not None
    day = event.start.date()
    start = datetime.combine(day, rng.start, tzinfo=event.start.tzinfo)
    end_clock = time(23, 59) if rng.end_is_midnight else rng.end
    end = datetime.combine(day, end_clock, tzinfo=event.start.tzinfo)
    if end <= start:
        end = end + timedelta(days=1)
    event.start, event.start_has_time = start, True
    event.end, event.end_has_time = end, True


def _unions_in(text: str) -> list[str]:
    """Unions named in ``text``, in order of first mention."""
    out: list[str] = []
    for m in lx.ANY_UNION_RE.finditer(text):
        name = lx.UNION_NAMES[int((m.lastgroup or "u0")[1:])]
        if name not in out:
            out.append(name)
    return out


def _staff_in(text: str) -> list[tuple[str, str]]:
    """Staff groups as written, with their topics ("junior doctors" wins over "doctors")."""
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for m in lx.ANY_STAFF_RE.finditer(text):
        written = m.group(0)
        if written.lower() not in seen:
            seen.add(written.lower())
            out.append((written, lx.STAFF_TOPICS[int((m.lastgroup or "s0")[1:])]))
    return out


def _employers_in(text: str) -> list[str]:
    names: list[str] = []
    for m in lx.EMPLOYER_RE.finditer(text):
        name = re.sub(r"^(?:The|the|and|of|for)\s+", "", m.group(0)).strip()
        if name not in names:
            names.append(name)
    for m in lx.EMPLOYER_NAMES_RE.finditer(text):
        if not any(m.group(0) in n for n in names):
            names.append(m.group(0))
    return names


def _areas_in(text: str) -> list[str]:
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


def _places_in(text: str, places: PlaceFinder | None) -> tuple[list[str], list[str]]:
    """Area names as written and their codes; a name the gazetteer is unsure of gets no code."""
    codes: list[str] = []
    if places is None:
        return _areas_in(text), codes
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


def _is_labour_strike(clean: str) -> bool:
    if not lx.STRIKE_WORD_RE.search(clean):
        return bool(_THE_ACTION_RE.search(clean))
    return not (lx.NON_LABOUR_WALKOUT_RE.search(clean) and not re.search(r"strik", clean, re.I))


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


def _clause_bounds(text: str, pos: int) -> tuple[int, int]:
    start, end = 0, len(text)
    for b_start, b_end in _clause_breaks(text):
        if b_end <= pos:
            start = b_end
        elif b_start >= pos:
            end = b_start
            break
    return start, end


def _cue(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """The first cue in ``text`` that is stated as fact, not hoped for or refused."""
    for m in pattern.finditer(text):
        before = text[max(0, m.start() - 45) : m.start()]
        if lx.HEDGE_RE.search(before):
            continue
        if re.search(r"\b(?:not|never|no)\s+(?:\w+\s+)?$", before, re.I):
            continue
        if re.search(
            r"^[^.;]{0,60}?\b(?:if|unless|should\s+(?:the|ministers|talks))\b", text[m.end() :]
        ):
            continue  # "will be suspended if ministers make an offer"
        if re.search(r"\bto\s+$", before) and not re.search(
            r"\b(?:decided|decides|voted|votes|agreed|agrees|chose|opted|forced)\s+to\s+$",
            before,
            re.I,
        ):
            continue  # "offered to call off": a wish, not a decision
        return m
    return None


def _off_status(text: str) -> str | None:
    if _cue(lx.CANCEL_RE, text):
        return "cancelled"
    if _cue(lx.POSTPONE_RE, text):
        return "postponed"
    if _cue(lx.SUSPEND_RE, text):
        return "suspended"
    return None


def _status_for(
    info: _SentInfo,
    period: Period,
    published: datetime,
    inherited: str | None,
    article_off: str | None,
) -> tuple[str, bool]:
    text = info.clean
    c_start, c_end = _clause_bounds(text, period.span[0])
    clause = text[c_start:c_end]
    before_date = text[max(c_start, period.span[0] - 40) : period.span[0]]
    if article_off and lx.PAST_PLAN_RE.search(text[c_start : period.span[0]]):
        # "had been due to walk out on Wednesday" in a piece about calling it off.
        return article_off, True
    if lx.RESCHEDULE_RE.search(before_date) or re.search(
        r"\b(?:moved|rescheduled|switched|rearranged|put\s+back|pushed\s+back|brought\s+forward"
        r"|postponed|delayed)\s+(?:to|for|until|till)\s+(?:\w+\s+){0,2}$",
        before_date,
        re.I,
    ):
        return "rescheduled", True
    off = _off_status(clause)
    if off:
        return off, True
    whole_sentence = c_start == 0 and c_end == len(text)
    if not whole_sentence and not re.search(
        r"\b(?:will|still|go\s+ahead|going\s+ahead)\b", clause, re.I
    ):
        off = _off_status(text)
        if off and not _cue(lx.GOING_AHEAD_RE, clause):
            return off, True
    if lx.RESCHEDULE_RE.search(clause) and not re.search(r"\bnew\s+dates?\b", clause, re.I):
        return "rescheduled", True
    if (
        inherited in OFF_STATUSES
        and not _cue(lx.GOING_AHEAD_RE, clause)
        and not _STILL_ON_RE.search(clause)
    ):
        return inherited, False
    start = period.start_dt
    end = period.end_dt or (start + timedelta(days=1) if period.start.time is None else start)
    if start <= published <= end or period.start.day == published.date():
        return "going_ahead", True
    if _cue(lx.GOING_AHEAD_RE, clause) and not re.search(r"\bannounc", clause, re.I):
        return "going_ahead", True
    return "announced", False


# "... will strike on Tuesday": a clause that says the walkout happens does not inherit a
# call-off from the sentence before.
_STILL_ON_RE = re.compile(
    r"\b(?:will|are|is|set\s+to|due\s+to)\s+(?:\w+\s+){0,2}?(?:strike|walk\s+out|stage|take"
    r"|hold|go)\b",
    re.I,
)


def _is_past(period: Period, published: datetime, before: str = "") -> bool:
    if (
        period.end is None
        and period.start.time is not None
        and period.start_dt <= published
        and lx.ENDED_BEFORE_RE.search(before)
    ):
        return True  # "the walkout ended at 7am today"
    if period.end is not None:
        end = period.end.as_datetime()
        if period.end.time is None:
            end = end + timedelta(days=1)
        return end <= published
    if period.start.time is None:
        return period.start.day < published.date()
    return period.start.day < published.date()


_NOT_A_START_RE = re.compile(
    r"\b(?:until|till|by|before|no\s+later\s+than|ahead\s+of|up\s+to|within|since"
    r"|end(?:s|ing)?(?:\s+at)?|finish(?:es|ing)?(?:\s+at)?|return\w*\s+to\s+work(?:\s+at)?)\s+"
    r"(?:the\s+(?:end\s+of\s+)?)?$",
    re.I,
)


# "The action had been planned for 9 October": in a strike report "the action" is the strike.
_THE_ACTION_RE = re.compile(
    r"\b(?:the|this|that|planned|further|its|their|our|next)\s+(?:industrial\s+)?action\b"
    r"(?!\s+plan)",
    re.I,
)
# Action short of a strike is news, but not a walkout.
_SHORT_OF_STRIKE_RE = re.compile(
    r"\b(?:overtime\s+ban|ban\s+on\s+overtime|refus\w+\s+to\s+work\s+(?:overtime|rest\s+days)"
    r"|work(?:ing)?[\s-]to[\s-]rule|action\s+short\s+of\s+(?:a\s+)?strike)\b",
    re.I,
)


def _is_list_like(info: _SentInfo) -> bool:
    text = info.sent.text
    return bool(
        re.match(r"^[-•*·–—]\s*", text)
        or re.match(r"^[^.]{0,60}:\s", text)
        or len(text.split()) <= 12
    )


def _date_is_strike_date(
    info: _SentInfo, period: Period, prev: _SentInfo | None, list_ctx: bool = False
) -> bool:
    """A date belongs to a walkout when strike words govern it and nothing else claims it."""
    text = info.clean
    pos = period.span[0]
    _, c_end = _clause_bounds(text, pos)
    window = text[max(0, pos - 70) : pos]
    strike_near = [m.end() for m in lx.STRIKE_WORD_RE.finditer(text[:pos])]
    other_near = [m.end() for m in lx.NON_STRIKE_DATE_CUE_RE.finditer(window)]
    after = text[period.span[1] : period.span[1] + 50]
    if re.match(r"\s*(?:,\s*)?(?:talks|meeting|deadline|ballot|vote)\b", after, re.I):
        return False
    if lx.REPORTING_BEFORE_RE.search(text[max(0, pos - 40) : pos]):
        return False
    if _SHORT_OF_STRIKE_RE.search(text) and not re.search(r"strik|walk", text, re.I):
        return False
    if _NOT_A_START_RE.search(text[max(0, pos - 30) : pos]) and not period.continuous:
        return False  # "the union has until 31 January", "before 6 March": a limit, not a start
    if lx.NOT_STRIKE_AFTER_RE.match(after):
        return False
    if other_near:
        last_other = max(pos - 70, 0) + max(other_near)
        last_strike = max(strike_near) if strike_near else -1
        if last_strike < last_other and not lx.STRIKE_WORD_RE.search(text[pos:c_end]):
            return False
    if info.strike:
        return True
    if list_ctx and _is_list_like(info):
        return True
    if prev is not None and prev.sent.paragraph >= info.sent.paragraph - 1:
        if prev.dated_strike and (
            _LIST_LINE_RE.match(info.sent.text) or len(info.sent.text.split()) <= 25
        ):
            return True
        if prev.strike and re.search(
            r"\b(?:day|days|dates?|action|walkouts?|will\s+(?:take\s+place|run|last))\b",
            text,
            re.I,
        ):
            return True
    return False


def _staff_union(
    info: _SentInfo, infos: list[_SentInfo], i: int, title_unions: list[str]
) -> list[str]:
    """No union named: the staff group's usual union if the context's union is another trade's."""
    nearby = _nearest_unions(infos, i, title_unions)
    staff_topics = {topic for _, topic in info.staff}
    for pattern, union in lx.STAFF_UNIONS:
        if pattern.search(info.sent.text):
            topic = lx.UNION_TOPICS.get(union)
            other_trade = not any(lx.UNION_TOPICS.get(u) == topic for u in nearby)
            if (not nearby or other_trade) and (topic in staff_topics or not staff_topics):
                return [union]
            break
    return nearby


_ALSO_RE = re.compile(r",?\s+as\s+(?:are|is|will|do|does|did|were|was)\b[^.;]{0,80}", re.I)


def _also_unions(info: _SentInfo, period: Period, unions: list[str]) -> list[str]:
    """Unions joined on by a trailing "..., as are ambulance crews in the GMB"."""
    m = _ALSO_RE.search(info.clean, period.span[1])
    if m is None:
        return []
    return [u for u in _unions_in(m.group(0)) if u not in unions]


def _nearest_unions(infos: list[_SentInfo], i: int, title_unions: list[str]) -> list[str]:
    reach = 10 if _is_list_like(infos[i]) else 4
    for j in range(i - 1, max(-1, i - reach), -1):
        if infos[j].sent.is_title:
            break
        if infos[j].unions:
            return list(infos[j].unions)
    return list(title_unions)


def _clause_unions(info: _SentInfo, period: Period) -> list[str]:
    text = info.clean
    c_start, c_end = _clause_bounds(text, period.span[0])
    unions = _unions_in(text[c_start:c_end])
    if unions:
        return unions
    # Regional and per-union lists: "GMB: 6 and 20 February" take the name before the dates.
    head = text[: period.span[0]]
    unions = _unions_in(head[-120:])
    return unions[-1:] if unions else []


_WORKPLACE_TOPICS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p, re.I), topic)
    for p, topic in (
        (r"\bambulance|\bparamedic|\b999\b", "ambulance"),
        (r"\bNHS\b|hospital|health\s+board|\bGP\b|surger(?:y|ies)|\bclinic", "other_nhs"),
        (
            r"\brail|\btrain|\btube\b|underground|\bbus(?:es)?\b|airport|\bferr(?:y|ies)|\bport\b",
            "transport",
        ),
        (r"\bschools?\b|universit|\bcolleges?\b", "education"),
        (r"\bcouncil|\bbin\b|refuse|civil\s+serv|\bjobcentre|\bcourts?\b|\bfire\b", "councils"),
    )
)


def _topic(
    staff: list[tuple[str, str]], unions: list[str], fallback: str, context: str = ""
) -> str:
    """Staff group first, then the union's trade, then the workplace named, then the article's."""
    if staff:
        counts = Counter(t for _, t in staff)
        return counts.most_common(1)[0][0]
    for union in unions:
        if union in lx.UNION_TOPICS:
            return lx.UNION_TOPICS[union]
    for pattern, topic in _WORKPLACE_TOPICS:
        if context and pattern.search(context):
            return topic
    return fallback


def _fmt_evidence(sentence: str) -> str:
    return sentence if len(sentence) <= 400 else sentence[:397] + "..."


def detect_article(article: ArticleInput, places: PlaceFinder | None = None) -> Detection:
    """Rules over sentences; see the module docstring for the reasoning."""
    published = uk_local(article.published)
    sentences = split_sentences(article.title, article.text)
    infos: list[_SentInfo] = []
    for s in sentences:
        clean = s.text
        lower = clean.lower()
        strike = False
        if _STRIKE_STEM_RE.search(lower):
            clean = lx.DISTRACTOR_RE.sub(lambda m: " " * len(m.group(0)), clean)
            strike = _is_labour_strike(clean)
        infos.append(_SentInfo(sent=s, clean=clean, strike=strike, lower=lower))
    title_unions = infos[0].unions if infos and infos[0].sent.is_title else []
    all_unions = Counter(u for info in infos if info.strike for u in info.unions)
    all_staff = [st for info in infos if info.strike for st in info.staff]
    article_text = f"{article.title}\n{article.text}"
    fallback_topic = _topic(all_staff, [u for u, _ in all_unions.most_common()], "")
    if not fallback_topic:
        fallback_topic = (
            "other_nhs" if re.search(r"\bNHS\b|hospital", article_text, re.I) else "councils"
        )

    # A union's or trust's own page often says "our members" / "the trust" without its name.
    source_unions = _unions_in(article.source) if article.publisher_kind == "union" else []
    source_employers = [article.source] if article.publisher_kind == "nhs_trust" else []
    lead_codes: list[str] = []
    for lead in infos[:3]:
        if lead.strike or lead.sent.is_title:
            for code in _places_in(lead.sent.text, places)[1]:
                if code not in lead_codes:
                    lead_codes.append(code)
    article_off = None
    for lead in infos[:3]:
        if lead.strike:
            article_off = article_off or _off_status(lead.clean)

    candidates: list[_Candidate] = []
    prev: _SentInfo | None = None
    prev_off: str | None = None
    list_ctx = False
    for i, info in enumerate(infos):
        may_date = (
            info.strike or list_ctx or (prev is not None and (prev.strike or prev.dated_strike))
        ) and _TEMPORAL_HINT_RE.search(info.lower)
        info.periods, loose = extract(info.clean, published) if may_date else ([], [])
        added_before = len(candidates)
        sentence_off = _off_status(info.clean) if info.strike else None
        for period in info.periods:
            if not _date_is_strike_date(info, period, prev, list_ctx):
                continue
            info.dated_strike = True
            c_start, c_end = _clause_bounds(info.clean, period.span[0])
            if _is_past(period, published, info.clean[c_start : period.span[0]]):
                continue
            status, explicit = _status_for(info, period, published, prev_off, article_off)
            guessed_union = False
            unions = _clause_unions(info, period) or (info.unions if len(info.unions) == 1 else [])
            if not unions:
                unions = info.unions or _staff_union(info, infos, i, title_unions)
            if not unions:
                unions = list(source_unions)
            if not unions and all_unions:
                # The article's main union: a guess, so the event is less sure.
                unions = [all_unions.most_common(1)[0][0]]
                guessed_union = True
            extra_unions = _also_unions(info, period, unions)
            confidence = 0.55 - (0.1 if guessed_union else 0.0)
            staff = _staff_in(info.sent.text[c_start:c_end]) or info.staff
            if not staff and prev is not None and prev.dated_strike:
                staff = prev.staff
            if not staff:
                staff = list(dict.fromkeys(all_staff))[:1]
            employers = _employers_in(info.sent.text) or list(source_employers)
            areas, area_codes = _places_in(info.sent.text, places)
            if not area_codes:
                area_codes = list(lead_codes) or list(article.default_areas)
            confidence += 0.15 if info.strike else 0.0
            confidence += 0.1 if unions else 0.0
            confidence += (
                0.1 if re.search(r"\d", info.sent.text[period.span[0] : period.span[1]]) else 0.0
            )
            confidence += 0.05 if explicit else 0.0
            evidence = [_fmt_evidence(info.sent.text)]
            if not info.strike and prev is not None:
                evidence.insert(0, _fmt_evidence(prev.sent.text))
            candidates.append(
                _Candidate(
                    DetectedEvent(
                        unions=unions,
                        staff=[w for w, _ in staff],
                        employers=employers,
                        areas=areas,
                        area_codes=area_codes,
                        start=period.start.as_datetime(),
                        start_has_time=period.start.time is not None,
                        end=_end_dt(period.end),
                        end_has_time=bool(period.end and period.end.time is not None),
                        status=status,
                        confidence=round(min(confidence, 0.99), 2),
                        evidence=evidence,
                        topic=_topic(staff, unions, fallback_topic, info.sent.text),
                    ),
                    explicit,
                    i,
                    bool(_REVISED_RE.search(info.clean[c_start : period.span[1]])),
                    bool(re.search(r"\d", info.clean[period.span[0] : period.span[1]])),
                )
            )
            if extra_unions:
                twin = replace(
                    candidates[-1].event, unions=extra_unions, staff=[], evidence=evidence
                )
                candidates.append(replace(candidates[-1], event=twin))
        if (
            loose
            and _LOOSE_RANGE_CONTEXT_RE.search(info.clean)
            and not _SERVICE_HOURS_RE.search(info.clean)
        ):
            # "The action runs from 00:01 until 23:59": the hours of the day named just before.
            for cand in candidates[:added_before]:
                if i - 3 <= cand.sentence_index < i and not cand.event.start_has_time:
                    _apply_clock_range(cand.event, loose[0])
        prev_off = sentence_off if info.strike else (prev_off if not info.periods else None)
        list_ctx = info.strike or (list_ctx and _is_list_like(info))
        prev = info

    walkouts = _merge(candidates)
    others = _ballots_and_deals(infos, title_unions, fallback_topic, article)
    news, confidence = _is_strike_news(infos, walkouts, others, article_text)
    if not news:
        return Detection(False, [], confidence)
    return Detection(True, walkouts + others, confidence)


def _end_dt(end: Moment | None) -> datetime | None:
    return end.as_datetime() if end else None


def _side(status: str) -> str:
    return "off" if status in OFF_STATUSES else "on"


def _splits_off(ev: DetectedEvent, te: DetectedEvent) -> bool:
    """``ev`` names some of ``te``'s unions (not all) with hours ``te`` does not have."""
    if not ev.unions or not te.unions or not set(ev.unions) < set(te.unions):
        return False
    if not ev.start_has_time:
        return False
    return not te.start_has_time or (ev.start, ev.end) != (te.start, te.end)


def _merge(candidates: list[_Candidate]) -> list[DetectedEvent]:
    """One event per union (or unions together), start day and side; the best-timed copy wins."""
    merged: list[_Candidate] = []
    for cand in candidates:
        ev = cand.event
        assert ev.start is not None
        target: _Candidate | None = None
        for other in merged:
            oe = other.event
            assert oe.start is not None
            if oe.start.date() != ev.start.date():
                continue
            overlap = not ev.unions or not oe.unions or bool(set(ev.unions) & set(oe.unions))
            if not overlap:
                continue
            if _side(oe.status) != _side(ev.status):
                if cand.explicit_status and other.explicit_status:
                    continue  # e.g. called off in Wales, going ahead in England
                if cand.explicit_status:
                    oe.status = ev.status
                    other.explicit_status = True
            target = other
            break
        if target is None:
            merged.append(cand)
            continue
        te = target.event
        if _splits_off(ev, te):
            # "GMB, Unison and Unite will strike on 21 December ... Unison crews will strike from
            # midday": a union with its own hours is its own stoppage.
            te.unions = [u for u in te.unions if u not in ev.unions]
            merged.append(cand)
            continue
        if _splits_off(te, ev):
            ev.unions = [u for u in ev.unions if u not in te.unions]
            merged.append(cand)
            continue
        for name in ev.unions:
            if name not in te.unions:
                te.unions.append(name)
        for attr in ("staff", "employers", "areas", "area_codes", "evidence"):
            values: list[str] = getattr(te, attr)
            for v in getattr(ev, attr):
                if v not in values:
                    values.append(v)
        if cand.revised and not target.revised and ev.start_has_time:
            te.start, te.start_has_time = ev.start, ev.start_has_time
            te.end, te.end_has_time = ev.end, ev.end_has_time
            target.revised = True
            continue
        better_time = ev.start_has_time and not te.start_has_time
        better_end = ev.end is not None and te.end is None
        if better_time or (better_end and ev.start_has_time == te.start_has_time):
            te.start, te.start_has_time = ev.start, ev.start_has_time
            te.end, te.end_has_time = ev.end, ev.end_has_time
        elif te.end is not None and ev.end is not None and ev.end_has_time and not te.end_has_time:
            te.end, te.end_has_time = ev.end, ev.end_has_time
        if te.status == "announced" and ev.status != "announced" and _side(ev.status) == "on":
            te.status = ev.status
        te.confidence = max(te.confidence, ev.confidence)
    # A weekday or "today" inside a continuous walkout of the same union is that walkout (the
    # "fourth day of a five-day strike"), not a new one; an explicitly dated day stays.
    out: list[DetectedEvent] = []
    for cand in merged:
        ev = cand.event
        assert ev.start is not None
        inside = False
        for other in merged:
            wider = other.event
            if wider is ev or wider.end is None or wider.start is None:
                continue
            shares = not ev.unions or bool(set(ev.unions) & set(wider.unions))
            if (
                shares
                and not cand.explicit_date
                and _side(ev.status) == _side(wider.status)
                and wider.start.date() < ev.start.date() <= wider.end.date()
                and (ev.end is None or ev.end <= wider.end + timedelta(days=1))
                and not (ev.end is not None and ev.start_has_time)
            ):
                inside = True
                break
        if not inside:
            out.append(ev)
    return out


def _ballots_and_deals(
    infos: list[_SentInfo], title_unions: list[str], fallback_topic: str, article: ArticleInput
) -> list[DetectedEvent]:
    """Ballots and accepted deals, one per union; one that names no union is kept only when no
    event of the same kind names one."""
    found = _ballot_and_deal_mentions(infos, title_unions, fallback_topic, article)
    named = {e.status for e in found if e.unions}
    return [e for e in found if e.unions or e.status not in named]


def _ballot_and_deal_mentions(
    infos: list[_SentInfo], title_unions: list[str], fallback_topic: str, article: ArticleInput
) -> list[DetectedEvent]:
    out: list[DetectedEvent] = []
    seen: set[tuple[str, str]] = set()
    for i, info in enumerate(infos):
        text = info.clean
        status = None
        if not _BALLOT_DEAL_STEM_RE.search(info.lower):
            continue
        if _cue(lx.DEAL_ACCEPTED_RE, text):
            status = "deal_accepted"
        elif _cue(lx.BALLOT_RE, text) and (
            info.strike or re.search(r"\b(?:offer|deal|pay|action)\b", text, re.I)
        ):
            status = "ballot"
        if status is None:
            continue
        unions = info.unions or _nearest_unions(infos, i, title_unions)
        if not unions and article.publisher_kind == "union":
            unions = _unions_in(article.source)
        key_unions = unions or [""]
        fresh = [u for u in key_unions if (status, u) not in seen]
        if not fresh:
            continue
        for u in key_unions:
            seen.add((status, u))
        out.append(
            DetectedEvent(
                unions=list(unions),
                staff=[w for w, _ in info.staff],
                employers=_employers_in(info.sent.text),
                areas=_areas_in(info.sent.text),
                area_codes=list(article.default_areas),
                start=None,
                start_has_time=False,
                end=None,
                end_has_time=False,
                status=status,
                confidence=0.6 if unions else 0.45,
                evidence=[_fmt_evidence(info.sent.text)],
                topic=_topic(info.staff, unions, fallback_topic),
            )
        )
    return out


_PAY_DISPUTE_RE = re.compile(r"\b(?:pay|dispute|industrial\s+action|conditions|staffing)\b", re.I)


def _is_strike_news(
    infos: list[_SentInfo],
    walkouts: list[DetectedEvent],
    others: list[DetectedEvent],
    article_text: str,
) -> tuple[bool, float]:
    strike_infos = [i for i in infos if i.strike]
    if not strike_infos:
        # "The NEU will ballot members over pay": a ballot in a dispute is news without the word
        # "strike".
        pay_ballots = [
            e
            for e in others
            if e.unions
            and e.status == "ballot"
            and any(_PAY_DISPUTE_RE.search(s) for s in e.evidence)
        ]
        return (True, 0.6) if pay_ballots else (False, 0.9)
    title = infos[0] if infos and infos[0].sent.is_title else None
    title_strike = bool(title and title.strike)
    labour = any(i.unions or i.staff for i in strike_infos) or bool(
        lx.LABOUR_CONTEXT_RE.search(" ".join(i.clean for i in strike_infos))
    )
    if not labour:
        return False, 0.8
    foreign = sum(1 for i in strike_infos if lx.FOREIGN_RE.search(i.sent.text))
    uk = sum(1 for i in strike_infos if lx.UK_RE.search(i.sent.text) or i.unions)
    if (
        title
        and lx.FOREIGN_RE.search(title.sent.text)
        and not lx.UK_RE.search(title.sent.text)
        and not (title.unions or walkouts)
    ):
        return False, 0.75
    if foreign > uk and not any(i.unions for i in strike_infos):
        return False, 0.7
    future_language = any(
        lx.FUTURE_ACTION_RE.search(i.clean) and not lx.ENDED_BEFORE_RE.search(i.clean)
        for i in strike_infos
    )
    retrospective = bool(lx.RETROSPECTIVE_RE.search(article_text))
    if walkouts:
        conf = max(e.confidence for e in walkouts)
        return True, round(min(0.99, conf + (0.05 if title_strike else 0.0)), 2)
    if others and not retrospective:
        return True, 0.7 if title_strike else 0.6
    if future_language and not retrospective:
        return True, 0.65 if title_strike else 0.55
    return False, 0.6
