"""The offline tour runs the real path end to end and each sample resident gets the right texts."""

from __future__ import annotations

import asyncio
from datetime import datetime

from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from config.db_types import UK_TZ
from config.settings import Settings
from notifier.cli import app
from notifier.demo.tour import Resident, run_tour

MONDAY_9AM = datetime(2026, 1, 12, 9, 0, tzinfo=UK_TZ)


def _by_label(residents: list[Resident]) -> dict[str, list[tuple[str, str]]]:
    return {
        r.label: [(f"{d.at.astimezone(UK_TZ):%a %H:%M}", d.text) for d in r.received]
        for r in residents
    }


def test_each_resident_gets_their_own_strikes_reminders_and_call_off(
    engine: Engine,
    settings: Settings,
    postcode_index: object,
) -> None:
    lines: list[str] = []
    residents = asyncio.run(run_tour(engine, settings, MONDAY_9AM.astimezone(UK_TZ), lines.append))
    got = _by_label(residents)

    kent = got["Resident in Medway, Kent"]
    assert [when for when, _ in kent] == ["Mon 09:00", "Wed 18:00"]  # alert, then the eve
    assert all("Thu 15 Jan, 00:01-23:59" in text for _, text in kent)
    assert all("call 999" in text and "STOP" in text for _, text in kent)
    assert not any("North West" in text or "South Central" in text for _, text in kent)

    portsmouth = got["Resident in Portsmouth"]
    assert [when for when, _ in portsmouth] == ["Mon 09:00", "Thu 18:00"]
    assert all("South Central Ambulance Service" in text for _, text in portsmouth)

    cardiff = got["Resident in Cardiff"]
    assert [when for when, _ in cardiff] == ["Mon 09:00", "Mon 11:00"]  # announced, called off
    assert "CALLED OFF" in cardiff[1][1].upper()

    manchester = got["Resident in Manchester"]
    assert [when for when, _ in manchester] == ["Mon 09:00", "Tue 18:00"]
    assert all("North West Ambulance Service" in text for _, text in manchester)
    assert any("called off" in line.lower() and "published" in line for line in lines)


def test_demo_command_prints_the_tour(postcode_index: object) -> None:
    result = CliRunner().invoke(app, ["demo", "--now", "2026-01-12T09:00"])
    assert result.exit_code == 0, result.output
    assert "What each resident receives" in result.output
    assert "Resident in Cardiff" in result.output and "CALLED OFF" in result.output
