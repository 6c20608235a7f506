"""The fake Bot API behaves like Telegram for the real python-telegram-bot client."""

from __future__ import annotations

import asyncio

import pytest
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from tests.fakes.telegram_api import (
    FakeTelegramAPI,
    blocked_by_user,
    chat_not_found,
    message_update,
    rate_limited,
    server_error,
)

TOKEN = "123456:" + "A" * 30


def _bot(api: FakeTelegramAPI) -> Bot:
    return Bot(TOKEN, base_url=api.base_url + "/bot")


def test_send_message_is_recorded_and_answered() -> None:
    async def go(api: FakeTelegramAPI) -> None:
        async with _bot(api) as bot:
            msg = await bot.send_message(chat_id=555, text="Hello £ — ok")
            assert msg.chat.id == 555
            assert msg.text == "Hello £ — ok"

    with FakeTelegramAPI() as api:
        asyncio.run(go(api))
        assert api.sent_texts(555) == ["Hello £ — ok"]
        (call,) = api.calls("sendMessage")
        assert call.token == TOKEN


def test_programmed_errors_become_the_client_exceptions() -> None:
    async def go(api: FakeTelegramAPI) -> None:
        async with _bot(api) as bot:
            with pytest.raises(RetryAfter) as retry:
                await bot.send_message(chat_id=1, text="a")
            assert "Retry in 7 seconds" in str(retry.value)
            with pytest.raises(NetworkError):
                await bot.send_message(chat_id=1, text="b")
            with pytest.raises(Forbidden, match=r"(?i)blocked by the user"):
                await bot.send_message(chat_id=2, text="c")
            with pytest.raises(BadRequest, match=r"(?i)chat not found"):
                await bot.send_message(chat_id=3, text="d")
            # queued responses are used once; chat 1 works again afterwards
            await bot.send_message(chat_id=1, text="e")

    with FakeTelegramAPI() as api:
        api.enqueue("sendMessage", rate_limited(7), server_error())
        api.set_chat_error(2, blocked_by_user())
        api.set_chat_error(3, chat_not_found())
        asyncio.run(go(api))
        assert api.sent_texts() == ["e"]
        assert [r.status for r in api.calls("sendMessage")] == [429, 500, 403, 400, 200]


def test_get_updates_serves_pushed_updates_once_confirmed() -> None:
    async def go(api: FakeTelegramAPI) -> None:
        async with _bot(api) as bot:
            first = await bot.get_updates(timeout=0)
            assert [u.message.text for u in first if u.message] == ["/help"]
            again = await bot.get_updates(offset=first[-1].update_id + 1, timeout=0)
            assert again == ()

    with FakeTelegramAPI() as api:
        api.push_update(message_update(9, "/help"))
        asyncio.run(go(api))
