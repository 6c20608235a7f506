"""The Twilio channel with the official client against a fake Twilio API on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from config.settings import Settings, load_settings
from notifier.channels.base import DeliveryResult, Outcome
from notifier.channels.registry import get_channel
from notifier.channels.twilio_sms import TwilioSmsChannel
from tests.fakes.twilio_api import Answer, FakeTwilio

SID = "AC" + "1" * 32
TOKEN = "secret-token"
MSID = "MG" + "2" * 32
TO = "+447700900001"


@pytest.fixture
def fake() -> Iterator[FakeTwilio]:
    with FakeTwilio(auth_token=TOKEN) as server:
        yield server


def _settings(fake: FakeTwilio, **extra: object) -> Settings:
    values: dict[str, object] = {
        "TWILIO_ACCOUNT_SID": SID,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "TWILIO_FROM_NUMBER": "+447700900123",
        "TWILIO_API_BASE_URL": fake.base_url,
    }
    values.update(extra)
    return load_settings(_env_file=None, **values)


def _send(
    settings: Settings,
    text: str = "Strike alert",
    to: str = TO,
    validity: int | None = None,
    timeout: float = 15.0,
) -> list[DeliveryResult]:
    async def go() -> list[DeliveryResult]:
        channel = TwilioSmsChannel(settings, timeout=timeout)
        try:
            return [await channel.send(to, text, validity_seconds=validity)]
        finally:
            await channel.aclose()

    return asyncio.run(go())


def test_sends_through_the_official_paths_with_sender_validity_and_callback(
    fake: FakeTwilio,
) -> None:
    settings = _settings(fake, PUBLIC_BASE_URL="https://alerts.example.org/")
    [result] = _send(settings, "Nurses strike \u201ctomorrow\u201d \u2013 check", validity=900)
    assert result.outcome is Outcome.SENT
    assert result.provider_message_id and result.provider_message_id.startswith("SM")
    [req] = fake.requests
    assert req.account_sid == SID and req.auth_user == SID
    assert req.form["To"] == TO
    assert req.form["From"] == "+447700900123"
    assert req.form["ValidityPeriod"] == "900"
    assert req.form["StatusCallback"] == "https://alerts.example.org/webhooks/twilio/status"
    assert req.form["Body"] == 'Nurses strike "tomorrow" - check'  # GSM-7 only on the wire


def test_messaging_service_without_callback_and_default_validity(fake: FakeTwilio) -> None:
    settings = _settings(
        fake, TWILIO_FROM_NUMBER="", TWILIO_MESSAGING_SERVICE_SID=MSID, SMS_VALIDITY_SECONDS=3600
    )
    [result] = _send(settings)
    assert result.outcome is Outcome.SENT
    form = fake.requests[0].form
    assert form["MessagingServiceSid"] == MSID
    assert "From" not in form
    assert "StatusCallback" not in form  # no public URL: Twilio could not reach us
    assert form["ValidityPeriod"] == "3600"


def test_validity_is_clamped_to_twilio_range(fake: FakeTwilio) -> None:
    settings = _settings(fake)
    _send(settings, validity=0)
    _send(settings, validity=99999)
    assert [r.form["ValidityPeriod"] for r in fake.requests] == ["1", "36000"]


@pytest.mark.parametrize(
    ("answer", "outcome"),
    [
        (Answer.error(21610), Outcome.OPTED_OUT),
        (Answer.error(21211), Outcome.INVALID_ADDRESS),
        (Answer.error(21614), Outcome.INVALID_ADDRESS),
        (Answer.server_error(500), Outcome.RETRY),
        (Answer.server_error(503), Outcome.RETRY),
        (Answer.error(21408), Outcome.FAILED),
    ],
)
def test_errors_are_classified(fake: FakeTwilio, answer: Answer, outcome: Outcome) -> None:
    fake.answer_for(TO, answer)
    [result] = _send(_settings(fake))
    assert result.outcome is outcome
    assert result.provider_message_id is None
    if answer.code:
        assert str(answer.code) in (result.error or "")


def test_429_carries_retry_after(fake: FakeTwilio) -> None:
    fake.queue(Answer.too_many(retry_after=7))
    [result] = _send(_settings(fake))
    assert result.outcome is Outcome.RETRY
    assert result.retry_after == 7.0


def test_slow_provider_is_a_timeout_to_retry(fake: FakeTwilio) -> None:
    fake.queue(Answer.slow(1.0))
    [result] = _send(_settings(fake), timeout=0.2)
    assert result.outcome is Outcome.RETRY
    assert "timed out" in (result.error or "")


def test_unreachable_provider_is_retried() -> None:
    with FakeTwilio() as server:
        url = server.base_url
    settings = load_settings(
        _env_file=None,
        TWILIO_ACCOUNT_SID=SID,
        TWILIO_AUTH_TOKEN=TOKEN,
        TWILIO_FROM_NUMBER="+447700900123",
        TWILIO_API_BASE_URL=url,
    )
    [result] = _send(settings, timeout=2)
    assert result.outcome is Outcome.RETRY


def test_wrong_token_is_a_permanent_failure(fake: FakeTwilio) -> None:
    settings = _settings(fake, TWILIO_AUTH_TOKEN="wrong")
    [result] = _send(settings)
    assert result.outcome is Outcome.FAILED
    assert "20003" in (result.error or "")


def test_registry_picks_twilio_when_configured_and_console_otherwise(fake: FakeTwilio) -> None:
    assert isinstance(get_channel(_settings(fake), "sms"), TwilioSmsChannel)
    plain = load_settings(_env_file=None)
    assert get_channel(plain, "sms").__class__.__name__ == "ConsoleChannel"


def test_concurrent_sends_keep_their_own_retry_after(fake: FakeTwilio) -> None:
    fake.answer_for("+447700900002", Answer.too_many(retry_after=5))
    fake.answer_for("+447700900003", Answer.slow(0.2))
    settings = _settings(fake)

    async def go() -> list[DeliveryResult]:
        channel = TwilioSmsChannel(settings)
        try:
            return list(
                await asyncio.gather(
                    channel.send("+447700900002", "a"), channel.send("+447700900003", "b")
                )
            )
        finally:
            await channel.aclose()

    limited, slow = asyncio.run(go())
    assert limited.outcome is Outcome.RETRY and limited.retry_after == 5.0
    assert slow.outcome is Outcome.SENT and slow.retry_after is None
