"""Strike detection: from one article to the walkouts it announces, changes or calls off."""

from __future__ import annotations

from feeds.detection.types import (
    ArticleInput,
    ArticleInputError,
    DetectedEvent,
    Detection,
    PlaceFinder,
    PlaceMatch,
)

__all__ = [
    "ArticleInput",
    "ArticleInputError",
    "DetectedEvent",
    "Detection",
    "PlaceFinder",
    "PlaceMatch",
    "detect",
]


def detect(article: ArticleInput, places: PlaceFinder | None = None) -> Detection:
    """Decide whether ``article`` is UK strike news and extract each walkout it describes."""
    from feeds.detection.detector import detect_article

    return detect_article(article, places)
