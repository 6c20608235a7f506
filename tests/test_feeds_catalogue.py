"""The feed catalogue: the shipped file, line-numbered errors, OPML in and out, syncing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import Session

from config.settings import DEFAULT_FEEDS_FILE
from feeds.catalogue import (
    PUBLISHER_KINDS,
    CatalogueError,
    export_opml,
    known_area_codes,
    load_catalogue,
    parse_interval,
    sync_catalogue,
)
from feeds.models import Feed

GOOD = """\
feeds:
  - id: bbc-kent
    name: BBC Kent
    kind: news
    url: https://feeds.bbci.co.uk/news/england/kent/rss.xml
    areas: [E10000016]
    interval: 15m
  - id: rcn
    name: RCN news
    kind: union
    type: page
    url: https://www.rcn.org.uk/news-and-events/news
    areas: [K02000001]
    link_pattern: "/news-and-events/news/"
"""


def _write(tmp_path: Path, text: str, name: str = "feeds.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_catalogue_is_valid_and_covers_the_sources() -> None:
    specs = load_catalogue(DEFAULT_FEEDS_FILE)
    by_id = {s.id: s for s in specs}
    assert len(specs) >= 100
    assert {s.kind for s in specs} == set(PUBLISHER_KINDS)
    assert {s.source_type for s in specs} == {"feed", "page"}
    # A regional source speaks for its county; a national union for the UK.
    assert by_id["bbc-kent"].areas == ("E10000016",)
    assert by_id["rmt-news"].areas == ("K02000001",)
    assert by_id["secamb"].areas == ("RYD",)
    assert by_id["rcn-news"].source_type == "page"
    # Google News is off, with the reason beside it.
    google = [s for s in specs if "news.google.com" in s.url]
    assert google and all(not s.enabled for s in google)
    assert all("non-commercial" in s.note and "robots.txt" in s.note for s in google)
    # Every unverified URL is marked and off.
    for s in specs:
        if not s.verified and s.kind != "government":
            assert not s.enabled, s.id
    codes = known_area_codes()
    assert codes, "the area gazetteer should be installed"
    assert all(code in codes for s in specs for code in s.areas)


def test_yaml_catalogue_loads(tmp_path: Path) -> None:
    specs = load_catalogue(_write(tmp_path, GOOD))
    assert [(s.id, s.interval_s, s.source_type, s.line) for s in specs] == [
        ("bbc-kent", 900, "feed", 2),
        ("rcn", 1800, "page", 8),
    ]
    assert specs[1].link_pattern == "/news-and-events/news/"


def test_errors_name_file_and_line_and_are_all_reported(tmp_path: Path) -> None:
    bad = GOOD.replace("kind: news", "kind: newz").replace("interval: 15m", "interval: soon")
    bad += "  - id: bbc-kent\n    name: again\n    kind: news\n    url: ftp://x\n    colour: red\n"
    path = _write(tmp_path, bad)
    with pytest.raises(CatalogueError) as info:
        load_catalogue(path)
    message = str(info.value)
    assert f"{path}:4: source 'bbc-kent': kind 'newz' is not one of" in message
    assert f"{path}:7: source 'bbc-kent': interval 'soon' is not a duration" in message
    assert f"{path}:18: source 'bbc-kent': url 'ftp://x' is not an absolute http(s) URL" in message
    assert f"{path}:19: source 'bbc-kent': unknown field 'colour'" in message


def test_duplicate_ids_and_unknown_areas(tmp_path: Path) -> None:
    dup = GOOD + GOOD.split("feeds:\n", 1)[1].split("  - id: rcn")[0]
    path = _write(tmp_path, dup)
    with pytest.raises(
        CatalogueError,
        match=r"feeds.yaml:15: source 'bbc-kent': duplicate id "
        r"\(first defined on line 2\)",
    ):
        load_catalogue(path)
    path = _write(tmp_path, GOOD.replace("E10000016", "E99999999"))
    with pytest.raises(CatalogueError, match=r":6: .*area 'E99999999' is not in areas.csv"):
        load_catalogue(path)


def test_broken_yaml_reports_its_line(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD.replace("    areas: [K02000001]", "    areas: [K02000001"))
    with pytest.raises(CatalogueError, match=r"feeds.yaml:\d+: not valid YAML"):
        load_catalogue(path)
    with pytest.raises(CatalogueError, match="cannot read"):
        load_catalogue(tmp_path / "missing.yaml")


def test_opml_round_trip(tmp_path: Path) -> None:
    specs = load_catalogue(_write(tmp_path, GOOD))
    path = tmp_path / "out.opml"
    path.write_bytes(export_opml(specs))
    again = load_catalogue(path)
    assert [
        (s.id, s.name, s.kind, s.url, s.source_type, s.areas, s.interval_s, s.link_pattern)
        for s in sorted(again, key=lambda s: s.id)
    ] == [
        (s.id, s.name, s.kind, s.url, s.source_type, s.areas, s.interval_s, s.link_pattern)
        for s in sorted(specs, key=lambda s: s.id)
    ]


def test_plain_feed_reader_opml_loads_with_defaults(tmp_path: Path) -> None:
    opml = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head><title>My subscriptions</title></head>
  <body>
    <outline text="News" title="News">
      <outline type="rss" text="BBC Health" title="BBC Health"
               xmlUrl="https://feeds.bbci.co.uk/news/health/rss.xml"/>
      <outline type="rss" text="BBC Health" xmlUrl="https://feeds.bbci.co.uk/news/rss.xml"/>
      <outline type="rss" text="Bad" xmlUrl="gopher://old.example/feed"/>
    </outline>
  </body>
</opml>
"""
    path = _write(tmp_path, opml, "subs.opml")
    with pytest.raises(CatalogueError, match=r"subs.opml:9: source 'bad': url 'gopher"):
        load_catalogue(path)
    path = _write(
        tmp_path,
        opml.replace(
            '      <outline type="rss" text="Bad" xmlUrl="gopher://old.example/feed"/>\n', ""
        ),
        "s.opml",
    )
    specs = load_catalogue(path)
    assert [(s.id, s.kind, s.source_type) for s in specs] == [
        ("bbc-health", "news", "feed"),
        ("bbc-health-2", "news", "feed"),
    ]


def test_opml_entity_declarations_are_refused(tmp_path: Path) -> None:
    path = _write(
        tmp_path, '<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "b">]><opml/>', "evil.opml"
    )
    with pytest.raises(CatalogueError, match="entity"):
        load_catalogue(path)


def test_sync_upserts_keeps_state_and_retires(tmp_path: Path, session: Session) -> None:
    specs = load_catalogue(_write(tmp_path, GOOD))
    result = sync_catalogue(session, specs)
    session.commit()
    assert sorted(result.added) == ["bbc-kent", "rcn"]
    kent = session.get(Feed, "bbc-kent")
    assert kent is not None and json.loads(kent.default_areas) == ["E10000016"]
    kent.etag = '"abc"'
    session.commit()

    # Interval changes: state kept. URL changes: validators reset. Missing source: disabled.
    edited = GOOD.replace("interval: 15m", "interval: 1h").split("  - id: rcn")[0]
    result = sync_catalogue(session, load_catalogue(_write(tmp_path, edited)))
    session.commit()
    assert result.updated == ["bbc-kent"] and result.retired == ["rcn"]
    kent = session.get(Feed, "bbc-kent")
    rcn = session.get(Feed, "rcn")
    assert kent is not None and rcn is not None
    assert kent.poll_interval_s == 3600 and kent.etag == '"abc"'
    assert rcn.enabled is False
    moved = edited.replace("kent/rss.xml", "kent/rss2.xml")
    sync_catalogue(session, load_catalogue(_write(tmp_path, moved)))
    session.commit()
    kent = session.get(Feed, "bbc-kent")
    assert kent is not None and kent.etag is None


def test_intervals() -> None:
    assert parse_interval("15m") == 900
    assert parse_interval("1h30m") == 5400
    assert parse_interval(600) == 600
    with pytest.raises(ValueError):
        parse_interval("fortnightly")


def test_a_field_given_twice_is_an_error(tmp_path: Path) -> None:
    twice = GOOD.replace(
        "    interval: 15m\n", "    interval: 15m\n    url: https://example.org/x\n"
    )
    with pytest.raises(CatalogueError, match=r"feeds.yaml:8: field 'url' given twice .*line 5"):
        load_catalogue(_write(tmp_path, twice))
