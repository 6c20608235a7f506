"""Article identity, de-duplication and revisions.

An article is stored once however many feeds carry it: matched by identity (GUID or canonical
link), then by canonical URL (a GUID that changed), then by content hash (the same text under a
new GUID and URL). New content under a known identity becomes a new revision, unless it repeats
any earlier revision (two feeds with different summaries of one story must not flip-flop).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy import insert, or_, select
from sqlmodel import Session, col

from feeds.models import Article
from feeds.parse import ParsedEntry
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

    @property
    def full_text(self) -> str:
        return self.text or self.summary


def candidate_from_entry(entry: ParsedEntry, *, source_host: str) -> Candidate | None:
    """A storable candidate, or None for an entry with nothing to identify or show."""
    if not (entry.title or entry.summary or entry.link):
        return None
    return Candidate(
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


@dataclass(slots=True)
class _Known:
    revision: int
    hashes: set[str] = field(default_factory=set)


@dataclass(slots=True)
class StoreOutcome:
    new_ids: list[int] = field(default_factory=list)
    revised_ids: list[int] = field(default_factory=list)
    strike_candidates: int = 0

    @property
    def article_ids(self) -> list[int]:
        return self.new_ids + self.revised_ids


class _Index:
    """What the database already knows about a batch's identities, URLs and hashes."""

    def __init__(self, session: Session, candidates: Sequence[Candidate]) -> None:
        self.by_identity: dict[str, _Known] = {}
        self.url_owner: dict[str, str] = {}
        self.hash_owner: dict[str, str] = {}
        ids = {c.identity for c in candidates}
        urls = {c.canonical_url for c in candidates if c.canonical_url}
        hashes = {c.content_hash for c in candidates}
        if not candidates:
            return
        conditions: list[Any] = [
            col(Article.identity).in_(ids),
            col(Article.content_hash).in_(hashes),
        ]
        if urls:
            conditions.append(col(Article.canonical_url).in_(urls))
        rows = session.execute(
            select(
                col(Article.identity),
                col(Article.revision),
                col(Article.content_hash),
                col(Article.canonical_url),
            ).where(or_(*conditions))
        )
        # Several identities can share a URL or hash; the matching identity is the one whose
        # first revision came first, so the choice is stable across cycles.
        for identity, revision, chash, curl in sorted(rows, key=lambda r: (r[1], r[0])):
            self.add(identity, revision, chash, curl)

    def add(self, identity: str, revision: int, chash: str, curl: str | None) -> None:
        known = self.by_identity.setdefault(identity, _Known(revision))
        known.revision = max(known.revision, revision)
        known.hashes.add(chash)
        self.hash_owner.setdefault(chash, identity)
        if curl:
            self.url_owner.setdefault(curl, identity)

    def owner(self, c: Candidate) -> str | None:
        if c.identity in self.by_identity:
            return c.identity
        if c.canonical_url and c.canonical_url in self.url_owner:
            return self.url_owner[c.canonical_url]
        return self.hash_owner.get(c.content_hash)


def unseen(session: Session, candidates: Sequence[Candidate]) -> list[Candidate]:
    """Candidates that would be stored (new or changed): the ones worth a page fetch."""
    index = _Index(session, candidates)
    out = []
    for c in candidates:
        owner = index.owner(c)
        if owner is None or c.content_hash not in index.by_identity[owner].hashes:
            out.append(c)
    return out


def store_candidates(
    session: Session,
    candidates: Iterable[Candidate],
    *,
    feed_id: str | None,
    source_name: str,
    now: datetime,
) -> StoreOutcome:
    """Insert new articles and new revisions in one statement; return their ids."""
    batch: list[Candidate] = []
    seen: set[str] = set()
    for c in candidates:
        if c.identity not in seen:  # duplicate GUIDs inside one feed: the first wins
            seen.add(c.identity)
            batch.append(c)
    outcome = StoreOutcome()
    if not batch:
        return outcome
    index = _Index(session, batch)
    rows: list[dict[str, Any]] = []
    revised: list[bool] = []
    for c in batch:
        owner = index.owner(c)
        if owner is not None and c.content_hash in index.by_identity[owner].hashes:
            continue
        identity = owner or c.identity
        revision = index.by_identity[owner].revision + 1 if owner else 1
        index.add(identity, revision, c.content_hash, c.canonical_url)
        candidate = looks_like_strike_news(c.title, c.full_text)
        outcome.strike_candidates += candidate
        rows.append(
            {
                "identity": identity,
                "revision": revision,
                "feed_id": feed_id,
                "canonical_url": c.canonical_url,
                "title": c.title,
                "summary": c.summary,
                "text": c.full_text,
                "text_source": c.text_source,
                "text_url": c.text_url,
                "source_name": source_name,
                "published_at": c.published_at,
                "fetched_at": now,
                "content_hash": c.content_hash,
                "is_strike_candidate": candidate,
            }
        )
        revised.append(revision > 1)
    if not rows:
        return outcome
    ids = session.scalars(
        insert(Article).returning(col(Article.id), sort_by_parameter_order=True), rows
    ).all()
    for article_id, is_revision in zip(ids, revised, strict=True):
        (outcome.revised_ids if is_revision else outcome.new_ids).append(int(article_id or 0))
    return outcome
