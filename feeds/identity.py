"""Who an entry is: canonical URL, identity, content hash; a feed body turned into candidates.

Pure functions without database access, so parsing can run in worker processes: feedparser is
pure Python and a cold cycle of hundreds of feeds is bound by it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from feeds.parse import ParsedEntry, parse_feed
from feeds.prefilter import looks_like_strike_news

MAX_IDENTITY = 500
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "ocid",
        "cmpid",
        "cmp",
        "icid",
        "ito",
        "igshid",
        "ref",
        "ref_src",
        "ref_url",
        "_ga",
        "_gl",
        "guccounter",
        "ns_mchannel",
        "ns_source",
        "ns_campaign",
        "ns_linkname",
        "ns_fee",
        "s_cid",
        "intcmp",
        "int_source",
        "int_medium",
        "int_campaign",
        "xtor",
    }
)
TRACKING_PREFIXES = ("utm_", "at_", "pk_", "mtm_", "hsa_", "oly_")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str | None) -> str | None:
    """Lower-case scheme and host, drop default port, fragment and tracking parameters."""
    if not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.lower().rstrip(".")
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in TRACKING_PARAMS and not k.lower().startswith(TRACKING_PREFIXES)
    ]
    query.sort()
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(query), ""))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", errors="replace")).hexdigest()


def content_hash(title: str, body: str) -> str:
    """Hash of the visible content, insensitive to whitespace changes."""
    return _digest(" ".join(title.split()) + "\n" + " ".join(body.split()))


def _bounded(identity: str) -> str:
    return identity if len(identity) <= MAX_IDENTITY else "sha:" + _digest(identity)


def entry_identity(
    *,
    guid: str | None,
    link: str | None,
    title: str,
    published: datetime | None,
    summary: str = "",
    source_host: str = "",
) -> str:
    """GUID, else canonical link, else a hash of title and date.

    A GUID that is a URL is canonicalised so the same story from two feeds of one publisher
    matches; an opaque GUID is scoped to the feed's host, since "1234" means nothing globally.
    """
    if guid:
        as_url = canonical_url(guid) if guid.startswith(("http://", "https://")) else None
        return _bounded(f"url:{as_url}" if as_url else f"guid:{source_host}:{guid}")
    link_url = canonical_url(link)
    if link_url:
        return _bounded(f"url:{link_url}")
    stamp = published.isoformat() if published else ""
    return "hash:" + _digest(f"{title}\n{stamp}\n{'' if title else summary}")


@dataclass(slots=True)
class Candidate:
    """One article as seen this cycle, before de-duplication."""

    identity: str
    canonical_url: str | None
    title: str
    summary: str
    published_at: datetime | None
    content_hash: str
    link: str | None = None
    text: str = ""
    text_source: str = "feed"
    text_url: str | None = None
    strike: bool = False  # looks like strike news (title and full text)

    @property
    def full_text(self) -> str:
        return self.text or self.summary

    def refresh_strike(self) -> None:
        self.strike = looks_like_strike_news(self.title, self.full_text)


def candidate_from_entry(entry: ParsedEntry, *, source_host: str) -> Candidate | None:
    """A storable candidate, or None for an entry with nothing to identify or show."""
    if not (entry.title or entry.summary or entry.link):
        return None
    candidate = Candidate(
        identity=entry_identity(
            guid=entry.guid,
            link=entry.link,
            title=entry.title,
            published=entry.published_at,
            summary=entry.summary,
            source_host=source_host,
        ),
        canonical_url=canonical_url(entry.link)
        or (canonical_url(entry.guid) if entry.guid else None),
        title=entry.title,
        summary=entry.summary,
        published_at=entry.published_at,
        content_hash=content_hash(entry.title, entry.summary),
        link=entry.link,
    )
    candidate.refresh_strike()
    return candidate


@dataclass(slots=True)
class FeedCandidates:
    """A parsed feed reduced to what the poller needs (small to send between processes)."""

    version: str
    entries: int
    warning: str | None
    candidates: list[Candidate]


def feed_candidates(
    body: bytes, content_type: str | None, fetched_at: datetime, feed_url: str
) -> FeedCandidates:
    """Parse a feed body into candidates; raises FeedRejected for what is not a usable feed."""
    parsed = parse_feed(body, content_type=content_type, fetched_at=fetched_at, base_url=feed_url)
    source_host = (urlsplit(feed_url).hostname or "").lower()
    candidates = [
        c for e in parsed.entries if (c := candidate_from_entry(e, source_host=source_host))
    ]
    return FeedCandidates(parsed.version, len(parsed.entries), parsed.warning, candidates)
