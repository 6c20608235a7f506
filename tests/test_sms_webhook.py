"""The inbound SMS webhook end to end: signed like Twilio, TwiML back, database changed."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from twilio.request_validator import RequestValidator

from config.settings import Settings, load_settings
from feeds.models import Strike, StrikeArea, StrikeChange
from notifier.db import session_scope
from notifier.gsm import is_gsm
from notifier.web.app import create_app
from subscribers import service
from subscribers.models import Subscriber

TOKEN = "0123456789abcdef0123456789abcdef"
BASE = "https://alerts.example.org"
URL = BASE + "/webhooks/twilio/sms"
PHONE = "+447700900123"


@pytest.fixture
def web_settings(database_url: str) -> Settings:
    return load_settings(
        _env_file=None,
        DATABASE_URL=database_url,
        ALLOW_FICTIONAL_NUMBERS=True,
        TWILIO_ACCOUNT_SID="AC" + "1" * 32,
        TWILIO_AUTH_TOKEN=TOKEN,
        TWILIO_FROM_NUMBER="+447700900001",
        PUBLIC_BASE_URL=BASE,
    )


@pytest.fixture
def client(engine: Engine, web_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(web_settings, engine)) as c:
        yield c


_sid = iter(range(10_000, 99_999))


def text(client: TestClient, body: str, sender: str = PHONE, **extra: str) -> str | None:
    """Post as Twilio would (all its usual fields, signed) and return the reply text, if any."""
    form = {
        "ToCountry": "GB",
        "SmsMessageSid": f"SM{next(_sid)}",
        "NumMedia": "0",
        "From": sender,
        "To": "+447700900001",
        "Body": body,
        "AccountSid": "AC" + "1" * 32,
        "MessageSid": f"SM{next(_sid)}",
        "NumSegments": "1",
        "ApiVersion": "2010-04-01",
        **extra,
    }
    signature = RequestValidator(TOKEN).compute_signature(URL, form)
    resp = client.post("/webhooks/twilio/sms", data=form, headers={"X-Twilio-Signature": signature})
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("application/xml")
    root = ET.fromstring(resp.text)
    assert root.tag == "Response"
    messages = [m.text or "" for m in root.iter("Message")]
    assert len(messages) <= 1
    if messages:
        assert is_gsm(messages[0]), messages[0]
    return messages[0] if messages else None


def sub(engine: Engine, phone: str = PHONE) -> Subscriber | None:
    with Session(engine) as s:
        return service.find(s, "sms", phone)


def test_double_opt_in(client: TestClient, engine: Engine) -> None:
    reply = text(client, "  sw1a  1aa ")
    assert reply is not None and "reply YES" in reply and "SW1A 1AA" in reply
    assert "Westminster" in reply
    row = sub(engine)
    assert row is not None and row.status == "pending"
    reply = text(client, "yes")
    assert reply is not None and "signed up" in reply and "SW1A 1AA" in reply
    row = sub(engine)
    assert row is not None and row.status == "active" and row.consent_channel == "sms"
    assert "already" in (text(client, "YES") or "")


def test_join_keyword_and_yes_without_signup(client: TestClient, engine: Engine) -> None:
    assert "postcode first" in (text(client, "YES") or "")
    assert sub(engine) is None
    reply = text(client, "JOIN ls1 4dy")
    assert reply is not None and "LS1 4DY" in reply and "YES" in reply


def test_stop_words_stop_at_once_and_start_resumes(client: TestClient, engine: Engine) -> None:
    text(client, "M1 1AE")
    text(client, "YES")
    for word in ("STOP", "stopall", "Unsubscribe", "CANCEL", "end", "QUIT"):
        # Twilio answers its own opt-out keywords, so we add nothing
        assert text(client, word) is None
        row = sub(engine)
        assert row is not None and row.status == "stopped", word
        assert "back on" in (text(client, "START") or "")
        row = sub(engine)
        assert row is not None and row.status == "active"
    # a STOP sentence is not Twilio's keyword: we stop and say so
    assert "won't get any more" in (text(client, "stop sending these please") or "")
    row = sub(engine)
    assert row is not None and row.status == "stopped"
    assert "START" in (text(client, "LS1 4DY") or "")  # stopped numbers cannot silently rejoin
    assert "back on" in (text(client, "unstop") or "")


def test_twilio_advanced_opt_out_field_is_respected(client: TestClient, engine: Engine) -> None:
    text(client, "M1 1AE")
    text(client, "YES")
    assert text(client, "arret", OptOutType="STOP") is None
    row = sub(engine)
    assert row is not None and row.status == "stopped"


def test_help_info_unknown_never_silent(client: TestClient) -> None:
    for word in ("HELP", "info"):
        reply = text(client, word)
        assert reply is not None and "postcode" in reply and "STOP" in reply
    reply = text(client, "hello there")
    assert reply is not None and "didn't understand" in reply
    reply = text(client, "")
    assert reply is not None and "didn't understand" in reply


def test_postcode_and_number_errors_say_what_is_wrong(client: TestClient, engine: Engine) -> None:
    reply = text(client, "ZZ1 1ZZ")
    assert reply is not None and "not in the ONS" in reply
    reply = text(client, "JOIN GY1 1AA")
    assert reply is not None and "Guernsey" in reply
    reply = text(client, "JOIN nowhere")
    assert reply is not None and "not a UK postcode" in reply
    assert "CHANGE and your postcode" in (text(client, "CHANGE") or "")
    reply = text(client, "SW1A 1AA", sender="+33612345678")
    assert reply is not None and "Only UK mobile" in reply
    with Session(engine) as s:
        assert list(s.exec(select(Subscriber)).all()) == []


def test_commands_need_a_subscription(client: TestClient) -> None:
    for body in ("NEXT", "TOPICS", "REMIND 7PM", "CHANGE LS1 4DY", "START"):
        reply = text(client, body)
        assert reply is not None and "not signed up" in reply, body


def test_change_topics_remind_and_forget(client: TestClient, engine: Engine) -> None:
    text(client, "SW1A 1AA")
    text(client, "YES")
    assert "LS1 4DY" in (text(client, "change ls1 4dy") or "")
    reply = text(client, "JOIN M1 1AE")
    assert reply is not None and "LS1 4DY and M1 1AE" in reply
    text(client, "EH1 1YZ")
    assert "up to 3" in (text(client, "CF10 1EP") or "")
    assert "NURSES DOCTORS" in (text(client, "topics nurses, doctors") or "")
    assert "Your topics: NURSES DOCTORS" in (text(client, "TOPICS") or "")
    assert "PLUMBERS" in (text(client, "topics plumbers") or "")
    assert "7:30pm" in (text(client, "remind 7.30pm") or "")
    assert "REMIND 7PM" in (text(client, "remind whenever") or "")
    row = sub(engine)
    assert row is not None and row.id is not None and row.reminder_time == "19:30"
    with Session(engine) as s:
        assert service.topics_of(s, row.id) == ["nursing", "doctors"]
        assert service.postcodes_of(s, row.id) == ["EH1 1YZ", "LS1 4DY", "M1 1AE"]
    assert "deleted" in (text(client, "FORGET") or "")
    assert sub(engine) is None
    with Session(engine) as s:
        forgotten = s.get(Subscriber, row.id)
        assert forgotten is not None and forgotten.address is None


def test_next_lists_strikes_for_their_areas_and_topics(client: TestClient, engine: Engine) -> None:
    text(client, "LS1 4DY")
    text(client, "YES")
    assert "No strikes" in (text(client, "NEXT") or "")
    now = datetime.now(UTC)
    with session_scope(engine) as s:

        def strike(
            key: str,
            topic: str,
            area: str,
            days: int,
            status: str = "announced",
            approval: str = "auto",
        ) -> None:
            row = Strike(
                key=key,
                unions=json.dumps(["RCN"]),
                staff=json.dumps(["nurses"]),
                employers=json.dumps([f"{key} Hospitals"]),
                topic=topic,
                status=status,
                start=now + timedelta(days=days),
                end=now + timedelta(days=days, hours=12),
                created_at=now,
                updated_at=now,
            )
            s.add(row)
            s.flush()
            assert row.id is not None
            s.add(StrikeArea(strike_id=row.id, area_code=area))
            s.add(
                StrikeChange(
                    strike_id=row.id,
                    kind="new",
                    alert_kind="announced",
                    approval=approval,
                    created_at=now,
                )
            )

        strike("Leeds", "nursing", "E08000035", 2)
        strike("Yorkshire", "ambulance", "E40000012", 1)  # NHS region: an ancestor of Leeds
        strike("Westminster", "nursing", "E09000033", 1)  # not their area
        strike("Rail", "transport", "E08000035", 1)  # not their topic
        strike("Off", "nursing", "E08000035", 1, status="cancelled")
        strike("Unapproved", "nursing", "E08000035", 1, approval="pending")
        strike("Past", "nursing", "E08000035", -3)
    reply = text(client, "next")
    assert reply is not None
    assert "Leeds Hospitals" in reply and "Yorkshire Hospitals" in reply
    assert reply.index("Yorkshire") < reply.index("Leeds Hospitals")  # soonest first
    for absent in ("Westminster", "Rail", "Off ", "Unapproved", "Past"):
        assert absent not in reply


def test_forged_and_unsigned_webhooks_change_nothing(client: TestClient, engine: Engine) -> None:
    form = {"From": PHONE, "Body": "SW1A 1AA", "MessageSid": "SM1"}
    forged = RequestValidator("x" * 32).compute_signature(URL, form)
    assert client.post("/webhooks/twilio/sms", data=form).status_code == 403
    assert (
        client.post(
            "/webhooks/twilio/sms", data=form, headers={"X-Twilio-Signature": forged}
        ).status_code
        == 403
    )
    with Session(engine) as s:
        assert list(s.exec(select(Subscriber)).all()) == []
    # and a forged STOP cannot unsubscribe someone
    text(client, "SW1A 1AA")
    text(client, "YES")
    stop = {"From": PHONE, "Body": "STOP"}
    bad = RequestValidator("x" * 32).compute_signature(URL, stop)
    assert (
        client.post(
            "/webhooks/twilio/sms", data=stop, headers={"X-Twilio-Signature": bad}
        ).status_code
        == 403
    )
    row = sub(engine)
    assert row is not None and row.status == "active"


def test_database_failure_still_gets_a_reply(web_settings: Settings, tmp_path: Path) -> None:
    from notifier.db import make_engine

    broken = make_engine(f"sqlite:///{tmp_path}/no_tables.db")  # the schema was never created
    with TestClient(create_app(web_settings, broken)) as c:
        reply = text(c, "SW1A 1AA")
    assert reply is not None and "something went wrong" in reply
