"""What a report says happens to a walkout: announced, going ahead, moved, put off, called off."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from feeds.detection import lexicon as lx
from feeds.detection.clauses import clause_bounds
from feeds.detection.dates import Period
from feeds.detection.types import OFF_STATUSES


def cue(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
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


def off_status(text: str) -> str | None:
    if cue(lx.CANCEL_RE, text):
        return "cancelled"
    if cue(lx.POSTPONE_RE, text):
        return "postponed"
    if cue(lx.SUSPEND_RE, text):
        return "suspended"
    return None


def status_for(
    text: str,
    period: Period,
    published: datetime,
    inherited: str | None,
    article_off: str | None,
) -> tuple[str, bool]:
    """The status of ``period`` in sentence ``text`` and whether the text says so explicitly
    (rather than inheriting it from the sentence before or defaulting to "announced")."""
    c_start, c_end = clause_bounds(text, period.span[0])
    clause = text[c_start:c_end]
    before_date = text[max(c_start, period.span[0] - 40) : period.span[0]]
    plans = list(lx.PAST_PLAN_RE.finditer(text, c_start, period.span[0])) if article_off else []
    if article_off and plans and not _NEW_PLAN_RE.search(text, plans[-1].end(), period.span[0]):
        # "had been due to walk out on Wednesday" in a piece about calling it off (but not the
        # new date in "originally planned for 3 March, will now take place on 10 March").
        return article_off, True
    if lx.RESCHEDULE_RE.search(before_date) or re.search(
        r"\b(?:moved|rescheduled|switched|rearranged|put\s+back|pushed\s+back|brought\s+forward"
        r"|postponed|delayed)\s+(?:to|for|until|till)\s+(?:\w+\s+){0,2}$",
        before_date,
        re.I,
    ):
        return "rescheduled", True
    off = off_status(clause)
    if off:
        return off, True
    whole_sentence = c_start == 0 and c_end == len(text)
    if not whole_sentence and not re.search(
        r"\b(?:will|still|go\s+ahead|going\s+ahead)\b", clause, re.I
    ):
        off = off_status(text)
        if off and not cue(lx.GOING_AHEAD_RE, clause):
            return off, True
    if lx.RESCHEDULE_RE.search(clause) and not re.search(r"\bnew\s+dates?\b", clause, re.I):
        return "rescheduled", True
    if (
        inherited in OFF_STATUSES
        and not cue(lx.GOING_AHEAD_RE, clause)
        and not _STILL_ON_RE.search(clause)
    ):
        return inherited, False
    start = period.start_dt
    end = period.end_dt or (start + timedelta(days=1) if period.start.time is None else start)
    if period.end is not None and period.end.time is None:
        end = end + timedelta(days=1)  # a whole-day end lasts until that day is over
    if start <= published <= end or period.start.day == published.date():
        return "going_ahead", True
    if cue(lx.GOING_AHEAD_RE, clause) and not re.search(r"\bannounc", clause, re.I):
        return "going_ahead", True
    return "announced", False


_NEW_PLAN_RE = re.compile(r"\b(?:will|now|instead|new|moved|rescheduled)\b", re.I)


# "... will strike on Tuesday": a clause that says the walkout happens does not inherit a
# call-off from the sentence before.
_STILL_ON_RE = re.compile(
    r"\b(?:will|are|is|set\s+to|due\s+to)\s+(?:\w+\s+){0,2}?(?:strike|walk\s+out|stage|take"
    r"|hold|go)\b",
    re.I,
)


def is_past(period: Period, published: datetime, before: str = "") -> bool:
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
