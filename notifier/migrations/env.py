"""Alembic environment: the engine comes from the caller (see notifier.migrate)."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import notifier.db  # noqa: F401  (registers every table)

config = context.config
engine = config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=False,
    )
    with context.begin_transaction():
        context.run_migrations()
