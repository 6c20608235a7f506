"""``notifier serve``: the web app alone (sign-up pages, webhooks, health check)."""

from __future__ import annotations

import asyncio
import contextlib
import signal

import typer
from sqlalchemy.engine import Engine

from config.settings import Settings
from notifier.cli.common import engine_or_exit, settings_or_exit


async def serve_web(settings: Settings, engine: Engine) -> None:
    """Serve until SIGINT/SIGTERM, then finish open requests and exit normally."""
    from notifier.cli.run import web_server

    server = web_server(settings, engine)
    loop = asyncio.get_running_loop()

    def _stop() -> None:
        server.should_exit = True

    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, _stop)
    await server.serve()


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve() -> None:
        """Serve the web app on HOST:PORT until stopped (no polling or sending)."""
        from notifier.logging_setup import configure_logging

        settings = settings_or_exit()
        configure_logging(settings.log_level)
        engine = engine_or_exit(settings)
        typer.echo(f"web app: http://{settings.host}:{settings.port}/")
        asyncio.run(serve_web(settings, engine))
