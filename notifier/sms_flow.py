"""One inbound text, start to finish: parse it, change the subscription, say what happened.

Kept apart from the webhook so it runs (and is tested) without HTTP; the caller owns the
transaction. Whatever happens, the resident gets a reply: silence would look like a broken service.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlmodel import Session

from config.settings import Settings
from notifier.next_strikes import describe, upcoming_for
from subscribers import service
from subscribers import sms_commands as sms
from subscribers.phones import InvalidPhoneNumber, normalise_phone
from subscribers.postcodes import PostcodeError
from subscribers.service import Resolver, default_resolver
from subscribers.sms_commands import Command, Kind

log = logging.getLogger(__name__)


def handle_sms(
    session: Session,
    settings: Settings,
    *,
    phone: str,
    body: str,
    now: datetime,
    resolver: Resolver = default_resolver,
) -> str:
    """Apply the message from ``phone`` (E.164) and return the reply text."""
    command = sms.parse_sms(body)
    log.info("inbound sms", extra={"command": command.kind.value})
    if command.error:
        return sms.reply_error(command.error)
    try:
        return _dispatch(session, settings, phone, command, now, resolver)
    except PostcodeError as exc:
        return sms.reply_postcode_problem(str(exc))
    except service.NotSubscribed:
        return sms.reply_not_subscribed()
    except service.SubscriberStopped:
        return sms.reply_stopped_cannot_join()
    except service.TooManyPostcodes:
        return sms.reply_too_many_postcodes(settings.max_postcodes)
    except service.SubscriptionError as exc:
        return sms.reply_error(str(exc))


def _dispatch(
    session: Session,
    settings: Settings,
    phone: str,
    command: Command,
    now: datetime,
    resolver: Resolver,
) -> str:
    kind = command.kind
    if kind is Kind.STOP:
        service.stop(session, channel="sms", address=phone, now=now, reason="sms_stop")
        return sms.reply_stopped()
    if kind is Kind.FORGET:
        service.forget(session, channel="sms", address=phone, now=now)
        return sms.reply_forgotten()
    if kind is Kind.HELP:
        return sms.reply_help()
    if kind is Kind.UNKNOWN:
        return sms.reply_unknown()
    if kind is Kind.JOIN:
        assert command.postcode is not None
        try:
            phone = normalise_phone(phone, settings)
        except InvalidPhoneNumber as exc:
            return sms.reply_error(str(exc))
        result = service.start_signup(
            session,
            settings,
            channel="sms",
            address=phone,
            postcode=command.postcode,
            now=now,
            resolver=resolver,
        )
        sub_id = result.subscriber.id
        assert sub_id is not None
        if result.outcome == "pending":
            return sms.reply_confirm(result.postcode, result.place)
        postcodes = service.postcodes_of(session, sub_id)
        if result.outcome == "already":
            return sms.reply_already_active(postcodes)
        return sms.reply_added(postcodes)
    if kind is Kind.YES:
        existing = service.find(session, "sms", phone)
        if existing is not None and existing.status == service.ACTIVE:
            assert existing.id is not None
            return sms.reply_already_active(service.postcodes_of(session, existing.id))
        try:
            sub = service.confirm(
                session, channel="sms", address=phone, consent_channel="sms", now=now
            )
        except service.NothingToConfirm:
            return sms.reply_nothing_to_confirm()
        assert sub.id is not None
        return sms.reply_activated(service.postcodes_of(session, sub.id), sub.reminder_time)
    if kind is Kind.START:
        sub = service.resume(session, channel="sms", address=phone, now=now)
        assert sub.id is not None
        postcodes = service.postcodes_of(session, sub.id)
        if sub.status == service.ACTIVE:
            return sms.reply_resumed(postcodes)
        return sms.reply_resume_needs_yes(postcodes)
    sub = service.require(session, "sms", phone)
    assert sub.id is not None
    if kind is Kind.NEXT:
        if sub.status != service.ACTIVE:
            return _inactive_reply(session, sub.status, sub.id)
        found = upcoming_for(session, sub.id, now=now)
        return sms.reply_next([describe(s) for s in found])
    if kind is Kind.CHANGE:
        assert command.postcode is not None
        postcodes = service.change_postcode(
            session,
            settings,
            channel="sms",
            address=phone,
            postcodes=[command.postcode],
            now=now,
            resolver=resolver,
        )
        if sub.status == service.PENDING:
            return sms.reply_confirm(postcodes[0], None)
        return sms.reply_changed(postcodes)
    if kind is Kind.TOPICS:
        if command.topics is None:
            return sms.reply_topics(service.topics_of(session, sub.id))
        chosen = service.set_topics(
            session, channel="sms", address=phone, topics=command.topics, now=now
        )
        return sms.reply_topics_set(chosen)
    if kind is Kind.REMIND:
        assert command.remind_at is not None
        value = service.set_reminder_time(
            session, channel="sms", address=phone, hhmm=command.remind_at, now=now
        )
        return sms.reply_remind_set(value)
    return sms.reply_unknown()


def _inactive_reply(session: Session, status: str, subscriber_id: int) -> str:
    if status == service.STOPPED:
        return sms.reply_stopped_cannot_join()
    postcodes = service.postcodes_of(session, subscriber_id)
    return sms.reply_resume_needs_yes(postcodes)
