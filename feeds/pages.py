"""News pages that are not feeds: feed autodiscovery, article links, links already seen.

Most unions and every ambulance trust post news on a listing page. A page source is read as:
the feed it advertises (``<link rel="alternate" type="application/rss+xml">``) if any, else the
article links in its main content (narrowed by the source's link pattern when one is set). Each
link is remembered in ``seen_link`` so an article is fetched once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html
from sqlalchemy import insert, select
from sqlmodel import Session, col

from feeds.articles import canonical_url
from feeds.models import SeenLink
from feeds.parse import to_utf8

FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/feed+json"})
MAX_LINKS_PER_PAGE = 200
_DROP_TAGS = ("nav", "header", "footer", "aside", "form", "script", "style", "noscript", "template")
_DROP_ROLES = ("navigation", "banner", "contentinfo", "complementary", "search")
_DROP_NAMES = frozenset(
    {
        "nav",
        "navigation",
        "menu",
        "footer",
        "header",
        "sidebar",
        "breadcrumb",
        "breadcrumbs",
        "site-header",
        "site-footer",
        "cookie-banner",
        "pagination",
        "skip-link",
        "share",
    }
)
_NOT_ARTICLE_PATH = re.compile(
    r"/(?:tags?|category|categories|topics?|authors?|page|search|login|log-in|sign-in|signin|"
    r"register|join|contact|contact-us|about|about-us|privacy|cookies?|accessibility|"
    r"terms|feed|rss|subscribe|donate|shop|events?|jobs|careers|members?)(?:/|$)",
    re.IGNORECASE,
)
_NON_HTML = re.compile(r"\.(?:pdf|jpe?g|png|gif|svg|webp|zip|docx?|xlsx?|pptx?|mp[34]|ics)$", re.I)
_SLUG = re.compile(r"[a-z0-9]+-[a-z0-9]+-[a-z0-9]+", re.IGNORECASE)
_NUMERIC_ID = re.compile(r"(?:^|/)\d{4,}(?:/|$)|/20\d\d/\d{1,2}/")


class PageError(ValueError):
    """A page that cannot be read as a news listing; the message says why."""


def _document(html: bytes, charset: str | None) -> lxml.html.HtmlElement:
    body = to_utf8(html, charset)
    try:
        return lxml.html.document_fromstring(
            body, parser=lxml.html.HTMLParser(encoding="utf-8", no_network=True)
        )
    except (lxml.etree.ParserError, ValueError) as exc:
        raise PageError(f"page is not readable HTML: {exc}") from None


def discover_feed(html: bytes, base_url: str, *, charset: str | None = None) -> str | None:
    """The first RSS/Atom feed the page advertises in its head, as an absolute URL."""
    try:
        doc = _document(html, charset)
    except PageError:
        return None
    for link in doc.iter("link"):
        rel = {r.lower() for r in (link.get("rel") or "").split()}
        kind = (link.get("type") or "").split(";")[0].strip().lower()
        href = (link.get("href") or "").strip()
        if "alternate" in rel and kind in FEED_TYPES and href:
            absolute = urljoin(base_url, href)
            if urlsplit(absolute).scheme in {"http", "https"}:
                return absolute
    return None


def _site(host: str) -> str:
    host = host.lower()
    return host[4:] if host.startswith("www.") else host


def _drop_boilerplate(scope: lxml.html.HtmlElement) -> None:
    doomed = []
    for el in scope.iter(*_DROP_TAGS):
        # A header or footer inside an <article> card holds the headline link: keep it.
        if el.tag in ("header", "footer") and any(a.tag == "article" for a in el.iterancestors()):
            continue
        doomed.append(el)
    for el in scope.iter():
        if not isinstance(el.tag, str):
            continue
        if (el.get("role") or "").lower() in _DROP_ROLES:
            doomed.append(el)
            continue
        names = set((el.get("class") or "").lower().split()) | {(el.get("id") or "").lower()}
        if names & _DROP_NAMES:
            doomed.append(el)
    for el in doomed:
        if el.getparent() is not None:
            el.drop_tree()


def _main_scope(doc: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    for xpath in ("//main", "//*[@role='main']", "//*[@id='main-content' or @id='content']"):
        found = doc.xpath(xpath)
        if found:
            return found[0]
    body = doc.find("body")
    return body if body is not None else doc


def _looks_like_article(url: str, page_url: str, anchor_text: str) -> bool:
    path = urlsplit(url).path
    page_path = urlsplit(page_url).path
    if page_path.rstrip("/").startswith(path.rstrip("/")):
        return False  # the listing itself or one of its parents
    if _NOT_ARTICLE_PATH.search(path) or _NON_HTML.search(path):
        return False
    last = path.rstrip("/").rsplit("/", 1)[-1]
    return bool(_SLUG.search(last) or _NUMERIC_ID.search(path)) and len(anchor_text.split()) >= 3


def article_links(
    html: bytes, page_url: str, *, link_pattern: str | None = None, charset: str | None = None
) -> list[str]:
    """Article URLs in the page's main content, in page order, canonical and de-duplicated.

    With a link pattern only matching links are kept (the operator knows the site); without one
    a link must stay on the site, look like an article (a slug or an id) and carry a headline.
    """
    doc = _document(html, charset)
    scope = _main_scope(doc)
    _drop_boilerplate(scope)
    pattern = re.compile(link_pattern) if link_pattern else None
    site = _site(urlsplit(page_url).hostname or "")
    page_canonical = canonical_url(page_url)
    best_text: dict[str, str] = {}
    order: list[str] = []
    for anchor in scope.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
            continue
        absolute = canonical_url(urljoin(page_url, href))
        if absolute is None or absolute == page_canonical:
            continue
        text = " ".join((anchor.text_content() or anchor.get("title") or "").split())
        if absolute not in best_text:
            order.append(absolute)
            best_text[absolute] = text
        elif len(text) > len(best_text[absolute]):
            best_text[absolute] = text
    links: list[str] = []
    for url in order:
        if pattern is not None:
            keep = pattern.search(url) is not None
        else:
            host = _site(urlsplit(url).hostname or "")
            same_site = host == site or host.endswith("." + site)
            keep = same_site and _looks_like_article(url, page_url, best_text[url])
        if keep:
            links.append(url)
            if len(links) >= MAX_LINKS_PER_PAGE:
                break
    return links


def unseen_links(session: Session, feed_id: str, links: Sequence[str]) -> list[str]:
    """The links this source has not yielded before, in the given order."""
    if not links:
        return []
    known = set(
        session.scalars(
            select(col(SeenLink.url)).where(
                col(SeenLink.feed_id) == feed_id,
                col(SeenLink.url).in_(list(links)),
            )
        )
    )
    return [u for u in links if u not in known]


def mark_seen(session: Session, feed_id: str, links: Sequence[str], now: datetime) -> None:
    """Remember links so they are not fetched again; one INSERT for the lot."""
    if links:
        session.execute(
            insert(SeenLink),
            [{"feed_id": feed_id, "url": u, "first_seen_at": now} for u in links],
        )
