"""Web sign-up codes: hashed, 10-minute life, 5 tries, single use, throttled, never to STOP-ped
numbers. Time is passed in, so expiry is tested exactly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from config.settings import Settings, load_settings
from notifier.db import session_scope
from subscribers import service, verification
from subscribers.models import Subscriber, VerificationCode
from subscribers.phones import InvalidPhoneNumber
from subscribers.postcodes import UnknownPostcode
from subscribers.verification import CodeError, NumberStopped, Throttled

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PHONE = "+447700900123"


def issue(
    engine: Engine,
    settings: Settings,
    *,
    at: datetime = NOW,
    phone: str = PHONE,
    ip: str | None = "198.51.100.7",
    purpose: str = "subscribe",
    postcode: str | None = "LS1 4DY",
) -> verification.IssuedCode:
    with session_scope(engine) as s:
        return verification.request_code(
            s, settings, phone=phone, purpose=purpose, postcode=postcode, ip=ip, now=at
        )


def check(
    engine: Engine, settings: Settings, code: str, *, at: datetime = NOW, phone: str = PHONE
) -> verification.VerifyResult:
    with session_scope(engine) as s:
        return verification.verify_code(s, settings, phone=phone, code=code, now=at)


def test_code_is_hashed_and_activates_once(engine: Engine, settings: Settings) -> None:
    issued = issue(engine, settings, phone="07700 900123")
    assert issued.phone == PHONE and len(issued.code) == 6 and issued.code.isdigit()
    assert issued.expires_at == NOW + timedelta(minutes=10)
    with Session(engine) as s:
        row = s.exec(select(VerificationCode)).one()
        assert issued.code not in row.code_hash and row.postcode == "LS1 4DY"
    result = check(engine, settings, f" {issued.code[:3]} {issued.code[3:]} ")
    assert result.ok and result.postcodes == ("LS1 4DY",)
    with pytest.raises(CodeError, match="already been used"):
        check(engine, settings, issued.code)
    with Session(engine) as s:
        sub = service.find(s, "sms", PHONE)
        assert sub is not None and sub.status == "active" and sub.consent_channel == "web"


def test_code_expires_after_ten_minutes(engine: Engine, settings: Settings) -> None:
    issued = issue(engine, settings)
    with pytest.raises(CodeError, match="expired"):
        check(engine, settings, issued.code, at=NOW + timedelta(minutes=10))
    assert check(engine, settings, issued.code, at=NOW + timedelta(minutes=9, seconds=59)).ok


def test_five_tries_then_refused(engine: Engine, settings: Settings) -> None:
    issued = issue(engine, settings)
    wrong = "000000" if issued.code != "000000" else "999999"
    lefts = [check(engine, settings, wrong).tries_left for _ in range(5)]
    assert lefts == [4, 3, 2, 1, 0]
    with pytest.raises(CodeError, match="Too many wrong tries"):
        check(engine, settings, issued.code)
    with Session(engine) as s:
        sub = service.find(s, "sms", PHONE)
        assert sub is not None and sub.status == "pending"


def test_newer_code_replaces_older(engine: Engine, settings: Settings) -> None:
    first = issue(engine, settings)
    second = issue(engine, settings, at=NOW + timedelta(minutes=1))
    if first.code != second.code:
        assert not check(engine, settings, first.code, at=NOW + timedelta(minutes=2)).ok
    assert check(engine, settings, second.code, at=NOW + timedelta(minutes=2)).ok


def test_bad_input_writes_nothing(engine: Engine, settings: Settings) -> None:
    with pytest.raises(InvalidPhoneNumber):
        issue(engine, settings, phone="12")
    with pytest.raises(UnknownPostcode):
        issue(engine, settings, postcode="ZZ1 1ZZ")
    with pytest.raises(service.NotSubscribed):
        issue(engine, settings, purpose="stop", postcode=None)
    with pytest.raises(CodeError, match="6 digits"):
        check(engine, settings, "12345")
    with pytest.raises(CodeError, match="No code"):
        check(engine, settings, "123456")
    with Session(engine) as s:
        assert list(s.exec(select(Subscriber)).all()) == []
        assert list(s.exec(select(VerificationCode)).all()) == []


def test_production_rules_refuse_the_drama_range(engine: Engine, database_url: str) -> None:
    strict = load_settings(_env_file=None, DATABASE_URL=database_url)
    with pytest.raises(InvalidPhoneNumber):
        issue(engine, strict)


def test_no_code_to_a_stopped_number(engine: Engine, settings: Settings) -> None:
    with session_scope(engine) as s:
        service.subscribe_now(
            s,
            settings,
            channel="sms",
            address=PHONE,
            postcodes=["LS1 4DY"],
            consent_channel="sms",
            now=NOW,
        )
        service.stop(s, channel="sms", address=PHONE, now=NOW)
    for purpose in ("subscribe", "stop", "forget"):
        with pytest.raises(NumberStopped, match="START"):
            issue(engine, settings, purpose=purpose)
    with Session(engine) as s:
        assert list(s.exec(select(VerificationCode)).all()) == []


def test_throttles_reset_with_time(engine: Engine, database_url: str) -> None:
    settings = load_settings(
        _env_file=None,
        DATABASE_URL=database_url,
        ALLOW_FICTIONAL_NUMBERS=True,
        CODE_REQUESTS_PER_NUMBER_PER_DAY=2,
        CODE_REQUESTS_PER_IP_PER_HOUR=3,
        CODE_REQUESTS_DAILY_CAP=5,
    )
    issue(engine, settings)
    issue(engine, settings, at=NOW + timedelta(minutes=1))
    with pytest.raises(Throttled, match="this number today"):
        issue(engine, settings, at=NOW + timedelta(minutes=2))
    # per number: a day later it works again
    issue(engine, settings, at=NOW + timedelta(days=1, minutes=3), ip="198.51.100.8")
    # per IP: three an hour
    later = NOW + timedelta(days=3)
    for n in range(3):
        issue(engine, settings, at=later, phone=f"+44770090030{n}", ip="192.0.2.1")
    with pytest.raises(Throttled, match="your connection"):
        issue(engine, settings, at=later, phone="+447700900309", ip="192.0.2.1")
    issue(
        engine,
        settings,
        at=later + timedelta(hours=1, minutes=1),
        phone="+447700900309",
        ip="192.0.2.1",
    )
    # daily cap across everyone: 5 in the last day (4 at `later` and after)
    issue(
        engine,
        settings,
        at=later + timedelta(hours=1, minutes=1),
        phone="+447700900310",
        ip="192.0.2.9",
    )
    with pytest.raises(Throttled, match="paused for today"):
        issue(engine, settings, at=later + timedelta(hours=2), phone="+447700900311", ip="x")
    with Session(engine) as s:
        assert len(s.exec(select(VerificationCode)).all()) == 8


def test_old_codes_and_their_ip_addresses_are_purged(engine: Engine, settings: Settings) -> None:
    issue(engine, settings)
    issue(engine, settings, at=NOW + timedelta(days=2), phone="+447700900124")
    with session_scope(engine) as s:
        assert service.purge_old_codes(s, before=NOW + timedelta(days=1)) == 1
    with Session(engine) as s:
        (left,) = s.exec(select(VerificationCode)).all()
        assert left.created_at == NOW + timedelta(days=2)


def test_active_number_adds_a_postcode_but_not_past_the_limit(
    engine: Engine, settings: Settings
) -> None:
    with session_scope(engine) as s:
        service.subscribe_now(
            s,
            settings,
            channel="sms",
            address=PHONE,
            postcodes=["LS1 4DY", "M1 1AE"],
            consent_channel="sms",
            now=NOW,
        )
    issued = issue(engine, settings, postcode="SW1A 1AA")
    result = check(engine, settings, issued.code)
    assert result.ok and result.postcodes == ("LS1 4DY", "M1 1AE", "SW1A 1AA")
    with pytest.raises(service.TooManyPostcodes, match="CHANGE"):
        issue(engine, settings, postcode="EH1 1YZ", at=NOW + timedelta(minutes=1))
    with Session(engine) as s:
        assert len(s.exec(select(VerificationCode)).all()) == 1
