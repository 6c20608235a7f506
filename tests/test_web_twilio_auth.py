"""The Twilio signature dependency: signed requests pass, forged and unsigned ones get 403."""

from __future__ import annotations

from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from twilio.request_validator import RequestValidator

from config.settings import Settings, load_settings
from notifier.web.twilio_auth import verify_twilio_signature

TOKEN = "0123456789abcdef0123456789abcdef"
BASE = "https://alerts.example.org"


def _app(settings: Settings) -> tuple[FastAPI, list[dict[str, str]]]:
    app = FastAPI()
    app.state.settings = settings
    seen: list[dict[str, str]] = []

    @app.post("/hook")
    def hook(form: dict[str, str] = Depends(verify_twilio_signature)) -> dict[str, str]:
        seen.append(form)
        return form

    return app, seen


def _settings(**extra: object) -> Settings:
    return load_settings(
        _env_file=None,
        TWILIO_ACCOUNT_SID="AC" + "0" * 32,
        TWILIO_AUTH_TOKEN=TOKEN,
        TWILIO_FROM_NUMBER="+447700900001",
        PUBLIC_BASE_URL=BASE,
        **extra,
    )


def test_signed_request_passes_and_form_is_returned() -> None:
    app, seen = _app(_settings())
    form = {"From": "+447700900123", "Body": "HELP", "MessageSid": "SM1"}
    sig = RequestValidator(TOKEN).compute_signature(BASE + "/hook", form)
    with TestClient(app) as client:
        resp = client.post("/hook", data=form, headers={"X-Twilio-Signature": sig})
    assert resp.status_code == 200
    assert seen == [form]


def test_signature_checked_against_public_url_with_query() -> None:
    app, seen = _app(_settings())
    form = {"Body": "YES"}
    sig = RequestValidator(TOKEN).compute_signature(BASE + "/hook?x=1", form)
    with TestClient(app) as client:
        ok = client.post("/hook?x=1", data=form, headers={"X-Twilio-Signature": sig})
        # Signed for the internal URL the app sees, not the public one Twilio called: refused.
        internal = RequestValidator(TOKEN).compute_signature("http://testserver/hook?x=1", form)
        bad = client.post("/hook?x=1", data=form, headers={"X-Twilio-Signature": internal})
    assert ok.status_code == 200
    assert bad.status_code == 403
    assert len(seen) == 1


def test_forged_tampered_and_unsigned_requests_are_refused() -> None:
    app, seen = _app(_settings())
    form = {"From": "+447700900123", "Body": "STOP"}
    forged = RequestValidator("f" * 32).compute_signature(BASE + "/hook", form)
    genuine = RequestValidator(TOKEN).compute_signature(BASE + "/hook", form)
    with TestClient(app) as client:
        assert client.post("/hook", data=form).status_code == 403
        assert (
            client.post("/hook", data=form, headers={"X-Twilio-Signature": forged}).status_code
            == 403
        )
        tampered = dict(form, Body="START")
        assert (
            client.post("/hook", data=tampered, headers={"X-Twilio-Signature": genuine}).status_code
            == 403
        )
    assert seen == []


def test_refused_when_no_auth_token_configured() -> None:
    app, seen = _app(load_settings(_env_file=None, PUBLIC_BASE_URL=BASE))
    form = {"Body": "HELP"}
    sig = RequestValidator(TOKEN).compute_signature(BASE + "/hook", form)
    with TestClient(app) as client:
        resp = client.post("/hook", data=form, headers={"X-Twilio-Signature": sig})
    assert resp.status_code == 403
    assert seen == []


def test_sha256_signature_settings_header_is_honoured() -> None:
    app, seen = _app(_settings())
    form = {"MessageStatus": "delivered", "MessageSid": "SM9"}
    sig = RequestValidator(TOKEN).compute_signature(BASE + "/hook", form, "HMAC_SHA256")
    headers = {
        "X-Twilio-Signature": sig,
        "X-Twilio-Webhooks-Signature-Settings": "key=k1,algorithm=HMAC_SHA256",
    }
    with TestClient(app) as client:
        assert client.post("/hook", data=form, headers=headers).status_code == 200
    assert seen == [form]
