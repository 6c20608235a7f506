"""``notifier outbox``: what is queued, sent, failed and dead, by channel; dead letters listed."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import typer
from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine

from notifier.cli.common import engine_or_exit, parse_now, settings_or_exit
from notifier.dispatch import DEAD, OUTBOX, PENDING, SENDING

STATUSES: tuple[str, ...] = ("pending", "sending", "sent", "failed", "dead", "skipped", "cancelled")


@dataclass(slots=True)
class OutboxReport:
    by_channel: dict[str, dict[str, int]] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    due_now: int = 0
    next_due: datetime | None = None
    dead_letters: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "totals": self.totals,
            "by_channel": self.by_channel,
            "due_now": self.due_now,
            "next_due": self.next_due.isoformat() if self.next_due else None,
            "dead_letters": self.dead_letters,
        }


def outbox_report(engine: Engine, now: datetime, dead_limit: int = 50) -> OutboxReport:
    """Counts per (channel, status) and the newest dead letters; no addresses, only ids."""
    report = OutboxReport(totals=dict.fromkeys(STATUSES, 0))
    with engine.connect() as conn:
        for channel, status, count in conn.execute(
            select(OUTBOX.c.channel, OUTBOX.c.status, func.count()).group_by(
                OUTBOX.c.channel, OUTBOX.c.status
            )
        ):
            per = report.by_channel.setdefault(channel, dict.fromkeys(STATUSES, 0))
            per[status] = per.get(status, 0) + int(count)
            report.totals[status] = report.totals.get(status, 0) + int(count)
        report.due_now = int(
            conn.execute(
                select(func.count())
                .select_from(OUTBOX)
                .where(OUTBOX.c.status == PENDING, OUTBOX.c.not_before <= now)
            ).scalar_one()
        )
        report.next_due = conn.execute(
            select(func.min(OUTBOX.c.not_before)).where(
                OUTBOX.c.status == PENDING, OUTBOX.c.not_before > now
            )
        ).scalar_one()
        for row in conn.execute(
            select(
                OUTBOX.c.id,
                OUTBOX.c.channel,
                OUTBOX.c.kind,
                OUTBOX.c.subscriber_id,
                OUTBOX.c.strike_id,
                OUTBOX.c.attempts,
                OUTBOX.c.error,
                OUTBOX.c.claimed_at,
            )
            .where(OUTBOX.c.status == DEAD)
            .order_by(OUTBOX.c.id.desc())
            .limit(dead_limit)
        ):
            report.dead_letters.append(
                {
                    "id": row.id,
                    "channel": row.channel,
                    "kind": row.kind,
                    "subscriber_id": row.subscriber_id,
                    "strike_id": row.strike_id,
                    "attempts": row.attempts,
                    "error": row.error,
                    "last_try": row.claimed_at.isoformat() if row.claimed_at else None,
                }
            )
    return report


def requeue_dead(engine: Engine, now: datetime) -> int:
    """Give dead letters a fresh set of attempts (after the operator fixed the cause)."""
    with engine.begin() as conn:
        result = conn.execute(
            update(OUTBOX)
            .where(OUTBOX.c.status == DEAD)
            .values(status=PENDING, attempts=0, not_before=now, claimed_by=None, error=None)
            .execution_options(preserve_rowcount=True)
        )
    return int(result.rowcount or 0)


def _text(report: OutboxReport) -> str:
    shown = [s for s in STATUSES if report.totals.get(s)] or ["pending", "sent"]
    width = max([7, *(len(c) for c in report.by_channel)])
    lines = [" ".join([f"{'channel':<{width}}", *(f"{s:>9}" for s in shown)])]
    for channel in sorted(report.by_channel):
        per = report.by_channel[channel]
        lines.append(" ".join([f"{channel:<{width}}", *(f"{per.get(s, 0):>9}" for s in shown)]))
    lines.append(
        " ".join([f"{'total':<{width}}", *(f"{report.totals.get(s, 0):>9}" for s in shown)])
    )
    lines.append(
        f"due now: {report.due_now}"
        + (f"; next due at {report.next_due.isoformat()}" if report.next_due else "")
    )
    in_flight = report.totals.get(SENDING, 0)
    if in_flight:
        lines.append(f"being sent: {in_flight}")
    if report.dead_letters:
        lines.append(f"dead letters (newest {len(report.dead_letters)}):")
        for d in report.dead_letters:
            lines.append(
                f"  #{d['id']} {d['channel']} {d['kind']} subscriber {d['subscriber_id']} "
                f"strike {d['strike_id']} after {d['attempts']} attempt(s): {d['error']}"
            )
        lines.append("Fix the cause, then `notifier outbox --requeue-dead` to try them again.")
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    @app.command("outbox")
    def outbox(
        as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
        dead: int = typer.Option(50, "--dead", min=0, help="How many dead letters to list."),
        requeue: bool = typer.Option(
            False, "--requeue-dead", help="Queue every dead letter again with fresh attempts."
        ),
        now: str = typer.Option(None, "--now", help="Report as if the clock said this time."),
    ) -> None:
        """Show the alert queue: pending, sent, failed and dead letters, by channel."""
        settings = settings_or_exit()
        engine = engine_or_exit(settings)
        when = parse_now(now)
        requeued = requeue_dead(engine, when) if requeue else None
        report = outbox_report(engine, when, dead)
        if as_json:
            payload = report.as_dict()
            if requeued is not None:
                payload["requeued"] = requeued
            typer.echo(json.dumps(payload, indent=2))
            return
        if requeued is not None:
            typer.echo(f"requeued {requeued} dead letter(s)")
        typer.echo(_text(report))
