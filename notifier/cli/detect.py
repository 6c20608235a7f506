"""``notifier detect``: run strike detection over articles from a file or standard input.

``--jsonl`` speaks the machine contract (one JSON line in, one JSON line out, in order);
without it the command prints a readable account for a person checking the detector.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

import typer

from config.db_types import UK_TZ
from feeds.detection import ArticleInput, ArticleInputError, DetectedEvent, Detection, detect
from feeds.detection.types import PlaceFinder


class ArticleRecordError(ValueError):
    """An input record that cannot become an article; the message names the record and field."""


def parse_published(value: object, where: str) -> datetime:
    """ISO 8601; a time without an offset is read as UK local time."""
    if not isinstance(value, str) or not value.strip():
        raise ArticleRecordError(
            f"{where}: 'published' is missing (ISO time such as 2026-01-10T09:00)"
        )
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ArticleRecordError(
            f"{where}: 'published' {value!r} is not an ISO time such as 2026-01-10T09:00+00:00"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UK_TZ)
    return parsed


def article_from_record(record: object, where: str) -> ArticleInput:
    if not isinstance(record, dict):
        raise ArticleRecordError(f"{where}: expected a JSON object, got {type(record).__name__}")
    title = record.get("title") or ""
    text = record.get("text") or ""
    if not isinstance(title, str) or not isinstance(text, str):
        raise ArticleRecordError(f"{where}: 'title' and 'text' must be strings")
    if not title.strip() and not text.strip():
        raise ArticleRecordError(f"{where}: the article has neither a title nor text")
    areas = record.get("default_areas") or ()
    try:
        return ArticleInput(
            title=title,
            text=text,
            published=parse_published(record.get("published"), where),
            url=str(record.get("url") or ""),
            source=str(record.get("source") or ""),
            publisher_kind=str(record.get("publisher_kind") or ""),
            default_areas=tuple(str(a) for a in areas),
        )
    except ArticleInputError as exc:
        raise ArticleRecordError(f"{where}: {exc}") from None


def _fmt(moment: datetime | None, has_time: bool) -> str | None:
    if moment is None:
        return None
    local = moment.astimezone(UK_TZ)
    return local.strftime("%Y-%m-%dT%H:%M") if has_time else local.strftime("%Y-%m-%d")


def event_json(event: DetectedEvent) -> dict[str, Any]:
    return {
        "union": event.unions,
        "staff": event.staff,
        "employers": event.employers,
        "areas": event.areas,
        "area_codes": event.area_codes,
        "start": _fmt(event.start, event.start_has_time),
        "end": _fmt(event.end, event.end_has_time),
        "status": event.status,
        "topic": event.topic,
        "confidence": event.confidence,
        "evidence": event.evidence,
    }


def detection_json(article_id: object, detection: Detection) -> dict[str, Any]:
    return {
        "id": article_id,
        "is_strike_news": detection.is_strike_news,
        "confidence": detection.confidence,
        "events": [event_json(e) for e in detection.events],
    }


def _default_places() -> PlaceFinder | None:
    """The area gazetteer, so that events carry area codes; detection works without it."""
    try:
        from subscribers.gazetteer import load_gazetteer

        return load_gazetteer()
    except (ImportError, OSError) as exc:
        typer.echo(f"area gazetteer unavailable ({exc}); events get no area codes", err=True)
        return None


def run_jsonl(lines: Iterable[str], out: TextIO, places: PlaceFinder | None) -> int:
    """One answer line per input line, in order; a bad line gets an "error" answer, not a gap."""
    failures = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"line {number}"
        article_id: object = None
        try:
            record = json.loads(line)
            article_id = record.get("id") if isinstance(record, dict) else None
            article = article_from_record(record, where)
        except (json.JSONDecodeError, ArticleRecordError) as exc:
            failures += 1
            message = (
                f"{where}: not valid JSON ({exc})"
                if isinstance(exc, json.JSONDecodeError)
                else str(exc)
            )
            typer.echo(message, err=True)
            answer = {"id": article_id, "is_strike_news": False, "events": [], "error": message}
            out.write(json.dumps(answer) + "\n")
            continue
        out.write(json.dumps(detection_json(article_id, detect(article, places))) + "\n")
        out.flush()
    return failures


def _records_from_file(path: Path, published: str | None) -> Iterator[tuple[str, dict[str, Any]]]:
    raw = path.read_text(encoding="utf-8")
    stripped = raw.lstrip()
    if stripped.startswith("["):
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ArticleRecordError(f"{path}: not a valid JSON list ({exc})") from None
        for n, record in enumerate(data):
            yield f"{path} item {n}", record
        return
    if stripped.startswith("{"):
        for n, line in enumerate(raw.splitlines(), start=1):
            if line.strip():
                try:
                    yield f"{path} line {n}", json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ArticleRecordError(f"{path} line {n}: not valid JSON ({exc})") from None
        return
    if published is None:
        raise ArticleRecordError(
            f"{path} is plain text: give its publication time with --published 2026-01-10T09:00"
        )
    lines = raw.strip().splitlines()
    title = lines[0] if lines else ""
    yield (
        str(path),
        {"id": path.name, "title": title, "text": "\n".join(lines[1:]), "published": published},
    )


def _describe(where: str, record: dict[str, Any], article: ArticleInput, found: Detection) -> str:
    head = f"{record.get('id') or where}: {article.title.strip()[:100]}"
    published = article.published.astimezone(UK_TZ).strftime("%a %d %b %Y %H:%M")
    lines = [head, f"  published {published} (UK)"]
    if not found.is_strike_news:
        lines.append(f"  not strike news (confidence {found.confidence:.2f})")
        return "\n".join(lines)
    lines.append(f"  strike news (confidence {found.confidence:.2f}), {len(found.events)} event(s)")
    for ev in found.events:
        start = _fmt(ev.start, ev.start_has_time) or "no date"
        end = _fmt(ev.end, ev.end_has_time)
        when = f"{start} to {end}" if end else start
        who = ", ".join(ev.unions) or "union not named"
        lines.append(f"  - {ev.status:<13} {when:<35} {who} [{ev.topic}] ({ev.confidence:.2f})")
        detail = [
            f"staff: {', '.join(ev.staff)}" if ev.staff else "",
            f"employers: {', '.join(ev.employers)}" if ev.employers else "",
            f"areas: {', '.join(ev.areas)}" if ev.areas else "",
            f"codes: {', '.join(ev.area_codes)}" if ev.area_codes else "",
        ]
        if any(detail):
            lines.append("      " + "; ".join(d for d in detail if d))
        for sentence in ev.evidence[:2]:
            lines.append(f'      "{sentence[:160]}"')
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    @app.command("detect")
    def detect_command(
        file: Path | None = typer.Argument(
            None, help="Articles: a JSON list, JSON lines, or one plain-text article."
        ),
        jsonl: bool = typer.Option(
            False, "--jsonl", help="Read JSON lines on stdin, write one JSON line per article."
        ),
        published: str | None = typer.Option(
            None, "--published", help="Publication time of a plain-text article (ISO 8601)."
        ),
    ) -> None:
        """Detect UK strikes in articles: who, where, when and what changed."""
        places = _default_places()
        if jsonl:
            source = file.open(encoding="utf-8") if file else sys.stdin
            failures = run_jsonl(source, sys.stdout, places)
            if failures:
                raise typer.Exit(1)
            return
        if file is None:
            typer.echo("Give a FILE of articles, or --jsonl to read JSON lines on stdin.", err=True)
            raise typer.Exit(2)
        if not file.exists():
            typer.echo(f"{file}: no such file", err=True)
            raise typer.Exit(2)
        try:
            records = list(_records_from_file(file, published))
            articles = [(w, r, article_from_record(r, w)) for w, r in records]
        except ArticleRecordError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(2) from None
        for where, record, article in articles:
            typer.echo(_describe(where, record, article, detect(article, places)))
