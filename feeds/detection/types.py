"""The detection contract: what goes into the detector and what comes out.

Other parts (merging, alerts, the CLI) code against these names, so fields are only ever added.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

PUBLISHER_KINDS: tuple[str, ...] = (
    "union",
    "nhs_trust",
    "nhs_body",
    "government",
    "news",
    "news_search",
)

ON_STATUSES: frozenset[str] = frozenset({"announced", "going_ahead", "rescheduled"})
OFF_STATUSES: frozenset[str] = frozenset({"suspended", "postponed", "cancelled"})
NON_WALKOUT_STATUSES: frozenset[str] = frozenset({"ballot", "deal_accepted"})
STATUSES: frozenset[str] = ON_STATUSES | OFF_STATUSES | NON_WALKOUT_STATUSES


class ArticleInputError(ValueError):
    """An article that cannot be read: say which field and why."""


@dataclass(frozen=True)
class ArticleInput:
    """One article as the detector sees it; ``published`` anchors every relative date."""

    title: str
    text: str
    published: datetime  # timezone-aware
    url: str = ""
    source: str = ""
    publisher_kind: str = ""  # one of PUBLISHER_KINDS, or "" when unknown
    default_areas: tuple[str, ...] = ()  # area codes the source speaks for

    def __post_init__(self) -> None:
        if not isinstance(self.published, datetime):
            raise ArticleInputError(
                f"published must be a datetime, got {type(self.published).__name__}"
            )
        if self.published.tzinfo is None or self.published.utcoffset() is None:
            raise ArticleInputError(
                "published must be timezone-aware (e.g. 2026-01-10T09:00+00:00); "
                f"got naive {self.published.isoformat()}"
            )
        if self.publisher_kind and self.publisher_kind not in PUBLISHER_KINDS:
            raise ArticleInputError(
                f"publisher_kind {self.publisher_kind!r} is not one of {', '.join(PUBLISHER_KINDS)}"
            )


class PlaceMatch(Protocol):
    """A place named in text, as the area gazetteer reports it (``subscribers.gazetteer``)."""

    @property
    def name(self) -> str: ...  # as written

    @property
    def code(self) -> str: ...

    @property
    def type(self) -> str: ...

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


class PlaceFinder(Protocol):
    """Finds known places in free text (the area gazetteer implements this)."""

    def find(self, text: str) -> Sequence[PlaceMatch]: ...


@dataclass
class DetectedEvent:
    """One walkout (or a ballot / accepted deal) read from one article."""

    unions: list[str]
    staff: list[str]
    employers: list[str]
    areas: list[str]  # names as written
    area_codes: list[str]  # codes from the gazetteer (may be empty)
    start: datetime | None  # aware, Europe/London
    start_has_time: bool  # False => whole-day / date-only
    end: datetime | None
    end_has_time: bool
    status: str  # one of STATUSES
    confidence: float
    evidence: list[str]  # sentence(s) it rests on
    topic: str  # a config.topics.TOPICS key

    @property
    def is_walkout(self) -> bool:
        return self.start is not None and self.status in (ON_STATUSES | OFF_STATUSES)


@dataclass
class Detection:
    """The detector's verdict on one article."""

    is_strike_news: bool
    events: list[DetectedEvent] = field(default_factory=list)
    confidence: float = 0.0
