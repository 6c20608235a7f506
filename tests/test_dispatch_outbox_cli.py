"""``notifier outbox``: the operator's view of the queue."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session
from typer.testing import CliRunner

from notifier.cli import app
from notifier.dispatch import OUTBOX
from tests.alert_data import add_subscriber
from tests.dispatch_data import NOW, add_strike, queue, rows


@pytest.fixture
def cli_env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("DATABASE_URL", database_url)


def _fill(engine: Engine, session: Session) -> int:
    strike = add_strike(session)
    sms, tg = add_subscriber(session), add_subscriber(session, channel="telegram")
    queue(session, sms, strike)
    queue(session, tg, strike)
    sent = queue(session, sms, strike, "reminder")
    dead = queue(session, tg, strike, "reminder")
    with engine.begin() as conn:
        conn.execute(update(OUTBOX).where(OUTBOX.c.id == sent.id).values(status="sent"))
        conn.execute(
            update(OUTBOX)
            .where(OUTBOX.c.id == dead.id)
            .values(
                status="dead", attempts=6, error="gave up after 6 attempts: telegram NetworkError"
            )
        )
    assert dead.id is not None
    return dead.id


def test_json_report_counts_by_channel_and_lists_dead_letters(
    cli_env: None, engine: Engine, session: Session
) -> None:
    dead_id = _fill(engine, session)
    result = CliRunner().invoke(app, ["outbox", "--json", "--now", NOW.isoformat()])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["totals"]["pending"] == 2 and report["totals"]["sent"] == 1
    assert report["totals"]["dead"] == 1
    assert report["by_channel"]["sms"]["pending"] == 1
    assert report["by_channel"]["telegram"]["dead"] == 1
    assert report["due_now"] == 2
    [letter] = report["dead_letters"]
    assert letter["id"] == dead_id and "NetworkError" in letter["error"]
    assert letter["attempts"] == 6


def test_text_report_and_requeue(cli_env: None, engine: Engine, session: Session) -> None:
    dead_id = _fill(engine, session)
    out = CliRunner().invoke(app, ["outbox", "--now", NOW.isoformat()]).output
    assert "dead letters" in out and f"#{dead_id} telegram reminder" in out
    assert "sms" in out and "telegram" in out
    again = CliRunner().invoke(app, ["outbox", "--requeue-dead", "--json"])
    assert json.loads(again.output)["requeued"] == 1
    row = rows(engine)[dead_id]
    assert row.status == "pending" and row.attempts == 0
