"""When a message may go out: quiet hours, reminder moments, expiry. Pure functions of ``now``.

Everything here works in UK local time (Europe/London) because that is how subscribers choose
their reminder time and how quiet hours are written, and returns aware UTC datetimes for storage.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from config.db_types import UK_TZ

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")

# A called-off alert about a walkout starting before this hour on the morning after quiet hours
# began is sent at once even at night: people plan their morning around it.
CALLED_OFF_MORNING_END = time(12, 0)

# Expiry when a strike has a start but no known end: an alert is useless a day after it began.
_DEFAULT_DURATION = timedelta(hours=24)


class TimingError(ValueError):
    """A time setting or value cannot be used; the message names it."""


def parse_hhmm(value: str, *, what: str = "time") -> time:
    """``"18:00"`` -> ``time(18, 0)``; anything else is a clear error."""
    m = _HHMM.match(value or "")
    if not m:
        raise TimingError(f"{what} {value!r} is not a 24-hour HH:MM time such as 18:00")
    return time(int(m.group(1)), int(m.group(2)))


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None:
        raise TimingError(f"{name} must be timezone-aware (got naive {value.isoformat()})")


def uk_wall(day: date, at: time) -> datetime:
    """The UTC instant of a UK wall-clock time; a time skipped by the spring change moves on."""
    local = datetime.combine(day, at, tzinfo=UK_TZ)
    # Round-trip through UTC normalises non-existent local times (01:30 on the spring change).
    return local.astimezone(UTC)


def in_quiet_hours(now: datetime, start: time, end: time) -> bool:
    """Whether ``now`` lies in [start, end) UK time; the window may cross midnight."""
    _require_aware(now, "now")
    if start == end:
        return False
    t = now.astimezone(UK_TZ).time()
    if start < end:
        return start <= t < end
    return t >= start or t < end


def quiet_end_after(now: datetime, start: time, end: time) -> datetime:
    """The end of the quiet period ``now`` is in (UTC); ``now`` itself when not quiet."""
    if not in_quiet_hours(now, start, end):
        return now.astimezone(UTC)
    local = now.astimezone(UK_TZ)
    day = local.date()
    candidate = uk_wall(day, end)
    if candidate <= now:
        candidate = uk_wall(day + timedelta(days=1), end)
    return candidate


def sms_not_before(
    now: datetime,
    quiet_start: time,
    quiet_end: time,
    *,
    called_off_walkout_start: datetime | None = None,
) -> datetime:
    """When an SMS queued at ``now`` may be sent.

    Quiet hours push it to the end of the quiet period, except a called-off alert about a walkout
    that starts before noon on the morning the quiet period ends (or has already started): that
    person may be about to arrange their morning around it.
    """
    release = quiet_end_after(now, quiet_start, quiet_end)
    if release == now.astimezone(UTC) or called_off_walkout_start is None:
        return release
    morning_limit = uk_wall(release.astimezone(UK_TZ).date(), CALLED_OFF_MORNING_END)
    if called_off_walkout_start <= morning_limit:
        return now.astimezone(UTC)
    return release


def alert_expiry(start: datetime | None, end: datetime | None) -> datetime | None:
    """An alert about a walkout is stale once the walkout is over."""
    if end is not None:
        return end
    if start is not None:
        return start + _DEFAULT_DURATION
    return None


def reminder_date(start: datetime) -> date:
    """The UK calendar day before the walkout starts: when its reminder is due."""
    _require_aware(start, "walkout start")
    return start.astimezone(UK_TZ).date() - timedelta(days=1)


def start_date_key(start: datetime) -> str:
    """The walkout's UK start date as used in reminder dedupe keys (``2026-01-11``)."""
    return start.astimezone(UK_TZ).date().isoformat()


def reminder_at(start: datetime, reminder_time: str) -> datetime:
    """The moment (UTC) a subscriber with ``reminder_time`` should be reminded of ``start``."""
    return uk_wall(reminder_date(start), parse_hhmm(reminder_time, what="reminder time"))
