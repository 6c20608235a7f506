"""``notifier strikes``: upcoming strikes, and the operator's approval of held changes.

``notifier strikes [--json]`` lists strikes not yet over; ``--pending`` lists changes held for a
decision; ``notifier strikes approve ID`` / ``reject ID`` decide one.
"""

from __future__ import annotations

import json
from typing import Any

import typer
from sqlmodel import Session

from feeds.strikes.approval import ApprovalError, approve_change, reject_change
from feeds.strikes.listing import (
    StrikeView,
    UnknownStrike,
    held_changes,
    strike_history,
    upcoming_strikes,
)
from notifier.cli.common import engine_or_exit, fail, parse_now, settings_or_exit
from notifier.db import session_scope

_NOW_HELP = "Pretend it is this time (ISO 8601; no offset means UK local time)."


def _strike_lines(view: StrikeView) -> list[str]:
    flag = "  [held for approval]" if view.held else ""
    who = ", ".join(view.unions) or "union not named"
    lines = [f"#{view.id}  {view.when()}  {view.status.upper()}{flag}", f"    who:     {who}"]
    if view.staff:
        lines.append(f"    staff:   {', '.join(view.staff)}")
    if view.employers:
        lines.append(f"    at:      {', '.join(view.employers)}")
    areas = ", ".join(f"{a['name']} ({a['code']})" for a in view.areas)
    lines.append(f"    areas:   {areas or ', '.join(view.area_names) or 'not known'}")
    for source in view.sources:
        lines.append(f"    source:  {source['source'] or 'unknown'}: {source['title']}")
        lines.append(f"             {source['url']}")
    if view.pending_changes:
        lines.append(
            f"    pending: {view.pending_changes} change(s); see `notifier strikes --pending`"
        )
    return lines


def _pending_lines(held: dict[str, Any]) -> list[str]:
    lines = [
        f"change {held['id']}  {held['kind']} (alert: {held['alert_kind']})  "
        f"strike #{held['strike_id']} {held['strike_key']}",
        f"    would be: {held['status']}, {held['when']}",
    ]
    for name, diff in held["changes"].items():
        lines.append(f"    {name}: {diff['from']} -> {diff['to']}")
    lines.append(f"    confidence {held['confidence']:.2f}; why: {held['reason']}")
    if held["source"] or held["url"]:
        lines.append(f"    source: {held['source']}: {held['title']}  {held['url']}")
    return lines


def register(app: typer.Typer) -> None:
    strikes = typer.Typer(
        help="Upcoming strikes and the approval of held changes.",
        invoke_without_command=True,
    )

    @strikes.callback()
    def listing(
        ctx: typer.Context,
        as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
        pending: bool = typer.Option(
            False, "--pending", help="List changes held for an operator instead."
        ),
        include_past: bool = typer.Option(
            False, "--all", help="Include strikes that are already over."
        ),
        now: str | None = typer.Option(None, "--now", help=_NOW_HELP),
    ) -> None:
        """List upcoming strikes with their areas, UK times, status and sources."""
        if ctx.invoked_subcommand is not None:
            return
        moment = parse_now(now)
        engine = engine_or_exit(settings_or_exit())
        with Session(engine) as session:
            if pending:
                held = held_changes(session)
                if as_json:
                    typer.echo(json.dumps(held, indent=2))
                    return
                if not held:
                    typer.echo("No changes are waiting for approval.")
                    return
                for item in held:
                    typer.echo("\n".join(_pending_lines(item)))
                return
            views = upcoming_strikes(session, moment, include_past=include_past)
        if as_json:
            typer.echo(json.dumps([v.as_dict() for v in views], indent=2))
            return
        if not views:
            typer.echo("No upcoming strikes are recorded.")
            return
        for view in views:
            typer.echo("\n".join(_strike_lines(view)))

    def _decide(change_id: int, now: str | None, approve: bool) -> None:
        moment = parse_now(now)
        engine = engine_or_exit(settings_or_exit())
        try:
            with session_scope(engine) as session:
                decide = approve_change if approve else reject_change
                change = decide(session, change_id, moment)
                summary = (
                    f"change {change.id} {change.approval}: {change.kind} of strike "
                    f"#{change.strike_id}"
                )
                if approve:
                    summary += (
                        f"; alert '{change.alert_kind}' will be sent"
                        if change.alert_kind != "none"
                        else "; it sends no alert"
                    )
        except ApprovalError as exc:
            fail(str(exc))
        typer.echo(summary)

    @strikes.command("approve")
    def approve(
        change_id: int = typer.Argument(..., help="Change id from `notifier strikes --pending`."),
        now: str | None = typer.Option(None, "--now", help=_NOW_HELP),
    ) -> None:
        """Apply a held change and let it alert subscribers."""
        _decide(change_id, now, approve=True)

    @strikes.command("reject")
    def reject(
        change_id: int = typer.Argument(..., help="Change id from `notifier strikes --pending`."),
        now: str | None = typer.Option(None, "--now", help=_NOW_HELP),
    ) -> None:
        """Turn a held change down; nobody is alerted and the strike keeps its facts."""
        _decide(change_id, now, approve=False)

    @strikes.command("show")
    def show(
        strike_id: int = typer.Argument(..., help="Strike id from `notifier strikes`."),
        as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    ) -> None:
        """One strike and its whole history: every change, its source, reason and approval."""
        engine = engine_or_exit(settings_or_exit())
        with Session(engine) as session:
            try:
                record = strike_history(session, strike_id)
            except UnknownStrike as exc:
                fail(str(exc))
        if as_json:
            typer.echo(json.dumps(record, indent=2))
            return
        info = record["strike"]
        flag = "  [held for approval]" if info["held_for_approval"] else ""
        typer.echo(
            f"#{info['id']}  {info['when']}  {info['status'].upper()}{flag}  ({info['key']})"
        )
        typer.echo(f"    who:   {', '.join(info['unions']) or 'union not named'}")
        areas = ", ".join(f"{a['name']} ({a['code']})" for a in info["areas"])
        typer.echo(f"    areas: {areas or 'not known'}")
        for item in record["history"]:
            typer.echo(
                f"  {item['at'][:16].replace('T', ' ')}  change {item['id']}: {item['kind']} "
                f"(alert: {item['alert_kind']}, {item['approval']})"
            )
            for name, diff in item["changes"].items():
                typer.echo(f"      {name}: {diff['from']} -> {diff['to']}")
            typer.echo(f"      why: {item['reason']}")
            if item["source"] or item["url"]:
                typer.echo(f"      source: {item['source']}: {item['title']}  {item['url']}")

    app.add_typer(strikes, name="strikes")
