"""Subscription changes against a real database with the real ONS postcode lookup."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from config.settings import Settings, load_settings
from config.topics import DEFAULT_TOPICS
from notifier.db import session_scope
from subscribers import service
from subscribers.models import (
    AnonymousCount,
    Subscriber,
    SubscriberArea,
    SubscriberPostcode,
    SubscriberTopic,
)
from subscribers.phones import InvalidPhoneNumber, normalise_phone
from subscribers.postcodes import InvalidPostcode, OutsideServiceArea, UnknownPostcode

NOW = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
PHONE = "+447700900123"
WESTMINSTER = "E09000033"
LEEDS = "E08000035"


def _rows(session: Session, model: type) -> list:
    return list(session.exec(select(model)).all())


def _count(session: Session, name: str) -> int:
    row = session.get(AnonymousCount, name)
    return row.value if row else 0


def test_signup_is_pending_until_confirmed_with_areas_and_default_topics(
    engine: Engine, settings: Settings
) -> None:
    with session_scope(engine) as s:
        result = service.start_signup(
            s, settings, channel="sms", address=PHONE, postcode="sw1a1aa", now=NOW
        )
        assert (result.outcome, result.postcode, result.place) == (
            "pending",
            "SW1A 1AA",
            "Westminster",
        )
    with session_scope(engine) as s:
        sub = service.find(s, "sms", PHONE)
        assert sub is not None and sub.id is not None
        assert sub.status == "pending" and sub.consent_at is None
        assert sub.reminder_time == "18:00"
        assert service.postcodes_of(s, sub.id) == ["SW1A 1AA"]
        codes = service.area_codes_of(s, sub.id)
        assert WESTMINSTER in codes and "E92000001" in codes  # district and England
        assert tuple(service.topics_of(s, sub.id)) == DEFAULT_TOPICS
        confirmed = service.confirm(s, channel="sms", address=PHONE, consent_channel="sms", now=NOW)
        assert confirmed.status == "active"
    with Session(engine) as s:
        sub = service.find(s, "sms", PHONE)
        assert sub is not None
        assert sub.consent_at == NOW and sub.consent_channel == "sms"
        assert sub.consent_text and "YES" in sub.consent_text
        assert _count(s, "joined") == 1


def test_active_subscriber_adds_postcodes_up_to_the_limit(
    engine: Engine, settings: Settings
) -> None:
    with session_scope(engine) as s:
        service.subscribe_now(
            s,
            settings,
            channel="sms",
            address=PHONE,
            postcodes=["SW1A 1AA"],
            consent_channel="sms",
            now=NOW,
        )
    with session_scope(engine) as s:
        for pc in ("LS1 4DY", "M1 1AE"):
            r = service.start_signup(
                s, settings, channel="sms", address=PHONE, postcode=pc, now=NOW
            )
            assert r.outcome == "added"
        again = service.start_signup(
            s, settings, channel="sms", address=PHONE, postcode="ls14dy", now=NOW
        )
        assert again.outcome == "already"
    with pytest.raises(service.TooManyPostcodes, match="up to 3"), session_scope(engine) as s:
        service.start_signup(s, settings, channel="sms", address=PHONE, postcode="EH1 1YZ", now=NOW)
    with Session(engine) as s:
        sub = service.find(s, "sms", PHONE)
        assert sub is not None and sub.id is not None
        assert service.postcodes_of(s, sub.id) == ["LS1 4DY", "M1 1AE", "SW1A 1AA"]
        codes = set(service.area_codes_of(s, sub.id))
        assert {WESTMINSTER, LEEDS} <= codes
        assert "S12000036" not in codes  # Edinburgh was refused


@pytest.mark.parametrize(
    ("postcode", "error", "words"),
    [
        ("not a postcode", InvalidPostcode, "not a UK postcode"),
        ("ZZ1 1ZZ", UnknownPostcode, "not in the ONS"),
        ("GY1 1AA", OutsideServiceArea, "Guernsey"),
    ],
)
def test_bad_postcodes_write_nothing(
    engine: Engine, settings: Settings, postcode: str, error: type, words: str
) -> None:
    with pytest.raises(error, match=words), session_scope(engine) as s:
        service.start_signup(s, settings, channel="sms", address=PHONE, postcode=postcode, now=NOW)
    with Session(engine) as s:
        assert _rows(s, Subscriber) == []
        assert _rows(s, SubscriberTopic) == []


def test_change_postcode_replaces_areas(engine: Engine, settings: Settings) -> None:
    with session_scope(engine) as s:
        service.subscribe_now(
            s,
            settings,
            channel="sms",
            address=PHONE,
            postcodes=["SW1A 1AA", "M1 1AE"],
            consent_channel="sms",
            now=NOW,
        )
        assert service.change_postcode(
            s, settings, channel="sms", address=PHONE, postcodes=["ls1 4dy"], now=NOW
        ) == ["LS1 4DY"]
    with Session(engine) as s:
        sub = service.find(s, "sms", PHONE)
        assert sub is not None and sub.id is not None
        codes = service.area_codes_of(s, sub.id)
        assert LEEDS in codes and WESTMINSTER not in codes


def test_failed_change_keeps_old_postcodes(engine: Engine, settings: Settings) -> None:
    with session_scope(engine) as s:
        service.subscribe_now(
            s,
            settings,
            channel="sms",
            address=PHONE,
            postcodes=["SW1A 1AA"],
            consent_channel="sms",
            now=NOW,
        )
    with pytest.raises(UnknownPostcode), session_scope(engine) as s:
        service.change_postcode(
            s, settings, channel="sms", address=PHONE, postcodes=["ZZ1 1ZZ"], now=NOW
        )
    with Session(engine) as s:
        sub = service.find(s, "sms", PHONE)
        assert sub is not None and sub.id is not None
        assert service.postcodes_of(s, sub.id) == ["SW1A 1AA"]
        assert WESTMINSTER in service.area_codes_of(s, sub.id)


def test_stop_resume_and_stopped_cannot_rejoin_silently(engine: Engine, settings: Settings) -> None:
    with session_scope(engine) as s:
        service.subscribe_now(
            s,
            settings,
            channel="sms",
            address=PHONE,
            postcodes=["SW1A 1AA"],
            consent_channel="sms",
            now=NOW,
        )
        stopped = service.stop(s, channel="sms", address=PHONE, now=NOW, reason="sms_stop")
        assert stopped is not None and stopped.status == "stopped"
        # a second STOP is harmless, an unknown number is a no-op
        assert service.stop(s, channel="sms", address=PHONE, now=NOW) is not None
        assert service.stop(s, channel="sms", address="+447700900999", now=NOW) is None
        with pytest.raises(service.SubscriberStopped):
            service.start_signup(
                s, settings, channel="sms", address=PHONE, postcode="LS1 4DY", now=NOW
            )
        with pytest.raises(service.SubscriberStopped):
            service.subscribe_now(
                s,
                settings,
                channel="sms",
                address=PHONE,
                postcodes=["LS1 4DY"],
                consent_channel="operator",
                now=NOW,
            )
        resumed = service.resume(s, channel="sms", address=PHONE, now=NOW)
        assert resumed.status == "active"
        assert _count(s, "stopped") == 1 and _count(s, "resumed") == 1


def test_stop_by_id_for_delivery_feedback(engine: Engine, settings: Settings) -> None:
    with session_scope(engine) as s:
        sub = service.subscribe_now(
            s,
            settings,
            channel="telegram",
            address="5551",
            postcodes=["SW1A 1AA"],
            consent_channel="telegram",
            now=NOW,
        )
        assert sub.id is not None
        assert service.stop_by_id(s, sub.id, now=NOW, reason="telegram_blocked") is True
        assert service.stop_by_id(s, sub.id, now=NOW, reason="telegram_blocked") is False
    with Session(engine) as s:
        row = s.get(Subscriber, sub.id)
        assert row is not None and (row.status, row.stop_reason) == ("stopped", "telegram_blocked")


def test_forget_erases_personal_data_and_keeps_counts(engine: Engine, settings: Settings) -> None:
    with session_scope(engine) as s:
        sub = service.subscribe_now(
            s,
            settings,
            channel="sms",
            address=PHONE,
            postcodes=["SW1A 1AA", "LS1 4DY"],
            consent_channel="sms",
            now=NOW,
        )
        sid = sub.id
    with session_scope(engine) as s:
        assert service.forget(s, channel="sms", address=PHONE, now=NOW) is True
    with Session(engine) as s:
        row = s.get(Subscriber, sid)
        assert row is not None
        assert row.address is None and row.status == "forgotten"
        assert row.consent_text is None and row.forgotten_at == NOW
        assert _rows(s, SubscriberPostcode) == []
        assert _rows(s, SubscriberArea) == []
        assert _rows(s, SubscriberTopic) == []
        assert _count(s, "joined") == 1 and _count(s, "forgotten") == 1
        assert service.find(s, "sms", PHONE) is None
    # the same number can sign up afresh
    with session_scope(engine) as s:
        r = service.start_signup(
            s, settings, channel="sms", address=PHONE, postcode="M1 1AE", now=NOW
        )
        assert r.outcome == "pending" and r.subscriber.id != sid


def test_topics_and_reminder_time(engine: Engine, settings: Settings) -> None:
    with session_scope(engine) as s:
        service.subscribe_now(
            s,
            settings,
            channel="sms",
            address=PHONE,
            postcodes=["SW1A 1AA"],
            consent_channel="sms",
            now=NOW,
        )
        assert service.set_topics(
            s, channel="sms", address=PHONE, topics=["transport", "doctors"], now=NOW
        ) == ("doctors", "transport")
        with pytest.raises(service.InvalidTopics, match="plumbing"):
            service.set_topics(s, channel="sms", address=PHONE, topics=["plumbing"], now=NOW)
        with pytest.raises(service.InvalidTopics):
            service.set_topics(s, channel="sms", address=PHONE, topics=[], now=NOW)
        assert service.toggle_topic(s, channel="sms", address=PHONE, topic="doctors", now=NOW) == (
            "transport",
        )
        with pytest.raises(service.InvalidTopics, match="at least one"):
            service.toggle_topic(s, channel="sms", address=PHONE, topic="transport", now=NOW)
        assert (
            service.set_reminder_time(s, channel="sms", address=PHONE, hhmm="19:30", now=NOW)
            == "19:30"
        )
        with pytest.raises(service.InvalidReminderTime, match="HH:MM"):
            service.set_reminder_time(s, channel="sms", address=PHONE, hhmm="7pm", now=NOW)
    with Session(engine) as s:
        sub = service.find(s, "sms", PHONE)
        assert sub is not None and sub.id is not None
        assert service.topics_of(s, sub.id) == ["transport"]
        assert sub.reminder_time == "19:30"


def test_unknown_subscriber_gets_not_subscribed(engine: Engine, settings: Settings) -> None:
    with session_scope(engine) as s:
        with pytest.raises(service.NotSubscribed):
            service.set_topics(s, channel="sms", address=PHONE, topics=["doctors"], now=NOW)
        with pytest.raises(service.NothingToConfirm):
            service.confirm(s, channel="sms", address=PHONE, consent_channel="sms", now=NOW)


def test_purge_stale_pending(engine: Engine, settings: Settings) -> None:
    with session_scope(engine) as s:
        service.start_signup(
            s, settings, channel="sms", address=PHONE, postcode="SW1A 1AA", now=NOW
        )
        service.subscribe_now(
            s,
            settings,
            channel="sms",
            address="+447700900124",
            postcodes=["SW1A 1AA"],
            consent_channel="sms",
            now=NOW,
        )
    with session_scope(engine) as s:
        assert service.purge_stale_pending(s, before=NOW + timedelta(days=2)) == 1
    with Session(engine) as s:
        assert service.find(s, "sms", PHONE) is None
        assert service.find(s, "sms", "+447700900124") is not None


def test_phone_rules() -> None:
    strict = load_settings(_env_file=None)
    relaxed = load_settings(_env_file=None, ALLOW_FICTIONAL_NUMBERS=True)
    # The drama range is refused in production and only admitted by the test setting.
    with pytest.raises(InvalidPhoneNumber, match="not a valid"):
        normalise_phone("07700 900123", strict)
    assert normalise_phone("07700 900123", relaxed) == "+447700900123"
    # Outside the drama range, the setting changes nothing.
    with pytest.raises(InvalidPhoneNumber, match="not a valid"):
        normalise_phone("07700 901000", relaxed)
    assert normalise_phone("0044 7911 123456", strict) == "+447911123456"
    assert normalise_phone("+44 (0)7911-123456", strict) == "+447911123456"
    with pytest.raises(InvalidPhoneNumber, match="Only UK mobile numbers"):
        normalise_phone("+33 6 12 34 56 78", strict)
    with pytest.raises(InvalidPhoneNumber, match="not a mobile"):
        normalise_phone("020 7946 0000", strict)
    with pytest.raises(InvalidPhoneNumber, match="not a phone number"):
        normalise_phone("call me", strict)
    with pytest.raises(InvalidPhoneNumber, match="Enter your mobile"):
        normalise_phone("  ", strict)
    french_ok = load_settings(_env_file=None, ALLOWED_PHONE_REGIONS="GB,FR")
    assert normalise_phone("+33 6 12 34 56 78", french_ok) == "+33612345678"
