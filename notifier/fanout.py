"""Turn approved strike changes into outbox rows: one set-based ``INSERT ... SELECT`` per change.

Who hears about a change:

* ``announced``: active subscribers whose areas meet the strike's areas and who follow its topic.
* ``changed``: the same, plus everyone already told about the strike (a walkout moved out of
  your area is news too). Someone who was never told gets it as ``announced``.
* ``called_off``: only those who were told (an announcement, change or reminder that was sent or
  may have been), never re-derived from areas: a call-off of a strike you never heard of is noise.

Idempotency has two layers: ``strike_change.fanned_out_at`` is claimed first in the same
transaction, and the outbox's unique ``dedupe_key`` (``change:<change_id>:<subscriber_id>``) with
``ON CONFLICT DO NOTHING`` makes a repeated run a no-op on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Insert,
    Select,
    String,
    Table,
    and_,
    case,
    literal,
    or_,
    select,
    text,
    update,
)
from sqlalchemy import (
    cast as sql_cast,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

import feeds.models  # noqa: F401  (tables used below)
import notifier.models  # noqa: F401
import subscribers.models  # noqa: F401
from config.db_types import UTCDateTime
from config.settings import Settings
from notifier.timing import alert_expiry, parse_hhmm, sms_not_before, start_date_key

log = logging.getLogger(__name__)

ALERT_KINDS: tuple[str, ...] = ("announced", "changed", "called_off")
APPROVED: tuple[str, ...] = ("auto", "approved")
# Outbox kinds that mean "this subscriber was told about the strike".
TOLD_KINDS: tuple[str, ...] = ("announced", "changed", "reminder")
# Outbox status for a message withdrawn on purpose before it was sent (superseded, called off);
# the dispatcher uses the same status for expired alerts.
CANCELLED = "skipped"
FANOUT_WORK_MEM = "64MB"

OUTBOX: Table = SQLModel.metadata.tables["outbox_message"]
SUB: Table = SQLModel.metadata.tables["subscriber"]
SUB_AREA: Table = SQLModel.metadata.tables["subscriber_area"]
SUB_TOPIC: Table = SQLModel.metadata.tables["subscriber_topic"]
STRIKE_AREA: Table = SQLModel.metadata.tables["strike_area"]
CHANGE: Table = SQLModel.metadata.tables["strike_change"]
STRIKE: Table = SQLModel.metadata.tables["strike"]

# The outbox columns every set-based insert fills, in this order.
INSERT_COLUMNS: tuple[str, ...] = (
    "dedupe_key",
    "subscriber_id",
    "channel",
    "kind",
    "strike_id",
    "strike_change_id",
    "status",
    "attempts",
    "not_before",
    "expires_at",
    "created_at",
)


class FanoutError(RuntimeError):
    """A change cannot be fanned out as recorded; the message names the change."""


@dataclass(frozen=True, slots=True)
class ChangeResult:
    change_id: int
    strike_id: int
    alert_kind: str
    queued: int
    cancelled: int


@dataclass(slots=True)
class FanoutSummary:
    changes: int = 0
    queued: int = 0
    cancelled: int = 0
    results: list[ChangeResult] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "changes": self.changes,
            "queued": self.queued,
            "cancelled": self.cancelled,
            "by_change": [
                {
                    "change_id": r.change_id,
                    "strike_id": r.strike_id,
                    "kind": r.alert_kind,
                    "queued": r.queued,
                    "cancelled": r.cancelled,
                }
                for r in self.results
            ],
        }


def outbox_insert(conn: Connection, query: Select[Any]) -> Insert:
    """``INSERT INTO outbox (...) SELECT ... ON CONFLICT (dedupe_key) DO NOTHING`` per dialect."""
    name = conn.dialect.name
    if name == "postgresql":
        pg = postgresql.insert(OUTBOX).from_select(list(INSERT_COLUMNS), query)
        return pg.on_conflict_do_nothing(index_elements=["dedupe_key"])
    if name == "sqlite":
        lite = sqlite.insert(OUTBOX).from_select(list(INSERT_COLUMNS), query)
        return lite.on_conflict_do_nothing(index_elements=["dedupe_key"])
    raise FanoutError(f"unsupported database {name!r}: use SQLite or PostgreSQL")


def run_insert(conn: Connection, stmt: Insert) -> int:
    """Execute a set-based insert and return the rows really inserted.

    SQLAlchemy 2.1 reports -1 for ``insert().from_select()`` unless asked to keep the count.
    """
    result = conn.execute(stmt.execution_options(preserve_rowcount=True))
    count = result.rowcount
    if count is None or count < 0:
        raise FanoutError("the database did not report how many alerts were queued")
    return int(count)


def dedupe_expr(prefix: str) -> ColumnElement[str]:
    """``'<prefix>' || subscriber.id`` on both dialects."""
    return literal(prefix, String) + sql_cast(SUB.c.id, String)


def told_subscribers(strike_id: int) -> Select[Any]:
    """Subscribers who were (or may have been) told about the strike."""
    o = OUTBOX.c
    return select(o.subscriber_id).where(
        o.strike_id == strike_id,
        o.kind.in_(TOLD_KINDS),
        or_(
            o.status.in_(("sent", "sending", "pending")),
            and_(o.status == CANCELLED, o.attempts > 0),
        ),
    )


def area_subscribers(strike_id: int) -> Select[Any]:
    """Subscribers with at least one area code in common with the strike (each once)."""
    return (
        select(SUB_AREA.c.subscriber_id)
        .join(STRIKE_AREA, STRIKE_AREA.c.area_code == SUB_AREA.c.area_code)
        .where(STRIKE_AREA.c.strike_id == strike_id)
    )


def follows_topic(topic: str) -> ColumnElement[bool]:
    return (
        select(SUB_TOPIC.c.subscriber_id)
        .where(SUB_TOPIC.c.subscriber_id == SUB.c.id, SUB_TOPIC.c.topic == topic)
        .exists()
    )


def not_before_expr(now: datetime, sms_release: datetime) -> ColumnElement[datetime]:
    """SMS waits for the end of quiet hours; Telegram is silent by nature and goes at once."""
    if sms_release == now:
        return literal(now, UTCDateTime())
    return case(
        (SUB.c.channel == "sms", literal(sms_release, UTCDateTime())),
        else_=literal(now, UTCDateTime()),
    )


def _cancel_pending(
    conn: Connection,
    strike_id: int,
    kinds: Sequence[str],
    reason: str,
    *,
    keep_reminder_date: str | None = None,
) -> int:
    """Withdraw unsent messages about a strike that a newer change makes wrong or pointless."""
    o = OUTBOX.c
    cond = [o.strike_id == strike_id, o.status == "pending", o.kind.in_(kinds)]
    if keep_reminder_date is not None:
        cond.append(
            or_(
                o.kind != "reminder",
                ~o.dedupe_key.like(f"reminder:{strike_id}:{keep_reminder_date}:%"),
            )
        )
    res = conn.execute(
        update(OUTBOX)
        .where(*cond)
        .values(status=CANCELLED, error=reason)
        .execution_options(preserve_rowcount=True)
    )
    return max(int(res.rowcount or 0), 0)


def fan_out_change(
    conn: Connection, change_id: int, settings: Settings, now: datetime
) -> ChangeResult | None:
    """Queue one change's alerts inside the caller's transaction; None if already done."""
    claimed = conn.execute(
        update(CHANGE)
        .where(CHANGE.c.id == change_id, CHANGE.c.fanned_out_at.is_(None))
        .values(fanned_out_at=now)
        .execution_options(preserve_rowcount=True)
    ).rowcount
    if not claimed:
        return None
    if conn.dialect.name == "postgresql":
        # A million-row semi-join hashes every subscriber id: give it room not to spill to disk.
        conn.execute(text(f"SET LOCAL work_mem = '{FANOUT_WORK_MEM}'"))
    row = conn.execute(
        select(
            CHANGE.c.alert_kind, CHANGE.c.strike_id, STRIKE.c.topic, STRIKE.c.start, STRIKE.c.end
        )
        .join(STRIKE, STRIKE.c.id == CHANGE.c.strike_id)
        .where(CHANGE.c.id == change_id)
    ).one_or_none()
    if row is None:
        raise FanoutError(f"strike change {change_id} points at a strike that does not exist")
    alert_kind, strike_id, topic, start, end = row
    if alert_kind not in ALERT_KINDS:
        return ChangeResult(change_id, strike_id, alert_kind, 0, 0)

    expires = alert_expiry(start, end)
    cancelled = 0
    if alert_kind == "called_off":
        cancelled = _cancel_pending(conn, strike_id, TOLD_KINDS, "strike called off")
    elif alert_kind == "changed":
        # A newer change supersedes unsent alerts (the new one says it all) and reminders for a
        # start date that no longer holds.
        cancelled = _cancel_pending(
            conn,
            strike_id,
            TOLD_KINDS,
            f"superseded by change {change_id}",
            keep_reminder_date=start_date_key(start) if start is not None else None,
        )
    if expires is not None and expires <= now:
        log.info(
            "change about a finished walkout: nothing to send",
            extra={"change_id": change_id, "strike_id": strike_id},
        )
        return ChangeResult(change_id, strike_id, alert_kind, 0, cancelled)

    quiet_start = parse_hhmm(settings.quiet_hours_start, what="QUIET_HOURS_START")
    quiet_end = parse_hhmm(settings.quiet_hours_end, what="QUIET_HOURS_END")
    release = sms_not_before(
        now,
        quiet_start,
        quiet_end,
        called_off_walkout_start=(start if alert_kind == "called_off" and start else None),
    )

    kind_expr: ColumnElement[str]
    audience: ColumnElement[bool]
    if alert_kind == "called_off":
        audience = SUB.c.id.in_(told_subscribers(strike_id))
        kind_expr = literal("called_off", String)
    elif alert_kind == "changed":
        told = told_subscribers(strike_id)
        audience = and_(
            follows_topic(topic),
            or_(SUB.c.id.in_(area_subscribers(strike_id)), SUB.c.id.in_(told)),
        )
        kind_expr = case(
            (SUB.c.id.in_(told), literal("changed", String)), else_=literal("announced", String)
        )
    else:
        audience = and_(SUB.c.id.in_(area_subscribers(strike_id)), follows_topic(topic))
        kind_expr = literal("announced", String)

    query = select(
        dedupe_expr(f"change:{change_id}:"),
        SUB.c.id,
        SUB.c.channel,
        kind_expr,
        literal(strike_id),
        literal(change_id),
        literal("pending", String),
        literal(0),
        not_before_expr(now, release),
        literal(expires, UTCDateTime()),
        literal(now, UTCDateTime()),
    ).where(SUB.c.status == "active", SUB.c.address.is_not(None), audience)
    queued = run_insert(conn, outbox_insert(conn, query))
    log.info(
        "alerts queued",
        extra={
            "change_id": change_id,
            "strike_id": strike_id,
            "alert_kind": alert_kind,
            "queued": queued,
            "cancelled": cancelled,
        },
    )
    return ChangeResult(change_id, strike_id, alert_kind, queued, cancelled)


def pending_change_ids(conn: Connection, limit: int) -> list[int]:
    """Approved, alert-worthy changes not yet fanned out, oldest first."""
    c = CHANGE.c
    rows = conn.execute(
        select(c.id)
        .where(c.fanned_out_at.is_(None), c.approval.in_(APPROVED), c.alert_kind.in_(ALERT_KINDS))
        .order_by(c.id)
        .limit(limit)
    )
    return [int(r[0]) for r in rows]


def fan_out(
    engine: Engine, settings: Settings, now: datetime, *, limit: int = 500
) -> FanoutSummary:
    """Fan out every approved change waiting, oldest first, in one transaction.

    One transaction makes the alerts of one trigger (an article that announces walkouts at
    three trusts) visible to the dispatcher together, so a subscriber affected by several gets
    one message. If that fails, each change is retried in its own transaction so one bad change
    cannot hold up the rest. Oldest first matters: an announcement and its call-off in the same
    batch end with nobody being told anything.
    """
    if now.tzinfo is None:
        raise FanoutError("fan_out needs an aware 'now' (UTC)")
    with engine.connect() as conn:
        ids = pending_change_ids(conn, limit)
    if not ids:
        return FanoutSummary()
    try:
        with engine.begin() as conn:
            results = [fan_out_change(conn, change_id, settings, now) for change_id in ids]
    except Exception:
        if len(ids) == 1:
            raise
        log.exception(
            "batch fan-out failed; retrying change by change", extra={"changes": len(ids)}
        )
        results = []
        for change_id in ids:
            try:
                with engine.begin() as conn:
                    results.append(fan_out_change(conn, change_id, settings, now))
            except Exception:
                log.exception("fan-out of one change failed", extra={"change_id": change_id})
    summary = FanoutSummary()
    for result in results:
        if result is None:
            continue
        summary.changes += 1
        summary.queued += result.queued
        summary.cancelled += result.cancelled
        summary.results.append(result)
    return summary
