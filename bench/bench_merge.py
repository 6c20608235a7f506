"""Strike pipeline benchmark: articles in, merged strikes and changes out.

Target: the whole pipeline (detection + merge + writes) clears at least 100 articles of ~500 words
per second on one core, so a 10,000-article backlog takes under two minutes; merging and writing
must be a small share of that.

    .venv/bin/python bench/bench_merge.py                 # SQLite (temp file), 1,000 articles
    .venv/bin/python bench/bench_merge.py --articles 3000 --database-url postgresql+psycopg://...

Articles are generated: N/5 walkouts (union x employer x day), each reported by five sources
(union, trust, national news, local news, and a later change of hours), every text padded to
about 500 words. Three timings: the pure merge decisions alone, the pipeline with detection
results computed beforehand (merge + database), and the full pipeline with the real detector.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, text  # noqa: E402
from sqlalchemy.engine import Engine, make_url  # noqa: E402
from sqlmodel import Session, select  # noqa: E402

from feeds.detection import detect  # noqa: E402
from feeds.detection.types import ArticleInput, Detection, PlaceFinder  # noqa: E402
from feeds.models import Article, Feed, Strike, StrikeChange, StrikeSource  # noqa: E402
from feeds.pipeline import default_places, process_articles  # noqa: E402
from feeds.strikes.authority import authority_for  # noqa: E402
from feeds.strikes.merge import merge_article  # noqa: E402
from feeds.strikes.state import StrikeState, report_from_event  # noqa: E402
from notifier.db import create_all, make_engine  # noqa: E402

UNIONS = ("GMB", "Unison", "Unite", "RCN", "BMA")
EMPLOYERS = (
    "South East Coast Ambulance Service",
    "London Ambulance Service",
    "North West Ambulance Service",
    "Yorkshire Ambulance Service",
    "West Midlands Ambulance Service",
    "East Midlands Ambulance Service",
)
FILLER = (
    "The dispute concerns pay, staffing levels and the time crews spend waiting outside "
    "emergency departments before they can hand patients over. Managers said contingency plans "
    "were in place and urged the public to use NHS 111 online for anything that was not an "
    "emergency. "
)
FEEDS = {
    "b-union": ("Union news", "union", []),
    "b-trust": ("Trust news", "nhs_trust", []),
    "b-bbc": ("BBC News", "news", []),
    "b-local": ("Local Gazette", "news", ["E10000016"]),
}


def _pad(sentence: str, words: int = 500) -> str:
    body = sentence
    while len(body.split()) < words:
        body += " " + FILLER
    return body


def _articles(n: int) -> list[tuple[str, str, str, datetime]]:
    out = []
    first_day = date(2026, 3, 2)
    published = datetime(2026, 2, 1, 8, tzinfo=UTC)
    for i in range(max(1, n // 5)):
        union = UNIONS[i % len(UNIONS)]
        employer = EMPLOYERS[(i // len(UNIONS)) % len(EMPLOYERS)]
        day = first_day + timedelta(days=i // (len(UNIONS) * len(EMPLOYERS)))
        when = f"{day.day} {day:%B}"
        pub = published + timedelta(minutes=i)
        out += [
            (
                "b-union",
                f"{union} members at {employer} to strike on {when}",
                _pad(f"{union} members at {employer} will walk out from 7am to 7pm on {when}."),
                pub,
            ),
            (
                "b-trust",
                f"Industrial action on {when}",
                _pad(f"{union} members at {employer} plan to strike on {when}."),
                pub + timedelta(hours=1),
            ),
            (
                "b-bbc",
                f"Ambulance strike on {when}",
                _pad(
                    f"Staff at {employer} will strike from 07:00 to 19:00 on {when}, {union} said."
                ),
                pub + timedelta(hours=2),
            ),
            (
                "b-local",
                f"Local crews join {when} walkout",
                _pad(f"Crews at {employer} will join the {union} strike on {when}, 7am until 7pm."),
                pub + timedelta(hours=3),
            ),
            (
                "b-union",
                f"{employer} strike on {when} extended",
                _pad(
                    f"{union} members at {employer} will now strike from 00:01 to 23:59 on {when}."
                ),
                pub + timedelta(days=2),
            ),
        ]
    return out[:n]


def _setup(url: str) -> tuple[Engine, str | None]:
    schema = None
    if not url.startswith("sqlite"):
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = make_engine(url)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
        url = (
            make_url(url)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    engine = make_engine(url)
    create_all(engine)
    return engine, schema


def _load(engine: Engine, rows: list[tuple[str, str, str, datetime]]) -> list[int]:
    with Session(engine) as s:
        for fid, (name, kind, areas) in FEEDS.items():
            s.add(
                Feed(
                    id=fid,
                    name=name,
                    publisher_kind=kind,
                    url=f"https://example.org/{fid}",
                    default_areas=json.dumps(areas),
                )
            )
        s.flush()
        arts = []
        for n, (fid, title, body, pub) in enumerate(rows):
            a = Article(
                identity=f"https://example.org/{fid}/{n}",
                feed_id=fid,
                title=title,
                text=body,
                source_name=FEEDS[fid][0],
                published_at=pub,
                fetched_at=pub,
                content_hash=hashlib.sha256(f"{n}{title}".encode()).hexdigest(),
                canonical_url=f"https://example.org/{fid}/{n}",
            )
            s.add(a)
            arts.append(a)
        s.commit()
        return [int(a.id or 0) for a in arts]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    rows = _articles(args.articles)
    places = default_places()
    now = datetime(2026, 2, 1, 0, tzinfo=UTC)

    # 1. Detection once, kept for the later runs.
    t0 = time.perf_counter()
    cache: dict[str, Detection] = {}
    inputs = []
    for fid, title, body, pub in rows:
        name, kind, areas = FEEDS[fid]
        ai = ArticleInput(
            title=title,
            text=body,
            published=pub,
            source=name,
            publisher_kind=kind,
            default_areas=tuple(areas),
        )
        inputs.append(ai)
        cache[title + pub.isoformat()] = detect(ai, places)
    detect_s = time.perf_counter() - t0

    # 2. Pure merge decisions alone (in memory).
    strikes: list[StrikeState] = []
    t0 = time.perf_counter()
    reports_total = 0
    for ai in inputs:
        det = cache[ai.title + ai.published.isoformat()]
        who = authority_for(
            ai.publisher_kind, source_name=ai.source, default_areas=ai.default_areas
        )
        reports = [report_from_event(e, authority=who, published=ai.published) for e in det.events]
        reports_total += len(reports)
        for d in merge_article(strikes, reports, now, approval_threshold=0.75):
            if d.strike is None:
                continue
            if d.matched_key is None:
                strikes.append(d.strike)
            else:
                strikes = [d.strike if s.key == d.matched_key else s for s in strikes]
    pure_s = time.perf_counter() - t0

    # 3. Pipeline with cached detection (merge + database), then 4. the full pipeline.
    def cached(article: ArticleInput, finder: PlaceFinder | None) -> Detection:
        return cache[article.title + article.published.isoformat()]

    results = {}
    for label, detector in (("merge_and_db", cached), ("full", None)):
        tmp = tempfile.TemporaryDirectory()
        url = args.database_url or f"sqlite:///{Path(tmp.name) / 'bench.db'}"
        engine, schema = _setup(url)
        ids = _load(engine, rows)
        with Session(engine, expire_on_commit=False) as s:
            t0 = time.perf_counter()
            summary = process_articles(
                s, ids, now, approval_threshold=0.75, places=places, detector=detector
            )
            elapsed = time.perf_counter() - t0
        with Session(engine) as s:
            counts = {
                "strikes": s.exec(select(func.count()).select_from(Strike)).one(),
                "sources": s.exec(select(func.count()).select_from(StrikeSource)).one(),
                "changes": s.exec(select(func.count()).select_from(StrikeChange)).one(),
            }
        results[label] = (elapsed, summary, counts)
        if schema:
            with engine.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()
        tmp.cleanup()

    n = len(rows)
    db = (
        "PostgreSQL"
        if args.database_url and not args.database_url.startswith("sqlite")
        else "SQLite"
    )
    print(
        f"articles: {n} (~500 words each), walkouts generated: {n // 5}, reports: {reports_total}"
    )
    print(f"detection alone:            {detect_s:7.2f} s  {n / detect_s:8.0f} articles/s")
    print(f"merge decisions alone:      {pure_s:7.3f} s  {reports_total / pure_s:8.0f} reports/s")
    for label, (elapsed, summary, counts) in results.items():
        print(
            f"pipeline {label:<18} {elapsed:7.2f} s  {n / elapsed:8.0f} articles/s on {db}  "
            f"{counts} created={summary.strikes_created} pending={summary.pending}"
        )


if __name__ == "__main__":
    main()
