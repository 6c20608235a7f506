"""Two real worker processes on one PostgreSQL database: one leader, shared dispatch, no repeats."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from config.settings import Settings
from notifier.fanout import OUTBOX, SUB
from tests.alert_data import LONDON, add_change, add_strike, bulk_subscribers, worker_env
from tests.fakes.twilio_api import FakeTwilio

MESSAGES = 600


def test_two_workers_share_the_queue_and_send_each_message_once(
    engine: Engine, session: Session, settings: Settings, database_url: str, tmp_path: Path
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only (several workers share a queue with SKIP LOCKED)")
    now = datetime.now(UTC)
    strike = add_strike(
        session, start=now + timedelta(days=2), end=now + timedelta(days=2, hours=8), areas=[LONDON]
    )
    bulk_subscribers(engine, MESSAGES, now)
    add_change(session, strike, "announced", now=now)  # the leader's minute tick fans it out

    with FakeTwilio() as twilio:
        env = worker_env(database_url, tmp_path, twilio.base_url, sms_rate=60, log_level="INFO")
        logs = [tmp_path / f"worker{i}.log" for i in (1, 2)]
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", "from notifier.cli import main; main()", "run"],
                env=env,
                stdout=log.open("wb"),
                stderr=subprocess.STDOUT,
            )
            for log in logs
        ]
        try:
            deadline = time.monotonic() + 90
            while True:
                with engine.connect() as conn:
                    sent = conn.execute(
                        select(func.count()).select_from(OUTBOX).where(OUTBOX.c.status == "sent")
                    ).scalar_one()
                if sent >= MESSAGES:
                    break
                for p, log in zip(procs, logs, strict=True):
                    assert p.poll() is None, log.read_text()
                assert time.monotonic() < deadline, f"only {sent} sent"
                time.sleep(0.2)
        finally:
            for p in procs:
                p.send_signal(signal.SIGTERM)
            for p in procs:
                try:
                    p.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    p.kill()
        received = Counter(r.to for r in twilio.accepted())

    with engine.connect() as conn:
        addresses = set(conn.execute(select(SUB.c.address)).scalars())
        claimers = set(conn.execute(select(OUTBOX.c.claimed_by).distinct()).scalars())
    assert set(received) == addresses
    assert max(received.values()) == 1, "no message went twice"
    leaders = [log for log in logs if "became scheduler leader" in log.read_text()]
    assert len(leaders) == 1, "exactly one worker led the scheduler"
    assert all(p.returncode == 0 for p in procs)
    assert claimers and len(claimers) <= 2
