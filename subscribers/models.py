"""Tables owned by ``subscribers``: residents, their postcodes, areas, topics and sign-up codes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from config.db_types import UTCDateTime


class Area(SQLModel, table=True):
    """A place a strike or a subscriber can be in: nation, NHS region, ICB, trust, county..."""

    __tablename__ = "area"

    code: str = Field(primary_key=True, max_length=20)
    name: str
    type: str = Field(max_length=20, index=True)


class Subscriber(SQLModel, table=True):
    """A resident reachable on one channel. No names; the address is erased on FORGET."""

    __tablename__ = "subscriber"
    __table_args__ = (
        UniqueConstraint("channel", "address"),
        Index("ix_subscriber_status_channel", "status", "channel"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=10)  # sms | telegram
    address: str | None = Field(default=None, max_length=64)  # None once forgotten
    status: str = Field(default="pending", max_length=10)  # pending | active | stopped | forgotten
    stop_reason: str | None = None
    reminder_time: str = Field(default="18:00", max_length=5)  # HH:MM UK time, the day before
    consent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    consent_channel: str | None = Field(default=None, max_length=10)  # sms, telegram, web, import
    consent_text: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    forgotten_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SubscriberPostcode(SQLModel, table=True):
    """Up to ``MAX_POSTCODES`` postcodes (or outward codes) per subscriber."""

    __tablename__ = "subscriber_postcode"

    subscriber_id: int = Field(foreign_key="subscriber.id", primary_key=True)
    postcode: str = Field(primary_key=True, max_length=8)


class SubscriberArea(SQLModel, table=True):
    """Every area code (with all its ancestors) a subscriber's postcodes resolve to."""

    __tablename__ = "subscriber_area"
    __table_args__ = (Index("ix_subscriber_area_code", "area_code", "subscriber_id"),)

    subscriber_id: int = Field(foreign_key="subscriber.id", primary_key=True)
    area_code: str = Field(primary_key=True, max_length=20)


class SubscriberTopic(SQLModel, table=True):
    """Topics a subscriber wants: ambulance, nursing, doctors, other_nhs, transport..."""

    __tablename__ = "subscriber_topic"
    __table_args__ = (Index("ix_subscriber_topic_topic", "topic", "subscriber_id"),)

    subscriber_id: int = Field(foreign_key="subscriber.id", primary_key=True)
    topic: str = Field(primary_key=True, max_length=30)


class VerificationCode(SQLModel, table=True):
    """A 6-digit web sign-up code; only its hash is stored."""

    __tablename__ = "verification_code"

    id: int | None = Field(default=None, primary_key=True)
    subscriber_id: int = Field(foreign_key="subscriber.id", index=True)
    code_hash: str = Field(max_length=128)
    requested_ip: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(sa_type=UTCDateTime, index=True)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    tries: int = 0
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    purpose: str = Field(default="subscribe", max_length=12)  # subscribe | stop | forget
    postcode: str | None = Field(default=None, max_length=8)  # applied only once confirmed


class AnonymousCount(SQLModel, table=True):
    """Counts that survive FORGET: how many joined, stopped and asked to be forgotten."""

    __tablename__ = "anonymous_count"

    name: str = Field(primary_key=True, max_length=50)
    value: int = 0
