"""``notifier detect``: the JSON-lines contract and the readable account."""

from __future__ import annotations

import json
import re
from pathlib import Path

import typer
from typer.testing import CliRunner

from notifier.cli import detect as detect_cli

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2})?$")


def make_app() -> typer.Typer:
    app = typer.Typer()
    detect_cli.register(app)

    @app.callback()
    def _root() -> None:
        """Keep ``detect`` as a named sub-command."""

    return app


ARTICLES = [
    {
        "id": "a1",
        "title": "Nurses to strike on 6 and 7 February",
        "text": "Members of the Royal College of Nursing will walk out on 6 and 7 February "
        "from 8am to 8pm.",
        "published": "2025-01-20T10:00+00:00",
        "url": "https://example.org/a1",
        "source": "Example News",
    },
    {
        "id": "a2",
        "title": "Lightning strike damages church",
        "text": "A lightning strike hit the spire during a storm last night.",
        "published": "2025-01-20T10:00",
        "url": "",
        "source": "Example News",
    },
    {
        "id": 3,
        "title": "Junior doctors strike for 72 hours",
        "text": "Junior doctors in the BMA will strike for 72 hours from 7am on Monday 3 March.",
        "published": "2025-02-20T10:00Z",
        "url": "",
        "source": "Example News",
    },
]


def test_jsonl_answers_every_line_in_order() -> None:
    stdin = "".join(json.dumps(a) + "\n" for a in ARTICLES)
    result = CliRunner().invoke(make_app(), ["detect", "--jsonl"], input=stdin)
    assert result.exit_code == 0, result.output
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["id"] for a in answers] == ["a1", "a2", 3]
    first, second, third = answers
    assert first["is_strike_news"] is True
    assert [(e["start"], e["end"], e["status"], e["union"]) for e in first["events"]] == [
        ("2025-02-06T08:00", "2025-02-06T20:00", "announced", ["RCN"]),
        ("2025-02-07T08:00", "2025-02-07T20:00", "announced", ["RCN"]),
    ]
    assert second == {"id": "a2", "is_strike_news": False, "confidence": second["confidence"],
                      "events": []}  # fmt: skip
    assert third["events"][0]["start"] == "2025-03-03T07:00"
    assert third["events"][0]["end"] == "2025-03-06T07:00"
    for event in first["events"] + third["events"]:
        assert DATE_RE.match(event["start"])
        assert 0 <= event["confidence"] <= 1
        assert event["evidence"]


def test_jsonl_bad_line_gets_an_error_answer_and_a_failing_exit() -> None:
    stdin = (
        json.dumps(ARTICLES[0])
        + "\n{not json\n"
        + json.dumps({"id": "x", "title": "t", "text": "x", "published": "yesterday"})
        + "\n"
        + json.dumps(ARTICLES[2])
        + "\n"
    )
    result = CliRunner().invoke(make_app(), ["detect", "--jsonl"], input=stdin)
    assert result.exit_code == 1
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(answers) == 4
    assert answers[0]["is_strike_news"] and answers[3]["is_strike_news"]
    assert "line 2: not valid JSON" in answers[1]["error"]
    assert answers[2]["id"] == "x"
    assert "'published' 'yesterday' is not an ISO time" in answers[2]["error"]
    assert "line 3" in result.stderr


def test_readable_account_of_a_json_list(tmp_path: Path) -> None:
    path = tmp_path / "articles.json"
    path.write_text(json.dumps(ARTICLES), encoding="utf-8")
    result = CliRunner().invoke(make_app(), ["detect", str(path)])
    assert result.exit_code == 0, result.output
    assert "a1: Nurses to strike on 6 and 7 February" in result.stdout
    assert "announced" in result.stdout and "2025-02-06T08:00 to 2025-02-06T20:00" in result.stdout
    assert "RCN [nursing]" in result.stdout
    assert "a2: Lightning strike damages church" in result.stdout
    assert "not strike news" in result.stdout


def test_plain_text_needs_published(tmp_path: Path) -> None:
    path = tmp_path / "article.txt"
    path.write_text("Rail strike on Saturday\nRMT members will strike on Saturday.\n", "utf-8")
    refused = CliRunner().invoke(make_app(), ["detect", str(path)])
    assert refused.exit_code == 2
    assert "--published" in refused.stderr
    result = CliRunner().invoke(
        make_app(), ["detect", str(path), "--published", "2025-05-05T09:00"]
    )
    assert result.exit_code == 0, result.output
    assert "2025-05-10" in result.stdout and "RMT" in result.stdout


def test_missing_file_is_reported(tmp_path: Path) -> None:
    result = CliRunner().invoke(make_app(), ["detect", str(tmp_path / "nope.json")])
    assert result.exit_code == 2
    assert "no such file" in result.stderr
