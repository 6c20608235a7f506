"""Send what the outbox owes: claim due rows, compose one message per subscriber, deliver, record.

Claiming is one statement per channel. On PostgreSQL the rows are picked with
``FOR UPDATE SKIP LOCKED`` inside ``UPDATE ... RETURNING``, so several worker processes share the
queue without sending a row twice. SQLite has no row locks (SQLAlchemy silently drops
``with_for_update`` there), but a single ``UPDATE ... RETURNING`` is atomic under its
database-wide write lock, which gives the same guarantee.

A claimed row is ``sending`` with a lease; a worker killed mid-send leaves its rows to be
reclaimed once the lease runs out, so at most the messages in flight at the kill go twice.
Outcomes are written in small batches as sends complete, so a crash loses little bookkeeping.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import math
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, Table, and_, or_, select, update
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, SQLModel

import feeds.models  # noqa: F401  (tables used below)
import notifier.models  # noqa: F401
import subscribers.models  # noqa: F401
from config.db_types import utcnow
from config.settings import Settings
from feeds.detection.types import OFF_STATUSES
from feeds.strikes.state import REJECTED
from notifier.channels.base import Channel, DeliveryResult, Outcome
from notifier.compose import (
    Alert,
    ComposeError,
    Links,
    Source,
    StrikeFacts,
    compose_message,
    previous_times,
    strike_facts,
)
from notifier.ratelimit import SendRateLimiter

log = logging.getLogger(__name__)

OUTBOX: Table = SQLModel.metadata.tables["outbox_message"]
SUB: Table = SQLModel.metadata.tables["subscriber"]
STRIKE: Table = SQLModel.metadata.tables["strike"]
CHANGE: Table = SQLModel.metadata.tables["strike_change"]
STRIKE_SOURCE: Table = SQLModel.metadata.tables["strike_source"]
ARTICLE: Table = SQLModel.metadata.tables["article"]

# Outbox statuses this module moves rows between.
PENDING, SENDING, SENT = "pending", "sending", "sent"
FAILED = (
    "failed"  # refused for good because of the address (opted out, invalid): subscriber stopped
)
DEAD = "dead"  # dead letter: permanent error or out of attempts; `notifier outbox` lists them
SKIPPED = "skipped"  # never sent on purpose: expired, subscriber gone, too late to matter
RELEASE = "release"  # not a stored status: put a claimed row back untried (shutting down)
ALERT_KINDS = ("announced", "changed", "called_off", "reminder")

LEASE = timedelta(minutes=10)  # a `sending` row older than this belongs to a dead worker
RETRY_BASE_SECONDS = 15.0
RETRY_MAX_SECONDS = 1800.0
BATCH_SECONDS = 20.0  # claim what the channel's rate can send in this long (well inside LEASE)
DEFAULT_LIMIT = 500
DEFAULT_CONCURRENCY = 64
FLUSH_EVERY_SECONDS = 0.2
FLUSH_EVERY_RESULTS = 100
RECORD_TRIES = 5

ChannelMap = Mapping[str, Channel]


@dataclass(slots=True)
class DispatchSummary:
    claimed: int = 0
    messages: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    dead: int = 0
    expired: int = 0
    skipped: int = 0
    reclaimed: int = 0
    released: int = 0  # claimed, then handed back untried because the worker is stopping
    stopped_subscribers: int = 0
    segments: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}

    def add(self, other: DispatchSummary) -> None:
        for name in self.__slots__:
            if name == "by_channel":
                for k, v in other.by_channel.items():
                    self.by_channel[k] = self.by_channel.get(k, 0) + v
            else:
                setattr(self, name, getattr(self, name) + getattr(other, name))


def retry_delay(attempts: int, retry_after: float | None, rng: random.Random) -> float:
    """Exponential backoff with jitter, never sooner than the provider asked."""
    base = min(RETRY_MAX_SECONDS, RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1))
    delay = base * (0.5 + rng.random() / 2)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return delay


def claim_limit(settings: Settings, channel: str, limit: int) -> int:
    """Rows one claim may take: no more than the channel sends in BATCH_SECONDS."""
    if channel == "sms":
        per_second = settings.sms_segments_per_second / 2  # plan for two-segment messages
    elif channel == "telegram":
        per_second = settings.telegram_messages_per_second
    else:
        return limit
    return max(1, min(limit, math.ceil(per_second * BATCH_SECONDS)))


# -- claiming (synchronous; run in a thread) ----------------------------------------------------
_RETURNED = (
    OUTBOX.c.id,
    OUTBOX.c.subscriber_id,
    OUTBOX.c.channel,
    OUTBOX.c.kind,
    OUTBOX.c.strike_id,
    OUTBOX.c.strike_change_id,
    OUTBOX.c.body,
    OUTBOX.c.attempts,
    OUTBOX.c.expires_at,
    OUTBOX.c.not_before,
)


def _due(now: datetime) -> Any:
    return and_(
        OUTBOX.c.status == PENDING,
        OUTBOX.c.not_before <= now,
        or_(OUTBOX.c.expires_at.is_(None), OUTBOX.c.expires_at > now),
    )


def _claim(
    conn: Connection, now: datetime, worker_id: str, limit: int, *extra: Any
) -> list[Row[Any]]:
    pick = (
        select(OUTBOX.c.id)
        .where(_due(now), *extra)
        .order_by(OUTBOX.c.not_before, OUTBOX.c.id)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":
        # A materialised CTE runs the locking pick exactly once. Inside ``id IN (subquery)`` the
        # planner may choose a nested-loop semi-join that re-runs the pick for every outer row,
        # so LIMIT no longer bounds the claim.
        picked = pick.with_for_update(skip_locked=True).cte("picked").prefix_with("MATERIALIZED")
        where: Any = OUTBOX.c.id == picked.c.id
    else:
        where = OUTBOX.c.id.in_(pick)  # SQLite evaluates it once, under its write lock
    stmt = (
        update(OUTBOX)
        .where(where, OUTBOX.c.status == PENDING)
        .values(
            status=SENDING, claimed_by=worker_id, claimed_at=now, attempts=OUTBOX.c.attempts + 1
        )
        .returning(*_RETURNED)
    )
    return list(conn.execute(stmt).all())


def claim_due(
    engine: Engine, now: datetime, worker_id: str, channel: str, limit: int
) -> list[Row[Any]]:
    """Atomically mark up to ``limit`` due rows of ``channel`` as ours, whole subscribers at once.

    After the first pick, the other due rows of the same subscribers are claimed too, so each
    subscriber gets one message however the limit fell.
    """
    with engine.begin() as conn:
        rows = _claim(conn, now, worker_id, limit, OUTBOX.c.channel == channel)
        if not rows:
            return rows
        subscribers = sorted({r.subscriber_id for r in rows})
        more: list[Row[Any]] = []
        for i in range(0, len(subscribers), 500):
            chunk = subscribers[i : i + 500]
            more.extend(
                _claim(
                    conn,
                    now,
                    worker_id,
                    10 * len(chunk),
                    OUTBOX.c.channel == channel,
                    OUTBOX.c.subscriber_id.in_(chunk),
                )
            )
    return rows + more


def housekeep(engine: Engine, now: datetime, lease: timedelta = LEASE) -> tuple[int, int, int]:
    """Reclaim stale claims, expire late rows, drop alerts for subscribers no longer active.

    Returns (reclaimed, expired, skipped).
    """
    with engine.begin() as conn:
        reclaimed = conn.execute(
            update(OUTBOX)
            .where(OUTBOX.c.status == SENDING, OUTBOX.c.claimed_at < now - lease)
            .values(status=PENDING, claimed_by=None)
            .execution_options(preserve_rowcount=True)
        ).rowcount
        expired = conn.execute(
            update(OUTBOX)
            .where(OUTBOX.c.status == PENDING, OUTBOX.c.expires_at <= now)
            .values(status=SKIPPED, error="expired before it could be sent")
            .execution_options(preserve_rowcount=True)
        ).rowcount
        inactive = select(SUB.c.id).where(or_(SUB.c.status != "active", SUB.c.address.is_(None)))
        skipped = conn.execute(
            update(OUTBOX)
            .where(
                OUTBOX.c.status == PENDING,
                OUTBOX.c.kind.in_(ALERT_KINDS),
                OUTBOX.c.body.is_(None),
                OUTBOX.c.subscriber_id.in_(inactive),
            )
            .values(status=SKIPPED, error="subscriber no longer active")
            .execution_options(preserve_rowcount=True)
        ).rowcount
    if reclaimed:
        log.warning("reclaimed stale outbox claims", extra={"rows": reclaimed})
    return int(reclaimed or 0), int(expired or 0), int(skipped or 0)


# -- context for composing ------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Context:
    addresses: dict[int, tuple[str | None, str]]  # subscriber id -> (address, status)
    strikes: dict[int, StrikeFacts]
    previous: dict[int, str]  # change id -> before JSON
    withdrawn: dict[int, str] = field(default_factory=dict)  # strike id -> why not to announce


def load_context(engine: Engine, rows: Sequence[Row[Any]]) -> _Context:
    sub_ids = sorted({r.subscriber_id for r in rows})
    strike_ids = sorted({r.strike_id for r in rows if r.strike_id is not None})
    change_ids = sorted({r.strike_change_id for r in rows if r.strike_change_id is not None})
    addresses: dict[int, tuple[str | None, str]] = {}
    strikes: dict[int, StrikeFacts] = {}
    previous: dict[int, str] = {}
    withdrawn: dict[int, str] = {}
    with Session(engine) as session:
        for i in range(0, len(sub_ids), 1000):
            chunk = sub_ids[i : i + 1000]
            for sid, address, status in session.execute(
                select(SUB.c.id, SUB.c.address, SUB.c.status).where(SUB.c.id.in_(chunk))
            ):
                addresses[sid] = (address, status)
        if strike_ids:
            sources: dict[int, list[Source]] = {}
            for strike_id, url, name, title in session.execute(
                select(
                    STRIKE_SOURCE.c.strike_id,
                    ARTICLE.c.canonical_url,
                    ARTICLE.c.source_name,
                    ARTICLE.c.title,
                )
                .join(ARTICLE, ARTICLE.c.id == STRIKE_SOURCE.c.article_id)
                .where(STRIKE_SOURCE.c.strike_id.in_(strike_ids))
                .order_by(STRIKE_SOURCE.c.added_at)
            ):
                if url and all(s.url != url for s in sources.get(strike_id, [])):
                    sources.setdefault(strike_id, []).append(Source(name or title or url, url))
            for row in session.execute(select(STRIKE).where(STRIKE.c.id.in_(strike_ids))):
                strikes[row.id] = strike_facts(row, sources.get(row.id, ()))
                if row.status in OFF_STATUSES:
                    withdrawn[row.id] = f"strike {row.status} before this was sent"
                elif row.status == REJECTED or getattr(row, "held", False):
                    withdrawn[row.id] = "strike withdrawn for an operator's review"
        if change_ids:
            for cid, before in session.execute(
                select(CHANGE.c.id, CHANGE.c.before).where(CHANGE.c.id.in_(change_ids))
            ):
                previous[cid] = before
    return _Context(addresses, strikes, previous, withdrawn)


# -- jobs -----------------------------------------------------------------------------------------
@dataclass(slots=True)
class _Job:
    channel: str
    subscriber_id: int
    address: str
    row_ids: list[int]
    attempts: int
    text: str
    segments: int
    validity_seconds: int | None


@dataclass(slots=True)
class _Verdict:
    """What to write for some rows."""

    row_ids: list[int]
    status: str
    error: str | None = None
    result: DeliveryResult | None = None
    not_before: datetime | None = None
    stop_subscriber: tuple[int, str] | None = None


def _validity(
    settings: Settings, rows: Sequence[Row[Any]], strikes: Mapping[int, StrikeFacts], now: datetime
) -> int:
    """Seconds Twilio may hold the SMS: until the row expires or a reminded walkout starts."""
    seconds = float(settings.sms_validity_seconds)
    for r in rows:
        if r.expires_at is not None:
            seconds = min(seconds, (r.expires_at - now).total_seconds())
        facts = strikes.get(r.strike_id) if r.strike_id is not None else None
        if r.kind == "reminder" and facts is not None and facts.start is not None:
            seconds = min(seconds, (facts.start - now).total_seconds())
    return int(seconds)


def plan_jobs(
    settings: Settings, rows: Sequence[Row[Any]], ctx: _Context, now: datetime
) -> tuple[list[_Job], list[_Verdict]]:
    """Group claimed rows into one job per subscriber; rows that cannot go get a verdict now."""
    links = Links(settings.public_base_url)
    jobs: list[_Job] = []
    verdicts: list[_Verdict] = []
    groups: dict[tuple[int, str], list[Row[Any]]] = {}
    for r in sorted(rows, key=lambda r: r.id):
        address, status = ctx.addresses.get(r.subscriber_id, (None, "missing"))
        if not address:
            verdicts.append(_Verdict([r.id], SKIPPED, "subscriber has no address (forgotten)"))
            continue
        if r.body is not None:  # a ready-written plain-text message (replies): sent as it is
            body = html.escape(r.body, quote=False) if r.channel == "telegram" else r.body
            jobs.append(
                _Job(
                    r.channel,
                    r.subscriber_id,
                    address,
                    [r.id],
                    r.attempts,
                    body,
                    _segments(r.channel, body),
                    None,
                )
            )
            continue
        if status != "active":
            verdicts.append(_Verdict([r.id], SKIPPED, f"subscriber is {status}"))
            continue
        if r.strike_id is None or r.strike_id not in ctx.strikes:
            verdicts.append(_Verdict([r.id], DEAD, "alert row names no existing strike"))
            continue
        if r.kind != "called_off" and r.strike_id in ctx.withdrawn:
            # Fan-out withdraws these when a strike is called off; this covers the race.
            verdicts.append(_Verdict([r.id], SKIPPED, ctx.withdrawn[r.strike_id]))
            continue
        groups.setdefault((r.subscriber_id, r.channel), []).append(r)
    for (subscriber_id, channel), group in groups.items():
        address = ctx.addresses[subscriber_id][0] or ""
        alerts: list[Alert] = []
        try:
            for r in group:
                prev = previous_times(ctx.previous.get(r.strike_change_id or -1))
                alerts.append(Alert(r.kind, ctx.strikes[r.strike_id], prev))
            composed = compose_message(channel, alerts, now, links)
        except ComposeError as exc:
            verdicts.append(_Verdict([r.id for r in group], DEAD, f"cannot compose: {exc}"))
            continue
        validity: int | None = None
        if channel == "sms":
            validity = _validity(settings, group, ctx.strikes, now)
            if validity < 1:
                verdicts.append(
                    _Verdict([r.id for r in group], SKIPPED, "too late: the walkout has started")
                )
                continue
        jobs.append(
            _Job(
                channel,
                subscriber_id,
                address,
                [r.id for r in group],
                max(r.attempts for r in group),
                composed.text,
                composed.segments or 1,
                validity,
            )
        )
    return jobs, verdicts


def _segments(channel: str, text: str) -> int:
    if channel != "sms":
        return 1
    from notifier.gsm import segment_count

    return segment_count(text)


def judge(
    job: _Job, result: DeliveryResult, settings: Settings, now: datetime, rng: random.Random
) -> _Verdict:
    """What a delivery result means for the job's rows."""
    if result.outcome is Outcome.SENT:
        return _Verdict(job.row_ids, SENT, result=result)
    if result.outcome is Outcome.RETRY:
        if job.attempts >= settings.max_send_attempts:
            return _Verdict(
                job.row_ids,
                DEAD,
                f"gave up after {job.attempts} attempts: {result.error}",
                result=result,
            )
        delay = retry_delay(job.attempts, result.retry_after, rng)
        return _Verdict(
            job.row_ids,
            PENDING,
            result.error,
            result=result,
            not_before=now + timedelta(seconds=delay),
        )
    if result.outcome in (Outcome.OPTED_OUT, Outcome.INVALID_ADDRESS):
        reason = "opted_out" if result.outcome is Outcome.OPTED_OUT else "invalid_address"
        return _Verdict(
            job.row_ids,
            FAILED,
            result.error,
            result=result,
            stop_subscriber=(job.subscriber_id, reason),
        )
    return _Verdict(job.row_ids, DEAD, result.error, result=result)


def record(engine: Engine, verdicts: Iterable[_Verdict], now: datetime) -> int:
    """Write verdicts in one transaction; returns how many subscribers were stopped."""
    from subscribers.service import stop_by_id

    stopped = 0
    with Session(engine) as session:
        for v in verdicts:
            if v.status == RELEASE:  # claimed but never tried: hand back as it was
                session.execute(
                    update(OUTBOX)
                    .where(OUTBOX.c.id.in_(v.row_ids), OUTBOX.c.status == SENDING)
                    .values(
                        status=PENDING,
                        claimed_by=None,
                        claimed_at=None,
                        attempts=OUTBOX.c.attempts - 1,
                    )
                )
                continue
            values: dict[str, Any] = {"status": v.status, "error": v.error}
            if v.status == PENDING:
                values.update(claimed_by=None, not_before=v.not_before)
            if v.status == SENT and v.result is not None:
                values.update(
                    provider_message_id=v.result.provider_message_id,
                    provider_status=v.result.provider_status,
                    sent_at=now,
                    error=None,
                )
            session.execute(update(OUTBOX).where(OUTBOX.c.id.in_(v.row_ids)).values(**values))
            if v.stop_subscriber is not None:
                sid, reason = v.stop_subscriber
                if stop_by_id(session, sid, now=now, reason=reason):
                    stopped += 1
                session.execute(
                    update(OUTBOX)
                    .where(
                        OUTBOX.c.subscriber_id == sid,
                        OUTBOX.c.status == PENDING,
                        OUTBOX.c.body.is_(None),
                    )
                    .values(status=SKIPPED, error=f"subscriber stopped: {reason}")
                )
        session.commit()
    return stopped


class _Recorder:
    """Collects verdicts as sends finish and writes them in small batches off the event loop."""

    def __init__(self, engine: Engine, now: datetime, summary: DispatchSummary) -> None:
        self._engine = engine
        self._now = now
        self._summary = summary
        self._pending: list[_Verdict] = []
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._closed = False
        self._task = asyncio.create_task(self._run())

    def add(self, verdict: _Verdict) -> None:
        self._pending.append(verdict)
        if len(self._pending) >= FLUSH_EVERY_RESULTS:
            self._wake.set()

    async def flush(self) -> None:
        """Write what has finished; on a database error keep it for the next try."""
        async with self._lock:
            batch, self._pending = self._pending, []
            if not batch:
                return
            try:
                self._summary.stopped_subscribers += await asyncio.to_thread(
                    record, self._engine, batch, self._now
                )
            except Exception:
                self._pending[:0] = batch
                raise

    async def _run(self) -> None:
        while not self._closed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), FLUSH_EVERY_SECONDS)
            self._wake.clear()
            try:
                await self.flush()
            except Exception:
                log.exception("could not record send outcomes; will retry")

    async def close(self) -> None:
        """Final write. Outcomes that cannot be written after a few tries raise: the rows stay
        ``sending`` and are reclaimed after the lease (sent ones may then go twice)."""
        self._closed = True
        self._wake.set()
        await self._task
        for attempt in range(RECORD_TRIES):
            try:
                await self.flush()
                return
            except Exception:
                if attempt == RECORD_TRIES - 1:
                    raise
                log.warning("recording send outcomes failed; retrying", exc_info=True)
                await asyncio.sleep(0.5 * 2**attempt)


def _count(summary: DispatchSummary, verdict: _Verdict) -> None:
    n = len(verdict.row_ids)
    if verdict.status == SENT:
        summary.sent += n
    elif verdict.status == PENDING:
        summary.retried += n
    elif verdict.status == FAILED:
        summary.failed += n
    elif verdict.status == DEAD:
        summary.dead += n
    elif verdict.status == SKIPPED:
        summary.skipped += n


# -- the entry points -----------------------------------------------------------------------------
async def dispatch_due(
    engine: Engine,
    settings: Settings,
    now: datetime,
    *,
    worker_id: str,
    limit: int = DEFAULT_LIMIT,
    channels: ChannelMap | None = None,
    limiter: SendRateLimiter | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    lease: timedelta = LEASE,
    rng: random.Random | None = None,
    stop: asyncio.Event | None = None,
) -> DispatchSummary:
    """One pass: claim due rows (up to ``limit`` per channel), send them, record the outcomes.

    ``channels`` and ``limiter`` are shared across passes by :func:`run_dispatch_loop`; when not
    given, channels come from the registry and are closed before returning. Once ``stop`` is
    set, claimed messages not yet handed to a provider are put back untried.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    summary = DispatchSummary()
    rng = rng or random.Random()
    limiter = limiter or SendRateLimiter(settings)
    summary.reclaimed, summary.expired, skipped = await asyncio.to_thread(
        housekeep, engine, now, lease
    )
    summary.skipped += skipped
    own: dict[str, Channel] = {}
    try:
        await asyncio.gather(
            *(
                _dispatch_channel(
                    engine,
                    settings,
                    now,
                    name,
                    worker_id=worker_id,
                    limit=limit,
                    channels=channels,
                    own=own,
                    limiter=limiter,
                    concurrency=concurrency,
                    summary=summary,
                    rng=rng,
                    stop=stop,
                )
                for name in ("sms", "telegram")
            )
        )
    finally:
        for channel in own.values():
            await channel.aclose()
    if summary.claimed:
        log.info("dispatch pass", extra={"worker": worker_id, **summary.as_dict()})
    return summary


async def _dispatch_channel(
    engine: Engine,
    settings: Settings,
    now: datetime,
    name: str,
    *,
    worker_id: str,
    limit: int,
    channels: ChannelMap | None,
    own: dict[str, Channel],
    limiter: SendRateLimiter,
    concurrency: int,
    summary: DispatchSummary,
    rng: random.Random,
    stop: asyncio.Event | None = None,
) -> None:
    rows = await asyncio.to_thread(
        claim_due, engine, now, worker_id, name, claim_limit(settings, name, limit)
    )
    if not rows:
        return
    summary.claimed += len(rows)
    ctx = await asyncio.to_thread(load_context, engine, rows)
    jobs, verdicts = plan_jobs(settings, rows, ctx, now)
    if channels is not None and name in channels:
        channel = channels[name]
    else:
        from notifier.channels.registry import get_channel

        channel = own.setdefault(name, get_channel(settings, name))
    recorder = _Recorder(engine, now, summary)
    for v in verdicts:
        _count(summary, v)
        recorder.add(v)
    gate = asyncio.Semaphore(concurrency)

    async def deliver(job: _Job) -> None:
        async with gate:
            if not await _capacity_or_stop(limiter, job, stop):
                summary.released += len(job.row_ids)
                recorder.add(_Verdict(job.row_ids, RELEASE))
                return
            result = await channel.send(
                job.address, job.text, validity_seconds=job.validity_seconds
            )
        if result.outcome is Outcome.RETRY and result.retry_after:
            if job.channel == "sms":
                limiter.pause_channel("sms", result.retry_after)  # Twilio's 429 is account-wide
            elif job.channel == "telegram":
                limiter.telegram_flood(result.retry_after)
        verdict = judge(job, result, settings, now, rng)
        summary.messages += 1
        summary.by_channel[job.channel] = summary.by_channel.get(job.channel, 0) + 1
        if verdict.status == SENT:
            summary.segments += job.segments
        _count(summary, verdict)
        recorder.add(verdict)

    try:
        await asyncio.gather(*(deliver(job) for job in jobs))
    finally:
        await recorder.close()


async def _capacity_or_stop(
    limiter: SendRateLimiter, job: _Job, stop: asyncio.Event | None
) -> bool:
    """Wait for the rate limiter; False if the worker is told to stop first."""
    if stop is None:
        await limiter.acquire(job.channel, job.address, job.segments)
        return True
    if stop.is_set():
        return False
    acquire = asyncio.ensure_future(limiter.acquire(job.channel, job.address, job.segments))
    stopped = asyncio.ensure_future(stop.wait())
    done, _ = await asyncio.wait({acquire, stopped}, return_when=asyncio.FIRST_COMPLETED)
    if acquire in done:
        stopped.cancel()
        return True
    acquire.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await acquire
    return False


async def run_dispatch_loop(
    engine: Engine,
    settings: Settings,
    *,
    worker_id: str,
    stop: asyncio.Event,
    clock: Callable[[], datetime] = utcnow,
    idle_seconds: float = 1.0,
    limit: int = DEFAULT_LIMIT,
    channels: ChannelMap | None = None,
    on_pass: Callable[[DispatchSummary], None] | None = None,
    lanes: int = 2,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> DispatchSummary:
    """Dispatch until ``stop`` is set; one channel set and one limiter for the whole run.

    ``lanes`` passes run side by side: while one claims and composes its next batch, the other
    keeps the channel busy, so the configured rate holds across batch boundaries. Claims are
    atomic, so lanes never share a row; the shared limiter keeps their sum within the limits.
    """
    from notifier.channels.registry import get_channel

    own = {} if channels is not None else {n: get_channel(settings, n) for n in ("sms", "telegram")}
    use: ChannelMap = channels if channels is not None else own
    limiter = SendRateLimiter(settings)
    total = DispatchSummary()

    async def lane(number: int) -> None:
        while not stop.is_set():
            try:
                summary = await dispatch_due(
                    engine,
                    settings,
                    clock(),
                    worker_id=worker_id,
                    limit=limit,
                    channels=use,
                    limiter=limiter,
                    stop=stop,
                    concurrency=concurrency,
                )
            except Exception:
                log.exception(
                    "dispatch pass failed; retrying", extra={"worker": worker_id, "lane": number}
                )
                summary = DispatchSummary(claimed=0)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), idle_seconds)
            total.add(summary)
            if on_pass is not None:
                on_pass(summary)
            if summary.claimed == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), idle_seconds)

    try:
        await asyncio.gather(*(lane(i) for i in range(max(1, lanes))))
    finally:
        for channel in own.values():
            await channel.aclose()
    return total
