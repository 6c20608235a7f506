"""Article-level strike detection (being filled in)."""

from __future__ import annotations

from feeds.detection.types import ArticleInput, Detection, PlaceFinder


def detect_article(article: ArticleInput, places: PlaceFinder | None = None) -> Detection:
    raise NotImplementedError("strike detection is not written yet")
