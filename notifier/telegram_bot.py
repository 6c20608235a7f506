"""The Telegram bot: sign up by postcode, see coming strikes, choose topics and reminder time,
unsubscribe or be forgotten.

One python-telegram-bot ``Application`` serves both modes: inside the web app it has no updater
and :func:`handle_webhook_update` feeds it updates posted to ``/webhooks/telegram``; inside the
worker (no public URL) :func:`run_polling` long-polls ``getUpdates``. The API root comes from
``TELEGRAM_API_BASE_URL`` so tests point the real client at a fake server.

A chat id cannot be forged by the person sending, so a Telegram sign-up needs no second step:
asking with a postcode is the consent, recorded with the bot's wording.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import Forbidden, InvalidToken, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from config.db_types import utcnow
from config.settings import Settings
from config.topics import TOPICS
from notifier.db import session_scope
from notifier.next_strikes import describe, upcoming_for
from subscribers import service
from subscribers.postcodes import PostcodeError
from subscribers.service import SubscriptionError, resolver_for
from subscribers.sms_commands import looks_like_postcode, say_time

log = logging.getLogger(__name__)

T = TypeVar("T")
REMINDER_CHOICES = ("17:00", "18:00", "19:00", "20:00", "21:00")
WEBHOOK_PATH = "/webhooks/telegram"
ALLOWED_UPDATES = ["message", "callback_query"]

HELP = (
    "I send alerts when a strike is announced, changed or called off where you live, and a "
    "reminder the day before.\n\n"
    "/subscribe <postcode> - get alerts for a postcode (up to 3)\n"
    "/next - coming strikes for your areas\n"
    "/settings - choose topics and reminder time\n"
    "/unsubscribe - stop alerts\n"
    "/forget - delete your data\n"
    "/help - this message"
)
WELCOME = (
    "Hello! Send me your postcode (for example LS1 4DY, or just LS1) and I'll alert you "
    "about strikes that affect NHS and public services there.\n\n" + HELP
)


def build_application(settings: Settings, engine: Engine, *, polling: bool) -> Application:
    """The bot with every handler; ``polling=False`` builds it without an updater (webhooks)."""
    if not settings.telegram_bot_token:
        raise ValueError("Telegram is not configured: set TELEGRAM_BOT_TOKEN")
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token)
        .base_url(f"{settings.telegram_api_base_url}/bot")
        .base_file_url(f"{settings.telegram_api_base_url}/file/bot")
    )
    if not polling:
        builder = builder.updater(None)
    application = builder.build()
    application.bot_data["settings"] = settings
    application.bot_data["engine"] = engine
    application.add_handler(CommandHandler("start", cmd_start))
    application.add_handler(CommandHandler(["subscribe", "join"], cmd_subscribe))
    application.add_handler(CommandHandler("next", cmd_next))
    application.add_handler(CommandHandler("settings", cmd_settings))
    application.add_handler(CommandHandler(["unsubscribe", "stop"], cmd_unsubscribe))
    application.add_handler(CommandHandler("forget", cmd_forget))
    application.add_handler(CommandHandler("help", cmd_help))
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_text))
    application.add_handler(MessageHandler(filters.COMMAND, on_unknown_command))
    application.add_error_handler(on_error)
    return application


# Plumbing ----------------------------------------------------------------------------------


def _settings(context: ContextTypes.DEFAULT_TYPE) -> Settings:
    settings: Settings = context.bot_data["settings"]
    return settings


async def _db(context: ContextTypes.DEFAULT_TYPE, work: Callable[[Session], T]) -> T:
    """Run blocking database work off the event loop, in one transaction."""
    engine: Engine = context.bot_data["engine"]

    def run() -> T:
        with session_scope(engine) as session:
            return work(session)

    return await asyncio.to_thread(run)


def _chat(update: Update) -> str:
    assert update.effective_chat is not None
    return str(update.effective_chat.id)


async def _say(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    if update.effective_message is not None:
        await update.effective_message.reply_text(text, reply_markup=markup)


def mark_blocked(engine: Engine, chat_id: str, *, now: datetime) -> bool:
    """The person blocked the bot: stop their alerts. True if that changed anything."""
    with session_scope(engine) as session:
        sub = service.find(session, "telegram", chat_id)
        if sub is None or sub.status in (service.STOPPED, service.FORGOTTEN):
            return False
        service.stop(
            session, channel="telegram", address=chat_id, now=now, reason="telegram_blocked"
        )
        return True


# Subscribing -------------------------------------------------------------------------------


def _subscribe(session: Session, settings: Settings, chat: str, raw: str, now: datetime) -> str:
    resolver = resolver_for(settings)
    existing = service.find(session, "telegram", chat)
    if existing is not None and existing.status == service.ACTIVE:
        result = service.start_signup(
            session,
            settings,
            channel="telegram",
            address=chat,
            postcode=raw,
            now=now,
            resolver=resolver,
        )
        assert existing.id is not None
        postcodes = ", ".join(service.postcodes_of(session, existing.id))
        if result.outcome == "already":
            return f"You already get alerts for {result.postcode}. Your postcodes: {postcodes}."
        return f"Added {result.postcode}. You now get alerts for {postcodes}."
    sub = service.subscribe_now(
        session,
        settings,
        channel="telegram",
        address=chat,
        postcodes=[raw],
        consent_channel="telegram",
        now=now,
        resolver=resolver,
        reactivate=True,
    )
    assert sub.id is not None
    postcode = service.postcodes_of(session, sub.id)[0]
    resolved = resolver(postcode)
    place = service.place_name(resolved)
    where = f"{postcode} ({place})" if place else postcode
    return (
        f"You're signed up for strike alerts for {where}, with a reminder at "
        f"{say_time(sub.reminder_time)} the day before.\n\n"
        "/next shows coming strikes, /settings chooses topics and reminder time, "
        "/unsubscribe stops alerts."
    )


async def _subscribe_reply(update: Update, context: ContextTypes.DEFAULT_TYPE, raw: str) -> None:
    settings = _settings(context)
    chat, now = _chat(update), utcnow()
    try:
        text = await _db(context, lambda s: _subscribe(s, settings, chat, raw, now))
    except PostcodeError as exc:
        text = f"{exc}\n\nSend your postcode again, for example /subscribe LS1 4DY."
    except service.TooManyPostcodes:
        text = (
            f"You can have up to {settings.max_postcodes} postcodes. Use /unsubscribe and "
            "start again to replace them."
        )
    except SubscriptionError as exc:
        text = str(exc)
    await _say(update, text)


async def cmd_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    payload = " ".join(context.args or [])
    if payload and looks_like_postcode(payload):
        await _subscribe_reply(update, context, payload)
        return
    chat, now = _chat(update), utcnow()

    def resume(session: Session) -> str | None:
        sub = service.find(session, "telegram", chat)
        if sub is not None and sub.status == service.PENDING and sub.id is not None:
            # Added by an operator: starting the bot is the person's own confirmation.
            if service.postcodes_of(session, sub.id):
                service.confirm(
                    session,
                    channel="telegram",
                    address=chat,
                    consent_channel="telegram",
                    now=now,
                )
                return "You're signed up for strike alerts. /help lists what I can do."
            return None
        if sub is None or sub.status != service.STOPPED:
            return None
        sub = service.resume(session, channel="telegram", address=chat, now=now)
        if sub.status == service.ACTIVE:
            return "Welcome back: your strike alerts are on again. /help lists what I can do."
        return None

    text = await _db(context, resume)
    await _say(update, text or WELCOME)


async def cmd_subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    raw = " ".join(context.args or [])
    if not raw:
        await _say(update, "Send /subscribe and your postcode, for example /subscribe LS1 4DY.")
        return
    await _subscribe_reply(update, context, raw)


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    text = (update.effective_message.text if update.effective_message else None) or ""
    if looks_like_postcode(text):
        await _subscribe_reply(update, context, text)
        return
    await _say(
        update,
        "Sorry, I didn't understand that. Send your postcode (for example LS1 4DY) to get "
        "alerts, or /help to see what I can do.",
    )


async def on_unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _say(update, "I don't know that command.\n\n" + HELP)


# Other commands ----------------------------------------------------------------------------

NOT_SIGNED_UP = "You're not signed up yet. Send your postcode (for example LS1 4DY) to start."


async def cmd_next(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat, now = _chat(update), utcnow()

    def work(session: Session) -> str:
        sub = service.find(session, "telegram", chat)
        if sub is None or sub.id is None or sub.status != service.ACTIVE:
            return NOT_SIGNED_UP
        found = upcoming_for(session, sub.id, now=now, limit=5)
        if not found:
            return "No strikes are announced for your areas and topics. I'll tell you if one is."
        lines = []
        for s in found:
            line = describe(s)
            if s.details_url:
                line += f"\n{s.details_url}"
            lines.append(line)
        return "Coming strikes:\n\n" + "\n\n".join(lines)

    await _say(update, await _db(context, work))


def settings_view(session: Session, chat: str) -> tuple[str, InlineKeyboardMarkup] | None:
    """The settings message and its keyboard: topics to toggle, reminder times to pick."""
    sub = service.find(session, "telegram", chat)
    if sub is None or sub.id is None or sub.status == service.FORGOTTEN:
        return None
    chosen = set(service.topics_of(session, sub.id))
    rows = [
        [
            InlineKeyboardButton(
                f"{'✅' if key in chosen else '⬜'} {label}", callback_data=f"topic:{key}"
            )
        ]
        for key, label in TOPICS.items()
    ]
    rows.append(
        [
            InlineKeyboardButton(
                f"{'• ' if t == sub.reminder_time else ''}{say_time(t)}",
                callback_data=f"remind:{t}",
            )
            for t in REMINDER_CHOICES
        ]
    )
    postcodes = ", ".join(service.postcodes_of(session, sub.id)) or "none"
    text = (
        f"Postcodes: {postcodes}\n"
        f"Reminder: {say_time(sub.reminder_time)} the day before each strike\n\n"
        "Tap a topic to switch it on or off, or a time for your reminder."
    )
    return text, InlineKeyboardMarkup(rows)


async def cmd_settings(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = _chat(update)
    view = await _db(context, lambda s: settings_view(s, chat))
    if view is None:
        await _say(update, NOT_SIGNED_UP)
        return
    await _say(update, view[0], view[1])


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None:
        return
    chat, now = _chat(update), utcnow()
    kind, _, value = (query.data or "").partition(":")

    def work(session: Session) -> tuple[str, tuple[str, InlineKeyboardMarkup] | None]:
        try:
            if kind == "topic":
                service.toggle_topic(
                    session, channel="telegram", address=chat, topic=value, now=now
                )
                note = "Saved"
            elif kind == "remind":
                service.set_reminder_time(
                    session, channel="telegram", address=chat, hhmm=value, now=now
                )
                note = f"Reminder at {say_time(value)}"
            else:
                note = "That button has expired"
        except SubscriptionError as exc:
            note = str(exc)
        return note, settings_view(session, chat)

    note, view = await _db(context, work)
    await query.answer(note[:200])
    if view is not None and query.message is not None:
        await query.edit_message_text(view[0], reply_markup=view[1])


async def cmd_unsubscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat, now = _chat(update), utcnow()

    def work(session: Session) -> bool:
        sub = service.stop(
            session, channel="telegram", address=chat, now=now, reason="telegram_unsubscribe"
        )
        return sub is not None

    had = await _db(context, work)
    await _say(
        update,
        "Done: you won't get any more strike alerts. Send /start to turn them back on, or "
        "/forget to delete your data."
        if had
        else NOT_SIGNED_UP,
    )


async def cmd_forget(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat, now = _chat(update), utcnow()
    had = await _db(context, lambda s: service.forget(s, channel="telegram", address=chat, now=now))
    await _say(
        update,
        "Your chat id, postcodes and settings have been deleted, and alerts have stopped. "
        "Send your postcode if you ever want them again."
        if had
        else "I hold no data about you.",
    )


async def cmd_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _say(update, HELP)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A send failed: if the person blocked the bot, stop their alerts; else log it."""
    if isinstance(context.error, Forbidden) and isinstance(update, Update):
        chat = update.effective_chat
        if chat is not None:
            engine: Engine = context.bot_data["engine"]
            await asyncio.to_thread(mark_blocked, engine, str(chat.id), now=utcnow())
            log.info("telegram chat blocked the bot; alerts stopped")
            return
    log.error("telegram handler failed", exc_info=context.error)
    if isinstance(update, Update) and update.effective_message is not None:
        try:
            await update.effective_message.reply_text(
                "Sorry, something went wrong on our side. Please try again in a few minutes."
            )
        except TelegramError:
            log.warning("could not tell the chat about the failure")


# Running -----------------------------------------------------------------------------------


async def handle_webhook_update(application: Application, data: dict[str, object]) -> None:
    update = Update.de_json(data, application.bot)
    if update is not None:
        await application.process_update(update)


async def register_webhook(application: Application, settings: Settings) -> None:
    """Tell Telegram where to post updates, with the secret it must send back."""
    if not settings.public_base_url:
        raise ValueError("PUBLIC_BASE_URL is needed for webhook mode")
    await application.bot.set_webhook(
        url=settings.public_base_url + WEBHOOK_PATH,
        secret_token=settings.telegram_webhook_secret,
        allowed_updates=ALLOWED_UPDATES,
    )


async def run_polling(settings: Settings, engine: Engine, stop: asyncio.Event) -> None:
    """Worker mode (no public URL): long-poll until ``stop`` is set.

    If Telegram cannot be reached at start the bot retries with a growing pause (up to a minute)
    instead of giving up; a rejected token is reported once and polling stops.
    """
    pause = 1.0
    while not stop.is_set():
        application = build_application(settings, engine, polling=True)
        try:
            async with application:
                assert application.updater is not None
                await application.updater.start_polling(
                    allowed_updates=ALLOWED_UPDATES, poll_interval=0.0, timeout=10
                )
                await application.start()
                log.info("telegram polling started")
                try:
                    await stop.wait()
                finally:
                    await application.updater.stop()
                    await application.stop()
            return
        except InvalidToken:
            log.error("telegram rejected TELEGRAM_BOT_TOKEN; not polling for messages")
            return
        except TelegramError as exc:
            log.warning(
                "telegram not reachable; polling will retry",
                extra={"error": str(exc), "retry_in_s": pause},
            )
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), pause)
        pause = min(pause * 2, 60.0)
