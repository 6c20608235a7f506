"""Six-digit codes that prove a web visitor holds the phone: sign up, stop or forget.

SMS pumping costs real money, so a code is only issued after the number and postcode check out and
within three throttles: per IP per hour, per number per day, and a global daily cap. Stopped
numbers get no code at all. Only a salted hash is stored; a code lives 10 minutes, allows 5 tries
and works once.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from config.settings import Settings
from subscribers import service
from subscribers.models import Subscriber, VerificationCode
from subscribers.phones import normalise_phone
from subscribers.service import Resolver, SubscriptionError, default_resolver

log = logging.getLogger(__name__)

CODE_TTL = timedelta(minutes=10)
MAX_TRIES = 5
PURPOSES = ("subscribe", "stop", "forget")
_CODE_SHAPE = re.compile(r"^\d{6}$")


class CodeRequestRefused(SubscriptionError):
    """No code was sent; the message says why and what to do instead."""


class Throttled(CodeRequestRefused):
    pass


class NumberStopped(CodeRequestRefused):
    pass


class CodeError(SubscriptionError):
    """The code cannot be accepted (format, expired, used, too many tries); nothing changed."""


@dataclass(frozen=True)
class IssuedCode:
    """A code to text to ``phone``. ``code`` exists only here, never in the database."""

    code: str
    phone: str
    subscriber_id: int
    purpose: str
    postcode: str | None
    expires_at: datetime


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    purpose: str
    tries_left: int = 0
    postcodes: tuple[str, ...] = ()
    message: str = ""


def hash_code(code: str, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(8)
    digest = hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()
    return f"{salt}${digest}"


def code_matches(code: str, stored: str) -> bool:
    salt, _, _digest = stored.partition("$")
    return hmac.compare_digest(hash_code(code, salt), stored)


def _new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def _count_since(session: Session, since: datetime, *conditions: object) -> int:
    query = (
        select(func.count())
        .select_from(VerificationCode)
        .join(Subscriber, col(Subscriber.id) == col(VerificationCode.subscriber_id))
        .where(col(VerificationCode.created_at) >= since, *conditions)  # type: ignore[arg-type]
    )
    return int(session.exec(query).one())


def check_throttles(
    session: Session, settings: Settings, *, phone: str, ip: str | None, now: datetime
) -> None:
    """Raise :class:`Throttled` if issuing one more code would break a limit."""
    day_ago = now - timedelta(days=1)
    if _count_since(session, day_ago) >= settings.code_requests_daily_cap:
        log.warning("code daily cap reached", extra={"cap": settings.code_requests_daily_cap})
        raise Throttled(
            "Sign-up by web is paused for today because of unusual demand. You can still text "
            "your postcode to our number to sign up."
        )
    if ip and (
        _count_since(session, now - timedelta(hours=1), col(VerificationCode.requested_ip) == ip)
        >= settings.code_requests_per_ip_per_hour
    ):
        raise Throttled("Too many codes were asked for from your connection. Try again in an hour.")
    per_number = _count_since(
        session,
        day_ago,
        col(Subscriber.channel) == "sms",
        col(Subscriber.address) == phone,
    )
    if per_number >= settings.code_requests_per_number_per_day:
        raise Throttled(
            "Too many codes were sent to this number today. Use the last code you got, or try "
            "again tomorrow."
        )


def request_code(
    session: Session,
    settings: Settings,
    *,
    phone: str,
    purpose: str,
    now: datetime,
    postcode: str | None = None,
    ip: str | None = None,
    resolver: Resolver = default_resolver,
    make_code: Callable[[], str] = _new_code,
) -> IssuedCode:
    """Validate, throttle, then record a code; the caller commits and texts ``code`` to ``phone``.

    Raises ``InvalidPhoneNumber``, ``PostcodeError``, :class:`Throttled`,
    :class:`NumberStopped` or ``NotSubscribed`` with a message for the person.
    """
    if purpose not in PURPOSES:
        raise ValueError(f"unknown purpose {purpose!r}; expected one of {', '.join(PURPOSES)}")
    number = normalise_phone(phone, settings)
    normalised_postcode: str | None = None
    if purpose == "subscribe":
        if postcode is None:
            raise SubscriptionError("Enter your postcode.")
        normalised_postcode = resolver(postcode).postcode
    sub = service.find(session, "sms", number)
    if sub is not None and sub.status == service.STOPPED:
        raise NumberStopped(
            "This number has opted out of texts (it sent STOP), so we cannot text it a code. "
            "Text START to our number to turn alerts back on"
            + (", or FORGET to delete your data." if purpose == "forget" else ".")
        )
    if purpose != "subscribe" and (sub is None or sub.status == service.FORGOTTEN):
        raise service.NotSubscribed("That number is not signed up for strike alerts.")
    if purpose == "subscribe" and sub is not None and sub.status == service.ACTIVE:
        assert sub.id is not None
        have = service.postcodes_of(session, sub.id)
        if normalised_postcode not in have and len(have) >= settings.max_postcodes:
            raise service.TooManyPostcodes(
                f"This number already gets alerts for {settings.max_postcodes} postcodes, the "
                "most allowed. Text CHANGE and a postcode to our number to replace them."
            )
    check_throttles(session, settings, phone=number, ip=ip, now=now)
    if sub is None or sub.status == service.FORGOTTEN:
        sub = service.new_pending_subscriber(session, settings, "sms", number, now)
    assert sub.id is not None
    code = make_code()
    if not _CODE_SHAPE.match(code):
        raise ValueError("codes are six digits")
    session.add(
        VerificationCode(
            subscriber_id=sub.id,
            code_hash=hash_code(code),
            requested_ip=ip,
            created_at=now,
            expires_at=now + CODE_TTL,
            purpose=purpose,
            postcode=normalised_postcode,
        )
    )
    session.flush()
    log.info("verification code issued", extra={"subscriber_id": sub.id, "purpose": purpose})
    return IssuedCode(code, number, sub.id, purpose, normalised_postcode, now + CODE_TTL)


def verify_code(
    session: Session,
    settings: Settings,
    *,
    phone: str,
    code: str,
    now: datetime,
    resolver: Resolver = default_resolver,
) -> VerifyResult:
    """Check the newest code for ``phone`` and, if right, carry out what it was issued for.

    A wrong code returns ``ok=False`` and counts a try (commit it); other refusals raise
    :class:`CodeError` and change nothing. A code works once: a replay is refused.
    """
    number = normalise_phone(phone, settings)
    entered = re.sub(r"[\s-]", "", code or "")
    if not _CODE_SHAPE.match(entered):
        raise CodeError("The code is the 6 digits we texted you, such as 123456.")
    sub = service.find(session, "sms", number)
    latest = None
    if sub is not None and sub.id is not None:
        latest = session.exec(
            select(VerificationCode)
            .where(VerificationCode.subscriber_id == sub.id)
            .order_by(col(VerificationCode.created_at).desc(), col(VerificationCode.id).desc())
        ).first()
    if sub is None or latest is None:
        raise CodeError("No code was sent to this number. Ask for a new one.")
    if latest.used_at is not None:
        raise CodeError("That code has already been used. Ask for a new one if you need to.")
    if latest.expires_at <= now:
        raise CodeError("That code has expired (codes last 10 minutes). Ask for a new one.")
    if latest.tries >= MAX_TRIES:
        raise CodeError("Too many wrong tries for this code. Ask for a new one.")
    if not code_matches(entered, latest.code_hash):
        latest.tries += 1
        session.add(latest)
        session.flush()
        left = MAX_TRIES - latest.tries
        msg = (
            f"That code is not right. You have {left} {'try' if left == 1 else 'tries'} left."
            if left
            else "That code is not right, and that was the last try. Ask for a new code."
        )
        return VerifyResult(False, latest.purpose, tries_left=left, message=msg)
    latest.used_at = now
    session.add(latest)
    session.flush()
    return _apply(session, settings, sub, latest, now=now, resolver=resolver)


def _apply(
    session: Session,
    settings: Settings,
    sub: Subscriber,
    vc: VerificationCode,
    *,
    now: datetime,
    resolver: Resolver,
) -> VerifyResult:
    assert sub.address is not None and sub.id is not None
    if vc.purpose == "stop":
        service.stop(session, channel="sms", address=sub.address, now=now, reason="web")
        return VerifyResult(True, "stop", message="You won't get any more strike alerts.")
    if vc.purpose == "forget":
        service.forget(session, channel="sms", address=sub.address, now=now)
        return VerifyResult(True, "forget", message="Your number and settings have been deleted.")
    if sub.status == service.STOPPED:
        raise CodeError("This number has opted out; text START to our number first.")
    assert vc.postcode is not None
    if sub.status == service.ACTIVE:
        service.start_signup(
            session,
            settings,
            channel="sms",
            address=sub.address,
            postcode=vc.postcode,
            now=now,
            resolver=resolver,
        )
        message = "Your postcodes are updated."
    else:
        service.subscribe_now(
            session,
            settings,
            channel="sms",
            address=sub.address,
            postcodes=[vc.postcode],
            consent_channel="web",
            now=now,
            resolver=resolver,
        )
        message = "You're signed up for strike alerts."
    postcodes = tuple(service.postcodes_of(session, sub.id))
    return VerifyResult(True, "subscribe", postcodes=postcodes, message=message)
