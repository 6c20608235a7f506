"""One whole cycle: feed over real HTTP -> detection -> fan-out -> reminders -> dispatch."""

from __future__ import annotations

import asyncio
import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from config.settings import Settings, load_settings
from config.topics import TOPICS
from notifier.channels.base import Channel
from notifier.channels.console import ConsoleChannel
from notifier.cycle import run_cycle
from notifier.models import WorkerState
from subscribers.areas import all_areas
from tests.alert_data import add_change, add_strike, add_subscriber, outbox
from tests.fakes.feed_server import FeedServer, Route
from tests.feeds_support import add_sources

NOW = datetime(2026, 1, 12, 10, 0, tzinfo=UTC)
START = datetime(2026, 1, 21, 7, 0, tzinfo=UTC)


def consoles() -> tuple[dict[str, Channel], dict[str, ConsoleChannel]]:
    made = {n: ConsoleChannel(n, stream=io.StringIO()) for n in ("sms", "telegram")}
    return dict(made), made


def test_cycle_queues_and_sends_an_approved_change_once(
    engine: Engine, session: Session, settings: Settings
) -> None:
    strike = add_strike(session, start=START, end=START.replace(hour=19))
    sms = add_subscriber(session)
    tg = add_subscriber(session, channel="telegram")
    add_subscriber(session, areas=["W92000004"])  # Wales: not affected
    add_change(session, strike, "announced", now=NOW)
    channels, made = consoles()

    first = asyncio.run(run_cycle(engine, settings, NOW, poll=False, channels=channels))
    again = asyncio.run(run_cycle(engine, settings, NOW, poll=False, channels=channels))

    assert first.errors == [] and again.errors == []
    assert (first.queued, first.sent) == (2, 2)
    assert (again.queued, again.sent) == (0, 0)
    assert {r.subscriber_id: r.status for r in outbox(engine)} == {sms.id: "sent", tg.id: "sent"}
    assert len(made["sms"].sent) == 1 and len(made["telegram"].sent) == 1
    assert made["sms"].sent[0].address == sms.address


def _rss(title: str, text: str, link: str, published: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        "<title>Union news</title><link>https://union.example.org/</link>"
        f"<item><title>{title}</title><link>{link}</link><guid>{link}</guid>"
        f"<pubDate>{published}</pubDate><description>{text}</description></item>"
        "</channel></rss>"
    ).encode()


def test_cycle_from_feed_to_delivered_alert(
    engine: Engine, session: Session, database_url: str
) -> None:
    settings = load_settings(DATABASE_URL=database_url, POLL_TIMEOUT_SECONDS=2, _env_file=None)
    everywhere = add_subscriber(
        session, channel="telegram", areas=[a.code for a in all_areas()], topics=list(TOPICS)
    )
    nowhere = add_subscriber(session, channel="telegram", areas=["X00000000"], topics=list(TOPICS))
    channels, made = consoles()
    with FeedServer() as server:
        server.route(
            "/news.xml",
            Route(
                body=_rss(
                    "Ambulance workers in the North West to strike on 21 January",
                    "Unite members working for North West Ambulance Service will walk out from "
                    "7am to 7pm on Wednesday 21 January in a dispute over pay, the union "
                    "announced today.",
                    "https://union.example.org/news/nwas-strike",
                    "Mon, 12 Jan 2026 09:00:00 GMT",
                )
            ),
        )
        add_sources(engine, {"id": "union-news", "kind": "union", "url": server.url("/news.xml")})
        summary = asyncio.run(run_cycle(engine, settings, NOW, channels=channels))

    assert summary.errors == []
    assert summary.poll is not None and summary.poll["new_articles"] == 1
    assert summary.detect is not None and summary.detect["changes"] >= 1
    assert summary.queued == 1 and summary.sent == 1
    (row,) = outbox(engine)
    assert row.subscriber_id == everywhere.id and row.kind == "announced"
    assert nowhere.id != row.subscriber_id
    (message,) = made["telegram"].sent
    assert "21 Jan" in message.text
    with Session(engine) as s:
        last_poll = s.get(WorkerState, "last_poll")
    assert last_poll is not None and last_poll.value == NOW.isoformat()


def test_tick_command_reports_queued_and_sent(
    engine: Engine, session: Session, database_url: str, tmp_path: object
) -> None:
    strike = add_strike(session, start=START, end=START.replace(hour=19))
    add_subscriber(session, channel="telegram")
    add_subscriber(session, channel="telegram")
    add_change(session, strike, "announced", now=NOW)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TWILIO_", "TELEGRAM_", "DATABASE_URL"))
    }
    env.update(DATABASE_URL=database_url, LOG_LEVEL="WARNING")
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "from notifier.cli import main; main()",
            "tick",
            "--now",
            "2026-01-12T10:00",
            "--no-poll",
            "--json",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["queued"] == 2 and data["sent"] == 2
    assert data["fanout"]["queued"] == 2 and data["errors"] == []
    assert data["now"].startswith("2026-01-12T10:00")
    # The console channel's printout goes to standard error so the JSON stays parseable.
    assert "--- telegram to" in out.stderr


def test_tick_rejects_a_bad_time(database_url: str) -> None:
    env = dict(os.environ, DATABASE_URL=database_url)
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "from notifier.cli import main; main()",
            "tick",
            "--now",
            "next tuesday",
            "--no-poll",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode != 0
    assert "not an ISO time" in out.stderr


def test_two_walkouts_in_one_trigger_make_one_message(
    engine: Engine, session: Session, settings: Settings
) -> None:
    first = add_strike(session, start=START, end=START.replace(hour=19))
    second = add_strike(session, start=START.replace(day=22), end=START.replace(day=22, hour=19))
    sub = add_subscriber(session, channel="telegram")
    add_change(session, first, "announced", now=NOW)
    add_change(session, second, "announced", now=NOW)
    channels, made = consoles()

    summary = asyncio.run(run_cycle(engine, settings, NOW, poll=False, channels=channels))

    assert summary.queued == 2  # one outbox row per walkout...
    assert [m.address for m in made["telegram"].sent] == [sub.address]  # ...one message
    assert {r.status for r in outbox(engine)} == {"sent"}


def test_tick_tells_the_operator_when_reminders_will_finish(
    engine: Engine, session: Session, database_url: str
) -> None:
    settings = load_settings(_env_file=None, DATABASE_URL=database_url)
    strike = add_strike(session, start=START, end=START.replace(hour=19))
    for _ in range(3):
        add_subscriber(session, channel="telegram")
    add_change(session, strike, "announced", now=NOW)
    asyncio.run(run_cycle(engine, settings, NOW, poll=False, dispatch=False))

    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TWILIO_", "TELEGRAM_", "DATABASE_URL"))
    }
    # 3 Telegram messages at 0.00005/s take 60,000 s (16 h 40 min): to be done when the walkout
    # starts at 07:00 they must start at 14:20 the day before, not at 18:00.
    env.update(
        DATABASE_URL=database_url, TELEGRAM_MESSAGES_PER_SECOND="0.00005", LOG_LEVEL="WARNING"
    )
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "from notifier.cli import main; main()",
            "tick",
            "--now",
            "2026-01-20T14:20",
            "--no-poll",
            "--no-dispatch",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert "queued: 3 (0 alerts, 3 reminders)" in out.stdout
    assert (
        f"strike {strike.id}: 3 reminders, expected to finish 2026-01-21T07:00:00+00:00"
        " (deadline 2026-01-21T07:00:00+00:00)" in out.stdout
    )
    assert "started early to finish in time" in out.stdout
