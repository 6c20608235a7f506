"""``notifier poll``: poll the sources now and hand new articles to strike detection."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from sqlalchemy.engine import Engine
from sqlmodel import Session

from config.settings import Settings
from notifier.cli.common import engine_or_exit, fail, parse_now, settings_or_exit

if TYPE_CHECKING:
    from feeds.poller import FeedResult

_LABELS = (
    ("fetched", "fetched"),
    ("not_modified", "not modified"),
    ("failed", "failed"),
    ("new_articles", "new articles"),
    ("strike_candidates", "strike candidates"),
)


def sync_sources(engine: Engine, feeds_file: Path | None, settings: Settings) -> list[str] | None:
    """Load and sync the catalogue; return the ids to poll when a separate file was given."""
    from feeds.catalogue import CatalogueError, load_catalogue, sync_catalogue

    path = feeds_file or settings.feeds_file
    try:
        specs = load_catalogue(path)
    except CatalogueError as exc:
        fail(str(exc), 2)
    with Session(engine) as session:
        sync_catalogue(session, specs, retire_missing=feeds_file is None)
        session.commit()
    return [s.id for s in specs] if feeds_file is not None else None


def _progress_printer() -> Callable[[int, int, FeedResult], None]:
    """A one-line counter on standard error, for long cold polls on a terminal."""
    started = time.monotonic()

    def show(done: int, total: int, _result: FeedResult) -> None:
        if total < 20:
            return
        sys.stderr.write(f"\rpolled {done}/{total} sources ({time.monotonic() - started:.0f} s)")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show


def run_once(
    engine: Engine,
    settings: Settings,
    now: datetime,
    *,
    feed_ids: list[str] | None,
    due_only: bool,
    show_progress: bool,
) -> tuple[dict[str, int], list[tuple[str, str]], str | None]:
    """Poll, then detect and merge; returns the counts, failures and a detection line."""
    from feeds.pipeline import process_articles
    from feeds.poller import poll_feeds

    progress = _progress_printer() if show_progress else None
    summary = asyncio.run(
        poll_feeds(engine, settings, now, only_due=due_only, feed_ids=feed_ids, progress=progress)
    )
    failures = [(r.feed_id, r.error or "") for r in summary.results if r.status == "failed"]
    detection = None
    if summary.article_ids:
        with Session(engine, expire_on_commit=False) as session:
            done = process_articles(
                session, summary.article_ids, now, approval_threshold=settings.approval_confidence
            )
        detection = (
            f"detection: {done.articles} articles, {done.strike_news} strike news, "
            f"{done.strikes_created} new strikes, {done.strikes_updated} updated, "
            f"{done.changes} changes ({done.pending} awaiting approval)"
        )
    return summary.as_dict(), failures, detection


def register(app: typer.Typer) -> None:
    @app.command("poll")
    def poll(
        once: bool = typer.Option(
            False, "--once", help="Poll every enabled source once, then exit."
        ),
        feeds_file: Path = typer.Option(
            None,
            "--feeds",
            help="Poll the sources in this YAML or OPML file instead.",
            exists=False,
            dir_okay=False,
        ),
        as_json: bool = typer.Option(False, "--json", help="Print one JSON object of counts."),
        due_only: bool = typer.Option(
            False, "--due-only", help="With --once: only sources whose next poll time has come."
        ),
        now_text: str = typer.Option(None, "--now", help="Pretend it is this ISO time."),
    ) -> None:
        """Fetch the sources, store new and changed articles and run strike detection on them.

        Without --once, keeps polling sources as they fall due until interrupted (the worker,
        `notifier run`, does this with the rest of the service).
        """
        settings = settings_or_exit()
        engine = engine_or_exit(settings)
        feed_ids = sync_sources(engine, feeds_file, settings)
        if once:
            now = parse_now(now_text)
            counts, failures, detection = run_once(
                engine,
                settings,
                now,
                feed_ids=feed_ids,
                due_only=due_only,
                show_progress=not as_json and sys.stderr.isatty(),
            )
            if as_json:
                typer.echo(json.dumps(counts))
                return
            width = max(len(label) for _, label in _LABELS)
            for key, label in _LABELS:
                typer.echo(f"{label:<{width}}  {counts[key]:>6}")
            if detection:
                typer.echo(detection)
            for feed_id, error in failures:
                typer.echo(f"failed: {feed_id}: {error}", err=True)
            return
        if now_text:
            fail("--now only makes sense with --once", 2)
        typer.echo("polling sources as they fall due; Ctrl-C to stop", err=True)
        try:
            while True:
                now = parse_now(None)
                counts, failures, detection = run_once(
                    engine, settings, now, feed_ids=feed_ids, due_only=True, show_progress=False
                )
                if counts["fetched"] or counts["failed"]:
                    typer.echo(f"{now:%H:%M:%S} {json.dumps(counts)}")
                    if detection:
                        typer.echo(detection)
                time.sleep(30)
        except KeyboardInterrupt:
            typer.echo("stopped", err=True)
