"""``notifier run``: the worker (scheduler, polling, detection, dispatch), optionally with the web
app in the same process (``--with-web``, what ``make run`` uses)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Iterator

import typer
import uvicorn
from sqlalchemy.engine import Engine

from config.settings import Settings
from notifier.cli.common import engine_or_exit, settings_or_exit

log = logging.getLogger(__name__)


class EmbeddedServer(uvicorn.Server):
    """uvicorn inside our own event loop: the worker owns the signals and stops both."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def channel_report(settings: Settings) -> list[str]:
    """One line per channel saying how it will deliver, for the start-up banner."""
    lines = []
    if settings.sms_enabled:
        sender = (
            f"messaging service {settings.twilio_messaging_service_sid}"
            if settings.twilio_messaging_service_sid
            else f"number ending {str(settings.twilio_from_number)[-3:]}"
        )
        lines.append(
            f"sms channel: Twilio via {sender}, {settings.sms_segments_per_second:g} segments/s"
        )
    else:
        lines.append("sms channel: console (no Twilio credentials)")
    if settings.telegram_enabled:
        mode = (
            f"webhook at {settings.public_base_url}"
            if settings.public_base_url
            else "long polling (no PUBLIC_BASE_URL)"
        )
        lines.append(
            f"telegram channel: bot API, {mode}, "
            f"{settings.telegram_messages_per_second:g} messages/s"
        )
    else:
        lines.append("telegram channel: console (no TELEGRAM_BOT_TOKEN)")
    return lines


def web_server(settings: Settings, engine: Engine) -> EmbeddedServer:
    from notifier.web.app import create_app

    config = uvicorn.Config(
        create_app(settings, engine),
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        lifespan="on",
    )
    return EmbeddedServer(config)


async def run_worker(settings: Settings, engine: Engine, *, with_web: bool) -> None:
    from notifier.scheduler import Worker

    worker = Worker(engine, settings)
    server = web_server(settings, engine) if with_web else None
    loop = asyncio.get_running_loop()

    def _stop() -> None:
        log.info("stopping")
        worker.stop.set()
        if server is not None:
            server.should_exit = True

    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, _stop)
    web_task = asyncio.create_task(server.serve(), name="web") if server is not None else None
    try:
        await worker.run()
    finally:
        if server is not None and web_task is not None:
            server.should_exit = True
            with contextlib.suppress(Exception):
                await asyncio.wait_for(web_task, 15)


def register(app: typer.Typer) -> None:
    @app.command("run")
    def run(
        with_web: bool = typer.Option(
            False, "--with-web", help="Also serve the web app (HOST:PORT) in this process."
        ),
    ) -> None:
        """Run the worker: poll feeds, detect strikes, queue and send alerts, until stopped."""
        from notifier.logging_setup import configure_logging

        settings = settings_or_exit()
        configure_logging(settings.log_level)
        engine = engine_or_exit(settings)
        for line in channel_report(settings):
            typer.echo(line)
        if with_web:
            typer.echo(f"web app: http://{settings.host}:{settings.port}/")
        typer.echo(f"database: {engine.url.render_as_string(hide_password=True)}")
        log.info(
            "worker starting", extra={"channels": channel_report(settings), "with_web": with_web}
        )
        asyncio.run(run_worker(settings, engine, with_web=with_web))
