"""Per-channel send rates, with aiolimiter's leaky buckets rather than sleeps in loops.

* SMS: Twilio meters a sender in *segments* per second, so a two-segment alert costs two.
  A 429 from Twilio is account-wide: every SMS waits out its Retry-After.
* Telegram: about 30 messages a second overall and one a second per chat. python-telegram-bot's
  ``AIORateLimiter`` has no per-chat bucket and stops every chat on a single 429, so we keep our
  own: one global bucket plus one bucket per chat; a 429 delays only the chat it names (the
  dispatcher re-queues that message for after the Retry-After). Several 429s within a second
  mean the bot as a whole is over its limit, and then every chat waits.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict

from aiolimiter import AsyncLimiter

from config.settings import Settings

TELEGRAM_PER_CHAT_PER_SECOND = 1.0
MAX_TRACKED_CHATS = 10_000  # more than a second's worth at any allowed global rate
SMS_MAX_SEGMENTS_PER_MESSAGE = 2
FLOOD_WINDOW_SECONDS = 1.0
FLOOD_PAUSE_AFTER = 3  # 429s for different chats within the window: the whole bot is limited


def make_limiter(rate_per_second: float, burst: float = 1.0) -> AsyncLimiter:
    """A bucket holding ``burst`` tokens, refilled at ``rate_per_second``.

    aiolimiter refuses a single acquire larger than the bucket, so the bucket is at least as big
    as the largest cost (``burst``); the period is stretched to keep the rate.
    """
    if rate_per_second <= 0:
        raise ValueError(f"a send rate must be positive, got {rate_per_second}")
    capacity = max(burst, 1.0)
    return AsyncLimiter(max_rate=capacity, time_period=capacity / rate_per_second)


class SendRateLimiter:
    """Waits until one more message may go out on a channel without breaking its limits."""

    def __init__(self, settings: Settings) -> None:
        sms_rate = settings.sms_segments_per_second
        tg_rate = settings.telegram_messages_per_second
        # Allow a one-second burst at the configured rate, never less than one whole message.
        self._sms = make_limiter(sms_rate, max(sms_rate, SMS_MAX_SEGMENTS_PER_MESSAGE))
        self._telegram = make_limiter(tg_rate, max(tg_rate, 1.0))
        self._chats: OrderedDict[str, AsyncLimiter] = OrderedDict()
        self._paused_until: dict[str, float] = {}
        self._floods: list[float] = []

    def _chat(self, chat_id: str) -> AsyncLimiter:
        limiter = self._chats.get(chat_id)
        if limiter is None:
            limiter = make_limiter(TELEGRAM_PER_CHAT_PER_SECOND)
            self._chats[chat_id] = limiter
            if len(self._chats) > MAX_TRACKED_CHATS:
                self._chats.popitem(last=False)  # the least recently used: long since refilled
        else:
            self._chats.move_to_end(chat_id)
        return limiter

    async def acquire(self, channel: str, address: str, cost: int = 1) -> None:
        """Wait for capacity; ``cost`` is SMS segments (ignored for Telegram)."""
        pause = self._paused_until.get(channel, 0.0) - time.monotonic()
        if pause > 0:
            await asyncio.sleep(pause)
        if channel == "sms":
            await self._sms.acquire(min(max(cost, 1), SMS_MAX_SEGMENTS_PER_MESSAGE))
        elif channel == "telegram":
            await self._chat(address).acquire()
            await self._telegram.acquire()
        # other channels (console) are not limited

    def pause_channel(self, channel: str, seconds: float) -> None:
        """Hold every send on ``channel`` for ``seconds`` (an account-wide 429)."""
        until = time.monotonic() + max(0.0, seconds)
        self._paused_until[channel] = max(self._paused_until.get(channel, 0.0), until)

    def telegram_flood(self, retry_after: float) -> bool:
        """A 429 from Telegram. Returns True when it made every chat wait (bot-wide flood)."""
        now = time.monotonic()
        self._floods = [t for t in self._floods if now - t < FLOOD_WINDOW_SECONDS]
        self._floods.append(now)
        if len(self._floods) >= FLOOD_PAUSE_AFTER:
            self.pause_channel("telegram", retry_after)
            return True
        return False

    def channel_paused_for(self, channel: str) -> float:
        return max(0.0, self._paused_until.get(channel, 0.0) - time.monotonic())
