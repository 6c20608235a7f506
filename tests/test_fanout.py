"""Fan-out: who gets which alert, exactly once, and when it may go out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from config.settings import Settings
from feeds.models import StrikeArea, StrikeChange
from notifier.fanout import CHANGE, fan_out, fan_out_change
from notifier.models import OutboxMessage
from subscribers.models import SubscriberArea
from tests.alert_data import (
    ENGLAND,
    LONDON,
    MANCHESTER,
    NORTH_WEST,
    UK,
    add_change,
    add_strike,
    add_subscriber,
    outbox,
    recipients,
)

NOON = datetime(2026, 1, 12, 12, 0, tzinfo=UTC)  # January: UK time == UTC
START = datetime(2026, 1, 14, 7, 0, tzinfo=UTC)
END = datetime(2026, 1, 14, 19, 0, tzinfo=UTC)


def test_announcement_reaches_each_matching_subscriber_once(
    engine: Engine, session: Session, settings: Settings
) -> None:
    strike = add_strike(session, start=START, end=END, topic="ambulance", areas=[LONDON, ENGLAND])
    both = add_subscriber(session, areas=[UK, ENGLAND, LONDON])  # two codes match
    tg = add_subscriber(session, channel="telegram", areas=[ENGLAND, NORTH_WEST])
    elsewhere = add_subscriber(session, areas=["W92000004"])  # Wales
    wrong_topic = add_subscriber(session, areas=[LONDON], topics=["doctors"])
    stopped = add_subscriber(session, areas=[LONDON], status="stopped")
    pending = add_subscriber(session, areas=[LONDON], status="pending")
    change = add_change(session, strike, "announced", now=NOON)

    summary = fan_out(engine, settings, NOON)

    assert summary.queued == 2 and summary.changes == 1
    got = recipients(engine)
    assert got == {both.id: "announced", tg.id: "announced"}
    assert not {elsewhere.id, wrong_topic.id, stopped.id, pending.id} & got.keys()
    rows: dict[int | None, OutboxMessage] = {r.subscriber_id: r for r in outbox(engine)}
    assert rows[both.id].dedupe_key == f"change:{change.id}:{both.id}"
    assert rows[both.id].channel == "sms" and rows[tg.id].channel == "telegram"
    assert rows[both.id].status == "pending" and rows[both.id].strike_id == strike.id
    assert rows[both.id].not_before == NOON
    assert rows[both.id].expires_at == END
    session.expire_all()
    assert session.get(StrikeChange, change.id).fanned_out_at == NOON  # type: ignore[union-attr]


def test_running_again_queues_nothing_twice(
    engine: Engine, session: Session, settings: Settings
) -> None:
    strike = add_strike(session, start=START, end=END)
    subs = [add_subscriber(session) for _ in range(5)]
    change = add_change(session, strike, "announced", now=NOON)

    assert fan_out(engine, settings, NOON).queued == 5
    assert fan_out(engine, settings, NOON + timedelta(minutes=1)).queued == 0

    # Even if the fanned-out mark were lost (a crash between two statements elsewhere), the
    # dedupe key keeps the queue exact, and the count says so.
    with engine.begin() as conn:
        conn.execute(update(CHANGE).where(CHANGE.c.id == change.id).values(fanned_out_at=None))
        result = fan_out_change(conn, change.id, settings, NOON)  # type: ignore[arg-type]
    assert result is not None and result.queued == 0
    assert {r.subscriber_id for r in outbox(engine)} == {s.id for s in subs}


def test_only_approved_changes_are_sent(
    engine: Engine, session: Session, settings: Settings
) -> None:
    strike = add_strike(session, start=START, end=END)
    sub = add_subscriber(session)
    waiting = add_change(session, strike, "announced", now=NOON, approval="pending")
    add_change(session, strike, "changed", now=NOON, approval="rejected")
    add_change(session, strike, "none", now=NOON)

    assert fan_out(engine, settings, NOON).queued == 0
    assert outbox(engine) == []

    session.execute(
        update(StrikeChange).where(col(StrikeChange.id) == waiting.id).values(approval="approved")
    )
    session.commit()
    assert fan_out(engine, settings, NOON).queued == 1
    assert recipients(engine) == {sub.id: "announced"}


def _mark_sent(session: Session, **filters: object) -> None:
    stmt = update(OutboxMessage).values(status="sent", attempts=1, sent_at=NOON)
    for key, value in filters.items():
        stmt = stmt.where(getattr(OutboxMessage, key) == value)
    session.execute(stmt)
    session.commit()


def test_call_off_goes_to_those_told_not_to_the_area(
    engine: Engine, session: Session, settings: Settings
) -> None:
    strike = add_strike(session, start=START, end=END, areas=[LONDON])
    told = add_subscriber(session, areas=[LONDON])
    told_then_moved = add_subscriber(session, areas=[LONDON])
    add_change(session, strike, "announced", now=NOON)
    fan_out(engine, settings, NOON)
    _mark_sent(session)

    # Joined the area after the announcement went out; and one who moved away since.
    late = add_subscriber(session, areas=[LONDON])
    session.execute(
        update(SubscriberArea)
        .where(col(SubscriberArea.subscriber_id) == told_then_moved.id)
        .values(area_code=MANCHESTER)
    )
    session.commit()

    off = add_change(session, strike, "called_off", now=NOON + timedelta(hours=1))
    summary = fan_out(engine, settings, NOON + timedelta(hours=1))

    assert summary.queued == 2
    assert recipients(engine, strike_change_id=off.id) == {
        told.id: "called_off",
        told_then_moved.id: "called_off",
    }
    assert late.id not in recipients(engine, strike_change_id=off.id)


def test_call_off_before_anything_was_sent_cancels_silently(
    engine: Engine, session: Session, settings: Settings
) -> None:
    strike = add_strike(session, start=START, end=END)
    add_subscriber(session)
    add_subscriber(session, channel="telegram")
    add_change(session, strike, "announced", now=NOON)
    add_change(session, strike, "called_off", now=NOON)

    summary = fan_out(engine, settings, NOON)

    assert summary.changes == 2 and summary.queued == 2 and summary.cancelled == 2
    rows = outbox(engine)
    assert [r.kind for r in rows] == ["announced", "announced"]
    assert {r.status for r in rows} == {"skipped"}


def test_change_reaches_told_and_newly_covered_people(
    engine: Engine, session: Session, settings: Settings
) -> None:
    strike = add_strike(session, start=START, end=END, areas=[LONDON])
    told = add_subscriber(session, areas=[LONDON])
    north = add_subscriber(session, areas=[NORTH_WEST])
    add_change(session, strike, "announced", now=NOON)
    fan_out(engine, settings, NOON)
    _mark_sent(session)

    # The walkout widens to the North West as well.
    session.add(StrikeArea(strike_id=strike.id, area_code=NORTH_WEST))  # type: ignore[arg-type]
    session.commit()
    widened = add_change(
        session, strike, "changed", now=NOON + timedelta(hours=2), kind="areas_widened"
    )
    assert fan_out(engine, settings, NOON + timedelta(hours=2)).queued == 2

    assert recipients(engine, strike_change_id=widened.id) == {
        told.id: "changed",
        north.id: "announced",
    }


def test_change_supersedes_an_alert_not_yet_sent(
    engine: Engine, session: Session, settings: Settings
) -> None:
    strike = add_strike(session, start=START, end=END)
    sub = add_subscriber(session)
    first = add_change(session, strike, "announced", now=NOON)
    fan_out(engine, settings, NOON)
    moved = add_change(session, strike, "changed", now=NOON + timedelta(minutes=1))
    fan_out(engine, settings, NOON + timedelta(minutes=1))

    by_change: dict[int | None, OutboxMessage] = {r.strike_change_id: r for r in outbox(engine)}
    assert by_change[first.id].status == "skipped"
    # Never told, so the change arrives as the announcement: one message, not two.
    assert by_change[moved.id].status == "pending" and by_change[moved.id].kind == "announced"
    assert by_change[moved.id].subscriber_id == sub.id


def test_quiet_hours_hold_sms_but_not_telegram(
    engine: Engine, session: Session, settings: Settings
) -> None:
    late_evening = datetime(2026, 1, 12, 22, 30, tzinfo=UTC)
    strike = add_strike(session, start=START, end=END)
    sms = add_subscriber(session)
    tg = add_subscriber(session, channel="telegram")
    add_change(session, strike, "announced", now=late_evening)
    fan_out(engine, settings, late_evening)

    rows: dict[int | None, OutboxMessage] = {r.subscriber_id: r for r in outbox(engine)}
    assert rows[sms.id].not_before == datetime(2026, 1, 13, 8, 0, tzinfo=UTC)
    assert rows[tg.id].not_before == late_evening


def test_quiet_hours_follow_uk_summer_time(
    engine: Engine, session: Session, settings: Settings
) -> None:
    evening_bst = datetime(2026, 6, 10, 20, 30, tzinfo=UTC)  # 21:30 in London
    strike = add_strike(session, start=datetime(2026, 6, 15, 6, tzinfo=UTC))
    sms = add_subscriber(session)
    add_change(session, strike, "announced", now=evening_bst)
    fan_out(engine, settings, evening_bst)
    (row,) = [r for r in outbox(engine) if r.subscriber_id == sms.id]
    assert row.not_before == datetime(2026, 6, 11, 7, 0, tzinfo=UTC)  # 08:00 BST


def test_call_off_for_next_morning_breaks_quiet_hours(
    engine: Engine, session: Session, settings: Settings
) -> None:
    told_at = datetime(2026, 1, 13, 12, 0, tzinfo=UTC)
    night = datetime(2026, 1, 13, 23, 15, tzinfo=UTC)
    tomorrow = add_strike(session, start=START, end=END)  # 07:00 on the 14th
    later = add_strike(session, start=START + timedelta(days=3), end=END + timedelta(days=3))
    sub = add_subscriber(session)
    add_change(session, tomorrow, "announced", now=told_at)
    add_change(session, later, "announced", now=told_at)
    fan_out(engine, settings, told_at)
    _mark_sent(session)

    off_tomorrow = add_change(session, tomorrow, "called_off", now=night)
    off_later = add_change(session, later, "called_off", now=night)
    fan_out(engine, settings, night)

    rows: dict[int | None, OutboxMessage] = {
        r.strike_change_id: r for r in outbox(engine) if r.subscriber_id == sub.id
    }
    assert rows[off_tomorrow.id].not_before == night
    assert rows[off_later.id].not_before == datetime(2026, 1, 14, 8, 0, tzinfo=UTC)


def test_news_about_a_finished_walkout_is_not_sent(
    engine: Engine, session: Session, settings: Settings
) -> None:
    strike = add_strike(session, start=START, end=END)
    add_subscriber(session)
    change = add_change(session, strike, "announced", now=END + timedelta(hours=1))
    summary = fan_out(engine, settings, END + timedelta(hours=1))
    assert summary.queued == 0 and outbox(engine) == []
    session.expire_all()
    assert session.get(StrikeChange, change.id).fanned_out_at is not None  # type: ignore[union-attr]


def test_walkout_without_end_expires_a_day_after_start(
    engine: Engine, session: Session, settings: Settings
) -> None:
    strike = add_strike(session, start=START, end=None)
    add_subscriber(session)
    add_change(session, strike, "announced", now=NOON)
    fan_out(engine, settings, NOON)
    (row,) = outbox(engine)
    assert row.expires_at == START + timedelta(hours=24)


def test_two_workers_fanning_out_at_once_queue_each_alert_once(
    engine: Engine, session: Session, settings: Settings
) -> None:
    import threading

    strike = add_strike(session, start=START, end=END)
    subs = [add_subscriber(session) for _ in range(30)]
    for _ in range(3):
        add_change(session, strike, "announced", now=NOON)
    totals: list[int] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            totals.append(fan_out(engine, settings, NOON).queued)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(totals) == 3 * len(subs) == len(outbox(engine))
