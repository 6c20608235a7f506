"""News-page sources over real HTTP: autodiscovery, article links, seen links, robots.txt."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from config.settings import Settings
from feeds.models import SeenLink
from feeds.pages import article_links, discover_feed
from tests.fakes.feed_server import FeedServer, Route, rss
from tests.feeds_support import (
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


def _article(title: str, body: str) -> bytes:
    return (
        f"<html><head><title>{title}</title></head><body>"
        f"<header><a href='/about-us'>About the union</a></header>"
        f"<main><article><h1>{title}</h1><p>{body}</p>"
        "<p>The union's general secretary said members had been left with no choice after "
        "months of talks with employers failed to produce an acceptable offer.</p>"
        "</article></main><footer><a href='/privacy'>Privacy</a></footer></body></html>"
    ).encode()


def _listing(links: list[tuple[str, str]]) -> bytes:
    cards = "".join(
        f"<article class='card'><header><h2><a href='{href}'>{text}</a></h2></header>"
        "<p>Teaser text.</p></article>"
        for href, text in links
    )
    return (
        "<html><head><title>News</title></head><body>"
        "<nav><a href='/news/join-the-union-today-online'>Join the union today online</a>"
        "<a href='/'>Home</a></nav>"
        f"<main><h1>Latest news</h1>{cards}"
        "<a href='/news?page=2'>Next page</a><a href='/tag/pay'>Pay</a></main>"
        "<aside><a href='/news/most-read-story-of-the-week'>Most read story of the week</a></aside>"
        "<footer><a href='/contact-us'>Contact us about anything</a></footer></body></html>"
    ).encode()


def test_article_links_come_from_main_content_only() -> None:
    page = _listing(
        [
            ("/news/nurses-vote-for-strike-action", "Nurses vote for strike action"),
            (
                "https://union.example.org/news/2026/11/pay-offer-rejected",
                "Pay offer rejected by members",
            ),
            ("https://elsewhere.example.com/news/other-site-story", "Other site story here"),
        ]
    )
    links = article_links(page, "https://union.example.org/news")
    assert links == [
        "https://union.example.org/news/nurses-vote-for-strike-action",
        "https://union.example.org/news/2026/11/pay-offer-rejected",
    ]
    narrowed = article_links(page, "https://union.example.org/news", link_pattern=r"/news/\d{4}/")
    assert narrowed == ["https://union.example.org/news/2026/11/pay-offer-rejected"]


def test_autodiscovery_finds_the_advertised_feed() -> None:
    html = (
        b"<html><head><link rel='alternate' type='application/rss+xml' href='/feed/'>"
        b"</head><body></body></html>"
    )
    assert discover_feed(html, "https://trust.example.nhs.uk/news") == (
        "https://trust.example.nhs.uk/feed/"
    )
    assert discover_feed(b"<html><head></head></html>", "https://x.example/") is None


def test_page_source_fetches_each_new_article_once(
    engine: Engine, server: FeedServer, poll_settings: Settings
) -> None:
    server.route(
        "/robots.txt",
        Route(body=b"User-agent: *\nDisallow: /news/members-only\n", content_type="text/plain"),
    )
    server.route(
        "/news",
        Route(
            content_type="text/html",
            body=_listing(
                [
                    ("/news/nurses-vote-for-strike-action", "Nurses vote for strike action"),
                    ("/news/members-only-strike-briefing", "Members only strike briefing"),
                ]
            ),
        ),
    )
    server.route(
        "/news/nurses-vote-for-strike-action",
        Route(
            content_type="text/html",
            body=_article(
                "Nurses vote for strike action",
                "Nurses will strike from 7am on Monday 7 December 2026.",
            ),
        ),
    )
    server.route(
        "/news/members-only-strike-briefing",
        Route(content_type="text/html", body=_article("Secret", "x")),
    )
    add_sources(
        engine, {"id": "union", "kind": "union", "type": "page", "url": server.url("/news")}
    )

    first = poll(engine, poll_settings)
    assert first.fetched == 1 and first.new_articles == 1 and first.strike_candidates == 1
    (stored,) = articles(engine)
    assert stored.title == "Nurses vote for strike action"
    assert stored.text_source == "page"
    assert "7 December 2026" in stored.text
    assert "Privacy" not in stored.text
    assert stored.canonical_url == server.url("/news/nurses-vote-for-strike-action")
    assert server.requests_for("/news/members-only-strike-briefing") == []
    assert server.requests_for("/news/join-the-union-today-online") == []

    # A new story appears; the old one is not fetched again.
    server.route(
        "/news",
        Route(
            content_type="text/html",
            body=_listing(
                [
                    (
                        "/news/strike-dates-confirmed-for-december",
                        "Strike dates confirmed for December",
                    ),
                    ("/news/nurses-vote-for-strike-action", "Nurses vote for strike action"),
                ]
            ),
        ),
    )
    server.route(
        "/news/strike-dates-confirmed-for-december",
        Route(
            content_type="text/html",
            body=_article("Strike dates confirmed", "The walkout runs on 7 and 8 December."),
        ),
    )
    second = poll(engine, poll_settings, NOW + timedelta(hours=1))
    assert second.new_articles == 1
    assert len(server.requests_for("/news/nurses-vote-for-strike-action")) == 1
    assert len(server.requests_for("/robots.txt")) == 1  # cached across cycles
    with Session(engine) as session:
        seen = {s.url for s in session.exec(select(SeenLink))}
    assert server.url("/news/strike-dates-confirmed-for-december") in seen
    assert len(articles(engine)) == 2


def test_page_that_advertises_a_feed_is_read_as_that_feed(
    engine: Engine, server: FeedServer, poll_settings: Settings
) -> None:
    server.route(
        "/trust",
        Route(
            content_type="text/html",
            body=(
                b"<html><head><link rel='alternate' type='application/rss+xml' title='News' "
                b"href='/trust/feed/'></head><body><main>Welcome</main></body></html>"
            ),
        ),
    )
    server.route(
        "/trust/feed/", Route(body=rss([item(1, title="Ambulance strike update")]), etag='"t1"')
    )
    add_sources(
        engine, {"id": "trust", "kind": "nhs_trust", "type": "page", "url": server.url("/trust")}
    )
    first = poll(engine, poll_settings)
    assert first.fetched == 1 and first.new_articles == 1
    assert feed_row(engine, "trust").discovered_feed_url == server.url("/trust/feed/")
    # From now on the feed itself is polled, conditionally.
    second = poll(engine, poll_settings, NOW + timedelta(hours=1))
    assert second.not_modified == 1
    assert server.requests_for("/trust/feed/")[-1].headers.get("if-none-match") == '"t1"'
    assert len(server.requests_for("/trust")) == 1


def test_robots_txt_that_forbids_the_page_fails_the_source(
    engine: Engine, server: FeedServer, poll_settings: Settings
) -> None:
    server.route(
        "/robots.txt",
        Route(body=b"User-agent: strike-alerts\nDisallow: /\n", content_type="text/plain"),
    )
    server.route("/news", Route(content_type="text/html", body=_listing([])))
    add_sources(engine, {"id": "blocked", "type": "page", "url": server.url("/news")})
    summary = poll(engine, poll_settings)
    assert summary.failed == 1
    assert "robots.txt" in (feed_row(engine, "blocked").last_error or "")
    assert server.requests_for("/news") == []


def test_long_listing_is_worked_through_over_cycles_despite_etag(
    engine: Engine, server: FeedServer, poll_settings: Settings
) -> None:
    from feeds.poller import MAX_PAGE_ARTICLES_PER_CYCLE

    count = MAX_PAGE_ARTICLES_PER_CYCLE + 5
    slugs = [f"/news/pay-dispute-update-number-{n}" for n in range(count)]
    server.route(
        "/news",
        Route(
            content_type="text/html",
            etag='"list-1"',
            body=_listing(
                [(slug, f"Pay dispute update number {n}") for n, slug in enumerate(slugs)]
            ),
        ),
    )
    for n, slug in enumerate(slugs):
        server.route(
            slug,
            Route(
                content_type="text/html",
                body=_article(
                    f"Pay dispute update number {n}", f"Talks continue, update {n} of the dispute."
                ),
            ),
        )
    add_sources(engine, {"id": "busy", "type": "page", "url": server.url("/news")})

    first = poll(engine, poll_settings)
    assert first.new_articles == MAX_PAGE_ARTICLES_PER_CYCLE
    second = poll(engine, poll_settings, NOW + timedelta(hours=1))
    assert second.new_articles == 5
    assert "if-none-match" not in server.requests_for("/news")[-1].headers
    third = poll(engine, poll_settings, NOW + timedelta(hours=2))
    assert third.not_modified == 1  # all worked through: conditional again
    assert server.requests_for("/news")[-1].headers.get("if-none-match") == '"list-1"'
    assert all(len(server.requests_for(slug)) == 1 for slug in slugs)
