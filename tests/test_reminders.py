"""Day-before reminders: the pure decision and the minute tick against a real database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from config.settings import Settings, load_settings
from feeds.models import Strike
from notifier.fanout import fan_out
from notifier.models import OutboxMessage
from notifier.reminders import plan_groups, queue_due_reminders, reminders_due
from notifier.timing import TimingError, reminder_at
from subscribers.models import Subscriber
from tests.alert_data import add_change, add_strike, add_subscriber, outbox

START = datetime(2026, 1, 14, 7, 0, tzinfo=UTC)  # Wednesday 07:00 UK (GMT)
END = datetime(2026, 1, 14, 19, 0, tzinfo=UTC)
EVE = datetime(2026, 1, 13, 0, 0, tzinfo=UTC)
ANNOUNCED_AT = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)


def at(hhmm: str, day: datetime = EVE) -> datetime:
    h, m = hhmm.split(":")
    return day.replace(hour=int(h), minute=int(m))


def slow_sms(settings: Settings, segments_per_second: float) -> Settings:
    return settings.model_copy(update={"sms_segments_per_second": segments_per_second})


# --- the pure decision -----------------------------------------------------------------------


def test_reminder_is_due_from_the_subscribers_time_the_evening_before(settings: Settings) -> None:
    counts = {("sms", "18:00"): 10, ("telegram", "19:30"): 5}

    def due(now: datetime, queued: set[tuple[str, str]] | None = None) -> list[tuple[str, str]]:
        decision = reminders_due(
            now, strike_id=1, start=START, counts=counts, queued=queued or set(), settings=settings
        )
        return [(g.channel, g.reminder_time) for g in decision.due]

    assert due(at("17:59")) == []
    assert due(at("18:00")) == [("sms", "18:00")]
    assert due(at("19:45")) == [("sms", "18:00"), ("telegram", "19:30")]
    assert due(at("19:45"), {("sms", "18:00")}) == [("telegram", "19:30")]
    assert due(START) == []  # once the walkout has begun a reminder is pointless


def test_reminder_time_is_uk_wall_clock_in_summer() -> None:
    june_start = datetime(2026, 6, 17, 6, 0, tzinfo=UTC)  # 07:00 BST
    assert reminder_at(june_start, "18:00") == datetime(2026, 6, 16, 17, 0, tzinfo=UTC)
    # A walkout starting just after midnight UK time is reminded of two UTC dates earlier.
    just_after_midnight = datetime(2026, 6, 16, 23, 1, tzinfo=UTC)  # 00:01 BST on the 17th
    assert reminder_at(just_after_midnight, "18:00") == datetime(2026, 6, 16, 17, 0, tzinfo=UTC)


def test_bad_reminder_time_is_a_clear_error() -> None:
    with pytest.raises(TimingError, match="25:00"):
        reminder_at(START, "25:00")


def test_big_sms_audience_starts_early_to_finish_before_quiet_hours(settings: Settings) -> None:
    # 200,000 SMS of up to 2 segments at 10 segments/s take 40,000 s (11 h 6 min 40 s); they must
    # be out before quiet hours begin at 21:00 the evening before.
    counts = {("sms", "18:00"): 200_000, ("telegram", "18:00"): 200_000}
    decision = reminders_due(
        at("09:00"), strike_id=7, start=START, counts=counts, queued=set(), settings=settings
    )
    plans = {g.channel: g for g in decision.plans}
    assert plans["sms"].queue_at == at("21:00") - timedelta(seconds=40_000)
    assert plans["sms"].early
    # Telegram at 30/s needs under two hours: it keeps the subscribers' own time.
    assert plans["telegram"].queue_at == at("18:00") and not plans["telegram"].early
    fc = decision.forecast
    assert fc.early and not fc.late
    assert fc.expected_finish == at("21:00")
    assert decision.due == ()
    later = reminders_due(
        at("09:54"), strike_id=7, start=START, counts=counts, queued=set(), settings=settings
    )
    assert [(g.channel, g.reminder_time) for g in later.due] == [("sms", "18:00")]


def test_groups_are_pushed_back_in_turn(settings: Settings) -> None:
    # 1 segment/s, 2 per message: 3,600 messages take two hours each group.
    slow = slow_sms(settings, 1.0)
    plans = plan_groups(START, {("sms", "18:00"): 3600, ("sms", "20:00"): 3600}, slow)
    by_time = {p.reminder_time: p.queue_at for p in plans}
    assert by_time["20:00"] == at("19:00")  # must end at 21:00
    assert by_time["18:00"] == at("17:00")  # must end when the 20:00 group starts


def test_too_late_to_finish_is_reported(settings: Settings) -> None:
    decision = reminders_due(
        at("20:00"),
        strike_id=3,
        start=START,
        counts={("sms", "18:00"): 36_000},
        queued=set(),
        settings=slow_sms(settings, 10.0),
    )
    fc = decision.forecast
    assert fc.late
    assert fc.expected_finish == at("20:00") + timedelta(seconds=7_200)
    assert fc.deadline == at("21:00")


# --- the tick against the database -----------------------------------------------------------


def announced(
    session: Session,
    engine: Engine,
    settings: Settings,
    *,
    start: datetime = START,
    end: datetime = END,
) -> Strike:
    strike = add_strike(session, start=start, end=end)
    add_change(session, strike, "announced", now=ANNOUNCED_AT)
    fan_out(engine, settings, ANNOUNCED_AT)
    return strike


def reminder_rows(engine: Engine) -> dict[int | None, OutboxMessage]:
    return {r.subscriber_id: r for r in outbox(engine) if r.kind == "reminder"}


def test_each_subscriber_is_reminded_once_at_their_time(
    engine: Engine, session: Session, settings: Settings
) -> None:
    six = add_subscriber(session, reminder_time="18:00")
    half_seven = add_subscriber(session, channel="telegram", reminder_time="19:30")
    strike = announced(session, engine, settings)

    assert queue_due_reminders(engine, settings, at("17:59")).queued == 0
    assert queue_due_reminders(engine, settings, at("18:00")).queued == 1
    assert queue_due_reminders(engine, settings, at("18:01")).queued == 0
    assert queue_due_reminders(engine, settings, at("19:30")).queued == 1
    for minute in range(31, 40):  # a minute tick keeps running: nothing more
        assert queue_due_reminders(engine, settings, at(f"19:{minute}")).queued == 0

    rows = reminder_rows(engine)
    assert set(rows) == {six.id, half_seven.id}
    assert rows[six.id].dedupe_key == f"reminder:{strike.id}:2026-01-14:{six.id}"
    assert rows[six.id].not_before == at("18:00")
    assert rows[six.id].expires_at == START
    assert rows[half_seven.id].channel == "telegram"


def test_multi_day_walkout_gets_one_reminder(
    engine: Engine, session: Session, settings: Settings
) -> None:
    sub = add_subscriber(session)
    announced(session, engine, settings, end=START + timedelta(days=2, hours=12))
    total = 0
    for day in range(3):
        total += queue_due_reminders(engine, settings, at("18:00") + timedelta(days=day)).queued
    assert total == 1
    assert list(reminder_rows(engine)) == [sub.id]


@pytest.mark.parametrize("status", ["suspended", "postponed", "cancelled"])
def test_called_off_walkout_gets_no_reminder(
    engine: Engine, session: Session, settings: Settings, status: str
) -> None:
    add_subscriber(session)
    strike = announced(session, engine, settings)
    session.execute(update(Strike).where(col(Strike.id) == strike.id).values(status=status))
    session.commit()
    assert queue_due_reminders(engine, settings, at("18:00")).queued == 0
    assert reminder_rows(engine) == {}


def test_unapproved_walkout_gets_no_reminder(
    engine: Engine, session: Session, settings: Settings
) -> None:
    add_subscriber(session)
    strike = add_strike(session, start=START, end=END)
    add_change(session, strike, "announced", now=ANNOUNCED_AT, approval="pending")
    fan_out(engine, settings, ANNOUNCED_AT)
    assert queue_due_reminders(engine, settings, at("18:00")).queued == 0


def test_announced_after_reminder_time_for_tomorrow_gets_one_message(
    engine: Engine, session: Session, settings: Settings
) -> None:
    early_bird = add_subscriber(session, reminder_time="18:00")
    night_owl = add_subscriber(session, channel="telegram", reminder_time="20:00")
    strike = add_strike(session, start=START, end=END)
    add_change(session, strike, "announced", now=at("19:00"))
    fan_out(engine, settings, at("19:00"))

    for hhmm in ("19:00", "19:01", "20:00", "20:01"):
        queue_due_reminders(engine, settings, at(hhmm))

    kinds: dict[int | None, list[str]] = {}
    for row in outbox(engine):
        kinds.setdefault(row.subscriber_id, []).append(row.kind)
    assert kinds[early_bird.id] == ["announced"]  # told at 19:00, after their 18:00
    assert kinds[night_owl.id] == ["announced", "reminder"]


def test_late_joiner_is_swept_up(engine: Engine, session: Session, settings: Settings) -> None:
    add_subscriber(session)
    announced(session, engine, settings)
    assert queue_due_reminders(engine, settings, at("18:00")).queued == 1
    joiner = add_subscriber(session, now=at("18:03"))
    assert queue_due_reminders(engine, settings, at("18:05")).queued == 0  # not yet swept
    assert queue_due_reminders(engine, settings, at("18:10")).queued == 1
    assert joiner.id in reminder_rows(engine)
    assert queue_due_reminders(engine, settings, at("18:20")).queued == 0


def test_stopped_subscriber_is_not_reminded(
    engine: Engine, session: Session, settings: Settings
) -> None:
    sub = add_subscriber(session)
    announced(session, engine, settings)
    session.execute(update(Subscriber).where(col(Subscriber.id) == sub.id).values(status="stopped"))
    session.commit()
    assert queue_due_reminders(engine, settings, at("18:00")).queued == 0


def test_deadline_queues_early_and_forecasts_finish(
    engine: Engine, session: Session, settings: Settings
) -> None:
    # 3 SMS x 2 segments at 0.0005 segments/s = 12,000 s: must start at 17:40 to end by 21:00.
    slow = slow_sms(settings, 0.0005)
    for _ in range(3):
        add_subscriber(session)
    announced(session, engine, slow)

    assert queue_due_reminders(engine, slow, at("17:39")).queued == 0
    summary = queue_due_reminders(engine, slow, at("17:40"))
    assert summary.queued == 3
    (fc,) = summary.forecasts
    assert fc.early and not fc.late
    assert fc.first_queue_at == at("17:40")
    assert fc.expected_finish == at("21:00")
    assert {r.not_before for r in reminder_rows(engine).values()} == {at("17:40")}


def test_reminder_rates_come_from_settings() -> None:
    s = load_settings(_env_file=None, SMS_SEGMENTS_PER_SECOND=100)
    plans = plan_groups(START, {("sms", "18:00"): 1_000_000}, s)
    # 2,000,000 segments at 100/s: 20,000 s before 21:00.
    assert plans[0].queue_at == at("21:00") - timedelta(seconds=20_000)


def test_late_catch_up_waits_for_quiet_hours_but_chosen_late_time_does_not(
    engine: Engine, session: Session, settings: Settings
) -> None:
    noon_start = datetime(2026, 1, 14, 12, 0, tzinfo=UTC)
    usual = add_subscriber(session, reminder_time="18:00")
    owl = add_subscriber(session, reminder_time="22:00")
    announced(session, engine, settings, start=noon_start, end=noon_start + timedelta(hours=6))

    # The worker was down all evening and comes back at 22:30.
    assert queue_due_reminders(engine, settings, at("22:30")).queued == 2
    rows = reminder_rows(engine)
    assert rows[usual.id].not_before == datetime(2026, 1, 14, 8, 0, tzinfo=UTC)
    assert rows[owl.id].not_before == at("22:30")  # they asked for a late reminder


def test_walkout_reported_day_by_day_gets_one_reminder(
    engine: Engine, session: Session, settings: Settings
) -> None:
    sub = add_subscriber(session)
    day = timedelta(days=1)
    first = announced(session, engine, settings)  # 14th 07:00-19:00
    second = announced(session, engine, settings, start=START + day, end=END + day)
    later = announced(session, engine, settings, start=START + 3 * day, end=END + 3 * day)

    for n in range(4):
        queue_due_reminders(engine, settings, at("18:00") + n * day)

    keys = sorted(r.dedupe_key for r in outbox(engine) if r.kind == "reminder")
    assert keys == [
        f"reminder:{first.id}:2026-01-14:{sub.id}",
        f"reminder:{later.id}:2026-01-17:{sub.id}",
    ]
    assert second.id not in {r.strike_id for r in outbox(engine) if r.kind == "reminder"}
