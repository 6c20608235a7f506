"""Dispatch: claim due outbox rows, send one message per subscriber, record what happened.

Real database (SQLite or PostgreSQL per TEST_DATABASE_URL), the official Twilio client and
python-telegram-bot against fake APIs on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from config.settings import Settings, load_settings
from notifier.channels.base import Channel
from notifier.channels.console import ConsoleChannel
from notifier.dispatch import DispatchSummary, dispatch_due, retry_delay, run_dispatch_loop
from tests.alert_data import add_subscriber
from tests.dispatch_data import END, NOW, START, add_strike, queue, rows, subscriber
from tests.fakes.telegram_api import FakeTelegramAPI, blocked_by_user, rate_limited
from tests.fakes.twilio_api import Answer, FakeTwilio

SID = "AC" + "3" * 32
TOKEN = "123456:" + "B" * 30


@pytest.fixture(scope="module")
def _twilio() -> Iterator[FakeTwilio]:
    with FakeTwilio() as server:
        yield server


@pytest.fixture
def twilio(_twilio: FakeTwilio) -> FakeTwilio:
    _twilio.reset()
    return _twilio


@pytest.fixture(scope="module")
def _telegram() -> Iterator[FakeTelegramAPI]:
    with FakeTelegramAPI() as server:
        yield server


@pytest.fixture
def telegram(_telegram: FakeTelegramAPI) -> FakeTelegramAPI:
    _telegram.clear()
    return _telegram


@pytest.fixture
def live(database_url: str, twilio: FakeTwilio, telegram: FakeTelegramAPI) -> Settings:
    return load_settings(
        _env_file=None,
        DATABASE_URL=database_url,
        TWILIO_ACCOUNT_SID=SID,
        TWILIO_AUTH_TOKEN="tok",
        TWILIO_FROM_NUMBER="+447700900999",
        TWILIO_API_BASE_URL=twilio.base_url,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=telegram.base_url,
        PUBLIC_BASE_URL="https://alerts.example",
        SMS_SEGMENTS_PER_SECOND=1000,
        TELEGRAM_MESSAGES_PER_SECOND=1000,
        MAX_SEND_ATTEMPTS=3,
        SMS_VALIDITY_SECONDS=14400,
    )


def _dispatch(
    engine: Engine,
    settings: Settings,
    now: datetime = NOW,
    *,
    limit: int = 500,
    channels: dict[str, Channel] | None = None,
) -> DispatchSummary:
    return asyncio.run(
        dispatch_due(
            engine,
            settings,
            now,
            worker_id="w1",
            rng=random.Random(7),
            limit=limit,
            channels=channels,
        )
    )


def test_alert_is_composed_sent_and_recorded(
    engine: Engine, session: Session, live: Settings, twilio: FakeTwilio
) -> None:
    sub = add_subscriber(session)
    strike = add_strike(session)
    row = queue(session, sub, strike, expires_at=END)

    summary = _dispatch(engine, live)

    assert summary.sent == 1 and summary.messages == 1
    [req] = twilio.requests
    assert req.to == sub.address
    assert req.body.startswith("STRIKE: Unite ambulance workers at London Ambulance Service")
    assert "Wed 14 Jan, 07:00-19:00" in req.body and "Reply STOP" in req.body
    assert req.form["ValidityPeriod"] == "14400"
    assert req.form["StatusCallback"] == "https://alerts.example/webhooks/twilio/status"
    done = rows(engine)[row.id]  # type: ignore[index]
    assert done.status == "sent" and done.provider_message_id == req.sid
    assert done.provider_status == "queued" and done.sent_at == NOW and done.attempts == 1
    # Nothing is sent twice.
    assert _dispatch(engine, live).claimed == 0
    assert len(twilio.requests) == 1


def test_several_strikes_for_one_subscriber_go_as_one_message(
    engine: Engine, session: Session, live: Settings, twilio: FakeTwilio
) -> None:
    sub = add_subscriber(session)
    other = add_subscriber(session)
    a = add_strike(session)
    b = add_strike(
        session, unions=("GMB",), start=START + timedelta(days=1), end=END + timedelta(days=1)
    )
    r1, r2 = queue(session, sub, a), queue(session, sub, b)
    r3 = queue(session, other, b)

    summary = _dispatch(engine, live)

    assert summary.claimed == 3 and summary.messages == 2 and summary.sent == 3
    mine = twilio.messages_to(sub.address or "")
    assert len(mine) == 1
    assert "2 strike updates" in mine[0].body and "Unite" in mine[0].body and "GMB" in mine[0].body
    got = rows(engine)
    assert got[r1.id].provider_message_id == got[r2.id].provider_message_id == mine[0].sid  # type: ignore[index]
    assert got[r3.id].status == "sent"  # type: ignore[index]


def test_group_is_whole_even_when_the_limit_cuts_through_it(
    engine: Engine, session: Session, live: Settings, twilio: FakeTwilio
) -> None:
    sub = add_subscriber(session)
    strikes = [add_strike(session, start=START + timedelta(days=i)) for i in range(3)]
    for s in strikes:
        queue(session, sub, s)
    summary = _dispatch(engine, live, limit=1)
    assert summary.claimed == 3 and len(twilio.requests) == 1


def test_not_yet_due_waits_and_expired_is_never_sent(
    engine: Engine, session: Session, live: Settings, twilio: FakeTwilio
) -> None:
    sub = add_subscriber(session)
    strike = add_strike(session)
    later = queue(session, sub, strike, not_before=NOW + timedelta(hours=9))
    stale = queue(session, add_subscriber(session), strike, expires_at=NOW - timedelta(minutes=1))

    summary = _dispatch(engine, live)

    assert summary.sent == 0 and summary.expired == 1 and not twilio.requests
    got = rows(engine)
    assert got[later.id].status == "pending"  # type: ignore[index]
    assert got[stale.id].status == "skipped" and "expired" in (got[stale.id].error or "")  # type: ignore[index]
    assert _dispatch(engine, live, now=NOW + timedelta(hours=9)).sent == 1


def test_reminder_validity_ends_when_the_walkout_starts(
    engine: Engine, session: Session, live: Settings, twilio: FakeTwilio
) -> None:
    sub = add_subscriber(session)
    strike = add_strike(session)
    queue(session, sub, strike, "reminder")
    evening = START - timedelta(hours=2)  # 05:00 on the day: two hours to go
    _dispatch(engine, live, now=evening)
    [req] = twilio.requests
    assert req.form["ValidityPeriod"] == str(2 * 3600)
    assert req.body.startswith("STRIKE TODAY:")


def test_opt_out_stops_the_subscriber_and_drops_their_queue(
    engine: Engine, session: Session, live: Settings, twilio: FakeTwilio
) -> None:
    sub = add_subscriber(session)
    strike = add_strike(session)
    row = queue(session, sub, strike)
    later = queue(session, sub, strike, "reminder", not_before=NOW + timedelta(days=1))
    twilio.answer_for(sub.address or "", Answer.error(21610))

    summary = _dispatch(engine, live)

    assert summary.failed == 1 and summary.stopped_subscribers == 1
    got = rows(engine)
    assert got[row.id].status == "failed" and "21610" in (got[row.id].error or "")  # type: ignore[index]
    assert got[later.id].status == "skipped"  # type: ignore[index]
    stopped = subscriber(engine, sub.id)
    assert stopped.status == "stopped" and stopped.stop_reason == "opted_out"


def test_invalid_number_stops_with_a_reason(
    engine: Engine, session: Session, live: Settings, twilio: FakeTwilio
) -> None:
    sub = add_subscriber(session)
    queue(session, sub, add_strike(session))
    twilio.answer_for(sub.address or "", Answer.error(21211))
    _dispatch(engine, live)
    stopped = subscriber(engine, sub.id)
    assert stopped.status == "stopped" and stopped.stop_reason == "invalid_address"


def test_transient_errors_back_off_then_dead_letter(
    engine: Engine, session: Session, live: Settings, twilio: FakeTwilio
) -> None:
    sub = add_subscriber(session)
    row = queue(session, sub, add_strike(session))
    twilio.answer_for(
        sub.address or "",
        Answer.server_error(),
        Answer.too_many(retry_after=600),
        Answer.server_error(503),
    )

    first = _dispatch(engine, live)
    assert first.retried == 1
    r = rows(engine)[row.id]  # type: ignore[index]
    assert r.status == "pending" and r.attempts == 1 and r.claimed_by is None
    assert NOW + timedelta(seconds=7) <= r.not_before <= NOW + timedelta(seconds=15)

    second = _dispatch(engine, live, now=r.not_before)
    r2 = rows(engine)[row.id]  # type: ignore[index]
    assert second.retried == 1 and r2.attempts == 2
    assert r2.not_before >= r.not_before + timedelta(seconds=600)  # Retry-After honoured

    third = _dispatch(engine, live, now=r2.not_before)
    r3 = rows(engine)[row.id]  # type: ignore[index]
    assert third.dead == 1 and r3.status == "dead" and "after 3 attempts" in (r3.error or "")
    assert len(twilio.requests) == 3


def test_permanent_error_is_a_dead_letter(
    engine: Engine, session: Session, live: Settings, twilio: FakeTwilio
) -> None:
    sub = add_subscriber(session)
    row = queue(session, sub, add_strike(session))
    twilio.answer_for(sub.address or "", Answer.error(21408))
    assert _dispatch(engine, live).dead == 1
    assert rows(engine)[row.id].status == "dead"  # type: ignore[index]
    assert subscriber(engine, sub.id).status == "active"


def test_stale_claims_of_a_dead_worker_are_reclaimed(
    engine: Engine, session: Session, live: Settings, twilio: FakeTwilio
) -> None:
    strike = add_strike(session)
    old = queue(
        session,
        add_subscriber(session),
        strike,
        status="sending",
        claimed_at=NOW - timedelta(minutes=30),
        attempts=1,
    )
    fresh = queue(
        session,
        add_subscriber(session),
        strike,
        status="sending",
        claimed_at=NOW - timedelta(seconds=20),
        attempts=1,
    )
    summary = _dispatch(engine, live)
    assert summary.reclaimed == 1 and summary.sent == 1
    got = rows(engine)
    assert got[old.id].status == "sent" and got[old.id].attempts == 2  # type: ignore[index]
    assert got[fresh.id].status == "sending"  # type: ignore[index]


def test_stopped_subscribers_get_no_alerts_but_do_get_replies(
    engine: Engine, session: Session, live: Settings, twilio: FakeTwilio
) -> None:
    gone = add_subscriber(session, status="stopped")
    alert = queue(session, gone, add_strike(session))
    text = "You will get no more alerts. Text START to rejoin."
    reply = queue(session, gone, None, "reply", body=text)
    summary = _dispatch(engine, live)
    assert summary.sent == 1 and summary.skipped == 1
    [req] = twilio.requests
    assert req.body == text
    got = rows(engine)
    assert got[alert.id].status == "skipped" and got[reply.id].status == "sent"  # type: ignore[index]


def test_telegram_sends_html_and_blocked_users_are_stopped(
    engine: Engine, session: Session, live: Settings, telegram: FakeTelegramAPI
) -> None:
    fan = add_subscriber(session, channel="telegram")
    blocker = add_subscriber(session, channel="telegram")
    strike = add_strike(session)
    ok_row, blocked_row = queue(session, fan, strike), queue(session, blocker, strike)
    telegram.set_chat_error(blocker.address or "", blocked_by_user())
    try:
        summary = _dispatch(engine, live)
    finally:
        telegram.set_chat_error(blocker.address or "", None)
    assert summary.sent == 1 and summary.failed == 1
    [text] = telegram.sent_texts(fan.address)
    assert "<b>Strike announced</b>" in text and "Unite ambulance workers" in text
    got = rows(engine)
    assert got[ok_row.id].status == "sent" and got[blocked_row.id].status == "failed"  # type: ignore[index]
    assert subscriber(engine, blocker.id).stop_reason == "opted_out"


def test_telegram_flood_limit_delays_only_that_chat(
    engine: Engine, session: Session, live: Settings, telegram: FakeTelegramAPI
) -> None:
    limited = add_subscriber(session, channel="telegram")
    other = add_subscriber(session, channel="telegram")
    strike = add_strike(session)
    r1, r2 = queue(session, limited, strike), queue(session, other, strike)
    telegram.set_chat_error(limited.address or "", rate_limited(retry_after=45))
    try:
        summary = _dispatch(engine, live)
    finally:
        telegram.set_chat_error(limited.address or "", None)
    assert summary.sent == 1 and summary.retried == 1
    got = rows(engine)
    assert got[r2.id].status == "sent"  # type: ignore[index]
    assert got[r1.id].status == "pending"  # type: ignore[index]
    assert got[r1.id].not_before >= NOW + timedelta(seconds=45)  # type: ignore[index]


def test_without_credentials_messages_are_printed(
    engine: Engine, session: Session, settings: Settings
) -> None:
    sub = add_subscriber(session)
    queue(session, sub, add_strike(session))
    console = ConsoleChannel("sms", stream=open("/dev/null", "w"))  # noqa: SIM115
    summary = _dispatch(engine, settings, channels={"sms": console})
    assert summary.sent == 1
    [msg] = console.sent
    assert msg.address == sub.address and msg.text.startswith("STRIKE:")


def test_retry_delay_grows_with_jitter_and_respects_retry_after() -> None:
    rng = random.Random(1)
    delays = [retry_delay(n, None, rng) for n in range(1, 6)]
    assert all(
        15 * 2 ** (n - 1) / 2 <= d <= 15 * 2 ** (n - 1)
        for n, d in zip(range(1, 6), delays, strict=True)
    )
    assert retry_delay(1, 300, rng) == 300
    assert retry_delay(40, None, rng) <= 1800


def test_stopping_hands_back_what_was_not_sent_yet(
    engine: Engine, session: Session, live: Settings, twilio: FakeTwilio
) -> None:
    slow = live.model_copy(update={"sms_segments_per_second": 2.0})
    strike = add_strike(session)
    queued = [queue(session, add_subscriber(session), strike) for _ in range(12)]

    async def run() -> DispatchSummary:
        stop = asyncio.Event()

        async def stop_after_first_send() -> None:
            while not twilio.requests:
                await asyncio.sleep(0.02)
            stop.set()

        watcher = asyncio.create_task(stop_after_first_send())
        summary = await run_dispatch_loop(
            engine, slow, worker_id="w1", stop=stop, clock=lambda: NOW
        )
        await watcher
        return summary

    summary = asyncio.run(run())
    got = rows(engine)
    sent = [r for r in queued if got[r.id].status == "sent"]  # type: ignore[index]
    back = [r for r in queued if got[r.id].status == "pending"]  # type: ignore[index]
    assert 1 <= len(sent) < 12 and len(sent) + len(back) == 12
    assert summary.sent == len(sent) and summary.released == len(back)
    assert all(got[r.id].attempts == 0 and got[r.id].claimed_by is None for r in back)  # type: ignore[index]
    assert len(twilio.requests) == len(sent)


def test_an_announcement_for_a_strike_called_off_meanwhile_is_not_sent(
    engine: Engine, session: Session, live: Settings, twilio: FakeTwilio
) -> None:
    sub = add_subscriber(session)
    strike = add_strike(session, status="cancelled")
    stale = queue(session, sub, strike, "announced")
    off = queue(session, add_subscriber(session), strike, "called_off")
    summary = _dispatch(engine, live)
    assert summary.sent == 1 and summary.skipped == 1
    got = rows(engine)
    assert got[stale.id].status == "skipped" and "cancelled" in (got[stale.id].error or "")  # type: ignore[index]
    assert got[off.id].status == "sent"  # type: ignore[index]
    [req] = twilio.requests
    assert req.body.startswith("STRIKE CALLED OFF:")


def test_ready_written_replies_are_plain_text_on_telegram(
    engine: Engine, session: Session, live: Settings, telegram: FakeTelegramAPI
) -> None:
    sub = add_subscriber(session, channel="telegram")
    queue(session, sub, None, "reply", body="Postcodes: LS1 <none> & more")
    assert _dispatch(engine, live).sent == 1
    [call] = telegram.calls("sendMessage")
    # Sent as HTML, so the text is escaped: the resident sees exactly what was written.
    assert call.params["parse_mode"] == "HTML"
    assert call.text == "Postcodes: LS1 &lt;none&gt; &amp; more"
