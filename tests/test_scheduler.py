"""The worker: jobs and their settings, leadership hand-over, restarts, and `notifier run`."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from config.db_types import utcnow
from config.settings import Settings
from feeds.models import Feed
from notifier.db import make_engine
from notifier.scheduler import (
    JOB_ALERTS,
    JOB_FEEDS_SYNC,
    JOB_HOUSEKEEPING,
    JOB_LEADERSHIP,
    Worker,
)
from tests.alert_data import add_change, add_strike, add_subscriber, outbox
from tests.fakes.feed_server import FeedServer, Route
from tests.feeds_support import add_sources

LEADER_JOBS = {JOB_LEADERSHIP, JOB_ALERTS, JOB_FEEDS_SYNC, JOB_HOUSEKEEPING}


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    with FeedServer() as server:
        server.route(
            "/a.xml", Route(body=b'<rss version="2.0"><channel><title>a</title></channel></rss>')
        )
        yield server


def _worker(engine: Engine, settings: Settings, **kw: object) -> Worker:
    return Worker(engine, settings, dispatch=False, sync_catalogue=False, **kw)  # type: ignore[arg-type]


def test_leader_gets_fixed_jobs_and_one_poll_job_per_feed(
    engine: Engine, settings: Settings, feed_server: FeedServer
) -> None:
    add_sources(
        engine,
        {"id": "fast", "url": feed_server.url("/a.xml"), "interval_s": 300},
        {"id": "slow", "url": feed_server.url("/a.xml"), "interval_s": 3600},
    )

    async def scenario() -> None:
        worker = _worker(engine, settings)
        await worker.start()
        try:
            assert worker.is_leader
            ids = {j.id for j in worker.scheduler.get_jobs()}
            assert ids == LEADER_JOBS | {"poll:fast", "poll:slow"}
            fast = worker.scheduler.get_job("poll:fast")
            assert fast.trigger.interval == timedelta(seconds=300)
            assert fast.trigger.jitter and 0 < fast.trigger.jitter <= 60
            assert fast.max_instances == 1 and fast.coalesce is True
            assert fast.misfire_grace_time >= 30
            assert worker.scheduler.get_job("poll:slow").trigger.interval == timedelta(hours=1)

            # Scheduling again (the periodic sync) changes nothing; a retired feed loses its job.
            await worker.schedule_feeds()
            assert worker.poll_job_ids() == ["poll:fast", "poll:slow"]
            with Session(engine) as s:
                s.execute(update(Feed).where(col(Feed.id) == "slow").values(enabled=False))
                s.commit()
            await worker.schedule_feeds()
            assert worker.poll_job_ids() == ["poll:fast"]
        finally:
            await worker.shutdown()

    asyncio.run(scenario())


def test_follower_waits_and_takes_over(
    engine: Engine, settings: Settings, database_url: str
) -> None:
    other = make_engine(database_url)

    async def scenario() -> None:
        leader, follower = _worker(engine, settings), _worker(other, settings)
        await leader.start()
        await follower.start()
        try:
            assert leader.is_leader and not follower.is_leader
            assert {j.id for j in follower.scheduler.get_jobs()} == {JOB_LEADERSHIP}
            await leader.shutdown()
            await follower.leadership_tick()
            assert follower.is_leader
            assert {j.id for j in follower.scheduler.get_jobs()} >= LEADER_JOBS
        finally:
            await follower.shutdown()
            await leader.shutdown()

    try:
        asyncio.run(scenario())
    finally:
        other.dispose()


def test_restart_sends_nothing_twice(engine: Engine, session: Session, settings: Settings) -> None:
    now = utcnow()
    strike = add_strike(
        session, start=now + timedelta(days=3), end=now + timedelta(days=3, hours=8)
    )
    add_subscriber(session, channel="telegram")
    add_subscriber(session, channel="telegram")
    add_change(session, strike, "announced", now=now)

    async def one_life() -> None:
        worker = _worker(engine, settings, clock=lambda: now)
        await worker.start()
        try:
            await worker.alerts_tick()
        finally:
            await worker.shutdown()

    asyncio.run(one_life())
    asyncio.run(one_life())  # restarted
    assert len(outbox(engine)) == 2


def test_worker_delivers_without_being_asked(
    engine: Engine, session: Session, settings: Settings
) -> None:
    """A running worker fans out and sends on its own: the leader's tick, the dispatch loop."""
    now = utcnow()
    strike = add_strike(
        session, start=now + timedelta(days=2), end=now + timedelta(days=2, hours=8)
    )
    sub = add_subscriber(session, channel="telegram")
    add_change(session, strike, "announced", now=now)

    async def scenario() -> None:
        worker = Worker(engine, settings, sync_catalogue=False, worker_id="test-worker")
        await worker.start()
        try:
            for _ in range(100):
                rows = outbox(engine)
                if rows and rows[0].status == "sent":
                    break
                await asyncio.sleep(0.1)
        finally:
            await worker.shutdown()

    asyncio.run(scenario())
    (row,) = outbox(engine)
    assert row.subscriber_id == sub.id and row.status == "sent"
    assert row.claimed_by == "test-worker"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_run_with_web_serves_and_stops_cleanly(
    database_url: str, engine: Engine, tmp_path: Path, feed_server: FeedServer
) -> None:
    catalogue = tmp_path / "feeds.yaml"
    catalogue.write_text(
        "feeds:\n"
        "  - id: local-union\n    name: Local union\n    kind: union\n"
        f"    url: {feed_server.url('/a.xml')}\n    areas: [K02000001]\n    interval: 15m\n"
    )
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "TELEGRAM_"))}
    env.update(
        DATABASE_URL=database_url,
        FEEDS_FILE=str(catalogue),
        PORT=str(port),
        HOST="127.0.0.1",
        LOG_LEVEL="INFO",
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", "from notifier.cli import main; main()", "run", "--with-web"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        body = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                    body = json.loads(r.read())
                    if body.get("last_poll"):
                        break
            except OSError:
                pass
            time.sleep(0.2)
        assert body is not None and body["status"] == "ok"
        assert body["last_poll"], "the worker polled the local feed and said so"
        assert any(r.path == "/a.xml" for r in feed_server.requests)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "sms channel: console (no Twilio credentials)" in out
    assert "telegram channel: console (no TELEGRAM_BOT_TOKEN)" in out
    assert "became scheduler leader" in err


def test_serve_answers_health_checks(database_url: str, engine: Engine) -> None:
    port = _free_port()
    env = dict(os.environ, DATABASE_URL=database_url, PORT=str(port), HOST="127.0.0.1")
    proc = subprocess.Popen(
        [sys.executable, "-c", "from notifier.cli import main; main()", "serve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        body = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                    body = json.loads(r.read())
                    break
            except OSError:
                time.sleep(0.1)
        assert body is not None and body["database"] == "ok"
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0
    assert f"web app: http://127.0.0.1:{port}/" in out


def test_poll_job_follows_the_feeds_schedule_in_the_database(
    engine: Engine, settings: Settings, feed_server: FeedServer
) -> None:
    feed_server.route("/broken.xml", Route(status=500))
    add_sources(
        engine,
        {"id": "ok", "url": feed_server.url("/a.xml"), "interval_s": 600},
        {"id": "broken", "url": feed_server.url("/broken.xml"), "interval_s": 600},
    )

    async def scenario() -> None:
        worker = _worker(engine, settings)
        await worker.start()
        try:
            for feed_id in ("ok", "broken"):
                await worker.poll_feed(feed_id)
                with Session(engine) as s:
                    feed = s.get(Feed, feed_id)
                    assert feed is not None and feed.next_poll_at is not None
                job = worker.scheduler.get_job(f"poll:{feed_id}")
                assert job.next_run_time == feed.next_poll_at
            with Session(engine) as s:
                broken = s.get(Feed, "broken")
                assert broken is not None and broken.consecutive_failures == 1
        finally:
            await worker.shutdown()

    asyncio.run(scenario())


def test_leader_answers_telegram_by_long_polling(engine: Engine, database_url: str) -> None:
    from config.settings import load_settings
    from tests.fakes.telegram_api import FakeTelegramAPI, message_update

    with FakeTelegramAPI() as api:
        settings = load_settings(
            _env_file=None,
            DATABASE_URL=database_url,
            TELEGRAM_BOT_TOKEN="123456:" + "C" * 30,
            TELEGRAM_API_BASE_URL=api.base_url,
        )

        async def scenario() -> None:
            worker = _worker(engine, settings)
            assert worker.telegram_polling  # configured without PUBLIC_BASE_URL
            await worker.start()
            try:
                api.push_update(message_update(555001, "/help"))
                for _ in range(100):
                    if api.sent_texts(555001):
                        break
                    await asyncio.sleep(0.05)
            finally:
                await worker.shutdown()

        asyncio.run(scenario())
        assert api.sent_texts(555001), "the bot answered through getUpdates polling"
        assert api.calls("getUpdates")


def test_claims_of_dead_workers_go_back_to_the_queue(
    engine: Engine, session: Session, settings: Settings
) -> None:
    from sqlalchemy import select

    from notifier.cycle import set_worker_state
    from notifier.fanout import OUTBOX, fan_out
    from notifier.scheduler import beat, heartbeat_key, reclaim_dead_claims

    now = utcnow()
    start = now + timedelta(days=2)
    strike = add_strike(session, start=start, end=start + timedelta(hours=8))
    subs = [add_subscriber(session, channel="telegram") for _ in range(5)]
    add_change(session, strike, "announced", now=now)
    fan_out(engine, settings, now)

    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    here = socket.gethostname()
    owners = {
        subs[0].id: f"{here}:{int(finished.stdout)}",  # this host, process gone
        subs[1].id: f"{here}:{os.getpid()}",  # this very process
        subs[2].id: "far-away:101",  # another host, heartbeat stale
        subs[3].id: "far-away:202",  # another host, heartbeat fresh
        subs[4].id: "tick",  # never beats: left to the lease
    }
    beat(engine, "far-away:101", now - timedelta(minutes=5))
    beat(engine, "far-away:202", now - timedelta(seconds=20))
    with engine.begin() as conn:
        for sub_id, owner in owners.items():
            conn.execute(
                update(OUTBOX)
                .where(OUTBOX.c.subscriber_id == sub_id)
                .values(status="sending", claimed_by=owner, claimed_at=now, attempts=1)
            )

    assert reclaim_dead_claims(engine, now) == 2
    with engine.connect() as conn:
        status = dict(conn.execute(select(OUTBOX.c.subscriber_id, OUTBOX.c.status)).all())
    assert status == {
        subs[0].id: "pending",
        subs[1].id: "sending",
        subs[2].id: "pending",
        subs[3].id: "sending",
        subs[4].id: "sending",
    }
    # The heartbeat row is keyed by a hash so long host names fit.
    set_worker_state(engine, heartbeat_key("x" * 200), "x" * 200, now)
