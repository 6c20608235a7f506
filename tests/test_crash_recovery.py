"""kill -9 a worker in the middle of a large SMS dispatch, restart it, count what arrived.

The worker is the real ``notifier run`` process sending through the official Twilio client to a
fake Twilio API on 127.0.0.1. Every queued message must be delivered, and the duplicates must be
no more than the messages in flight (claimed, not yet recorded) when the worker died.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from config.settings import Settings
from notifier.fanout import OUTBOX, SUB, fan_out
from tests.alert_data import LONDON, add_change, add_strike, bulk_subscribers, worker_env
from tests.fakes.twilio_api import FakeTwilio

MESSAGES = int(os.environ.get("CRASH_TEST_MESSAGES", "1000"))
KILL_AFTER = MESSAGES // 3


def _status_counts(engine: Engine) -> Counter[str]:
    with engine.connect() as conn:
        rows = conn.execute(select(OUTBOX.c.status, func.count()).group_by(OUTBOX.c.status))
        return Counter({str(s): int(n) for s, n in rows})


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", "from notifier.cli import main; main()", "run"],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def test_kill_9_mid_dispatch_loses_nothing(
    engine: Engine, session: Session, settings: Settings, database_url: str, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    strike = add_strike(
        session,
        start=now + timedelta(days=2),
        end=now + timedelta(days=2, hours=12),
        areas=[LONDON],
    )
    bulk_subscribers(engine, MESSAGES, now)
    add_change(session, strike, "announced", now=now)
    # The worker runs on the real clock: without this, a run at night would hold every SMS until
    # quiet hours end and the test would wait for nothing.
    settings = settings.model_copy(
        update={"quiet_hours_start": "00:00", "quiet_hours_end": "00:00"}
    )
    assert fan_out(engine, settings, now).queued == MESSAGES

    log = tmp_path / "worker.log"
    with FakeTwilio() as twilio:
        env = worker_env(database_url, tmp_path, twilio.base_url, sms_rate=200, log_level="WARNING")
        first = _worker(env, log)
        try:
            deadline = time.monotonic() + 60
            while len(twilio.accepted()) < KILL_AFTER:
                assert first.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "the worker never got going"
                time.sleep(0.02)
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        finally:
            if first.poll() is None:
                first.kill()
        at_kill = _status_counts(engine)
        in_flight = at_kill["sending"]
        accepted_at_kill = len(twilio.accepted())
        assert at_kill["sent"] < MESSAGES, "killed too late to test anything"

        second = _worker(env, log)
        try:
            deadline = time.monotonic() + 90
            while _status_counts(engine)["sent"] < MESSAGES:
                assert second.poll() is None, log.read_text()
                assert time.monotonic() < deadline, f"stuck at {_status_counts(engine)}"
                time.sleep(0.1)
        finally:
            second.send_signal(signal.SIGTERM)
            try:
                second.wait(timeout=30)
            except subprocess.TimeoutExpired:
                second.kill()
        received = Counter(r.to for r in twilio.accepted())

    with engine.connect() as conn:
        addresses = {str(a) for a in conn.execute(select(SUB.c.address)).scalars()}
    assert set(received) == addresses, "every queued message was delivered"
    duplicates = sum(n - 1 for n in received.values())
    print(
        f"\ncrash test: {MESSAGES} messages, killed after {accepted_at_kill} accepted; "
        f"in flight at kill {in_flight}; duplicates {duplicates}"
    )
    assert duplicates <= in_flight
    assert _status_counts(engine) == Counter({"sent": MESSAGES})
