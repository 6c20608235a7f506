"""Dispatch benchmark: a configured 200 messages/s held for 60 s against the fake provider APIs.

Target: at least 95% of the configured rate sustained for the whole run, no message sent twice.
Also reports the dispatcher's CPU time per message (the fake provider runs in a child process,
so its CPU is not counted).

    .venv/bin/python bench/bench_dispatch.py                          # SQLite and PostgreSQL
    .venv/bin/python bench/bench_dispatch.py --database sqlite --channel telegram --seconds 20

On PostgreSQL the run uses its own schema (``--pg-url``) and drops it afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select, text  # noqa: E402
from sqlalchemy.engine import Engine, make_url  # noqa: E402

from config.settings import Settings, load_settings  # noqa: E402
from notifier.db import create_all, make_engine  # noqa: E402
from notifier.dispatch import OUTBOX, STRIKE, DispatchSummary, run_dispatch_loop  # noqa: E402

NOW = datetime(2026, 1, 12, 12, 0, tzinfo=UTC)
START = datetime(2026, 1, 14, 7, 0, tzinfo=UTC)
END = datetime(2026, 1, 14, 19, 0, tzinfo=UTC)
SID = "AC" + "7" * 32
TOKEN = "123456:" + "C" * 30
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


# -- fake provider in a child process -------------------------------------------------------------
def _serve(kind: str, conn: Connection) -> None:
    sys.path.insert(0, str(ROOT))
    if kind == "sms":
        from tests.fakes.twilio_api import FakeTwilio

        with FakeTwilio() as fake:
            conn.send(fake.base_url)
            conn.recv()  # wait for "stop"
            conn.send([(r.to, r.at, r.answered) for r in fake.requests])
    else:
        import http.server
        import socketserver

        # The fake answers in two writes; without TCP_NODELAY each waits on a delayed ACK, and
        # the default listen backlog of 5 resets a burst of new connections.
        socketserver.StreamRequestHandler.disable_nagle_algorithm = True
        http.server.ThreadingHTTPServer.request_queue_size = 1024
        from tests.fakes.telegram_api import FakeTelegramAPI

        with FakeTelegramAPI() as tg:
            conn.send(tg.base_url)
            conn.recv()
            # The Telegram fake keeps no arrival times; count per chat only.
            conn.send([(r.chat_id, 0.0, r.status) for r in tg.calls("sendMessage")])


# -- data -----------------------------------------------------------------------------------------
def _load(engine: Engine, channel: str, count: int) -> None:
    stamp = NOW
    with engine.begin() as conn:
        strike_id = conn.execute(
            insert(STRIKE)
            .values(
                key=f"bench|{uuid.uuid4().hex}",
                unions='["RMT"]',
                staff='["guards"]',
                employers="[]",
                area_names='["Kent"]',
                topic="transport",
                status="announced",
                start=START,
                end=END,
                summary="",
                created_at=stamp,
                updated_at=stamp,
            )
            .returning(STRIKE.c.id)
        ).scalar_one()
        subs = [
            {
                "id": i,
                "channel": channel,
                "address": _address(channel, i),
                "status": "active",
                "reminder_time": "18:00",
                "created_at": _db_time(engine, stamp),
                "updated_at": _db_time(engine, stamp),
            }
            for i in range(1, count + 1)
        ]
        conn.execute(
            text(
                "INSERT INTO subscriber (id, channel, address, status, reminder_time,"
                " created_at, updated_at) VALUES (:id, :channel, :address, :status,"
                " :reminder_time, :created_at, :updated_at)"
            ),
            subs,
        )
        conn.execute(
            text(
                "INSERT INTO outbox_message (dedupe_key, subscriber_id, channel, kind, strike_id,"
                " status, attempts, not_before, expires_at, created_at) VALUES (:k, :sid, :ch,"
                " 'announced', :strike, 'pending', 0, :nb, :exp, :c)"
            ),
            [
                {
                    "k": f"bench:{i}",
                    "sid": i,
                    "ch": channel,
                    "strike": strike_id,
                    "nb": _db_time(engine, stamp),
                    "exp": _db_time(engine, END),
                    "c": _db_time(engine, stamp),
                }
                for i in range(1, count + 1)
            ],
        )


def _db_time(engine: Engine, value: datetime) -> Any:
    return value.replace(tzinfo=None) if engine.dialect.name == "sqlite" else value


def _address(channel: str, i: int) -> str:
    return f"+447{i:09d}" if channel == "sms" else str(50_000_000 + i)


# -- one run --------------------------------------------------------------------------------------
async def _dispatch_for(
    engine: Engine, settings: Settings, seconds: float, clock_start: float, concurrency: int
) -> DispatchSummary:
    stop = asyncio.Event()

    def clock() -> datetime:
        return NOW  # the queue is due at NOW; wall time only paces the limiter

    async def stopper() -> None:
        await asyncio.sleep(max(0.0, seconds - (time.monotonic() - clock_start)))
        stop.set()

    task = asyncio.create_task(stopper())
    summary = await run_dispatch_loop(
        engine,
        settings,
        worker_id="bench",
        stop=stop,
        clock=clock,
        idle_seconds=0.05,
        concurrency=concurrency,
    )
    await task
    return summary


def run(
    database: str, channel: str, rate: float, seconds: float, pg_url: str, concurrency: int
) -> dict[str, Any]:
    schema = None
    tmp = tempfile.TemporaryDirectory()
    if database == "sqlite":
        url = f"sqlite:///{tmp.name}/bench.db"
    else:
        schema = f"bench_dispatch_{uuid.uuid4().hex[:8]}"
        admin = make_engine(pg_url)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
        url = (
            make_url(pg_url)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    engine = make_engine(url)
    parent, child = mp.Pipe()
    server = mp.Process(target=_serve, args=(channel, child), daemon=True)
    server.start()
    base_url = parent.recv()
    try:
        create_all(engine)
        count = int(rate * seconds * 1.15) + 200  # more than can be sent: the queue never drains
        _load(engine, channel, count)
        settings = load_settings(
            _env_file=None,
            DATABASE_URL=url,
            TWILIO_ACCOUNT_SID=SID,
            TWILIO_AUTH_TOKEN="tok",
            TWILIO_FROM_NUMBER="+447700900999",
            TWILIO_API_BASE_URL=base_url,
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE_URL=base_url,
            PUBLIC_BASE_URL="https://sa.uk",
            SMS_SEGMENTS_PER_SECOND=rate,
            TELEGRAM_MESSAGES_PER_SECOND=rate,
        )
        cpu0, wall0 = time.process_time(), time.monotonic()
        summary = asyncio.run(_dispatch_for(engine, settings, seconds, wall0, concurrency))
        cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
        parent.send("stop")
        received: list[tuple[str, float, int]] = parent.recv()
        with engine.connect() as conn:
            by_status: dict[str, int] = dict(
                conn.execute(select(OUTBOX.c.status, func.count()).group_by(OUTBOX.c.status)).all()
            )
    finally:
        server.join(timeout=10)
        engine.dispose()
        if schema:
            admin = make_engine(pg_url)
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            admin.dispose()
        tmp.cleanup()
    per_address = Counter(to for to, _, status in received if status in (200, 201))
    duplicates = sum(n - 1 for n in per_address.values() if n > 1)
    accepted = sum(per_address.values())
    result: dict[str, Any] = {
        "database": database,
        "channel": channel,
        "configured_rate": rate,
        "seconds": seconds,
        "wall_seconds": round(wall, 2),
        "accepted_by_provider": accepted,
        "sent_recorded": summary.sent,
        "duplicates": duplicates,
        "rate_overall": round(accepted / wall, 1),
        "cpu_seconds": round(cpu, 2),
        "cpu_ms_per_message": round(1000 * cpu / max(1, accepted), 3),
        "note": "cpu is the dispatcher process only; the fake provider runs in a child",
        "outbox_status": by_status,
    }
    stamps = sorted(at for _, at, status in received if status in (200, 201) and at)
    if stamps:
        # Sustained rate: skip the first second (the limiter's one-second allowance), then the
        # slowest whole second and the average over the rest of the run.
        t0 = stamps[0]
        buckets = Counter(int(at - t0) for at in stamps)
        whole = [buckets.get(s, 0) for s in range(1, int(stamps[-1] - t0))]
        if whole:
            result["rate_sustained"] = round(sum(whole) / len(whole), 1)
            result["slowest_second"] = min(whole)
            windows = [sum(whole[i : i + 5]) / 5 for i in range(max(1, len(whole) - 4))]
            result["slowest_5s_window_rate"] = round(min(windows), 1)
            result["share_of_configured"] = round(sum(whole) / len(whole) / rate, 3)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--channel", choices=["sms", "telegram"], default="sms")
    parser.add_argument("--rate", type=float, default=200.0, help="messages per second")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    parser.add_argument(
        "--concurrency",
        type=int,
        default=None,
        help="sends in flight (default 64 for sms, 8 for telegram: the threaded fake slows "
        "down with many open connections)",
    )
    args = parser.parse_args()
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    for db in databases:
        concurrency = args.concurrency or (64 if args.channel == "sms" else 8)
        result = run(db, args.channel, args.rate, args.seconds, args.pg_url, concurrency)
        print(json.dumps({**result, "concurrency": concurrency}), flush=True)


if __name__ == "__main__":
    main()
