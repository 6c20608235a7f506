"""Subscription changes: sign up, confirm, stop, resume, forget, postcodes, topics, reminders.

Every function works inside the caller's transaction (use ``notifier.db.session_scope`` or commit
the session yourself) and checks everything it can (postcodes resolved, limits, times) before the
first write, so a refusal leaves nothing half-written; a database error rolls the whole change
back with the caller's transaction. Functions take ``now``; none reads the clock.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import delete, func, insert, update
from sqlmodel import Session, col, select

from config.settings import Settings
from config.topics import DEFAULT_TOPICS, TOPICS
from subscribers.consent import consent_wording
from subscribers.models import (
    AnonymousCount,
    Subscriber,
    SubscriberArea,
    SubscriberPostcode,
    SubscriberTopic,
    VerificationCode,
)

log = logging.getLogger(__name__)

CHANNELS = ("sms", "telegram")
PENDING, ACTIVE, STOPPED, FORGOTTEN = "pending", "active", "stopped", "forgotten"
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class AreaLike(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def type(self) -> str: ...


class ResolvedPostcode(Protocol):
    """What :func:`subscribers.areas.resolve_postcode` returns."""

    @property
    def postcode(self) -> str: ...
    @property
    def areas(self) -> Sequence[AreaLike]: ...


Resolver = Callable[[str], ResolvedPostcode]


def default_resolver(raw: str) -> ResolvedPostcode:
    """The ONS-backed resolver; imported late so the module loads before the gazetteer does."""
    from subscribers.areas import resolve_postcode

    return resolve_postcode(raw)


def resolver_for(settings: Settings) -> Resolver:
    """The ONS resolver reading the index at ``POSTCODE_INDEX_PATH`` (or the default cache)."""

    def resolve(raw: str) -> ResolvedPostcode:
        from subscribers.areas import resolve_postcode

        return resolve_postcode(raw, index_path=settings.postcode_index_path)

    return resolve


class SubscriptionError(ValueError):
    """A request that cannot be carried out; the message says why, for the resident."""


class NotSubscribed(SubscriptionError):
    pass


class NothingToConfirm(SubscriptionError):
    pass


class TooManyPostcodes(SubscriptionError):
    pass


class SubscriberStopped(SubscriptionError):
    """The address opted out; only START (or the channel's equivalent) may turn alerts back on."""


class InvalidTopics(SubscriptionError):
    pass


class InvalidReminderTime(SubscriptionError):
    pass


@dataclass(frozen=True)
class SignupResult:
    subscriber: Subscriber
    postcode: str  # normalised
    place: str | None  # district or county name, for the confirmation prompt
    outcome: str  # pending | added | already | changed


# Look-ups -----------------------------------------------------------------------------------


def check_channel(channel: str) -> str:
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}; expected sms or telegram")
    return channel


def find(session: Session, channel: str, address: str) -> Subscriber | None:
    return session.exec(
        select(Subscriber).where(Subscriber.channel == channel, Subscriber.address == address)
    ).first()


def require(session: Session, channel: str, address: str) -> Subscriber:
    sub = find(session, channel, address)
    if sub is None or sub.status == FORGOTTEN:
        raise NotSubscribed("You're not signed up. Send your postcode to get strike alerts.")
    return sub


def postcodes_of(session: Session, subscriber_id: int) -> list[str]:
    rows = session.exec(
        select(SubscriberPostcode.postcode)
        .where(SubscriberPostcode.subscriber_id == subscriber_id)
        .order_by(SubscriberPostcode.postcode)
    ).all()
    return list(rows)


def topics_of(session: Session, subscriber_id: int) -> list[str]:
    rows = set(
        session.exec(
            select(SubscriberTopic.topic).where(SubscriberTopic.subscriber_id == subscriber_id)
        ).all()
    )
    return [t for t in TOPICS if t in rows]


def area_codes_of(session: Session, subscriber_id: int) -> list[str]:
    rows = session.exec(
        select(SubscriberArea.area_code)
        .where(SubscriberArea.subscriber_id == subscriber_id)
        .order_by(SubscriberArea.area_code)
    ).all()
    return list(rows)


def place_name(resolved: ResolvedPostcode) -> str | None:
    """The most local named area: what a resident would call where they live."""
    by_type = {a.type: a.name for a in resolved.areas}
    for kind in ("district", "county", "health_board", "icb", "nation"):
        if by_type.get(kind):
            return by_type[kind]
    return None


# Writes ---------------------------------------------------------------------------------------


def _bump(session: Session, name: str, by: int = 1) -> None:
    """Anonymous counters survive FORGET; they hold no link to anyone."""
    done = session.execute(
        update(AnonymousCount)
        .where(col(AnonymousCount.name) == name)
        .values(value=col(AnonymousCount.value) + by)
    )
    if getattr(done, "rowcount", 0) == 0:
        session.add(AnonymousCount(name=name, value=by))
    session.flush()


def _resolve_all(raws: Iterable[str], resolver: Resolver) -> list[ResolvedPostcode]:
    out: dict[str, ResolvedPostcode] = {}
    for raw in raws:
        resolved = resolver(raw)
        out.setdefault(resolved.postcode, resolved)
    return list(out.values())


def _write_postcodes(
    session: Session, subscriber_id: int, resolved: Sequence[ResolvedPostcode]
) -> None:
    """Replace the subscriber's postcodes and rebuild their area set from them."""
    sid = subscriber_id
    session.execute(delete(SubscriberPostcode).where(col(SubscriberPostcode.subscriber_id) == sid))
    session.execute(delete(SubscriberArea).where(col(SubscriberArea.subscriber_id) == sid))
    session.flush()
    postcodes = sorted({r.postcode for r in resolved})
    codes = sorted({a.code for r in resolved for a in r.areas})
    if postcodes:
        session.execute(
            insert(SubscriberPostcode),
            [{"subscriber_id": sid, "postcode": p} for p in postcodes],
        )
    if codes:
        session.execute(
            insert(SubscriberArea), [{"subscriber_id": sid, "area_code": c} for c in codes]
        )
    session.flush()


def _add_areas(session: Session, subscriber_id: int, resolved: ResolvedPostcode) -> None:
    have = set(area_codes_of(session, subscriber_id))
    new = sorted({a.code for a in resolved.areas} - have)
    if new:
        session.execute(
            insert(SubscriberArea),
            [{"subscriber_id": subscriber_id, "area_code": c} for c in new],
        )
    session.flush()


def _set_topics(session: Session, subscriber_id: int, topics: Iterable[str]) -> None:
    session.execute(
        delete(SubscriberTopic).where(col(SubscriberTopic.subscriber_id) == subscriber_id)
    )
    rows = [{"subscriber_id": subscriber_id, "topic": t} for t in TOPICS if t in set(topics)]
    if rows:
        session.execute(insert(SubscriberTopic), rows)
    session.flush()


def validate_topics(topics: Iterable[str]) -> tuple[str, ...]:
    chosen = list(dict.fromkeys(topics))
    unknown = [t for t in chosen if t not in TOPICS]
    if unknown:
        raise InvalidTopics(f"Unknown topic {', '.join(unknown)}; choose from {', '.join(TOPICS)}.")
    if not chosen:
        raise InvalidTopics("Choose at least one topic (or stop alerts altogether).")
    return tuple(t for t in TOPICS if t in chosen)


def validate_reminder_time(value: str) -> str:
    if not _HHMM.match(value or ""):
        raise InvalidReminderTime(
            f"{value!r} is not a time; give it as 24-hour HH:MM, such as 18:00 or 19:30."
        )
    return value


def new_pending_subscriber(
    session: Session, settings: Settings, channel: str, address: str, now: datetime
) -> Subscriber:
    sub = Subscriber(
        channel=channel,
        address=address,
        status=PENDING,
        reminder_time=settings.default_reminder_time,
        created_at=now,
        updated_at=now,
    )
    session.add(sub)
    session.flush()
    assert sub.id is not None
    _set_topics(session, sub.id, DEFAULT_TOPICS)
    return sub


def _activate(session: Session, sub: Subscriber, consent_channel: str, now: datetime) -> None:
    sub.status = ACTIVE
    sub.stop_reason = None
    sub.consent_at = now
    sub.consent_channel = consent_channel
    sub.consent_text = consent_wording(consent_channel)
    sub.updated_at = now
    session.add(sub)
    _bump(session, "joined")
    _bump(session, f"joined_{consent_channel}")


def start_signup(
    session: Session,
    settings: Settings,
    *,
    channel: str,
    address: str,
    postcode: str,
    now: datetime,
    resolver: Resolver = default_resolver,
) -> SignupResult:
    """A resident asked to join with a postcode (SMS JOIN, Telegram /subscribe, web form).

    New or pending: the postcode is recorded and the subscriber waits for YES / a code.
    Already active: the postcode is added (up to ``MAX_POSTCODES``), no new consent needed.
    Stopped: refused; only START turns alerts back on (Twilio blocks texts until then anyway).
    Raises :class:`subscribers.postcodes.PostcodeError` for a postcode that cannot be used.
    """
    check_channel(channel)
    resolved = resolver(postcode)
    place = place_name(resolved)
    sub = find(session, channel, address)
    if sub is not None and sub.status == STOPPED:
        raise SubscriberStopped("You stopped strike alerts. Send START to turn them back on first.")
    if sub is None or sub.status == FORGOTTEN:
        sub = new_pending_subscriber(session, settings, channel, address, now)
        assert sub.id is not None
        _write_postcodes(session, sub.id, [resolved])
        log.info("signup started", extra={"subscriber_id": sub.id, "channel": channel})
        return SignupResult(sub, resolved.postcode, place, "pending")
    assert sub.id is not None
    if sub.status == PENDING:
        _write_postcodes(session, sub.id, [resolved])
        sub.updated_at = now
        session.add(sub)
        return SignupResult(sub, resolved.postcode, place, "pending")
    have = postcodes_of(session, sub.id)
    if resolved.postcode in have:
        return SignupResult(sub, resolved.postcode, place, "already")
    if len(have) >= settings.max_postcodes:
        raise TooManyPostcodes(
            f"You can have up to {settings.max_postcodes} postcodes; replace them with CHANGE."
        )
    session.add(SubscriberPostcode(subscriber_id=sub.id, postcode=resolved.postcode))
    session.flush()
    _add_areas(session, sub.id, resolved)
    sub.updated_at = now
    session.add(sub)
    return SignupResult(sub, resolved.postcode, place, "added")


def confirm(
    session: Session, *, channel: str, address: str, consent_channel: str, now: datetime
) -> Subscriber:
    """YES by text, the right web code, or the Telegram button: pending becomes active."""
    sub = find(session, channel, address)
    if sub is None or sub.status in (FORGOTTEN, STOPPED):
        raise NothingToConfirm("There is no sign-up waiting: send your postcode first.")
    if sub.status == ACTIVE:
        return sub
    assert sub.id is not None
    if not postcodes_of(session, sub.id):
        raise NothingToConfirm("There is no sign-up waiting: send your postcode first.")
    _activate(session, sub, consent_channel, now)
    log.info("subscriber confirmed", extra={"subscriber_id": sub.id, "channel": channel})
    return sub


def subscribe_now(
    session: Session,
    settings: Settings,
    *,
    channel: str,
    address: str,
    postcodes: Sequence[str],
    consent_channel: str,
    now: datetime,
    topics: Sequence[str] | None = None,
    resolver: Resolver = default_resolver,
    reactivate: bool = False,
) -> Subscriber:
    """Create (or update) an active subscriber in one step: Telegram, operators, imports.

    Refuses a stopped address unless ``reactivate`` (an operator acting on the person's request).
    """
    check_channel(channel)
    if not postcodes:
        raise SubscriptionError("At least one postcode is needed.")
    resolved = _resolve_all(postcodes, resolver)
    if len(resolved) > settings.max_postcodes:
        raise TooManyPostcodes(f"At most {settings.max_postcodes} postcodes per subscriber.")
    chosen = validate_topics(topics) if topics is not None else None
    sub = find(session, channel, address)
    if sub is not None and sub.status == STOPPED and not reactivate:
        raise SubscriberStopped(
            "This address stopped alerts; it must opt back in (START) before it can be added."
        )
    if sub is None or sub.status == FORGOTTEN:
        sub = new_pending_subscriber(session, settings, channel, address, now)
    assert sub.id is not None
    _write_postcodes(session, sub.id, resolved)
    if chosen is not None:
        _set_topics(session, sub.id, chosen)
    if sub.status != ACTIVE:
        _activate(session, sub, consent_channel, now)
    sub.updated_at = now
    session.add(sub)
    session.flush()
    return sub


def stop(
    session: Session, *, channel: str, address: str, now: datetime, reason: str = "stop"
) -> Subscriber | None:
    """Stop at once; idempotent. Unknown addresses are a no-op (nothing to stop)."""
    sub = find(session, channel, address)
    if sub is None or sub.status == FORGOTTEN:
        return None
    if sub.status != STOPPED:
        was = sub.status
        sub.status = STOPPED
        sub.stop_reason = reason
        sub.updated_at = now
        session.add(sub)
        if was == ACTIVE:
            _bump(session, "stopped")
        log.info(
            "subscriber stopped",
            extra={"subscriber_id": sub.id, "channel": channel, "reason": reason},
        )
    session.flush()
    return sub


def stop_by_id(session: Session, subscriber_id: int, *, now: datetime, reason: str) -> bool:
    """For delivery feedback (Twilio 21610, Telegram blocked): True when it changed anything."""
    sub = session.get(Subscriber, subscriber_id)
    if sub is None or sub.address is None or sub.status in (STOPPED, FORGOTTEN):
        return False
    stop(session, channel=sub.channel, address=sub.address, now=now, reason=reason)
    return True


def resume(session: Session, *, channel: str, address: str, now: datetime) -> Subscriber:
    """START / UNSTOP: a stopped subscriber who had consented becomes active again."""
    sub = require(session, channel, address)
    assert sub.id is not None
    if sub.status == STOPPED:
        if sub.consent_at is not None and postcodes_of(session, sub.id):
            sub.status = ACTIVE
            _bump(session, "resumed")
        else:
            sub.status = PENDING
        sub.stop_reason = None
        sub.updated_at = now
        session.add(sub)
        session.flush()
    return sub


def change_postcode(
    session: Session,
    settings: Settings,
    *,
    channel: str,
    address: str,
    postcodes: Sequence[str],
    now: datetime,
    resolver: Resolver = default_resolver,
) -> list[str]:
    """Replace every postcode with the given ones; returns the normalised postcodes."""
    sub = require(session, channel, address)
    resolved = _resolve_all(postcodes, resolver)
    if not resolved:
        raise SubscriptionError("Give a postcode.")
    if len(resolved) > settings.max_postcodes:
        raise TooManyPostcodes(f"You can have up to {settings.max_postcodes} postcodes.")
    assert sub.id is not None
    _write_postcodes(session, sub.id, resolved)
    sub.updated_at = now
    session.add(sub)
    session.flush()
    return postcodes_of(session, sub.id)


def remove_postcode(
    session: Session,
    *,
    channel: str,
    address: str,
    postcode: str,
    now: datetime,
    resolver: Resolver = default_resolver,
) -> list[str]:
    """Drop one postcode; the last one cannot go (stop instead). Areas are rebuilt."""
    sub = require(session, channel, address)
    assert sub.id is not None
    have = postcodes_of(session, sub.id)
    target = " ".join(postcode.upper().split())
    if target not in have:
        raise SubscriptionError(f"{target} is not one of your postcodes ({', '.join(have)}).")
    keep = [p for p in have if p != target]
    if not keep:
        raise SubscriptionError("That is your only postcode: change it, or stop alerts instead.")
    resolved = _resolve_all(keep, resolver)
    _write_postcodes(session, sub.id, resolved)
    sub.updated_at = now
    session.add(sub)
    return keep


def set_topics(
    session: Session, *, channel: str, address: str, topics: Sequence[str], now: datetime
) -> tuple[str, ...]:
    chosen = validate_topics(topics)
    sub = require(session, channel, address)
    assert sub.id is not None
    _set_topics(session, sub.id, chosen)
    sub.updated_at = now
    session.add(sub)
    return chosen


def toggle_topic(
    session: Session, *, channel: str, address: str, topic: str, now: datetime
) -> tuple[str, ...]:
    """Telegram's keyboard: flip one topic; the last one cannot be switched off."""
    sub = require(session, channel, address)
    assert sub.id is not None
    current = set(topics_of(session, sub.id))
    if topic in current:
        if len(current) == 1:
            raise InvalidTopics("Keep at least one topic (or stop alerts altogether).")
        current.discard(topic)
    else:
        validate_topics([topic])
        current.add(topic)
    return set_topics(session, channel=channel, address=address, topics=list(current), now=now)


def set_reminder_time(
    session: Session, *, channel: str, address: str, hhmm: str, now: datetime
) -> str:
    value = validate_reminder_time(hhmm)
    sub = require(session, channel, address)
    sub.reminder_time = value
    sub.updated_at = now
    session.add(sub)
    session.flush()
    return value


def forget(session: Session, *, channel: str, address: str, now: datetime) -> bool:
    """Erase personal data: address, postcodes, areas, topics, codes, consent wording.

    The row stays (address NULL, status ``forgotten``) so past outbox rows keep their key; only
    anonymous counts remain. Returns False when there was nobody to forget.
    """
    sub = find(session, channel, address)
    if sub is None:
        return False
    forget_subscriber(session, sub, now=now)
    return True


def forget_subscriber(session: Session, sub: Subscriber, *, now: datetime) -> None:
    assert sub.id is not None
    sid = sub.id
    session.execute(delete(SubscriberPostcode).where(col(SubscriberPostcode.subscriber_id) == sid))
    session.execute(delete(SubscriberArea).where(col(SubscriberArea.subscriber_id) == sid))
    session.execute(delete(SubscriberTopic).where(col(SubscriberTopic.subscriber_id) == sid))
    session.execute(delete(VerificationCode).where(col(VerificationCode.subscriber_id) == sid))
    sub.address = None
    sub.status = FORGOTTEN
    sub.stop_reason = "forgotten"
    sub.consent_text = None
    sub.consent_at = None
    sub.consent_channel = None
    sub.forgotten_at = now
    sub.updated_at = now
    session.add(sub)
    _bump(session, "forgotten")
    session.flush()
    log.info("subscriber forgotten", extra={"subscriber_id": sid})


def purge_stale_pending(session: Session, *, before: datetime) -> int:
    """Forget sign-ups never confirmed since ``before``: no consent, so no reason to keep them."""
    stale = session.exec(
        select(Subscriber).where(Subscriber.status == PENDING, Subscriber.updated_at < before)
    ).all()
    for sub in stale:
        forget_subscriber(session, sub, now=before)
    return len(stale)


def purge_old_codes(session: Session, *, before: datetime) -> int:
    """Delete web codes (and the IP addresses they hold) created before ``before``.

    Throttles look back one day, so anything older than that is no longer needed.
    """
    result = session.execute(
        delete(VerificationCode).where(col(VerificationCode.created_at) < before)
    )
    session.flush()
    return int(getattr(result, "rowcount", 0) or 0)


def counts(session: Session) -> dict[str, int]:
    """Subscribers by status plus the anonymous counters, for the operator."""
    out: dict[str, int] = {}
    rows = session.exec(select(Subscriber.status, func.count()).group_by(Subscriber.status)).all()
    for status, n in rows:
        out[f"status_{status}"] = int(n)
    for row in session.exec(select(AnonymousCount)).all():
        out[row.name] = row.value
    return out
