"""Twilio delivery reports at ``POST /webhooks/twilio/status``: signed, never backwards."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session
from twilio.request_validator import RequestValidator

from config.settings import Settings, load_settings
from notifier.dispatch import OUTBOX
from notifier.web.app import create_app
from tests.alert_data import add_subscriber
from tests.dispatch_data import add_strike, queue, rows, subscriber

TOKEN = "0123456789abcdef0123456789abcdef"
BASE = "https://alerts.example.org"
URL = BASE + "/webhooks/twilio/status"


@pytest.fixture
def client(engine: Engine, database_url: str) -> Iterator[TestClient]:
    settings: Settings = load_settings(
        _env_file=None,
        DATABASE_URL=database_url,
        TWILIO_ACCOUNT_SID="AC" + "5" * 32,
        TWILIO_AUTH_TOKEN=TOKEN,
        TWILIO_FROM_NUMBER="+447700900001",
        PUBLIC_BASE_URL=BASE,
    )
    with TestClient(create_app(settings, engine)) as c:
        yield c


def _report(
    client: TestClient, sid: str, status: str, *, sign_with: str = TOKEN, **extra: str
) -> int:
    form = {
        "MessageSid": sid,
        "MessageStatus": status,
        "AccountSid": "AC" + "5" * 32,
        "To": "+447700900123",
        **extra,
    }
    signature = RequestValidator(sign_with).compute_signature(URL, form)
    resp = client.post(
        "/webhooks/twilio/status", data=form, headers={"X-Twilio-Signature": signature}
    )
    return resp.status_code


def _sent(engine: Engine, session: Session, sid: str, count: int = 1) -> tuple[int, list[int]]:
    sub = add_subscriber(session)
    strike = add_strike(session)
    ids = [queue(session, sub, strike).id for _ in range(count)]
    with engine.begin() as conn:
        conn.execute(
            update(OUTBOX)
            .where(OUTBOX.c.id.in_(ids))
            .values(status="sent", provider_message_id=sid, provider_status="queued")
        )
    assert sub.id is not None
    return sub.id, [i for i in ids if i is not None]


def test_delivery_report_updates_every_row_of_the_message(
    client: TestClient, engine: Engine, session: Session
) -> None:
    _, ids = _sent(engine, session, "SM" + "a" * 32, count=2)
    assert _report(client, "SM" + "a" * 32, "sent") == 200
    assert _report(client, "SM" + "a" * 32, "delivered") == 200
    got = rows(engine)
    assert [got[i].provider_status for i in ids] == ["delivered", "delivered"]


def test_a_late_report_does_not_move_the_status_back(
    client: TestClient, engine: Engine, session: Session
) -> None:
    _, [row_id] = _sent(engine, session, "SM" + "b" * 32)
    _report(client, "SM" + "b" * 32, "delivered")
    _report(client, "SM" + "b" * 32, "sent")
    assert rows(engine)[row_id].provider_status == "delivered"


def test_opt_out_in_a_report_stops_the_subscriber(
    client: TestClient, engine: Engine, session: Session
) -> None:
    sub_id, [row_id] = _sent(engine, session, "SM" + "c" * 32)
    assert _report(client, "SM" + "c" * 32, "failed", ErrorCode="21610") == 200
    row = rows(engine)[row_id]
    assert row.provider_status == "failed" and "21610" in (row.error or "")
    stopped = subscriber(engine, sub_id)
    assert stopped.status == "stopped" and stopped.stop_reason == "opted_out"


def test_unknown_message_gets_200_and_changes_nothing(
    client: TestClient, engine: Engine, session: Session
) -> None:
    _, [row_id] = _sent(engine, session, "SM" + "d" * 32)
    assert _report(client, "SM" + "e" * 32, "delivered") == 200
    assert rows(engine)[row_id].provider_status == "queued"


def test_forged_report_is_refused(client: TestClient, engine: Engine, session: Session) -> None:
    sub_id, [row_id] = _sent(engine, session, "SM" + "f" * 32)
    assert _report(client, "SM" + "f" * 32, "failed", sign_with="x" * 32, ErrorCode="21610") == 403
    assert rows(engine)[row_id].provider_status == "queued"
    assert subscriber(engine, sub_id).status == "active"
