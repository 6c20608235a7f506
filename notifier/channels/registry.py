"""Which implementation serves each channel name, given the settings.

A channel without credentials falls back to the console, so a fresh install runs end to end and
prints what it would send.
"""

from __future__ import annotations

from config.settings import Settings
from notifier.channels.base import Channel
from notifier.channels.console import ConsoleChannel

CHANNEL_NAMES: tuple[str, ...] = ("sms", "telegram")


class UnknownChannel(ValueError):
    """A channel name nobody implements."""


def get_channel(settings: Settings, name: str) -> Channel:
    """A ready channel for ``name`` ("sms" or "telegram"); call ``await channel.aclose()`` after."""
    if name == "sms":
        if settings.sms_enabled:
            from notifier.channels.twilio_sms import TwilioSmsChannel

            return TwilioSmsChannel(settings)
        return ConsoleChannel("sms")
    if name == "telegram":
        if settings.telegram_enabled:
            from notifier.channels.telegram import TelegramChannel

            return TelegramChannel(settings)
        return ConsoleChannel("telegram")
    raise UnknownChannel(f"unknown channel {name!r}; expected one of {', '.join(CHANNEL_NAMES)}")
