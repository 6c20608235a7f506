"""Tables owned by ``feeds``: sources, articles, strikes and their change history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from config.db_types import UTCDateTime


class Feed(SQLModel, table=True):
    """One catalogue source plus its polling state (HTTP validators, health, schedule)."""

    __tablename__ = "feed"

    id: str = Field(primary_key=True, max_length=100)
    name: str
    publisher_kind: str = Field(max_length=20)  # union, nhs_trust, nhs_body, government, news...
    source_type: str = Field(default="feed", max_length=10)  # feed | page
    url: str
    default_areas: str = Field(default="[]", sa_column=Column(Text, nullable=False))  # JSON list
    poll_interval_s: int = 900
    enabled: bool = True
    link_pattern: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    discovered_feed_url: str | None = None
    last_polled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_success_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    consecutive_failures: int = 0
    next_poll_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    healthy: bool = True
    # Added by polling: the last response's status, a recoverable problem, and the entry count
    # (a feed that suddenly empties itself is worth a look, but is not a failure).
    last_status: int | None = None
    last_warning: str | None = Field(default=None, sa_column=Column(Text))
    last_entry_count: int | None = None


class SeenLink(SQLModel, table=True):
    """Article links already taken from a news page source, so each is fetched once."""

    __tablename__ = "seen_link"
    __table_args__ = (UniqueConstraint("feed_id", "url"),)

    id: int | None = Field(default=None, primary_key=True)
    feed_id: str = Field(foreign_key="feed.id", index=True)
    url: str
    first_seen_at: datetime = Field(sa_type=UTCDateTime)


class Article(SQLModel, table=True):
    """One revision of one article; an edited entry becomes a new row with ``revision + 1``."""

    __tablename__ = "article"
    __table_args__ = (
        UniqueConstraint("identity", "revision"),
        Index("ix_article_content_hash", "content_hash"),
        Index("ix_article_canonical_url", "canonical_url"),
    )

    id: int | None = Field(default=None, primary_key=True)
    identity: str = Field(max_length=512)
    revision: int = 1
    feed_id: str | None = Field(default=None, foreign_key="feed.id", index=True)
    canonical_url: str | None = None
    title: str = ""
    summary: str = Field(default="", sa_column=Column(Text, nullable=False))
    text: str = Field(default="", sa_column=Column(Text, nullable=False))
    text_source: str = Field(default="feed", max_length=20)  # feed | page | extracted
    text_url: str | None = None  # where ``text`` was taken from when it is not the feed
    source_name: str = ""
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    fetched_at: datetime = Field(sa_type=UTCDateTime)
    content_hash: str = Field(max_length=64)
    is_strike_candidate: bool = False
    detected_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Strike(SQLModel, table=True):
    """The canonical record of one walkout, merged from every article that reports it."""

    __tablename__ = "strike"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=300)  # union|employer-or-area|start date
    unions: str = Field(default="[]", sa_column=Column(Text, nullable=False))  # JSON
    staff: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    employers: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    area_names: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    topic: str = Field(default="other_nhs", max_length=30, index=True)
    status: str = Field(default="announced", max_length=20)
    start: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    end: datetime | None = Field(default=None, sa_type=UTCDateTime)
    all_day: bool = False
    end_all_day: bool = False  # the end is a date only; ``end`` then holds 23:59 UK time
    confidence: float = 0.0
    authority: int = 0  # rank of the source that last decided a field
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # that report's time
    held: bool = False  # its first report awaits an operator: no alerts, no reminders
    summary: str = Field(default="", sa_column=Column(Text, nullable=False))
    details_url: str | None = None
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class StrikeArea(SQLModel, table=True):
    """Area codes a strike affects; fan-out joins this to subscribers' areas."""

    __tablename__ = "strike_area"

    strike_id: int = Field(foreign_key="strike.id", primary_key=True)
    area_code: str = Field(primary_key=True, max_length=20, index=True)


class StrikeSource(SQLModel, table=True):
    """Which article revisions reported a strike."""

    __tablename__ = "strike_source"

    strike_id: int = Field(foreign_key="strike.id", primary_key=True)
    article_id: int = Field(foreign_key="article.id", primary_key=True)
    added_at: datetime = Field(sa_type=UTCDateTime)


class StrikeChange(SQLModel, table=True):
    """One recorded change to a strike; changes, not articles, drive alerts.

    ``approval`` is ``auto`` or ``approved`` when the change may be sent, ``pending`` while an
    operator must decide, ``rejected`` when they said no.
    """

    __tablename__ = "strike_change"

    id: int | None = Field(default=None, primary_key=True)
    strike_id: int = Field(foreign_key="strike.id", index=True)
    kind: str = Field(max_length=20)  # new, times_changed, areas_widened, suspended, reinstated...
    alert_kind: str = Field(max_length=20)  # announced | changed | called_off | none
    before: str = Field(default="{}", sa_column=Column(Text, nullable=False))  # JSON snapshot
    after: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    reason: str = Field(default="", sa_column=Column(Text, nullable=False))
    article_id: int | None = Field(default=None, foreign_key="article.id")
    confidence: float = 0.0
    approval: str = Field(default="auto", max_length=10, index=True)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)
    fanned_out_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
