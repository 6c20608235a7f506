"""Articles in, strike records and their change history out, on a real database."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, col, func, select

from feeds.detection import detect
from feeds.detection.types import ArticleInput, Detection, PlaceFinder
from feeds.models import Article, Strike, StrikeArea, StrikeChange, StrikeSource
from feeds.pipeline import UnknownArticles, process_articles
from feeds.strikes import (
    ChangeAlreadyDecided,
    ChangeNotFound,
    approve_change,
    reject_change,
)
from tests.strike_articles import (
    BBC_REPORT,
    CALLED_OFF,
    LOCAL_REPORT,
    NOT_STRIKE,
    RESCHEDULED,
    TIMES_CHANGED,
    TRUST_POST,
    UNION_POST,
    add_article,
    add_feeds,
)

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
THRESHOLD = 0.75


def _add(session: Session, *articles: tuple[str, str, str, datetime]) -> list[int]:
    return [add_article(session, *a) for a in articles]


def walkouts(session: Session) -> list[Strike]:
    rows = session.exec(
        select(Strike).where(col(Strike.start).is_not(None)).order_by(col(Strike.id))
    )
    return list(rows)


def changes(session: Session, strike_id: int) -> list[StrikeChange]:
    rows = session.exec(
        select(StrikeChange)
        .where(StrikeChange.strike_id == strike_id)
        .order_by(col(StrikeChange.id))
    )
    return list(rows)


def count(session: Session, model: type) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


@pytest.fixture
def feeds(session: Session) -> None:
    add_feeds(session)


@pytest.mark.usefixtures("feeds")
def test_four_reports_make_one_strike_with_four_sources(session: Session) -> None:
    ids = _add(session, UNION_POST, TRUST_POST, BBC_REPORT, LOCAL_REPORT)
    summary = process_articles(session, ids, NOW, approval_threshold=THRESHOLD)
    assert summary.strike_news == 4 and summary.failed == []

    (strike,) = walkouts(session)
    assert strike.start == datetime(2026, 1, 21, 7, 0, tzinfo=UTC)
    assert strike.end == datetime(2026, 1, 21, 19, 0, tzinfo=UTC)
    assert strike.status == "announced" and not strike.held
    assert json.loads(strike.unions) == ["GMB"]
    assert strike.key.startswith("gmb|") and strike.key.endswith("|2026-01-21")
    union_post = session.get(Article, ids[0])
    assert union_post is not None and strike.details_url == union_post.canonical_url
    assert "21 January" in strike.summary
    sources = session.exec(
        select(StrikeSource.article_id).where(StrikeSource.strike_id == strike.id)
    )
    assert sorted(sources) == sorted(ids)
    codes = set(session.exec(select(StrikeArea.area_code).where(StrikeArea.strike_id == strike.id)))
    assert "RYD" in codes  # South East Coast Ambulance Service

    history = changes(session, strike.id or 0)
    alerts = [c.alert_kind for c in history if c.alert_kind != "none"]
    assert alerts == ["announced"], [(c.kind, c.alert_kind, c.reason) for c in history]
    first = history[0]
    assert (first.kind, first.approval, first.article_id) == ("new", "auto", ids[0])
    assert json.loads(first.after)["start"] == "2026-01-21T07:00:00+00:00"
    assert json.loads(first.before) == {}


@pytest.mark.usefixtures("feeds")
def test_rerun_records_nothing_twice(session: Session) -> None:
    ids = _add(session, UNION_POST, TRUST_POST, BBC_REPORT, LOCAL_REPORT, TIMES_CHANGED)
    process_articles(session, ids, NOW, approval_threshold=THRESHOLD)
    before = (count(session, Strike), count(session, StrikeSource), count(session, StrikeChange))
    again = process_articles(session, list(reversed(ids)), NOW, approval_threshold=THRESHOLD)
    assert again.already_merged == len(ids)
    assert again.changes == 0 and again.strikes_created == 0
    after = (count(session, Strike), count(session, StrikeSource), count(session, StrikeChange))
    assert after == before


@pytest.mark.usefixtures("feeds")
def test_history_announced_times_changed_called_off(session: Session) -> None:
    ids = _add(session, UNION_POST, TIMES_CHANGED, CALLED_OFF)
    process_articles(session, ids[:1], NOW, approval_threshold=THRESHOLD)
    process_articles(
        session, ids[1:2], datetime(2026, 1, 14, 12, tzinfo=UTC), approval_threshold=THRESHOLD
    )
    process_articles(
        session, ids[2:], datetime(2026, 1, 19, 12, tzinfo=UTC), approval_threshold=THRESHOLD
    )

    (strike,) = walkouts(session)
    assert strike.status == "cancelled"
    assert strike.start == datetime(2026, 1, 21, 0, 1, tzinfo=UTC)
    history = [c for c in changes(session, strike.id or 0) if c.alert_kind != "none"]
    assert [(c.kind, c.alert_kind) for c in history] == [
        ("new", "announced"),
        ("times_changed", "changed"),
        ("called_off", "called_off"),
    ]
    moved = history[1]
    assert json.loads(moved.before)["start"] == "2026-01-21T07:00:00+00:00"
    assert json.loads(moved.after)["start"] == "2026-01-21T00:01:00+00:00"
    assert moved.article_id == ids[1] and "newer report" in moved.reason
    off = history[2]
    assert json.loads(off.after)["status"] == "cancelled" and off.article_id == ids[2]
    assert all(c.approval == "auto" for c in history)


@pytest.mark.usefixtures("feeds")
def test_uncertain_changes_are_held_then_approved_or_rejected(session: Session) -> None:
    ids = _add(session, UNION_POST, TIMES_CHANGED)
    summary = process_articles(session, ids[:1], NOW, approval_threshold=0.99)
    assert summary.pending == summary.changes >= 1
    (strike,) = walkouts(session)
    assert strike.held
    (held,) = [c for c in changes(session, strike.id or 0) if c.kind == "new"]
    assert held.approval == "pending" and held.alert_kind == "announced"

    approved = approve_change(session, held.id or 0, NOW)
    session.commit()
    assert approved.approval == "approved" and approved.decided_at == NOW
    session.refresh(strike)
    assert not strike.held

    with pytest.raises(ChangeAlreadyDecided, match="not waiting for a decision: it is approved"):
        approve_change(session, held.id or 0, NOW)
    with pytest.raises(ChangeNotFound, match="no strike change with id 987654"):
        reject_change(session, 987654, NOW)

    later = datetime(2026, 1, 14, 12, tzinfo=UTC)
    process_articles(session, ids[1:], later, approval_threshold=0.99)
    (moved,) = [c for c in changes(session, strike.id or 0) if c.kind == "times_changed"]
    assert moved.approval == "pending"
    session.refresh(strike)
    assert strike.start == datetime(2026, 1, 21, 7, tzinfo=UTC)  # not applied while held
    reject_change(session, moved.id or 0, later)
    session.commit()
    session.refresh(strike)
    assert strike.start == datetime(2026, 1, 21, 7, tzinfo=UTC)
    decided = session.get(StrikeChange, moved.id)
    assert decided is not None and decided.approval == "rejected"


@pytest.mark.usefixtures("feeds")
def test_approving_a_held_change_applies_it(session: Session) -> None:
    ids = _add(session, UNION_POST, TIMES_CHANGED)
    process_articles(session, ids[:1], NOW, approval_threshold=THRESHOLD)
    process_articles(session, ids[1:], NOW, approval_threshold=0.99)
    (strike,) = walkouts(session)
    (moved,) = [c for c in changes(session, strike.id or 0) if c.approval == "pending"]
    approve_change(session, moved.id or 0, NOW)
    session.commit()
    session.refresh(strike)
    assert strike.start == datetime(2026, 1, 21, 0, 1, tzinfo=UTC)


@pytest.mark.usefixtures("feeds")
def test_rejecting_a_held_new_strike_withdraws_it(session: Session) -> None:
    ids = _add(session, UNION_POST)
    process_articles(session, ids, NOW, approval_threshold=0.99)
    (strike,) = walkouts(session)
    (held,) = [c for c in changes(session, strike.id or 0) if c.kind == "new"]
    reject_change(session, held.id or 0, NOW)
    session.commit()
    session.refresh(strike)
    assert strike.status == "rejected" and not strike.held


@pytest.mark.usefixtures("feeds")
def test_walkout_already_over_is_recorded_without_alert(session: Session) -> None:
    ids = _add(session, UNION_POST)
    process_articles(
        session, ids, datetime(2026, 1, 22, 9, tzinfo=UTC), approval_threshold=THRESHOLD
    )
    (strike,) = walkouts(session)
    (first,) = [c for c in changes(session, strike.id or 0) if c.kind == "new"]
    assert first.alert_kind == "none" and "already over" in first.reason


@pytest.mark.usefixtures("feeds")
def test_not_strike_news_makes_no_strike(session: Session) -> None:
    ids = _add(session, NOT_STRIKE)
    summary = process_articles(session, ids, NOW, approval_threshold=THRESHOLD)
    assert summary.not_strike_news == 1
    assert count(session, Strike) == 0
    article = session.get(Article, ids[0])
    assert article is not None and article.detected_at == NOW


@pytest.mark.usefixtures("feeds")
def test_unknown_article_ids_fail_before_anything_is_written(session: Session) -> None:
    ids = _add(session, UNION_POST)
    with pytest.raises(UnknownArticles, match="no article with id 424242"):
        process_articles(session, [ids[0], 424242], NOW, approval_threshold=THRESHOLD)
    assert count(session, Strike) == 0
    article = session.get(Article, ids[0])
    assert article is not None and article.detected_at is None


@pytest.mark.usefixtures("feeds")
def test_an_unreadable_article_does_not_block_the_others(session: Session) -> None:
    ids = _add(session, UNION_POST, NOT_STRIKE)

    def fragile(article: ArticleInput, places: PlaceFinder | None) -> Detection:
        if "Striker" in article.title:
            raise RuntimeError("detector tripped")
        return detect(article, places)

    summary = process_articles(session, ids, NOW, approval_threshold=THRESHOLD, detector=fragile)
    assert summary.failed == [ids[1]]
    assert len(walkouts(session)) == 1
    failed = session.get(Article, ids[1])
    assert failed is not None and failed.detected_at is None  # retried next run


def test_area_table_containment_and_overlap() -> None:
    from feeds.pipeline import DistrictCover
    from subscribers.areas import load_area_table

    table = DistrictCover(load_area_table().districts_in)
    secamb, kent, region, north_west = "RYD", "E10000016", "E12000008", "E40000010"
    assert table.covers(frozenset({secamb}), frozenset({kent}))
    assert not table.covers(frozenset({kent}), frozenset({secamb}))
    assert table.overlaps(frozenset({region}), frozenset({secamb}))
    assert not table.overlaps(frozenset({north_west}), frozenset({secamb}))
    assert not table.covers(frozenset({secamb}), frozenset({"NOT-A-CODE"}))


@pytest.mark.usefixtures("feeds")
def test_postponed_to_a_new_date_moves_the_strike(session: Session) -> None:
    ids = _add(session, UNION_POST, RESCHEDULED)
    process_articles(session, ids, NOW, approval_threshold=THRESHOLD)
    (strike,) = walkouts(session)
    assert strike.start == datetime(2026, 2, 4, 7, tzinfo=UTC)
    assert strike.status == "rescheduled"
    moved = [c for c in changes(session, strike.id or 0) if c.article_id == ids[1]]
    assert [(c.kind, c.alert_kind, c.approval) for c in moved] == [
        ("rescheduled", "changed", "auto")
    ]
    assert json.loads(moved[0].before)["start"] == "2026-01-21T07:00:00+00:00"
    assert "from 2026-01-21 to 2026-02-04" in moved[0].reason


@pytest.mark.parametrize("one_run", [True, False])
@pytest.mark.usefixtures("feeds")
def test_a_new_strike_on_a_moved_strikes_old_day_gets_its_own_key(
    session: Session, one_run: bool
) -> None:
    again = ("gmb", "GMB sets a fresh strike date", UNION_POST[2], UNION_POST[3].replace(day=17))
    local = (LOCAL_REPORT[0], LOCAL_REPORT[1], LOCAL_REPORT[2], LOCAL_REPORT[3].replace(day=18))
    ids = _add(session, UNION_POST, RESCHEDULED, again, local)
    if one_run:
        process_articles(session, ids, NOW, approval_threshold=THRESHOLD)
    else:
        for article_id in ids:
            process_articles(session, [article_id], NOW, approval_threshold=THRESHOLD)
    by_day = {w.start.day: w for w in walkouts(session) if w.start is not None}
    moved, fresh = by_day[4], by_day[21]
    assert moved.start == datetime(2026, 2, 4, 7, tzinfo=UTC)
    assert fresh.start == datetime(2026, 1, 21, 7, tzinfo=UTC)
    assert fresh.key == moved.key + "#2"
    sources = set(
        session.exec(select(StrikeSource.article_id).where(StrikeSource.strike_id == fresh.id))
    )
    assert sources == {ids[2], ids[3]}


@pytest.mark.usefixtures("feeds")
def test_an_article_that_cannot_be_read_is_not_retried_forever(session: Session) -> None:
    from feeds.detection.types import ArticleInputError

    ids = _add(session, UNION_POST)

    def refuses(article: ArticleInput, places: PlaceFinder | None) -> Detection:
        raise ArticleInputError("published must be timezone-aware")

    summary = process_articles(session, ids, NOW, approval_threshold=THRESHOLD, detector=refuses)
    assert summary.failed == ids
    article = session.get(Article, ids[0])
    assert article is not None and article.detected_at == NOW
