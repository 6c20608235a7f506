"""The migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

import uuid

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import SQLModel

from notifier.db import make_engine
from notifier.migrate import pending_differences, upgrade


def _fresh_engine(engine: Engine, tmp_path) -> tuple[Engine, str | None]:  # type: ignore[no-untyped-def]
    """An empty database of the same kind as the test database."""
    if engine.dialect.name == "sqlite":
        return make_engine(f"sqlite:///{tmp_path / 'migrated.db'}"), None
    schema = f"m_{uuid.uuid4().hex[:10]}"
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(engine.url.render_as_string(hide_password=False))
    url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    return make_engine(url.render_as_string(hide_password=False)), schema


def test_upgrade_creates_every_table_and_matches_the_models(engine: Engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    fresh, schema = _fresh_engine(engine, tmp_path)
    try:
        upgrade(fresh)
        tables = set(inspect(fresh).get_table_names())
        assert set(SQLModel.metadata.tables) <= tables
        assert pending_differences(fresh) == []
        upgrade(fresh)  # running it again is a no-op, as a release step must be
    finally:
        fresh.dispose()
        if schema:
            with engine.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
