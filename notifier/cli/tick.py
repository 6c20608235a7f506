"""``notifier tick``: one whole cycle as if the clock said ``--now``."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import datetime
from typing import TYPE_CHECKING, Any

import typer
from sqlalchemy.engine import Engine

from config.settings import Settings
from notifier.cli.common import engine_or_exit, fail, parse_now, settings_or_exit

if TYPE_CHECKING:
    from notifier.channels.base import Channel
    from notifier.cycle import CycleSummary


def _forecast_lines(reminders: dict[str, Any]) -> list[str]:
    lines = []
    for fc in reminders.get("forecasts", []):
        if not fc["reminders"]:
            continue
        note = ""
        if fc["late"]:
            note = "  LATE: some reminders cannot arrive before the deadline at this rate"
        elif fc["early"]:
            note = "  (started early to finish in time)"
        lines.append(
            f"  strike {fc['strike_id']}: {fc['reminders']} reminders, expected to finish "
            f"{fc['expected_finish']} (deadline {fc['deadline']}){note}"
        )
    return lines


async def _run(
    engine: Engine,
    settings: Settings,
    when: datetime,
    *,
    poll: bool,
    dispatch: bool,
    quiet_stdout: bool,
) -> CycleSummary:
    """Run the cycle with the configured channels; console output to stderr under --json."""
    from notifier.channels.console import ConsoleChannel
    from notifier.channels.registry import CHANNEL_NAMES, get_channel
    from notifier.cycle import run_cycle

    channels: dict[str, Channel] = {}
    for name in CHANNEL_NAMES:
        channel = get_channel(settings, name)
        if quiet_stdout and isinstance(channel, ConsoleChannel):
            channel = ConsoleChannel(name, stream=sys.stderr)
        channels[name] = channel
    try:
        return await run_cycle(
            engine, settings, when, poll=poll, dispatch=dispatch, channels=channels
        )
    finally:
        for channel in channels.values():
            await channel.aclose()


def register(app: typer.Typer) -> None:
    @app.command("tick")
    def tick(
        now: str = typer.Option(
            None, "--now", help="Run as if the clock said this ISO time (UK time if no offset)."
        ),
        as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
        poll: bool = typer.Option(True, "--poll/--no-poll", help="Poll feeds that are due."),
        dispatch: bool = typer.Option(
            True, "--dispatch/--no-dispatch", help="Send what is due (off: only queue)."
        ),
    ) -> None:
        """Run one cycle: poll due feeds, detect, fan out, queue due reminders, dispatch."""
        from notifier.cycle import sync_feed_catalogue

        settings = settings_or_exit()
        engine = engine_or_exit(settings)
        when = parse_now(now)
        if poll:
            problem = sync_feed_catalogue(engine, settings)
            if problem:
                fail(problem, 2)
        summary = asyncio.run(
            _run(engine, settings, when, poll=poll, dispatch=dispatch, quiet_stdout=as_json)
        )
        data = summary.as_dict()
        if as_json:
            typer.echo(json.dumps(data, indent=2, default=str))
        else:
            typer.echo(f"tick at {data['now']}")
            if data["poll"] is not None:
                p = data["poll"]
                typer.echo(
                    f"  polled: {p.get('fetched', 0)} fetched, "
                    f"{p.get('not_modified', 0)} not modified, {p.get('failed', 0)} failed,"
                    f" {p.get('new_articles', 0)} new articles"
                )
            if data["detect"]:
                d = data["detect"]
                typer.echo(
                    f"  detected: {d.get('articles', 0)} articles, "
                    f"{d.get('changes', 0)} strike changes ({d.get('pending', 0)} held "
                    "for an operator)"
                )
            typer.echo(
                f"  queued: {data['queued']} ({data['fanout']['queued']} alerts, "
                f"{data['reminders']['queued']} reminders)"
            )
            for line in _forecast_lines(data["reminders"]):
                typer.echo(line)
            if data["dispatch"] is not None:
                d = data["dispatch"]
                typer.echo(
                    f"  sent: {data['sent']} (retry later {d.get('retried', 0)}, "
                    f"failed {d.get('failed', 0)}, dead {d.get('dead', 0)}, "
                    f"expired {d.get('expired', 0)})"
                )
            for err in data["errors"]:
                typer.echo(f"  error: {err}", err=True)
        if summary.errors:
            raise typer.Exit(1)
