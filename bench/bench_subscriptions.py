"""Subscription paths under load: inbound texts handled per second, NEXT query latency, web codes.

Targets: an alert can bring a burst of replies (STOP, NEXT, CHANGE) from thousands of people, and
Twilio waits at most 15 s for a webhook answer. So one inbound text (parse, database change,
reply) should take well under 50 ms at p95, and NEXT well under 20 ms at p95, with 20,000
subscribers and 5,000 strikes in the database. Runs on a throw-away SQLite file by default, or on
``--database-url`` (an empty PostgreSQL schema).

    .venv/bin/python bench/bench_subscriptions.py [--subscribers 20000] [--strikes 5000]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from config.settings import load_settings
from config.topics import DEFAULT_TOPICS, TOPICS
from feeds.models import Strike, StrikeArea, StrikeChange
from notifier.db import create_all, make_engine, session_scope
from notifier.next_strikes import upcoming_for
from notifier.sms_flow import handle_sms
from subscribers import verification
from subscribers.areas import resolve_postcode
from subscribers.models import Subscriber, SubscriberArea, SubscriberTopic

POSTCODES = ["LS1 4DY", "M1 1AE", "SW1A 1AA", "EH1 1YZ", "CF10 1EP", "B1 1AA", "NE1 4ST", "BS1 5TR"]
NOW = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def seed(engine: object, n_subs: int, n_strikes: int, rng: random.Random) -> list[str]:
    """Bulk rows: subscribers with real area sets, strikes over those areas."""
    resolved = [resolve_postcode(p) for p in POSTCODES]
    area_pool = sorted({a.code for r in resolved for a in r.areas if a.type != "nation"})
    phones = [f"+4474{i:08d}" for i in range(n_subs)]
    with session_scope(engine) as s:  # type: ignore[arg-type]
        s.execute(
            insert(Subscriber),
            [
                {
                    "channel": "sms",
                    "address": p,
                    "status": "active",
                    "reminder_time": "18:00",
                    "consent_at": NOW,
                    "consent_channel": "sms",
                    "created_at": NOW,
                    "updated_at": NOW,
                }
                for p in phones
            ],
        )
        ids = list(range(1, n_subs + 1))
        area_rows, topic_rows = [], []
        for sid in ids:
            r = resolved[sid % len(resolved)]
            area_rows += [{"subscriber_id": sid, "area_code": a.code} for a in r.areas]
            topic_rows += [{"subscriber_id": sid, "topic": t} for t in DEFAULT_TOPICS]
        s.execute(insert(SubscriberArea), area_rows)
        s.execute(insert(SubscriberTopic), topic_rows)
        strikes, areas, changes = [], [], []
        for i in range(1, n_strikes + 1):
            start = NOW + timedelta(hours=rng.randint(-2000, 2000))
            strikes.append(
                {
                    "id": i,
                    "key": f"k{i}",
                    "topic": rng.choice(list(TOPICS)),
                    "status": "announced",
                    "start": start,
                    "end": start + timedelta(hours=24),
                    "created_at": NOW,
                    "updated_at": NOW,
                    "unions": '["RCN"]',
                    "staff": '["nurses"]',
                    "employers": '["Trust"]',
                    "area_names": "[]",
                    "summary": "",
                }
            )
            areas += [{"strike_id": i, "area_code": c} for c in rng.sample(area_pool, 2)]
            changes.append(
                {
                    "strike_id": i,
                    "kind": "new",
                    "alert_kind": "announced",
                    "approval": "auto",
                    "created_at": NOW,
                    "before": "{}",
                    "after": "{}",
                    "reason": "",
                }
            )
        s.execute(insert(Strike), strikes)
        s.execute(insert(StrikeArea), areas)
        s.execute(insert(StrikeChange), changes)
    return phones


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--subscribers", type=int, default=20_000)
    ap.add_argument("--strikes", type=int, default=5_000)
    ap.add_argument("--runs", type=int, default=300)
    ap.add_argument("--database-url", default=None)
    args = ap.parse_args()
    rng = random.Random(7)
    tmp = tempfile.TemporaryDirectory()
    url = args.database_url or f"sqlite:///{tmp.name}/bench.db"
    schema = None
    if not url.startswith("sqlite"):
        # A private schema, dropped afterwards, so the run never touches real tables.
        schema = f"bench_subs_{os.getpid()}"
        admin = make_engine(url)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = (
            make_url(url)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    settings = load_settings(
        _env_file=None,
        DATABASE_URL=url,
        ALLOW_FICTIONAL_NUMBERS=True,
        CODE_REQUESTS_DAILY_CAP=10**9,
        CODE_REQUESTS_PER_IP_PER_HOUR=10**9,
    )
    engine = make_engine(url)
    create_all(engine)
    t0 = time.perf_counter()
    phones = seed(engine, args.subscribers, args.strikes, rng)
    with engine.begin() as conn:  # fresh statistics, as autovacuum would give a live database
        conn.execute(text("ANALYZE"))
    print(
        f"seeded {args.subscribers:,} subscribers, {args.strikes:,} strikes in "
        f"{time.perf_counter() - t0:.1f} s ({engine.dialect.name})"
    )

    def next_query() -> None:
        with Session(engine) as s:
            upcoming_for(s, rng.randint(1, args.subscribers), now=NOW)

    def inbound(body: str) -> Callable[[], None]:
        def run() -> None:
            with session_scope(engine) as s:
                handle_sms(s, settings, phone=rng.choice(phones), body=body, now=NOW)

        return run

    results: dict[str, list[float]] = {
        "NEXT query (upcoming_for)": timed(next_query, args.runs),
        "inbound text: NEXT": timed(inbound("NEXT"), args.runs),
        "inbound text: CHANGE <postcode>": timed(inbound("CHANGE LS1 4DY"), args.runs),
        "inbound text: TOPICS NURSES DOCTORS": timed(inbound("TOPICS NURSES DOCTORS"), args.runs),
        "inbound text: STOP": timed(inbound("STOP"), args.runs),
        "inbound text: new number, postcode": [],
    }
    new_numbers = iter(range(args.runs))

    def join() -> None:
        with session_scope(engine) as s:
            handle_sms(s, settings, phone=f"+4475{next(new_numbers):08d}", body="SW1A 1AA", now=NOW)

    results["inbound text: new number, postcode"] = timed(join, min(args.runs, 9000))
    codes = iter(range(args.runs))

    def code_cycle() -> None:
        phone = f"+4475{50_000_000 + next(codes):08d}"
        with session_scope(engine) as s:
            issued = verification.request_code(
                s,
                settings,
                phone=phone,
                purpose="subscribe",
                postcode="M1 1AE",
                ip="192.0.2.1",
                now=NOW,
            )
        with session_scope(engine) as s:
            verification.verify_code(s, settings, phone=phone, code=issued.code, now=NOW)

    results["web code: issue + verify"] = timed(code_cycle, min(args.runs, 9000))
    print(f"{'measure':<40} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for name, values in results.items():
        print(
            f"{name:<40} {statistics.median(values):>8.2f} {pct(values, 0.95):>8.2f} "
            f"{max(values):>8.2f}"
        )
    engine.dispose()
    if schema is not None:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    tmp.cleanup()


if __name__ == "__main__":
    main()
