"""Shared fixtures: a real database per test run (SQLite or PostgreSQL), cleaned per test.

``TEST_DATABASE_URL`` chooses the database (default: a SQLite file in a temp dir). A database that
cannot be reached stops the run with an error: a silent skip would hide a broken CI.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel

from config.settings import Settings, load_settings
from notifier.db import DatabaseUnavailable, check_connection, create_all, make_engine
from tests.areas_support import postcode_index  # noqa: F401  (session-wide: built once per run)


def _test_database_url(tmp_root: Path) -> str:
    url = os.environ.get("TEST_DATABASE_URL", "").strip()
    return url or f"sqlite:///{tmp_root / 'test.db'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL tests use. On PostgreSQL each run gets its own schema so runs never collide."""
    url = _test_database_url(tmp_path_factory.mktemp("db"))
    if url.startswith("sqlite"):
        yield url
        return
    schema = f"t_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = make_engine(url)
    try:
        check_connection(admin)
    except DatabaseUnavailable as exc:
        pytest.exit(f"TEST_DATABASE_URL is set but unusable: {exc}", returncode=3)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    parsed = make_url(url)
    scoped = parsed.update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield scoped.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def _schema_engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    try:
        check_connection(engine)
    except DatabaseUnavailable as exc:
        pytest.exit(str(exc), returncode=3)
    create_all(engine)
    yield engine
    engine.dispose()


def _wipe(engine: Engine) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(SQLModel.metadata.sorted_tables):
                conn.execute(table.delete())


@pytest.fixture
def engine(_schema_engine: Engine) -> Iterator[Engine]:
    """A real engine on an empty schema; every table is emptied after the test."""
    _wipe(_schema_engine)
    yield _schema_engine
    _wipe(_schema_engine)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as s:
        yield s


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Settings for tests: the test database, no provider credentials, fictional numbers allowed."""
    return load_settings(
        DATABASE_URL=database_url,
        ALLOW_FICTIONAL_NUMBERS=True,
        _env_file=None,
    )


def pytest_sessionstart(session: pytest.Session) -> None:
    """Check a configured server database before any test runs, and stop the run if it is down."""
    url = os.environ.get("TEST_DATABASE_URL", "").strip()
    if not url or url.startswith("sqlite"):
        return
    engine = make_engine(url)
    try:
        check_connection(engine)
    except DatabaseUnavailable as exc:
        pytest.exit(f"TEST_DATABASE_URL points at a database that is not there: {exc}", 3)
    finally:
        engine.dispose()
