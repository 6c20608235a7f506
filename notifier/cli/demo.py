"""``notifier demo``: the offline tour from feed item to what each resident receives."""

from __future__ import annotations

import tempfile
from pathlib import Path

import typer

from config.settings import load_settings
from notifier.cli.common import fail, parse_now


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo(
        now: str = typer.Option(
            None, "--now", help="Start the clock at this ISO time (UK time if no offset)."
        ),
        as_json: bool = typer.Option(False, "--json", help="Also print what each resident got."),
        keep: Path = typer.Option(
            None, "--keep", help="Keep the demo database in this directory instead of a temp one."
        ),
    ) -> None:
        """Offline tour: sample feeds, sample residents, real cycles, what each one receives.

        Sample feeds are served on 127.0.0.1; the cycles run on a clock from --now through the
        day-before reminders and a call-off.
        """
        from notifier.db import make_engine
        from notifier.demo.tour import demo_database, dump_json, run
        from notifier.migrate import upgrade

        clock = parse_now(now)
        with tempfile.TemporaryDirectory(prefix="strike-demo-") as tmp:
            where = keep or Path(tmp)
            where.mkdir(parents=True, exist_ok=True)
            settings = load_settings(
                DATABASE_URL=demo_database(where),
                ALLOW_FICTIONAL_NUMBERS=True,
                TWILIO_ACCOUNT_SID="",
                TWILIO_AUTH_TOKEN="",
                TELEGRAM_BOT_TOKEN="",
                PUBLIC_BASE_URL="",
            )
            engine = make_engine(settings.database_url)
            try:
                upgrade(engine)
                residents = run(engine, settings, clock, typer.echo)
            except Exception as exc:  # the tour is a tool for people: say what broke
                fail(f"demo failed: {type(exc).__name__}: {exc}")
            finally:
                engine.dispose()
        if as_json:
            typer.echo(dump_json(residents))
