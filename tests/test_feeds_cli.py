"""``notifier poll --once`` and ``notifier feeds`` against a local server and a real database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from feeds.catalogue import load_catalogue
from feeds.models import Article, Strike
from notifier.cli import app
from tests.fakes.feed_server import FeedServer, Route, rss
from tests.feeds_support import item, server

__all__ = ["server"]

STRIKE_ITEM = item(
    1,
    title="Kent paramedics to strike in January",
    description=(
        "Paramedics and call handlers at South East Coast Ambulance Service in Kent will strike "
        "from 7am to 7pm on Wednesday 20 January 2027, the GMB union announced."
    ),
    pubDate="Mon, 23 Nov 2026 08:00:00 GMT",
)


def _catalogue(tmp_path: Path, server: FeedServer) -> Path:
    path = tmp_path / "feeds.yaml"
    path.write_text(
        "feeds:\n"
        f"  - {{id: kent-news, name: Kent News, kind: news, url: '{server.url('/kent.xml')}',"
        " areas: [E10000016]}\n"
        f"  - {{id: gone, name: Gone, kind: news, url: '{server.url('/gone.xml')}'}}\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def cli(
    database_url: str,
    engine: Engine,
    tmp_path: Path,
    server: FeedServer,
    monkeypatch: pytest.MonkeyPatch,
) -> CliRunner:
    server.route("/kent.xml", Route(body=rss([STRIKE_ITEM, item(2)]), etag='"k1"'))
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("FEEDS_FILE", str(_catalogue(tmp_path, server)))
    monkeypatch.setenv("POLL_TIMEOUT_SECONDS", "3")
    monkeypatch.chdir(tmp_path)  # no stray .env
    return CliRunner()


def test_poll_once_json_then_warm(cli: CliRunner, engine: Engine) -> None:
    result = cli.invoke(app, ["poll", "--once", "--json", "--now", "2026-11-23T09:00"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "fetched": 1,
        "not_modified": 0,
        "failed": 1,
        "new_articles": 2,
        "strike_candidates": 1,
    }
    with Session(engine) as session:
        assert len(session.exec(select(Article)).all()) == 2
        # New articles went through detection in the same cycle.
        assert all(a.detected_at is not None for a in session.exec(select(Article)))
        assert session.exec(select(Strike)).all(), "the walkout should have become a strike"
    again = cli.invoke(app, ["poll", "--once", "--json", "--now", "2026-11-23T09:30"])
    assert json.loads(again.stdout)["not_modified"] == 1


def test_poll_once_table_and_feeds_health(cli: CliRunner) -> None:
    result = cli.invoke(app, ["poll", "--once"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    table = {line.rsplit(None, 1)[0]: line.rsplit(None, 1)[1] for line in lines[:5]}
    assert table == {
        "fetched": "1",
        "not modified": "0",
        "failed": "1",
        "new articles": "2",
        "strike candidates": "1",
    }
    assert "failed: gone: HTTP 404 Not Found" in result.stderr
    assert any(line.startswith("detection:") for line in lines)

    health = cli.invoke(app, ["feeds"])
    assert health.exit_code == 0, health.output
    rows = {line.split()[0]: line for line in health.stdout.splitlines() if line.strip()}
    assert "failing" in rows["gone"] and "HTTP 404 Not Found" in rows["gone"]
    assert " ok " in rows["kent-news"]
    as_json = json.loads(cli.invoke(app, ["feeds", "--json"]).stdout)
    gone = next(f for f in as_json if f["id"] == "gone")
    assert gone["consecutive_failures"] == 1 and gone["next_poll_at"]
    assert gone["last_success_at"] is None


def test_poll_a_separate_opml_file(cli: CliRunner, tmp_path: Path, server: FeedServer) -> None:
    opml = tmp_path / "extra.opml"
    server.route("/extra.xml", rss([item(5)]))
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head/><body>'
        f'<outline text="Extra" xmlUrl="{server.url("/extra.xml")}"/></body></opml>',
        encoding="utf-8",
    )
    result = cli.invoke(app, ["poll", "--once", "--json", "--feeds", str(opml)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["fetched"] == 1
    assert server.requests_for("/kent.xml") == []  # only the given file's sources


def test_export_and_check(cli: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "sources.opml"
    result = cli.invoke(app, ["feeds", "export", str(out)])
    assert result.exit_code == 0, result.output
    assert [s.id for s in load_catalogue(out)] == ["kent-news", "gone"]
    printed = cli.invoke(app, ["feeds", "export"])
    assert printed.stdout.startswith("<?xml") and "xmlUrl" in printed.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("feeds:\n  - id: Bad Id\n    name: x\n    kind: news\n    url: https://x.org\n")
    check = cli.invoke(app, ["feeds", "check", str(bad)])
    assert check.exit_code == 2
    assert f"{bad}:2: source 'Bad Id': id 'Bad Id' must be lower-case" in check.stderr
    assert "2 sources (2 enabled, 0 news pages): OK" in cli.invoke(app, ["feeds", "check"]).stdout


def test_progress_line_for_long_polls(capsys: pytest.CaptureFixture[str]) -> None:
    from feeds.poller import FeedResult
    from notifier.cli.poll import _progress_printer

    show = _progress_printer()
    for done in range(1, 51):
        show(done, 50, FeedResult(feed_id=f"f{done}", status="fetched"))
    err = capsys.readouterr().err
    assert "\rpolled 1/50 sources" in err
    assert err.rstrip().rsplit("\r", 1)[-1].startswith("polled 50/50 sources")
    assert err.endswith("\n")
    # Short polls print nothing.
    show = _progress_printer()
    show(1, 3, FeedResult(feed_id="x", status="fetched"))
    assert capsys.readouterr().err == ""
