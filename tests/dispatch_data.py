"""Rows for the dispatch tests: strikes with the facts a message needs, queued outbox rows."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from feeds.models import Strike
from notifier.models import OutboxMessage
from subscribers.models import Subscriber

NOW = datetime(2026, 1, 12, 12, 0, tzinfo=UTC)  # Monday noon; January so UK time == UTC
START = datetime(2026, 1, 14, 7, 0, tzinfo=UTC)
END = datetime(2026, 1, 14, 19, 0, tzinfo=UTC)

_keys = itertools.count(1)


def add_strike(
    session: Session,
    *,
    unions: tuple[str, ...] = ("Unite",),
    staff: tuple[str, ...] = ("ambulance workers",),
    employers: tuple[str, ...] = ("London Ambulance Service",),
    areas: tuple[str, ...] = ("London",),
    topic: str = "ambulance",
    start: datetime | None = START,
    end: datetime | None = END,
    status: str = "announced",
) -> Strike:
    strike = Strike(
        key=f"dispatch-test|{next(_keys)}",
        unions=json.dumps(list(unions)),
        staff=json.dumps(list(staff)),
        employers=json.dumps(list(employers)),
        area_names=json.dumps(list(areas)),
        topic=topic,
        status=status,
        start=start,
        end=end,
        created_at=NOW,
        updated_at=NOW,
    )
    session.add(strike)
    session.commit()
    return strike


def queue(
    session: Session,
    subscriber: Subscriber,
    strike: Strike | None,
    kind: str = "announced",
    *,
    not_before: datetime = NOW,
    expires_at: datetime | None = None,
    body: str | None = None,
    status: str = "pending",
    claimed_at: datetime | None = None,
    attempts: int = 0,
) -> OutboxMessage:
    assert subscriber.id is not None
    row = OutboxMessage(
        dedupe_key=f"test:{next(_keys)}:{subscriber.id}",
        subscriber_id=subscriber.id,
        channel=subscriber.channel,
        kind=kind,
        strike_id=strike.id if strike else None,
        body=body,
        status=status,
        not_before=not_before,
        expires_at=expires_at,
        claimed_at=claimed_at,
        claimed_by="old-worker" if claimed_at else None,
        attempts=attempts,
        created_at=NOW,
    )
    session.add(row)
    session.commit()
    return row


def rows(engine: Engine) -> dict[int, OutboxMessage]:
    with Session(engine) as s:
        return {r.id: r for r in s.exec(select(OutboxMessage)) if r.id is not None}


def subscriber(engine: Engine, subscriber_id: int | None) -> Subscriber:
    with Session(engine) as s:
        found = s.get(Subscriber, subscriber_id)
        assert found is not None
        return found
