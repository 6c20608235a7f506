"""Held changes on a real database: superseded, stale, approved, rejected.

The detector is given exact events here (by article title) so that each test sets up precisely
the disagreement it is about; the real detector is exercised in ``test_pipeline_strikes``.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, col, select

from config.db_types import UK_TZ
from feeds.detection.types import ArticleInput, DetectedEvent, Detection, PlaceFinder
from feeds.models import Strike, StrikeArea, StrikeChange
from feeds.pipeline import process_articles
from feeds.strikes import (
    ChangeAlreadyDecided,
    StaleChange,
    approve_change,
    reject_change,
)
from tests.strike_articles import add_article, add_feeds

NOW = datetime(2026, 1, 5, 12, tzinfo=UTC)


def uk(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UK_TZ)


def walkout(
    start: str = "2026-01-21T07:00",
    *,
    status: str = "announced",
    confidence: float = 0.9,
) -> DetectedEvent:
    return DetectedEvent(
        unions=["GMB"],
        staff=["ambulance workers"],
        employers=["South East Coast Ambulance Service"],
        areas=["South East Coast Ambulance Service"],
        area_codes=["RYD"],
        start=uk(start),
        start_has_time=True,
        end=None,
        end_has_time=False,
        status=status,
        confidence=confidence,
        evidence=["GMB members will strike."],
        topic="ambulance",
    )


class Scripted:
    """A detector that answers each article by its title."""

    def __init__(self) -> None:
        self.events: dict[str, list[DetectedEvent]] = {}

    def __call__(self, article: ArticleInput, places: PlaceFinder | None) -> Detection:
        events = self.events[article.title]
        return Detection(is_strike_news=True, events=events, confidence=0.9)


@pytest.fixture
def run(session: Session) -> Scripted:
    add_feeds(session)
    return Scripted()


def post(
    session: Session,
    detector: Scripted,
    feed: str,
    title: str,
    published: datetime,
    *events: DetectedEvent,
    threshold: float = 0.75,
) -> int:
    detector.events[title] = list(events)
    article_id = add_article(session, feed, title, "text", published)
    process_articles(session, [article_id], NOW, approval_threshold=threshold, detector=detector)
    return article_id


def change_of(session: Session, article_id: int) -> StrikeChange:
    rows = list(session.exec(select(StrikeChange).where(StrikeChange.article_id == article_id)))
    assert len(rows) == 1, [(r.kind, r.reason) for r in rows]
    return rows[0]


def the_strike(session: Session) -> Strike:
    session.expire_all()
    return session.exec(select(Strike).order_by(col(Strike.id))).one()


def test_approving_one_of_two_rival_changes_supersedes_the_other(
    session: Session, run: Scripted
) -> None:
    post(
        session, run, "gmb", "Union: strike at 7am", datetime(2026, 1, 5, 9, tzinfo=UTC), walkout()
    )
    bbc = post(
        session,
        run,
        "bbc",
        "BBC: strike at 9am",
        datetime(2026, 1, 6, 9, tzinfo=UTC),
        walkout("2026-01-21T09:00"),
    )
    local = post(
        session,
        run,
        "kent-courier",
        "Paper: strike at 10am",
        datetime(2026, 1, 7, 9, tzinfo=UTC),
        walkout("2026-01-21T10:00"),
    )
    held_bbc, held_local = change_of(session, bbc), change_of(session, local)
    assert held_bbc.approval == held_local.approval == "pending"
    assert the_strike(session).start == uk("2026-01-21T07:00")

    approve_change(session, held_bbc.id or 0, NOW)
    session.commit()
    assert the_strike(session).start == uk("2026-01-21T09:00")
    session.refresh(held_local)
    assert held_local.approval == "superseded"
    assert f"change {held_bbc.id} was approved instead" in held_local.reason
    with pytest.raises(ChangeAlreadyDecided, match="it is superseded"):
        approve_change(session, held_local.id or 0, NOW)


def test_a_later_authoritative_report_supersedes_a_held_change(
    session: Session, run: Scripted
) -> None:
    post(session, run, "gmb", "Union: 7am", datetime(2026, 1, 5, 9, tzinfo=UTC), walkout())
    bbc = post(
        session,
        run,
        "bbc",
        "BBC: 9am",
        datetime(2026, 1, 6, 9, tzinfo=UTC),
        walkout("2026-01-21T09:00"),
    )
    union = post(
        session,
        run,
        "gmb",
        "Union: now 8am",
        datetime(2026, 1, 7, 9, tzinfo=UTC),
        walkout("2026-01-21T08:00"),
    )
    assert change_of(session, union).approval == "auto"
    assert change_of(session, bbc).approval == "superseded"
    assert the_strike(session).start == uk("2026-01-21T08:00")


def test_approving_a_change_the_strike_has_moved_past_is_refused(
    session: Session, run: Scripted
) -> None:
    post(session, run, "gmb", "Union: 7am", datetime(2026, 1, 5, 9, tzinfo=UTC), walkout())
    doubtful = post(
        session,
        run,
        "gmb",
        "Union: off?",
        datetime(2026, 1, 6, 9, tzinfo=UTC),
        walkout(status="cancelled", confidence=0.4),
    )
    held = change_of(session, doubtful)
    assert held.approval == "pending" and held.kind == "called_off"
    strike = the_strike(session)
    strike.status = "suspended"  # decided meanwhile by other means
    session.add(strike)
    session.commit()
    with pytest.raises(StaleChange, match=r"out of date.*reject it instead"):
        approve_change(session, held.id or 0, NOW)
    session.rollback()
    assert the_strike(session).status == "suspended"


def test_held_strike_released_by_a_confident_report(session: Session, run: Scripted) -> None:
    first = post(
        session,
        run,
        "kent-courier",
        "Paper: maybe a strike",
        datetime(2026, 1, 5, 9, tzinfo=UTC),
        walkout(confidence=0.5),
    )
    assert the_strike(session).held
    assert change_of(session, first).approval == "pending"
    second = post(
        session, run, "gmb", "Union: strike", datetime(2026, 1, 6, 9, tzinfo=UTC), walkout()
    )
    released = change_of(session, second)
    assert (released.kind, released.alert_kind, released.approval) == ("new", "announced", "auto")
    assert change_of(session, first).approval == "superseded"
    assert not the_strike(session).held


def test_rejecting_a_held_strike_rejects_its_other_held_changes(
    session: Session, run: Scripted
) -> None:
    first = post(
        session,
        run,
        "kent-courier",
        "Paper: maybe",
        datetime(2026, 1, 5, 9, tzinfo=UTC),
        walkout(confidence=0.5),
    )
    second = post(
        session,
        run,
        "kent-courier",
        "Paper: maybe 9am",
        datetime(2026, 1, 6, 9, tzinfo=UTC),
        walkout("2026-01-21T09:00", confidence=0.5),
    )
    assert change_of(session, second).approval == "pending"
    reject_change(session, change_of(session, first).id or 0, NOW)
    session.commit()
    assert the_strike(session).status == "rejected"
    assert change_of(session, second).approval == "rejected"
    # A rejected strike is not matched again: a new confident report starts a fresh record.
    post(session, run, "gmb", "Union: strike", datetime(2026, 1, 7, 9, tzinfo=UTC), walkout())
    session.expire_all()
    statuses = sorted(s.status for s in session.exec(select(Strike)))
    assert statuses == ["announced", "rejected"]


def test_approving_a_narrowing_removes_the_places_called_off(
    session: Session, run: Scripted
) -> None:
    def nation(status: str, name: str, code: str) -> DetectedEvent:
        ev = walkout(status=status)
        ev.employers, ev.areas, ev.area_codes = [], [name], [code]
        return ev

    both = walkout()
    both.employers, both.areas, both.area_codes = (
        [],
        ["England", "Wales"],
        [
            "E92000001",
            "W92000004",
        ],
    )
    post(session, run, "gmb", "Union: England and Wales", datetime(2026, 1, 5, 9, tzinfo=UTC), both)
    split = post(
        session,
        run,
        "bbc",
        "BBC: off in Wales only",
        datetime(2026, 1, 9, 9, tzinfo=UTC),
        nation("cancelled", "Wales", "W92000004"),
        nation("going_ahead", "England", "E92000001"),
    )
    held = [
        c
        for c in session.exec(select(StrikeChange).where(StrikeChange.article_id == split))
        if c.kind == "areas_narrowed"
    ]
    assert len(held) == 1 and held[0].approval == "pending"
    strike = the_strike(session)
    assert strike.status in ("announced", "going_ahead")
    approve_change(session, held[0].id or 0, NOW)
    session.commit()
    codes = set(session.exec(select(StrikeArea.area_code).where(StrikeArea.strike_id == strike.id)))
    assert codes == {"E92000001"}
