"""Plain values the merge works on: a strike as it stands and one article's report of a walkout.

Kept free of the database so every merge decision can be tested (and explained) as a pure function.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from typing import Any

from config.db_types import UK_TZ
from feeds.detection.types import NON_WALKOUT_STATUSES, OFF_STATUSES, ON_STATUSES, DetectedEvent
from feeds.strikes.authority import Authority
from feeds.strikes.names import canonical_unions

REJECTED = "rejected"  # status of a strike whose only report an operator turned down

# The fields an alert can depend on, in the order snapshots list them.
SNAPSHOT_FIELDS: tuple[str, ...] = (
    "status",
    "start",
    "end",
    "all_day",
    "end_all_day",
    "unions",
    "staff",
    "employers",
    "area_names",
    "area_codes",
    "topic",
)


def side(status: str) -> str | None:
    """``on`` for a walkout that is to happen, ``off`` for one put off, None for ballots/deals."""
    if status in ON_STATUSES:
        return "on"
    if status in OFF_STATUSES:
        return "off"
    return None


def uk_day_start(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=UK_TZ)


def uk_day_end(day: date) -> datetime:
    """23:59 UK time: how a date-only end ("until Friday") is stored."""
    return datetime.combine(day, time(23, 59), tzinfo=UK_TZ)


def uk_date(moment: datetime) -> date:
    return moment.astimezone(UK_TZ).date()


def _dedupe(values: Any) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for v in values:
        text = " ".join(str(v).split())
        if text and text.lower() not in {s.lower() for s in seen}:
            seen[text] = None
    return tuple(seen)


@dataclass(frozen=True)
class StrikeState:
    """One strike record as the merge sees it (``id`` is None until it is stored)."""

    key: str
    status: str
    start: datetime | None
    end: datetime | None = None
    all_day: bool = False
    end_all_day: bool = False
    unions: tuple[str, ...] = ()
    staff: tuple[str, ...] = ()
    employers: tuple[str, ...] = ()
    area_names: tuple[str, ...] = ()
    area_codes: frozenset[str] = field(default_factory=frozenset)
    topic: str = "other_nhs"
    confidence: float = 0.0
    authority: int = 0
    decided_at: datetime | None = None  # publication time of the report that set the facts
    held: bool = False  # its first report awaits an operator
    summary: str = ""  # the sentence the first report rests on
    details_url: str | None = None  # the best-ranked source's page
    id: int | None = None

    @property
    def is_walkout(self) -> bool:
        return self.start is not None and side(self.status) is not None

    def effective_end(self) -> datetime | None:
        """When the walkout is over: its end, else the end of its (last) day."""
        if self.end is not None:
            return self.end
        if self.start is None:
            return None
        return uk_day_end(uk_date(self.start))

    def is_over(self, now: datetime) -> bool:
        end = self.effective_end()
        return end is not None and end < now

    def snapshot(self) -> dict[str, Any]:
        """The JSON form stored as a change's before/after (times in UK local ISO form)."""

        def iso(moment: datetime | None) -> str | None:
            return moment.astimezone(UK_TZ).isoformat() if moment is not None else None

        return {
            "status": self.status,
            "start": iso(self.start),
            "end": iso(self.end),
            "all_day": self.all_day,
            "end_all_day": self.end_all_day,
            "unions": list(self.unions),
            "staff": list(self.staff),
            "employers": list(self.employers),
            "area_names": list(self.area_names),
            "area_codes": sorted(self.area_codes),
            "topic": self.topic,
        }

    def with_snapshot(self, data: dict[str, Any]) -> StrikeState:
        """This state with the fields of a stored snapshot laid over it (approval applies these)."""

        def when(value: str | None) -> datetime | None:
            return datetime.fromisoformat(value) if value else None

        updates: dict[str, Any] = {}
        for name in SNAPSHOT_FIELDS:
            if name not in data:
                continue
            value = data[name]
            if name in ("start", "end"):
                updates[name] = when(value)
            elif name == "area_codes":
                updates[name] = frozenset(value)
            elif name in ("unions", "staff", "employers", "area_names"):
                updates[name] = tuple(value)
            else:
                updates[name] = value
        return replace(self, **updates)


@dataclass(frozen=True)
class Report:
    """One walkout (or ballot/deal) as one article reports it, with who said it and when."""

    status: str
    start: datetime | None
    end: datetime | None
    all_day: bool
    end_all_day: bool
    unions: tuple[str, ...]
    staff: tuple[str, ...]
    employers: tuple[str, ...]
    area_names: tuple[str, ...]
    area_codes: frozenset[str]
    topic: str
    confidence: float
    evidence: tuple[str, ...]
    authority: Authority
    published: datetime
    article_id: int | None = None
    url: str = ""

    @property
    def is_walkout(self) -> bool:
        return self.start is not None and side(self.status) is not None

    @property
    def is_dispute_only(self) -> bool:
        """A ballot or an accepted deal: recorded, never a walkout."""
        return self.status in NON_WALKOUT_STATUSES

    def as_state(self, key: str) -> StrikeState:
        return StrikeState(
            key=key,
            status=self.status,
            start=self.start,
            end=self.end,
            all_day=self.all_day,
            end_all_day=self.end_all_day,
            unions=self.unions,
            staff=self.staff,
            employers=self.employers,
            area_names=self.area_names,
            area_codes=self.area_codes,
            topic=self.topic,
            confidence=self.confidence,
            authority=self.authority.rank,
            decided_at=self.published,
            summary=self.evidence[0][:500] if self.evidence else "",
            details_url=self.url or None,
        )


class ReportError(ValueError):
    """A detected event that cannot be merged; the message says what is wrong with it."""


def report_from_event(
    event: DetectedEvent,
    *,
    authority: Authority,
    published: datetime,
    article_id: int | None = None,
    area_codes: frozenset[str] | None = None,
    url: str = "",
) -> Report:
    """Normalise a detector event: canonical unions, whole days as 00:00 to 23:59 UK time."""
    if published.tzinfo is None:
        raise ReportError("published must be timezone-aware")
    if event.status not in ON_STATUSES | OFF_STATUSES | NON_WALKOUT_STATUSES:
        raise ReportError(f"unknown event status {event.status!r}")
    if not 0.0 <= event.confidence <= 1.0:
        raise ReportError(f"confidence {event.confidence} is outside 0..1")
    for name, moment in (("start", event.start), ("end", event.end)):
        if moment is not None and moment.tzinfo is None:
            raise ReportError(f"event {name} {moment.isoformat()} has no timezone")
    start = event.start
    all_day = False
    if start is not None:
        all_day = not event.start_has_time
        start = uk_day_start(uk_date(start)) if all_day else start.astimezone(UK_TZ)
    end = event.end
    end_all_day = False
    if end is not None:
        end_all_day = not event.end_has_time
        end = uk_day_end(uk_date(end)) if end_all_day else end.astimezone(UK_TZ)
        if start is not None and end < start:
            raise ReportError(
                f"event ends ({end.isoformat()}) before it starts ({start.isoformat()})"
            )
    codes = area_codes if area_codes is not None else frozenset(event.area_codes)
    return Report(
        status=event.status,
        start=start,
        end=end,
        all_day=all_day,
        end_all_day=end_all_day,
        unions=canonical_unions(event.unions),
        staff=_dedupe(event.staff),
        employers=_dedupe(event.employers),
        area_names=_dedupe(event.areas),
        area_codes=frozenset(c for c in codes if c),
        topic=event.topic or "other_nhs",
        confidence=float(event.confidence),
        evidence=tuple(event.evidence),
        authority=authority,
        published=published,
        article_id=article_id,
        url=url,
    )
