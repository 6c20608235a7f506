"""An operator's decision on a held change: approve (apply it and let it alert) or reject."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import datetime

from sqlmodel import Session, select

from feeds.models import Strike, StrikeChange
from feeds.strikes.authority import OFFICIAL
from feeds.strikes.merge import NO_ALERT, PENDING
from feeds.strikes.state import REJECTED, SNAPSHOT_FIELDS, StrikeState
from feeds.strikes.store import (
    LIST_FIELDS,
    area_codes_by_strike,
    changed_fields,
    snapshot_dict,
    state_from_row,
    supersede_pending,
    write_state,
)

log = logging.getLogger(__name__)

APPROVED = "approved"
_DECIDING = ("status", "start", "end", "all_day", "end_all_day")


class ApprovalError(ValueError):
    """A change cannot be decided; the message says why and what to do instead."""


class ChangeNotFound(ApprovalError):
    pass


class ChangeAlreadyDecided(ApprovalError):
    pass


class StaleChange(ApprovalError):
    pass


def _pending(session: Session, change_id: int) -> tuple[StrikeChange, Strike]:
    change = session.get(StrikeChange, change_id)
    if change is None:
        raise ChangeNotFound(
            f"no strike change with id {change_id}; `notifier strikes --pending` lists held ones"
        )
    if change.approval != PENDING:
        when = change.decided_at.isoformat() if change.decided_at else "creation"
        raise ChangeAlreadyDecided(
            f"change {change_id} is not waiting for a decision: it is {change.approval} "
            f"(since {when})"
        )
    strike = session.get(Strike, change.strike_id)
    if strike is None:  # pragma: no cover - foreign key keeps this from happening
        raise ChangeNotFound(f"change {change_id} points at a missing strike {change.strike_id}")
    return change, strike


def _current(session: Session, strike: Strike) -> StrikeState:
    assert strike.id is not None
    codes = area_codes_by_strike(session, [strike.id])[strike.id]
    return state_from_row(strike, sorted(codes))


def approve_change(session: Session, change_id: int, now: datetime) -> StrikeChange:
    """Apply a held change to its strike and release it to fan-out.

    Refuses when the strike has since moved on in the facts this change would set, because
    applying it would silently undo a newer decision.
    """
    change, strike = _pending(session, change_id)
    before = snapshot_dict(change.before)
    after = snapshot_dict(change.after)
    current = _current(session, strike)
    if not before:  # the strike's first report: it is already stored, only held back
        state = replace(current, held=False)
    else:
        now_snap = current.snapshot()
        patch: dict[str, object] = {}
        for name in SNAPSHOT_FIELDS:
            if before.get(name) == after.get(name):
                continue
            if name in LIST_FIELDS:  # patched by difference
                gone = [v for v in before.get(name, []) if v not in after.get(name, [])]
                kept = [v for v in now_snap[name] if v not in gone]
                merged = kept + [v for v in after.get(name, []) if v not in kept]
                patch[name] = sorted(merged) if name == "area_codes" else merged
                continue
            if now_snap.get(name) not in (before.get(name), after.get(name)):
                raise StaleChange(
                    f"change {change_id} is out of date: strike {strike.id} {name} is now "
                    f"{now_snap.get(name)!r}, not {before.get(name)!r} as when it was held; "
                    "reject it instead"
                )
            patch[name] = after.get(name)
        state = current.with_snapshot(patch)
        if any(name in patch for name in _DECIDING):
            state = replace(state, authority=max(state.authority, OFFICIAL), decided_at=now)
    write_state(session, state, now, strike)
    change.approval = APPROVED
    change.decided_at = now
    session.add(change)
    session.flush()
    assert strike.id is not None
    supersede_pending(
        session,
        strike.id,
        changed_fields(before, after),
        releases_new=not before,
        now=now,
        why=f"change {change_id} was approved instead",
        keep=change_id,
    )
    if change.alert_kind != NO_ALERT and state.is_over(now):
        change.alert_kind = NO_ALERT
        change.reason += "; approved after the walkout was over, no alert"
    session.add(change)
    session.flush()
    log.info(
        "strike change approved",
        extra={"change_id": change_id, "strike_id": strike.id, "kind": change.kind},
    )
    return change


def reject_change(session: Session, change_id: int, now: datetime) -> StrikeChange:
    """Turn a held change down; a rejected first report withdraws its strike."""
    change, strike = _pending(session, change_id)
    change.approval = "rejected"
    change.decided_at = now
    session.add(change)
    if not snapshot_dict(change.before) and strike.held:
        strike.status = REJECTED
        strike.held = False
        strike.updated_at = now
        session.add(strike)
        session.flush()
        assert strike.id is not None
        # Nothing else about a withdrawn strike needs a decision.
        for other in session.exec(
            select(StrikeChange).where(
                StrikeChange.strike_id == strike.id, StrikeChange.approval == PENDING
            )
        ):
            other.approval = "rejected"
            other.decided_at = now
            other.reason += f"; its strike was withdrawn with change {change_id}"
            session.add(other)
    session.add(change)
    session.flush()
    log.info(
        "strike change rejected",
        extra={"change_id": change_id, "strike_id": strike.id, "kind": change.kind},
    )
    return change


def pending_changes(session: Session) -> list[tuple[StrikeChange, Strike]]:
    """Held changes, oldest first, each with its strike."""
    rows = session.exec(
        select(StrikeChange, Strike)
        .where(StrikeChange.strike_id == Strike.id)
        .where(StrikeChange.approval == PENDING)
        .order_by(StrikeChange.created_at, StrikeChange.id)  # type: ignore[arg-type]
    )
    return [(c, s) for c, s in rows]


def describe_change(change: StrikeChange) -> dict[str, object]:
    """A change as plain data for listings and JSON output."""
    return {
        "id": change.id,
        "strike_id": change.strike_id,
        "kind": change.kind,
        "alert_kind": change.alert_kind,
        "approval": change.approval,
        "confidence": round(change.confidence, 2),
        "reason": change.reason,
        "article_id": change.article_id,
        "created_at": change.created_at.isoformat(),
        "before": json.loads(change.before or "{}"),
        "after": json.loads(change.after or "{}"),
    }
