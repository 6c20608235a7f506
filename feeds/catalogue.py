"""The source catalogue: load (YAML or OPML), validate with line numbers, sync, export OPML.

Operators edit ``config/feeds.yaml`` by hand, so every mistake is reported with the file and line
and all mistakes are reported at once. OPML, the format every feed reader imports and exports, is
accepted wherever a catalogue is; extra attributes (``kind``, ``areas``...) carry what OPML has no
word for, and a plain reader's export still loads with sensible defaults.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import lxml.etree
import yaml
from sqlalchemy import select
from sqlmodel import Session

from config.settings import CONFIG_DIR
from feeds.models import Feed

PUBLISHER_KINDS = ("union", "nhs_trust", "nhs_body", "government", "news", "news_search")
SOURCE_TYPES = ("feed", "page")
DEFAULT_INTERVAL_S = 1800
MIN_INTERVAL_S = 60
MAX_INTERVAL_S = 7 * 24 * 3600
AREAS_FILE = CONFIG_DIR / "areas" / "areas.csv"
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")
_AREA_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,19}$")
_DURATION = re.compile(r"^\s*(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m)?\s*(?:(\d+)\s*s)?\s*$")
_KEYS = frozenset(
    {
        "id",
        "name",
        "kind",
        "type",
        "url",
        "areas",
        "interval",
        "enabled",
        "link_pattern",
        "note",
        "verified",
    }
)
_MAX_REPORTED = 30


class CatalogueError(ValueError):
    """The catalogue cannot be used; the message lists each problem as ``file:line: problem``."""


@dataclass(frozen=True, slots=True)
class FeedSpec:
    """One source as the operator configured it."""

    id: str
    name: str
    kind: str
    url: str
    source_type: str = "feed"
    areas: tuple[str, ...] = ()
    interval_s: int = DEFAULT_INTERVAL_S
    enabled: bool = True
    link_pattern: str | None = None
    note: str = ""
    verified: bool = True
    line: int = 0


@dataclass(slots=True)
class _Raw:
    values: dict[str, Any]
    line: int
    key_lines: dict[str, int] = field(default_factory=dict)


@lru_cache(maxsize=1)
def known_area_codes() -> frozenset[str]:
    """Area codes from the gazetteer, or empty when it is not installed (format check only)."""
    if not AREAS_FILE.exists():
        return frozenset()
    with AREAS_FILE.open(newline="", encoding="utf-8") as fh:
        return frozenset(row["code"].strip() for row in csv.DictReader(fh) if row.get("code"))


def parse_interval(value: object) -> int:
    """Seconds from ``900``, ``"15m"``, ``"1h30m"`` or ``"2d"``."""
    if isinstance(value, bool):
        raise ValueError(f"interval {value!r} is not a duration")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        if text.isdigit():
            return int(text)
        m = _DURATION.match(text)
        if m and any(m.groups()):
            d, h, mi, s = (int(g or 0) for g in m.groups())
            return ((d * 24 + h) * 60 + mi) * 60 + s
    raise ValueError(f"interval {value!r} is not a duration such as 900, '15m' or '1h'")


def format_interval(seconds: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _as_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "yes", "1", "on"}:
        return True
    if isinstance(value, str) and value.strip().lower() in {"false", "no", "0", "off"}:
        return False
    raise ValueError(f"{value!r} is not true or false")


def _validate(
    raw: _Raw, where: str, defaults: Mapping[str, Any]
) -> tuple[FeedSpec | None, list[str]]:
    errors: list[str] = []
    v = {**defaults, **raw.values}

    def err(key: str | None, message: str) -> None:
        line = raw.key_lines.get(key, raw.line) if key else raw.line
        label = f"source {v.get('id')!r}: " if isinstance(v.get("id"), str) else ""
        errors.append(f"{where}:{line}: {label}{message}")

    for key in sorted(set(raw.values) - _KEYS):
        err(key, f"unknown field {key!r} (expected one of: {', '.join(sorted(_KEYS))})")
    fid = v.get("id")
    if not isinstance(fid, str) or not _ID.match(fid):
        err("id", f"id {fid!r} must be lower-case letters, digits, '-' or '_' (max 100)")
    name = v.get("name")
    if not isinstance(name, str) or not name.strip():
        err("name", "name is required")
    kind = v.get("kind")
    if kind not in PUBLISHER_KINDS:
        err("kind", f"kind {kind!r} is not one of {', '.join(PUBLISHER_KINDS)}")
    stype = v.get("type", "feed")
    if stype not in SOURCE_TYPES:
        err("type", f"type {stype!r} is not one of {', '.join(SOURCE_TYPES)}")
    url = v.get("url")
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        err("url", f"url {url!r} is not an absolute http(s) URL")
    areas_value = v.get("areas", [])
    if isinstance(areas_value, str):
        areas_value = [a for a in re.split(r"[\s,]+", areas_value) if a]
    areas: list[str] = []
    if not isinstance(areas_value, list):
        err("areas", "areas must be a list of area codes, e.g. [K02000001]")
    else:
        known = known_area_codes()
        for code in areas_value:
            if not isinstance(code, str) or not _AREA_CODE.match(code):
                err("areas", f"area {code!r} is not an area code such as E10000016")
            elif known and code not in known:
                err("areas", f"area {code!r} is not in {AREAS_FILE.name}")
            else:
                areas.append(code)
    interval = DEFAULT_INTERVAL_S
    try:
        interval = parse_interval(v.get("interval", DEFAULT_INTERVAL_S))
        if not MIN_INTERVAL_S <= interval <= MAX_INTERVAL_S:
            err("interval", f"interval {interval} s is outside {MIN_INTERVAL_S} s to 7 days")
    except ValueError as exc:
        err("interval", str(exc))
    flags: dict[str, bool] = {}
    for key in ("enabled", "verified"):
        try:
            flags[key] = _as_bool(v.get(key, True))
        except ValueError as exc:
            err(key, f"{key}: {exc}")
    pattern = v.get("link_pattern")
    if pattern is not None:
        if not isinstance(pattern, str):
            err("link_pattern", "link_pattern must be a regular expression string")
        else:
            try:
                re.compile(pattern)
            except re.error as exc:
                err("link_pattern", f"link_pattern is not a valid regular expression: {exc}")
    note = v.get("note", "")
    if errors:
        return None, errors
    spec = FeedSpec(
        id=str(fid),
        name=str(name).strip(),
        kind=str(kind),
        url=str(url).strip(),
        source_type=str(stype),
        areas=tuple(areas),
        interval_s=interval,
        enabled=flags["enabled"],
        link_pattern=pattern or None,
        note=" ".join(str(note or "").split()),
        verified=flags["verified"],
        line=raw.line,
    )
    return spec, []


def _finish(raws: Iterable[_Raw], where: str, defaults: Mapping[str, Any]) -> list[FeedSpec]:
    specs: list[FeedSpec] = []
    errors: list[str] = []
    first_line: dict[str, int] = {}
    for raw in raws:
        spec, problems = _validate(raw, where, defaults)
        errors.extend(problems)
        if spec is None:
            continue
        if spec.id in first_line:
            errors.append(
                f"{where}:{raw.line}: source {spec.id!r}: duplicate id (first defined on line "
                f"{first_line[spec.id]})"
            )
            continue
        first_line[spec.id] = raw.line
        specs.append(spec)
    if errors:
        shown = errors[:_MAX_REPORTED]
        more = len(errors) - len(shown)
        tail = f"\n  ... and {more} more" if more else ""
        raise CatalogueError(
            f"{len(errors)} problem(s) in the feed catalogue:\n  " + "\n  ".join(shown) + tail
        )
    return specs


def _yaml_raws(text: str, where: str) -> tuple[list[_Raw], dict[str, Any]]:
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            raise CatalogueError(f"{where}:1: the catalogue is empty; expected a 'feeds:' list")
        if not isinstance(root, yaml.MappingNode):
            raise CatalogueError(
                f"{where}:{root.start_mark.line + 1}: expected a mapping with "
                "a 'feeds:' list at the top level"
            )
        sections = {loader.construct_object(k): v for k, v in root.value}
        unknown = set(sections) - {"feeds", "defaults"}
        if unknown:
            raise CatalogueError(
                f"{where}:1: unknown top-level key(s) {sorted(map(str, unknown))};"
                " expected 'feeds' and optionally 'defaults'"
            )
        defaults: dict[str, Any] = {}
        if "defaults" in sections:
            defaults = loader.construct_object(sections["defaults"], deep=True) or {}
            if not isinstance(defaults, dict):
                raise CatalogueError(
                    f"{where}:{sections['defaults'].start_mark.line + 1}: "
                    "'defaults' must be a mapping"
                )
        feeds_node = sections.get("feeds")
        if not isinstance(feeds_node, yaml.SequenceNode):
            line = feeds_node.start_mark.line + 1 if feeds_node is not None else 1
            raise CatalogueError(f"{where}:{line}: 'feeds' must be a list of sources")
        raws: list[_Raw] = []
        for item in feeds_node.value:
            line = item.start_mark.line + 1
            if not isinstance(item, yaml.MappingNode):
                raws.append(_Raw({"__bad__": True}, line))
                continue
            raw = _Raw({}, line)
            for key_node, value_node in item.value:
                key = str(loader.construct_object(key_node))
                key_line = key_node.start_mark.line + 1
                if key in raw.values:
                    raise CatalogueError(
                        f"{where}:{key_line}: field {key!r} given twice in one source (first on "
                        f"line {raw.key_lines[key]}); a second value would silently win"
                    )
                raw.values[key] = loader.construct_object(value_node, deep=True)
                raw.key_lines[key] = key_line
            raws.append(raw)
        return raws, defaults
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise CatalogueError(f"{where}:{line}: not valid YAML: {exc.problem or exc}") from None
    finally:
        loader.dispose()


def _opml_raws(data: bytes, where: str) -> list[_Raw]:
    if re.search(rb"<!ENTITY", data, re.IGNORECASE):
        raise CatalogueError(f"{where}:1: OPML with entity declarations is refused")
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = lxml.etree.fromstring(data, parser=parser)
    except lxml.etree.XMLSyntaxError as exc:
        raise CatalogueError(f"{where}:{exc.lineno}: not valid OPML/XML: {exc.msg}") from None
    if root.tag != "opml":
        raise CatalogueError(f"{where}:{root.sourceline}: root element is <{root.tag}>, not <opml>")
    raws: list[_Raw] = []
    used: set[str] = set()
    for outline in root.iter("outline"):
        a = {k: v for k, v in outline.attrib.items() if isinstance(k, str)}
        is_page = (a.get("type") == "link" or a.get("sourceType") == "page") and "xmlUrl" not in a
        url = a.get("xmlUrl") or (a.get("url") if is_page else None)
        if not url:
            continue  # a folder
        name = a.get("title") or a.get("text") or urlsplit(url).hostname or url
        fid = a.get("id") or _unique_slug(name, used)
        used.add(fid)
        values: dict[str, Any] = {
            "id": fid,
            "name": name,
            "url": url,
            "kind": a.get("kind", "news"),
            "type": "page" if is_page else "feed",
        }
        for attr, key in (
            ("areas", "areas"),
            ("interval", "interval"),
            ("enabled", "enabled"),
            ("linkPattern", "link_pattern"),
            ("note", "note"),
            ("verified", "verified"),
        ):
            if attr in a:
                values[key] = a[attr]
        raws.append(_Raw(values, outline.sourceline or 0))
    return raws


def _unique_slug(name: str, used: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:90] or "source"
    slug, n = base, 2
    while slug in used:
        slug, n = f"{base}-{n}", n + 1
    return slug


def load_catalogue(path: str | Path) -> list[FeedSpec]:
    """Read and validate a YAML or OPML catalogue; raise CatalogueError naming file and line."""
    path = Path(path)
    where = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CatalogueError(f"{where}: cannot read the feed catalogue: {exc.strerror}") from None
    head = data.lstrip()[:200].lower()
    if path.suffix.lower() in {".opml", ".xml"} or head.startswith(b"<"):
        return _finish(_opml_raws(data, where), where, {})
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CatalogueError(f"{where}:{line}: the catalogue is not UTF-8 text") from None
    raws, defaults = _yaml_raws(text, where)
    bad = [r for r in raws if "__bad__" in r.values]
    if bad:
        raise CatalogueError(
            "\n".join(
                f"{where}:{r.line}: each source must be a mapping (id:, name:, ...)" for r in bad
            )
        )
    return _finish(raws, where, defaults)


def export_opml(specs: Sequence[FeedSpec], *, title: str = "UK strike-alert sources") -> bytes:
    """An OPML 2.0 document, grouped by publisher kind, that reloads into the same catalogue."""
    root = lxml.etree.Element("opml", version="2.0")
    head = lxml.etree.SubElement(root, "head")
    lxml.etree.SubElement(head, "title").text = title
    body = lxml.etree.SubElement(root, "body")
    for kind in PUBLISHER_KINDS:
        group = [s for s in specs if s.kind == kind]
        if not group:
            continue
        folder = lxml.etree.SubElement(body, "outline", text=kind, title=kind)
        for s in group:
            attrs = {"text": s.name, "title": s.name, "id": s.id, "kind": s.kind}
            if s.source_type == "page":
                attrs.update(type="link", url=s.url, sourceType="page")
            else:
                attrs.update(type="rss", xmlUrl=s.url)
            attrs.update(
                areas=" ".join(s.areas),
                interval=format_interval(s.interval_s),
                enabled="true" if s.enabled else "false",
                verified="true" if s.verified else "false",
            )
            if s.link_pattern:
                attrs["linkPattern"] = s.link_pattern
            if s.note:
                attrs["note"] = s.note
            lxml.etree.SubElement(folder, "outline", attrs)
    return lxml.etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


@dataclass(slots=True)
class SyncResult:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)


def sync_catalogue(
    session: Session, specs: Sequence[FeedSpec], *, retire_missing: bool = True
) -> SyncResult:
    """Upsert Feed rows from the catalogue, keeping their polling state.

    A changed URL resets the HTTP validators. Sources gone from the catalogue are disabled, not
    deleted, because their articles still point at them; pass ``retire_missing=False`` when
    ``specs`` is only a subset (``poll --feeds FILE``).
    """
    result = SyncResult()
    existing = {f.id: f for f in session.scalars(select(Feed))}
    for s in specs:
        areas = json.dumps(list(s.areas))
        feed = existing.get(s.id)
        if feed is None:
            session.add(
                Feed(
                    id=s.id,
                    name=s.name,
                    publisher_kind=s.kind,
                    source_type=s.source_type,
                    url=s.url,
                    default_areas=areas,
                    poll_interval_s=s.interval_s,
                    enabled=s.enabled,
                    link_pattern=s.link_pattern,
                )
            )
            result.added.append(s.id)
            continue
        wanted = {
            "name": s.name,
            "publisher_kind": s.kind,
            "source_type": s.source_type,
            "url": s.url,
            "default_areas": areas,
            "poll_interval_s": s.interval_s,
            "enabled": s.enabled,
            "link_pattern": s.link_pattern,
        }
        changed = {k: v for k, v in wanted.items() if getattr(feed, k) != v}
        if "url" in changed or "source_type" in changed:
            feed.etag = feed.last_modified = feed.discovered_feed_url = None
            feed.consecutive_failures = 0
            feed.healthy = True
            feed.next_poll_at = None
        for k, v in changed.items():
            setattr(feed, k, v)
        if changed:
            result.updated.append(s.id)
    if retire_missing:
        wanted_ids = {s.id for s in specs}
        for fid, feed in existing.items():
            if fid not in wanted_ids and feed.enabled:
                feed.enabled = False
                result.retired.append(fid)
    session.flush()
    return result
