"""Helpers shared by CLI commands: settings, engine, exit-with-message."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import NoReturn

import typer
from sqlalchemy.engine import Engine

from config.settings import Settings, SettingsError, load_settings
from notifier.db import DatabaseUnavailable, check_connection, make_engine


def fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        fail(str(exc), 2)


def engine_or_exit(settings: Settings) -> Engine:
    engine = make_engine(settings.database_url)
    try:
        check_connection(engine)
    except DatabaseUnavailable as exc:
        fail(str(exc), 2)
    return engine


def parse_now(value: str | None) -> datetime:
    """``--now`` accepts ISO 8601; a time without offset is UK local time."""
    from config.db_types import UK_TZ

    if value is None:
        return datetime.now(UTC)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        fail(f"--now {value!r} is not an ISO time such as 2026-01-10T18:00")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UK_TZ)
    return parsed.astimezone(UTC)
