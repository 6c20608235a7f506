"""One whole cycle as if the clock said ``now``: poll, detect, fan out, remind, dispatch.

``notifier tick`` runs it once; the worker's scheduler runs the same steps as separate jobs.
Each step reads its work from the database, so a step that fails is retried by the next cycle
and a step that already ran does nothing twice.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from config.settings import Settings
from feeds.models import Article
from notifier.channels.base import Channel
from notifier.fanout import FanoutSummary, fan_out
from notifier.models import WorkerState
from notifier.reminders import ReminderSummary, queue_due_reminders

log = logging.getLogger(__name__)

# Articles stored by a poll whose detection never ran (a crash between the two) are picked up
# again if they are this recent.
DETECT_BACKLOG_WINDOW = timedelta(days=2)
DETECT_BACKLOG_LIMIT = 500


@dataclass(slots=True)
class CycleSummary:
    now: datetime
    poll: dict[str, Any] | None = None
    detect: dict[str, Any] | None = None
    fanout: FanoutSummary = field(default_factory=FanoutSummary)
    reminders: ReminderSummary = field(default_factory=ReminderSummary)
    dispatch: dict[str, Any] | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def queued(self) -> int:
        return self.fanout.queued + self.reminders.queued

    @property
    def sent(self) -> int:
        return int((self.dispatch or {}).get("sent", 0))

    def as_dict(self) -> dict[str, Any]:
        return {
            "now": self.now.isoformat(),
            "queued": self.queued,
            "sent": self.sent,
            "poll": self.poll,
            "detect": self.detect,
            "fanout": self.fanout.as_dict(),
            "reminders": self.reminders.as_dict(),
            "dispatch": self.dispatch,
            "errors": self.errors,
        }


def set_worker_state(engine: Engine, key: str, value: str, now: datetime) -> None:
    """Record a fact for the health check (``last_poll``, ``last_tick``, ``leader``)."""
    with Session(engine) as s:
        row = s.get(WorkerState, key)
        if row is None:
            s.add(WorkerState(key=key, value=value, updated_at=now))
        else:
            row.value, row.updated_at = value, now
            s.add(row)
        s.commit()


def sync_feed_catalogue(engine: Engine, settings: Settings) -> str | None:
    """Bring the feed table in line with the catalogue file; the error message if unreadable."""
    from feeds.catalogue import CatalogueError, load_catalogue, sync_catalogue

    try:
        specs = load_catalogue(settings.feeds_file)
    except (CatalogueError, OSError) as exc:
        return f"feed catalogue {settings.feeds_file}: {exc}"
    with Session(engine) as session:
        sync_catalogue(session, specs, retire_missing=True)
        session.commit()
    return None


def undetected_articles(engine: Engine, now: datetime) -> list[int]:
    """Recent article revisions that no detection run has looked at yet."""
    with Session(engine) as s:
        rows = s.exec(
            select(Article.id)
            .where(
                col(Article.detected_at).is_(None),
                col(Article.fetched_at) >= now - DETECT_BACKLOG_WINDOW,
            )
            .order_by(col(Article.id))
            .limit(DETECT_BACKLOG_LIMIT)
        )
        return [int(r) for r in rows if r is not None]


async def poll_step(
    engine: Engine, settings: Settings, now: datetime, feed_ids: list[str] | None = None
) -> tuple[dict[str, Any], list[int]]:
    """Poll the feeds that are due; record ``last_poll`` for the health check."""
    from feeds.poller import poll_feeds

    summary = await poll_feeds(engine, settings, now, only_due=True, feed_ids=feed_ids)
    await asyncio.to_thread(set_worker_state, engine, "last_poll", now.isoformat(), now)
    return summary.as_dict(), list(summary.article_ids)


def detect_step(
    engine: Engine, settings: Settings, now: datetime, article_ids: list[int]
) -> dict[str, Any]:
    """Detect and merge strikes in new articles (plus any a crash left undetected)."""
    from feeds.pipeline import process_articles

    ids = sorted(set(article_ids) | set(undetected_articles(engine, now)))
    if not ids:
        return {"articles": 0}
    with Session(engine, expire_on_commit=False) as session:
        result = process_articles(
            session, ids, now, approval_threshold=settings.approval_confidence
        )
    return result.as_dict()


async def dispatch_step(
    engine: Engine,
    settings: Settings,
    now: datetime,
    *,
    worker_id: str,
    channels: dict[str, Channel] | None = None,
) -> dict[str, Any]:
    from notifier.dispatch import dispatch_due

    total: dict[str, Any] = {}
    # A tick sends everything due, not just one claim batch: keep passing until nothing is left.
    for _ in range(10_000):
        summary = await dispatch_due(engine, settings, now, worker_id=worker_id, channels=channels)
        for key, value in summary.as_dict().items():
            if isinstance(value, dict):
                merged = total.setdefault(key, {})
                for k, v in value.items():
                    merged[k] = merged.get(k, 0) + v
            else:
                total[key] = total.get(key, 0) + value
        if summary.claimed == 0:
            break
    return total


async def run_cycle(
    engine: Engine,
    settings: Settings,
    now: datetime,
    *,
    poll: bool = True,
    dispatch: bool = True,
    worker_id: str = "tick",
    channels: dict[str, Channel] | None = None,
) -> CycleSummary:
    """Run every step once at ``now``. A failing step is logged and reported, the rest still run
    (a broken feed must not stop a call-off from going out)."""
    if now.tzinfo is None:
        raise ValueError("run_cycle needs an aware 'now'")
    cycle = CycleSummary(now=now)
    article_ids: list[int] = []
    if poll:
        try:
            cycle.poll, article_ids = await poll_step(engine, settings, now)
        except Exception as exc:
            log.exception("poll step failed")
            cycle.errors.append(f"poll: {type(exc).__name__}: {exc}")
    try:
        cycle.detect = await asyncio.to_thread(detect_step, engine, settings, now, article_ids)
    except Exception as exc:
        log.exception("detection step failed")
        cycle.errors.append(f"detect: {type(exc).__name__}: {exc}")
    try:
        cycle.fanout = await asyncio.to_thread(fan_out, engine, settings, now)
    except Exception as exc:
        log.exception("fan-out step failed")
        cycle.errors.append(f"fanout: {type(exc).__name__}: {exc}")
    try:
        cycle.reminders = await asyncio.to_thread(queue_due_reminders, engine, settings, now)
    except Exception as exc:
        log.exception("reminder step failed")
        cycle.errors.append(f"reminders: {type(exc).__name__}: {exc}")
    if dispatch:
        try:
            cycle.dispatch = await dispatch_step(
                engine, settings, now, worker_id=worker_id, channels=channels
            )
        except Exception as exc:
            log.exception("dispatch step failed")
            cycle.errors.append(f"dispatch: {type(exc).__name__}: {exc}")
    await asyncio.to_thread(set_worker_state, engine, "last_tick", now.isoformat(), now)
    log.info(
        "cycle done",
        extra={"queued": cycle.queued, "sent": cycle.sent, "errors": len(cycle.errors)},
    )
    return cycle
