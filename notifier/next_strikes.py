"""Coming strikes for one subscriber: their areas meet the strike's areas, and the topic is theirs.

Used by SMS ``NEXT``, Telegram ``/next`` and anything else that answers "what's coming near me".
Strikes still waiting for an operator's approval are not shown, nor ones called off.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, or_
from sqlmodel import Session, col, select

from config.db_types import UK_TZ
from feeds.detection.types import ON_STATUSES
from feeds.models import Strike, StrikeArea, StrikeChange
from subscribers.models import SubscriberArea, SubscriberTopic

_SENDABLE = ("auto", "approved")


@dataclass(frozen=True)
class StrikeSummary:
    id: int
    who: str  # "RCN nurses"
    where: str  # employers, else area names
    start: datetime
    end: datetime | None
    all_day: bool
    status: str
    details_url: str | None


def upcoming_for(
    session: Session, subscriber_id: int, *, now: datetime, limit: int = 3
) -> list[StrikeSummary]:
    """Strikes not yet over, soonest first, matching the subscriber's areas and topics."""
    area_match = exists().where(
        col(StrikeArea.strike_id) == col(Strike.id),
        col(SubscriberArea.area_code) == col(StrikeArea.area_code),
        col(SubscriberArea.subscriber_id) == subscriber_id,
    )
    topic_match = exists().where(
        col(SubscriberTopic.subscriber_id) == subscriber_id,
        col(SubscriberTopic.topic) == col(Strike.topic),
    )
    approved = exists().where(
        col(StrikeChange.strike_id) == col(Strike.id), col(StrikeChange.approval).in_(_SENDABLE)
    )
    not_over = or_(
        col(Strike.end) >= now,
        and_(col(Strike.end).is_(None), col(Strike.start) >= now),
    )
    rows = session.exec(
        select(Strike)
        .where(
            col(Strike.status).in_(sorted(ON_STATUSES)),
            col(Strike.start).is_not(None),
            not_over,
            area_match,
            topic_match,
            approved,
        )
        .order_by(col(Strike.start), col(Strike.id))
        .limit(limit)
    ).all()
    return [summarise(s) for s in rows]


def _names(raw: str) -> list[str]:
    try:
        value = json.loads(raw or "[]")
    except ValueError:
        return []
    return [str(v) for v in value if str(v).strip()] if isinstance(value, list) else []


def summarise(strike: Strike) -> StrikeSummary:
    assert strike.id is not None and strike.start is not None
    unions = _names(strike.unions)
    staff = _names(strike.staff)
    who = " ".join(filter(None, [", ".join(unions[:2]), ", ".join(staff[:2])])) or "Strike"
    employers = _names(strike.employers)
    where = ", ".join(employers[:2]) or ", ".join(_names(strike.area_names)[:2])
    return StrikeSummary(
        id=strike.id,
        who=who,
        where=where,
        start=strike.start,
        end=strike.end,
        all_day=strike.all_day,
        status=strike.status,
        details_url=strike.details_url,
    )


def _day(moment: datetime) -> str:
    return f"{moment:%a} {moment.day} {moment:%b}"


def _clock(moment: datetime) -> str:
    h12 = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    return f"{h12}{suffix}" if moment.minute == 0 else f"{h12}:{moment.minute:02d}{suffix}"


def when(summary: StrikeSummary) -> str:
    """``Tue 2 Dec 7am-7pm``, ``Tue 2 Dec 7am to Thu 4 Dec 7am`` or ``Tue 2 Dec-Wed 3 Dec``."""
    start = summary.start.astimezone(UK_TZ)
    end = summary.end.astimezone(UK_TZ) if summary.end else None
    if summary.all_day:
        if end is None or end.date() == start.date():
            return _day(start)
        return f"{_day(start)}-{_day(end)}"
    if end is None:
        return f"{_day(start)} from {_clock(start)}"
    if end.date() == start.date():
        return f"{_day(start)} {_clock(start)}-{_clock(end)}"
    return f"{_day(start)} {_clock(start)} to {_day(end)} {_clock(end)}"


def describe(summary: StrikeSummary) -> str:
    """One line for a text message or chat: when, who, where."""
    line = f"{when(summary)}: {summary.who}"
    if summary.where:
        line += f", {summary.where}"
    return line
