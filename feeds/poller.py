"""One poll cycle: fetch every due source concurrently, store new and changed articles.

Each source is handled by its own task that never raises, so one broken, slow or hostile source
cannot delay or spoil the others. A source's articles and its polling state are committed in the
same transaction, shortly after it finishes (sources finishing together share one): nothing is
half-written and a crash mid-cycle loses only unfinished work. ``now`` drives every scheduling
decision (next poll, backoff); the HTTP layer is real.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import random
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from config.settings import Settings
from feeds.articles import Candidate, canonical_url, content_hash, store_candidates, unseen
from feeds.extract import extract_article
from feeds.fetch import HTML_ACCEPT, Fetcher, FetchError
from feeds.identity import FeedCandidates, feed_candidates
from feeds.models import Feed
from feeds.pages import PageError, article_links, discover_feed, mark_seen, unseen_links
from feeds.parse import FeedRejected
from feeds.prefilter import mentions_dates

log = logging.getLogger(__name__)

UNHEALTHY_AFTER = 3  # consecutive failures
MAX_BACKOFF = timedelta(hours=12)
SUCCESS_JITTER = 0.1  # +-10% of the interval, so sources on one host drift apart
MAX_PAGE_ARTICLES_PER_CYCLE = 20
MAX_ENRICH_PER_FEED = 10
SUMMARY_CHARS = 600
# A cycle with at least this many sources parses in worker processes (when configured).
POOL_MIN_SOURCES = 40
WRITE_BATCH = 100
ANALYZE_FIRST_AT_ROWS = 2000

Progress = Callable[[int, int, "FeedResult"], None]
_FEED = Feed.__table__  # type: ignore[attr-defined]


def next_poll_at(
    now: datetime,
    interval_s: int,
    consecutive_failures: int = 0,
    *,
    retry_after_s: float | None = None,
    rng: random.Random | None = None,
) -> datetime:
    """When to poll a source next: interval with jitter, or exponential backoff after failures.

    Pure: the caller supplies ``now`` and, for reproducible schedules, ``rng``. Backoff doubles per
    consecutive failure up to 12 hours (or the interval, if longer) and takes a random point in the
    upper half of that delay so failing sources do not retry in lock-step. A server's Retry-After
    is a floor.
    """
    rng = rng or random.Random()
    interval = float(max(interval_s, 1))
    if consecutive_failures <= 0:
        delay = interval * (1 + rng.uniform(-SUCCESS_JITTER, SUCCESS_JITTER))
    else:
        ceiling = max(MAX_BACKOFF.total_seconds(), interval)
        full = min(interval * 2 ** min(consecutive_failures, 30), ceiling)
        delay = full * rng.uniform(0.5, 1.0)
    if retry_after_s is not None:
        delay = max(delay, retry_after_s)
    return now + timedelta(seconds=delay)


@dataclass(slots=True)
class FeedResult:
    feed_id: str
    status: str  # fetched | not_modified | failed
    entries: int = 0
    new_articles: int = 0
    revised_articles: int = 0
    strike_candidates: int = 0
    error: str | None = None
    warning: str | None = None
    next_poll_at: datetime | None = None
    article_ids: list[int] = field(default_factory=list)


@dataclass(slots=True)
class PollSummary:
    fetched: int = 0
    not_modified: int = 0
    failed: int = 0
    new_articles: int = 0
    strike_candidates: int = 0
    article_ids: list[int] = field(default_factory=list)
    results: list[FeedResult] = field(default_factory=list)

    def add(self, r: FeedResult) -> None:
        self.results.append(r)
        if r.status == "fetched":
            self.fetched += 1
        elif r.status == "not_modified":
            self.not_modified += 1
        else:
            self.failed += 1
        self.new_articles += r.new_articles
        self.strike_candidates += r.strike_candidates
        self.article_ids.extend(r.article_ids)

    def as_dict(self) -> dict[str, int]:
        return {
            "fetched": self.fetched,
            "not_modified": self.not_modified,
            "failed": self.failed,
            "new_articles": self.new_articles,
            "strike_candidates": self.strike_candidates,
        }


@dataclass(slots=True)
class _Source:
    """A detached copy of the Feed row: tasks never share ORM objects across awaits."""

    id: str
    name: str
    url: str
    source_type: str
    interval_s: int
    etag: str | None
    last_modified: str | None
    discovered_feed_url: str | None
    link_pattern: str | None
    consecutive_failures: int
    last_entry_count: int | None

    @classmethod
    def of(cls, f: Feed) -> _Source:
        return cls(
            id=f.id,
            name=f.name,
            url=f.url,
            source_type=f.source_type,
            interval_s=f.poll_interval_s,
            etag=f.etag,
            last_modified=f.last_modified,
            discovered_feed_url=f.discovered_feed_url,
            link_pattern=f.link_pattern,
            consecutive_failures=f.consecutive_failures,
            last_entry_count=f.last_entry_count,
        )


@dataclass(slots=True)
class _Outcome:
    """What one source's fetch produced, before it is written."""

    status: str
    candidates: list[Candidate] = field(default_factory=list)
    entries: int = 0
    etag: str | None = None
    last_modified: str | None = None
    http_status: int | None = None
    warning: str | None = None
    discovered_feed_url: str | None = None
    clear_discovered: bool = False
    seen_links: list[str] = field(default_factory=list)
    max_age_s: float | None = None


class _Failure(Exception):
    def __init__(
        self,
        message: str,
        *,
        http_status: int | None = None,
        retry_after_s: float | None = None,
        clear_discovered: bool = False,
    ) -> None:
        super().__init__(message)
        self.http_status = http_status
        self.retry_after_s = retry_after_s
        self.clear_discovered = clear_discovered


def _due_feeds(
    engine: Engine, now: datetime, only_due: bool, feed_ids: Sequence[str] | None
) -> list[_Source]:
    with Session(engine) as session:
        query = select(Feed).where(col(Feed.enabled).is_(True))
        if only_due:
            query = query.where(
                or_(col(Feed.next_poll_at).is_(None), col(Feed.next_poll_at) <= now)
            )
        if feed_ids is not None:
            query = query.where(col(Feed.id).in_(list(feed_ids)))
        return [_Source.of(f) for f in session.scalars(query.order_by(col(Feed.id)))]


class _Cycle:
    def __init__(self, engine: Engine, settings: Settings, now: datetime, sources: int) -> None:
        self.engine = engine
        self.settings = settings
        self.now = now
        self.fetcher = Fetcher(settings)
        self.rng = random.Random()
        self._use_pool = settings.poll_parse_workers > 0 and sources >= POOL_MIN_SOURCES
        self._pool: ProcessPoolExecutor | None = None
        self._pending: list[tuple[_Source, _Outcome | _Failure, asyncio.Future[FeedResult]]] = []
        self._writing = False
        self._inserted = 0
        self._analyze_at = ANALYZE_FIRST_AT_ROWS
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="poll-writer")

    async def _parse(self, body: bytes, content_type: str | None, url: str) -> FeedCandidates:
        """Parse in a worker process on big cycles (feedparser is pure Python), else inline."""
        if self._use_pool:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=self.settings.poll_parse_workers,
                    mp_context=multiprocessing.get_context("spawn"),
                )
            loop = asyncio.get_running_loop()
            try:
                return await loop.run_in_executor(
                    self._pool, feed_candidates, body, content_type, self.now, url
                )
            except BrokenProcessPool:
                log.error("feed parser processes died; parsing in-process for this cycle")
                self._use_pool = False
        return feed_candidates(body, content_type, self.now, url)

    async def aclose(self) -> None:
        await self.fetcher.aclose()
        self._writer.shutdown(wait=True)
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    # -- fetching -------------------------------------------------------------------------

    async def _fetch(self, url: str, **kwargs: Any) -> Any:
        try:
            return await self.fetcher.get(url, **kwargs)
        except FetchError as exc:
            raise _Failure(
                str(exc), http_status=exc.status, retry_after_s=exc.retry_after_s
            ) from None

    async def _read_feed(self, src: _Source, url: str, *, conditional: bool) -> _Outcome:
        result = await self._fetch(
            url,
            etag=src.etag if conditional else None,
            last_modified=src.last_modified if conditional else None,
        )
        if result.not_modified:
            return _Outcome(
                "not_modified",
                http_status=304,
                etag=result.etag or src.etag,
                last_modified=result.last_modified or src.last_modified,
                max_age_s=result.max_age_s,
            )
        try:
            parsed = await self._parse(result.body, result.content_type, url)
        except FeedRejected as exc:
            message = str(exc)
            advertised = discover_feed(result.body, result.url) if "HTML" in message else None
            if advertised:
                message += f"; the page advertises a feed at {advertised}"
            raise _Failure(message, http_status=result.status) from None
        candidates = parsed.candidates
        warning = parsed.warning
        if not parsed.entries and (src.last_entry_count or 0) > 0:
            warning = (
                f"feed returned no entries (it had {src.last_entry_count} last time); "
                "its stored articles are kept"
            )
        await self._enrich(candidates)
        return _Outcome(
            "fetched",
            candidates=candidates,
            entries=parsed.entries,
            etag=result.etag,
            last_modified=result.last_modified,
            http_status=result.status,
            warning=warning,
            max_age_s=result.max_age_s,
        )

    async def _enrich(self, candidates: list[Candidate]) -> None:
        """Fetch the article page for strike-looking entries whose summary holds no dates."""
        wanted = [c for c in candidates if c.link and c.strike and not mentions_dates(c.summary)]
        if not wanted:
            return
        with Session(self.engine) as session:
            wanted = unseen(session, wanted)[:MAX_ENRICH_PER_FEED]
        await asyncio.gather(*(self._enrich_one(c) for c in wanted))

    async def _enrich_one(self, c: Candidate) -> None:
        assert c.link is not None
        try:
            if not await self.fetcher.allowed_by_robots(c.link):
                return
            page = await self.fetcher.get(c.link, accept=HTML_ACCEPT)
        except FetchError as exc:
            log.info("article page not fetched", extra={"url": c.link, "error": str(exc)})
            return
        article = await asyncio.to_thread(extract_article, page.body, url=page.url)
        if article is not None and len(article.text) > len(c.summary):
            c.text, c.text_source, c.text_url = article.text, "extracted", page.url
            c.refresh_strike()

    async def _read_page(self, src: _Source) -> _Outcome:
        if not await self.fetcher.allowed_by_robots(src.url):
            raise _Failure("robots.txt disallows this page for our user agent")
        page = await self._fetch(
            src.url, accept=HTML_ACCEPT, etag=src.etag, last_modified=src.last_modified
        )
        if page.not_modified:
            return _Outcome(
                "not_modified",
                http_status=304,
                etag=page.etag or src.etag,
                last_modified=page.last_modified or src.last_modified,
                max_age_s=page.max_age_s,
            )
        feed_url = discover_feed(page.body, page.url)
        if feed_url and canonical_url(feed_url) != canonical_url(src.url):
            outcome = await self._read_feed(src, feed_url, conditional=False)
            outcome.discovered_feed_url = feed_url
            return outcome
        try:
            links = article_links(page.body, page.url, link_pattern=src.link_pattern)
        except PageError as exc:
            raise _Failure(str(exc), http_status=page.status) from None
        with Session(self.engine) as session:
            unseen_all = unseen_links(session, src.id, links)
        fresh = unseen_all[:MAX_PAGE_ARTICLES_PER_CYCLE]
        results = await asyncio.gather(*(self._read_article(link) for link in fresh))
        outcome = _Outcome(
            "fetched",
            entries=len(links),
            etag=page.etag,
            last_modified=page.last_modified,
            http_status=page.status,
            max_age_s=page.max_age_s,
        )
        for link, (candidate, done) in zip(fresh, results, strict=True):
            if candidate is not None:
                outcome.candidates.append(candidate)
            if done:
                outcome.seen_links.append(link)
        if len(outcome.seen_links) < len(unseen_all):
            # Articles left for the next cycle: poll the listing unconditionally then, or a 304
            # would hide them until the page changes.
            outcome.etag = outcome.last_modified = None
        if not links and (src.last_entry_count or 0) > 0:
            outcome.warning = "page lists no article links any more (has its layout changed?)"
        return outcome

    async def _read_article(self, url: str) -> tuple[Candidate | None, bool]:
        """The article at ``url`` and whether the link is finished with (not worth retrying)."""
        try:
            if not await self.fetcher.allowed_by_robots(url):
                return None, True
            page = await self.fetcher.get(url, accept=HTML_ACCEPT)
        except FetchError as exc:
            permanent = exc.status is not None and 400 <= exc.status < 500 and exc.status != 429
            return None, permanent
        article = await asyncio.to_thread(extract_article, page.body, url=page.url)
        if article is None:
            return None, True
        link = canonical_url(url) or url
        title = article.title or article.text.split("\n", 1)[0][:200]
        published = article.published_at
        if published is not None and published > self.now + timedelta(days=1):
            published = None
        candidate = Candidate(
            identity=f"url:{link}",
            canonical_url=link,
            title=title,
            summary=article.text[:SUMMARY_CHARS],
            published_at=published,
            content_hash=content_hash(title, article.text),
            link=url,
            text=article.text,
            text_source="page",
            text_url=page.url,
        )
        candidate.refresh_strike()
        return candidate, True

    # -- one source -----------------------------------------------------------------------

    async def poll_one(self, src: _Source) -> FeedResult:
        outcome: _Outcome | _Failure
        try:
            if src.source_type == "page" and not src.discovered_feed_url:
                outcome = await self._read_page(src)
            elif src.source_type == "page":
                try:
                    outcome = await self._read_feed(
                        src, src.discovered_feed_url or src.url, conditional=True
                    )
                except _Failure as exc:
                    exc.clear_discovered = True  # read the page itself next time
                    raise
            else:
                outcome = await self._read_feed(src, src.url, conditional=True)
        except _Failure as exc:
            outcome = exc
        except Exception as exc:  # a bug must not stop the other sources
            log.exception("unexpected error polling a source", extra={"feed_id": src.id})
            outcome = _Failure(f"internal error: {type(exc).__name__}: {exc}")
        return await self._submit(src, outcome)

    # -- writing --------------------------------------------------------------------------
    #
    # One writer thread stores results while the event loop keeps fetching and parsing. Results
    # that arrive during a write are stored together by the next one, one transaction per batch,
    # so a slow database gets bigger batches rather than a longer queue of commits. A batch that
    # hits a conflict is retried source by source.

    async def _submit(self, src: _Source, outcome: _Outcome | _Failure) -> FeedResult:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[FeedResult] = loop.create_future()
        self._pending.append((src, outcome, future))
        if not self._writing:
            self._start_write(loop)
        return await future

    def _start_write(self, loop: asyncio.AbstractEventLoop) -> None:
        batch, self._pending = self._pending[:WRITE_BATCH], self._pending[WRITE_BATCH:]
        if not batch:
            return
        self._writing = True
        done = loop.run_in_executor(self._writer, self._write_batch, [(s, o) for s, o, _ in batch])

        def finished(f: asyncio.Future[list[FeedResult]]) -> None:
            self._writing = False
            exc = f.exception()
            for i, (_, _, future) in enumerate(batch):
                if future.done():
                    continue
                if exc is not None:  # the database itself failed: every waiter hears it
                    future.set_exception(exc)
                else:
                    future.set_result(f.result()[i])
            if self._pending:
                self._start_write(loop)

        done.add_done_callback(finished)

    def _write_batch(self, batch: list[tuple[_Source, _Outcome | _Failure]]) -> list[FeedResult]:
        try:
            with Session(self.engine, expire_on_commit=False) as session:
                results = [self._write(session, src, out) for src, out in batch]
                session.commit()
        except IntegrityError:
            results = [self._write_alone(src, out) for src, out in batch]
        self._refresh_statistics(sum(len(r.article_ids) for r in results))
        return results

    def _refresh_statistics(self, inserted: int) -> None:
        """Keep PostgreSQL's row estimates current while a cold cycle fills an empty table.

        With the statistics of an empty table the planner answers the identity look-ups with
        sequential scans, which makes a first load quadratic; autovacuum is too slow to notice.
        """
        if self.engine.dialect.name != "postgresql":
            return
        self._inserted += inserted
        # At 2,000 rows, then each time the cycle has doubled what it had inserted.
        if self._inserted >= self._analyze_at:
            self._analyze_at = 2 * self._inserted
            with self.engine.begin() as conn:
                conn.execute(text("ANALYZE article"))

    def _write_alone(self, src: _Source, out: _Outcome | _Failure) -> FeedResult:
        try:
            with Session(self.engine, expire_on_commit=False) as session:
                result = self._write(session, src, out)
                session.commit()
                return result
        except IntegrityError as exc:
            log.warning(
                "concurrent write; will retry next cycle",
                extra={"feed_id": src.id, "error": str(exc.orig)},
            )
        conflict = _Failure("another poller stored the same articles; retrying next cycle")
        with Session(self.engine) as session:
            result = self._write(session, src, conflict)
            session.commit()
        return result

    def _write(self, session: Session, src: _Source, out: _Outcome | _Failure) -> FeedResult:
        if isinstance(out, _Failure):
            return self._write_failure(session, src, out)
        return self._write_success(session, src, out)

    def _write_success(self, session: Session, src: _Source, out: _Outcome) -> FeedResult:
        result = FeedResult(
            feed_id=src.id, status=out.status, entries=out.entries, warning=out.warning
        )
        if out.candidates:
            stored = store_candidates(
                session, out.candidates, feed_id=src.id, source_name=src.name, now=self.now
            )
            result.new_articles = len(stored.new_ids)
            result.revised_articles = len(stored.revised_ids)
            result.strike_candidates = stored.strike_candidates
            result.article_ids = stored.article_ids
        if out.seen_links:
            mark_seen(session, src.id, out.seen_links, self.now)
        # The publisher's Cache-Control max-age is a floor, as Retry-After is after a failure.
        result.next_poll_at = next_poll_at(
            self.now, src.interval_s, 0, retry_after_s=out.max_age_s, rng=self.rng
        )
        values: dict[str, Any] = {
            "last_polled_at": self.now,
            "last_success_at": self.now,
            "last_status": out.http_status,
            "last_error": None,
            "consecutive_failures": 0,
            "healthy": True,
            "next_poll_at": result.next_poll_at,
        }
        if out.status == "fetched":
            values.update(
                etag=out.etag,
                last_modified=out.last_modified,
                last_entry_count=out.entries,
                last_warning=out.warning,
            )
            if out.discovered_feed_url:
                values["discovered_feed_url"] = out.discovered_feed_url
        session.execute(update(_FEED).where(_FEED.c.id == src.id).values(**values))
        return result

    def _write_failure(self, session: Session, src: _Source, exc: _Failure) -> FeedResult:
        failures = src.consecutive_failures + 1
        when = next_poll_at(
            self.now, src.interval_s, failures, retry_after_s=exc.retry_after_s, rng=self.rng
        )
        log.warning(
            "source failed",
            extra={
                "feed_id": src.id,
                "error": str(exc),
                "failures": failures,
                "next_poll_at": when.isoformat(),
            },
        )
        values: dict[str, Any] = {
            "last_polled_at": self.now,
            "last_error": str(exc)[:2000],
            "last_status": exc.http_status,
            "consecutive_failures": failures,
            "healthy": failures < UNHEALTHY_AFTER,
            "next_poll_at": when,
        }
        if exc.clear_discovered:
            values.update(discovered_feed_url=None, etag=None, last_modified=None)
        session.execute(update(_FEED).where(_FEED.c.id == src.id).values(**values))
        return FeedResult(feed_id=src.id, status="failed", error=str(exc), next_poll_at=when)


async def poll_feeds(
    engine: Engine,
    settings: Settings,
    now: datetime,
    *,
    only_due: bool = True,
    feed_ids: list[str] | None = None,
    progress: Progress | None = None,
) -> PollSummary:
    """Poll enabled sources (only those due at ``now`` unless ``only_due`` is false).

    Returns the counts and the ids of new or changed article revisions, for detection.
    """
    sources = _due_feeds(engine, now, only_due, feed_ids)
    summary = PollSummary()
    if not sources:
        return summary
    cycle = _Cycle(engine, settings, now, len(sources))
    try:
        total = len(sources)
        for done, task in enumerate(asyncio.as_completed([cycle.poll_one(s) for s in sources]), 1):
            result = await task
            summary.add(result)
            if progress is not None:
                progress(done, total, result)
    finally:
        await cycle.aclose()
    summary.results.sort(key=lambda r: r.feed_id)
    return summary
