"""Article-level strike detection: is this UK strike news, and which walkouts does it give?

The rules read sentence by sentence: a dated period counts as a walkout when the sentence (or the
one before, for continuation lines and regional lists) is about industrial action and the date is
not tied to something else (talks, a ballot closing, train service hours). Unions, staff and
status come from the nearest clause that names them; past walkouts are dropped against the
publication time.

Parts: ``text`` (sentences), ``dates`` (the date grammar), ``clauses``, ``entities`` (unions, staff,
employers, places, topics), ``status``, ``merge`` (one event per walkout), ``lexicon`` (words).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from feeds.detection import lexicon as lx
from feeds.detection.clauses import clause_bounds
from feeds.detection.dates import (
    ClockRange,
    Moment,
    Period,
    extract,
    names_month,
    nth_day_period,
    uk_local,
)
from feeds.detection.entities import (
    areas_in,
    employers_in,
    places_in,
    staff_in,
    topic_for,
    unions_in,
)
from feeds.detection.merge import Candidate, merge_candidates
from feeds.detection.status import cue, is_past, off_status, status_for
from feeds.detection.text import MAX_SENTENCE_CHARS, Sentence, split_sentences
from feeds.detection.types import (
    OFF_STATUSES,
    ON_STATUSES,
    ArticleInput,
    DetectedEvent,
    Detection,
    PlaceFinder,
)

_LIST_LINE_RE = re.compile(r"^[^.]{0,80}:\s*\S")


# Bounds that keep a malformed feed item from stalling the worker: real articles are far shorter
# (a 500-word report is ~3,000 characters; no real sentence names 40 dates).
MAX_TEXT_CHARS = 60_000
MAX_PERIODS_PER_SENTENCE = 40

# Cheap first looks: sentences without these stems cannot match the costlier patterns.
# (matched against the lower-cased sentence: much faster than case-insensitive patterns)
_STRIKE_STEM_RE = re.compile(
    r"strik|struck|walk|picket|stoppage|industrial|action|stop|tools|labour"
)


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
    _employers: list[str] | None = None
    _places: tuple[list[str], list[str]] | None = None

    # Looked up on demand: most sentences of an article are never asked.
    @property
    def unions(self) -> list[str]:
        if self._unions is None:
            self._unions = unions_in(self.sent.text)
        return self._unions

    @property
    def staff(self) -> list[tuple[str, str]]:  # (as written, topic)
        if self._staff is None:
            self._staff = staff_in(self.sent.text)
        return self._staff

    def employers(self) -> list[str]:
        if self._employers is None:
            self._employers = employers_in(self.sent.text)
        return self._employers

    def places(self, finder: PlaceFinder | None) -> tuple[list[str], list[str]]:
        if self._places is None:
            self._places = places_in(self.sent.text, finder)
        return self._places


_REVISED_RE = re.compile(
    r"\b(?:now|instead|revised|new\s+times?|shortened|cut\s+short|brought\s+forward)\b", re.I
)


_LOOSE_RANGE_CONTEXT_RE = re.compile(
    r"\b(?:action|walkouts?|runs?|lasts?|shifts?|strik\w*|stoppage|picket\w*)\b", re.I
)


# A notice's "Time: 7am to 7pm" line under its "Date:" line.
_TIME_LABEL_RE = re.compile(r"^\W*(?:times?|hours|duration)\s*:", re.I)


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


def _is_labour_strike(clean: str, lower: str) -> bool:
    if not lx.STRIKE_WORD_RE.search(clean):
        if any(stem in lower for stem in lx.WALKOUT_VERB_STEMS) and lx.WALKOUT_VERB_RE.search(
            clean
        ):
            return True  # "Unison members will stop work from noon"
        return bool(_THE_ACTION_RE.search(clean))
    return not (lx.NON_LABOUR_WALKOUT_RE.search(clean) and not re.search(r"strik", clean, re.I))


_NOT_A_START_RE = re.compile(
    r"\b(?:until|till|by|before|no\s+later\s+than|ahead\s+of|up\s+to|within|since"
    r"|end(?:s|ing)?(?:\s+at)?|finish(?:es|ing)?(?:\s+at)?|return\w*\s+to\s+work(?:\s+at)?"
    r"|rather\s+than\s+(?:\w+\s+){0,3}?(?:into|until|to|through)"
    r"|back\s+(?:at|to)\s+work(?:\s+at)?"
    r"|(?<!begin\s)(?<!begins\s)(?<!start\s)(?<!starts\s)(?<!began\s)(?<!started\s)"
    r"(?:just|shortly|soon)\s+(?:after|before))\s+"
    r"(?:the\s+(?:end\s+of\s+|preceding\s+|previous\s+)?)?$",
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


_TIMESTAMP_RE = re.compile(
    r"\b(?:updated|published|posted|first\s+published|last\s+(?:updated|modified))\b", re.I
)


def _is_list_like(info: _SentInfo) -> bool:
    text = info.sent.text
    return bool(
        re.match(r"^[-•*·–—]\s*", text)
        or re.match(r"^[^.]{0,60}:\s", text)
        or len(text.split()) <= 12
    )


# "The government can stop these strikes tomorrow": someone else's power to end the action.
_COULD_STOP_RE = re.compile(
    r"\b(?:can|could|would|might|must|should|(?:power|gift|hands|ability)\s+to)\s+"
    r"(?:\w+\s+){0,2}?"
    r"(?:stop(?!\s+work)|end(?!\s+up)|halt|avert|prevent|settle|resolve|call\s+off)\b"
    r"[^.;:]{0,50}$",
    re.I,
)

# A day taken out of the action: "the second day, 13 June, could not lawfully go ahead".
_CANNOT_GO_AHEAD_RE = re.compile(
    r"^[\s,)]*(?:\w+\s+){0,2}?(?:could|can|would|will|may|must|should|is|was)\s*"
    r"(?:not|n't|no\s+longer)\s+(?:now\s+)?(?:lawfully\s+|legally\s+)?"
    r"(?:go\s+ahead|take\s+place|proceed|happen|be\s+(?:a\s+)?strike)",
    re.I,
)


_UNLAWFUL_AFTER_RE = re.compile(
    r"^[\s,]*(?:\w+\s+){0,2}?(?:(?:was|is|would\s+be|to\s+be|be)\s+)?(?:unlawful|illegal)\b",
    re.I,
)
_COURT_RE = re.compile(
    r"\b(?:judge|court|ruled|ruling|injunction|unlawful\w*|lawfully|legally)\b", re.I
)


# A day's name that describes a level of service: "'Christmas Day' cover", "Sunday rota".
_STAFFING_AFTER_RE = re.compile(
    r"^['’\"]?\s*[-‑]?\s*(?:cover|rotas?|staffing|service|levels?|arrangements|timetables?"
    r"|working|pattern)\b",
    re.I,
)


def _bracketed_dates_decide(text: str, periods: list[Period]) -> list[Period]:
    """ "next Tuesday and Wednesday (17 and 18 March)": the dates in brackets, not the weekdays."""
    drop: set[int] = set()
    for m in re.finditer(r"\(([^()]{1,60})\)", text):
        inside = [p for p in periods if m.start() < p.span[0] and p.span[1] <= m.end()]
        if not inside or not re.search(r"\d", m.group(1)):
            continue
        edge = m.start()
        for n in range(len(periods) - 1, -1, -1):
            p = periods[n]
            if p.span[1] > edge:
                continue
            between = text[p.span[1] : edge]
            if re.fullmatch(r"[\s,]*(?:and|or|&)?[\s,]*", between) and not re.search(
                r"\d", text[p.span[0] : p.span[1]]
            ):
                drop.add(n)
                edge = p.span[0]
    return [p for n, p in enumerate(periods) if n not in drop]


# A ballot (still to come) whose subject is the action: the date after it is the vote's.
_BALLOT_ON_ACTION_RE = re.compile(
    r"\b(?:ballot(?:s|ing)?|(?:to|will)\s+(?:re-?)?ballot|vot(?:e|es|ing)\s+on|consult(?:s|ing)?)"
    r"\b[^.;:]{0,60}?\b(?:on|over|for|about)\s+(?:\w+\s+){0,2}?(?:strike|industrial)\s+action"
    r"(?:\s+(?:in|at|across)\s+[\w\s]{1,30}?)?[\s,]+(?:from|on|starting|opening|beginning|between)"
    r"\s+(?:on\s+)?$",
    re.I,
)


def _date_is_strike_date(
    info: _SentInfo, period: Period, prev: _SentInfo | None, list_ctx: bool = False
) -> bool:
    """A date belongs to a walkout when strike words govern it and nothing else claims it."""
    text = info.clean
    pos = period.span[0]
    _, c_end = clause_bounds(text, pos)
    window = text[max(0, pos - 70) : pos]
    strike_near = [m.end() for m in lx.STRIKE_WORD_RE.finditer(text[:pos])]
    other_near = [m.end() for m in lx.NON_STRIKE_DATE_CUE_RE.finditer(window)]
    after = text[period.span[1] : period.span[1] + 50]
    if re.match(r"\s*(?:,\s*)?(?:talks|meeting|deadline|ballot|vote)\b", after, re.I):
        return False
    if lx.REPORTING_BEFORE_RE.search(text[max(0, pos - 40) : pos]):
        return False
    if not info.strike and _TIMESTAMP_RE.search(text):
        return False  # "9 January 2023, 19:39 | Updated: ..." is when the page was written
    if _SHORT_OF_STRIKE_RE.search(text) and not re.search(r"strik|walk", text, re.I):
        return False
    if _NOT_A_START_RE.search(text[max(0, pos - 30) : pos]) and not period.continuous:
        return False  # "the union has until 31 January", "before 6 March": a limit, not a start
    if lx.NOT_STRIKE_AFTER_RE.match(after):
        return False
    if _BALLOT_ON_ACTION_RE.search(text[max(0, pos - 120) : pos]):
        return False  # "will ballot members on strike action from 26 February": when the vote runs
    if other_near:
        last_other = max(pos - 70, 0) + max(other_near)
        last_strike = max(strike_near) if strike_near else -1
        if last_strike < last_other and not lx.STRIKE_WORD_RE.search(text[pos:c_end]):
            return False
    if not re.search(r"\d", text[pos : period.span[1]]):
        if _COULD_STOP_RE.search(text[clause_bounds(text, pos)[0] : pos]):
            return False  # "ministers could stop these strikes tomorrow": what others could do
        if _STAFFING_AFTER_RE.match(after):
            return False  # "'Christmas Day' cover": a staffing level, not a date
    if (_CANNOT_GO_AHEAD_RE.match(after) or _UNLAWFUL_AFTER_RE.match(after)) and _COURT_RE.search(
        text
    ):
        return False  # "the judge ruled the second day, 2 June, could not go ahead": struck off
    if info.strike:
        return True
    quoted = text[:pos].count('"') % 2 == 1
    if quoted and not re.search(r"\d", text[pos : period.span[1]]):
        return False  # "tomorrow" in a quote is the speaker's tomorrow, not the reader's
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
    info: _SentInfo,
    clause: str,
    infos: list[_SentInfo],
    i: int,
    title_unions: list[str],
    article_unions: Callable[[], list[str]],
) -> list[str]:
    """No union named: the staff group's usual union if the context's union is another trade's.

    A union the article names for that trade wins over the usual one (college lecturers in
    Scotland are in the EIS, not the UCU), and so does a union named just after ("Midwives are
    on strike today. Members of the RCM and Unison ...")."""
    nearby = _nearest_unions(infos, i, title_unions)
    staff_topics = {topic for _, topic in staff_in(clause)}
    for pattern, union in lx.STAFF_UNIONS:
        if pattern.search(clause):
            topic = lx.UNION_TOPICS.get(union)
            other_trade = not any(lx.UNION_TOPICS.get(u) == topic for u in nearby)
            if (not nearby or other_trade) and (topic in staff_topics or not staff_topics):
                named_all = article_unions()
                named = [u for u in named_all if lx.UNION_TOPICS.get(u) == topic]
                if union in named_all or not named_all:
                    return [union]
                after = next((x.unions for x in infos[i + 1 : i + 3] if x.unions), [])
                # the one union named is a general union (Unison, GMB, Unite), which takes in
                # every staff group; another trade's union (the RCN for physios) does not
                general = [u for u in named_all if u not in lx.UNION_TOPICS]
                single = general if len(named_all) == 1 else []
                return named[:1] or list(after) or single or [union]
            break
    else:
        # "Doctors in England are on strike" after a teachers' union: not that union's walkout
        topics = {lx.UNION_TOPICS.get(u) for u in nearby}
        if nearby and None not in topics and not topics & staff_topics:
            named = [u for u in article_unions() if lx.UNION_TOPICS.get(u) in staff_topics]
            usual = [u for t, u in _USUAL_UNION.items() if t in staff_topics]
            if named or usual:
                return named[:1] or usual[:1]
    return nearby


# The union a staff group's walkout is assumed to be, when the article names none of its trade.
_USUAL_UNION = {"doctors": "BMA", "nursing": "RCN"}


# "have been on all-out strike since 11 March", "the indefinite strike began on 3 May": a
# walkout under way, dated by its past start.
_ONGOING_SINCE_RE = re.compile(
    r"\b(?:(?:on|been)\s+(?:an?\s+)?(?:all-out|indefinite|continuous|open-ended)?\s*strike"
    r"|(?:been\s+)?striking|(?:been\s+)?out)\s+(?:ever\s+)?since\s+(?:on\s+)?$"
    r"|\b(?:all-out|indefinite|open-ended|continuous)\s+(?:strike|action|walkout|stoppage)\s+"
    r"(?:which\s+|that\s+)?(?:began|started)\s+(?:on\s+)?$"
    r"|\b(?:began|started|launched)\s+(?:an?\s+|their\s+|its\s+)?(?:all-out|indefinite|open-ended)"
    r"\s+(?:strike|action|walkout|stoppage)\s+(?:on\s+)?$",
    re.I,
)


# "The strike, now in its third week, began on 2 March": began, and is still going on.
_BEGAN_RE = re.compile(r"\b(?:began|started|begun)\s+(?:on\s+)?$", re.I)
_STILL_GOING_RE = re.compile(
    r"\b(?:(?:now\s+in|entered|enters|entering|into)\s+its\s+\w+\s+(?:day|week|month)"
    r"|(?:is|are)\s+(?:still\s+)?continuing|continues|still\s+on\s+strike|no\s+end\s+in\s+sight)\b",
    re.I,
)


def _is_ongoing_since(text: str, period: Period) -> bool:
    before = text[max(0, period.span[0] - 70) : period.span[0]]
    if lx.ENDED_BEFORE_RE.search(text):
        return False
    return bool(
        _ONGOING_SINCE_RE.search(before)
        or (_BEGAN_RE.search(before) and _STILL_GOING_RE.search(text))
    )


# "and again over the same hours on Wednesday": the hours of the walkout read just before.
_SAME_HOURS_RE = re.compile(r"\b(?:the\s+)?same\s+(?:hours|times)\b", re.I)


def _copy_hours(event: DetectedEvent, earlier: list[Candidate], i: int) -> None:
    model = next(
        (
            c.event
            for c in reversed(earlier)
            if c.sentence_index >= i - 3 and c.event.start_has_time and c.event.start is not None
        ),
        None,
    )
    if model is None or model.start is None or event.start is None:
        return
    day = event.start.date()
    event.start = datetime.combine(day, model.start.timetz())
    event.start_has_time = True
    if model.end is not None and model.end_has_time:
        days_on = (model.end.date() - model.start.date()).days
        event.end = datetime.combine(day + timedelta(days=days_on), model.end.timetz())
        event.end_has_time = True


# "The strike will last until 7am on Tuesday": the end of the walkout read just before.
_END_LATER_RE = re.compile(
    r"^\W*(?:the|this|that|their|its|the\s+\w+)\s+(?:\w+\s+){0,2}?(?:strike|walkout|action"
    r"|stoppage)s?\b[^.;]{0,40}?\b(?:until|till|to\s+(?=\d)|end(?:s|ing)?\s+at|finish(?:es)?\s+at)"
    r"\s+(?:on\s+)?$",
    re.I,
)


def _set_later_end(text: str, period: Period, candidates: list[Candidate], i: int) -> bool:
    if not _END_LATER_RE.search(text[: period.span[0]]) or period.end is not None:
        return False
    target = next((c.event for c in reversed(candidates) if i - 2 <= c.sentence_index < i), None)
    if target is None or target.start is None or target.end is not None:
        return False
    end_dt, has_time = _end_for(text, period, target.start)
    if end_dt is None:
        return False
    target.end, target.end_has_time = end_dt, has_time
    return True


def _end_for(text: str, period: Period, start: datetime) -> tuple[datetime | None, bool]:
    """The moment a walkout that began at ``start`` ends, read from an "until ..." date."""
    end = period.start
    if end.time == time(0, 0) and re.search(
        r"midnight", text[period.span[0] : period.span[1]], re.I
    ):
        end = Moment(end.day, time(23, 59))  # "until midnight on Sunday" ends that day
    end_dt = end.as_datetime()
    if end_dt <= start and not names_month(text[period.span[0] : period.span[1]]):
        # "until midnight on Wednesday" after a start on Monday 11 May: that week's Wednesday
        weeks = (start - end_dt).days // 7 + 1
        end_dt = datetime.combine(end.day + timedelta(weeks=weeks), end_dt.timetz())
    if end_dt <= start:
        return None, False
    return end_dt, end.time is not None


# "will finish at midnight on Sunday", "will stay on strike until 6am on 16 June": the end of a
# walkout, wherever in the article its start is given.
_END_CUE_RE = re.compile(
    r"\b(?:(?:finish|end|conclude)(?:es|s)?\s+(?:at|on)"
    r"|(?:stay|remain|continue)s?\s+(?:on\s+strike|out|off\s+work)\s+(?:until|till)"
    r"|(?:will|to)\s+(?:strike|walk\s+out|be\s+out|be\s+on\s+strike)\s+(?:until|till)"
    r"|(?:runs?|lasts?|continues?)\s+until|(?:return|go\s+back)s?\s+to\s+work\s+at"
    r"|(?:due\s+)?back\s+(?:at|to)\s+work\s+at)"
    r"\s+(?:on\s+)?$",
    re.I,
)


def _join_start_and_end(text: str, periods: list[Period]) -> list[Period]:
    """ "a strike which started at 7am on Monday and runs until 7am on Thursday": one stretch."""
    out: list[Period] = []
    for period in periods:
        last = out[-1] if out else None
        if (
            last is not None
            and last.end is None
            and period.end is None
            and last.start.time is not None
            and _END_CUE_RE.search(text[max(0, period.span[0] - 40) : period.span[0]])
            and not re.search(r"[.;]", text[last.span[1] : period.span[0]])
        ):
            end_dt, has_time = _end_for(text, period, last.start.as_datetime())
            if end_dt is not None and end_dt - last.start.as_datetime() <= _MAX_LATER_END:
                end = Moment(
                    end_dt.date(), end_dt.timetz().replace(tzinfo=None) if has_time else None
                )
                out[-1] = Period(last.start, end, (last.span[0], period.span[1]), True)
                continue
        out.append(period)
    return out


def _drop_headline_only_days(candidates: list[Candidate]) -> list[Candidate]:
    """ "Who is on strike today and tomorrow": a headline's "today" given to a union whose own
    days the report states is not one of that union's walkouts."""
    body = [c for c in candidates if c.sentence_index > 0]
    keep: list[Candidate] = []
    for cand in candidates:
        if cand.sentence_index == 0 and not cand.explicit_date:
            unions = set(cand.event.unions)
            if any(unions & set(c.event.unions) for c in body) and not any(
                c.event.start is not None
                and cand.event.start is not None
                and c.event.start.date() == cand.event.start.date()
                and unions & set(c.event.unions)
                for c in body
            ):
                continue
        keep.append(cand)
    return keep


# A rolling programme's next rounds, said without a strike verb: "it is the turn of Perth",
# "with teachers in Stirling out on Wednesday".
_ROLLING_TURN_RE = re.compile(
    r"\b(?:it\s+is|it's|it\s+will\s+be|then)\s+the\s+turn\s+of\b"
    r"|\b(?:staff|workers|teachers|lecturers|members|nurses|doctors|crews|drivers|porters)\s+"
    r"(?:(?!were\b|was\b|had\b|been\b)[\w,]+\s+){0,5}?(?:are\s+|will\s+be\s+)?out\s+"
    r"(?:on|from)\s+(?:\d|(?:mon|tues|wednes|thurs|fri|satur|sun)day)\b(?!\s+\w+ing\b)",
    re.I,
)


_UNDER_WAY_RE = re.compile(
    r"\b(?:midway|halfway|part\s+of\s+the\s+way|under\s*way|already|(?:began|started|begun)"
    r"(?:\s+\w+){0,2}\s+at)\b",
    re.I,
)


def _ends_after(cand: Candidate, published: datetime) -> bool:
    return cand.event.end is not None and cand.event.end > published


def _live_past_start(text: str, period: Period, published: datetime) -> bool:
    """A clock start in the last three weeks of a walkout the sentence says is under way."""
    return (
        period.end is None
        and period.start.time is not None
        and published - period.start_dt <= _MAX_LATER_END
        and bool(_UNDER_WAY_RE.search(text))
        and not lx.ENDED_BEFORE_RE.search(text)
    )


# An end said of the action or the strikers in a sentence with no strike word of its own.
_END_ONLY_RE = re.compile(
    r"\b(?:return|go\s+back)s?\s+to\s+work\s+at\b|\bback\s+(?:at|to)\s+work\s+at\b"
    r"|^\W*(?:it|the\s+(?:strike|walkout|action|stoppage))\s+(?:is\s+|will\s+)?"
    r"(?:(?:due|set|expected|scheduled)\s+to\s+)?(?:end|finish)\s+(?:at|on)\b"
    r"|\b(?:action|walkouts?|stoppages?)\b[^.;]{0,30}\b(?:continues?|runs?|lasts?)\s+until\b",
    re.I,
)


# The longest a single stoppage is read to run when its end is said apart from its start.
_MAX_LATER_END = timedelta(days=21)


def _attach_later_ends(
    pending: list[tuple[int, str, Period, list[str]]], candidates: list[Candidate]
) -> None:
    """Give each open walkout the end stated for it elsewhere: the nearest one of its union."""
    for i, text, period, unions in pending:
        best: tuple[tuple[int, timedelta], DetectedEvent, datetime, bool] | None = None
        same = [c for c in candidates if c.sentence_index == i and c.event.status in ON_STATUSES]
        for cand in same or candidates:  # an end beside its own start belongs to that walkout
            ev = cand.event
            if ev.start is None or ev.status not in ON_STATUSES:
                continue
            if ev.end is not None and not cand.end_from_duration:
                continue
            if unions and ev.unions and not set(unions) & set(ev.unions):
                continue
            end_dt, has_time = _end_for(text, period, ev.start)
            if end_dt is None or end_dt - ev.start > _MAX_LATER_END:
                continue
            # the nearest sentence, then the walkout starting closest before the end
            rank = (abs(cand.sentence_index - i), end_dt - ev.start)
            if best is None or rank < best[0]:
                best = (rank, ev, end_dt, has_time)
        if best is not None:
            best[1].end, best[1].end_has_time = best[2], best[3]
            for cand in candidates:
                if cand.event is best[1]:
                    cand.end_from_duration = False  # stated now: a second end does not move it


# "moved from 3 March to 10 March": not a stretch from one to the other, but a day put off and
# the day it moves to.
_MOVE_FROM_TO_RE = re.compile(
    r"\b(?:mov(?:ed|es|ing)|push(?:ed|es|ing)\s+back|put\s+back|postpon(?:ed|es|ing)"
    r"|br(?:ought|ings?|inging)\s+forward|reschedul(?:ed|es|ing)|switch(?:ed|es|ing)"
    r"|chang(?:ed|es|ing)|shift(?:ed|s|ing)|delay(?:ed|s|ing))\b[^.;]{0,40}$",
    re.I,
)


# "on 3 March has been postponed until 10 March"
_MOVE_BETWEEN_RE = re.compile(
    r"\b(?:postponed|moved|pushed\s+back|put\s+back|delayed|rescheduled|brought\s+forward)"
    r"\s+(?:until|to|till)\b",
    re.I,
)


def _split_moves(text: str, periods: list[Period], moved: dict[int, str]) -> list[Period]:
    out: list[Period] = []
    for period in periods:
        before = text[max(0, period.span[0] - 50) : period.span[0]]
        inside = text[period.span[0] : period.span[1]]
        if (
            period.continuous
            and period.end is not None
            and period.end.day != period.start.day
            and (
                (
                    _MOVE_FROM_TO_RE.search(before)
                    and re.search(r"\b(?:to|until|till)\b", inside, re.I)
                )
                or _MOVE_BETWEEN_RE.search(inside)
            )
        ):
            moved[len(out)] = "postponed"
            out.append(Period(period.start, None, period.span))
            moved[len(out)] = "rescheduled"
            out.append(Period(period.end, None, period.span))
        else:
            out.append(period)
    return out


# A walkout moved to a new date: the date it "had been due" on is put off.
_MOVED_RE = re.compile(
    r"\b(?:will\s+now\s+(?:take\s+place|go\s+ahead|be\s+held)|moved\s+(?:back|forward)"
    r"|(?:strike|walk\s+out|take\s+place|be\s+held|go\s+ahead)\b(?!-)[^.;]{0,40}\binstead"
    r"|rescheduled|brought\s+forward|pushed\s+back|put\s+back)\b",
    re.I,
)


# "They will be joined on 5 February by members of the NASUWT": one walkout, two unions.
_JOINED_BY_RE = re.compile(r"\bbe(?:ing)?\s+joined\b[^.;]{0,50}?\bby\b|\balongside\b", re.I)


_ALSO_RE = re.compile(r",?\s+as\s+(?:are|is|will|do|does|did|were|was)\b[^.;]{0,80}", re.I)


def _also_unions(
    info: _SentInfo, period: Period, unions: list[str]
) -> tuple[list[str], list[tuple[str, str]]]:
    """Unions (and their staff) joined on by a trailing "..., as are ambulance crews in the GMB"."""
    m = _ALSO_RE.search(info.clean, period.span[1])
    if m is None:
        return [], []
    return [u for u in unions_in(m.group(0)) if u not in unions], staff_in(m.group(0))


def _nearest_unions(infos: list[_SentInfo], i: int, title_unions: list[str]) -> list[str]:
    reach = 10 if _is_list_like(infos[i]) else 4
    for j in range(i - 1, max(-1, i - reach), -1):
        if infos[j].sent.is_title:
            break
        if infos[j].unions:
            return list(infos[j].unions)
    return list(title_unions)


def _following_unions(infos: list[_SentInfo], i: int) -> list[str]:
    paragraph = infos[i].sent.paragraph
    for j in range(i + 1, min(len(infos), i + 3)):
        if infos[j].sent.paragraph != paragraph:
            break
        if infos[j].unions:
            return list(infos[j].unions)
    return []


def _listed_next(infos: list[_SentInfo], i: int, published: datetime) -> list[str]:
    """ "Workers are on strike today." then "A, B and C are all walking out.": the undated list
    right after says who is out that day."""
    if i + 1 >= len(infos):
        return []
    nxt = infos[i + 1]
    if len(nxt.unions) < 2 or not nxt.strike or not _WHOLE_LIST_RE.search(nxt.clean):
        return []
    return [] if extract(nxt.clean, published)[0] else list(nxt.unions)


def _main_union(infos: list[_SentInfo], in_strike_sentences: Counter[str]) -> list[str]:
    counts = in_strike_sentences or Counter(u for info in infos for u in info.unions)
    return [counts.most_common(1)[0][0]] if counts else []


# "..., when members of Unison are also expected to be out": another union beside the subject.
_ALSO_SIDE_RE = re.compile(
    r"\b(?:when|while|as|where|alongside|with)\b[^.;]{0,80}?\balso\b[^.;]*", re.I
)


def _own_unions(info: _SentInfo, period: Period) -> list[str]:
    """The sentence's unions less those named only in a side clause that does not hold the date."""
    if not info.unions or "also" not in info.lower:
        return info.unions
    side: set[str] = set()
    rest = info.sent.text
    for m in _ALSO_SIDE_RE.finditer(info.sent.text):
        if m.start() <= period.span[0] < m.end():
            continue
        side.update(unions_in(m.group(0)))
        rest = rest[: m.start()] + " " * (m.end() - m.start()) + rest[m.end() :]
    if not side:
        return info.unions
    still = set(unions_in(rest))
    return [u for u in info.unions if u not in side or u in still]


# "A in the NEU, B in the PCS and C in the UCU are all walking out": the verb covers the list.
_WHOLE_LIST_RE = re.compile(r"\b(?:are|were|will\s+be|will|have)\s+(?:all|both)\b", re.I)


def _clause_unions(info: _SentInfo, period: Period) -> list[str]:
    text = info.clean
    c_start, c_end = clause_bounds(text, period.span[0])
    unions = unions_in(text[c_start:c_end])
    if unions and _WHOLE_LIST_RE.search(text[c_start : period.span[0]]):
        # the list runs back to the sentence start, or to the last date said before it
        lo = max((p.span[1] for p in info.periods if p.span[1] <= c_start), default=0)
        return unions_in(text[lo:c_end])
    if unions:
        return unions
    # Regional and per-union lists: "GMB: 6 and 20 February" take the name before the dates.
    head = text[: period.span[0]]
    unions = unions_in(head[-120:])
    return unions[-1:] if unions else []


def _fmt_evidence(sentence: str) -> str:
    return sentence if len(sentence) <= 400 else sentence[:397] + "..."


def detect_article(article: ArticleInput, places: PlaceFinder | None = None) -> Detection:
    """Rules over sentences; see the module docstring for the reasoning."""
    published = uk_local(article.published)
    sentences = split_sentences(article.title[:MAX_SENTENCE_CHARS], article.text[:MAX_TEXT_CHARS])
    infos: list[_SentInfo] = []
    for s in sentences:
        clean = s.text
        lower = clean.lower()
        strike = False
        if _STRIKE_STEM_RE.search(lower):
            clean = lx.DISTRACTOR_RE.sub(lambda m: " " * len(m.group(0)), clean)
            strike = _is_labour_strike(clean, lower)
        infos.append(_SentInfo(sent=s, clean=clean, strike=strike, lower=lower))
    title_unions = infos[0].unions if infos and infos[0].sent.is_title else []
    all_unions = Counter(u for info in infos if info.strike for u in info.unions)

    named_unions: list[list[str]] = []

    def article_unions() -> list[str]:  # looked up only when a staff group's union is guessed
        if not named_unions:
            named_unions.append(list(dict.fromkeys(u for info in infos for u in info.unions)))
        return named_unions[0]

    all_staff = [st for info in infos if info.strike for st in info.staff]
    article_text = f"{article.title}\n{article.text}"
    lead_text = " ".join(info.sent.text for info in infos[:4])
    fallback_topic = topic_for(all_staff, [u for u, _ in all_unions.most_common()], "", lead_text)
    if not fallback_topic:
        fallback_topic = (
            "other_nhs" if re.search(r"\bNHS\b|hospital", article_text, re.I) else "councils"
        )

    # A union's or trust's own page often says "our members" / "the trust" without its name.
    source_unions = unions_in(article.source) if article.publisher_kind == "union" else []
    source_employers = [article.source] if article.publisher_kind == "nhs_trust" else []
    if not article.publisher_kind and lx.EMPLOYER_RE.fullmatch(article.source.strip()):
        source_employers = [article.source.strip()]  # a trust's or operator's own site
    lead_employers = source_employers + [e for x in infos[:3] for e in x.employers()]
    fallback_topic = topic_for(
        all_staff, [u for u, _ in all_unions.most_common()], fallback_topic, "", lead_employers
    )
    lead_codes: list[str] = []
    for lead in infos[:3]:
        if lead.strike or lead.sent.is_title:
            for code in places_in(lead.sent.text, places)[1]:
                if code not in lead_codes:
                    lead_codes.append(code)
    article_off = None
    for lead in infos[:3]:
        if lead.strike:
            article_off = article_off or off_status(lead.clean)
    if article_off is None and any(x.strike and _MOVED_RE.search(x.clean) for x in infos):
        article_off = "postponed"  # "had been due to walk out on 21 June ... now on 28 June"

    candidates: list[Candidate] = []
    pending_ends: list[tuple[int, str, Period, list[str]]] = []
    tentative: list[int] = []  # candidates started before publication, awaiting an end
    prev: _SentInfo | None = None
    prev_off: str | None = None
    list_ctx = False
    month_anchor: date | None = None
    seen_strike = False
    for i, info in enumerate(infos):
        if not info.strike and seen_strike and _ROLLING_TURN_RE.search(info.clean):
            info.strike = True  # "Tomorrow it is the turn of Perth": the next round of the action
        elif not info.strike and seen_strike and _END_ONLY_RE.search(info.clean):
            # "The drivers will return to work at 4am on Monday": an end, not a strike sentence
            for period in extract(info.clean, published, month_anchor)[0]:
                before = info.clean[max(0, period.span[0] - 40) : period.span[0]]
                if period.end is None and _END_CUE_RE.search(before):
                    pending_ends.append((i, info.clean, period, _clause_unions(info, period)))
        seen_strike = seen_strike or (info.strike and not info.sent.is_title)
        may_date = (
            info.strike or list_ctx or (prev is not None and (prev.strike or prev.dated_strike))
        ) and _TEMPORAL_HINT_RE.search(info.lower)
        info.periods, loose = extract(info.clean, published, month_anchor) if may_date else ([], [])
        info.periods = info.periods[:MAX_PERIODS_PER_SENTENCE]
        for period in info.periods:
            if names_month(info.clean[period.span[0] : period.span[1]]):
                month_anchor = period.start.day  # a later bare "the 14th" is in this month
        if info.strike and not info.periods:
            nth = nth_day_period(info.clean, published)
            info.periods = [nth] if nth is not None else []
        added_before = len(candidates)
        sentence_off = off_status(info.clean) if info.strike else None
        moved: dict[int, str] = {}  # index in info.periods -> status of a moved walkout's dates
        if info.strike and any(p.continuous for p in info.periods):
            info.periods = _split_moves(info.clean, info.periods, moved)
        if info.strike and len(info.periods) > 1:
            info.periods = _join_start_and_end(info.clean, info.periods)
        if len(info.periods) > 1 and "(" in info.clean:
            info.periods = _bracketed_dates_decide(info.clean, info.periods)
        for n_period, period in enumerate(info.periods):
            if info.strike and _set_later_end(info.clean, period, candidates, i):
                continue
            if (
                info.strike
                and period.end is None
                and _END_CUE_RE.search(info.clean[max(0, period.span[0] - 40) : period.span[0]])
            ):
                pending_ends.append((i, info.clean, period, _clause_unions(info, period)))
                continue
            ongoing = info.strike and _is_ongoing_since(info.clean, period)
            if not ongoing and not _date_is_strike_date(info, period, prev, list_ctx):
                continue
            info.dated_strike = True
            c_start, c_end = clause_bounds(info.clean, period.span[0])
            if ongoing and period.start.day > published.date():
                # "striking since Monday": the Monday gone ("since 3 May" ahead is no start)
                if names_month(info.clean[period.span[0] : period.span[1]]):
                    continue
                back = Moment(period.start.day - timedelta(days=7), period.start.time)
                period = replace(period, start=back)
            if ongoing:
                period = replace(period, end=None)  # an open-ended strike still under way
                status, explicit = "going_ahead", True
            elif is_past(period, published, info.clean[c_start : period.span[0]]):
                if not _live_past_start(info.clean, period, published):
                    continue
                # "midway through a strike that began at 7am on Friday": kept only if an end
                # after publication is found for it
                status, explicit = "going_ahead", True
                tentative.append(len(candidates))
            elif n_period in moved:
                status, explicit = moved[n_period], True
            else:
                status, explicit = status_for(info.clean, period, published, prev_off, article_off)
            guessed_union = False
            own_unions = _own_unions(info, period)
            unions = _clause_unions(info, period) or (own_unions if len(own_unions) == 1 else [])
            if not unions and not info.unions:
                unions = _listed_next(infos, i, published)
            if not unions:
                clause = info.sent.text[c_start:c_end]
                if not any(w in clause for w, _ in info.staff):
                    clause = info.sent.text  # "Doctors are midway through a strike, which began..."
                unions = own_unions or _staff_union(
                    info, clause, infos, i, title_unions, article_unions
                )
            if not unions:
                unions = list(source_unions)
            if not unions:
                # The union named just after ("... from Monday. Unite said ..."), else the
                # article's main union: a guess, so the event is less sure.
                unions = _following_unions(infos, i) or _main_union(infos, all_unions)
                guessed_union = bool(unions)
            extra_unions, extra_staff = _also_unions(info, period, unions)
            confidence = 0.55 - (0.1 if guessed_union else 0.0)
            staff = staff_in(info.sent.text[c_start:c_end]) or info.staff
            if not staff and prev is not None and prev.dated_strike:
                staff = prev.staff
            if not staff:
                staff = list(dict.fromkeys(all_staff))[:1]
            trades = {lx.UNION_TOPICS[u] for u in unions if u in lx.UNION_TOPICS}
            if trades and not any(topic in trades for _, topic in staff):
                staff = []  # borrowed staff of another trade ("ambulance workers" for the RCN)
            employers = list(info.employers()) or list(source_employers)
            areas, area_codes = (list(x) for x in info.places(places))
            if not area_codes:
                area_codes = list(lead_codes) or list(article.default_areas)
            confidence += 0.15 if info.strike else 0.0
            confidence += 0.1 if unions else 0.0
            confidence += (
                0.1 if re.search(r"\d", info.sent.text[period.span[0] : period.span[1]]) else 0.0
            )
            confidence += 0.05 if explicit else 0.0
            if status in OFF_STATUSES and not explicit:
                confidence -= 0.2  # a call-off read from a neighbouring sentence: ask a person
            evidence = [_fmt_evidence(info.sent.text)]
            if not info.strike and prev is not None:
                evidence.insert(0, _fmt_evidence(prev.sent.text))
            candidates.append(
                Candidate(
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
                        topic=topic_for(staff, unions, fallback_topic, info.sent.text, employers),
                    ),
                    explicit,
                    i,
                    bool(_REVISED_RE.search(info.clean[c_start : period.span[1]])),
                    bool(re.search(r"\d", info.clean[period.span[0] : period.span[1]])),
                    borrowed_union=not info.unions and not info.staff,
                    joins=bool(_JOINED_BY_RE.search(info.clean[c_start:c_end])),
                    end_from_duration=period.end_from_duration,
                )
            )
            if extra_unions:
                twin = replace(
                    candidates[-1].event,
                    unions=extra_unions,
                    staff=[w for w, _ in extra_staff],
                    evidence=evidence,
                    topic=topic_for(
                        extra_staff, extra_unions, fallback_topic, info.sent.text, employers
                    ),
                )
                candidates.append(replace(candidates[-1], event=twin))
        if (
            loose
            and (
                _LOOSE_RANGE_CONTEXT_RE.search(info.clean)
                or (prev is not None and prev.dated_strike and _TIME_LABEL_RE.match(info.clean))
            )
            and not _SERVICE_HOURS_RE.search(info.clean)
        ):
            # "The action runs from 00:01 until 23:59": the hours of the day named just before.
            for cand in candidates[:added_before]:
                if i - 3 <= cand.sentence_index < i and not cand.event.start_has_time:
                    _apply_clock_range(cand.event, loose[0])
        if len(candidates) > added_before and _SAME_HOURS_RE.search(info.clean):
            for n in range(added_before, len(candidates)):
                if not candidates[n].event.start_has_time:
                    _copy_hours(candidates[n].event, candidates[:n], i)
        if (
            len(candidates) == added_before
            and ("joined" in info.lower or "alongside" in info.lower)
            and _JOINED_BY_RE.search(info.clean)
            and info.unions
        ):
            # "They will be joined by Unite members": the walkouts of the sentence before
            for cand in candidates:
                if cand.sentence_index == i - 1 and cand.event.status in ON_STATUSES:
                    cand.event.unions += [u for u in info.unions if u not in cand.event.unions]
        prev_off = sentence_off if info.strike else (prev_off if not info.periods else None)
        list_ctx = info.strike or (list_ctx and _is_list_like(info))
        prev = info

    _attach_later_ends(pending_ends, candidates)
    if tentative:
        dead = {
            id(candidates[n].event) for n in tentative if not _ends_after(candidates[n], published)
        }
        candidates = [c for c in candidates if id(c.event) not in dead]
    if infos and infos[0].sent.is_title and not infos[0].unions:
        candidates = _drop_headline_only_days(candidates)
    walkouts = merge_candidates(candidates)
    others = _ballots_and_deals(infos, title_unions, fallback_topic, article)
    others += _undated_call_offs(infos, walkouts, all_unions, fallback_topic, source_employers)
    others = [e for e in others if not _stray_deal(e, walkouts)]
    news, confidence = _is_strike_news(infos, walkouts, others, article_text)
    if not news:
        return Detection(False, [], confidence)
    return Detection(True, walkouts + others, confidence)


def _end_dt(end: Moment | None) -> datetime | None:
    return end.as_datetime() if end else None


_OFF_WORDS = (
    r"(?:call(?:ed|s|ing)?\s+(?:\w+\s+){0,3}?off|cancel\w*|suspend\w*|postpon\w*|paus\w+|halt\w*"
    r"|shelved|scrapped|stood\s+down|defer\w*|put\s+(?:off|back)|off\b(?!\s+(?:the|a)\b))"
)
_ACTION_WORDS = r"(?:strikes?|walk-?outs?|action|stoppages?|industrial\s+action)"
# The call-off is said of the strike itself, not of what the strike disrupted.
_OFF_IS_THE_STRIKE_RE = re.compile(
    rf"\b{_ACTION_WORDS}\b[^.;]{{0,60}}?\b(?:has|have|had|was|were|is|are|been|now)\s+(?:\w+\s+)?"
    rf"{_OFF_WORDS}|\b{_OFF_WORDS}\s+(?:[\w']+\s+){{0,4}}?{_ACTION_WORDS}\b",
    re.I,
)


_EARLIER_DEAL_RE = re.compile(
    r"\b(?:last\s+(?:year|month|week|spring|summer|autumn|winter)|in\s+(?:19|20)\d\d|previously"
    r"|earlier\s+this\s+(?:year|month)|a\s+year\s+ago)\b",
    re.I,
)


def _stray_deal(event: DetectedEvent, walkouts: list[DetectedEvent]) -> bool:
    """An accepted deal in a piece whose walkouts by the same union all go ahead is another
    group's or an earlier deal ("nurses in Scotland accepted an offer last year"), not this
    dispute's end: reporting it would mark the strike settled."""
    if event.status != "deal_accepted":
        return False
    if any(_EARLIER_DEAL_RE.search(s) for s in event.evidence):
        return True
    if not event.unions:
        return False
    mine = [w for w in walkouts if set(w.unions) & set(event.unions)]
    return bool(mine) and all(w.status in ON_STATUSES for w in mine)


def _undated_call_offs(
    infos: list[_SentInfo],
    walkouts: list[DetectedEvent],
    all_unions: Counter[str],
    fallback_topic: str,
    source_employers: list[str],
) -> list[DetectedEvent]:
    """ "Unite has suspended its strike at the trust": a call-off with no date is still news the
    merge can match to the walkouts it holds (by union and employer); one per union and status."""
    out: list[DetectedEvent] = []
    off_unions = {u for e in walkouts if e.status in OFF_STATUSES for u in e.unions}
    seen: set[tuple[str, str]] = set()
    for info in infos:
        if not info.strike or info.dated_strike:
            continue
        status = off_status(info.clean)
        if status is None or lx.PAST_PLAN_RE.search(info.clean):
            continue
        if not _OFF_IS_THE_STRIKE_RE.search(info.clean):
            continue  # "appointments were cancelled because of the strike"
        unions = info.unions or _main_union(infos, all_unions)
        if not unions or any(u in off_unions for u in unions):
            continue
        employers = info.employers() or list(source_employers)
        if all((status, u) in seen for u in unions):
            for same in out:  # the title said it first: the body adds who and where
                if same.status == status and set(same.unions) & set(unions):
                    same.employers += [e for e in employers if e not in same.employers]
                    same.evidence.append(_fmt_evidence(info.sent.text))
                    same.confidence = max(same.confidence, 0.5 if info.unions else 0.4)
                    break
            continue
        seen.update((status, u) for u in unions)
        out.append(
            DetectedEvent(
                unions=list(unions),
                staff=[w for w, _ in info.staff],
                employers=list(employers),
                areas=areas_in(info.sent.text),
                area_codes=[],
                start=None,
                start_has_time=False,
                end=None,
                end_has_time=False,
                status=status,
                confidence=0.5 if info.unions else 0.4,
                evidence=[_fmt_evidence(info.sent.text)],
                topic=topic_for(info.staff, unions, fallback_topic, info.sent.text, employers),
            )
        )
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
        deal = cue(lx.DEAL_ACCEPTED_RE, text)
        if deal and not _CONDITION_BEFORE_RE.search(text[max(0, deal.start() - 40) : deal.start()]):
            status = "deal_accepted"
        elif cue(lx.BALLOT_RE, text) and (
            info.strike or re.search(r"\b(?:offer|deal|pay|action)\b", text, re.I)
        ):
            status = "ballot"
        if status is None:
            continue
        unions = info.unions or _nearest_unions(infos, i, title_unions)
        if not unions and article.publisher_kind == "union":
            unions = unions_in(article.source)
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
                employers=employers_in(info.sent.text),
                areas=areas_in(info.sent.text),
                area_codes=list(article.default_areas),
                start=None,
                start_has_time=False,
                end=None,
                end_has_time=False,
                status=status,
                confidence=0.6 if unions else 0.45,
                evidence=[_fmt_evidence(info.sent.text)],
                topic=topic_for(
                    info.staff, unions, fallback_topic, "", employers_in(info.sent.text)
                ),
            )
        )
    return out


# "It has not announced any further strike dates", "15,000 doctors were on strike at the peak":
# neither is action to come.
_NEGATED_OR_PAST_RE = re.compile(
    r"\b(?:not|no|never|nor|without|were|was|had\s+been|have\s+been"
    r"|(?:hold(?:s|ing)?|held)\s+off|rul(?:e|es|ed|ing)\s+out|back(?:s|ed|ing)?\s+away\s+from)"
    r"\s+(?:\w+\s+){0,2}$"
    r"|n't\s+(?:\w+\s+){0,2}$",
    re.I,
)


# "further strikes have not been ruled out", "further strikes could follow": a possibility.
_POSSIBLE_AFTER_RE = re.compile(
    r"^\s*(?:\w+\s+){0,2}?(?:(?:had|has|have)\s+not\s+been\s+ruled\s+out|could|might|may\b)",
    re.I,
)


def _states_future_action(text: str) -> bool:
    return any(
        not _NEGATED_OR_PAST_RE.search(text[max(0, m.start() - 30) : m.start()])
        and not _POSSIBLE_AFTER_RE.match(text[m.end() : m.end() + 50])
        for m in lx.FUTURE_ACTION_RE.finditer(text)
    )


# "marks will be withheld until the dispute is resolved": a condition, not a settlement.
_CONDITION_BEFORE_RE = re.compile(
    r"\b(?:until|till|unless|if|once|when|before|after|so\s+that)\s+(?:\w+\s+){0,3}$", re.I
)


_OFFER_RE = re.compile(r"\b(?:pay\s+)?(?:offer|deal)\b", re.I)
_PAY_DISPUTE_RE = re.compile(r"\b(?:pay|dispute|industrial\s+action|conditions|staffing)\b", re.I)


def _is_strike_news(
    infos: list[_SentInfo],
    walkouts: list[DetectedEvent],
    others: list[DetectedEvent],
    article_text: str,
) -> tuple[bool, float]:
    strike_infos = [i for i in infos if i.strike]
    if not strike_infos:
        # "The NEU will ballot members over pay", "PCS members voted to accept the offer": a
        # ballot or a deal in a dispute is news without the word "strike".
        pay_ballots = [
            e
            for e in others
            if e.unions
            and e.status in ("ballot", "deal_accepted")
            and any(_PAY_DISPUTE_RE.search(s) or _OFFER_RE.search(s) for s in e.evidence)
        ]
        return (True, 0.6) if pay_ballots else (False, 0.9)
    title = infos[0] if infos and infos[0].sent.is_title else None
    title_strike = bool(title and title.strike)
    labour = (
        any(i.unions or i.staff for i in strike_infos)
        or any(e.unions for e in walkouts)
        or bool(lx.LABOUR_CONTEXT_RE.search(" ".join(i.clean for i in strike_infos)))
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
    if (
        not uk
        and not any(e.unions for e in walkouts)
        and lx.FOREIGN_RE.search(article_text)
        and not lx.UK_RE.search(article_text)
    ):
        return False, 0.7  # a place abroad anywhere in the piece, nothing British, no UK union
    future_language = any(
        _states_future_action(i.clean) and not lx.ENDED_BEFORE_RE.search(i.clean)
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
