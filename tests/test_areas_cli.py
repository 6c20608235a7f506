"""``notifier areas``: the command residents' helpers and operators use to check a postcode."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from notifier.cli import app
from subscribers.postcode_index import PostcodeIndex


@pytest.fixture
def runner(postcode_index: PostcodeIndex, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("POSTCODE_INDEX_PATH", str(postcode_index.path))
    monkeypatch.setenv("DATABASE_URL", "sqlite:///:memory:")
    return CliRunner()


def test_json_output_has_official_names(runner: CliRunner) -> None:
    result = runner.invoke(app, ["areas", "me1 1aa", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["postcode"] == "ME1 1AA"
    assert data["districts"] == ["E06000035"]
    by_type = {a["type"]: a for a in data["areas"]}
    assert by_type["ambulance_service"] == {
        "code": "RYD",
        "name": "South East Coast Ambulance Service NHS Foundation Trust",
        "type": "ambulance_service",
    }
    assert by_type["icb"]["name"] == "NHS Kent and Medway Integrated Care Board"
    assert {"K02000001", "K04000001", "E92000001"} <= {a["code"] for a in data["areas"]}


def test_plain_output_lists_each_area(runner: CliRunner) -> None:
    result = runner.invoke(app, ["areas", "CF10 3ND"])
    assert result.exit_code == 0
    assert result.stdout.startswith("CF10 3ND (districts: W06000015)")
    assert "Welsh Ambulance Services University NHS Trust" in result.stdout
    assert "E92000001" not in result.stdout


def test_outward_code(runner: CliRunner) -> None:
    result = runner.invoke(app, ["areas", "TN22", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["districts"] == ["E07000063", "E07000065"]


@pytest.mark.parametrize(
    ("postcode", "message"),
    [
        ("hello", "is not a UK postcode"),
        ("ME1 9ZZ", "not in the ONS postcode directory"),
        ("JE2 3AA", "does not cover"),
    ],
)
def test_bad_postcodes_fail_with_the_reason_on_stderr(
    runner: CliRunner, postcode: str, message: str
) -> None:
    result = runner.invoke(app, ["areas", postcode, "--json"])
    assert result.exit_code == 1
    assert message in result.stderr
    assert result.stdout == ""


def test_no_arguments_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(app, ["areas"])
    assert result.exit_code == 2
    assert "postcode" in result.stderr


def test_seed_fills_the_area_table(
    runner: CliRunner, database_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import func, select

    from subscribers.areas import all_areas
    from subscribers.models import Area

    monkeypatch.setenv("DATABASE_URL", database_url)
    result = runner.invoke(app, ["areas", "--seed"])
    assert result.exit_code == 0, result.output
    assert f"{len(all_areas())} rows" in result.stdout
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Area)).scalar_one() == len(all_areas())
