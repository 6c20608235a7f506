"""Alert text from strike facts: pure functions of the data and ``now``.

One subscriber's alerts from one trigger become one message. SMS is GSM-7, one segment when the
facts allow it and never more than two; Telegram gets HTML with links to the sources. Wording
lives in :mod:`notifier.message_templates`.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from config.db_types import UK_TZ
from config.topics import HEALTH_TOPICS, TOPICS
from notifier import message_templates as T
from notifier.gsm import segment_count, to_gsm

ALERT_KINDS: tuple[str, ...] = ("announced", "changed", "called_off", "reminder")
SMS_TARGET_SEGMENTS = 1
SMS_MAX_SEGMENTS = 2
TELEGRAM_MAX_CHARS = 4096
MAX_SMS_LINK = 80  # a longer link (a raw article URL) costs a segment on its own
MAX_TELEGRAM_SOURCES = 5


class ComposeError(ValueError):
    """The alerts given cannot be turned into a message; the text says why."""


@dataclass(frozen=True, slots=True)
class Source:
    name: str
    url: str


@dataclass(frozen=True, slots=True)
class StrikeFacts:
    """What a message may say about one strike (a plain copy of the ``strike`` row)."""

    id: int
    topic: str
    status: str = "announced"
    unions: tuple[str, ...] = ()
    staff: tuple[str, ...] = ()
    employers: tuple[str, ...] = ()
    area_names: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    all_day: bool = False
    end_all_day: bool = False
    details_url: str | None = None
    sources: tuple[Source, ...] = ()


@dataclass(frozen=True, slots=True)
class PreviousTimes:
    """When a changed strike was due before the change (for "was ...")."""

    start: datetime | None
    end: datetime | None = None
    all_day: bool = False
    end_all_day: bool = False


@dataclass(frozen=True, slots=True)
class Alert:
    """One thing to tell a subscriber: a kind and the strike it is about."""

    kind: str
    strike: StrikeFacts
    previous: PreviousTimes | None = None

    def __post_init__(self) -> None:
        if self.kind not in ALERT_KINDS:
            raise ComposeError(
                f"unknown alert kind {self.kind!r}; expected one of {', '.join(ALERT_KINDS)}"
            )


@dataclass(frozen=True, slots=True)
class Links:
    """Where "details" point: the service's own pages when it has a public address."""

    public_base_url: str | None = None

    def strike(self, facts: StrikeFacts) -> str | None:
        if self.public_base_url:
            return f"{self.public_base_url.rstrip('/')}/strikes/{facts.id}"
        return facts.details_url

    def overview(self) -> str | None:
        if self.public_base_url:
            return f"{self.public_base_url.rstrip('/')}/strikes"
        return None


# -- building facts from stored rows ---------------------------------------------------------------
def _json_list(value: str | None) -> tuple[str, ...]:
    """Stored lists are JSON; a bare string (hand-edited row) counts as one item."""
    if not value:
        return ()
    try:
        data: Any = json.loads(value)
    except ValueError:
        return (value.strip(),) if value.strip() else ()
    if isinstance(data, str):
        return (data,) if data.strip() else ()
    if not isinstance(data, list):
        return ()
    return tuple(str(v).strip() for v in data if str(v).strip())


def strike_facts(row: Any, sources: Iterable[Source] = ()) -> StrikeFacts:
    """Copy a ``feeds.models.Strike`` row into :class:`StrikeFacts`."""
    if row.id is None:
        raise ComposeError("strike has no id: save it before composing alerts about it")
    return StrikeFacts(
        id=int(row.id),
        topic=row.topic,
        status=row.status,
        unions=_json_list(row.unions),
        staff=_json_list(row.staff),
        employers=_json_list(row.employers),
        area_names=_json_list(row.area_names),
        start=row.start,
        end=row.end,
        all_day=bool(row.all_day),
        details_url=row.details_url,
        sources=tuple(sources),
    )


def previous_times(before_json: str | None) -> PreviousTimes | None:
    """Times from a change's ``before`` snapshot, when it recorded them."""
    if not before_json:
        return None
    try:
        data = json.loads(before_json)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None

    def when(key: str) -> datetime | None:
        raw = data.get(key)
        if not isinstance(raw, str):
            return None
        try:
            parsed = datetime.fromisoformat(raw)
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UK_TZ)

    start = when("start")
    if start is None:
        return None
    return PreviousTimes(
        start=start,
        end=when("end"),
        all_day=bool(data.get("all_day")),
        end_all_day=bool(data.get("end_all_day")),
    )


# -- shared wording --------------------------------------------------------------------------------
def _day(value: datetime, show_year: bool) -> str:
    text = f"{value:%a} {value.day} {value:%b}"
    return f"{text} {value.year}" if show_year else text


def format_when(
    start: datetime | None,
    end: datetime | None,
    all_day: bool,
    now: datetime,
    *,
    end_all_day: bool = False,
) -> str:
    """UK local time, e.g. ``Wed 11 Jan, 00:01-23:59`` or ``Wed 11 Jan - Fri 13 Jan``.

    ``all_day`` says the start is a date only; ``end_all_day`` the same of the end (which then
    holds 23:59 UK time).
    """
    if start is None:
        return T.WHEN_TBC
    s = start.astimezone(UK_TZ)
    e = end.astimezone(UK_TZ) if end is not None and end > start else None
    show_year = s.year != now.astimezone(UK_TZ).year
    if e is not None and all_day and not end_all_day and e.hour == 0 and e.minute == 0:
        # An all-day end stored as the next midnight belongs to the day before.
        e, end_all_day = e - timedelta(minutes=1), True
    if e is None:
        if all_day:
            return f"{_day(s, show_year)}, {T.WHEN_ALL_DAY}"
        return f"from {_day(s, show_year)}, {s:%H:%M}"
    if e.date() == s.date():
        if all_day and end_all_day:
            return f"{_day(s, show_year)}, {T.WHEN_ALL_DAY}"
        first = "00:00" if all_day else f"{s:%H:%M}"
        last = "23:59" if end_all_day else f"{e:%H:%M}"
        return f"{_day(s, show_year)}, {first}-{last}"
    first = _day(s, show_year) if all_day else f"{_day(s, show_year)} {s:%H:%M}"
    last = _day(e, show_year) if end_all_day else f"{_day(e, show_year)} {e:%H:%M}"
    return f"{first} - {last}"


def _when(facts: StrikeFacts | PreviousTimes, now: datetime) -> str:
    return format_when(facts.start, facts.end, facts.all_day, now, end_all_day=facts.end_all_day)


def relative_day(start: datetime | None, now: datetime) -> str | None:
    """``today`` / ``tomorrow`` for a walkout's start, in UK dates; None otherwise."""
    if start is None:
        return None
    delta = (start.astimezone(UK_TZ).date() - now.astimezone(UK_TZ).date()).days
    return T.DAY_WORDS.get(delta)


# Staff words that are capitalised only because a sentence started with them.
_COMMON_STAFF_WORDS = frozenset(
    [
        "ambulance",
        "nurses",
        "nursing",
        "doctors",
        "resident",
        "junior",
        "senior",
        "consultants",
        "paramedics",
        "physiotherapists",
        "midwives",
        "radiographers",
        "porters",
        "cleaners",
        "call",
        "control",
        "emergency",
        "hospital",
        "health",
        "care",
        "staff",
        "workers",
        "teachers",
        "lecturers",
        "drivers",
        "guards",
        "train",
        "bus",
        "refuse",
        "bin",
    ]
)


def _staff_phrase(staff: str) -> str:
    """ "Ambulance workers" read at a sentence start becomes "ambulance workers" after a union."""
    first, _, rest = staff.partition(" ")
    if first.lower() in _COMMON_STAFF_WORDS and first[1:].islower():
        first = first.lower()
    return f"{first} {rest}".strip()


def who(facts: StrikeFacts) -> str:
    """``RCN nurses``; the topic's name when the detector found no union or staff group."""
    staff = [_staff_phrase(s) for s in facts.staff] if facts.unions else list(facts.staff)
    text = " ".join(p for p in (" & ".join(facts.unions), ", ".join(staff)) if p)
    return text or f"{TOPICS.get(facts.topic, 'Public service')} staff"


def services(facts: StrikeFacts) -> str:
    return ", ".join(facts.employers)


def where(facts: StrikeFacts) -> str:
    return ", ".join(facts.area_names)


def _advice(alerts: Sequence[Alert], short: bool) -> str:
    """One "what to do": health advice wins when any live strike is a health one."""
    live = [a for a in alerts if a.kind != "called_off"]
    if not live:
        return T.ADVICE_CALLED_OFF
    table = T.ADVICE_SHORT if short else T.ADVICE_FULL
    for topic in [*HEALTH_TOPICS, *(a.strike.topic for a in live)]:
        if any(a.strike.topic == topic for a in live) and topic in table:
            return table[topic]
    return ""


def _called_off_word(facts: StrikeFacts) -> str:
    return T.SMS_CALLED_OFF_STATUS.get(facts.status, T.SMS_CALLED_OFF_STATUS["called_off"])


def _shorten(text: str, limit: int | None) -> str:
    """Cut at a word boundary and mark the cut; ``limit`` None keeps everything."""
    if limit is None or len(text) <= limit:
        return text
    if limit <= 3:
        return ""
    cut = text[: limit - 3].rsplit(" ", 1)[0].rstrip(" ,;&-")
    return f"{cut}..." if cut else text[: limit - 3] + "..."


# -- SMS -------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Fit:
    """How hard to squeeze: advice form and maximum lengths of the free-text parts."""

    short_advice: bool = False
    who_max: int | None = None
    services_max: int | None = None
    where_max: int | None = None
    items: int | None = None  # grouped messages: how many alerts to list


_SINGLE_FITS: tuple[_Fit, ...] = (
    _Fit(),
    _Fit(short_advice=True),
    _Fit(short_advice=True, services_max=40, where_max=40),
    _Fit(short_advice=True, who_max=40, services_max=30, where_max=30),
    _Fit(short_advice=True, who_max=30, services_max=20, where_max=20),
    _Fit(short_advice=True, who_max=25, services_max=0, where_max=0),
)


def _sms_clean(text: str) -> str:
    return " ".join(to_gsm(text).split())


def _sms_head(alert: Alert, now: datetime) -> str:
    if alert.kind == "reminder":
        day = relative_day(alert.strike.start, now)
        return T.SMS_HEAD["reminder"].format(day=(day or "SOON").upper())
    if alert.kind == "called_off":
        status = _called_off_word(alert.strike)
        head = T.SMS_HEAD["called_off"]
        return head if status in ("called off", "cancelled") else f"{head} ({status})"
    day = relative_day(alert.strike.start, now)
    if alert.kind == "announced" and day:  # announced at short notice: say how short
        return T.SMS_HEAD["reminder"].format(day=day.upper())
    return T.SMS_HEAD[alert.kind]


def _sms_core(alert: Alert, now: datetime, fit: _Fit, *, label: str | None = None) -> str:
    """``RCN nurses at Leeds Trust, Wed 11 Jan, 07:00-19:00, in Leeds`` (no final stop)."""
    f = alert.strike
    parts = [_shorten(_sms_clean(who(f)), fit.who_max)]
    svc = _shorten(_sms_clean(services(f)), fit.services_max)
    text = f"{parts[0]} at {svc}" if svc else parts[0]
    current = when = _when(f, now)
    if alert.kind == "changed":
        when = f"now {when}"
        if alert.previous is not None:
            before = _when(alert.previous, now)
            if before != current:
                when = f"{when} ({T.SMS_WAS.format(when=before)})"
    text = f"{text}, {when}"
    place = _shorten(_sms_clean(where(f)), fit.where_max)
    if place:
        text = f"{text}, in {place}"
    return f"{label} {text}" if label else text


def _sms_tail(alerts: Sequence[Alert], fit: _Fit, link: str | None) -> str:
    parts = [_advice(alerts, fit.short_advice)]
    if link and len(link) <= MAX_SMS_LINK:
        parts.append(link)
    parts.append(T.SMS_STOP)
    return " ".join(p for p in parts if p)


def _sentence(text: str) -> str:
    return text if text.endswith(".") else f"{text}."


def _sms_single(alert: Alert, now: datetime, links: Links, fit: _Fit) -> str:
    core = _sentence(_sms_core(alert, now, fit))
    return f"{_sms_head(alert, now)}: {core} {_sms_tail([alert], fit, links.strike(alert.strike))}"


def _sms_group(alerts: Sequence[Alert], now: datetime, links: Links, fit: _Fit) -> str:
    shown = alerts if fit.items is None else alerts[: fit.items]
    lines = [_sms_core(a, now, fit, label=T.SMS_GROUP_LABEL[a.kind]) for a in shown]
    body = "; ".join(lines)
    hidden = len(alerts) - len(shown)
    if hidden:
        body = f"{body}; {T.SMS_MORE.format(count=hidden)}"
    head = T.SMS_GROUP_HEAD.format(count=len(alerts))
    return f"{head}: {_sentence(body)} {_sms_tail(alerts, fit, links.overview())}"


def _group_fits(count: int) -> list[_Fit]:
    fits = [
        _Fit(short_advice=True, services_max=25, where_max=25),
        _Fit(short_advice=True, who_max=30, services_max=0, where_max=20),
        _Fit(short_advice=True, who_max=20, services_max=0, where_max=0),
    ]
    out = list(fits)
    for items in range(count - 1, 0, -1):
        out.extend(
            _Fit(
                short_advice=True,
                who_max=f.who_max or 30,
                services_max=0,
                where_max=f.where_max,
                items=items,
            )
            for f in fits[1:]
        )
    return out


def _first_fitting(build: Callable[[_Fit], str], fits: Sequence[_Fit], limit: int) -> str | None:
    for fit in fits:
        text = build(fit)
        if segment_count(text) <= limit:
            return text
    return None


def compose_sms(alerts: Sequence[Alert], now: datetime, links: Links | None = None) -> str:
    """GSM-7 text for one subscriber: one segment if the facts fit, at most two."""
    if not alerts:
        raise ComposeError("nothing to compose: no alerts given")
    links = links or Links()
    alerts = _ordered(alerts)
    if len(alerts) == 1:

        def build(fit: _Fit) -> str:
            return _sms_single(alerts[0], now, links, fit)

        fits: Sequence[_Fit] = _SINGLE_FITS
    else:

        def build(fit: _Fit) -> str:
            return _sms_group(alerts, now, links, fit)

        fits = _group_fits(len(alerts))
    # One segment if possible without dropping facts, else the fullest text within two.
    text = _first_fitting(build, fits[:3], SMS_TARGET_SEGMENTS)
    text = text or _first_fitting(build, fits, SMS_MAX_SEGMENTS)
    if text is None:  # pathological input (a 300-character union name): cut hard
        text = _hard_cut(build(fits[-1]))
    return text


def _hard_cut(text: str) -> str:
    """Keep the stop instruction whatever happens; trim what comes before it."""
    tail = f" {T.SMS_STOP}"
    body = text[: -len(tail)] if text.endswith(tail) else text
    while body and segment_count(body + tail) > SMS_MAX_SEGMENTS:
        body = body[: max(0, len(body) - 10)]
    return _shorten(body, len(body)).rstrip() + tail


def _ordered(alerts: Sequence[Alert]) -> list[Alert]:
    """Soonest walkout first; undated last; stable for equal starts."""
    far = datetime.max.replace(tzinfo=UK_TZ)
    return sorted(alerts, key=lambda a: a.strike.start or far)


# -- Telegram --------------------------------------------------------------------------------------
def _e(text: str) -> str:
    return html.escape(text, quote=False)


def _tg_head(alert: Alert, now: datetime) -> str:
    if alert.kind == "reminder":
        day = relative_day(alert.strike.start, now) or "soon"
        return T.TG_HEAD["reminder"].format(day=day)
    soon = relative_day(alert.strike.start, now)
    if alert.kind == "announced" and soon:
        return T.TG_HEAD_SOON.format(day=soon)
    return T.TG_HEAD[alert.kind]


def _tg_block(alert: Alert, now: datetime, links: Links, *, with_sources: bool) -> list[str]:
    f = alert.strike
    lines = [_tg_head(alert, now), T.TG_LINE_WHO.format(value=_e(who(f)))]
    svc = services(f)
    topic = TOPICS.get(f.topic)
    if svc or topic:
        lines.append(T.TG_LINE_SERVICES.format(value=_e(" - ".join(p for p in (topic, svc) if p))))
    lines.append(T.TG_LINE_WHEN.format(value=_e(_when(f, now))))
    if alert.kind == "changed" and alert.previous is not None:
        lines.append(T.TG_LINE_WAS.format(value=_e(_when(alert.previous, now))))
    if where(f):
        lines.append(T.TG_LINE_WHERE.format(value=_e(where(f))))
    if alert.kind == "called_off":
        lines.append(T.TG_LINE_STATUS.format(value=_e(_called_off_word(f))))
    link = links.strike(f)
    if link:
        lines.append(T.TG_LINE_DETAILS.format(url=html.escape(link, quote=True)))
    if with_sources and f.sources:
        shown = [
            f'<a href="{html.escape(s.url, quote=True)}">{_e(s.name or s.url)}</a>'
            for s in f.sources[:MAX_TELEGRAM_SOURCES]
        ]
        lines.append(T.TG_LINE_SOURCES.format(value=", ".join(shown)))
    return lines


def compose_telegram(alerts: Sequence[Alert], now: datetime, links: Links | None = None) -> str:
    """HTML for ``parse_mode=HTML``: every inserted value escaped, within Telegram's 4096."""
    if not alerts:
        raise ComposeError("nothing to compose: no alerts given")
    links = links or Links()
    ordered = _ordered(alerts)
    for with_sources, count in [
        (True, len(ordered)),
        (False, len(ordered)),
        *((False, n) for n in range(len(ordered) - 1, 0, -1)),
    ]:
        text = _tg_message(ordered, now, links, with_sources=with_sources, count=count)
        if len(text) <= TELEGRAM_MAX_CHARS:
            return text
    return _tg_message(ordered, now, links, with_sources=False, count=1)[:TELEGRAM_MAX_CHARS]


def _tg_message(
    alerts: Sequence[Alert], now: datetime, links: Links, *, with_sources: bool, count: int
) -> str:
    blocks = [
        "\n".join(_tg_block(a, now, links, with_sources=with_sources)) for a in alerts[:count]
    ]
    parts: list[str] = []
    if len(alerts) > 1:
        parts.append(T.TG_GROUP_HEAD.format(count=len(alerts)))
    parts.extend(blocks)
    hidden = len(alerts) - count
    if hidden:
        more = f"+{hidden} more"
        overview = links.overview()
        if overview:
            more = f'<a href="{html.escape(overview, quote=True)}">{more}</a>'
        parts.append(more)
    parts.append(T.TG_LINE_TODO.format(value=_e(_advice(alerts, short=False))))
    parts.append(T.TG_STOP)
    return "\n\n".join(parts)


# -- merging ---------------------------------------------------------------------------------------
def merge_alerts(alerts: Sequence[Alert]) -> list[Alert]:
    """One alert per strike, for alerts given in the order they were queued.

    A subscriber who has not yet been sent the announcement of a strike that has since changed
    needs the announcement with today's facts, not two messages; a strike called off after that
    needs only the call-off.
    """
    by_strike: dict[int, list[Alert]] = {}
    for alert in alerts:
        by_strike.setdefault(alert.strike.id, []).append(alert)
    merged: list[Alert] = []
    for group in by_strike.values():
        latest = group[-1]
        kinds = {a.kind for a in group}
        if latest.kind == "called_off":
            merged.append(latest)
        elif "announced" in kinds:
            merged.append(Alert("announced", latest.strike))
        elif "changed" in kinds:
            first_prev = next((a.previous for a in group if a.previous is not None), None)
            merged.append(Alert("changed", latest.strike, first_prev))
        else:
            merged.append(Alert(latest.kind, latest.strike))
    return _ordered(merged)


# -- entry point -----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Composed:
    text: str
    segments: int | None = None  # SMS only
    alert_count: int = 1
    strike_ids: tuple[int, ...] = field(default_factory=tuple)


def compose_message(
    channel: str, alerts: Sequence[Alert], now: datetime, links: Links | None = None
) -> Composed:
    """The message for one subscriber on ``channel`` ("sms" or "telegram").

    ``alerts`` in the order they were queued; several about one strike are merged first.
    """
    alerts = merge_alerts(alerts)
    ids = tuple(a.strike.id for a in alerts)
    if channel == "sms":
        text = compose_sms(alerts, now, links)
        return Composed(text, segment_count(text), len(alerts), ids)
    if channel == "telegram":
        return Composed(compose_telegram(alerts, now, links), None, len(alerts), ids)
    raise ComposeError(f"no message format for channel {channel!r}")
