"""Inbound text messages: what a resident asked for, and the words we send back.

Pure functions only (no database, no clock): :func:`parse_sms` turns a message body into a
:class:`Command`; the ``reply_*`` functions build replies. Replies use only GSM-7 characters and
fit one 160-character segment wherever the content allows, because every segment is billed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from config.topics import DEFAULT_TOPICS, HEALTH_TOPICS, TOPICS

SEGMENT = 160


class Kind(StrEnum):
    JOIN = "join"
    YES = "yes"
    STOP = "stop"
    START = "start"
    HELP = "help"
    NEXT = "next"
    CHANGE = "change"
    TOPICS = "topics"
    REMIND = "remind"
    FORGET = "forget"
    UNKNOWN = "unknown"


STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})
START_WORDS = frozenset({"START", "UNSTOP"})
HELP_WORDS = frozenset({"HELP", "INFO"})
YES_WORDS = frozenset({"YES", "Y"})

_FULL_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?\s*[0-9][A-Z]{2}$")
_OUTWARD = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")
_TRIM = re.compile(r"^[\s\"'.,!?;:()\-]+|[\s\"'.,!?;:()\-]+$")

# Words people use for each topic; the keys of config.topics.TOPICS also work.
TOPIC_ALIASES: dict[str, tuple[str, ...]] = {
    "AMBULANCE": ("ambulance",),
    "AMBULANCES": ("ambulance",),
    "PARAMEDICS": ("ambulance",),
    "NURSING": ("nursing",),
    "NURSES": ("nursing",),
    "NURSE": ("nursing",),
    "MIDWIVES": ("nursing",),
    "MIDWIFERY": ("nursing",),
    "DOCTORS": ("doctors",),
    "DOCTOR": ("doctors",),
    "GP": ("doctors",),
    "GPS": ("doctors",),
    "OTHER": ("other_nhs",),
    "OTHER_NHS": ("other_nhs",),
    "NHS": HEALTH_TOPICS,
    "HEALTH": HEALTH_TOPICS,
    "TRANSPORT": ("transport",),
    "TRAINS": ("transport",),
    "RAIL": ("transport",),
    "BUSES": ("transport",),
    "TUBE": ("transport",),
    "EDUCATION": ("education",),
    "SCHOOLS": ("education",),
    "SCHOOL": ("education",),
    "UNIVERSITIES": ("education",),
    "TEACHERS": ("education",),
    "COUNCILS": ("councils",),
    "COUNCIL": ("councils",),
    "ALL": tuple(TOPICS),
}

# Short SMS names, in TOPICS order.
TOPIC_WORDS: dict[str, str] = {
    "ambulance": "AMBULANCE",
    "nursing": "NURSES",
    "doctors": "DOCTORS",
    "other_nhs": "OTHER",
    "transport": "TRANSPORT",
    "education": "SCHOOLS",
    "councils": "COUNCILS",
}


@dataclass(frozen=True)
class Command:
    """One parsed message. ``error`` is set when the keyword was right but its argument was not."""

    kind: Kind
    postcode: str | None = None
    topics: tuple[str, ...] | None = None
    remind_at: str | None = None
    error: str | None = None


def looks_like_postcode(text: str) -> bool:
    """A full postcode (``SW1A 1AA``) or an outward code (``SW1A``), any case and spacing."""
    compact = " ".join(text.upper().split())
    return bool(_FULL_POSTCODE.match(compact) or _OUTWARD.match(compact))


def parse_sms(body: str) -> Command:
    """Read a message the way a patient person would: any case, stray spaces and dots forgiven."""
    text = _TRIM.sub("", " ".join((body or "").split()))
    if not text:
        return Command(Kind.UNKNOWN)
    upper = text.upper()
    word, _, rest = upper.partition(" ")
    rest = rest.strip()
    if word in STOP_WORDS or upper == "STOP ALL":
        return Command(Kind.STOP)
    if word in START_WORDS and not rest:
        return Command(Kind.START)
    if word in HELP_WORDS and not rest:
        return Command(Kind.HELP)
    if word in YES_WORDS and not rest:
        return Command(Kind.YES)
    if word == "NEXT" and not rest:
        return Command(Kind.NEXT)
    if word == "FORGET" and (not rest or rest in ("ME", "MY DATA")):
        return Command(Kind.FORGET)
    if word in ("JOIN", "CHANGE", "SUBSCRIBE"):
        kind = Kind.CHANGE if word == "CHANGE" else Kind.JOIN
        if not rest:
            return Command(kind, error=f"Send {word} and your postcode, e.g. {word} SW1A 1AA")
        return Command(kind, postcode=rest)
    if word in ("TOPICS", "TOPIC"):
        return _parse_topics(rest)
    if word in ("REMIND", "REMINDER"):
        at = parse_time(rest)
        if at is None:
            return Command(
                Kind.REMIND,
                error="Send REMIND and a time for reminders the day before, e.g. REMIND 7PM "
                "or REMIND 18:30",
            )
        return Command(Kind.REMIND, remind_at=at)
    if looks_like_postcode(text):
        return Command(Kind.JOIN, postcode=upper)
    return Command(Kind.UNKNOWN)


def _parse_topics(rest: str) -> Command:
    if not rest:
        return Command(Kind.TOPICS)
    chosen: dict[str, None] = {}
    unknown: list[str] = []
    for token in re.split(r"[\s,+&/]+", rest):
        if not token or token == "AND":
            continue
        key = token.lower()
        if key in TOPICS:
            chosen.setdefault(key, None)
        elif token in TOPIC_ALIASES:
            for topic in TOPIC_ALIASES[token]:
                chosen.setdefault(topic, None)
        else:
            unknown.append(token)
    if unknown or not chosen:
        return Command(
            Kind.TOPICS,
            error=f"Unknown topic {' '.join(unknown[:2]) or rest!s}. Choose from: "
            + " ".join(TOPIC_WORDS.values())
            + ", or ALL",
        )
    ordered = tuple(t for t in TOPICS if t in chosen)
    return Command(Kind.TOPICS, topics=ordered)


_TIME = re.compile(r"^(\d{1,2})(?:[:.]?(\d{2}))?\s*(AM|PM)?$")


def parse_time(text: str) -> str | None:
    """``7PM``, ``7.30pm``, ``19:00``, ``1900``, ``19`` -> ``HH:MM``; None if not a time."""
    compact = text.strip().upper().replace(" ", "")
    if compact in ("NOON", "MIDDAY"):
        return "12:00"
    m = _TIME.match(compact)
    if not m:
        return None
    hour, minute, half = int(m.group(1)), int(m.group(2) or 0), m.group(3)
    if minute > 59:
        return None
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "PM" else 0)
    elif hour > 23:
        return None
    return f"{hour:02d}:{minute:02d}"


def say_time(hhmm: str) -> str:
    """``19:00`` -> ``7pm``, ``18:30`` -> ``6:30pm``: how people write times in a text."""
    hour, minute = (int(p) for p in hhmm.split(":"))
    suffix = "am" if hour < 12 else "pm"
    h12 = hour % 12 or 12
    return f"{h12}{suffix}" if minute == 0 else f"{h12}:{minute:02d}{suffix}"


def topic_words(topics: tuple[str, ...] | list[str]) -> str:
    if set(topics) == set(TOPICS):
        return "ALL"
    return " ".join(TOPIC_WORDS[t] for t in TOPICS if t in topics)


def _fit(*candidates: str) -> str:
    """The first candidate that fits one segment, else the shortest."""
    for text in candidates:
        if len(text) <= SEGMENT:
            return text
    return min(candidates, key=len)


def _postcodes(postcodes: list[str] | tuple[str, ...]) -> str:
    items = list(postcodes)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# Replies -----------------------------------------------------------------------------------


def reply_confirm(postcode: str, place: str | None) -> str:
    where = f"{postcode} ({place})" if place else postcode
    return _fit(
        f"Strike alerts: reply YES to get free alerts for {where} by text, plus a reminder the "
        "day before. Text STOP to end at any time.",
        f"Strike alerts: reply YES to get free alerts for {postcode} by text. Text STOP to end "
        "at any time.",
    )


def reply_activated(postcodes: list[str], reminder: str) -> str:
    return _fit(
        f"You're signed up for strike alerts for {_postcodes(postcodes)}, with a reminder at "
        f"{say_time(reminder)} the day before. Text NEXT for coming strikes, HELP for options.",
        f"You're signed up for strike alerts for {_postcodes(postcodes)}. Text HELP for options, "
        "STOP to end.",
    )


def reply_already_active(postcodes: list[str]) -> str:
    return _fit(
        f"You already get strike alerts for {_postcodes(postcodes)}. Text NEXT for coming "
        "strikes, HELP for options, STOP to end."
    )


def reply_nothing_to_confirm() -> str:
    return "To sign up, text your postcode first, e.g. SW1A 1AA, then reply YES."


def reply_stopped() -> str:
    return "You won't get any more strike alerts. Text START to turn them back on."


def reply_stopped_cannot_join() -> str:
    return "You stopped strike alerts. Text START to turn them back on, then CHANGE and a postcode."


def reply_resumed(postcodes: list[str]) -> str:
    return _fit(
        f"Strike alerts are back on for {_postcodes(postcodes)}. Text STOP to end, HELP for "
        "options.",
        "Strike alerts are back on. Text STOP to end, HELP for options.",
    )


def reply_resume_needs_yes(postcodes: list[str]) -> str:
    return reply_confirm(postcodes[0], None) if postcodes else reply_not_subscribed()


def reply_not_subscribed() -> str:
    return "You're not signed up. Text your postcode (e.g. SW1A 1AA) to get free strike alerts."


def reply_help() -> str:
    return (
        "Strike alerts: text your postcode to join, NEXT for coming strikes, TOPICS, REMIND 7PM, "
        "CHANGE <postcode>, STOP to end, FORGET to delete your data."
    )


def reply_unknown() -> str:
    return (
        "Sorry, we didn't understand. Text your postcode for strike alerts, HELP for options or "
        "STOP to end."
    )


def reply_postcode_problem(message: str) -> str:
    first = message.split(". ")[0].rstrip(".") + "."
    return _fit(message, f"{first} Send a postcode such as LS1 4DY.", first)


def reply_changed(postcodes: list[str]) -> str:
    return f"Done: you now get strike alerts for {_postcodes(postcodes)}."


def reply_added(postcodes: list[str]) -> str:
    return _fit(
        f"Added. You now get strike alerts for {_postcodes(postcodes)}. To replace them all, "
        "text CHANGE and a postcode.",
        f"Added. You now get strike alerts for {_postcodes(postcodes)}.",
    )


def reply_too_many_postcodes(limit: int) -> str:
    return f"You can have up to {limit} postcodes. Text CHANGE and a postcode to replace them."


def reply_topics(topics: list[str] | tuple[str, ...]) -> str:
    return _fit(
        f"Your topics: {topic_words(topics)}. To change, text TOPICS and any of: "
        + " ".join(TOPIC_WORDS.values())
        + " or ALL",
    )


def reply_topics_set(topics: list[str] | tuple[str, ...]) -> str:
    default = " (the default)" if set(topics) == set(DEFAULT_TOPICS) else ""
    return f"Done: you'll get alerts about {topic_words(topics)}{default}."


def reply_remind_set(hhmm: str) -> str:
    return f"Done: reminders will come at {say_time(hhmm)} the day before each strike."


def reply_forgotten() -> str:
    return (
        "Your number and settings have been deleted and you won't hear from us again. Text your "
        "postcode to sign up afresh."
    )


def reply_error(message: str) -> str:
    return _fit(message)


def reply_next(lines: list[str]) -> str:
    """Coming strikes, one per line, as many as fit in two segments."""
    if not lines:
        return "No strikes are announced for your area and topics. We'll text you if one is."
    head = "Next strikes:"
    out = head
    for line in lines:
        candidate = f"{out}\n{line}"
        if len(candidate) > 2 * 153 and out != head:
            break
        out = candidate
    return out
