"""``notifier feeds``: source health; ``feeds export`` writes OPML; ``feeds check`` validates."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import typer
from sqlmodel import Session, col, select

from config.db_types import UK_TZ
from notifier.cli.common import engine_or_exit, fail, settings_or_exit


def _when(moment: datetime | None) -> str:
    return moment.astimezone(UK_TZ).strftime("%Y-%m-%d %H:%M") if moment else "-"


def _state(feed: Any) -> str:
    if not feed.enabled:
        return "disabled"
    if not feed.healthy:
        return "UNHEALTHY"
    if feed.last_polled_at is None:
        return "new"
    if feed.last_error:
        return "failing"
    return "warning" if feed.last_warning else "ok"


def _off_reason(feed: Any, notes: dict[str, str]) -> str:
    if feed.enabled:
        return ""
    return notes.get(feed.id) or "not in the catalogue any more"


def _load(path: Path | None) -> list[Any]:
    from feeds.catalogue import CatalogueError, load_catalogue

    settings = settings_or_exit()
    try:
        return load_catalogue(path or settings.feeds_file)
    except CatalogueError as exc:
        fail(str(exc), 2)


def register(app: typer.Typer) -> None:
    group = typer.Typer(
        help="Feed and page sources: health, OPML export, catalogue check.",
        invoke_without_command=True,
    )

    @group.callback()
    def health(
        ctx: typer.Context,
        as_json: bool = typer.Option(False, "--json", help="Print a JSON list."),
        problems: bool = typer.Option(
            False, "--problems", help="Only sources that are failing, unhealthy or warning."
        ),
    ) -> None:
        """Show each source's health: state, last success, next poll, failures, last error."""
        if ctx.invoked_subcommand is not None:
            return
        from feeds.catalogue import CatalogueError, load_catalogue, sync_catalogue
        from feeds.models import Feed

        settings = settings_or_exit()
        engine = engine_or_exit(settings)
        try:
            specs = load_catalogue(settings.feeds_file)
        except CatalogueError as exc:
            fail(str(exc), 2)
        with Session(engine, expire_on_commit=False) as session:
            sync_catalogue(session, specs)
            session.commit()
            feeds = list(session.exec(select(Feed).order_by(col(Feed.id))))
        if problems:
            feeds = [f for f in feeds if _state(f) in {"UNHEALTHY", "failing", "warning"}]
        if as_json:
            typer.echo(
                json.dumps(
                    [
                        {
                            "id": f.id,
                            "name": f.name,
                            "kind": f.publisher_kind,
                            "type": f.source_type,
                            "url": f.discovered_feed_url or f.url,
                            "state": _state(f).lower(),
                            "enabled": f.enabled,
                            "healthy": f.healthy,
                            "last_success_at": f.last_success_at.isoformat()
                            if f.last_success_at
                            else None,
                            "next_poll_at": f.next_poll_at.isoformat() if f.next_poll_at else None,
                            "consecutive_failures": f.consecutive_failures,
                            "last_error": f.last_error,
                            "last_warning": f.last_warning,
                        }
                        for f in feeds
                    ],
                    indent=2,
                )
            )
            return
        header = (
            "SOURCE",
            "KIND",
            "TYPE",
            "STATE",
            "LAST SUCCESS",
            "NEXT POLL",
            "FAILS",
            "LAST ERROR / WARNING",
        )
        notes = {spec.id: spec.note for spec in specs}
        rows = [
            (
                f.id,
                f.publisher_kind,
                f.source_type,
                _state(f),
                _when(f.last_success_at),
                _when(f.next_poll_at) if f.enabled else "-",
                str(f.consecutive_failures),
                (f.last_error or f.last_warning or _off_reason(f, notes))[:70],
            )
            for f in feeds
        ]
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]
        for row in [header, *rows]:
            cells = [c.ljust(w) for c, w in zip(row[:-1], widths, strict=True)]
            typer.echo("  ".join([*cells, row[-1]]).rstrip())
        order = ("ok", "warning", "failing", "UNHEALTHY", "new", "disabled")
        counts = {state: sum(1 for r in rows if r[3] == state) for state in order}
        parts = ", ".join(f"{n} {state.lower()}" for state, n in counts.items() if n)
        typer.echo(f"\n{len(rows)} sources: {parts or 'none'} (times are UK local)")

    @group.command("export")
    def export(
        file: Path = typer.Argument(None, help="Write here instead of standard output."),
        feeds_file: Path = typer.Option(None, "--feeds", help="Catalogue to export."),
    ) -> None:
        """Write the catalogue as OPML, the format every feed reader imports."""
        from feeds.catalogue import export_opml

        data = export_opml(_load(feeds_file))
        if file is None:
            typer.echo(data.decode("utf-8"), nl=False)
            return
        try:
            file.write_bytes(data)
        except OSError as exc:
            fail(f"cannot write {file}: {exc.strerror}", 1)
        typer.echo(f"wrote {file}", err=True)

    @group.command("check")
    def check(file: Path = typer.Argument(None, help="Catalogue to check (YAML or OPML).")) -> None:
        """Validate a catalogue without touching the database; errors name file and line."""
        specs = _load(file)
        enabled = sum(1 for s in specs if s.enabled)
        pages = sum(1 for s in specs if s.source_type == "page")
        typer.echo(f"{len(specs)} sources ({enabled} enabled, {pages} news pages): OK")

    app.add_typer(group, name="feeds")
