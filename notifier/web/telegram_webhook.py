"""``POST /webhooks/telegram``: updates from Telegram, checked against the secret token.

The bot application is started with the web app (and the webhook registered when
``PUBLIC_BASE_URL`` and ``TELEGRAM_WEBHOOK_SECRET`` are set). If Telegram cannot be reached at
start-up the web app still starts, and the bot is started on the first update instead.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import Response
from telegram.error import TelegramError
from telegram.ext import Application

from config.settings import Settings
from notifier.telegram_bot import (
    WEBHOOK_PATH,
    build_application,
    handle_webhook_update,
    register_webhook,
)

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class _Bot:
    """The app's bot, started once, lazily if start-up could not reach Telegram."""

    def __init__(self, application: Application | None) -> None:
        self.application = application
        self.started = False
        self.lock = asyncio.Lock()

    async def ensure_started(self) -> Application:
        assert self.application is not None
        async with self.lock:
            if not self.started:
                await self.application.initialize()
                self.started = True
        return self.application


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
    settings: Settings = app.state.settings
    application = (
        build_application(settings, app.state.engine, polling=False)
        if settings.telegram_enabled
        else None
    )
    bot = _Bot(application)
    app.state.telegram = bot
    if application is not None:
        try:
            await bot.ensure_started()
            if settings.public_base_url and settings.telegram_webhook_secret:
                await register_webhook(application, settings)
            elif settings.public_base_url:
                log.warning(
                    "PUBLIC_BASE_URL is set but TELEGRAM_WEBHOOK_SECRET is not: Telegram updates "
                    "cannot be verified and are refused; set the secret to enable the bot"
                )
        except TelegramError as exc:
            log.warning("telegram not reachable at start-up", extra={"error": str(exc)})
    try:
        yield {}
    finally:
        if application is not None and bot.started:
            await application.shutdown()


router = APIRouter(lifespan=lifespan)


@router.post(WEBHOOK_PATH)
async def telegram_update(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    secret = settings.telegram_webhook_secret
    given = request.headers.get(SECRET_HEADER, "")
    if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
        log.warning("telegram webhook refused: bad or missing secret token")
        raise HTTPException(status_code=403, detail="Invalid Telegram secret token")
    bot: _Bot | None = getattr(request.app.state, "telegram", None)
    if bot is None or bot.application is None:
        raise HTTPException(status_code=404, detail="Telegram is not configured")
    try:
        data = await request.json()
    except ValueError:
        raise HTTPException(status_code=400, detail="Body is not JSON") from None
    if not isinstance(data, dict):
        raise HTTPException(status_code=400, detail="Body is not a Telegram update")
    application = await bot.ensure_started()
    await handle_webhook_update(application, data)
    return Response(status_code=200)
