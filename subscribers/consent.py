"""The exact wording people agree to, kept in one place so the consent record matches the prompt."""

from __future__ import annotations

SERVICE_NAME = "Strike alerts"

CONSENT_WORDING: dict[str, str] = {
    "sms": (
        "Texted YES to get free strike alerts by text for my postcode(s), plus a reminder the "
        "day before. Text STOP to end them at any time."
    ),
    "web": (
        "Entered the code sent to my mobile to get free strike alerts by text for my postcode, "
        "plus a reminder the day before. Text STOP to end them at any time."
    ),
    "telegram": (
        "Started the bot and chose to get strike alerts on Telegram for my postcode(s), plus a "
        "reminder the day before. /unsubscribe ends them at any time."
    ),
    "import": "Imported by an operator from an existing list of people who asked for alerts.",
    "operator": "Added by an operator at the person's request.",
}


def consent_wording(channel: str) -> str:
    """Wording for a consent channel; unknown channels are a programming error."""
    try:
        return CONSENT_WORDING[channel]
    except KeyError:
        raise ValueError(
            f"no consent wording for {channel!r}; expected one of {', '.join(CONSENT_WORDING)}"
        ) from None
