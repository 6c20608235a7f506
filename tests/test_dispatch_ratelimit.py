"""Send-rate limits: SMS metered in segments, Telegram per chat and overall."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import pytest

from config.settings import load_settings
from notifier.ratelimit import SendRateLimiter, make_limiter


def _elapsed(coro_factory: Callable[[], Awaitable[None]]) -> float:
    async def run() -> float:
        t0 = time.monotonic()
        await coro_factory()
        return time.monotonic() - t0

    return asyncio.run(run())


def test_sms_limit_counts_segments_not_messages() -> None:
    limiter = SendRateLimiter(load_settings(_env_file=None, SMS_SEGMENTS_PER_SECOND=10))

    async def ten(segments: int) -> None:
        for _ in range(10):
            await limiter.acquire("sms", "+447700900001", segments)

    assert _elapsed(lambda: ten(1)) < 0.6  # ten segments: the one-second allowance
    limiter = SendRateLimiter(load_settings(_env_file=None, SMS_SEGMENTS_PER_SECOND=10))
    # Twenty segments at ten a second: the second ten wait about a second.
    assert _elapsed(lambda: ten(2)) >= 0.85


def test_telegram_one_message_a_second_per_chat_without_holding_others() -> None:
    limiter = SendRateLimiter(load_settings(_env_file=None, TELEGRAM_MESSAGES_PER_SECOND=30))

    async def same_chat() -> None:
        await limiter.acquire("telegram", "111")
        await limiter.acquire("telegram", "111")

    assert _elapsed(same_chat) >= 0.9

    async def many_chats() -> None:
        await asyncio.gather(*(limiter.acquire("telegram", str(1000 + i)) for i in range(20)))

    assert _elapsed(many_chats) < 0.8


def test_telegram_overall_rate() -> None:
    limiter = SendRateLimiter(load_settings(_env_file=None, TELEGRAM_MESSAGES_PER_SECOND=10))

    async def twenty_chats() -> None:
        await asyncio.gather(*(limiter.acquire("telegram", str(i)) for i in range(20)))

    assert _elapsed(twenty_chats) >= 0.85


def test_an_account_wide_429_pauses_sms_only() -> None:
    limiter = SendRateLimiter(load_settings(_env_file=None))
    limiter.pause_channel("sms", 1.2)
    assert limiter.channel_paused_for("sms") > 1.0
    assert _elapsed(lambda: limiter.acquire("telegram", "1")) < 0.5
    assert _elapsed(lambda: limiter.acquire("sms", "+447700900001")) >= 0.6


def test_slow_rates_and_bad_rates() -> None:
    limiter = make_limiter(0.5)  # one every two seconds still admits a whole message
    assert limiter.max_rate == 1.0 and limiter.time_period == 2.0
    with pytest.raises(ValueError, match="must be positive"):
        make_limiter(0)


def test_one_telegram_429_holds_one_chat_but_several_hold_the_bot() -> None:
    limiter = SendRateLimiter(load_settings(_env_file=None))
    assert limiter.telegram_flood(2.0) is False
    assert limiter.channel_paused_for("telegram") == 0
    assert limiter.telegram_flood(2.0) is False
    assert limiter.telegram_flood(2.0) is True
    assert 1.5 < limiter.channel_paused_for("telegram") <= 2.0
    assert limiter.channel_paused_for("sms") == 0
