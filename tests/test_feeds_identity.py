"""Article identity, canonical URLs, the strike prefilter and the fetcher's header parsing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine

from config.settings import Settings
from feeds.fetch import parse_retry_after
from feeds.identity import canonical_url, content_hash, entry_identity
from feeds.prefilter import looks_like_strike_news, mentions_dates
from tests.fakes.feed_server import FeedServer, Route, rss
from tests.feeds_support import add_sources, item, poll, poll_settings, server

__all__ = ["poll_settings", "server"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "HTTPS://WWW.BBC.co.uk/news/uk-123?at_medium=RSS&at_campaign=rss#comments",
            "https://www.bbc.co.uk/news/uk-123",
        ),
        ("http://Example.org:80/a?b=2&utm_source=x&a=1", "http://example.org/a?a=1&b=2"),
        ("https://example.org:8443/a/", "https://example.org:8443/a/"),
        ("https://example.org", "https://example.org/"),
        ("https://example.org/Path/Case", "https://example.org/Path/Case"),
        ("mailto:someone@example.org", None),
        ("not a url", None),
        ("", None),
    ],
)
def test_canonical_url(raw: str, expected: str | None) -> None:
    assert canonical_url(raw) == expected


def test_identity_prefers_guid_then_link_then_title_and_date() -> None:
    when = datetime(2026, 11, 23, tzinfo=UTC)
    url_guid = entry_identity(
        guid="https://x.org/a?utm_source=rss", link=None, title="t", published=when
    )
    assert url_guid == "url:https://x.org/a"
    # An opaque GUID means something only within its publisher.
    a = entry_identity(guid="1234", link=None, title="t", published=when, source_host="a.org")
    b = entry_identity(guid="1234", link=None, title="t", published=when, source_host="b.org")
    assert a != b and a.startswith("guid:a.org:")
    assert entry_identity(guid=None, link="https://x.org/a#top", title="t", published=when) == (
        url_guid
    )
    h1 = entry_identity(guid=None, link=None, title="Strike", published=when)
    h2 = entry_identity(guid=None, link=None, title="Strike", published=None)
    assert h1.startswith("hash:") and h1 != h2
    long = entry_identity(guid="x" * 2000, link=None, title="t", published=None)
    assert len(long) <= 500


def test_content_hash_ignores_whitespace_only() -> None:
    assert content_hash("A  title", "some\n text") == content_hash("A title", "some text")
    assert content_hash("A title", "some text") != content_hash("A title", "other text")


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        ("Nurses to strike over pay", "", True),
        ("Ambulance staff announce walkout", "", True),
        ("Junior doctors walk out for five days", "", True),
        ("Union opens industrial action ballot", "", True),
        ("Overtime ban begins on the railways", "", True),
        ("Pickets outside the hospital", "", True),
        ("Air strikes hit city", "", False),
        ("Striker signs new contract", "", False),
        ("Lightning strike damages church", "", False),
        ("Council strikes a deal on bins", "", False),
        ("Hunger strike ends", "Nurses will also strike next week", True),
        ("Weather: rain tomorrow", "Heavy showers expected", False),
    ],
)
def test_looks_like_strike_news(title: str, text: str, expected: bool) -> None:
    assert looks_like_strike_news(title, text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("from 7am on 12 January", True),
        ("on January 12th", True),
        ("between 3 and 5 December", True),
        ("on Tuesday", True),
        ("12/01/2027", True),
        ("2027-01-12", True),
        ("later this month", False),
        ("in the new year", False),
    ],
)
def test_mentions_dates(text: str, expected: bool) -> None:
    assert mentions_dates(text) is expected


def test_retry_after_forms() -> None:
    assert parse_retry_after("120") == 120.0
    assert (
        parse_retry_after("Mon, 23 Nov 2026 10:00:00 GMT", "Mon, 23 Nov 2026 09:00:00 GMT")
        == 3600.0
    )
    assert parse_retry_after("99999999") == 24 * 3600.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_a_few_redirects_are_followed(
    engine: Engine, server: FeedServer, poll_settings: Settings
) -> None:
    server.route("/old.xml", Route(redirect_to="/older.xml"))
    server.route("/older.xml", Route(redirect_to="/new.xml"))
    server.route("/new.xml", rss([item(1)]))
    add_sources(engine, {"id": "moved", "url": server.url("/old.xml")})
    summary = poll(engine, poll_settings)
    assert summary.fetched == 1 and summary.new_articles == 1
