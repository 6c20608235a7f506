"""Shared helpers for the feed tests: settings for polling, registering sources, running a cycle."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from config.settings import Settings, load_settings
from feeds.catalogue import FeedSpec, sync_catalogue
from feeds.models import Article, Feed
from feeds.poller import PollSummary, poll_feeds
from tests.fakes.feed_server import FeedServer

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
CONTACT = "https://alerts.example.org/contact"


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as s:
        yield s


@pytest.fixture
def poll_settings(database_url: str) -> Settings:
    return load_settings(
        DATABASE_URL=database_url,
        CONTACT_URL=CONTACT,
        POLL_TIMEOUT_SECONDS=2,
        POLL_MAX_BYTES=1_000_000,
        _env_file=None,
    )


def add_sources(engine: Engine, *specs: dict[str, Any]) -> None:
    """Register sources; each dict needs id and url, the rest has defaults."""
    full = [
        FeedSpec(
            id=s["id"],
            name=s.get("name", s["id"]),
            kind=s.get("kind", "news"),
            url=s["url"],
            source_type=s.get("type", "feed"),
            areas=tuple(s.get("areas", ("K02000001",))),
            interval_s=s.get("interval_s", 900),
            link_pattern=s.get("link_pattern"),
        )
        for s in specs
    ]
    with Session(engine) as session:
        sync_catalogue(session, full, retire_missing=False)
        session.commit()


def poll(engine: Engine, settings: Settings, now: datetime = NOW, **kw: Any) -> PollSummary:
    kw.setdefault("only_due", False)
    return asyncio.run(poll_feeds(engine, settings, now, **kw))


def articles(engine: Engine) -> list[Article]:
    with Session(engine) as session:
        return list(session.exec(select(Article).order_by(col(Article.id))))


def feed_row(engine: Engine, feed_id: str) -> Feed:
    with Session(engine) as session:
        feed = session.get(Feed, feed_id)
        assert feed is not None
        return feed


def item(n: int, **overrides: str) -> dict[str, str]:
    base = {
        "title": f"Story number {n}",
        "link": f"https://news.example.org/story-{n}",
        "guid": f"https://news.example.org/story-{n}",
        "pubDate": "Mon, 23 Nov 2026 08:00:00 GMT",
        "description": f"Body text of story {n}.",
    }
    base.update(overrides)
    return base
