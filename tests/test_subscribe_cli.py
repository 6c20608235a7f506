"""``notifier subscribers`` add, list, remove and import, on the real database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from notifier.cli import app
from subscribers import service
from subscribers.models import Subscriber

runner = CliRunner()


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("ALLOW_FICTIONAL_NUMBERS", "true")
    monkeypatch.chdir(tmp_path)  # no stray .env


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["subscribers", *args])
    return result.exit_code, result.stdout, result.stderr


def test_add_list_remove(engine: Engine) -> None:
    code, out, _ = run("add", "--sms", "07700 900123", "--postcode", "LS1 4DY", "--active")
    assert code == 0 and "active" in out and "LS1 4DY" in out
    assert "900123" not in out  # masked
    code, out, _ = run("add", "--telegram", "4455", "--postcode", "m1 1ae")
    assert code == 0 and "pending" in out
    code, out, _ = run("list", "--json")
    rows = json.loads(out)
    assert [(r["channel"], r["status"], r["postcodes"]) for r in rows] == [
        ("sms", "active", ["LS1 4DY"]),
        ("telegram", "pending", ["M1 1AE"]),
    ]
    assert rows[0]["address"] == "***123" and rows[0]["consent_channel"] == "operator"
    _, out, _ = run("list", "--json", "--show-numbers", "--status", "active")
    assert [r["address"] for r in json.loads(out)] == ["+447700900123"]
    _, out, _ = run("list")
    assert "LS1 4DY" in out and "+447700900123" not in out
    code, out, _ = run("remove", "--sms", "+447700900123", "--stop-only")
    assert code == 0 and "stopped" in out
    code, out, _ = run("remove", "--sms", "+447700900123")
    assert code == 0 and "removed" in out
    with Session(engine) as s:
        assert service.find(s, "sms", "+447700900123") is None
    code, _, err = run("remove", "--sms", "+447700900123")
    assert code == 1 and "no subscriber" in err


def test_add_errors(engine: Engine) -> None:
    code, _, err = run("add", "--sms", "020 7946 0000", "--postcode", "LS1 4DY")
    assert code == 2 and "not a mobile" in err
    code, _, err = run("add", "--postcode", "LS1 4DY")
    assert code == 2 and "exactly one" in err
    code, _, err = run("add", "--telegram", "abc", "--postcode", "LS1 4DY")
    assert code == 2 and "chat id" in err
    code, _, err = run("add", "--sms", "07700900123", "--postcode", "ZZ1 1ZZ", "--active")
    assert code == 1 and "not in the ONS" in err
    code, _, err = run(
        "add",
        "--sms",
        "07700900123",
        "-p",
        "LS1",
        "-p",
        "M1",
        "-p",
        "SW1A",
        "-p",
        "EH1",
        "--active",
    )
    assert code == 1 and "At most 3" in err
    with Session(engine) as s:
        assert list(s.exec(select(Subscriber)).all()) == []


def _csv(tmp_path: Path, text: str) -> str:
    path = tmp_path / "people.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_import_all_or_nothing_with_a_report(engine: Engine, tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "number,postcode\n"
        "07700 900201,LS1 4DY\n"
        "07700 900201,M1 1AE\n"
        "07700 900202,not a postcode\n"
        "0207 946 0000,LS1 4DY\n"
        "07700 900203\n",
    )
    code, out, err = run("import", path)
    assert code == 1
    assert "line 4: rejected" in err and "not a UK postcode" in err
    assert "line 5: rejected" in err and "not a mobile" in err
    assert "line 6: rejected" in err and "two columns" in err
    assert "nothing imported" in err
    with Session(engine) as s:
        assert list(s.exec(select(Subscriber)).all()) == []
    code, out, err = run("import", path, "--skip-invalid")
    assert code == 0 and "imported 1 subscriber(s); 3 row(s) rejected" in out
    with Session(engine) as s:
        sub = service.find(s, "sms", "+447700900201")
        assert sub is not None and sub.id is not None
        assert (sub.status, sub.consent_channel) == ("active", "import")
        assert service.postcodes_of(s, sub.id) == ["LS1 4DY", "M1 1AE"]
        assert sub.consent_text and "Imported" in sub.consent_text


def test_import_respects_opt_outs_and_existing(engine: Engine, tmp_path: Path) -> None:
    run("add", "--sms", "07700 900301", "--postcode", "LS1 4DY", "--active")
    run("add", "--sms", "07700 900302", "--postcode", "LS1 4DY", "--active")
    run("remove", "--sms", "07700 900302", "--stop-only")
    path = _csv(tmp_path, "07700 900301,M1 1AE\n07700 900302,M1 1AE\n07700 900303,SW1A 1AA\n")
    code, _, err = run("import", path)
    assert code == 1 and "line 2: rejected: this number opted out" in err
    code, _, err = run("import", path, "--skip-invalid")
    assert code == 0 and "line 1: skipped: already subscribed" in err
    with Session(engine) as s:
        stopped = service.find(s, "sms", "+447700900302")
        assert stopped is not None and stopped.status == "stopped"
        kept = service.find(s, "sms", "+447700900301")
        assert kept is not None and kept.id is not None
        assert service.postcodes_of(s, kept.id) == ["LS1 4DY"]
        new = service.find(s, "sms", "+447700900303")
        assert new is not None and new.status == "active"


def test_import_missing_file() -> None:
    code, _, err = run("import", "/nonexistent/people.csv")
    assert code == 2 and "cannot read" in err
