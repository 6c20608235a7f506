"""``notifier strikes``: listing, held changes, approve and reject, against a real database."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from feeds.models import Strike, StrikeChange
from feeds.pipeline import process_articles
from notifier.cli import app
from tests.strike_articles import (
    CALLED_OFF,
    LOCAL_REPORT,
    TIMES_CHANGED,
    UNION_POST,
    add_article,
    add_feeds,
)

NOW = datetime(2026, 1, 5, 12, tzinfo=UTC)


@pytest.fixture
def cli(database_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("DATABASE_URL", database_url)
    return CliRunner()


@pytest.fixture
def strike_with_held_change(session: Session) -> int:
    """One announced walkout (union post + local paper) and a held change of its hours."""
    add_feeds(session)
    ids = [add_article(session, *a) for a in (UNION_POST, LOCAL_REPORT)]
    process_articles(session, ids, NOW, approval_threshold=0.75)
    later = add_article(session, *TIMES_CHANGED)
    process_articles(session, [later], NOW, approval_threshold=0.99)
    held = session.exec(
        select(StrikeChange).where(
            StrikeChange.approval == "pending", StrikeChange.kind == "times_changed"
        )
    ).one()
    assert held.id is not None
    return held.id


def test_listing_shows_times_areas_status_and_sources(
    cli: CliRunner, strike_with_held_change: int
) -> None:
    result = cli.invoke(app, ["strikes", "--now", "2026-01-10T09:00"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Wed 21 Jan 2026, 07:00 to 19:00" in out
    assert "ANNOUNCED" in out and "GMB" in out
    assert "South East Coast Ambulance Service" in out
    assert "Kent Courier: Kent paramedics join ambulance walkout" in out
    assert "https://example.org/gmb/news/" in out
    assert "pending: 1 change(s)" in out


def test_listing_json(cli: CliRunner, strike_with_held_change: int) -> None:
    result = cli.invoke(app, ["strikes", "--json", "--now", "2026-01-10T09:00"])
    assert result.exit_code == 0, result.output
    (strike,) = [s for s in json.loads(result.output) if s["start"]]
    assert strike["start"] == "2026-01-21T07:00:00+00:00"
    assert strike["end"] == "2026-01-21T19:00:00+00:00"
    assert strike["status"] == "announced" and strike["unions"] == ["GMB"]
    assert {"code": "RYD", "name": "South East Coast Ambulance Service NHS Foundation Trust"} in (
        strike["areas"]
    )
    assert len(strike["sources"]) == 3
    assert {s["source"] for s in strike["sources"]} == {"GMB", "Kent Courier"}


def test_past_strikes_are_not_listed_unless_asked(
    cli: CliRunner, strike_with_held_change: int
) -> None:
    after = cli.invoke(app, ["strikes", "--json", "--now", "2026-01-22T09:00"])
    assert [s for s in json.loads(after.output) if s["start"]] == []
    everything = cli.invoke(app, ["strikes", "--json", "--all", "--now", "2026-01-22T09:00"])
    assert len([s for s in json.loads(everything.output) if s["start"]]) == 1


def test_pending_then_approve(
    cli: CliRunner, strike_with_held_change: int, session: Session
) -> None:
    pending = cli.invoke(app, ["strikes", "--pending"])
    assert pending.exit_code == 0, pending.output
    assert f"change {strike_with_held_change}  times_changed (alert: changed)" in pending.output
    assert "00:01 to 23:59" in pending.output

    as_json = json.loads(cli.invoke(app, ["strikes", "--pending", "--json"]).output)
    (item,) = [i for i in as_json if i["id"] == strike_with_held_change]
    assert item["changes"]["start"]["to"] == "2026-01-21T00:01:00+00:00"

    approved = cli.invoke(
        app, ["strikes", "approve", str(strike_with_held_change), "--now", "2026-01-15T09:00"]
    )
    assert approved.exit_code == 0, approved.output
    assert "approved" in approved.output and "alert 'changed' will be sent" in approved.output
    session.expire_all()
    strike = session.exec(select(Strike).where(Strike.start.is_not(None))).one()  # type: ignore[union-attr]
    assert strike.start == datetime(2026, 1, 21, 0, 1, tzinfo=UTC)

    again = cli.invoke(app, ["strikes", "approve", str(strike_with_held_change)])
    assert again.exit_code == 1
    assert "not waiting for a decision: it is approved" in again.output


def test_approval_after_the_walkout_sends_nothing(
    cli: CliRunner, strike_with_held_change: int
) -> None:
    late = cli.invoke(
        app, ["strikes", "approve", str(strike_with_held_change), "--now", "2026-01-22T09:00"]
    )
    assert late.exit_code == 0, late.output
    assert "it sends no alert" in late.output


def test_reject_and_unknown_ids(
    cli: CliRunner, strike_with_held_change: int, session: Session
) -> None:
    rejected = cli.invoke(app, ["strikes", "reject", str(strike_with_held_change)])
    assert rejected.exit_code == 0, rejected.output
    assert "rejected" in rejected.output
    session.expire_all()
    change = session.get(StrikeChange, strike_with_held_change)
    assert change is not None and change.approval == "rejected"
    strike = session.get(Strike, change.strike_id)
    assert strike is not None and strike.start == datetime(2026, 1, 21, 7, tzinfo=UTC)

    missing = cli.invoke(app, ["strikes", "approve", "999999"])
    assert missing.exit_code == 1
    assert "no strike change with id 999999" in missing.output


def test_empty_lists_say_so(cli: CliRunner, engine: object) -> None:
    assert "No upcoming strikes" in cli.invoke(app, ["strikes"]).output
    assert "No changes are waiting" in cli.invoke(app, ["strikes", "--pending"]).output


def test_called_off_strike_is_listed_as_such(cli: CliRunner, session: Session) -> None:
    add_feeds(session)
    ids = [add_article(session, *a) for a in (UNION_POST, CALLED_OFF)]
    process_articles(session, ids, NOW, approval_threshold=0.75)
    out = cli.invoke(app, ["strikes", "--now", "2026-01-19T12:00"]).output
    assert "CANCELLED" in out


def test_show_gives_the_whole_history(cli: CliRunner, session: Session) -> None:
    add_feeds(session)
    ids = [add_article(session, *a) for a in (UNION_POST, TIMES_CHANGED, CALLED_OFF)]
    process_articles(session, ids, NOW, approval_threshold=0.75)
    strike = session.exec(select(Strike).where(Strike.start.is_not(None))).one()  # type: ignore[union-attr]
    out = cli.invoke(app, ["strikes", "show", str(strike.id)])
    assert out.exit_code == 0, out.output
    text = out.output
    assert text.index(": new (alert: announced, auto)") < text.index(": times_changed (alert")
    assert text.index(": times_changed (alert") < text.index(": called_off (alert: called_off")
    assert "start: 2026-01-21T07:00:00+00:00 -> 2026-01-21T00:01:00+00:00" in text
    assert "GMB: SECAmb ambulance strike called off after new pay offer" in text

    record = json.loads(cli.invoke(app, ["strikes", "show", str(strike.id), "--json"]).output)
    assert record["strike"]["status"] == "cancelled"
    assert all(h["url"].startswith("https://example.org/gmb/") for h in record["history"])
    kinds = [h["kind"] for h in record["history"]]
    assert kinds[0] == "new" and "called_off" in kinds

    missing = cli.invoke(app, ["strikes", "show", "424242"])
    assert missing.exit_code == 1 and "no strike with id 424242" in missing.output
