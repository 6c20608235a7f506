"""The worker's clockwork: APScheduler jobs on the leader, the dispatch loop on every worker.

Jobs (fixed ids, ``replace_existing``, one instance each, missed runs coalesced):

* ``leadership`` (every worker, every 15 s): try to lead or confirm we still do; install or
  remove the leader's jobs accordingly.
* ``poll:<feed id>`` (leader): one per enabled feed at the feed's own interval with jitter; poll,
  detect, fan out at once so an announcement does not wait for the next minute.
* ``feeds:sync`` (leader, every 5 min): follow the catalogue (new, changed or retired feeds).
* ``alerts`` (leader, every minute): fan out approved changes (an operator may approve at any
  time) and queue the reminders that are due.
* ``housekeeping`` (leader, every 10 min): forget reminder plans of past walkouts, erase stale
  sign-ups and old sign-up codes, note health.

The job store is memory: every decision is recomputed from the database (``next_poll_at``,
``fanned_out_at``, outbox keys), so a restart loses nothing and sends nothing twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import random
import socket
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import delete, select, update
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from config.db_types import utcnow
from config.settings import Settings
from notifier.cycle import (
    detect_step,
    poll_step,
    set_worker_state,
    sync_feed_catalogue,
)
from notifier.fanout import fan_out
from notifier.leader import Leadership
from notifier.reminders import queue_due_reminders
from notifier.retention import purge_personal_data

log = logging.getLogger(__name__)

JOB_LEADERSHIP = "leadership"
JOB_FEEDS_SYNC = "feeds:sync"
JOB_ALERTS = "alerts"
JOB_HOUSEKEEPING = "housekeeping"
POLL_PREFIX = "poll:"

LEADERSHIP_SECONDS = 15
ALERTS_SECONDS = 60
FEEDS_SYNC_SECONDS = 300
HOUSEKEEPING_SECONDS = 600
MAX_POLL_JITTER = 60.0
PLAN_RETENTION = timedelta(days=2)

FEED = SQLModel.metadata.tables["feed"]
STRIKE = SQLModel.metadata.tables["strike"]
PLAN = SQLModel.metadata.tables["reminder_plan"]
OUTBOX = SQLModel.metadata.tables["outbox_message"]
STATE = SQLModel.metadata.tables["worker_state"]

HEARTBEAT_PREFIX = "heartbeat:"
# Workers beat every LEADERSHIP_SECONDS; six missed beats and their claims go back to the queue.
HEARTBEAT_STALE = timedelta(seconds=6 * LEADERSHIP_SECONDS)
HEARTBEAT_RETENTION = timedelta(days=1)


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True, slots=True)
class FeedSchedule:
    feed_id: str
    interval_s: int


def poll_job_options(interval_s: int) -> dict[str, Any]:
    """Scheduling for one feed: its interval, a little jitter, never two polls at once."""
    interval = max(60, int(interval_s))
    return {
        "trigger": IntervalTrigger(seconds=interval, jitter=min(MAX_POLL_JITTER, interval / 10)),
        "max_instances": 1,
        "coalesce": True,
        "misfire_grace_time": max(30, interval // 2),
        "replace_existing": True,
    }


def enabled_feeds(engine: Engine) -> list[FeedSchedule]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(FEED.c.id, FEED.c.poll_interval_s)
            .where(FEED.c.enabled.is_(True))
            .order_by(FEED.c.id)
        )
        return [FeedSchedule(str(r[0]), int(r[1] or 900)) for r in rows]


def feed_next_poll_at(engine: Engine, feed_id: str) -> datetime | None:
    with engine.connect() as conn:
        value = conn.execute(
            select(FEED.c.next_poll_at).where(FEED.c.id == feed_id)
        ).scalar_one_or_none()
    return value if isinstance(value, datetime) else None


def prune_reminder_plans(engine: Engine, now: datetime) -> int:
    """Plans for walkouts that started days ago (or vanished) are no longer needed."""
    with engine.begin() as conn:
        gone = select(STRIKE.c.id).where(STRIKE.c.start < now - PLAN_RETENTION)
        res = conn.execute(
            delete(PLAN).where(PLAN.c.strike_id.in_(gone)).execution_options(preserve_rowcount=True)
        )
        return max(int(res.rowcount or 0), 0)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def heartbeat_key(worker_id: str) -> str:
    """WorkerState key of a worker's heartbeat (hashed: worker ids can be long)."""
    return HEARTBEAT_PREFIX + hashlib.sha1(worker_id.encode()).hexdigest()[:24]


def beat(engine: Engine, worker_id: str, now: datetime) -> None:
    """Say this worker is alive; claims of a worker that stops beating are put back."""
    set_worker_state(engine, heartbeat_key(worker_id), worker_id, now)


def dead_claimers(
    owners: Iterable[str],
    heartbeats: Mapping[str, datetime],
    now: datetime,
    *,
    host: str,
    my_pid: int,
    alive: Callable[[int], bool] = _pid_alive,
) -> list[str]:
    """Which claim owners are gone. Same host: the process no longer exists. Elsewhere: its
    heartbeat is older than HEARTBEAT_STALE. Owners that never beat (``notifier tick``) are left
    to the dispatcher's lease."""
    dead = []
    for owner in owners:
        owner_host, _, pid_text = owner.rpartition(":")
        if owner_host == host and pid_text.isdigit():
            pid = int(pid_text)
            if pid != my_pid and not alive(pid):
                dead.append(owner)
            continue
        seen = heartbeats.get(owner)
        if seen is not None and now - seen > HEARTBEAT_STALE:
            dead.append(owner)
    return dead


def reclaim_dead_claims(engine: Engine, now: datetime, *, host: str | None = None) -> int:
    """Put back rows claimed by workers that died mid-send (kill -9, OOM, a lost machine).

    Without this a restarted worker would wait for the dispatcher's 10-minute lease to run out
    before sending what its predecessor had claimed.
    """
    with engine.connect() as conn:
        owners = [
            str(r[0])
            for r in conn.execute(
                select(OUTBOX.c.claimed_by).where(OUTBOX.c.status == "sending").distinct()
            )
            if r[0]
        ]
        if not owners:
            return 0
        heartbeats = {
            str(value): updated
            for value, updated in conn.execute(
                select(STATE.c.value, STATE.c.updated_at).where(
                    STATE.c.key.like(HEARTBEAT_PREFIX + "%")
                )
            )
        }
    dead = dead_claimers(
        owners, heartbeats, now, host=host or socket.gethostname(), my_pid=os.getpid()
    )
    if not dead:
        return 0
    with engine.begin() as conn:
        res = conn.execute(
            update(OUTBOX)
            .where(OUTBOX.c.status == "sending", OUTBOX.c.claimed_by.in_(dead))
            .values(status="pending", claimed_by=None, claimed_at=None)
            .execution_options(preserve_rowcount=True)
        )
    count = max(int(res.rowcount or 0), 0)
    if count:
        log.warning(
            "reclaimed messages claimed by a dead worker", extra={"rows": count, "workers": dead}
        )
    return count


def prune_heartbeats(engine: Engine, now: datetime) -> int:
    with engine.begin() as conn:
        res = conn.execute(
            delete(STATE)
            .where(
                STATE.c.key.like(HEARTBEAT_PREFIX + "%"),
                STATE.c.updated_at < now - HEARTBEAT_RETENTION,
            )
            .execution_options(preserve_rowcount=True)
        )
    return max(int(res.rowcount or 0), 0)


class Worker:
    """One worker process: leadership, the leader's jobs, and a dispatch loop."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        *,
        worker_id: str | None = None,
        clock: Callable[[], datetime] = utcnow,
        dispatch: bool = True,
        telegram_polling: bool | None = None,
        sync_catalogue: bool = True,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.worker_id = worker_id or default_worker_id()
        self.clock = clock
        self.dispatch = dispatch
        self.sync_catalogue = sync_catalogue
        self.telegram_polling = (
            settings.telegram_enabled and not settings.public_base_url
            if telegram_polling is None
            else telegram_polling
        )
        self.leadership = Leadership(engine)
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        self.stop = asyncio.Event()
        self._detect_lock = asyncio.Lock()
        self._bot_stop: asyncio.Event | None = None
        self._bot_task: asyncio.Task[None] | None = None
        self._dispatch_task: asyncio.Task[Any] | None = None
        self.started = False

    # -- lifecycle --------------------------------------------------------------------------------
    async def start(self) -> None:
        """Start the scheduler, try to lead at once, and start dispatching."""
        self.scheduler.add_job(
            self.leadership_tick,
            IntervalTrigger(seconds=LEADERSHIP_SECONDS),
            id=JOB_LEADERSHIP,
            replace_existing=True,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=LEADERSHIP_SECONDS,
        )
        self.scheduler.start()
        await self._reclaim()
        await self.leadership_tick()
        self.started = True
        if self.dispatch:
            from notifier.dispatch import run_dispatch_loop

            self._dispatch_task = asyncio.create_task(
                run_dispatch_loop(
                    self.engine,
                    self.settings,
                    worker_id=self.worker_id,
                    stop=self.stop,
                    clock=self.clock,
                ),
                name="dispatch",
            )

    async def shutdown(self) -> None:
        self.stop.set()
        with contextlib.suppress(Exception):
            self.scheduler.shutdown(wait=False)
        await self._stop_bot()
        if self._dispatch_task is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._dispatch_task, 30)
        await asyncio.to_thread(self.leadership.release)
        log.info("worker stopped", extra={"worker": self.worker_id})

    async def run(self) -> None:
        """Run until :attr:`stop` is set."""
        await self.start()
        try:
            await self.stop.wait()
        finally:
            await self.shutdown()

    # -- leadership -------------------------------------------------------------------------------
    @property
    def is_leader(self) -> bool:
        return self.leadership.is_leader

    async def _reclaim(self) -> None:
        try:
            now = self.clock()
            await asyncio.to_thread(beat, self.engine, self.worker_id, now)
            await asyncio.to_thread(reclaim_dead_claims, self.engine, now)
        except Exception:
            log.exception("could not check for claims of dead workers")

    async def leadership_tick(self) -> None:
        was = self.leadership.is_leader
        if self.started:
            await self._reclaim()
        try:
            now_leader = await asyncio.to_thread(self.leadership.try_acquire)
        except Exception:
            log.exception("leadership check failed")
            now_leader = False
        if now_leader and not was:
            await self._become_leader()
        elif was and not now_leader:
            await self._step_down()

    async def _become_leader(self) -> None:
        now = self.clock()
        await asyncio.to_thread(set_worker_state, self.engine, "leader", self.worker_id, now)
        if self.sync_catalogue:
            problem = await asyncio.to_thread(sync_feed_catalogue, self.engine, self.settings)
            if problem:
                log.error(
                    "feed catalogue unusable; polling the feeds already known",
                    extra={"error": problem},
                )
        self._every(self.alerts_tick, ALERTS_SECONDS, JOB_ALERTS, first_run=now)
        self._every(self.feeds_sync, FEEDS_SYNC_SECONDS, JOB_FEEDS_SYNC)
        self._every(self.housekeeping, HOUSEKEEPING_SECONDS, JOB_HOUSEKEEPING)
        await self.schedule_feeds()
        await self._start_bot()
        log.info(
            "leading the scheduler",
            extra={"worker": self.worker_id, "feeds": len(self.poll_job_ids())},
        )

    async def _step_down(self) -> None:
        for job in self.scheduler.get_jobs():
            if job.id != JOB_LEADERSHIP:
                job.remove()
        await self._stop_bot()
        log.warning("no longer leading the scheduler", extra={"worker": self.worker_id})

    # -- jobs -------------------------------------------------------------------------------------
    def poll_job_ids(self) -> list[str]:
        return sorted(j.id for j in self.scheduler.get_jobs() if j.id.startswith(POLL_PREFIX))

    async def schedule_feeds(self) -> None:
        """One job per enabled feed; retired feeds lose theirs; changed intervals are applied."""
        feeds = await asyncio.to_thread(enabled_feeds, self.engine)
        wanted = {POLL_PREFIX + f.feed_id: f for f in feeds}
        for job in self.scheduler.get_jobs():
            if job.id.startswith(POLL_PREFIX) and job.id not in wanted:
                job.remove()
        for job_id, feed in wanted.items():
            existing = self.scheduler.get_job(job_id)
            if existing is not None and getattr(existing.trigger, "interval", None) == timedelta(
                seconds=max(60, feed.interval_s)
            ):
                continue
            # Stagger first polls (about two sources a second, within a minute) so a restart
            # does not hit every source in the same second.
            spread = min(MAX_POLL_JITTER, 0.5 * len(wanted))
            first = self.clock() + timedelta(seconds=random.uniform(0, spread))
            self.scheduler.add_job(
                self.poll_feed,
                id=job_id,
                args=[feed.feed_id],
                next_run_time=first,
                **poll_job_options(feed.interval_s),
            )

    async def feeds_sync(self) -> None:
        if self.sync_catalogue:
            problem = await asyncio.to_thread(sync_feed_catalogue, self.engine, self.settings)
            if problem:
                log.error("feed catalogue unusable", extra={"error": problem})
        await self.schedule_feeds()

    async def poll_feed(self, feed_id: str) -> None:
        """Poll one feed (if its backoff allows), then detect and fan out straight away.

        Afterwards the job is moved to the feed's ``next_poll_at`` as the poller decided it
        (interval with jitter, or backoff after failures, or a server's Retry-After), so the
        database stays the one schedule and a restart picks up exactly where this left off.
        """
        now = self.clock()
        try:
            _, article_ids = await poll_step(self.engine, self.settings, now, feed_ids=[feed_id])
            if article_ids:
                async with self._detect_lock:  # merging is one writer at a time
                    await asyncio.to_thread(
                        detect_step, self.engine, self.settings, now, article_ids
                    )
                    await asyncio.to_thread(fan_out, self.engine, self.settings, now)
        except Exception:
            log.exception("feed poll job failed", extra={"feed_id": feed_id})
        await self._follow_feed_schedule(feed_id, now)

    async def _follow_feed_schedule(self, feed_id: str, now: datetime) -> None:
        try:
            due = await asyncio.to_thread(feed_next_poll_at, self.engine, feed_id)
        except Exception:
            log.exception("could not read the feed's next poll time", extra={"feed_id": feed_id})
            return
        job = self.scheduler.get_job(POLL_PREFIX + feed_id)
        if job is not None and due is not None and due > now:
            job.modify(next_run_time=due)

    async def alerts_tick(self) -> None:
        """Every minute: approved changes out, due reminders queued."""
        now = self.clock()
        try:
            async with self._detect_lock:
                await asyncio.to_thread(detect_step, self.engine, self.settings, now, [])
                await asyncio.to_thread(fan_out, self.engine, self.settings, now)
            summary = await asyncio.to_thread(queue_due_reminders, self.engine, self.settings, now)
            await asyncio.to_thread(
                set_worker_state, self.engine, "last_tick", now.isoformat(), now
            )
            for fc in summary.forecasts:
                if fc.late:
                    log.warning(
                        "reminders will not all arrive before the deadline", extra=fc.as_dict()
                    )
        except Exception:
            log.exception("alerts tick failed")

    def _every(
        self, func: Any, seconds: int, job_id: str, *, first_run: datetime | None = None
    ) -> None:
        """A leader job on a fixed interval: one instance at a time, missed runs coalesced."""
        kwargs: dict[str, Any] = {"next_run_time": first_run} if first_run else {}
        self.scheduler.add_job(
            func,
            IntervalTrigger(seconds=seconds),
            id=job_id,
            replace_existing=True,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=seconds,
            **kwargs,
        )

    async def housekeeping(self) -> None:
        now = self.clock()
        try:
            pruned = await asyncio.to_thread(prune_reminder_plans, self.engine, now)
            await asyncio.to_thread(prune_heartbeats, self.engine, now)
            purged = await asyncio.to_thread(purge_personal_data, self.engine, now)
            if any(purged.values()):
                log.info("purged personal data", extra=purged)
            await asyncio.to_thread(set_worker_state, self.engine, "leader", self.worker_id, now)
            if pruned:
                log.info("pruned reminder plans", extra={"rows": pruned})
        except Exception:
            log.exception("housekeeping failed")

    # -- Telegram long polling (leader only: Telegram allows one getUpdates consumer) ------------
    async def _start_bot(self) -> None:
        if not self.telegram_polling or self._bot_task is not None:
            return
        try:
            from notifier.telegram_bot import run_polling
        except ImportError:
            log.warning("Telegram bot module not available; not polling for messages")
            return
        self._bot_stop = asyncio.Event()
        self._bot_task = asyncio.create_task(
            run_polling(self.settings, self.engine, self._bot_stop), name="telegram-polling"
        )

    async def _stop_bot(self) -> None:
        if self._bot_task is None or self._bot_stop is None:
            return
        self._bot_stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._bot_task, 15)
        self._bot_task, self._bot_stop = None, None
