"""The Telegram channel with the real python-telegram-bot client against a fake Bot API."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator

import pytest

from config.settings import Settings, load_settings
from notifier.channels.base import DeliveryResult, Outcome
from notifier.channels.registry import get_channel
from notifier.channels.telegram import TelegramChannel
from tests.fakes.telegram_api import (
    FakeResponse,
    FakeTelegramAPI,
    blocked_by_user,
    chat_not_found,
    rate_limited,
    server_error,
)

TOKEN = "123456:" + "A" * 30
CHAT = "5550001"


@pytest.fixture(scope="module")
def _server() -> Iterator[FakeTelegramAPI]:
    with FakeTelegramAPI() as server:
        yield server


@pytest.fixture
def api(_server: FakeTelegramAPI) -> Iterator[FakeTelegramAPI]:
    _server.clear()
    yield _server
    _server.set_chat_error(CHAT, None)


def _settings(base_url: str) -> Settings:
    return load_settings(_env_file=None, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=base_url)


def _send(
    settings: Settings, text: str = "<b>Strike</b>", chat: str = CHAT, timeout: float = 10.0
) -> DeliveryResult:
    async def go() -> DeliveryResult:
        channel = TelegramChannel(settings, timeout=timeout)
        try:
            return await channel.send(chat, text)
        finally:
            await channel.aclose()

    return asyncio.run(go())


def test_sends_html_with_previews_off_to_the_configured_server(api: FakeTelegramAPI) -> None:
    result = _send(_settings(api.base_url), "<b>Nurses</b> strike &amp; more")
    assert result.outcome is Outcome.SENT
    [call] = api.calls("sendMessage")
    assert call.token == TOKEN
    assert call.chat_id == CHAT
    assert call.params["parse_mode"] == "HTML"
    assert call.params["link_preview_options"]["is_disabled"] is True
    assert call.text == "<b>Nurses</b> strike &amp; more"
    chat, _, message_id = (result.provider_message_id or "").partition(":")
    assert chat == CHAT and message_id.isdigit()


@pytest.mark.parametrize(
    ("response", "outcome"),
    [
        (blocked_by_user(), Outcome.OPTED_OUT),
        (chat_not_found(), Outcome.INVALID_ADDRESS),
        (server_error(), Outcome.RETRY),
        (
            FakeResponse(
                400,
                {
                    "ok": False,
                    "error_code": 400,
                    "description": "Bad Request: can't parse entities",
                },
            ),
            Outcome.FAILED,
        ),
    ],
)
def test_errors_are_classified(
    api: FakeTelegramAPI, response: FakeResponse, outcome: Outcome
) -> None:
    api.set_chat_error(CHAT, response)
    result = _send(_settings(api.base_url))
    assert result.outcome is outcome
    assert result.error


def test_flood_control_reports_retry_after_for_that_chat_only(api: FakeTelegramAPI) -> None:
    api.set_chat_error(CHAT, rate_limited(retry_after=4))
    settings = _settings(api.base_url)

    async def go() -> list[DeliveryResult]:
        channel = TelegramChannel(settings)
        try:
            return list(await asyncio.gather(channel.send(CHAT, "a"), channel.send("777", "b")))
        finally:
            await channel.aclose()

    limited, other = asyncio.run(go())
    assert limited.outcome is Outcome.RETRY and limited.retry_after == 4.0
    assert other.outcome is Outcome.SENT


def test_unreachable_api_is_retried() -> None:
    with FakeTelegramAPI() as server:
        url = server.base_url
    assert _send(_settings(url), timeout=2).outcome is Outcome.RETRY


def test_silent_api_is_a_timeout_to_retry() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def hold() -> None:  # accept and never answer
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    try:
        port = listener.getsockname()[1]
        result = _send(_settings(f"http://127.0.0.1:{port}"), timeout=0.3)
    finally:
        stop.set()
        thread.join()
        for conn in accepted:
            conn.close()
        listener.close()
    assert result.outcome is Outcome.RETRY
    assert "TimedOut" in (result.error or "")


def test_registry_picks_telegram_when_configured(api: FakeTelegramAPI) -> None:
    assert isinstance(get_channel(_settings(api.base_url), "telegram"), TelegramChannel)
    assert get_channel(load_settings(_env_file=None), "telegram").name == "telegram"
    with pytest.raises(ValueError, match="unknown channel 'fax'"):
        get_channel(load_settings(_env_file=None), "fax")
