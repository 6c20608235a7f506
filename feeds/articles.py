"""Article identity, de-duplication and revisions.

An article is stored once however many feeds carry it: matched by identity (GUID or canonical
link), then by canonical URL (a GUID that changed), then by content hash (the same text under a
new GUID and URL). New content under a known identity becomes a new revision, unless it repeats
any earlier revision (two feeds with different summaries of one story must not flip-flop).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, union
from sqlmodel import Session, col

from feeds.identity import (
    Candidate,
    candidate_from_entry,
    canonical_url,
    content_hash,
    entry_identity,
)
from feeds.models import Article

__all__ = [
    "Candidate",
    "StoreOutcome",
    "candidate_from_entry",
    "canonical_url",
    "content_hash",
    "entry_identity",
    "store_candidates",
    "unseen",
]


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


# A different identity and URL with the same content is the same article only when there is
# enough content to tell.
MIN_MATCHING_SUMMARY = 80


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
        columns = (
            col(Article.id),
            col(Article.identity),
            col(Article.revision),
            col(Article.content_hash),
            col(Article.canonical_url),
        )
        # A UNION of three index look-ups: PostgreSQL plans an OR of three IN lists as a scan.
        parts = [
            select(*columns).where(col(Article.identity).in_(ids)),
            select(*columns).where(col(Article.content_hash).in_(hashes)),
        ]
        if urls:
            parts.append(select(*columns).where(col(Article.canonical_url).in_(urls)))
        rows = session.execute(union(*parts)).all()
        # Several identities can share a URL or hash; the owner is the one stored first, so the
        # choice is stable across cycles.
        for _, identity, revision, chash, curl in sorted(rows, key=lambda r: r[0]):
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
        if len(c.summary) < MIN_MATCHING_SUMMARY:
            # "Politics live" with no summary every day is a new page each time, not a re-post.
            return None
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
    for c in batch:
        owner = index.owner(c)
        if owner is not None and c.content_hash in index.by_identity[owner].hashes:
            continue
        identity = owner or c.identity
        revision = index.by_identity[owner].revision + 1 if owner else 1
        index.add(identity, revision, c.content_hash, c.canonical_url)
        outcome.strike_candidates += c.strike
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
                "is_strike_candidate": c.strike,
            }
        )
    if not rows:
        return outcome
    # Core insert, returning each row's key so order does not matter: with ordered RETURNING
    # SQLite falls back to one statement per row.
    table = Article.__table__  # type: ignore[attr-defined]
    returned = session.execute(insert(table).returning(table.c.id, table.c.revision), rows).all()
    for article_id, revision in returned:
        (outcome.revised_ids if revision > 1 else outcome.new_ids).append(int(article_id))
    outcome.new_ids.sort()
    outcome.revised_ids.sort()
    return outcome
