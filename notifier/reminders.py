"""Day-before reminders: decide which are due (pure), then queue them set-based (one insert each).

Each active subscriber gets one reminder per walkout, on the UK day before it starts, at their own
reminder time (default 18:00). The decision is computed from the database every minute, so a
restart or a missed tick loses nothing, and the outbox key
``reminder:<strike_id>:<start date>:<subscriber_id>`` makes queueing idempotent.

Deadlines: at the configured channel rates a big audience may not fit between the reminder time
and the walkout (for SMS, the start of quiet hours the evening before). Groups are then queued
early enough, working backwards from the deadline, and the operator is told the expected finish.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, String, and_, func, literal, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

from config.db_types import UK_TZ
from config.settings import Settings
from feeds.detection.types import ON_STATUSES
from notifier.fanout import (
    APPROVED,
    CANCELLED,
    CHANGE,
    OUTBOX,
    STRIKE,
    STRIKE_AREA,
    SUB,
    area_subscribers,
    dedupe_expr,
    follows_topic,
    outbox_insert,
    run_insert,
)
from notifier.timing import (
    TimingError,
    in_quiet_hours,
    parse_hhmm,
    quiet_end_after,
    reminder_at,
    reminder_date,
    start_date_key,
    uk_wall,
)

log = logging.getLogger(__name__)

CHANNELS: tuple[str, ...] = ("sms", "telegram")
# Segments assumed per reminder SMS when planning: the limit (two), so the plan is never short.
SMS_SEGMENTS_PER_REMINDER = 2
# How often the cached audience counts are refreshed, and late joiners swept up.
COUNT_REFRESH = timedelta(minutes=30)
CATCH_UP_EVERY = timedelta(minutes=10)
# How far ahead walkouts are planned: long enough for the biggest early start to be seen.
HORIZON = timedelta(days=7)
# Two walkout records this close together (end of one to start of the next) are one walkout.
CONTINUATION_GAP = timedelta(hours=18)

PLAN: Any = SQLModel.metadata.tables["reminder_plan"]

Group = tuple[str, str]  # (channel, reminder time "HH:MM")


def group_key(group: Group) -> str:
    return f"{group[0]}|{group[1]}"


def parse_group(key: str) -> Group:
    channel, _, hhmm = key.partition("|")
    return channel, hhmm


@dataclass(frozen=True, slots=True)
class GroupPlan:
    """When one (channel, reminder time) group of one walkout should be queued."""

    channel: str
    reminder_time: str
    count: int
    nominal_at: datetime  # the subscribers' own reminder moment
    queue_at: datetime  # earlier than nominal when the deadline demands it
    deadline: datetime  # the latest useful delivery moment for this group

    @property
    def early(self) -> bool:
        return self.queue_at < self.nominal_at


@dataclass(frozen=True, slots=True)
class ReminderForecast:
    """What the operator needs to know about one walkout's reminders."""

    strike_id: int
    start: datetime
    total: int
    first_queue_at: datetime | None
    expected_finish: datetime | None
    deadline: datetime | None
    early: bool  # some groups start before the subscribers' own time
    late: bool  # even so, the last reminders are expected after the deadline

    def as_dict(self) -> dict[str, Any]:
        return {
            "strike_id": self.strike_id,
            "start": self.start.isoformat(),
            "reminders": self.total,
            "first_queue_at": self.first_queue_at.isoformat() if self.first_queue_at else None,
            "expected_finish": self.expected_finish.isoformat() if self.expected_finish else None,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "early": self.early,
            "late": self.late,
        }


@dataclass(frozen=True, slots=True)
class ReminderDecision:
    plans: tuple[GroupPlan, ...]
    due: tuple[GroupPlan, ...]
    forecast: ReminderForecast


def seconds_per_message(settings: Settings) -> dict[str, float]:
    """How long one reminder occupies each channel at the configured rate."""
    return {
        "sms": SMS_SEGMENTS_PER_REMINDER / settings.sms_segments_per_second,
        "telegram": 1.0 / settings.telegram_messages_per_second,
    }


def channel_deadline(channel: str, start: datetime, quiet_start: time, quiet_end: time) -> datetime:
    """Reminders must land before the walkout; SMS also before quiet hours the evening before."""
    if channel != "sms" or quiet_start == quiet_end:
        return start
    quiet_from = uk_wall(reminder_date(start), quiet_start)
    return (
        min(start, quiet_from) if quiet_from > uk_wall(reminder_date(start), quiet_end) else start
    )


def plan_groups(
    start: datetime, counts: Mapping[Group, int], settings: Settings
) -> list[GroupPlan]:
    """Work backwards from each channel's deadline so every group fits at the channel's rate.

    Groups whose own time is already past the channel deadline (someone chose 22:00) keep their
    time and are planned against the walkout start instead.
    """
    quiet_start = parse_hhmm(settings.quiet_hours_start, what="QUIET_HOURS_START")
    quiet_end = parse_hhmm(settings.quiet_hours_end, what="QUIET_HOURS_END")
    per_msg = seconds_per_message(settings)
    plans: list[GroupPlan] = []
    for channel in CHANNELS:
        groups = [(hhmm, n) for (ch, hhmm), n in counts.items() if ch == channel and n > 0]
        if not groups:
            continue
        deadline = channel_deadline(channel, start, quiet_start, quiet_end)
        nominal = {hhmm: reminder_at(start, hhmm) for hhmm, _ in groups}
        chain = sorted(
            (g for g in groups if nominal[g[0]] < deadline),
            key=lambda g: nominal[g[0]],
            reverse=True,
        )
        latest_end = deadline
        for hhmm, n in chain:
            need = timedelta(seconds=n * per_msg[channel])
            queue_at = min(nominal[hhmm], latest_end - need)
            plans.append(GroupPlan(channel, hhmm, n, nominal[hhmm], queue_at, deadline))
            latest_end = queue_at
        for hhmm, n in groups:
            if nominal[hhmm] >= deadline:
                plans.append(GroupPlan(channel, hhmm, n, nominal[hhmm], nominal[hhmm], start))
    plans.sort(key=lambda p: (p.queue_at, p.channel, p.reminder_time))
    return plans


def forecast(
    strike_id: int,
    start: datetime,
    plans: Sequence[GroupPlan],
    now: datetime,
    queued: Iterable[Group],
    settings: Settings,
) -> ReminderForecast:
    """Expected finish per channel, simulating sends in queue order from ``now`` at the rate."""
    per_msg = seconds_per_message(settings)
    done = set(queued)
    finish: datetime | None = None
    late = False
    deadline: datetime | None = None
    for channel in CHANNELS:
        clock: datetime | None = None
        for p in (p for p in plans if p.channel == channel):
            already = (p.channel, p.reminder_time) in done
            begin = p.queue_at if already else max(p.queue_at, now)
            clock = max(clock, begin) if clock else begin
            clock += timedelta(seconds=p.count * per_msg[channel])
            late = late or clock > p.deadline
            deadline = min(deadline, p.deadline) if deadline else p.deadline
        if clock is not None:
            finish = max(finish, clock) if finish else clock
    return ReminderForecast(
        strike_id=strike_id,
        start=start,
        total=sum(p.count for p in plans),
        first_queue_at=min((p.queue_at for p in plans), default=None),
        expected_finish=finish,
        deadline=deadline,
        early=any(p.early for p in plans),
        late=late,
    )


def reminders_due(
    now: datetime,
    *,
    strike_id: int,
    start: datetime,
    counts: Mapping[Group, int],
    queued: Iterable[Group],
    settings: Settings,
) -> ReminderDecision:
    """Which reminder groups of one walkout should be queued at ``now``. Pure.

    A group is due from its (possibly early) queue time until the walkout starts, once.
    """
    if now.tzinfo is None or start.tzinfo is None:
        raise TimingError("reminders_due needs aware datetimes")
    done = set(queued)
    plans = plan_groups(start, counts, settings)
    due = tuple(
        p for p in plans if (p.channel, p.reminder_time) not in done and p.queue_at <= now < start
    )
    return ReminderDecision(
        tuple(plans), due, forecast(strike_id, start, plans, now, done, settings)
    )


# --- database side ---------------------------------------------------------------------------


@dataclass(slots=True)
class ReminderSummary:
    queued: int = 0
    walkouts: int = 0
    forecasts: list[ReminderForecast] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "queued": self.queued,
            "walkouts": self.walkouts,
            "forecasts": [f.as_dict() for f in self.forecasts],
        }


@dataclass(frozen=True, slots=True)
class WalkoutDay:
    """What the continuation rule needs to know about one strike record."""

    strike_id: int
    start: datetime
    end: datetime | None
    topic: str
    unions: str
    areas: frozenset[str]


def continues_another(day: WalkoutDay, others: Iterable[WalkoutDay]) -> bool:
    """The record is the next day of a walkout that started before it. Pure.

    Some sources report each day of a multi-day walkout separately; the reminder before the
    first day covers them all. A day continues another when the same unions stop the same kind
    of work in a shared area and at most CONTINUATION_GAP passes between the two.
    """
    for other in others:
        if (
            other.strike_id != day.strike_id
            and other.topic == day.topic
            and other.unions == day.unions
            and other.start < day.start
            and other.end is not None
            and other.end >= day.start - CONTINUATION_GAP
            and other.areas & day.areas
        ):
            return True
    return False


def _walkout_days(conn: Connection, since: datetime, until: datetime) -> list[WalkoutDay]:
    """Walkouts still on that overlap [since, until], with their area codes."""
    s = STRIKE.c
    rows = conn.execute(
        select(s.id, s.start, s.end, s.topic, s.unions).where(
            s.start.is_not(None),
            s.start <= until,
            or_(s.end.is_(None), s.end >= since),
            s.status.in_(sorted(ON_STATUSES)),
        )
    ).all()
    if not rows:
        return []
    areas: dict[int, set[str]] = {}
    ids = [int(r[0]) for r in rows]
    for strike_id, code in conn.execute(
        select(STRIKE_AREA.c.strike_id, STRIKE_AREA.c.area_code).where(
            STRIKE_AREA.c.strike_id.in_(ids)
        )
    ):
        areas.setdefault(int(strike_id), set()).add(str(code))
    return [
        WalkoutDay(int(r[0]), r[1], r[2], str(r[3]), str(r[4]), frozenset(areas.get(int(r[0]), ())))
        for r in rows
    ]


def upcoming_strikes(conn: Connection, now: datetime) -> list[tuple[int, datetime, str]]:
    """Walkouts still on, starting within the horizon, whose existence was approved and sent."""
    s = STRIKE.c
    announced = (
        select(CHANGE.c.id)
        .where(
            CHANGE.c.strike_id == s.id,
            CHANGE.c.approval.in_(APPROVED),
            CHANGE.c.alert_kind.in_(("announced", "changed")),
            CHANGE.c.fanned_out_at.is_not(None),
        )
        .exists()
    )
    rows = conn.execute(
        select(s.id, s.start, s.topic)
        .where(
            s.start.is_not(None),
            s.start > now,
            s.start <= now + HORIZON,
            s.status.in_(sorted(ON_STATUSES)),
            announced,
        )
        .order_by(s.start, s.id)
    ).all()
    if not rows:
        return []
    days = _walkout_days(conn, now - CONTINUATION_GAP, now + HORIZON)
    by_id = {d.strike_id: d for d in days}
    return [
        (int(r[0]), r[1], str(r[2]))
        for r in rows
        if not (int(r[0]) in by_id and continues_another(by_id[int(r[0])], days))
    ]


def audience_filter(strike_id: int, topic: str) -> ColumnElement[bool]:
    return and_(
        SUB.c.status == "active",
        SUB.c.address.is_not(None),
        SUB.c.id.in_(area_subscribers(strike_id)),
        follows_topic(topic),
    )


def count_audience(conn: Connection, strike_id: int, topic: str) -> dict[Group, int]:
    rows = conn.execute(
        select(SUB.c.channel, SUB.c.reminder_time, func.count())
        .where(audience_filter(strike_id, topic))
        .group_by(SUB.c.channel, SUB.c.reminder_time)
    )
    return {(str(ch), str(t)): int(n) for ch, t, n in rows}


def _valid_time(hhmm: str) -> bool:
    try:
        parse_hhmm(hhmm)
    except TimingError:
        return False
    return True


def _load_plan(conn: Connection, strike_id: int, day: str) -> dict[str, Any] | None:
    row = (
        conn.execute(select(PLAN).where(PLAN.c.strike_id == strike_id, PLAN.c.start_date == day))
        .mappings()
        .one_or_none()
    )
    return dict(row) if row else None


def _reminder_not_before(now: datetime, channel: str, hhmm: str, settings: Settings) -> datetime:
    """SMS reminders respect quiet hours, unless the subscriber chose a time inside them."""
    if channel != "sms":
        return now
    qs = parse_hhmm(settings.quiet_hours_start, what="QUIET_HOURS_START")
    qe = parse_hhmm(settings.quiet_hours_end, what="QUIET_HOURS_END")
    own = uk_wall(now.astimezone(UK_TZ).date(), parse_hhmm(hhmm))
    if in_quiet_hours(own, qs, qe):
        return now
    return quiet_end_after(now, qs, qe)


def _insert_group(
    conn: Connection,
    *,
    strike_id: int,
    topic: str,
    start: datetime,
    group: GroupPlan,
    now: datetime,
    settings: Settings,
    since: datetime | None = None,
) -> int:
    """One INSERT ... SELECT for one group (or, with ``since``, its late joiners)."""
    day = start_date_key(start)
    told_late = (
        select(OUTBOX.c.id)
        .where(
            OUTBOX.c.subscriber_id == SUB.c.id,
            OUTBOX.c.strike_id == strike_id,
            OUTBOX.c.kind.in_(("announced", "changed")),
            OUTBOX.c.status != CANCELLED,
            OUTBOX.c.created_at >= literal(group.nominal_at, OUTBOX.c.created_at.type),
        )
        .exists()
    )
    ts = OUTBOX.c.created_at.type
    cond = [
        audience_filter(strike_id, topic),
        SUB.c.channel == group.channel,
        SUB.c.reminder_time == group.reminder_time,
        ~told_late,
    ]
    if since is not None:
        cond.append(SUB.c.updated_at >= literal(since, ts))
    query = select(
        dedupe_expr(f"reminder:{strike_id}:{day}:"),
        SUB.c.id,
        SUB.c.channel,
        literal("reminder", String),
        literal(strike_id),
        literal(None),
        literal("pending", String),
        literal(0),
        literal(_reminder_not_before(now, group.channel, group.reminder_time, settings), ts),
        literal(start, ts),
        literal(now, ts),
    ).where(*cond)
    return run_insert(conn, outbox_insert(conn, query))


def queue_due_reminders(engine: Engine, settings: Settings, now: datetime) -> ReminderSummary:
    """The minute tick: plan every upcoming walkout, queue the groups that are due.

    One transaction per walkout: its inserts and its plan row commit together, so a crash either
    leaves the group due (and the next tick queues it) or queued (and the key stops a repeat).
    """
    if now.tzinfo is None:
        raise TimingError("queue_due_reminders needs an aware 'now'")
    summary = ReminderSummary()
    with engine.connect() as conn:
        strikes = upcoming_strikes(conn, now)
    for strike_id, start, topic in strikes:
        with engine.begin() as conn:
            queued, fc = _tick_one(conn, strike_id, start, topic, now, settings)
        summary.queued += queued
        summary.walkouts += 1
        summary.forecasts.append(fc)
    return summary


def _tick_one(
    conn: Connection,
    strike_id: int,
    start: datetime,
    topic: str,
    now: datetime,
    settings: Settings,
) -> tuple[int, ReminderForecast]:
    day = start_date_key(start)
    plan = _load_plan(conn, strike_id, day)
    queued_keys: list[str] = json.loads(plan["queued"]) if plan else []
    queued = {parse_group(k) for k in queued_keys}
    if plan is None or now - plan["computed_at"] >= COUNT_REFRESH:
        counts = count_audience(conn, strike_id, topic)
        computed_at = now
    else:
        counts = {parse_group(k): int(v) for k, v in json.loads(plan["counts"]).items()}
        computed_at = plan["computed_at"]
    counts = {g: n for g, n in counts.items() if g[0] in CHANNELS and _valid_time(g[1])}
    decision = reminders_due(
        now, strike_id=strike_id, start=start, counts=counts, queued=queued, settings=settings
    )
    inserted = 0
    for group in decision.due:
        inserted += _insert_group(
            conn,
            strike_id=strike_id,
            topic=topic,
            start=start,
            group=group,
            now=now,
            settings=settings,
        )
        queued.add((group.channel, group.reminder_time))
    last_queued_at = plan["last_queued_at"] if plan else None
    if decision.due:
        last_queued_at = now
    elif queued and now < start and last_queued_at and now - last_queued_at >= CATCH_UP_EVERY:
        # Subscribers who joined (or changed areas or time) after their group was queued.
        for group in decision.plans:
            if (group.channel, group.reminder_time) in queued:
                inserted += _insert_group(
                    conn,
                    strike_id=strike_id,
                    topic=topic,
                    start=start,
                    group=group,
                    now=now,
                    settings=settings,
                    since=last_queued_at,
                )
        last_queued_at = now
    fc = decision.forecast
    values = {
        "counts": json.dumps({group_key(g): n for g, n in sorted(counts.items())}),
        "queued": json.dumps(sorted(group_key(g) for g in queued)),
        "computed_at": computed_at,
        "last_queued_at": last_queued_at,
        "expected_finish": fc.expected_finish,
        "deadline": fc.deadline,
    }
    if plan is None:
        # Upsert: a manual `notifier tick` may plan the same walkout as the worker at once.
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        conn.execute(
            dialect.insert(PLAN)
            .values(strike_id=strike_id, start_date=day, **values)
            .on_conflict_do_update(index_elements=["strike_id", "start_date"], set_=values)
        )
    else:
        conn.execute(
            PLAN.update()
            .where(PLAN.c.strike_id == strike_id, PLAN.c.start_date == day)
            .values(**values)
        )
    if decision.due:
        level = logging.WARNING if fc.late or any(g.early for g in decision.due) else logging.INFO
        log.log(
            level,
            "reminders queued",
            extra={
                "strike_id": strike_id,
                "queued": inserted,
                "groups": [group_key((g.channel, g.reminder_time)) for g in decision.due],
                "early": any(g.early for g in decision.due),
                "late": fc.late,
                "expected_finish": fc.expected_finish.isoformat() if fc.expected_finish else None,
                "deadline": fc.deadline.isoformat() if fc.deadline else None,
            },
        )
    return inserted, fc
