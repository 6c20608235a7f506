"""Telegram messages through python-telegram-bot's ``Bot``, pointed at ``TELEGRAM_API_BASE_URL``.

Text is Telegram HTML (``parse_mode=HTML``): the composer escapes every value it inserts.
Rate limiting is the dispatcher's job (see :mod:`notifier.ratelimit`), not the Bot's, so a 429
for one chat does not pause every other chat.
"""

from __future__ import annotations

import datetime as dt
import logging

from telegram import Bot, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import HTTPXRequest

from config.settings import Settings
from notifier.channels.base import DeliveryResult, Outcome

log = logging.getLogger(__name__)

_CHAT_GONE = (
    "chat not found",
    "user not found",
    "peer_id_invalid",
    "chat_id is empty",
    "group chat was deactivated",
)


def classify_telegram_error(exc: TelegramError) -> DeliveryResult:
    """Turn a python-telegram-bot error into what the dispatcher should do about it."""
    text = f"telegram {type(exc).__name__}: {exc.message}"
    if isinstance(exc, RetryAfter):
        wait = exc.retry_after
        seconds = wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)
        return DeliveryResult(Outcome.RETRY, error=text, retry_after=seconds)
    if isinstance(exc, Forbidden):  # blocked by the user, or the user deleted their account
        return DeliveryResult(Outcome.OPTED_OUT, error=text)
    if isinstance(exc, BadRequest):  # BadRequest is a NetworkError subclass: test it first
        if any(marker in exc.message.lower() for marker in _CHAT_GONE):
            return DeliveryResult(Outcome.INVALID_ADDRESS, error=text)
        return DeliveryResult(Outcome.FAILED, error=text)
    if isinstance(exc, ChatMigrated):
        return DeliveryResult(Outcome.INVALID_ADDRESS, error=f"{text} (new id {exc.new_chat_id})")
    if isinstance(exc, InvalidToken):
        return DeliveryResult(Outcome.FAILED, error=text)
    if isinstance(exc, TimedOut | NetworkError):
        return DeliveryResult(Outcome.RETRY, error=text)
    return DeliveryResult(Outcome.FAILED, error=text)


class TelegramChannel:
    """Sends one HTML message per call to a chat id. Never raises for delivery problems."""

    name = "telegram"

    def __init__(self, settings: Settings, *, timeout: float = 10.0) -> None:
        if not settings.telegram_bot_token:
            raise ValueError("Telegram is not configured: set TELEGRAM_BOT_TOKEN")
        self._request = HTTPXRequest(
            connection_pool_size=64,
            read_timeout=timeout,
            write_timeout=timeout,
            connect_timeout=timeout,
            pool_timeout=timeout,
        )
        self.bot = Bot(
            settings.telegram_bot_token,
            base_url=f"{settings.telegram_api_base_url}/bot",
            base_file_url=f"{settings.telegram_api_base_url}/file/bot",
            request=self._request,
        )
        self._started = False

    async def send(
        self, address: str, text: str, *, validity_seconds: int | None = None
    ) -> DeliveryResult:
        """``validity_seconds`` is ignored: Telegram delivers at once or fails at once."""
        if not address:
            return DeliveryResult(Outcome.INVALID_ADDRESS, error="no chat id")
        if not self._started:
            await self._request.initialize()
            self._started = True
        try:
            message = await self.bot.send_message(
                chat_id=address,
                text=text,
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        except TelegramError as exc:
            result = classify_telegram_error(exc)
            log.info(
                "telegram not sent", extra={"outcome": result.outcome.value, "error": result.error}
            )
            return result
        return DeliveryResult(
            Outcome.SENT,
            provider_message_id=f"{message.chat_id}:{message.message_id}",
            provider_status="delivered",
        )

    async def aclose(self) -> None:
        if self._started:
            await self._request.shutdown()
            self._started = False
