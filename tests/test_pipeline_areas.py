"""Where a strike is: detector codes, else the gazetteer reading names, else the feed areas."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session, select

from config.db_types import UK_TZ
from feeds.detection.types import ArticleInput, DetectedEvent, Detection, PlaceFinder
from feeds.models import Strike, StrikeArea
from feeds.pipeline import process_articles
from tests.strike_articles import add_article, add_feeds

NOW = datetime(2026, 1, 5, 12, tzinfo=UTC)
KENT = "E10000016"


def _event(areas: list[str], codes: list[str], employers: list[str]) -> DetectedEvent:
    return DetectedEvent(
        unions=["Unison"],
        staff=["porters"],
        employers=employers,
        areas=areas,
        area_codes=codes,
        start=datetime(2026, 2, 3, 9, 0, tzinfo=UK_TZ),
        start_has_time=True,
        end=None,
        end_has_time=False,
        status="announced",
        confidence=0.9,
        evidence=["Unison porters will strike."],
        topic="other_nhs",
    )


def _codes_after(session: Session, feed: str, event: DetectedEvent) -> set[str]:
    def detector(article: ArticleInput, places: PlaceFinder | None) -> Detection:
        return Detection(is_strike_news=True, events=[event], confidence=0.9)

    add_feeds(session)
    article_id = add_article(session, feed, "Porters to strike", "text", NOW)
    process_articles(session, [article_id], NOW, approval_threshold=0.75, detector=detector)
    strike = session.exec(select(Strike)).one()
    return set(session.exec(select(StrikeArea.area_code).where(StrikeArea.strike_id == strike.id)))


def test_detector_codes_are_kept(session: Session) -> None:
    assert _codes_after(session, "bbc", _event(["Kent"], ["RYD"], [])) == {"RYD"}


def test_names_are_read_by_the_gazetteer(session: Session) -> None:
    assert _codes_after(session, "bbc", _event(["Kent"], [], [])) == {KENT}


def test_employer_names_are_read_too(session: Session) -> None:
    event = _event([], [], ["South East Coast Ambulance Service"])
    assert _codes_after(session, "bbc", event) == {"RYD"}


def test_unknown_places_fall_back_to_the_feed_areas(session: Session) -> None:
    event = _event(["the hospital site"], [], [])
    assert _codes_after(session, "kent-courier", event) == {KENT}


def test_national_source_with_no_places_gets_no_areas(session: Session) -> None:
    assert _codes_after(session, "bbc", _event([], [], [])) == set()
