"""Fan-out benchmark: one strike announced to N subscribers (default 1,000,000).

Targets: queued in at most 15 s on PostgreSQL and 5 s on SQLite, peak memory at most 300 MB.

    .venv/bin/python bench/bench_fanout.py                       # SQLite (temp file)
    .venv/bin/python bench/bench_fanout.py --database-url postgresql+psycopg://postgres@127.0.0.1/test

On PostgreSQL the run uses its own schema and drops it afterwards. Subscribers are bulk-loaded
(COPY on PostgreSQL, executemany on SQLite); the fan-out itself runs in a fresh child process so
its peak resident memory is measured alone.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select, text  # noqa: E402
from sqlalchemy.engine import Engine, make_url  # noqa: E402

from config.settings import load_settings  # noqa: E402
from feeds.models import Strike, StrikeArea, StrikeChange  # noqa: E402
from notifier.db import create_all, make_engine  # noqa: E402
from notifier.fanout import OUTBOX, fan_out  # noqa: E402

NOW = datetime(2026, 1, 12, 12, 0, tzinfo=UTC)
STAMP = "2026-01-01 00:00:00.000000"
LONDON = "E40000003"
AREAS = ("K02000001", "E92000001", LONDON)  # plus one district code per subscriber
DISTRICTS = ("E09000001", "E09000002", "E09000003", "E09000004", "E09000005")


def _rows(n: int):  # type: ignore[no-untyped-def]
    for i in range(1, n + 1):
        channel = "telegram" if i % 4 == 0 else "sms"
        address = str(10_000_000 + i) if channel == "telegram" else f"+447{i:09d}"
        yield i, channel, address


def load_sqlite(engine: Engine, n: int) -> None:
    raw = engine.raw_connection()
    try:
        cur: Any = raw.cursor()  # the sqlite3 cursor takes generators
        cur.execute("PRAGMA synchronous=OFF")
        cur.executemany(
            "INSERT INTO subscriber (id, channel, address, status, reminder_time, created_at,"
            " updated_at) VALUES (?, ?, ?, 'active', '18:00', ?, ?)",
            ((i, ch, addr, STAMP, STAMP) for i, ch, addr in _rows(n)),
        )
        cur.executemany(
            "INSERT INTO subscriber_area (subscriber_id, area_code) VALUES (?, ?)",
            (
                (i, code)
                for i in range(1, n + 1)
                for code in (*AREAS, DISTRICTS[i % len(DISTRICTS)])
            ),
        )
        cur.executemany(
            "INSERT INTO subscriber_topic (subscriber_id, topic) VALUES (?, 'ambulance')",
            ((i,) for i in range(1, n + 1)),
        )
        raw.commit()
    finally:
        raw.close()


def _copy(cur: object, sql: str, lines) -> None:  # type: ignore[no-untyped-def]
    buf = io.StringIO()
    with cur.copy(sql) as copy:  # type: ignore[attr-defined]
        for line in lines:
            buf.write(line)
            if buf.tell() > 1 << 20:
                copy.write(buf.getvalue())
                buf = io.StringIO()
        copy.write(buf.getvalue())


def load_postgres(engine: Engine, n: int) -> None:
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        _copy(
            cur,
            "COPY subscriber (id, channel, address, status, reminder_time, created_at, updated_at)"
            " FROM STDIN",
            (
                f"{i}\t{ch}\t{addr}\tactive\t18:00\t{STAMP}+00\t{STAMP}+00\n"
                for i, ch, addr in _rows(n)
            ),
        )
        _copy(
            cur,
            "COPY subscriber_area (subscriber_id, area_code) FROM STDIN",
            (
                f"{i}\t{code}\n"
                for i in range(1, n + 1)
                for code in (*AREAS, DISTRICTS[i % len(DISTRICTS)])
            ),
        )
        _copy(
            cur,
            "COPY subscriber_topic (subscriber_id, topic) FROM STDIN",
            (f"{i}\tambulance\n" for i in range(1, n + 1)),
        )
        cur.execute(f"SELECT setval('subscriber_id_seq', {n})")
        raw.commit()
    finally:
        raw.close()


def add_strike(engine: Engine) -> None:
    from sqlmodel import Session

    with Session(engine) as s:
        strike = Strike(
            key="bench|1",
            topic="ambulance",
            start=datetime(2026, 1, 14, 7, tzinfo=UTC),
            end=datetime(2026, 1, 14, 19, tzinfo=UTC),
            created_at=NOW,
            updated_at=NOW,
        )
        s.add(strike)
        s.flush()
        assert strike.id is not None
        s.add(StrikeArea(strike_id=strike.id, area_code=LONDON))
        s.add(
            StrikeChange(
                strike_id=strike.id,
                kind="new",
                alert_kind="announced",
                approval="auto",
                created_at=NOW,
            )
        )
        s.commit()


def child(url: str) -> None:
    """Run the fan-out alone and report time, count and peak memory as JSON."""
    settings = load_settings(_env_file=None, DATABASE_URL=url)
    engine = make_engine(url)
    t0 = time.perf_counter()
    summary = fan_out(engine, settings, NOW)
    elapsed = time.perf_counter() - t0
    with engine.connect() as conn:
        rows = conn.execute(select(func.count()).select_from(OUTBOX)).scalar_one()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "seconds": round(elapsed, 2),
                "queued": summary.queued,
                "rows": rows,
                "peak_rss_mb": round(peak_kb / 1024, 1),
            }
        )
    )


def follow_up(url: str, alert_kind: str) -> dict[str, object]:
    """Mark everything sent, record one more change, and time its fan-out in a child."""
    from sqlmodel import Session

    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(OUTBOX.update().values(status="sent", attempts=1))
    with Session(engine) as s:
        s.add(
            StrikeChange(
                strike_id=1,
                kind="times_changed" if alert_kind == "changed" else "called_off",
                alert_kind=alert_kind,
                approval="auto",
                created_at=NOW,
            )
        )
        s.commit()
    engine.dispose()
    out = subprocess.run(
        [sys.executable, __file__, "--child", url], check=True, capture_output=True, text=True
    )
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database-url", default="", help="default: a temporary SQLite file")
    ap.add_argument("--subscribers", type=int, default=1_000_000)
    ap.add_argument(
        "--follow-ups",
        action="store_true",
        help="then time a change and a call-off to everyone told (no target; for the record)",
    )
    ap.add_argument("--child", default="", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child)
        return 0

    tmp = tempfile.TemporaryDirectory()
    url = args.database_url or f"sqlite:///{tmp.name}/bench.db"
    schema = None
    admin = None
    if not url.startswith("sqlite"):
        schema = f"bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        admin = make_engine(url)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = (
            make_url(url)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    try:
        engine = make_engine(url)
        create_all(engine)
        t0 = time.perf_counter()
        loader = load_sqlite if engine.dialect.name == "sqlite" else load_postgres
        loader(engine, args.subscribers)
        load_s = time.perf_counter() - t0
        add_strike(engine)
        if engine.dialect.name == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("ANALYZE"))  # as autovacuum would have by the time of a strike
        engine.dispose()
        out = subprocess.run(
            [sys.executable, __file__, "--child", url], check=True, capture_output=True, text=True
        )
        result = json.loads(out.stdout.strip().splitlines()[-1])
        limit = 5.0 if url.startswith("sqlite") else 15.0
        ok = (
            result["queued"] == args.subscribers == result["rows"]
            and result["seconds"] <= limit
            and result["peak_rss_mb"] <= 300
        )
        print(
            json.dumps(
                {
                    "database": engine.dialect.name,
                    "subscribers": args.subscribers,
                    "load_seconds": round(load_s, 1),
                    **result,
                    "target_seconds": limit,
                    "target_peak_mb": 300,
                    "meets_target": ok,
                }
            )
        )
        if args.follow_ups:
            for kind in ("changed", "called_off"):
                print(
                    json.dumps(
                        {
                            "database": engine.dialect.name,
                            "alert_kind": kind,
                            **follow_up(url, kind),
                        }
                    )
                )
        return 0 if ok else 1
    finally:
        if admin is not None and schema is not None:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            admin.dispose()
        tmp.cleanup()


if __name__ == "__main__":
    raise SystemExit(main())
