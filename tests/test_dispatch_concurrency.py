"""Several dispatchers on one queue: no row is ever sent twice.

On PostgreSQL this is the production setup (several worker processes, ``FOR UPDATE SKIP
LOCKED``); each dispatcher here has its own engine and its own thread and event loop, like a
separate process. The PostgreSQL-only tests refuse to pass on SQLite: they skip with the reason
unless explicitly selected with ``-m postgres_only``, in which case they fail.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlmodel import Session

from config.settings import Settings, load_settings
from notifier.db import make_engine
from notifier.dispatch import OUTBOX, DispatchSummary, _claim, dispatch_due
from subscribers.models import Subscriber
from tests.dispatch_data import NOW, add_strike, queue, rows
from tests.fakes.twilio_api import Answer, FakeTwilio

SID = "AC" + "4" * 32


@pytest.fixture
def pg_engine(engine: Engine, request: pytest.FixtureRequest) -> Engine:
    if engine.dialect.name != "postgresql":
        reason = (
            "needs PostgreSQL (row locks with SKIP LOCKED); run with "
            "TEST_DATABASE_URL=postgresql+psycopg://..."
        )
        if "postgres_only" in (request.config.getoption("-m") or ""):
            pytest.fail(reason)
        pytest.skip(reason)
    return engine


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    with FakeTwilio() as server:
        yield server


def _settings(database_url: str, twilio: FakeTwilio) -> Settings:
    return load_settings(
        _env_file=None,
        DATABASE_URL=database_url,
        TWILIO_ACCOUNT_SID=SID,
        TWILIO_AUTH_TOKEN="tok",
        TWILIO_FROM_NUMBER="+447700900999",
        TWILIO_API_BASE_URL=twilio.base_url,
        SMS_SEGMENTS_PER_SECOND=10000,
    )


def _fill(session: Session, count: int) -> None:
    strike = add_strike(session)
    subs = [
        Subscriber(
            channel="sms",
            address=f"+4477009{i:05d}",
            status="active",
            created_at=NOW,
            updated_at=NOW,
        )
        for i in range(count)
    ]
    session.add_all(subs)
    session.commit()
    for sub in subs:
        queue(session, sub, strike)


def _unfinished(eng: Engine) -> int:
    with eng.connect() as conn:
        return len(
            conn.execute(
                select(OUTBOX.c.id).where(OUTBOX.c.status.in_(("pending", "sending")))
            ).all()
        )


def _race(database_url: str, settings: Settings, workers: int) -> list[DispatchSummary]:
    """Each worker: own engine, own thread, own event loop; dispatch until the queue is empty."""
    results: list[DispatchSummary] = [DispatchSummary() for _ in range(workers)]
    start = threading.Barrier(workers)

    def work(i: int) -> None:
        eng = make_engine(database_url)
        try:
            start.wait()
            while True:
                s = asyncio.run(dispatch_due(eng, settings, NOW, worker_id=f"w{i}", limit=10))
                results[i].add(s)
                if s.claimed == 0:
                    if _unfinished(eng) == 0:
                        break
                    time.sleep(0.02)  # the rest is claimed by others: wait for them to finish
        finally:
            eng.dispose()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=90)
    return results


def _assert_each_sent_once(engine: Engine, twilio: FakeTwilio, count: int) -> None:
    statuses = Counter(r.status for r in rows(engine).values())
    assert statuses == {"sent": count}, statuses
    per_number = Counter(r.to for r in twilio.requests)
    assert len(per_number) == count
    assert max(per_number.values()) == 1, per_number.most_common(3)
    assert {r.status for r in rows(engine).values()} == {"sent"}


@pytest.mark.postgres_only
def test_concurrent_dispatchers_on_postgresql_never_send_a_row_twice(
    pg_engine: Engine, session: Session, database_url: str, twilio: FakeTwilio
) -> None:
    _fill(session, 300)
    twilio.queue(*[Answer.ok(delay=0.03)] * 300)  # slow enough for claims to overlap
    results = _race(database_url, _settings(database_url, twilio), workers=4)
    _assert_each_sent_once(pg_engine, twilio, 300)
    assert sum(r.sent for r in results) == 300
    assert sum(1 for r in results if r.sent) >= 2  # the work really was shared


def test_concurrent_dispatchers_on_sqlite_or_postgresql_never_send_a_row_twice(
    engine: Engine, session: Session, database_url: str, twilio: FakeTwilio
) -> None:
    _fill(session, 120)
    results = _race(database_url, _settings(database_url, twilio), workers=3)
    _assert_each_sent_once(engine, twilio, 120)
    assert sum(r.sent for r in results) == 120


def test_claim_uses_skip_locked_on_postgresql_and_plain_update_returning_on_sqlite() -> None:
    class _Conn:
        def __init__(self, dialect: object) -> None:
            self.dialect = dialect
            self.sql = ""

        def execute(self, stmt: object) -> _Conn:
            self.sql = str(stmt.compile(dialect=self.dialect))  # type: ignore[attr-defined]
            return self

        def all(self) -> list[object]:
            return []

    pg = _Conn(postgresql.dialect())
    _claim(pg, NOW, "w", 10)  # type: ignore[arg-type]
    assert "FOR UPDATE SKIP LOCKED" in pg.sql and "RETURNING" in pg.sql
    assert "AS MATERIALIZED" in pg.sql  # the locking pick runs once, so LIMIT holds
    lite = _Conn(sqlite.dialect())
    _claim(lite, NOW, "w", 10)  # type: ignore[arg-type]
    assert "SKIP LOCKED" not in lite.sql and "RETURNING" in lite.sql
    assert lite.sql.startswith("UPDATE outbox_message")


def test_a_claim_takes_no_more_than_its_limit(engine: Engine, session: Session) -> None:
    _fill(session, 30)
    with engine.begin() as conn:
        first = _claim(conn, NOW, "a", 7)
    assert len(first) == 7
    with engine.begin() as conn:
        second = _claim(conn, NOW, "b", 100)
    assert len(second) == 23
    assert not {r.id for r in first} & {r.id for r in second}


@pytest.mark.postgres_only
def test_an_open_claim_is_skipped_not_waited_for(pg_engine: Engine, session: Session) -> None:
    _fill(session, 20)
    with pg_engine.connect() as a, pg_engine.connect() as b:
        ta = a.begin()
        mine = _claim(a, NOW, "a", 5)  # still uncommitted: its rows are locked
        tb = b.begin()
        b.exec_driver_sql("SET LOCAL lock_timeout = '2s'")
        theirs = _claim(b, NOW, "b", 5)
        tb.commit()
        ta.commit()
    assert len(mine) == 5 and len(theirs) == 5
    assert not {r.id for r in mine} & {r.id for r in theirs}
