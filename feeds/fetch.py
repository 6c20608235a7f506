"""Polite HTTP retrieval: bounded concurrency, timeouts, size cap, validators, robots.txt.

One :class:`Fetcher` serves one poll cycle. Every request, whether for a feed, a news page, an
article page or robots.txt, goes through :meth:`Fetcher.get` so the same limits apply to all.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
import weakref
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from config.settings import Settings

log = logging.getLogger(__name__)

MAX_REDIRECTS = 5
PRODUCT_TOKEN = "strike-alerts"
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
HTML_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
ROBOTS_MAX_BYTES = 500_000
ROBOTS_TTL_S = 6 * 3600
ROBOTS_RETRY_S = 600
# Per event loop (asyncio primitives belong to one loop): host -> its concurrency slots.
_HOST_SLOTS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Semaphore]] = (
    weakref.WeakKeyDictionary()
)
# Process-wide: origin -> (expires at, monotonic clock; rules, or None when unreachable).
_ROBOTS_CACHE: dict[str, tuple[float, RobotFileParser | None]] = {}
# Retry-After beyond this is treated as this: a typo in a header must not silence a feed for months.
MAX_RETRY_AFTER_S = 24 * 3600
# A cache lifetime longer than this does not push a source's next poll further out.
MAX_CACHE_AGE_S = 6 * 3600
_MAX_AGE = re.compile(r"(?:^|[,\s])max-age\s*=\s*\"?(\d+)", re.IGNORECASE)


class FetchError(Exception):
    """A request that produced no usable body; ``str()`` is the operator-facing reason."""

    def __init__(
        self, message: str, *, status: int | None = None, retry_after_s: float | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after_s = retry_after_s


@dataclass(slots=True)
class FetchResult:
    url: str  # after redirects
    status: int
    body: bytes
    content_type: str | None
    etag: str | None
    last_modified: str | None
    max_age_s: float | None = None  # Cache-Control max-age: the publisher's "not before"

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def user_agent(settings: Settings) -> str:
    return f"{PRODUCT_TOKEN}/0.1 (+{settings.contact_url})"


def parse_max_age(cache_control: str | None) -> float | None:
    """Seconds from ``Cache-Control: max-age=N`` (capped like Retry-After), else None."""
    if not cache_control:
        return None
    m = _MAX_AGE.search(cache_control)
    if m is None or "no-cache" in cache_control.lower():
        return None
    return float(min(int(m.group(1)), MAX_CACHE_AGE_S))


def parse_retry_after(value: str | None, server_date: str | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(min(int(value), MAX_RETRY_AFTER_S))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    base: datetime | None = None
    if server_date:
        try:
            base = parsedate_to_datetime(server_date)
        except (TypeError, ValueError):
            base = None
    if base is None or base.tzinfo is None:
        base = datetime.now(UTC)  # edge: the HTTP layer has no "now" of its own
    return float(min(max((when - base).total_seconds(), 0.0), MAX_RETRY_AFTER_S))


async def _read_capped(response: httpx.Response, cap: int) -> bytes:
    """The decoded body, aborting once it passes ``cap`` bytes.

    Decompression is done here, never more than ``cap`` bytes at a time, so a small gzip bomb
    cannot inflate to gigabytes in one chunk before the size check runs.
    """
    coding = response.headers.get("content-encoding", "").strip().lower()
    inflater: Any = None
    if coding in ("gzip", "x-gzip", "deflate"):
        inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS | 32)  # gzip or zlib header
    elif coding not in ("", "identity"):
        raise FetchError(f"unsupported content encoding {coding!r}")
    body = bytearray()
    try:
        async for raw in response.aiter_raw():
            if inflater is None:
                body += raw
            else:
                body += inflater.decompress(raw, cap + 1 - len(body))
                if inflater.unconsumed_tail:  # more output than the cap allows
                    body += b"x"
            if len(body) > cap:
                raise FetchError(f"response exceeded the {cap:,}-byte limit; aborted")
        if inflater is not None:
            body += inflater.flush()
    except zlib.error as exc:
        raise FetchError(f"cannot decode {coding} response: {exc}") from None
    if len(body) > cap:
        raise FetchError(f"response exceeded the {cap:,}-byte limit; aborted")
    return bytes(body)


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


class Fetcher:
    """An httpx client with the service's politeness rules, used for one cycle."""

    def __init__(self, settings: Settings, *, max_bytes: int | None = None) -> None:
        self.settings = settings
        self.max_bytes = max_bytes or settings.poll_max_bytes
        total = settings.poll_timeout_seconds
        self.total_timeout = total
        timeout = httpx.Timeout(
            connect=min(10.0, total),
            read=min(15.0, total),
            write=min(10.0, total),
            pool=None,
        )
        self._client = httpx.AsyncClient(
            # gzip and deflate only: they can be inflated a bounded piece at a time (see
            # _read_capped); a brotli decoder cannot be told to stop.
            headers={"User-Agent": user_agent(settings), "Accept-Encoding": "gzip, deflate"},
            timeout=timeout,
            follow_redirects=True,
            max_redirects=MAX_REDIRECTS,
            limits=httpx.Limits(
                max_connections=settings.poll_concurrency,
                max_keepalive_connections=settings.poll_concurrency,
            ),
            trust_env=False,
        )
        self._global = asyncio.Semaphore(settings.poll_concurrency)
        self._robots_locks: dict[str, asyncio.Lock] = {}

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    def _host_slot(self, url: str) -> asyncio.Semaphore:
        """The host's slots, shared by every cycle on this event loop.

        The worker may run several small cycles at once (one job per source); sharing the
        per-host limit keeps them from hitting one publisher with more than its share.
        """
        per_host = _HOST_SLOTS.setdefault(asyncio.get_running_loop(), {})
        host = _host(url)
        slot = per_host.get(host)
        if slot is None:
            slot = per_host[host] = asyncio.Semaphore(self.settings.poll_per_host)
        return slot

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str = FEED_ACCEPT,
        max_bytes: int | None = None,
    ) -> FetchResult:
        """GET ``url`` within every limit; a 304 returns an empty body, errors raise FetchError."""
        if urlsplit(url).scheme not in {"http", "https"}:
            raise FetchError(f"not an http(s) URL: {url}")
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        cap = max_bytes or self.max_bytes
        # Host slot before the global one, so queueing for a busy host holds no global slot.
        async with self._host_slot(url), self._global:
            try:
                async with asyncio.timeout(self.total_timeout):
                    return await self._get(url, headers, cap)
            except TimeoutError:
                raise FetchError(
                    f"no complete response within {self.total_timeout:g} s (server too slow)"
                ) from None
            except httpx.TooManyRedirects:
                raise FetchError(
                    f"more than {MAX_REDIRECTS} redirects (a redirect loop?)"
                ) from None
            except httpx.ConnectTimeout:
                raise FetchError("connection timed out") from None
            except httpx.ReadTimeout:
                raise FetchError("server stopped sending (read timed out)") from None
            except httpx.ConnectError as exc:
                raise FetchError(f"cannot connect: {exc}") from None
            except httpx.DecodingError as exc:
                raise FetchError(f"cannot decode compressed response: {exc}") from None
            except httpx.HTTPError as exc:
                raise FetchError(f"{type(exc).__name__}: {exc}") from None

    async def _get(self, url: str, headers: dict[str, str], cap: int) -> FetchResult:
        async with self._client.stream("GET", url, headers=headers) as response:
            status = response.status_code
            if status == 304:
                return FetchResult(
                    url=str(response.url),
                    status=304,
                    body=b"",
                    content_type=response.headers.get("content-type"),
                    etag=response.headers.get("etag"),
                    last_modified=response.headers.get("last-modified"),
                    max_age_s=parse_max_age(response.headers.get("cache-control")),
                )
            if status >= 400:
                retry_after = None
                if status in (429, 503):
                    retry_after = parse_retry_after(
                        response.headers.get("retry-after"), response.headers.get("date")
                    )
                raise FetchError(
                    f"HTTP {status} {response.reason_phrase}".strip(),
                    status=status,
                    retry_after_s=retry_after,
                )
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > cap:
                raise FetchError(
                    f"response is {int(declared):,} bytes, over the {cap:,}-byte limit"
                )
            body = await _read_capped(response, cap)
            return FetchResult(
                url=str(response.url),
                status=status,
                body=body,
                content_type=response.headers.get("content-type"),
                etag=response.headers.get("etag"),
                last_modified=response.headers.get("last-modified"),
                max_age_s=parse_max_age(response.headers.get("cache-control")),
            )

    async def allowed_by_robots(self, url: str) -> bool:
        """RFC 9309: 4xx means no rules; an unreachable robots.txt (5xx, network) means keep off.

        Rules are kept for six hours (an unreachable file for ten minutes) across cycles, since
        a worker polls each source in its own small cycle.
        """
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}".lower()
        cached = _ROBOTS_CACHE.get(origin)
        if cached is None or cached[0] < time.monotonic():
            lock = self._robots_locks.setdefault(origin, asyncio.Lock())
            async with lock:
                cached = _ROBOTS_CACHE.get(origin)
                if cached is None or cached[0] < time.monotonic():
                    rules = await self._load_robots(origin)
                    ttl = ROBOTS_TTL_S if rules is not None else ROBOTS_RETRY_S
                    cached = _ROBOTS_CACHE[origin] = (time.monotonic() + ttl, rules)
        rules = cached[1]
        if rules is None:
            return False
        return rules.can_fetch(PRODUCT_TOKEN, url)

    async def _load_robots(self, origin: str) -> RobotFileParser | None:
        rules = RobotFileParser()
        try:
            result = await self.get(
                f"{origin}/robots.txt", accept="text/plain, */*;q=0.5", max_bytes=ROBOTS_MAX_BYTES
            )
        except FetchError as exc:
            if exc.status is not None and 400 <= exc.status < 500:
                rules.parse([])  # no robots.txt: everything allowed
                return rules
            log.info("robots.txt unreachable", extra={"origin": origin, "error": str(exc)})
            return None
        rules.parse(result.body.decode("utf-8", errors="replace").splitlines())
        return rules
