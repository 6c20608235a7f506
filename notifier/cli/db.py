"""``notifier db``: schema migrations."""

from __future__ import annotations

import typer

from notifier.cli.common import engine_or_exit, settings_or_exit


def register(app: typer.Typer) -> None:
    db = typer.Typer(help="Database schema management.", no_args_is_help=True)

    @db.command("upgrade")
    def upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
        """Apply migrations up to REVISION (default: the newest)."""
        from notifier.migrate import upgrade as do_upgrade

        settings = settings_or_exit()
        engine = engine_or_exit(settings)
        do_upgrade(engine, revision)
        typer.echo(f"database at {revision}")

    app.add_typer(db, name="db")
