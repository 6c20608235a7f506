"""A small date-and-time grammar for strike reports, resolved against the publication time.

Why hand-written: a general date searcher is too slow for the main pass (tens of milliseconds per
article) and its spans are noisy; strike reports use a narrow, regular language ("from 7am on
Thursday until 7am on Tuesday, July 18", "on 6 and 20 February", "a 48-hour walkout").

The grammar works in two layers over one sentence:
1. *tokens*: dates (with optional weekday, lists and day ranges), relative days, weekdays, times,
   time ranges, durations;
2. *periods*: dates with the times attached, joined by "until"/"to"/"between ... and", or
   stretched by a duration.
Everything is pure: the anchor is the publication time in UK local time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import pairwise

from dateutil.easter import easter

from config.db_types import UK_TZ

MONTHS: dict[str, int] = {
    "january": 1,
    "jan": 1,
    "february": 2,
    "feb": 2,
    "march": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "may": 5,
    "june": 6,
    "jun": 6,
    "july": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sept": 9,
    "sep": 9,
    "october": 10,
    "oct": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
}
WEEKDAYS: dict[str, int] = {
    "monday": 0,
    "mon": 0,
    "tuesday": 1,
    "tues": 1,
    "tue": 1,
    "wednesday": 2,
    "wed": 2,
    "thursday": 3,
    "thurs": 3,
    "thur": 3,
    "thu": 3,
    "friday": 4,
    "fri": 4,
    "saturday": 5,
    "sat": 5,
    "sunday": 6,
    "sun": 6,
}
NUMBER_WORDS: dict[str, int] = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fourteen": 14,
    "twenty-four": 24,
    "twenty four": 24,
    "thirty-six": 36,
    "forty-eight": 48,
    "forty eight": 48,
    "seventy-two": 72,
    "seventy two": 72,
    "ninety-six": 96,
    "a hundred and twenty": 120,
}

_MONTH = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december"
    r"|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?"
)
_WD_FULL = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_WD = (
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    r"|mon|tues|tue|wed|thurs|thur|thu|fri|sat|sun)"
)
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?(?![\d:%]|\.\d|\s*(?:am|pm|%)\b)"
_SEP = r"(?:\s*(?:,|and|&|or|to|until|till|through|-|–|—)\s*)"
_YEAR = r"(?:,?\s+((?:19|20)\d{2})(?!\d))"
_NUM = r"(?:\d{1,3}|" + "|".join(sorted((re.escape(k) for k in NUMBER_WORDS), key=len)[::-1]) + ")"

_TIME = (
    r"(?:\b(?:12\s+)?(?:midday|noon|midnight)\b"
    r"|\b(?:[01]?\d|2[0-3])(?:[:.][0-5]\d)?\s*(?:am|pm)\b"
    r"|\b(?:[01]?\d|2[0-3]):[0-5]\d(?:\s*(?:bst|gmt|hrs|hours))?\b"
    r"|\b(?:[01]\d|2[0-3])[0-5]\d\s*(?:hrs|bst|gmt)\b)"
)
_TOKEN_RE = re.compile(
    rf"""
    (?P<dmy>(?:{_WD},?\s+)?(?:the\s+)?{_DAY}(?:{_SEP}(?:{_WD},?\s+)?(?:the\s+)?{_DAY}){{0,15}}
        \s+(?:of\s+)?{_MONTH}(?![a-z]){_YEAR}?)
  | (?P<mdy>(?:{_WD},?\s+)?{_MONTH}\s+{_DAY}(?:{_SEP}(?:{_WD},?\s+)?{_DAY}){{0,15}}{_YEAR}?)
  | (?P<num>(?<![\d/.])(?:[12]\d|3[01]|0?[1-9])/(?:1[0-2]|0?[1-9])(?:/(?:(?:19|20)?\d{{2}}))?
        (?![\d/]|\.\d)
    |(?<![\d.])(?:[12]\d|3[01]|0?[1-9])\.(?:1[0-2]|0?[1-9])\.(?:20)?\d{{2}}(?!\d|\.\d|\s*(?:am|pm)\b))
  | (?P<every>\b(?:every|each)\s+(?P<evwd>(?:{_WD_FULL}s?|weekends?)
        (?:\s*(?:,|and|&)\s*{_WD_FULL}s?)*)
        (?:\s+(?:in|of|during|throughout)\s+(?P<evmonth>{_MONTH})(?![a-z]){_YEAR}?
        |(?P<evuntil>\s+(?:until|till|up\s+to|through\s+to)\b)))
  | (?P<ord>\b(?!(?:on\s+)?the\s+(?:\d{{1,2}}(?:st|nd|rd|th)?(?:\s*(?:,|and|&|or|to|-|–)\s*
        (?:the\s+)?)?)+\s*(?:of\s+)?{_MONTH}(?![a-z]))(?:on\s+)?the\s+(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)
        (?:\s*(?:,|and|&|or|to|-|–)\s*(?:the\s+)?(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th))*
        (?=\s*(?:[,.;:!?)\-–—]|$)|\s+(?:and|or|to|until|till|from|at|with|as|when|if|but|in)\b))
  | (?P<trange>(?:(?:from|between)\s+)?(?P<t1>{_TIME})\s*(?:-|–|—|to|until|till|and)\s*
        (?P<t2>{_TIME}))
  | (?P<time>{_TIME})
  | (?P<hol>\b(?:christmas\s+eve|christmas\s+day|boxing\s+day|new\s+year'?s\s+eve
        |new\s+year'?s\s+day|good\s+friday|easter\s+sunday|easter\s+monday|easter\s+saturday
        |(?<=until\s)easter|(?<=till\s)easter
        |early\s+may\s+bank\s+holiday|may\s+day\s+bank\s+holiday|spring\s+bank\s+holiday
        |(?:august|summer)\s+bank\s+holiday(?:\s+monday)?)\b)
  | (?P<relnext>\b(?:the\s+(?:next|following)\s+(?:day|morning|evening)|the\s+day\s+after)\b
        (?!\s+tomorrow))
  | (?P<later>\b(?P<latern>a|one|two|three)\s+(?P<laterunit>weeks?|fortnight)\s+later\b)
  | (?P<rel>\b(?:the\s+day\s+after\s+tomorrow|today|tonight|tomorrow|yesterday|this\s+morning
        |this\s+afternoon|this\s+evening)\b)
  | (?P<wd>\b(?:(?P<wdmod>this\s+coming|this|next|last|coming|on)\s+)?(?P<wdname>{_WD_FULL})
        (?:'s)?(?P<wdweek>\s+(?:of\s+)?next\s+week|\s+(?:of\s+)?this\s+week|\s+last\s+week)?\b
        (?!,?\s+(?:the\s+)?(?:\d|{_MONTH}[\s\d])))
  | (?P<dur>\b(?P<durn>{_NUM}|a)(?:\s*|-)(?P<durunit>hours?|hrs?|days?|weeks?|fortnight)
        (?:-long)?\b|\b(?P<durweek>week-long|fortnight-long)\b)
        (?!'?\s+(?:earlier|later|before|after|ahead|early|late|sooner|longer|ago|notice|in\s+advance))
    """,
    re.IGNORECASE | re.VERBOSE,
)
_DAY_RE = re.compile(r"(?<![\d])([12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?(?![\d:%]|\.\d)", re.I)
_SEP_RANGE_RE = re.compile(r"^\s*(?:to|until|till|through|-|–|—)\s*$", re.I)
_TIME_PARTS_RE = re.compile(
    r"(?P<word>midday|noon|midnight)|(?P<h>\d{1,2})(?:[:.]?(?P<m>\d{2}))?\s*(?P<ampm>am|pm)?",
    re.I,
)
_FILLER_RE = re.compile(
    r"^(?:[\s,()\[\]]|on|at|the|of|from|bst|gmt|uk\s+time|local\s+time|hrs|-|–|—)*$", re.I
)
_UNTIL_STRONG_RE = re.compile(
    r"\b(?:until|till|til|ending|ends?|finish(?:es|ing)?|return(?:ing|s)?|through\s+to"
    r"|running\s+to|concluding|closing)\b",
    re.I,
)
_UNTIL_WEAK_RE = re.compile(
    r"^[\s,]*(?:\(?\s*)?(?:to|through|thru|-|–|—|and\s+ending|until)\s*(?:on\s+|at\s+|the\s+)*$",
    re.I,
)
_DUR_LINK_RE = re.compile(
    r"^(?:[\s,()]|on|at|the|from|starting|beginning|begins?|began|which|will|start|starts|of"
    r"|strike|strikes|walkout|walk-?out|stoppage|industrial|action|by|members|staff|is|are|due"
    r"|to|set|be|held|take|place|and|this|next|coming|weekend|over|that|started|has|have"
    r"|already"
    # adjectives between the duration and its noun: "a 72-hour full walkout"
    r"|full|all-?\s?out|national|nationwide|continuous|coordinated|complete|total|fresh"
    r"|further|new)*$",
    re.I,
)
_MAX_LINK_GAP = 70
# "from 7am on Thursday for 48 hours", "begins at 00:01 on Thursday and lasts 24 hours"
_DUR_AFTER_RE = re.compile(
    r"[\s,]*(?:and\s+)?(?:for|lasting|lasts|will\s+last|to\s+last|last)?\s*(?:for\s+)?"
    r"(?:a|an|the\s+next)?\s*",
    re.I,
)


@dataclass(frozen=True)
class Moment:
    """A day, with the clock time where the text gives one."""

    day: date
    time: time | None = None

    def as_datetime(self) -> datetime:
        return datetime.combine(self.day, self.time or time(0, 0), tzinfo=UK_TZ)


@dataclass(frozen=True)
class Period:
    """One stretch of time read from a sentence: a single day, or a start with an end."""

    start: Moment
    end: Moment | None
    span: tuple[int, int]
    continuous: bool = False
    # The end is worked out from "a 48-hour strike", so an end stated outright beats it.
    end_from_duration: bool = False

    @property
    def start_dt(self) -> datetime:
        return self.start.as_datetime()

    @property
    def end_dt(self) -> datetime | None:
        return self.end.as_datetime() if self.end else None


@dataclass
class _Token:
    kind: str  # "dates" | "time" | "trange" | "dur"
    start: int
    end: int
    days: list[date] = field(default_factory=list)
    is_range: bool = False  # "6-10 February": one stretch, not separate days
    times: tuple[time | None, time | None] = (None, None)
    midnight: tuple[bool, bool] = (False, False)
    hours: float = 0.0
    unit: str = ""
    count: int = 0


def uk_local(moment: datetime) -> datetime:
    """``moment`` in UK local time (it must be aware)."""
    return moment.astimezone(UK_TZ)


FUTURE_WEIGHT = 0.6


def nearest_year(
    month: int, day: int, anchor: date, weekday: int | None = None, past: bool = False
) -> date | None:
    """The occurrence of ``day month`` nearest to ``anchor`` (matching ``weekday`` when given).

    In a past-tense clause ("strikes took place on 15 December") only occurrences up to the anchor
    are sensible.
    """
    best: tuple[tuple[int, int, int], date] | None = None
    for year in (anchor.year - 1, anchor.year, anchor.year + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        mismatch = 1 if weekday is not None and candidate.weekday() != weekday else 0
        wrong_side = 1 if past and candidate >= anchor else 0
        delta = (candidate - anchor).days
        # Reports look forward: a future date counts as nearer than a past one as far away.
        key = (mismatch, wrong_side, round(delta * FUTURE_WEIGHT) if delta >= 0 else -delta + 1)
        if best is None or key < best[0]:
            best = (key, candidate)
    return best[1] if best else None


def _holiday_in(name: str, year: int) -> date | None:
    """UK (England and Wales) public holidays and the named days around them."""
    key = " ".join(name.lower().replace("'", "").split())
    fixed = {
        "christmas eve": (12, 24),
        "christmas day": (12, 25),
        "boxing day": (12, 26),
        "new years eve": (12, 31),
        "new years day": (1, 1),
    }
    if key in fixed:
        return date(year, *fixed[key])
    easter_day = easter(year)
    offsets = {
        "good friday": -2,
        "easter saturday": -1,
        "easter sunday": 0,
        "easter": 0,
        "easter monday": 1,
    }
    if key in offsets:
        return easter_day + timedelta(days=offsets[key])
    if key in ("early may bank holiday", "may day bank holiday"):
        first = date(year, 5, 1)
        return first + timedelta(days=(7 - first.weekday()) % 7)
    if key == "spring bank holiday":
        last = date(year, 5, 31)
        return last - timedelta(days=last.weekday())
    if key.startswith(("august bank holiday", "summer bank holiday")):
        last = date(year, 8, 31)
        return last - timedelta(days=last.weekday())
    return None


def nearest_holiday(name: str, anchor: date, past: bool = False) -> date | None:
    """The occurrence of a named holiday nearest to ``anchor`` (before it, in the past tense)."""
    best: tuple[tuple[int, int], date] | None = None
    for year in (anchor.year - 1, anchor.year, anchor.year + 1):
        candidate = _holiday_in(name, year)
        if candidate is None:
            continue
        delta = (candidate - anchor).days
        wrong_side = 1 if past and candidate >= anchor else 0
        key = (wrong_side, delta if delta >= 0 else -delta + 1)
        if best is None or key < best[0]:
            best = (key, candidate)
    return best[1] if best else None


def resolve_weekday(
    weekday: int, anchor: date, modifier: str = "", week: str = "", past: bool = False
) -> date:
    """Resolve "Wednesday", "next Wednesday", "last Wednesday", "Monday next week" from anchor."""
    modifier = " ".join(modifier.lower().split())
    week = week.strip().lower()
    ahead = (weekday - anchor.weekday()) % 7
    if week == "next week":
        monday = anchor + timedelta(days=7 - anchor.weekday())
        return monday + timedelta(days=weekday)
    if week == "this week":
        return anchor + timedelta(days=weekday - anchor.weekday())
    if week == "last week":
        monday = anchor - timedelta(days=anchor.weekday() + 7)
        return monday + timedelta(days=weekday)
    if modifier == "last":
        back = (anchor.weekday() - weekday) % 7 or 7
        return anchor - timedelta(days=back)
    if modifier == "next":
        return anchor + timedelta(days=ahead or 7)
    if modifier in ("this", "coming", "this coming"):
        return anchor + timedelta(days=ahead)
    if ahead == 0:
        return anchor
    if past:
        return anchor - timedelta(days=7 - ahead)
    return anchor + timedelta(days=ahead)


def parse_clock(text: str) -> tuple[time, bool] | None:
    """A clock time and whether it was "midnight" (whose meaning depends on start or end)."""
    m = _TIME_PARTS_RE.search(text.strip())
    if not m:
        return None
    word = (m.group("word") or "").lower()
    if word in ("midday", "noon"):
        return time(12, 0), False
    if word == "midnight":
        return time(0, 0), True
    hour = int(m.group("h"))
    minute = int(m.group("m") or 0)
    ampm = (m.group("ampm") or "").lower()
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute), False


_EXPLICIT_RE = re.compile(rf"\d\s*(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}|{_MONTH}\s+\d|\d/\d", re.I)


def names_month(text: str) -> bool:
    """The date is written with its month ("7 October", "October 7", "7/10")."""
    return bool(_EXPLICIT_RE.search(text))


def _month_of(text: str) -> int | None:
    m = re.search(_MONTH, text, re.I)
    if not m:
        return None
    return MONTHS.get(m.group(0).lower().rstrip("."))


def _weekday_before(text: str, pos: int) -> int | None:
    m = re.search(rf"({_WD}),?\s+(?:the\s+)?$", text[:pos], re.I)
    return WEEKDAYS[m.group(1).lower()] if m else None


def _date_list(
    match: re.Match[str], anchor: date, kind: str, past: bool = False
) -> tuple[list[date], bool] | None:
    text = match.group(0)
    month = _month_of(text)
    if month is None:
        return None
    year_m = re.search(r"((?:19|20)\d{2})\s*$", text)
    year = int(year_m.group(1)) if year_m else None
    body = text[: year_m.start()] if year_m else text
    if kind == "mdy":
        month_m = re.search(_MONTH, body, re.I)
        assert month_m is not None
        day_zone_start = month_m.end()
    else:
        day_zone_start = 0
    days: list[date] = []
    separators: list[str] = []
    last_end: int | None = None
    for dm in _DAY_RE.finditer(body, day_zone_start):
        if kind == "dmy" and re.match(r"\s*(?:19|20)\d{2}", body[dm.start() :]):
            continue
        day = int(dm.group(1))
        weekday = _weekday_before(body, dm.start())
        if year is not None:
            try:
                resolved: date | None = date(year, month, day)
            except ValueError:
                resolved = None
        else:
            resolved = nearest_year(month, day, anchor, weekday, past)
        if resolved is None:
            continue
        if last_end is not None:
            separators.append(body[last_end : dm.start()])
        last_end = dm.end()
        days.append(resolved)
    if not days:
        return None
    is_range = len(days) == 2 and bool(
        separators and _SEP_RANGE_RE.match(re.sub(rf"{_WD},?", "", separators[0], flags=re.I))
    )
    if len(days) == 2 and separators and re.fullmatch(r"\s*and\s*", separators[0], re.I):
        # "between 18 and 20 January": one stretch
        is_range = bool(re.search(r"\bbetween\s+$", match.string[: match.start()], re.I))
    return days, is_range


def tokenize(sentence: str, anchor: datetime, month_anchor: date | None = None) -> list[_Token]:
    """Temporal tokens of ``sentence`` in order; ``anchor`` is the publication time (aware).

    ``month_anchor`` is the last explicit date said before this sentence: a bare "the 14th"
    takes its month (else the month of the last explicit date in the sentence, else today's)."""
    local = uk_local(anchor)
    today = local.date()
    past_sentence = (
        bool(_PAST_RE.search(sentence))
        and not _FUTURE_RE.search(sentence)
        and not _ONGOING_RE.search(sentence)
    )
    tokens: list[_Token] = []
    for m in _TOKEN_RE.finditer(sentence):
        kind = m.lastgroup or ""
        if m.group("dmy") or m.group("mdy"):
            kind = "dmy" if m.group("dmy") else "mdy"
            month_text = re.search(_MONTH, m.group(0), re.I)
            if month_text and not month_text.group(0)[0].isupper():
                continue  # "may", "march": verbs, not months
            parsed = _date_list(m, today, kind, past_sentence or _past_before(sentence, m.start()))
            if parsed is None:
                continue
            tokens.append(_Token("dates", m.start(), m.end(), days=parsed[0], is_range=parsed[1]))
            month_anchor = parsed[0][-1]
        elif m.group("num"):
            num_day = _numeric_date(sentence, m, today)
            if num_day is not None:
                tokens.append(_Token("dates", m.start(), m.end(), days=[num_day]))
                month_anchor = num_day
        elif m.group("evuntil"):
            # "every Monday and Friday until Easter": the days come with the end, next token
            marker = _Token("every_until", m.start(), m.end())
            marker.days = [
                today + timedelta(days=(w - today.weekday()) % 7) for w in sorted(_weekdays_in(m))
            ]
            tokens.append(marker)
        elif m.group("every"):
            every = _every_weekday(m, today)
            if every:
                tokens.append(_Token("dates", m.start(), m.end(), days=every))
                month_anchor = every[0]
        elif m.group("ord"):
            past = past_sentence or _past_before(sentence, m.start())
            ordinals = _bare_ordinals(m.group("ord"), month_anchor or today, today, past)
            if ordinals:
                tokens.append(
                    _Token("dates", m.start(), m.end(), days=ordinals[0], is_range=ordinals[1])
                )
        elif m.group("trange"):
            a = parse_clock(m.group("t1"))
            b = parse_clock(m.group("t2"))
            if not a or not b:
                continue
            tokens.append(
                _Token("trange", m.start(), m.end(), times=(a[0], b[0]), midnight=(a[1], b[1]))
            )
        elif m.group("time"):
            a = parse_clock(m.group("time"))
            if a:
                tokens.append(
                    _Token("time", m.start(), m.end(), times=(a[0], None), midnight=(a[1], False))
                )
        elif m.group("hol"):
            past = past_sentence or _past_before(sentence, m.start())
            when = nearest_holiday(m.group("hol"), today, past)
            if when is not None:
                tokens.append(_Token("dates", m.start(), m.end(), days=[when]))
        elif m.group("relnext"):
            before = next((t for t in reversed(tokens) if t.kind == "dates"), None)
            if before is not None:
                nxt_day = before.days[-1] + timedelta(days=1)
                tokens.append(_Token("dates", m.start(), m.end(), days=[nxt_day]))
        elif m.group("later"):
            # "on Monday 2 March and again a week later": counted from the day said before
            before = next((t for t in reversed(tokens) if t.kind == "dates"), None)
            if before is not None:
                n = {"a": 1, "one": 1, "two": 2, "three": 3}[m.group("latern").lower()]
                weeks = n * (2 if m.group("laterunit").lower() == "fortnight" else 1)
                later_day = before.days[-1] + timedelta(weeks=weeks)
                tokens.append(_Token("dates", m.start(), m.end(), days=[later_day]))
        elif m.group("rel"):
            word = " ".join(m.group("rel").lower().split())
            offset = {"tomorrow": 1, "yesterday": -1, "the day after tomorrow": 2}.get(word, 0)
            rel_tok = _Token("dates", m.start(), m.end(), days=[today + timedelta(days=offset)])
            rel_tok.unit = "tonight" if word == "tonight" else ""
            tokens.append(rel_tok)
        elif m.group("wd"):
            wd = WEEKDAYS[m.group("wdname").lower()]
            modifier = m.group("wdmod") or ""
            if modifier.lower() == "on":
                modifier = ""
            past = past_sentence or _past_before(sentence, m.start(), weekday=True)
            week = re.sub(r"^of\s+", "", (m.group("wdweek") or "").strip().lower())
            day = resolve_weekday(wd, today, modifier, week, past)
            if week:
                _same_week(sentence, tokens, m.start(), today, week)
            wd_tok = _Token("dates", m.start(), m.end(), days=[day])
            wd_tok.unit = "weekday" if not modifier and not m.group("wdweek") else ""
            earlier = [t.days[-1] for t in tokens if t.kind == "dates" and t.unit == "weekday"]
            same = [d for d in earlier if d.weekday() == wd]
            if wd_tok.unit == "weekday" and not past and same:
                wd_tok.days = [same[0]]  # the same weekday named twice is the same day
            elif wd_tok.unit == "weekday" and not past and earlier and day < earlier[0]:
                # "out on Monday and Tuesday, ... on Thursday": named weekdays run forward.
                wd_tok.days = [day + timedelta(days=7)]
            tokens.append(wd_tok)
        elif m.group("dur"):
            if m.group("durweek"):
                raw, unit = "1", m.group("durweek").lower().split("-")[0]
            else:
                raw, unit = m.group("durn").lower(), m.group("durunit").lower()
            count = 1 if raw == "a" else int(raw) if raw.isdigit() else NUMBER_WORDS.get(raw, 0)
            if count <= 0:
                continue
            per_unit = {"h": 1, "d": 24, "w": 168, "f": 336}[unit[0]]
            hours = count * per_unit
            tokens.append(
                _Token(
                    "dur",
                    m.start(),
                    m.end(),
                    hours=hours,
                    unit=unit[0],
                    count=count,
                )
            )
    return _merge_parentheticals(sentence, _expand_every_until(tokens, today))


def _expand_every_until(tokens: list[_Token], today: date) -> list[_Token]:
    """ "every Monday until 27 April": each of those weekdays from tomorrow to the end day (a
    report of one under way today says "from today")."""
    out: list[_Token] = []
    skip = False
    for n, tok in enumerate(tokens):
        if skip:
            skip = False
            continue
        if tok.kind != "every_until":
            out.append(tok)
            continue
        nxt = tokens[n + 1] if n + 1 < len(tokens) else None
        if nxt is None or nxt.kind != "dates" or nxt.start - tok.end > 4:
            continue
        weekdays = {d.weekday() for d in tok.days}
        last = nxt.days[-1]
        days = [
            today + timedelta(days=k)
            for k in range(1, (last - today).days + 1)
            if (today + timedelta(days=k)).weekday() in weekdays
        ][:MAX_EVERY_DAYS]
        if days:
            out.append(_Token("dates", tok.start, nxt.end, days=days))
        skip = True
    return out


MAX_EVERY_DAYS = 31


def _weekdays_in(m: re.Match[str]) -> set[int]:
    text = m.group("evwd")
    found = {WEEKDAYS[w.lower()] for w in re.findall(_WD_FULL, text, re.I)}
    if re.search(r"weekend", text, re.I):
        found |= {5, 6}
    return found


_PAST_RE = re.compile(
    r"\b(?:took\s+place|walked\s+out|went\s+on\s+strike|began|started|ended|finished|staged"
    r"|downed\s+tools|stopped\s+work"
    r"|struck|happened|ran|were\s+held|was\s+held|previous|earlier|ago"
    r"|last\s+(?:week|month|year|time|summer|winter|spring|autumn|weekend))\b",
    re.I,
)
# Verbs of announcing: "said on Friday" is a past Friday, but "has suspended its strike on
# Monday" names the strike's (future) day.
_ANNOUNCE_PAST_RE = re.compile(
    r"\b(?:paused|suspended|called\s+off|announced|said|confirmed|agreed|met|voted|rejected"
    r"|closed|opened"
    r"|accepted|decided|revealed|told|wrote|warned)\b",
    re.I,
)
_STRIKE_NOUN_RE = re.compile(r"\b(?:strikes?|walkouts?|action|stoppages?)\b", re.I)
_FUTURE_RE = re.compile(
    r"\b(?:will|would|shall|to\s+be|due|set\s+to|planned|planning|plans|scheduled|going\s+to"
    r"|next|tomorrow|upcoming|coming|further|more|new|again|ahead)\b",
    re.I,
)


_ONGOING_RE = re.compile(
    r"\b(?:runs?|running|until|till|ends|lasts|continues|today|tonight|this\s+week|now|is|are)\b",
    re.I,
)


def _past_before(sentence: str, pos: int, weekday: bool = False) -> bool:
    """A past-tense verb governs the date at ``pos`` ("began at 7am on Tuesday")."""
    window = sentence[max(0, pos - 50) : pos]
    last_past = None
    for m in _PAST_RE.finditer(window):
        last_past = m
    if last_past is not None and not _FUTURE_RE.search(window[last_past.end() :]):
        return True
    if not weekday:
        return False
    for m in _ANNOUNCE_PAST_RE.finditer(window):
        last_past = m
    if last_past is None:
        return False
    between = window[last_past.end() :]
    already = re.search(r"\b(?:had|already)\s+$", window[: last_past.start()], re.I)
    if _STRIKE_NOUN_RE.search(between) and not already:
        return False
    return not _FUTURE_RE.search(between)


def _merge_parentheticals(sentence: str, tokens: list[_Token]) -> list[_Token]:
    """ "today (Thursday)" and "Thursday (19 January)" name one day twice: keep the surer one."""
    out: list[_Token] = []
    for tok in tokens:
        if out and tok.kind == "dates" and out[-1].kind == "dates":
            prev = out[-1]
            gap = sentence[prev.end : tok.start]
            if re.fullmatch(r"\s*[(,]?\s*", gap) and len(tok.days) == 1 and len(prev.days) == 1:
                close = re.match(r"\s*\)", sentence[tok.end :])
                in_paren = "(" in gap
                explicit_tok = bool(re.search(r"\d", sentence[tok.start : tok.end]))
                same_weekday = (
                    tok.unit == "weekday" and prev.days[0].weekday() == tok.days[0].weekday()
                )
                if prev.days[0] == tok.days[0] or (in_paren and (explicit_tok or same_weekday)):
                    keep = tok if explicit_tok and not same_weekday else prev
                    out[-1] = _Token(
                        "dates",
                        prev.start,
                        tok.end + (close.end() if close and in_paren else 0),
                        days=list(keep.days),
                    )
                    continue
        out.append(tok)
    return out


# A bare "3/3" is a day-first date only where a date is expected: not "24/7", "2/3 of members".
_NUM_BEFORE_RE = re.compile(
    rf"(?:^|[(\[•*·–—&,-]\s*|\b(?:on|from|until|till|to|and|between|dates?|{_WD}),?\s+)$", re.I
)
_NUM_AFTER_RE = re.compile(r"^\s*(?:of\b|majority|%|split|vote)", re.I)


_WEEKDAY_LINK_RE = re.compile(r"\s*(?:,|and|&|or|to|until|till|through|-|–)\s*(?:on\s+)?", re.I)


def _same_week(sentence: str, tokens: list[_Token], pos: int, today: date, week: str) -> None:
    """ "from Monday to Wednesday next week": the weekdays listed before share the week."""
    for tok in reversed(tokens):
        if tok.kind != "dates" or tok.unit != "weekday":
            return
        if not _WEEKDAY_LINK_RE.fullmatch(sentence[tok.end : pos]):
            return
        tok.days = [resolve_weekday(tok.days[0].weekday(), today, "", week)]
        pos = tok.start


def _numeric_date(sentence: str, m: re.Match[str], today: date) -> date | None:
    """UK day-first numeric dates: "3/3/26", "03/03/2026", and a bare "3/3" in a date's place."""
    parts = [int(x) for x in re.split(r"[/.]", m.group("num"))]
    if len(parts) == 3:
        d, mo, y = parts
        try:
            return date(y + 2000 if y < 100 else y, mo, d)
        except ValueError:
            return None
    d, mo = parts
    if (d, mo) == (24, 7) or _NUM_AFTER_RE.match(sentence[m.end() :]):
        return None
    if not _NUM_BEFORE_RE.search(sentence[max(0, m.start() - 20) : m.start()]):
        return None
    return nearest_year(mo, d, today)


def _every_weekday(m: re.Match[str], today: date) -> list[date]:
    """ "every Wednesday in April": each such day of that month still to come."""
    month = MONTHS[m.group("evmonth").lower().rstrip(".")]
    year_m = re.search(r"((?:19|20)\d{2})\s*$", m.group(0))
    if year_m:
        year = int(year_m.group(1))
    else:
        year = today.year if month >= today.month else today.year + 1
    weekdays = _weekdays_in(m)
    out: list[date] = []
    while not out and year <= today.year + 1:
        day = date(year, month, 1)
        while day.month == month:
            if day.weekday() in weekdays and day >= today:
                out.append(day)
            day += timedelta(days=1)
        if year_m:
            break
        year += 1  # none left this month: next year's
    return out


def _bare_ordinals(
    text: str, anchor: date, today: date, past: bool = False
) -> tuple[list[date], bool] | None:
    """ "the 14th and 15th": days in the month of the date said last (``anchor``); a day of
    that month already gone by publication is next month's, unless the clause is in the past
    tense ("walked out on the 5th")."""
    found = list(re.finditer(r"(\d{1,2})(?:st|nd|rd|th)", text))
    days: list[date] = []
    for dm in found:
        try:
            day = date(anchor.year, anchor.month, int(dm.group(1)))
            if day < today and not past:
                after = date(anchor.year + anchor.month // 12, anchor.month % 12 + 1, 1)
                day = after.replace(day=day.day)
        except ValueError:
            return None
        days.append(day)
    if not days:
        return None
    is_range = len(days) == 2 and bool(
        _SEP_RANGE_RE.match(re.sub(r"\bthe\b", "", text[found[0].end() : found[1].start()]))
    )
    return days, is_range


_TIME_PAIR_GAP_RE = re.compile(
    r"[\s,]*(?:and\s+)?(?:will\s+|to\s+)?(?:end|ends|ending|finish|finishes|finishing|run\s+until"
    r"|runs\s+until|last\s+until|lasts\s+until)\s+(?:at\s+)?",
    re.I,
)


def _gap(sentence: str, a: _Token, b: _Token) -> str:
    return sentence[a.end : b.start]


_APPOSITIVE_GAP_RE = re.compile(r",?\s*or\s+[^,;.]{0,40},\s*(?:on\s+)?", re.I)
_TRANGE_GAP_RE = re.compile(r"[^.;]{0,45}", re.I)


def _attach_time(sentence: str, tokens: list[_Token], i: int) -> tuple[_Token | None, int]:
    """The time (or time range) written right before or after the dates at ``i``."""
    tok = tokens[i]
    if i + 1 < len(tokens):
        nxt = tokens[i + 1]
        gap = _gap(sentence, tok, nxt)
        if nxt.kind in ("time", "trange") and _FILLER_RE.match(gap):
            return nxt, i + 1
        # "on Monday 6 March, walking out from midday to midnight"
        if nxt.kind == "trange" and _TRANGE_GAP_RE.fullmatch(gap):
            return nxt, i + 1
    if i > 0:
        prv = tokens[i - 1]
        gap = re.sub(r"\btoday\b", "", _gap(sentence, prv, tok), flags=re.I)
        if prv.kind in ("time", "trange") and (
            _FILLER_RE.match(gap) or _APPOSITIVE_GAP_RE.fullmatch(gap)
        ):
            return prv, i - 1
    return None, -1


def _moment(day: date, clock: time | None, midnight: bool, as_end: bool) -> Moment:
    if clock is None:
        return Moment(day)
    if midnight:
        return Moment(day, time(23, 59)) if as_end else Moment(day, time(0, 0))
    return Moment(day, clock)


def _end_after(start: Moment, clock: time, midnight: bool) -> Moment:
    """An end given only as a clock time: the same day, or the next if the clock is earlier."""
    if midnight:
        return Moment(start.day, time(23, 59))
    if start.time is not None and clock <= start.time:
        return Moment(start.day + timedelta(days=1), clock)
    return Moment(start.day, clock)


def _apply_duration(start: Moment, dur: _Token) -> Moment:
    """The end of "48 hours from 7am": on the wall clock, as unions mean it (7am to 7am even
    across a clock change); a whole-day start ends on its last day."""
    if start.time is not None:
        naive = datetime.combine(start.day, start.time) + timedelta(hours=dur.hours)
        return Moment(naive.date(), naive.time())
    days = max(1, round(dur.hours / 24))
    return Moment(start.day + timedelta(days=days - 1))


def _find_duration(sentence: str, tokens: list[_Token], lo: int, hi: int) -> _Token | None:
    """A duration right before the start ("a 48-hour strike from") or after it ("for 48 hours")."""
    for j in range(lo - 1, max(-1, lo - 4), -1):
        tok = tokens[j]
        if tok.kind == "dur":
            gap = sentence[tok.end : tokens[lo].start]
            if len(gap) <= 60 and _DUR_LINK_RE.match(gap.replace("'", " ")):
                return tok
            break
        if tok.kind == "dates":
            break
    for j in range(hi + 1, min(len(tokens), hi + 3)):
        tok = tokens[j]
        if tok.kind == "dur":
            gap = sentence[tokens[hi].end : tok.start]
            if len(gap) <= 30 and _DUR_AFTER_RE.fullmatch(gap):
                return tok
            break
        if tok.kind == "dates":
            break
    return None


@dataclass(frozen=True)
class ClockRange:
    """A time range with no day of its own ("the action runs from 00:01 until 23:59")."""

    start: time
    end: time
    end_is_midnight: bool = False


def extract_periods(sentence: str, anchor: datetime) -> list[Period]:
    """Every period the sentence names, in order of appearance."""
    return extract(sentence, anchor)[0]


def extract(
    sentence: str, anchor: datetime, month_anchor: date | None = None
) -> tuple[list[Period], list[ClockRange]]:
    """Periods, plus the time ranges left without a day (they belong to a day said earlier)."""
    tokens = tokenize(sentence, anchor, month_anchor)
    periods: list[Period] = []
    used: set[int] = set()
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.kind != "dates" or i in used:
            i += 1
            continue
        clock_tok, clock_at = _attach_time(sentence, tokens, i)
        lo = min(i, clock_at) if clock_at >= 0 else i
        hi = max(i, clock_at) if clock_at >= 0 else i
        start_clock: time | None = None
        start_mid = False
        end_clock: time | None = None
        end_mid = False
        if clock_tok is not None:
            start_clock, end_clock = clock_tok.times
            start_mid, end_mid = clock_tok.midnight
            used.add(clock_at)
            if start_mid and tok.unit == "tonight":
                # "from midnight tonight": the first minute of tomorrow
                tok = _Token("dates", tok.start, tok.end, days=[tok.days[0] + timedelta(days=1)])
            first = tokens[clock_at - 1] if clock_at == i - 1 and clock_at > 0 else None
            if (
                first is not None
                and first.kind == "time"
                and clock_tok.kind == "time"
                and clock_at - 1 not in used
                and _TIME_PAIR_GAP_RE.fullmatch(_gap(sentence, first, clock_tok))
            ):
                # "will begin at 6am and end at 6pm on Friday": both clocks belong to the day
                start_clock, start_mid = first.times[0], first.midnight[0]
                end_clock, end_mid = clock_tok.times[0], clock_tok.midnight[0]
                used.add(clock_at - 1)
                lo = clock_at - 1
                if end_clock is not None and start_clock is not None and end_clock <= start_clock:
                    # "starts at 10pm and finishes at 6am on Saturday": the day is the end's
                    tok = _Token(
                        "dates", tok.start, tok.end, days=[d - timedelta(days=1) for d in tok.days]
                    )
        span_start = tokens[lo].start
        # Range with a second dated moment: "from X until Y", "between X and Y", "X to Y".
        linked = _link_end(sentence, tokens, hi, used)
        if linked is not None and len(tok.days) == 1:
            end_tok, end_idx, end_last = linked
            start = _moment(tok.days[0], start_clock, start_mid, as_end=False)
            if end_tok.kind == "dates" and end_tok.unit == "clock":
                used.add(end_idx - 1)
                end = _moment(end_tok.days[0], end_tok.times[0], end_tok.midnight[0], as_end=True)
            elif end_tok.kind == "dates":
                e_clock_tok, e_at = _attach_time(sentence, tokens, end_idx)
                if e_at == hi:  # the time we already used belongs to the start
                    e_clock_tok = None
                    nxt = end_idx + 1
                    if (
                        nxt < len(tokens)
                        and tokens[nxt].kind == "time"
                        and _FILLER_RE.match(_gap(sentence, tokens[end_idx], tokens[nxt]))
                    ):
                        e_clock_tok, e_at = tokens[nxt], nxt
                e_clock = e_clock_tok.times[0] if e_clock_tok else None
                e_mid = e_clock_tok.midnight[0] if e_clock_tok else False
                if e_clock_tok is not None and e_clock_tok.kind == "trange":
                    e_clock, e_mid = e_clock_tok.times[1], e_clock_tok.midnight[1]
                if e_at >= 0:
                    used.add(e_at)
                    end_last = max(end_last, e_at)
                end = _moment(end_tok.days[-1], e_clock, e_mid, as_end=True)
            else:
                end = _end_after(start, end_tok.times[0] or time(0), end_tok.midnight[0])
            if end.as_datetime() >= start.as_datetime():
                periods.append(Period(start, end, (span_start, tokens[end_last].end), True))
                used.update(range(i, end_last + 1))
                i = end_last + 1
                continue
        dur = _find_duration(sentence, tokens, lo, hi)
        if tok.is_range and tok.days[-1] >= tok.days[0]:
            start = _moment(tok.days[0], start_clock, start_mid, as_end=False)
            end = _moment(tok.days[-1], end_clock, end_mid, as_end=True)
            periods.append(Period(start, end, (span_start, tok.end), True))
        elif dur is not None and len(tok.days) >= 1 and _list_is_one_stretch(tok.days, dur):
            start = _moment(tok.days[0], start_clock, start_mid, as_end=False)
            end = (
                _apply_duration(start, dur)
                if len(tok.days) == 1 or start.time is not None
                else Moment(tok.days[-1])
            )
            periods.append(Period(start, end, (span_start, tok.end), True, end_from_duration=True))
        else:
            for day in tok.days:
                start = _moment(day, start_clock, start_mid, as_end=False)
                end: Moment | None = None  # type: ignore[no-redef]
                if end_clock is not None:
                    end = _end_after(start, end_clock, end_mid)
                elif dur is not None and start.time is not None:
                    end = _apply_duration(start, dur)  # "12 hours from 8am on 18 and 19 January"
                periods.append(Period(start, end, (span_start, max(tok.end, tokens[hi].end))))
        used.update(range(lo, hi + 1))
        i = hi + 1
    loose = [
        ClockRange(t.times[0], t.times[1], t.midnight[1])
        for n, t in enumerate(tokens)
        if t.kind == "trange"
        and n not in used
        and t.times[0] is not None
        and t.times[1] is not None
    ]
    return periods, loose


def _list_is_one_stretch(days: list[date], dur: _Token) -> bool:
    if len(days) == 1:
        return True
    consecutive = all((b - a).days == 1 for a, b in pairwise(days))
    span_days = (days[-1] - days[0]).days + 1
    return consecutive and abs(dur.hours / 24 - span_days) < 1


def _link_end(
    sentence: str, tokens: list[_Token], hi: int, used: set[int]
) -> tuple[_Token, int, int] | None:
    """The end moment joined to the start at ``hi`` by "until", "to", "and ending at"..."""
    j = hi + 1
    while j < len(tokens) and tokens[j].kind == "dur":
        j += 1
    if j >= len(tokens):
        return None
    nxt = tokens[j]
    gap = sentence[tokens[hi].end : nxt.start]
    if len(gap) > _MAX_LINK_GAP or re.search(r"[.;]", gap):
        return None
    if (
        nxt.kind == "dates"
        and len(nxt.days) == 1
        and (_is_until(gap) or _between_before(sentence, tokens, hi, gap))
    ):
        return nxt, j, j
    if (
        nxt.kind == "time"
        and j not in used
        and (_is_until(gap) or _between_before(sentence, tokens, hi, gap))
    ):
        # "until 7am on Tuesday": the clock comes first, then the day.
        if j + 1 < len(tokens) and tokens[j + 1].kind == "dates":
            day_tok = tokens[j + 1]
            if _FILLER_RE.match(sentence[nxt.end : day_tok.start]) and len(day_tok.days) == 1:
                return _with_clock(day_tok, nxt), j + 1, j + 1
        return nxt, j, j
    return None


def _is_until(gap: str) -> bool:
    return bool(_UNTIL_STRONG_RE.search(gap) or _UNTIL_WEAK_RE.match(gap))


def _with_clock(day_tok: _Token, clock_tok: _Token) -> _Token:
    """A dates token carrying its own clock (the end in "until 7am on Tuesday")."""
    tok = _Token("dates", day_tok.start, day_tok.end, days=list(day_tok.days))
    tok.times = clock_tok.times
    tok.midnight = clock_tok.midnight
    tok.unit = "clock"
    return tok


def _between_before(sentence: str, tokens: list[_Token], hi: int, gap: str) -> bool:
    first = tokens[hi]
    before = sentence[max(0, first.start - 30) : first.start]
    return bool(re.search(r"\bbetween\b[^.]*$", before, re.I)) and bool(
        re.fullmatch(r"[\s,]*and[\s,]*(?:on\s+)?", gap, re.I)
    )


_ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
}
_NTH_DAY_RE = re.compile(
    rf"\b(?P<nth>first|second|third|fourth|fifth|sixth|seventh|final|last)\s+day\s+of\s+"
    rf"(?:a|an|the|their|its|this)\s+(?P<n>{_NUM})[\s-](?P<unit>hours?|days?)\b",
    re.I,
)


def nth_day_period(sentence: str, anchor: datetime) -> Period | None:
    """ "On the second day of a 48-hour strike": the stoppage began the day before publication.

    Whole days only: the text gives no clock time for the start."""
    m = _NTH_DAY_RE.search(sentence)
    if m is None:
        return None
    raw = m.group("n").lower()
    count = int(raw) if raw.isdigit() else NUMBER_WORDS.get(raw, 0)
    days = count if m.group("unit").lower().startswith("d") else round(count / 24)
    if days < 1:
        return None
    nth = m.group("nth").lower()
    k = days if nth in ("final", "last") else _ORDINALS[nth]
    if k > days:
        return None
    today = uk_local(anchor).date()
    first = today - timedelta(days=k - 1)
    return Period(Moment(first), Moment(first + timedelta(days=days - 1)), m.span(), True)
