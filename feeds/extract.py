"""Main text of an article page, via trafilatura (boilerplate, menus and comments removed)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

import lxml.etree
import trafilatura

from feeds.parse import refuse_entity_declarations, to_utf8

log = logging.getLogger(__name__)


@dataclass(slots=True)
class ExtractedArticle:
    title: str
    text: str
    published_at: datetime | None


def extract_article(
    html: bytes, *, url: str, charset: str | None = None
) -> ExtractedArticle | None:
    """Title, main text and date of a page; None when no article text can be found."""
    try:
        body = to_utf8(html, charset)
        refuse_entity_declarations(body)
        doc = trafilatura.bare_extraction(
            body.decode("utf-8", errors="replace"),
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
        )
    except (ValueError, lxml.etree.LxmlError) as exc:
        log.info("extraction failed", extra={"url": url, "error": str(exc)})
        return None
    if doc is None or isinstance(doc, dict):
        return None
    text = (doc.text or "").strip()
    if not text:
        return None
    published = None
    if doc.date:
        try:
            published = datetime.fromisoformat(doc.date).replace(tzinfo=UTC)
        except ValueError:
            published = None
    return ExtractedArticle(title=(doc.title or "").strip(), text=text, published_at=published)
