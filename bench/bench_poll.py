"""Feed polling benchmark: N feeds of M entries served over real HTTP from 127.0.0.1.

Measures a cold cycle (every entry new: fetch, parse, de-duplicate, store), a warm cycle (every
feed answers 304 Not Modified) and the poller's peak resident memory. The server runs in its own
process so its CPU and memory are not counted as the poller's.

    .venv/bin/python bench/bench_poll.py [--feeds 500] [--entries 50] [--db URL]

Targets: cold <= 10 s, warm <= 2 s, peak memory <= 250 MB for 500 x 50.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import resource
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGETS = {"cold_s": 10.0, "warm_s": 2.0, "peak_mb": 250.0}


def _feed_body(feed: int, entries: int) -> bytes:
    from tests.fakes.feed_server import rss

    items = []
    for n in range(entries):
        strike = n % 10 == 0
        title = (
            f"Staff at trust {feed} to strike on Tuesday 8 December"
            if strike
            else f"Local story {n} from feed {feed}: council agrees new budget"
        )
        items.append(
            {
                "title": title,
                "link": f"https://news{feed % 40}.example.org/news/story-{feed}-{n}?utm_source=rss",
                "guid": f"https://news{feed % 40}.example.org/news/story-{feed}-{n}",
                "pubDate": "Mon, 23 Nov 2026 08:00:00 GMT",
                "description": (
                    f"<p>Paragraph one of story {n}. Councillors met on Monday to discuss plans "
                    "for the town centre, including new cycle lanes and changes to parking charges "
                    "that residents have campaigned against for several years.</p>"
                ),
            }
        )
    return rss(items, title=f"Feed {feed}")


def _serve(feeds: int, entries: int, ready: multiprocessing.queues.Queue) -> None:
    from tests.fakes.feed_server import FeedServer, Route

    server = FeedServer()
    for f in range(feeds):
        server.route(f"/feed/{f}.xml", Route(body=_feed_body(f, entries), etag=f'"f{f}-v1"'))
    server.__enter__()
    ready.put(server.base_url)
    try:
        while True:
            time.sleep(3600)
    finally:
        server.close()


class MemorySampler:
    """Peak of the summed resident memory of this process and its children (parse workers),
    leaving out the feed server."""

    def __init__(self, exclude: set[int]) -> None:
        self.exclude = exclude
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @staticmethod
    def _rss_kb(pid: int) -> int:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        except OSError:
            pass
        return 0

    def _children(self) -> list[int]:
        me, out = os.getpid(), []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) in self.exclude:
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == me:
                out.append(int(entry.name))
        return out

    def _run(self) -> None:
        # Cheap enough not to disturb what it measures: the process list is refreshed twice a
        # second, the resident sizes read every 50 ms.
        children: list[int] = []
        tick = 0
        while not self._stop.is_set():
            if tick % 10 == 0:
                children = self._children()
            tick += 1
            total = self._rss_kb(os.getpid()) + sum(self._rss_kb(p) for p in children)
            self.peak_kb = max(self.peak_kb, total)
            self._stop.wait(0.05)

    @property
    def peak_mb(self) -> float:
        return self.peak_kb / 1024


def _cpu_s() -> tuple[float, float]:
    """CPU seconds of this process, and of its finished children (the parse workers)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def _since(start: tuple[float, float]) -> tuple[float, float]:
    now = _cpu_s()
    return now[0] - start[0], now[1] - start[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--entries", type=int, default=50)
    parser.add_argument("--db", default=None, help="Database URL (default: a temp SQLite file)")
    args = parser.parse_args()

    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Queue()
    server = ctx.Process(target=_serve, args=(args.feeds, args.entries, ready), daemon=True)
    server.start()
    base_url = ready.get(timeout=120)
    try:
        return _run(args, base_url, {server.pid or 0})
    finally:
        server.terminate()
        server.join(5)


def _run(args: argparse.Namespace, base_url: str, exclude: set[int]) -> int:
    from sqlmodel import Session, func, select

    from config.settings import load_settings
    from feeds.catalogue import FeedSpec, sync_catalogue
    from feeds.models import Article
    from feeds.poller import poll_feeds
    from notifier.db import create_all, make_engine

    tmp = tempfile.TemporaryDirectory()
    url = args.db or f"sqlite:///{Path(tmp.name) / 'bench.db'}"
    settings = load_settings(DATABASE_URL=url, _env_file=None)
    engine = make_engine(url)
    create_all(engine)
    specs = [
        FeedSpec(
            id=f"bench-{f}",
            name=f"Bench feed {f}",
            kind="news",
            url=f"{base_url}/feed/{f}.xml",
            areas=("K02000001",),
        )
        for f in range(args.feeds)
    ]
    with Session(engine) as session:
        sync_catalogue(session, specs)
        session.commit()
    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    sampler = MemorySampler(exclude)
    with sampler:
        base_mb = sampler._rss_kb(os.getpid()) / 1024
        c0, t0 = _cpu_s(), time.perf_counter()
        cold = asyncio.run(poll_feeds(engine, settings, now, only_due=False))
        cold_s, cold_cpu = time.perf_counter() - t0, _since(c0)
        c0, t0 = _cpu_s(), time.perf_counter()
        later = now + timedelta(minutes=15)
        warm = asyncio.run(poll_feeds(engine, settings, later, only_due=False))
        warm_s, warm_cpu = time.perf_counter() - t0, _since(c0)
    peak_mb = sampler.peak_mb
    load = os.getloadavg()[0]
    with Session(engine) as session:
        stored = session.exec(select(func.count()).select_from(Article)).one()
    engine.dispose()
    tmp.cleanup()

    expected = args.feeds * args.entries
    figures = {
        "feeds": args.feeds,
        "entries_per_feed": args.entries,
        "database": url.split(":", 1)[0],
        "cold_s": round(cold_s, 2),
        "cold_ms_per_feed": round(cold_s * 1000 / args.feeds, 2),
        "cold_cpu_s_poller": round(cold_cpu[0], 2),
        "cold_cpu_s_workers": round(cold_cpu[1], 2),
        "warm_s": round(warm_s, 2),
        "warm_ms_per_feed": round(warm_s * 1000 / args.feeds, 2),
        "warm_cpu_s": round(sum(warm_cpu), 2),
        "peak_mb_all_processes": round(peak_mb, 1),
        "baseline_mb": round(base_mb, 1),
        "parse_workers": settings.poll_parse_workers,
        "load_average_1m": round(load, 2),
        "articles_stored": stored,
        "cold_counts": cold.as_dict(),
        "warm_counts": warm.as_dict(),
        "cpus": os.cpu_count(),
    }
    for key, value in figures.items():
        print(f"{key:18} {value}")
    ok = (
        cold.fetched == args.feeds
        and warm.not_modified == args.feeds
        and stored == expected
        and cold_s <= TARGETS["cold_s"]
        and warm_s <= TARGETS["warm_s"]
        and peak_mb <= TARGETS["peak_mb"]
    )
    print("PASS" if ok else "FAIL", f"(targets: {TARGETS})")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
