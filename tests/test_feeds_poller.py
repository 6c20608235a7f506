"""A poll cycle over real HTTP: storing, conditional GET, revisions, de-duplication, health."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from config.settings import Settings
from feeds.poller import UNHEALTHY_AFTER, next_poll_at
from tests.fakes.feed_server import FeedServer, Route, rss
from tests.feeds_support import (
    CONTACT,
    NOW,
    add_sources,
    articles,
    feed_row,
    item,
    poll,
    poll_settings,
    server,
)

__all__ = ["poll_settings", "server"]


def test_cold_then_warm_poll_uses_validators_and_skips_parsing(
    engine: Engine, server: FeedServer, poll_settings: Settings
) -> None:
    server.route("/a.xml", Route(body=rss([item(1), item(2)]), etag='"v1"'))
    server.route(
        "/b.xml",
        Route(body=rss([item(3)]), last_modified="Mon, 23 Nov 2026 07:00:00 GMT", gzip=True),
    )
    add_sources(
        engine, {"id": "a", "url": server.url("/a.xml")}, {"id": "b", "url": server.url("/b.xml")}
    )

    cold = poll(engine, poll_settings)
    assert cold.as_dict() == {
        "fetched": 2,
        "not_modified": 0,
        "failed": 0,
        "new_articles": 3,
        "strike_candidates": 0,
    }
    assert len(cold.article_ids) == 3
    stored = articles(engine)
    assert sorted(a.title for a in stored) == ["Story number 1", "Story number 2", "Story number 3"]
    first = server.requests_for("/a.xml")[0]
    assert CONTACT in first.headers["user-agent"]
    assert "gzip" in first.headers["accept-encoding"]

    warm = poll(engine, poll_settings, NOW + timedelta(minutes=20))
    assert warm.not_modified == 2 and warm.fetched == 0 and warm.new_articles == 0
    assert warm.article_ids == []
    assert server.requests_for("/a.xml")[-1].headers["if-none-match"] == '"v1"'
    assert (
        server.requests_for("/b.xml")[-1].headers["if-modified-since"]
        == "Mon, 23 Nov 2026 07:00:00 GMT"
    )
    assert len(articles(engine)) == 3
    state = feed_row(engine, "a")
    assert state.healthy and state.last_success_at == NOW + timedelta(minutes=20)


def test_updated_entry_becomes_a_new_revision(
    engine: Engine, server: FeedServer, poll_settings: Settings
) -> None:
    server.route("/f.xml", rss([item(1, description="Nurses will strike next month.")]))
    add_sources(engine, {"id": "f", "url": server.url("/f.xml")})
    first = poll(engine, poll_settings)
    assert first.new_articles == 1 and first.strike_candidates == 1

    server.route("/f.xml", rss([item(1, description="The strike has been called off.")]))
    second = poll(engine, poll_settings, NOW + timedelta(hours=1))
    assert second.new_articles == 0
    assert len(second.article_ids) == 1
    revs = articles(engine)
    assert [(a.identity, a.revision) for a in revs] == [
        (revs[0].identity, 1),
        (revs[0].identity, 2),
    ]
    assert revs[1].id == second.article_ids[0]
    assert "called off" in revs[1].summary

    # Unchanged on the next poll: nothing new, nothing handed to detection.
    third = poll(engine, poll_settings, NOW + timedelta(hours=2))
    assert third.article_ids == [] and len(articles(engine)) == 2


def test_same_story_through_two_feeds_and_a_changed_guid_is_stored_once(
    engine: Engine, server: FeedServer, poll_settings: Settings
) -> None:
    tracked = "https://NEWS.example.org/story-7?utm_source=rss&at_medium=RSS#comments"
    body = (
        "Porters at the city hospital have voted to accept a new pay offer after months of talks."
    )
    server.route("/one.xml", rss([item(7, description=body)]))
    server.route("/two.xml", rss([item(7, link=tracked, guid="internal-id-7", description=body)]))
    add_sources(
        engine,
        {"id": "one", "url": server.url("/one.xml")},
        {"id": "two", "url": server.url("/two.xml")},
    )
    summary = poll(engine, poll_settings)
    assert summary.fetched == 2
    assert summary.new_articles == 1
    assert len(articles(engine)) == 1
    assert articles(engine)[0].canonical_url == "https://news.example.org/story-7"

    # The publisher re-issues the story under a new GUID and a new link: same content, so once.
    server.route(
        "/one.xml",
        rss([item(7, guid="urn:new:7", link="https://news.example.org/x7", description=body)]),
    )
    again = poll(engine, poll_settings, NOW + timedelta(hours=1))
    assert again.new_articles == 0 and again.article_ids == []
    assert len(articles(engine)) == 1


def test_same_title_without_a_summary_on_new_pages_is_not_a_duplicate(
    engine: Engine, server: FeedServer, poll_settings: Settings
) -> None:
    live = [item(n, title="Politics live", description="") for n in (1, 2)]
    server.route("/live.xml", rss(live))
    add_sources(engine, {"id": "live", "url": server.url("/live.xml")})
    assert poll(engine, poll_settings).new_articles == 2


def test_two_feeds_with_different_summaries_do_not_flip_flop(
    engine: Engine, server: FeedServer, poll_settings: Settings
) -> None:
    server.route("/x.xml", rss([item(9, description="Short version.")]))
    server.route("/y.xml", rss([item(9, description="A longer version of the same story.")]))
    add_sources(
        engine, {"id": "x", "url": server.url("/x.xml")}, {"id": "y", "url": server.url("/y.xml")}
    )
    poll(engine, poll_settings)
    count = len(articles(engine))
    assert count == 2  # the second summary is a revision of the first
    for hour in range(1, 4):
        later = poll(engine, poll_settings, NOW + timedelta(hours=hour))
        assert later.article_ids == []
    assert len(articles(engine)) == count


def test_duplicate_guids_missing_and_future_dates(
    engine: Engine, server: FeedServer, poll_settings: Settings
) -> None:
    server.route(
        "/d.xml",
        rss(
            [
                item(1),
                item(1, title="Same GUID, different title"),
                {"title": "No date at all", "guid": "nodate-1", "description": "x"},
                item(3, pubDate="Fri, 01 Jan 2100 00:00:00 GMT"),
                {"title": "Neither guid nor link", "description": "only text"},
            ]
        ),
    )
    add_sources(engine, {"id": "d", "url": server.url("/d.xml")})
    summary = poll(engine, poll_settings)
    assert summary.failed == 0
    stored = {a.title: a for a in articles(engine)}
    assert set(stored) == {
        "Story number 1",
        "No date at all",
        "Story number 3",
        "Neither guid nor link",
    }
    assert stored["No date at all"].published_at is None
    assert stored["Story number 3"].published_at is None  # 2100 is not a real publication date
    assert stored["Story number 1"].published_at == NOW.replace(hour=8)


def test_failures_back_off_become_unhealthy_and_recover(
    engine: Engine, server: FeedServer, poll_settings: Settings
) -> None:
    server.route("/down.xml", Route(status=500, body=b"oops", content_type="text/plain"))
    server.route("/ok.xml", rss([item(1)]))
    add_sources(
        engine,
        {"id": "down", "url": server.url("/down.xml"), "interval_s": 600},
        {"id": "ok", "url": server.url("/ok.xml")},
    )
    now = NOW
    delays = []
    for n in range(1, UNHEALTHY_AFTER + 1):
        summary = poll(engine, poll_settings, now, only_due=True, feed_ids=["down"])
        assert summary.failed == 1
        state = feed_row(engine, "down")
        assert state.consecutive_failures == n
        assert state.last_error == "HTTP 500 Internal Server Error"
        assert state.next_poll_at is not None
        delays.append(state.next_poll_at - now)
        assert state.healthy is (n < UNHEALTHY_AFTER)
        # Not due before its backoff expires.
        early = poll(
            engine,
            poll_settings,
            state.next_poll_at - timedelta(seconds=1),
            only_due=True,
            feed_ids=["down"],
        )
        assert early.results == []
        now = state.next_poll_at
    assert delays[0] >= timedelta(seconds=600)  # at least half of 2 x interval
    assert delays[-1] > delays[0]
    assert feed_row(engine, "ok").healthy

    server.route("/down.xml", rss([item(5)]))
    summary = poll(engine, poll_settings, now, only_due=True)
    assert summary.fetched == 2
    state = feed_row(engine, "down")
    assert state.healthy and state.consecutive_failures == 0 and state.last_error is None


def test_retry_after_is_honoured(
    engine: Engine, server: FeedServer, poll_settings: Settings
) -> None:
    server.route("/busy.xml", Route(status=429, headers={"Retry-After": "7200"}, body=b"slow down"))
    add_sources(engine, {"id": "busy", "url": server.url("/busy.xml"), "interval_s": 300})
    poll(engine, poll_settings)
    state = feed_row(engine, "busy")
    assert state.next_poll_at is not None
    assert state.next_poll_at >= NOW + timedelta(seconds=7200)
    assert "429" in (state.last_error or "")


def test_feed_that_empties_itself_keeps_articles_and_warns(
    engine: Engine, server: FeedServer, poll_settings: Settings
) -> None:
    server.route("/e.xml", rss([item(1), item(2)]))
    add_sources(engine, {"id": "e", "url": server.url("/e.xml")})
    poll(engine, poll_settings)
    server.route("/e.xml", rss([]))
    summary = poll(engine, poll_settings, NOW + timedelta(hours=1))
    assert summary.fetched == 1 and summary.failed == 0
    assert len(articles(engine)) == 2
    state = feed_row(engine, "e")
    assert state.healthy
    assert "no entries" in (state.last_warning or "")


def test_short_strike_summary_fetches_the_article_page(
    engine: Engine, server: FeedServer, poll_settings: Settings
) -> None:
    page = (
        b"<html><head><title>Nurses to strike</title></head><body><nav><a href='/'>Home</a></nav>"
        b"<main><article><h1>Nurses at Kent hospital to strike</h1>"
        b"<p>Nurses at the hospital will walk out from 8am on Tuesday 8 December 2026 until "
        b"8pm on Wednesday 9 December 2026, the Royal College of Nursing has announced.</p>"
        b"<p>The union said members voted overwhelmingly for action in a dispute about "
        b"staffing levels on wards that has run since the spring.</p></article></main>"
        b"<footer>Copyright</footer></body></html>"
    )
    server.route(
        "/robots.txt",
        Route(body=b"User-agent: *\nDisallow: /private/\n", content_type="text/plain"),
    )
    server.route("/story/nurses-strike", Route(body=page, content_type="text/html"))
    server.route("/private/strike-two", Route(body=page, content_type="text/html"))
    server.route(
        "/n.xml",
        rss(
            [
                item(
                    1,
                    title="Nurses to strike",
                    link=server.url("/story/nurses-strike"),
                    guid="g1",
                    description="Nurses are to strike, the union says.",
                ),
                item(
                    2,
                    title="Porters strike",
                    link=server.url("/private/strike-two"),
                    guid="g2",
                    description="Porters will strike.",
                ),
                item(
                    3,
                    title="Doctors strike",
                    guid="g3",
                    description="Doctors will strike on Tuesday 8 December.",
                ),
            ]
        ),
    )
    add_sources(engine, {"id": "n", "url": server.url("/n.xml")})
    summary = poll(engine, poll_settings)
    assert summary.strike_candidates == 3
    by_title = {a.title: a for a in articles(engine)}
    enriched = by_title["Nurses to strike"]
    assert enriched.text_source == "extracted"
    assert enriched.text_url == server.url("/story/nurses-strike")
    assert "8 December 2026" in enriched.text
    assert "Copyright" not in enriched.text
    # robots.txt forbids /private/: the summary is kept, the page never requested.
    assert by_title["Porters strike"].text_source == "feed"
    assert server.requests_for("/private/strike-two") == []
    # The summary already holds a date: no page fetch needed.
    assert by_title["Doctors strike"].text_source == "feed"


def test_per_host_limit_is_respected(engine: Engine, server: FeedServer, database_url: str) -> None:
    from config.settings import load_settings

    settings = load_settings(
        DATABASE_URL=database_url, POLL_PER_HOST=2, POLL_CONCURRENCY=50, _env_file=None
    )
    for n in range(8):
        server.route(f"/slow{n}.xml", Route(body=rss([item(n)]), delay_s=0.15))
    add_sources(engine, *({"id": f"s{n}", "url": server.url(f"/slow{n}.xml")} for n in range(8)))
    summary = poll(engine, settings)
    assert summary.fetched == 8
    assert server.peak_in_flight == 2


def test_next_poll_at_is_pure_and_jittered() -> None:
    a = next_poll_at(NOW, 900, 0, rng=random.Random(1))
    b = next_poll_at(NOW, 900, 0, rng=random.Random(1))
    assert a == b
    spread = {next_poll_at(NOW, 900, 0, rng=random.Random(i)) for i in range(20)}
    assert len(spread) > 10
    assert all(NOW + timedelta(seconds=810) <= t <= NOW + timedelta(seconds=990) for t in spread)
    # Backoff grows and is capped at 12 hours.
    assert next_poll_at(NOW, 900, 1, rng=random.Random(2)) >= NOW + timedelta(seconds=900)
    capped = next_poll_at(NOW, 900, 40, rng=random.Random(3))
    assert capped <= NOW + timedelta(hours=12)
    assert next_poll_at(NOW, 900, 1, retry_after_s=86000, rng=random.Random(4)) >= (
        NOW + timedelta(seconds=86000)
    )


def test_cache_control_max_age_is_a_floor_for_the_next_poll(
    engine: Engine, server: FeedServer, poll_settings: Settings
) -> None:
    server.route(
        "/cached.xml", Route(body=rss([item(1)]), headers={"Cache-Control": "public, max-age=7200"})
    )
    server.route("/plain.xml", rss([item(2)]))
    add_sources(
        engine,
        {"id": "cached", "url": server.url("/cached.xml"), "interval_s": 900},
        {"id": "plain", "url": server.url("/plain.xml"), "interval_s": 900},
    )
    poll(engine, poll_settings)
    cached, plain = feed_row(engine, "cached"), feed_row(engine, "plain")
    assert cached.next_poll_at is not None and plain.next_poll_at is not None
    assert cached.next_poll_at >= NOW + timedelta(seconds=7200)
    assert plain.next_poll_at <= NOW + timedelta(seconds=990)


def test_html_page_given_as_a_feed_names_the_feed_it_advertises(
    engine: Engine, server: FeedServer, poll_settings: Settings
) -> None:
    server.route(
        "/news",
        Route(
            content_type="text/html",
            body=(
                b"<html><head><link rel='alternate' type='application/atom+xml' href='/news.atom'>"
                b"</head><body><p>News</p></body></html>"
            ),
        ),
    )
    add_sources(engine, {"id": "oops", "url": server.url("/news")})
    summary = poll(engine, poll_settings)
    assert summary.failed == 1
    assert (summary.results[0].error or "").endswith(
        f"the page advertises a feed at {server.url('/news.atom')}"
    )


PARSED_HERE: list[str] = []


def recording_feed_candidates(*args: Any) -> Any:
    """feed_candidates that notes, in whichever process runs it, that it ran there."""
    from feeds.identity import feed_candidates

    PARSED_HERE.append(args[3])
    return feed_candidates(*args)


def test_large_cycle_parses_in_worker_processes(
    engine: Engine, server: FeedServer, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from config.settings import load_settings
    from feeds.poller import POOL_MIN_SOURCES

    monkeypatch.setattr("feeds.poller.feed_candidates", recording_feed_candidates)
    PARSED_HERE.clear()

    settings = load_settings(DATABASE_URL=database_url, POLL_PARSE_WORKERS=1, _env_file=None)
    n = POOL_MIN_SOURCES
    for i in range(n):
        server.route(f"/many{i}.xml", rss([item(i * 10 + j) for j in range(3)]))
    server.route("/many-bad.xml", b'<!DOCTYPE x [<!ENTITY a "b">]><rss version="2.0"/>')
    add_sources(
        engine,
        *({"id": f"m{i}", "url": server.url(f"/many{i}.xml")} for i in range(n)),
        {"id": "m-bad", "url": server.url("/many-bad.xml")},
    )
    summary = poll(engine, settings)
    assert summary.fetched == n and summary.failed == 1
    assert summary.new_articles == 3 * n
    assert "entities" in (next(r for r in summary.results if r.feed_id == "m-bad").error or "")
    assert len(articles(engine)) == 3 * n
    assert PARSED_HERE == []  # every body was parsed in a worker process
    # A small cycle parses in-process.
    poll(engine, settings, feed_ids=["m0"])
    assert [server.url("/many0.xml")] == PARSED_HERE


def test_relative_entry_links_resolve_against_the_feed(
    engine: Engine, server: FeedServer, poll_settings: Settings
) -> None:
    server.route(
        "/rel/feed.xml", rss([{"title": "Relative", "link": "/rel/story-1", "description": "x"}])
    )
    add_sources(engine, {"id": "rel", "url": server.url("/rel/feed.xml")})
    poll(engine, poll_settings)
    (stored,) = articles(engine)
    assert stored.canonical_url == server.url("/rel/story-1")
    assert stored.identity == "url:" + server.url("/rel/story-1")


def test_concurrent_cycles_share_the_per_host_limit(
    engine: Engine, server: FeedServer, database_url: str
) -> None:
    import asyncio

    from config.settings import load_settings
    from feeds.poller import poll_feeds

    settings = load_settings(DATABASE_URL=database_url, POLL_PER_HOST=2, _env_file=None)
    for n in range(6):
        server.route(f"/job{n}.xml", Route(body=rss([item(n)]), delay_s=0.15))
    add_sources(engine, *({"id": f"j{n}", "url": server.url(f"/job{n}.xml")} for n in range(6)))

    async def one_job_per_source() -> list[int]:
        runs = [
            poll_feeds(engine, settings, NOW, only_due=False, feed_ids=[f"j{n}"]) for n in range(6)
        ]
        return [s.fetched for s in await asyncio.gather(*runs)]

    assert asyncio.run(one_job_per_source()) == [1] * 6
    assert server.peak_in_flight == 2
