from __future__ import annotations

import pytest

from config.settings import SettingsError, load_settings


def test_no_credentials_means_no_provider_channels() -> None:
    s = load_settings(_env_file=None)
    assert not s.sms_enabled
    assert not s.telegram_enabled
    assert s.database_url.startswith("sqlite")


def test_malformed_twilio_sid_fails_with_the_variable_name() -> None:
    with pytest.raises(SettingsError, match="TWILIO_ACCOUNT_SID"):
        load_settings(_env_file=None, TWILIO_ACCOUNT_SID="nonsense", TWILIO_AUTH_TOKEN="x")


def test_half_configured_twilio_is_refused() -> None:
    with pytest.raises(SettingsError, match="TWILIO_AUTH_TOKEN"):
        load_settings(_env_file=None, TWILIO_ACCOUNT_SID="AC" + "0" * 32)


def test_twilio_needs_a_sender_that_can_receive_replies() -> None:
    with pytest.raises(SettingsError, match="TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID"):
        load_settings(_env_file=None, TWILIO_ACCOUNT_SID="AC" + "0" * 32, TWILIO_AUTH_TOKEN="t")
    with pytest.raises(SettingsError, match="alphanumeric"):
        load_settings(
            _env_file=None,
            TWILIO_ACCOUNT_SID="AC" + "0" * 32,
            TWILIO_AUTH_TOKEN="t",
            TWILIO_FROM_NUMBER="NHSALERTS",
        )


def test_database_round_trip(engine) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from sqlmodel import Session, select

    from notifier.models import WorkerState

    when = datetime(2026, 1, 10, 18, 0, tzinfo=UTC)
    with Session(engine) as s:
        s.add(WorkerState(key="last_poll", value="x", updated_at=when))
        s.commit()
    with Session(engine) as s:
        row = s.exec(select(WorkerState)).one()
    assert row.updated_at == when and row.updated_at.tzinfo is not None
