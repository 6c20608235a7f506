"""Hostile and broken sources, served over real HTTP next to a good one.

Each must fail (or degrade) with a reason an operator can act on, leave the good feed untouched,
and keep memory bounded.
"""

from __future__ import annotations

import tracemalloc
from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine

from config.settings import Settings
from feeds.parse import FeedRejected, parse_feed
from tests.fakes.feed_server import FeedServer, Route, rss
from tests.feeds_support import add_sources, articles, feed_row, item, poll, poll_settings, server

__all__ = ["poll_settings", "server"]

FETCHED_AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY lol "lol">\n'
    + b"".join(
        b'<!ENTITY lol%d "%s">\n' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b']>\n<rss version="2.0"><channel><title>&lol9;</title><item><title>x</title></item>'
    b"</channel></rss>"
)
QUADRATIC = (
    b'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY big "'
    + b"A" * 100_000
    + b'">]>\n<rss version="2.0"><channel><title>t</title><item><description>'
    + b"&big;" * 20_000
    + b"</description></item></channel></rss>"
)
LOGIN_PAGE = (
    b"<!DOCTYPE html><html><head><title>Sign in</title></head><body><form action='/login'>"
    b"<input name='user'><input type='password' name='pw'></form></body></html>"
)


@pytest.mark.parametrize("body", [BILLION_LAUGHS, QUADRATIC], ids=["billion-laughs", "quadratic"])
def test_entity_bombs_are_refused_before_parsing_with_little_memory(body: bytes) -> None:
    tracemalloc.start()
    try:
        with pytest.raises(FeedRejected, match="entit"):
            parse_feed(body, content_type="application/rss+xml", fetched_at=FETCHED_AT)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 10 * len(body) + 1_000_000


def test_utf16_bomb_is_refused_too() -> None:
    body = QUADRATIC.decode("ascii").replace('version="1.0"', 'version="1.0" encoding="utf-16"')
    with pytest.raises(FeedRejected, match="entit"):
        parse_feed(body.encode("utf-16"), content_type="text/xml", fetched_at=FETCHED_AT)


def test_hostile_sources_fail_alone(
    engine: Engine, server: FeedServer, poll_settings: Settings
) -> None:
    good = rss([item(1, title="Ambulance workers to strike")])
    server.route("/good.xml", good)
    server.route("/bomb.xml", BILLION_LAUGHS)
    server.route("/quadratic.xml", QUADRATIC)
    server.route(
        "/html.xml",
        Route(body=b"<html><body><h1>Our news</h1></body></html>", content_type="text/html"),
    )
    server.route("/login.xml", Route(body=LOGIN_PAGE, content_type="text/html; charset=utf-8"))
    server.route("/forbidden.xml", Route(status=403, body=LOGIN_PAGE, content_type="text/html"))
    server.route("/huge-declared.xml", Route(endless=True))
    server.route("/huge-streamed.xml", Route(endless=True, declare_length=False))
    server.route("/trickle.xml", Route(body=good, trickle_s=0.2))
    server.route("/loop-a.xml", Route(redirect_to="/loop-b.xml"))
    server.route("/loop-b.xml", Route(redirect_to="/loop-a.xml"))
    server.route(
        "/garbage.xml",
        Route(body=b"\x00\x01 this is not xml at all {]", content_type="application/octet-stream"),
    )
    server.route("/empty.xml", Route(body=b""))
    names = [
        "good",
        "bomb",
        "quadratic",
        "html",
        "login",
        "forbidden",
        "huge-declared",
        "huge-streamed",
        "trickle",
        "loop-a",
        "garbage",
        "empty",
    ]
    add_sources(engine, *({"id": n, "url": server.url(f"/{n}.xml")} for n in names))

    summary = poll(engine, poll_settings)

    assert summary.fetched == 1 and summary.failed == len(names) - 1
    assert summary.new_articles == 1 and summary.strike_candidates == 1
    assert [a.title for a in articles(engine)] == ["Ambulance workers to strike"]
    errors = {r.feed_id: r.error or "" for r in summary.results}
    assert "entities" in errors["bomb"] and "entities" in errors["quadratic"]
    assert "HTML page, not a feed" in errors["html"]
    assert "HTML page, not a feed" in errors["login"]
    assert errors["forbidden"] == "HTTP 403 Forbidden"
    assert "over the 1,000,000-byte limit" in errors["huge-declared"]
    assert "exceeded the 1,000,000-byte limit" in errors["huge-streamed"]
    assert "within 2 s" in errors["trickle"]
    assert "redirect" in errors["loop-a"]
    assert "not an RSS or Atom feed" in errors["garbage"]
    assert "empty" in errors["empty"]
    # The endless bodies were cut off near the cap, nowhere near their 100 MB.
    assert server.bytes_sent("/huge-streamed.xml") < 20_000_000
    assert server.bytes_sent("/huge-declared.xml") < 20_000_000
    # Only a handful of hops before giving up on the loop.
    hops = len(server.requests_for("/loop-a.xml")) + len(server.requests_for("/loop-b.xml"))
    assert hops <= 7
    for name in names[1:]:
        state = feed_row(engine, name)
        assert state.consecutive_failures == 1 and state.last_error
        assert state.etag is None
    assert feed_row(engine, "good").last_error is None


def test_malformed_but_usable_feed_keeps_entries_and_records_the_problem(
    engine: Engine, server: FeedServer, poll_settings: Settings
) -> None:
    broken = (
        b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        b"<item><title>Porters & cleaners strike</title><link>https://n.example/a-b-c</link>"
        b"<description>Walkout on Monday</description></item>"
        b"<item><title>Second story</title><link>https://n.example/d-e-f</link></item>"
        b"</channel>"  # no </rss>, and a bare ampersand above
    )
    server.route("/broken.xml", broken)
    add_sources(engine, {"id": "broken", "url": server.url("/broken.xml")})
    summary = poll(engine, poll_settings)
    assert summary.fetched == 1 and summary.new_articles == 2
    assert {a.title for a in articles(engine)} == {"Porters & cleaners strike", "Second story"}
    state = feed_row(engine, "broken")
    assert state.healthy and "malformed but usable" in (state.last_warning or "")


def test_wrong_and_missing_charsets_give_the_right_characters(
    engine: Engine, server: FeedServer, poll_settings: Settings
) -> None:
    title = "Café staff strike over £2 pay offer"
    # UTF-8 body labelled Latin-1 by the server.
    server.route(
        "/mislabelled.xml",
        Route(
            body=rss([item(1, title=title)]), content_type="application/rss+xml; charset=ISO-8859-1"
        ),
    )
    # Latin-1 body, no charset anywhere (no declaration, bare content type).
    server.route(
        "/unlabelled.xml",
        Route(
            body=rss([item(2, title=title)], encoding="latin-1", declaration=False),
            content_type="text/xml",
        ),
    )
    # Windows-1252 body whose declaration says so, served without a charset.
    server.route(
        "/declared.xml",
        Route(
            body=rss([item(3, title=title + " – update")], encoding="cp1252"),
            content_type="application/xml",
        ),
    )
    add_sources(
        engine,
        *(
            {"id": n, "url": server.url(f"/{n}.xml")}
            for n in ("mislabelled", "unlabelled", "declared")
        ),
    )
    summary = poll(engine, poll_settings)
    assert summary.fetched == 3, [r.error for r in summary.results]
    titles = sorted(a.title for a in articles(engine))
    assert titles == [title, title, title + " – update"]


def test_gzip_bomb_is_cut_off_without_inflating_it(
    server: FeedServer, poll_settings: Settings
) -> None:
    import asyncio
    import zlib

    from feeds.fetch import Fetcher, FetchError

    # 100 MB of spaces, about 100 KB gzipped, built a megabyte at a time.
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    megabyte = b" " * 1_000_000
    bomb = packer.compress(b"<rss>") + b"".join(packer.compress(megabyte) for _ in range(100))
    bomb += packer.flush()
    server.route("/bomb.gz.xml", Route(body=bomb, headers={"Content-Encoding": "gzip"}))
    server.route("/fine.gz.xml", Route(body=rss([item(1)]), gzip=True))

    async def fetch(path: str) -> bytes:
        async with Fetcher(poll_settings) as fetcher:
            return (await fetcher.get(server.url(path))).body

    assert b"Story number 1" in asyncio.run(fetch("/fine.gz.xml"))
    tracemalloc.start()
    try:
        with pytest.raises(FetchError, match="exceeded the 1,000,000-byte limit"):
            asyncio.run(fetch("/bomb.gz.xml"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8_000_000
