"""Every word the service sends in an alert, in one place.

SMS strings must be GSM-7 (checked by the tests): one stray curly quote doubles the cost of a
million messages. Telegram strings are HTML fragments; values are escaped by the composer.
"""

from __future__ import annotations

from config.topics import HEALTH_TOPICS

# -- SMS -------------------------------------------------------------------------------------------
SMS_HEAD: dict[str, str] = {
    "announced": "STRIKE",
    "changed": "STRIKE CHANGED",
    "called_off": "STRIKE CALLED OFF",
    "reminder": "STRIKE {day}",  # day: TODAY / TOMORROW / the date
}
SMS_GROUP_HEAD = "{count} strike updates for your area"
SMS_GROUP_LABEL: dict[str, str] = {
    "announced": "NEW",
    "changed": "CHANGED",
    "called_off": "OFF",
    "reminder": "SOON",
}
SMS_STOP = "Reply STOP to end"
SMS_MORE = "+{count} more"
SMS_WAS = "was {when}"
SMS_CALLED_OFF_STATUS: dict[str, str] = {
    "suspended": "suspended",
    "postponed": "postponed",
    "cancelled": "cancelled",
    "called_off": "called off",
}

# What to do, per topic; the short form is used when the full one does not fit one segment.
ADVICE_FULL: dict[str, str] = {
    **{
        t: "Life-threatening emergency: call 999. Otherwise use NHS 111 online or a pharmacy."
        for t in HEALTH_TOPICS
    },
    "transport": "Check your journey before you travel.",
    "education": "Check with your school or college.",
    "councils": "Check your council's website for affected services.",
}
ADVICE_SHORT: dict[str, str] = {
    **{t: "Emergency: 999. Else NHS 111 online or a pharmacy." for t in HEALTH_TOPICS},
    "transport": "Check before you travel.",
    "education": "Check with your school.",
    "councils": "Check your council's website.",
}
ADVICE_CALLED_OFF = "Services run as normal."

# -- Telegram (HTML) -------------------------------------------------------------------------------
TG_HEAD: dict[str, str] = {
    "announced": "\u26a0\ufe0f <b>Strike announced</b>",
    "changed": "\u270f\ufe0f <b>Strike changed</b>",
    "called_off": "\u2705 <b>Strike called off</b>",
    "reminder": "\u23f0 <b>Reminder: strike {day}</b>",
}
TG_HEAD_SOON = "\u26a0\ufe0f <b>Strike {day}</b> (just announced)"
TG_GROUP_HEAD = "<b>{count} strike updates for your area</b>"
TG_LINE_WHO = "<b>Who:</b> {value}"
TG_LINE_SERVICES = "<b>Services:</b> {value}"
TG_LINE_WHEN = "<b>When:</b> {value} (UK time)"
TG_LINE_WAS = "<i>Previously: {value}</i>"
TG_LINE_WHERE = "<b>Where:</b> {value}"
TG_LINE_STATUS = "<b>Status:</b> {value}"
TG_LINE_TODO = "<b>What to do:</b> {value}"
TG_LINE_DETAILS = '<a href="{url}">Details</a>'
TG_LINE_SOURCES = "Sources: {value}"
TG_STOP = "Send /stop to stop these alerts."

# -- Shared ----------------------------------------------------------------------------------------
WHEN_TBC = "date to be confirmed"
WHEN_ALL_DAY = "all day"
DAY_WORDS = {0: "today", 1: "tomorrow"}
