"""Scheduler leadership: exactly one leader, and a successor when it dies."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from notifier.db import make_engine
from notifier.leader import Leadership


def _postgres_only(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only (advisory locks): run with TEST_DATABASE_URL=postgresql+...")


def _sqlite_only(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite only (file lock): runs in the SQLite suite")


def test_only_one_leader_at_a_time(engine: Engine, database_url: str) -> None:
    other_engine = make_engine(database_url)
    first, second = Leadership(engine), Leadership(other_engine)
    try:
        assert first.try_acquire()
        assert not second.try_acquire()
        assert first.still_leader() and first.try_acquire()
        first.release()
        assert second.try_acquire()
        assert not first.try_acquire()
    finally:
        first.release()
        second.release()
        other_engine.dispose()


def test_successor_takes_over_when_leader_connection_dies(
    engine: Engine, database_url: str
) -> None:
    _postgres_only(engine)
    other_engine = make_engine(database_url)
    leader, follower = Leadership(engine), Leadership(other_engine)
    try:
        assert leader.try_acquire()
        assert leader._conn is not None
        pid = leader._conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        assert not follower.try_acquire()
        # The leader's server session is killed, as when its process or host dies.
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
        # Termination is asynchronous: the lock goes when that server process has exited.
        for _ in range(100):
            if follower.try_acquire():
                break
            time.sleep(0.05)
        assert follower.is_leader
        assert not leader.still_leader()  # and it knows it
        assert not leader.try_acquire()
    finally:
        leader.release()
        follower.release()
        other_engine.dispose()


def test_leader_process_killed_frees_the_lock(engine: Engine, database_url: str) -> None:
    """A real second process holds the lock; kill -9 it and this process can lead."""
    script = textwrap.dedent(
        f"""
        import sys, time
        from notifier.db import make_engine
        from notifier.leader import Leadership
        lead = Leadership(make_engine({database_url!r}))
        print("leader" if lead.try_acquire() else "follower", flush=True)
        time.sleep(60)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    here = Leadership(engine)
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "leader"
        assert not here.try_acquire()
        proc.kill()
        proc.wait(timeout=10)
        # PostgreSQL notices the closed socket at once; flock goes with the process.
        for _ in range(50):
            if here.try_acquire():
                break
            time.sleep(0.1)
        assert here.is_leader
    finally:
        here.release()
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_in_memory_sqlite_always_leads(engine: Engine) -> None:
    _sqlite_only(engine)
    mem = make_engine("sqlite://")
    try:
        a, b = Leadership(mem), Leadership(mem)
        assert a.try_acquire() and b.try_acquire()
    finally:
        mem.dispose()
