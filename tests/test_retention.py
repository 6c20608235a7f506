"""Personal data is kept no longer than its purpose: stale sign-ups and old codes are erased."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from config.settings import Settings
from notifier.retention import purge_personal_data
from subscribers import service
from subscribers.models import Subscriber, VerificationCode
from subscribers.verification import request_code

NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def test_unconfirmed_signups_and_old_codes_are_erased_but_active_ones_kept(
    engine: Engine, settings: Settings, postcode_index: object
) -> None:
    with Session(engine) as s:
        service.start_signup(
            s, settings, channel="sms", address="+447700900201", postcode="ME1 1AA", now=NOON
        )
        service.subscribe_now(
            s,
            settings,
            channel="sms",
            address="+447700900202",
            postcodes=["ME1 1AA"],
            consent_channel="sms",
            now=NOON,
        )
        request_code(
            s,
            settings,
            phone="07700 900203",
            purpose="subscribe",
            now=NOON,
            postcode="ME1 1AA",
            ip="203.0.113.9",
        )
        s.commit()

    # The next morning nothing is old enough yet.
    assert purge_personal_data(engine, NOON + timedelta(hours=20)) == {
        "pending_signups_forgotten": 0,
        "codes_deleted": 0,
    }

    # Two sign-ups were never confirmed (by YES or by code); forgetting them takes their codes.
    later = purge_personal_data(engine, NOON + timedelta(days=3))
    assert later["pending_signups_forgotten"] == 2
    with Session(engine) as s:
        addresses = {sub.address for sub in s.exec(select(Subscriber))}
        assert "+447700900201" not in addresses  # the unconfirmed numbers are gone
        assert "+447700900203" not in addresses
        assert "+447700900202" in addresses  # the active subscriber is untouched
        assert s.exec(select(VerificationCode)).all() == []
