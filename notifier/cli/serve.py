"""``notifier serve``: the web app alone (sign-up pages, webhooks, health check)."""

from __future__ import annotations

import typer

from notifier.cli.common import engine_or_exit, settings_or_exit


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve() -> None:
        """Serve the web app on HOST:PORT until stopped (no polling or sending)."""
        import uvicorn

        from notifier.logging_setup import configure_logging
        from notifier.web.app import create_app

        settings = settings_or_exit()
        configure_logging(settings.log_level)
        engine = engine_or_exit(settings)
        typer.echo(f"web app: http://{settings.host}:{settings.port}/")
        uvicorn.run(
            create_app(settings, engine),
            host=settings.host,
            port=settings.port,
            log_config=None,
            access_log=False,
        )
