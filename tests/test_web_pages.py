"""The subscribe, code, unsubscribe and forget pages, with codes texted through the real twilio
client to a fake Twilio on 127.0.0.1."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from html.parser import HTMLParser

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from config.settings import Settings, load_settings
from notifier.web.app import create_app
from subscribers import service
from subscribers.models import Subscriber, VerificationCode
from subscribers.postcodes import ATTRIBUTION
from tests.fakes.twilio_api import Answer, FakeTwilio

PHONE = "+447700900123"
LOCAL = "07700 900123"


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    with FakeTwilio() as fake:
        yield fake


def _settings(database_url: str, twilio: FakeTwilio, **extra: object) -> Settings:
    return load_settings(
        _env_file=None,
        DATABASE_URL=database_url,
        ALLOW_FICTIONAL_NUMBERS=True,
        TWILIO_ACCOUNT_SID="AC" + "2" * 32,
        TWILIO_AUTH_TOKEN="t" * 32,
        TWILIO_FROM_NUMBER="+447700900001",
        TWILIO_API_BASE_URL=twilio.base_url,
        TELEGRAM_BOT_USERNAME="strike_alerts_test_bot",
        **extra,
    )


@pytest.fixture
def client(engine: Engine, database_url: str, twilio: FakeTwilio) -> Iterator[TestClient]:
    with TestClient(create_app(_settings(database_url, twilio), engine)) as c:
        yield c


def t(resp: httpx.Response) -> str:
    """The page as a person reads it (entities decoded)."""
    return html.unescape(resp.text)


def texted_code(twilio: FakeTwilio, phone: str = PHONE) -> str:
    body = twilio.messages_to(phone)[-1].body
    m = re.match(r"^(\d{6}) is your Strike alerts code", body)
    assert m, body
    return m.group(1)


class _Fields(HTMLParser):
    """Collect inputs, labels and ids so tests check what assistive technology relies on."""

    def __init__(self) -> None:
        super().__init__()
        self.inputs: dict[str, dict[str, str]] = {}
        self.labels: set[str] = set()
        self.ids: set[str] = set()
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "input" and a.get("type") != "hidden":
            self.inputs[a["name"]] = a
        if tag == "label":
            self.labels.add(a.get("for", ""))
        if tag == "script":
            self.scripts += 1


def fields(html: str) -> _Fields:
    parser = _Fields()
    parser.feed(html)
    return parser


def test_subscribe_page_is_accessible_without_javascript(client: TestClient) -> None:
    resp = client.get("/")
    assert resp.status_code == 200
    page = fields(resp.text)
    assert page.scripts == 0
    assert {"postcode", "phone", "tg_postcode"} <= set(page.inputs)
    for name, attrs in page.inputs.items():
        assert attrs["id"] in page.labels, f"{name} has no label"
        for ref in attrs.get("aria-describedby", "").split():
            assert ref in page.ids
    assert 'name="viewport"' in t(resp) and 'lang="en-GB"' in t(resp)
    assert page.inputs["phone"]["type"] == "tel"
    assert ATTRIBUTION.split(".")[0] in t(resp)
    assert "https://t.me/strike_alerts_test_bot" in t(resp)
    assert "text your postcode to <strong>07700 900001</strong>" in t(resp)


def test_full_signup_by_code(client: TestClient, twilio: FakeTwilio, engine: Engine) -> None:
    resp = client.post("/subscribe", data={"postcode": "ls1 4dy", "phone": LOCAL})
    assert resp.status_code == 200
    assert "Enter the code" in t(resp) and "ending 123" in t(resp)
    code = texted_code(twilio)
    with Session(engine) as s:
        row = service.find(s, "sms", PHONE)
        assert row is not None and row.id is not None and row.status == "pending"
        assert service.postcodes_of(s, row.id) == []  # nothing applies before the code
        stored = s.exec(select(VerificationCode)).one()
        assert code not in stored.code_hash  # only a hash is kept
    wrong = "000000" if code != "000000" else "111111"
    bad = client.post("/verify", data={"phone": PHONE, "code": wrong, "purpose": "subscribe"})
    assert bad.status_code == 400 and "4 tries left" in t(bad)
    page = fields(bad.text)
    assert page.inputs["code"]["aria-invalid"] == "true"
    assert "code-error" in page.inputs["code"]["aria-describedby"].split()
    ok = client.post("/verify", data={"phone": PHONE, "code": code, "purpose": "subscribe"})
    assert ok.status_code == 200 and "signed up" in t(ok) and "LS1 4DY" in t(ok)
    with Session(engine) as s:
        row = service.find(s, "sms", PHONE)
        assert row is not None and row.id is not None
        assert row.status == "active" and row.consent_channel == "web"
        assert "E08000035" in service.area_codes_of(s, row.id)
    # the same code cannot be used twice
    replay = client.post("/verify", data={"phone": PHONE, "code": code})
    assert replay.status_code == 400 and "already been used" in t(replay)


def test_form_errors_are_tied_to_fields_and_nothing_is_written(
    client: TestClient, twilio: FakeTwilio, engine: Engine
) -> None:
    resp = client.post("/subscribe", data={"postcode": "nowhere", "phone": "020 7946 0000"})
    assert resp.status_code == 400
    assert "not a UK postcode" in t(resp) and "not a mobile number" in t(resp)
    assert 'value="nowhere"' in t(resp)  # what they typed is kept
    page = fields(resp.text)
    for name in ("postcode", "phone"):
        assert page.inputs[name]["aria-invalid"] == "true"
        assert f"{name}-error" in page.inputs[name]["aria-describedby"].split()
    assert 'href="#postcode"' in t(resp) and 'href="#phone"' in t(resp)  # error summary
    assert "Error:" in t(resp).split("<title>")[1].split("</title>")[0]
    empty = client.post("/subscribe", data={})
    assert empty.status_code == 400 and "Enter your mobile" in t(empty)
    outside = client.post("/subscribe", data={"postcode": "JE2 3AB", "phone": LOCAL})
    assert outside.status_code == 400 and "Jersey" in t(outside)
    assert twilio.requests == []
    with Session(engine) as s:
        assert list(s.exec(select(Subscriber)).all()) == []


def test_five_wrong_tries_kill_the_code(client: TestClient, twilio: FakeTwilio) -> None:
    client.post("/subscribe", data={"postcode": "M1 1AE", "phone": LOCAL})
    code = texted_code(twilio)
    wrong = "123456" if code != "123456" else "654321"
    for left in (4, 3, 2, 1):
        r = client.post("/verify", data={"phone": PHONE, "code": wrong})
        assert f"{left} tr" in t(r)
    last = client.post("/verify", data={"phone": PHONE, "code": wrong})
    assert "last try" in t(last)
    dead = client.post("/verify", data={"phone": PHONE, "code": code})
    assert dead.status_code == 400 and "Too many wrong tries" in t(dead)
    assert "6 digits" in t(client.post("/verify", data={"phone": PHONE, "code": "12a"}))


def test_unsubscribe_and_forget_by_code(
    client: TestClient, twilio: FakeTwilio, engine: Engine
) -> None:
    client.post("/subscribe", data={"postcode": "M1 1AE", "phone": LOCAL})
    client.post("/verify", data={"phone": PHONE, "code": texted_code(twilio)})
    assert "text STOP" in t(client.get("/unsubscribe"))
    # an unknown number gets a clear answer and no text
    before = len(twilio.requests)
    unknown = client.post("/unsubscribe", data={"phone": "07700 900555"})
    assert unknown.status_code == 400 and "not signed up" in t(unknown)
    assert len(twilio.requests) == before
    r = client.post("/unsubscribe", data={"phone": LOCAL})
    assert "Stop my alerts" in t(r)
    done = client.post(
        "/verify", data={"phone": PHONE, "code": texted_code(twilio), "purpose": "stop"}
    )
    assert done.status_code == 200 and "won't get any more" in t(done)
    with Session(engine) as s:
        row = service.find(s, "sms", PHONE)
        assert row is not None and row.status == "stopped"
    # no code goes to a stopped number
    before = len(twilio.requests)
    refused = client.post("/forget", data={"phone": LOCAL})
    assert refused.status_code == 400 and "opted out" in t(refused) and "FORGET" in t(refused)
    assert len(twilio.requests) == before
    with Session(engine) as s:
        service.resume(s, channel="sms", address=PHONE, now=row.updated_at)
        s.commit()
    client.post("/forget", data={"phone": LOCAL})
    gone = client.post("/verify", data={"phone": PHONE, "code": texted_code(twilio)})
    assert gone.status_code == 200 and "deleted" in t(gone)
    with Session(engine) as s:
        assert service.find(s, "sms", PHONE) is None


def test_opted_out_at_twilio_marks_stopped(
    client: TestClient, twilio: FakeTwilio, engine: Engine
) -> None:
    twilio.answer_for(PHONE, Answer.error(21610))
    resp = client.post("/subscribe", data={"postcode": "M1 1AE", "phone": LOCAL})
    assert resp.status_code == 400 and "opted out" in t(resp)
    with Session(engine) as s:
        row = service.find(s, "sms", PHONE)
        assert row is not None and row.status == "stopped"


def test_provider_failure_is_reported(client: TestClient, twilio: FakeTwilio) -> None:
    twilio.answer_for(PHONE, Answer.server_error(), Answer.server_error(), Answer.server_error())
    resp = client.post("/subscribe", data={"postcode": "M1 1AE", "phone": LOCAL})
    assert resp.status_code == 400 and "couldn't send a text" in t(resp)


def test_throttles_per_number_per_ip_and_daily_cap(
    engine: Engine, database_url: str, twilio: FakeTwilio
) -> None:
    settings = _settings(
        database_url,
        twilio,
        CODE_REQUESTS_PER_NUMBER_PER_DAY=2,
        CODE_REQUESTS_PER_IP_PER_HOUR=3,
        CODE_REQUESTS_DAILY_CAP=4,
    )
    with TestClient(create_app(settings, engine)) as c:
        form = {"postcode": "M1 1AE", "phone": LOCAL}
        assert c.post("/subscribe", data=form).status_code == 200
        assert c.post("/subscribe", data=form).status_code == 200
        third = c.post("/subscribe", data=form)
        assert third.status_code == 400 and "Too many codes were sent to this number" in t(third)
        assert len(twilio.messages_to(PHONE)) == 2
        # a third number from the same connection passes, the fourth hits the per-IP limit
        assert c.post("/subscribe", data={**form, "phone": "07700 900124"}).status_code == 200
        ip = c.post("/subscribe", data={**form, "phone": "07700 900125"})
        assert ip.status_code == 400 and "from your connection" in t(ip)
    with TestClient(create_app(settings, engine), client=("203.0.113.9", 5000)) as other:
        assert other.post("/subscribe", data={**form, "phone": "07700 900126"}).status_code == 200
        capped = other.post("/subscribe", data={**form, "phone": "07700 900127"})
        assert capped.status_code == 400 and "paused for today" in t(capped)
    assert len(twilio.requests) == 4


def test_telegram_handoff_carries_the_postcode(client: TestClient) -> None:
    resp = client.post("/telegram", data={"tg_postcode": "ls1 4dy"}, follow_redirects=False)
    assert resp.status_code == 303
    assert resp.headers["location"] == "https://t.me/strike_alerts_test_bot?start=LS14DY"
    bad = client.post("/telegram", data={"tg_postcode": "ZZ1 1ZZ"}, follow_redirects=False)
    assert bad.status_code == 400 and "not in the ONS" in t(bad)
    assert "tg_postcode-error" in fields(bad.text).inputs["tg_postcode"]["aria-describedby"]
