"""From stored articles to strike records: detect, place, merge, record, in one transaction."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any, cast

from sqlmodel import Session, col, select

from feeds.detection.types import (
    PUBLISHER_KINDS,
    ArticleInput,
    ArticleInputError,
    DetectedEvent,
    Detection,
    PlaceFinder,
)
from feeds.models import Article, Feed, Strike, StrikeChange, StrikeSource
from feeds.strikes.authority import Authority, authority_for
from feeds.strikes.merge import PENDING, AreaCover, merge_article
from feeds.strikes.state import Report, ReportError, report_from_event
from feeds.strikes.store import CandidateCache, apply_decision

log = logging.getLogger(__name__)

Detector = Callable[[ArticleInput, PlaceFinder | None], Detection]


class UnknownArticles(LookupError):
    """Some requested article ids are not in the database; nothing was processed."""


@dataclass
class PipelineSummary:
    """What one run did, for logs, the CLI and the scheduler's health record."""

    articles: int = 0
    already_merged: int = 0
    strike_news: int = 0
    not_strike_news: int = 0
    events: int = 0
    events_ignored: int = 0
    strikes_created: int = 0
    strikes_updated: int = 0
    sources_added: int = 0
    changes: int = 0
    pending: int = 0
    failed: list[int] = field(default_factory=list)
    change_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@lru_cache(maxsize=1)
def default_places() -> PlaceFinder | None:
    """The area gazetteer, when the area data is installed."""
    try:
        from subscribers.gazetteer import load_gazetteer
    except ImportError:
        log.warning("area gazetteer not available; strikes get feed default areas only")
        return None
    return cast(PlaceFinder, load_gazetteer())


class DistrictCover:
    """Area containment from the area table: an area lies inside others when its districts do."""

    def __init__(self, districts_in: Callable[[str], list[str]]) -> None:
        self._districts_in = districts_in
        self._cache: dict[str, frozenset[str]] = {}

    def _districts(self, code: str) -> frozenset[str]:
        if code not in self._cache:
            self._cache[code] = frozenset(self._districts_in(code))
        return self._cache[code]

    def covers(self, existing: frozenset[str], new: frozenset[str]) -> bool:
        have: set[str] = set()
        for code in existing:
            have |= self._districts(code)
        return all(self._districts(c) and self._districts(c) <= have for c in new)

    def overlaps(self, a: frozenset[str], b: frozenset[str]) -> bool:
        mine: set[str] = set()
        for code in a:
            mine |= self._districts(code)
        return any(not mine.isdisjoint(self._districts(c)) for c in b)


@lru_cache(maxsize=1)
def default_cover() -> AreaCover | None:
    """Containment from the shipped area table, when it is installed and readable."""
    try:
        from subscribers.areas import load_area_table

        table = load_area_table()
    except Exception:
        log.warning("area table not available; every newly named area counts as a widening")
        return None
    return DistrictCover(table.districts_in)


def _default_detector(article: ArticleInput, places: PlaceFinder | None) -> Detection:
    from feeds.detection import detect

    return detect(article, places)


def _feed_areas(feed: Feed | None) -> tuple[str, ...]:
    if feed is None:
        return ()
    try:
        value = json.loads(feed.default_areas or "[]")
    except json.JSONDecodeError:
        log.warning("feed default_areas is not JSON", extra={"feed_id": feed.id})
        return ()
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def article_input(article: Article, feed: Feed | None) -> ArticleInput:
    kind = feed.publisher_kind if feed is not None else ""
    return ArticleInput(
        title=article.title,
        text=article.text or article.summary,
        published=article.published_at or article.fetched_at,
        url=article.canonical_url or article.identity,
        source=article.source_name or (feed.name if feed is not None else ""),
        publisher_kind=kind if kind in PUBLISHER_KINDS else "",
        default_areas=_feed_areas(feed),
    )


def area_codes_for(
    event: DetectedEvent, places: PlaceFinder | None, default_areas: tuple[str, ...]
) -> frozenset[str]:
    """The detector's codes; else the gazetteer's reading of the names; else the feed's areas."""
    if event.area_codes:
        return frozenset(event.area_codes)
    codes: set[str] = set()
    if places is not None:
        for name in (*event.areas, *event.employers):
            codes.update(m.code for m in places.find(name))
    return frozenset(codes) if codes else frozenset(default_areas)


def _already_merged(session: Session, article_ids: Sequence[int]) -> set[int]:
    """Articles that were merged before: they are a source of, or changed, some strike."""
    ids = list(article_ids)
    if not ids:
        return set()
    sources = session.exec(
        select(StrikeSource.article_id).where(col(StrikeSource.article_id).in_(ids))
    )
    changed = session.exec(
        select(StrikeChange.article_id).where(col(StrikeChange.article_id).in_(ids))
    )
    return {int(i) for i in [*sources, *changed] if i is not None}


def _load_articles(session: Session, article_ids: Sequence[int]) -> list[Article]:
    wanted = sorted(set(article_ids))
    rows = list(session.exec(select(Article).where(col(Article.id).in_(wanted)))) if wanted else []
    missing = sorted(set(wanted) - {a.id for a in rows})
    if missing:
        raise UnknownArticles(f"no article with id {', '.join(map(str, missing))}")
    return sorted(rows, key=lambda a: (a.published_at or a.fetched_at, a.id or 0))


def _reports(
    article: Article,
    ainput: ArticleInput,
    detection: Detection,
    authority: Authority,
    places: PlaceFinder | None,
    summary: PipelineSummary,
) -> list[Report]:
    reports: list[Report] = []
    for event in detection.events:
        summary.events += 1
        try:
            reports.append(
                report_from_event(
                    event,
                    authority=authority,
                    published=ainput.published,
                    article_id=article.id,
                    area_codes=area_codes_for(event, places, ainput.default_areas),
                    url=ainput.url,
                )
            )
        except ReportError as exc:
            summary.events_ignored += 1
            log.warning(
                "detected event not merged",
                extra={"article_id": article.id, "error": str(exc)},
            )
    return reports


def _merge_one(
    session: Session,
    article: Article,
    reports: list[Report],
    now: datetime,
    threshold: float,
    cover: AreaCover | None,
    summary: PipelineSummary,
    sourced: set[tuple[int, int]],
    cache: CandidateCache,
) -> None:
    candidates = cache.for_reports(reports)
    decisions = merge_article(candidates, reports, now, approval_threshold=threshold, cover=cover)
    touched: set[int] = set()
    created: dict[str, Strike] = {}  # merge key -> row, for later reports of the same article
    stored = {c.key: c for c in candidates}
    for decision in decisions:
        if decision.strike is None:
            summary.events_ignored += 1
            log.info(
                "report not recorded",
                extra={"article_id": article.id, "reason": decision.reason},
            )
            continue
        key = decision.matched_key
        applied = apply_decision(
            session,
            decision,
            article.id,
            now,
            row=created.get(key) if key else None,
            matched=stored.get(key) if key else None,
            sourced=sourced,
        )
        assert applied is not None
        cache.remember(applied.strike_id, applied.key, decision.strike)
        if key is None:
            assert applied.row is not None
            created[decision.strike.key] = applied.row
            summary.strikes_created += 1
        elif applied.changes and applied.strike_id not in touched:
            summary.strikes_updated += 1
        touched.add(applied.strike_id)
        summary.sources_added += int(applied.source_added)
        if applied.changes:
            session.flush()
        for change in applied.changes:
            summary.changes += 1
            summary.pending += int(change.approval == PENDING)
            if change.id is not None:
                summary.change_ids.append(change.id)


def process_articles(
    session: Session,
    article_ids: Sequence[int],
    now: datetime,
    *,
    approval_threshold: float,
    places: PlaceFinder | None = None,
    detector: Detector | None = None,
    cover: AreaCover | None = None,
) -> PipelineSummary:
    """Detect strikes in the given articles and merge them into strike records.

    Articles are taken in publication order so that "newer report" means what it says. An article
    already merged is skipped, so a re-run records nothing twice. An article the detector cannot
    read is logged, counted in ``failed`` and left for a later run; everything else is committed
    together, or nothing is. ``places`` defaults to the area gazetteer, ``cover`` to the area
    table and ``detector`` to ``feeds.detection.detect``.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if not 0.0 <= approval_threshold <= 1.0:
        raise ValueError(f"approval_threshold {approval_threshold} is outside 0..1")
    run_detector: Detector = detector or _default_detector
    finder = places if places is not None else default_places()
    area_cover = cover if cover is not None else default_cover()
    summary = PipelineSummary()
    try:
        articles = _load_articles(session, article_ids)
        feed_ids = {a.feed_id for a in articles if a.feed_id}
        feeds = (
            {f.id: f for f in session.exec(select(Feed).where(col(Feed.id).in_(feed_ids)))}
            if feed_ids
            else {}
        )
        merged_before = _already_merged(session, [a.id for a in articles if a.id is not None])
        sourced: set[tuple[int, int]] = set()
        cache = CandidateCache(session)
        for article in articles:
            assert article.id is not None
            summary.articles += 1
            if article.id in merged_before:
                summary.already_merged += 1
                continue
            feed = feeds.get(article.feed_id) if article.feed_id else None
            try:
                ainput = article_input(article, feed)
                detection = run_detector(ainput, finder)
            except ArticleInputError as exc:
                # The stored article itself is unreadable: retrying cannot help, so mark it seen.
                log.warning(
                    "article cannot be read for detection",
                    extra={"article_id": article.id, "error": str(exc)},
                )
                summary.failed.append(article.id)
                article.detected_at = now
                session.add(article)
                continue
            except Exception:
                log.exception("detection failed", extra={"article_id": article.id})
                summary.failed.append(article.id)
                continue
            article.detected_at = now
            session.add(article)
            if not detection.is_strike_news:
                summary.not_strike_news += 1
                continue
            summary.strike_news += 1
            authority = authority_for(
                ainput.publisher_kind,
                source_name=ainput.source,
                url=ainput.url,
                default_areas=ainput.default_areas,
            )
            reports = _reports(article, ainput, detection, authority, finder, summary)
            if reports:
                _merge_one(
                    session,
                    article,
                    reports,
                    now,
                    approval_threshold,
                    area_cover,
                    summary,
                    sourced,
                    cache,
                )
        session.commit()
    except BaseException:
        session.rollback()
        raise
    log.info("strike pipeline run", extra={"summary": summary.as_dict()})
    return summary


def strikes_for_article(session: Session, article_id: int) -> list[Strike]:
    """The strikes an article was merged into (for the CLI's account of a run)."""
    rows = session.exec(
        select(Strike)
        .join(StrikeSource, col(StrikeSource.strike_id) == col(Strike.id))
        .where(StrikeSource.article_id == article_id)
        .order_by(col(Strike.id))
    )
    return list(rows)
