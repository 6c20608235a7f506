"""Tables owned by ``notifier``: the alert outbox and scheduler bookkeeping."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text, text
from sqlmodel import Field, SQLModel

from config.db_types import UTCDateTime


class OutboxMessage(SQLModel, table=True):
    """One alert owed to one subscriber. ``dedupe_key`` makes queueing idempotent.

    ``dedupe_key`` is ``change:<strike_change_id>:<subscriber_id>`` or
    ``reminder:<strike_id>:<start date>:<subscriber_id>``.

    No foreign keys and few indexes on purpose: fan-out writes up to a million rows in one
    ``INSERT ... SELECT`` from the very rows they would reference, and per-row constraint checks
    and index upkeep were most of its time. Subscribers, strikes and changes are never deleted
    (FORGET blanks the address), so the references cannot dangle.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (
        Index("ix_outbox_status_due", "status", "not_before"),
        Index("ix_outbox_subscriber", "subscriber_id", "status"),
        # Only sent rows have a provider id: a partial index costs nothing when queueing.
        Index(
            "ix_outbox_message_provider_message_id",
            "provider_message_id",
            postgresql_where=text("provider_message_id IS NOT NULL"),
            sqlite_where=text("provider_message_id IS NOT NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(unique=True, max_length=120)
    subscriber_id: int
    channel: str = Field(max_length=10)
    kind: str = Field(max_length=20)  # announced | changed | called_off | reminder | reply
    strike_id: int | None = None
    strike_change_id: int | None = None
    body: str | None = Field(default=None, sa_column=Column(Text))
    status: str = Field(default="pending", max_length=12)  # pending/sending/sent/dead
    attempts: int = 0
    not_before: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    claimed_by: str | None = Field(default=None, max_length=64)
    provider_message_id: str | None = Field(default=None, max_length=64)
    provider_status: str | None = Field(default=None, max_length=20)
    error: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class WorkerState(SQLModel, table=True):
    """Small key/value facts the health check reports (last poll, last tick, leader)."""

    __tablename__ = "worker_state"

    key: str = Field(primary_key=True, max_length=50)
    value: str = ""
    updated_at: datetime = Field(sa_type=UTCDateTime)


class ReminderPlan(SQLModel, table=True):
    """Per walkout start: audience sizes, which reminder groups are queued, the forecast finish.

    A group is one (channel, reminder time) pair, keyed ``"sms|18:00"``. Counting the audience
    is a join over every subscriber, so it is cached here and refreshed every half hour; the
    ``queued`` list makes the minute-by-minute reminder tick cheap once a group is done.
    """

    __tablename__ = "reminder_plan"

    strike_id: int = Field(foreign_key="strike.id", primary_key=True)
    start_date: str = Field(primary_key=True, max_length=10)  # UK date, YYYY-MM-DD
    counts: str = Field(default="{}", sa_column=Column(Text, nullable=False))  # JSON group -> n
    queued: str = Field(default="[]", sa_column=Column(Text, nullable=False))  # JSON groups
    computed_at: datetime = Field(sa_type=UTCDateTime)
    last_queued_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    expected_finish: datetime | None = Field(default=None, sa_type=UTCDateTime)
    deadline: datetime | None = Field(default=None, sa_type=UTCDateTime)
