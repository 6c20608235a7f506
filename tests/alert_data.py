"""Builders for strikes, changes and subscribers used by the alerting tests (real rows, real DB)."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Engine
from sqlmodel import Session
from sqlmodel import select as sm_select

from feeds.models import Strike, StrikeArea, StrikeChange
from notifier.fanout import SUB, SUB_AREA, SUB_TOPIC
from notifier.models import OutboxMessage
from subscribers.models import Subscriber, SubscriberArea, SubscriberTopic

ENGLAND = "E92000001"
UK = "K02000001"
LONDON = "E40000003"  # NHS England London region
NORTH_WEST = "E40000010"
LONDON_AMBULANCE = "E30000000"  # illustrative code for an ambulance service area
MANCHESTER = "E08000003"

_numbers = itertools.count(1)


def add_strike(
    session: Session,
    *,
    start: datetime | None,
    end: datetime | None = None,
    topic: str = "ambulance",
    areas: Iterable[str] = (LONDON,),
    status: str = "announced",
    now: datetime | None = None,
    key: str | None = None,
) -> Strike:
    stamp = now or start or datetime.fromisoformat("2026-01-01T00:00:00+00:00")
    strike = Strike(
        key=key or f"test|{next(_numbers)}",
        topic=topic,
        status=status,
        start=start,
        end=end,
        summary="test walkout",
        created_at=stamp,
        updated_at=stamp,
    )
    session.add(strike)
    session.flush()
    assert strike.id is not None
    for code in areas:
        session.add(StrikeArea(strike_id=strike.id, area_code=code))
    session.commit()
    return strike


def add_change(
    session: Session,
    strike: Strike,
    alert_kind: str,
    *,
    now: datetime,
    approval: str = "auto",
    kind: str | None = None,
) -> StrikeChange:
    assert strike.id is not None
    change = StrikeChange(
        strike_id=strike.id,
        kind=kind
        or {"announced": "new", "changed": "times_changed", "called_off": "suspended"}.get(
            alert_kind, "other"
        ),
        alert_kind=alert_kind,
        approval=approval,
        created_at=now,
    )
    session.add(change)
    session.commit()
    return change


def add_subscriber(
    session: Session,
    *,
    channel: str = "sms",
    areas: Iterable[str] = (ENGLAND, LONDON),
    topics: Iterable[str] = ("ambulance",),
    status: str = "active",
    reminder_time: str = "18:00",
    now: datetime | None = None,
) -> Subscriber:
    stamp = now or datetime.fromisoformat("2026-01-01T00:00:00+00:00")
    n = next(_numbers)
    address = f"+4477009{n:05d}" if channel == "sms" else str(100000 + n)
    sub = Subscriber(
        channel=channel,
        address=address,
        status=status,
        reminder_time=reminder_time,
        created_at=stamp,
        updated_at=stamp,
    )
    session.add(sub)
    session.flush()
    assert sub.id is not None
    for code in areas:
        session.add(SubscriberArea(subscriber_id=sub.id, area_code=code))
    for topic in topics:
        session.add(SubscriberTopic(subscriber_id=sub.id, topic=topic))
    session.commit()
    return sub


def outbox(engine: Engine) -> list[OutboxMessage]:
    with Session(engine) as s:
        return list(s.exec(sm_select(OutboxMessage).order_by(OutboxMessage.id)))  # type: ignore[arg-type]


def recipients(engine: Engine, **filters: object) -> dict[int, str]:
    """subscriber id -> kind, for outbox rows matching the filters (e.g. ``strike_change_id``)."""
    rows = outbox(engine)
    out: dict[int, str] = {}
    for row in rows:
        if all(getattr(row, k) == v for k, v in filters.items()):
            out[row.subscriber_id] = row.kind
    return out


def bulk_subscribers(engine: Engine, n: int, now: datetime) -> None:
    """``n`` active SMS subscribers in London following ambulance strikes, in three statements."""
    with engine.begin() as conn:
        start = int(conn.execute(select(func.coalesce(func.max(SUB.c.id), 0))).scalar_one())
        ids = range(start + 1, start + n + 1)
        conn.execute(
            insert(SUB),
            [
                {
                    "id": i,
                    "channel": "sms",
                    "address": f"+4477009{i:05d}",
                    "status": "active",
                    "reminder_time": "18:00",
                    "created_at": now,
                    "updated_at": now,
                }
                for i in ids
            ],
        )
        conn.execute(insert(SUB_AREA), [{"subscriber_id": i, "area_code": LONDON} for i in ids])
        conn.execute(insert(SUB_TOPIC), [{"subscriber_id": i, "topic": "ambulance"} for i in ids])


def worker_env(
    database_url: str, tmp_dir: Path, twilio_base_url: str, *, sms_rate: int, log_level: str
) -> dict[str, str]:
    """Environment for a real ``notifier run`` subprocess sending SMS to a fake Twilio.

    No feeds, no Telegram, and no quiet hours: the worker runs on the real clock, and at night
    quiet hours would hold every SMS until the morning.
    """
    catalogue = tmp_dir / "feeds.yaml"
    catalogue.write_text("feeds: []\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "TELEGRAM_"))}
    env.update(
        DATABASE_URL=database_url,
        FEEDS_FILE=str(catalogue),
        LOG_LEVEL=log_level,
        TWILIO_ACCOUNT_SID="AC" + "d" * 32,
        TWILIO_AUTH_TOKEN="secret",
        TWILIO_FROM_NUMBER="+447700900999",
        TWILIO_API_BASE_URL=twilio_base_url,
        SMS_SEGMENTS_PER_SECOND=str(sms_rate),
        QUIET_HOURS_START="00:00",
        QUIET_HOURS_END="00:00",
    )
    return env
