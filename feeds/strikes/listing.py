"""Strikes and held changes as plain data, for the operator's CLI and any page that lists them."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, or_, select

from config.db_types import UK_TZ
from feeds.models import Article, Strike, StrikeChange, StrikeSource
from feeds.strikes.approval import pending_changes
from feeds.strikes.merge import PENDING
from feeds.strikes.state import REJECTED
from feeds.strikes.store import area_codes_by_strike, state_from_row

AreaNamer = Callable[[str], str]


@dataclass
class StrikeView:
    """One strike as an operator reads it; times are UK local."""

    id: int
    key: str
    status: str
    held: bool
    topic: str
    unions: list[str]
    staff: list[str]
    employers: list[str]
    start: datetime | None
    end: datetime | None
    all_day: bool
    end_all_day: bool
    areas: list[dict[str, str]]
    area_names: list[str]
    sources: list[dict[str, Any]] = field(default_factory=list)
    pending_changes: int = 0

    def when(self) -> str:
        return format_when(self.start, self.end, self.all_day, self.end_all_day)

    def as_dict(self) -> dict[str, Any]:
        def iso(moment: datetime | None, date_only: bool) -> str | None:
            if moment is None:
                return None
            local = moment.astimezone(UK_TZ)
            return local.date().isoformat() if date_only else local.isoformat()

        return {
            "id": self.id,
            "key": self.key,
            "status": self.status,
            "held_for_approval": self.held,
            "topic": self.topic,
            "unions": self.unions,
            "staff": self.staff,
            "employers": self.employers,
            "start": iso(self.start, self.all_day),
            "end": iso(self.end, self.end_all_day),
            "all_day": self.all_day,
            "when": self.when(),
            "areas": self.areas,
            "area_names": self.area_names,
            "sources": self.sources,
            "pending_changes": self.pending_changes,
        }


def format_when(
    start: datetime | None, end: datetime | None, all_day: bool, end_all_day: bool
) -> str:
    """ "Wed 21 Jan 2026, 07:00 to 19:00" in UK time; whole days say so."""
    if start is None:
        return "no date"
    s = start.astimezone(UK_TZ)
    day = f"{s:%a} {s.day} {s:%b %Y}"
    if end is None:
        return f"{day}, all day" if all_day else f"{day}, from {s:%H:%M}"
    e = end.astimezone(UK_TZ)
    end_day = f"{e:%a} {e.day} {e:%b %Y}"
    if e.date() == s.date():
        if all_day and end_all_day:
            return f"{day}, all day"
        start_part = "00:00" if all_day else f"{s:%H:%M}"
        end_part = "23:59" if end_all_day else f"{e:%H:%M}"
        return f"{day}, {start_part} to {end_part}"
    start_part = day if all_day else f"{day} {s:%H:%M}"
    end_part = f"end of {end_day}" if end_all_day else f"{end_day} {e:%H:%M}"
    return f"{start_part} to {end_part}"


def _names(text: str) -> list[str]:
    value = json.loads(text or "[]")
    return [str(v) for v in value] if isinstance(value, list) else []


def default_area_namer() -> AreaNamer:
    """Area names from the shipped area table; a code it does not know is shown as is."""
    try:
        from subscribers.areas import area
    except ImportError:  # pragma: no cover - subscribers is part of the same install
        return lambda code: code

    def name(code: str) -> str:
        try:
            return area(code).name
        except Exception:
            return code

    return name


def upcoming_strikes(
    session: Session,
    now: datetime,
    *,
    include_past: bool = False,
    area_name: AreaNamer | None = None,
) -> list[StrikeView]:
    """Walkouts not yet over at ``now`` (or all with ``include_past``), soonest first.

    Strikes an operator rejected are left out; strikes whose first report is held are included
    and flagged.
    """
    namer = area_name or default_area_namer()
    query = (
        select(Strike)
        .where(col(Strike.start).is_not(None), Strike.status != REJECTED)
        .order_by(col(Strike.start), col(Strike.id))
    )
    if not include_past:
        # Rows with an end are bounded in SQL; those without are checked against their day below.
        query = query.where(or_(col(Strike.end) >= now, col(Strike.end).is_(None)))
    rows = list(session.exec(query))
    ids = [r.id for r in rows if r.id is not None]
    codes = area_codes_by_strike(session, ids)
    sources = _sources(session, ids)
    held = _pending_counts(session, ids)
    views: list[StrikeView] = []
    for row in rows:
        assert row.id is not None
        state = state_from_row(row, sorted(codes[row.id]))
        if not include_past and state.is_over(now):
            continue
        views.append(
            StrikeView(
                id=row.id,
                key=row.key,
                status=row.status,
                held=row.held,
                topic=row.topic,
                unions=_names(row.unions),
                staff=_names(row.staff),
                employers=_names(row.employers),
                start=row.start,
                end=row.end,
                all_day=row.all_day,
                end_all_day=row.end_all_day,
                areas=[{"code": c, "name": namer(c)} for c in sorted(codes[row.id])],
                area_names=_names(row.area_names),
                sources=sources.get(row.id, []),
                pending_changes=held.get(row.id, 0),
            )
        )
    return views


def _sources(session: Session, strike_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {}
    if not strike_ids:
        return out
    rows = session.exec(
        select(StrikeSource.strike_id, Article)
        .join(Article, col(Article.id) == col(StrikeSource.article_id))
        .where(col(StrikeSource.strike_id).in_(strike_ids))
        .order_by(col(Article.published_at), col(Article.id))
    )
    for strike_id, article in rows:
        published = article.published_at
        out.setdefault(strike_id, []).append(
            {
                "article_id": article.id,
                "source": article.source_name,
                "title": article.title,
                "url": article.canonical_url or article.identity,
                "published": published.astimezone(UK_TZ).isoformat() if published else None,
            }
        )
    return out


def _pending_counts(session: Session, strike_ids: list[int]) -> dict[int, int]:
    counts: dict[int, int] = {}
    if not strike_ids:
        return counts
    rows = session.exec(
        select(StrikeChange.strike_id).where(
            col(StrikeChange.strike_id).in_(strike_ids), StrikeChange.approval == PENDING
        )
    )
    for strike_id in rows:
        counts[strike_id] = counts.get(strike_id, 0) + 1
    return counts


def held_changes(session: Session) -> list[dict[str, Any]]:
    """Changes waiting for an operator, oldest first, with what they would change and why."""
    out = []
    for change, strike in pending_changes(session):
        before = json.loads(change.before or "{}")
        after = json.loads(change.after or "{}")
        differs = {
            k: {"from": before.get(k), "to": v}
            for k, v in after.items()
            if before and before.get(k) != v
        }
        article = session.get(Article, change.article_id) if change.article_id else None
        out.append(
            {
                "id": change.id,
                "strike_id": strike.id,
                "strike_key": strike.key,
                "kind": change.kind,
                "alert_kind": change.alert_kind,
                "confidence": round(change.confidence, 2),
                "reason": change.reason,
                "created_at": change.created_at.astimezone(UK_TZ).isoformat(),
                "changes": differs,
                "when": format_when(
                    _parse(after.get("start")),
                    _parse(after.get("end")),
                    bool(after.get("all_day")),
                    bool(after.get("end_all_day")),
                ),
                "status": after.get("status"),
                "source": article.source_name if article else None,
                "title": article.title if article else None,
                "url": (article.canonical_url or article.identity) if article else None,
            }
        )
    return out


def _parse(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


class UnknownStrike(LookupError):
    """No strike has this id; the message says how to find one."""


def strike_history(session: Session, strike_id: int) -> dict[str, Any]:
    """One strike with every recorded change, oldest first: what changed, why, and who said so."""
    strike = session.get(Strike, strike_id)
    if strike is None:
        raise UnknownStrike(f"no strike with id {strike_id}; `notifier strikes --all` lists them")
    codes = area_codes_by_strike(session, [strike_id])[strike_id]
    rows = session.exec(
        select(StrikeChange, Article)
        .join(Article, col(Article.id) == col(StrikeChange.article_id), isouter=True)
        .where(StrikeChange.strike_id == strike_id)
        .order_by(col(StrikeChange.created_at), col(StrikeChange.id))
    )
    history = []
    for change, article in rows:
        before = json.loads(change.before or "{}")
        after = json.loads(change.after or "{}")
        history.append(
            {
                "id": change.id,
                "at": change.created_at.astimezone(UK_TZ).isoformat(),
                "kind": change.kind,
                "alert_kind": change.alert_kind,
                "approval": change.approval,
                "decided_at": (
                    change.decided_at.astimezone(UK_TZ).isoformat() if change.decided_at else None
                ),
                "confidence": round(change.confidence, 2),
                "reason": change.reason,
                "changes": {
                    k: {"from": before.get(k), "to": v}
                    for k, v in after.items()
                    if before and before.get(k) != v
                },
                "source": article.source_name if article else None,
                "title": article.title if article else None,
                "url": (article.canonical_url or article.identity) if article else None,
            }
        )
    view = StrikeView(
        id=strike_id,
        key=strike.key,
        status=strike.status,
        held=strike.held,
        topic=strike.topic,
        unions=_names(strike.unions),
        staff=_names(strike.staff),
        employers=_names(strike.employers),
        start=strike.start,
        end=strike.end,
        all_day=strike.all_day,
        end_all_day=strike.end_all_day,
        areas=[{"code": c, "name": default_area_namer()(c)} for c in sorted(codes)],
        area_names=_names(strike.area_names),
        sources=_sources(session, [strike_id]).get(strike_id, []),
        pending_changes=_pending_counts(session, [strike_id]).get(strike_id, 0),
    )
    return {"strike": view.as_dict(), "history": history}
