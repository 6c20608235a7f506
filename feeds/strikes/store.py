"""Reading strike records into merge states and writing merge decisions back as rows."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_
from sqlmodel import Session, col, select

from feeds.models import Strike, StrikeArea, StrikeChange, StrikeSource
from feeds.strikes.merge import AUTO, DISPUTE_WINDOW, PENDING, ChangePlan, Decision
from feeds.strikes.state import Report, StrikeState, uk_date, uk_day_start

log = logging.getLogger(__name__)

SUPERSEDED = "superseded"
LIST_FIELDS = ("unions", "staff", "employers", "area_names", "area_codes")


def _load(text: str) -> tuple[str, ...]:
    try:
        value = json.loads(text or "[]")
    except json.JSONDecodeError:
        return ()
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def state_from_row(row: Strike, area_codes: Sequence[str]) -> StrikeState:
    return StrikeState(
        key=row.key,
        status=row.status,
        start=row.start,
        end=row.end,
        all_day=row.all_day,
        end_all_day=row.end_all_day,
        unions=_load(row.unions),
        staff=_load(row.staff),
        employers=_load(row.employers),
        area_names=_load(row.area_names),
        area_codes=frozenset(area_codes),
        topic=row.topic,
        confidence=row.confidence,
        authority=row.authority,
        decided_at=row.decided_at,
        held=row.held,
        summary=row.summary,
        details_url=row.details_url,
        id=row.id,
    )


def area_codes_by_strike(session: Session, strike_ids: Sequence[int]) -> dict[int, set[str]]:
    codes: dict[int, set[str]] = {i: set() for i in strike_ids}
    if not strike_ids:
        return codes
    rows = session.execute(
        select(StrikeArea.strike_id, StrikeArea.area_code).where(
            col(StrikeArea.strike_id).in_(strike_ids)
        )
    )
    for strike_id, code in rows:
        codes[strike_id].add(code)
    return codes


def load_candidates(session: Session, reports: Sequence[Report]) -> list[StrikeState]:
    """Strikes any of ``reports`` could be: walkouts on the same UK days, recent disputes."""
    days = {uk_date(r.start) for r in reports if r.start is not None}
    published = [r.published for r in reports if r.is_dispute_only]
    return _query_candidates(session, days, published)


def _query_candidates(
    session: Session, days: set[date], published: list[datetime]
) -> list[StrikeState]:
    clauses = []
    for day in sorted(days):
        lo = uk_day_start(day) - timedelta(hours=1)
        hi = uk_day_start(day) + timedelta(days=1, hours=1)
        clauses.append((col(Strike.start) >= lo) & (col(Strike.start) < hi))
    if published:
        lo, hi = min(published) - DISPUTE_WINDOW, max(published) + DISPUTE_WINDOW
        clauses.append(
            col(Strike.status).in_(("ballot", "deal_accepted"))
            & (col(Strike.decided_at) >= lo)
            & (col(Strike.decided_at) <= hi)
        )
    if not clauses:
        return []
    rows = list(session.exec(select(Strike).where(or_(*clauses)).order_by(col(Strike.id))))
    codes = area_codes_by_strike(session, [r.id for r in rows if r.id is not None])
    states = [state_from_row(r, sorted(codes[r.id or 0])) for r in rows]
    return [
        s
        for s in states
        if not days or s.start is None or uk_date(s.start) in days or not s.is_walkout
    ]


class CandidateCache:
    """Strike states already read in this transaction, so a long backlog reads each day once.

    Only valid while the caller's transaction is the only writer of the strikes it holds, which
    is how the pipeline runs; every state written is passed to :meth:`remember`.
    """

    def __init__(self, session: Session) -> None:
        self._session = session
        self._days: set[date] = set()
        self._states: dict[int, StrikeState] = {}

    def for_reports(self, reports: Sequence[Report]) -> list[StrikeState]:
        days = {uk_date(r.start) for r in reports if r.start is not None}
        missing = days - self._days
        if missing:
            for state in _query_candidates(self._session, missing, []):
                assert state.id is not None
                self._states.setdefault(state.id, state)
            self._days |= missing
        found = {
            i: s
            for i, s in self._states.items()
            if s.start is not None and uk_date(s.start) in days
        }
        published = [r.published for r in reports if r.is_dispute_only]
        if published:
            for state in _query_candidates(self._session, set(), published):
                assert state.id is not None
                found[state.id] = self._states.get(state.id, state)
        return [found[i] for i in sorted(found)]

    def remember(self, strike_id: int, key: str, state: StrikeState) -> None:
        self._states[strike_id] = replace(state, id=strike_id, key=key)


def _unique_key(session: Session, key: str) -> str:
    candidate, n = key, 2
    while session.exec(select(Strike.id).where(Strike.key == candidate)).first() is not None:
        candidate, n = f"{key}#{n}", n + 1
    return candidate


def _write_fields(row: Strike, state: StrikeState) -> None:
    row.status = state.status
    row.start = state.start
    row.end = state.end
    row.all_day = state.all_day
    row.end_all_day = state.end_all_day
    row.unions = json.dumps(list(state.unions))
    row.staff = json.dumps(list(state.staff))
    row.employers = json.dumps(list(state.employers))
    row.area_names = json.dumps(list(state.area_names))
    row.topic = state.topic
    row.confidence = max(row.confidence or 0.0, state.confidence)
    row.authority = state.authority
    row.decided_at = state.decided_at
    row.held = state.held
    row.summary = state.summary
    row.details_url = state.details_url


def sync_areas(session: Session, strike_id: int, codes: frozenset[str] | set[str]) -> None:
    have = area_codes_by_strike(session, [strike_id])[strike_id]
    for code in sorted(set(codes) - have):
        session.add(StrikeArea(strike_id=strike_id, area_code=code))
    gone = have - set(codes)
    if gone:
        session.execute(
            delete(StrikeArea).where(
                (col(StrikeArea.strike_id) == strike_id) & col(StrikeArea.area_code).in_(gone)
            )
        )


def write_state(
    session: Session, state: StrikeState, now: datetime, row: Strike | None = None
) -> Strike:
    """Insert or update one strike row (and its areas) from a merge state."""
    if row is None:
        row = Strike(key=_unique_key(session, state.key), created_at=now, updated_at=now)
    _write_fields(row, state)
    row.updated_at = now
    session.add(row)
    session.flush()
    assert row.id is not None
    sync_areas(session, row.id, state.area_codes)
    return row


def _snapshot(state: StrikeState | None) -> str:
    return json.dumps(state.snapshot() if state is not None else {}, sort_keys=True)


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    return {k for k, v in after.items() if before and before.get(k) != v}


def supersede_pending(
    session: Session,
    strike_id: int,
    touched: set[str],
    *,
    releases_new: bool,
    now: datetime,
    why: str,
    keep: int | None = None,
) -> int:
    """Held changes to facts just decided are moot: mark them so no operator is asked.

    Only single-valued facts (status, times) make a held change moot; lists of places and names
    are applied by difference on approval, so an added place never cancels a held removal.
    """
    touched = touched - set(LIST_FIELDS)
    held = session.exec(
        select(StrikeChange).where(
            col(StrikeChange.strike_id) == strike_id, col(StrikeChange.approval) == PENDING
        )
    )
    count = 0
    for change in held:
        if change.id is not None and change.id == keep:
            continue
        old_before = snapshot_dict(change.before)
        old_after = snapshot_dict(change.after)
        if not old_before:
            moot = releases_new
        else:
            moot = bool(touched & changed_fields(old_before, old_after))
        if moot:
            change.approval = SUPERSEDED
            change.decided_at = now
            change.reason += f"; superseded: {why}"
            session.add(change)
            count += 1
    return count


def _supersede(session: Session, strike_id: int, plan: ChangePlan, now: datetime) -> None:
    if plan.approval != AUTO:
        return
    before = plan.before.snapshot() if plan.before is not None else {}
    touched = changed_fields(before, plan.after.snapshot())
    releases_new = plan.before is not None and plan.before.held and not plan.after.held
    supersede_pending(
        session,
        strike_id,
        touched,
        releases_new=releases_new,
        now=now,
        why=f"a later report decided it ({plan.kind})",
    )


def record_change(
    session: Session, strike_id: int, plan: ChangePlan, article_id: int | None, now: datetime
) -> StrikeChange | None:
    """Store one change unless this article already recorded the same one for this strike."""
    after = _snapshot(plan.after)
    same_article = (
        col(StrikeChange.article_id) == article_id
        if article_id is not None
        else col(StrikeChange.article_id).is_(None)
    )
    dupe = session.exec(
        select(StrikeChange.id).where(
            col(StrikeChange.strike_id) == strike_id,
            col(StrikeChange.kind) == plan.kind,
            same_article,
        )
    ).first()
    if dupe is not None:
        return None
    if plan.approval == PENDING:
        same = session.exec(
            select(StrikeChange.id).where(
                col(StrikeChange.strike_id) == strike_id,
                col(StrikeChange.approval) == PENDING,
                col(StrikeChange.after) == after,
            )
        ).first()
        if same is not None:
            return None  # the operator is already asked this exact question
    _supersede(session, strike_id, plan, now)
    change = StrikeChange(
        strike_id=strike_id,
        kind=plan.kind,
        alert_kind=plan.alert_kind,
        before=_snapshot(plan.before),
        after=after,
        reason=plan.reason,
        article_id=article_id,
        confidence=plan.confidence,
        approval=plan.approval,
        created_at=now,
    )
    session.add(change)
    return change


def add_source(
    session: Session,
    strike_id: int,
    article_id: int,
    now: datetime,
    sourced: set[tuple[int, int]] | None = None,
) -> bool:
    """Record the article as a source of the strike once.

    ``sourced`` is the caller's record of pairs already added or known; without it the database
    is asked.
    """
    pair = (strike_id, article_id)
    if sourced is not None:
        if pair in sourced:
            return False
        sourced.add(pair)
    elif session.get(StrikeSource, pair) is not None:
        return False
    session.add(StrikeSource(strike_id=strike_id, article_id=article_id, added_at=now))
    return True


@dataclass
class Applied:
    """What writing one decision did."""

    strike_id: int
    key: str  # the stored key (a new strike's may carry a suffix the merge did not know of)
    row: Strike | None  # the row when it was written (None when nothing about it changed)
    changes: list[StrikeChange]
    source_added: bool


def apply_decision(
    session: Session,
    decision: Decision,
    article_id: int | None,
    now: datetime,
    *,
    row: Strike | None = None,
    matched: StrikeState | None = None,
    sourced: set[tuple[int, int]] | None = None,
) -> Applied | None:
    """Write one decision: the strike row, its changes and the article as a source.

    ``row`` is the matched strike when the caller already holds it (one created earlier for the
    same article); ``matched`` is the stored state the decision started from, which lets a report
    that changes nothing skip the row write.
    """
    if decision.strike is None:
        return None
    unchanged = (
        row is None
        and matched is not None
        and matched.id is not None
        and matched.key == decision.matched_key
        and decision.strike == matched
        and not decision.changes
    )
    if unchanged:
        assert matched is not None and matched.id is not None
        strike_id, key = matched.id, matched.key
        written = None
    else:
        if row is None and matched is not None and matched.id is not None:
            row = session.get(Strike, matched.id)
        if row is None and decision.matched_key is not None:
            row = session.exec(select(Strike).where(Strike.key == decision.matched_key)).one()
        written = write_state(session, decision.strike, now, row)
        assert written.id is not None
        strike_id, key = written.id, written.key
    changes = [
        c
        for c in (record_change(session, strike_id, p, article_id, now) for p in decision.changes)
        if c is not None
    ]
    added = (
        add_source(session, strike_id, article_id, now, sourced)
        if article_id is not None
        else False
    )
    log.info(
        "strike merge",
        extra={
            "strike_id": strike_id,
            "strike_key": decision.matched_key or decision.strike.key,
            "outcome": decision.outcome,
            "article_id": article_id,
            "changes": [c.kind for c in changes],
            "reason": decision.reason,
        },
    )
    return Applied(strike_id, key, written, changes, added)


def snapshot_dict(text: str) -> dict[str, Any]:
    value = json.loads(text or "{}")
    return value if isinstance(value, dict) else {}
