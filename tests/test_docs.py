"""Operators rely on the documented names: every setting appears in .env.example."""

from __future__ import annotations

import re
from pathlib import Path

from config.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def test_every_setting_is_listed_in_env_example() -> None:
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M))
    aliases = {f.alias for f in Settings.model_fields.values() if f.alias}
    assert aliases - listed == set(), "settings missing from .env.example"
    assert listed - aliases == set(), ".env.example lists settings that do not exist"


def test_procfile_declares_release_web_and_worker() -> None:
    lines = dict(
        line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines() if ":" in line
    )
    assert lines["release"].strip() == "notifier db upgrade"
    assert lines["web"].strip().startswith("notifier serve")
    assert lines["worker"].strip().startswith("notifier run")
