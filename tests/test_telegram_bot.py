"""The Telegram bot through the real python-telegram-bot client against the fake Bot API:
webhook mode inside the web app, and polling mode."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from config.settings import Settings, load_settings
from feeds.models import Strike, StrikeArea, StrikeChange
from notifier.db import session_scope
from notifier.telegram_bot import run_polling
from notifier.web.app import create_app
from subscribers import service
from subscribers.models import Subscriber
from tests.fakes.telegram_api import (
    FakeResponse,
    FakeTelegramAPI,
    blocked_by_user,
    callback_update,
    message_update,
    server_error,
)

TOKEN = "123456:" + "B" * 30
SECRET = "s3cret-token_abc"
CHAT = 777001


@pytest.fixture
def api() -> Iterator[FakeTelegramAPI]:
    with FakeTelegramAPI() as fake:
        yield fake


def _settings(database_url: str, api: FakeTelegramAPI, **extra: object) -> Settings:
    return load_settings(
        _env_file=None,
        DATABASE_URL=database_url,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=api.base_url,
        TELEGRAM_WEBHOOK_SECRET=SECRET,
        **extra,
    )


@pytest.fixture
def client(engine: Engine, database_url: str, api: FakeTelegramAPI) -> Iterator[TestClient]:
    with TestClient(create_app(_settings(database_url, api), engine)) as c:
        yield c


def post(client: TestClient, update: dict, secret: str | None = SECRET) -> int:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    return client.post("/webhooks/telegram", json=update, headers=headers).status_code


def say(client: TestClient, api: FakeTelegramAPI, text: str, chat: int = CHAT) -> str:
    """Send a message as the person and return the bot's reply."""
    before = len(api.sent_texts(chat))
    assert post(client, message_update(chat, text)) == 200
    replies = api.sent_texts(chat)
    assert len(replies) == before + 1, replies
    return replies[-1]


def sub(engine: Engine, chat: int = CHAT) -> Subscriber | None:
    with Session(engine) as s:
        return service.find(s, "telegram", str(chat))


def test_deep_link_start_subscribes_at_once(
    client: TestClient, api: FakeTelegramAPI, engine: Engine
) -> None:
    reply = say(client, api, "/start LS14DY")
    assert "signed up" in reply and "LS1 4DY (Leeds)" in reply and "6pm" in reply
    row = sub(engine)
    assert row is not None and row.status == "active" and row.consent_channel == "telegram"
    assert row.consent_text and "/unsubscribe" in row.consent_text
    (call,) = api.calls("sendMessage")
    assert call.token == TOKEN and call.chat_id == str(CHAT)


def test_start_without_payload_welcomes_and_postcode_text_subscribes(
    client: TestClient, api: FakeTelegramAPI, engine: Engine
) -> None:
    assert "Send me your postcode" in say(client, api, "/start")
    assert sub(engine) is None
    assert "signed up" in say(client, api, "  m1 1ae ")
    assert "Added LS1 4DY" in say(client, api, "/subscribe LS1 4DY")
    assert "already" in say(client, api, "/subscribe ls1 4dy")
    say(client, api, "/subscribe SW1A 1AA")
    assert "up to 3" in say(client, api, "/subscribe EH1 1YZ")
    row = sub(engine)
    assert row is not None and row.id is not None
    with Session(engine) as s:
        assert service.postcodes_of(s, row.id) == ["LS1 4DY", "M1 1AE", "SW1A 1AA"]


def test_errors_are_explained(client: TestClient, api: FakeTelegramAPI, engine: Engine) -> None:
    assert "not in the ONS" in say(client, api, "/subscribe ZZ1 1ZZ")
    assert "Jersey" in say(client, api, "/subscribe JE2 3AB")
    assert "/subscribe LS1 4DY" in say(client, api, "/subscribe")
    assert "didn't understand" in say(client, api, "hello")
    assert "don't know that command" in say(client, api, "/dance")
    for command in ("/next", "/settings"):
        assert "not signed up" in say(client, api, command)
    assert "/settings" in say(client, api, "/help")
    assert sub(engine) is None


def test_settings_keyboard_toggles_topics_and_sets_reminder(
    client: TestClient, api: FakeTelegramAPI, engine: Engine
) -> None:
    say(client, api, "/subscribe LS1 4DY")
    say(client, api, "/settings")
    markup = api.calls("sendMessage")[-1].params["reply_markup"]
    buttons = [b for row in markup["inline_keyboard"] for b in row]
    labels = {b["callback_data"]: b["text"] for b in buttons}
    assert labels["topic:nursing"].startswith("✅") and labels["topic:transport"].startswith("⬜")
    assert "remind:19:00" in labels
    message_id = 1
    assert post(client, callback_update(CHAT, "topic:transport", message_id=message_id)) == 200
    assert post(client, callback_update(CHAT, "topic:doctors", message_id=message_id)) == 200
    assert post(client, callback_update(CHAT, "remind:19:00", message_id=message_id)) == 200
    edits = api.calls("editMessageText")
    assert len(edits) == 3 and "Reminder: 7pm" in (edits[-1].text or "")
    new_labels = {
        b["callback_data"]: b["text"]
        for row in edits[-1].params["reply_markup"]["inline_keyboard"]
        for b in row
    }
    assert new_labels["topic:transport"].startswith("✅")
    assert new_labels["topic:doctors"].startswith("⬜")
    answers = [c.params.get("text") for c in api.calls("answerCallbackQuery")]
    assert answers == ["Saved", "Saved", "Reminder at 7pm"]
    row = sub(engine)
    assert row is not None and row.id is not None and row.reminder_time == "19:00"
    with Session(engine) as s:
        assert service.topics_of(s, row.id) == ["ambulance", "nursing", "other_nhs", "transport"]


def test_next_lists_matching_strikes(
    client: TestClient, api: FakeTelegramAPI, engine: Engine
) -> None:
    say(client, api, "/subscribe LS1 4DY")
    assert "No strikes" in say(client, api, "/next")
    now = datetime.now(UTC)
    with session_scope(engine) as s:
        strike = Strike(
            key="rcn|leeds",
            unions=json.dumps(["RCN"]),
            staff=json.dumps(["nurses"]),
            employers=json.dumps(["Leeds Teaching Hospitals"]),
            topic="nursing",
            start=now + timedelta(days=3),
            end=now + timedelta(days=4),
            details_url="https://example.org/rcn",
            created_at=now,
            updated_at=now,
        )
        s.add(strike)
        s.flush()
        assert strike.id is not None
        s.add(StrikeArea(strike_id=strike.id, area_code="E54000054"))  # West Yorkshire ICB
        s.add(StrikeChange(strike_id=strike.id, kind="new", alert_kind="announced", created_at=now))
    reply = say(client, api, "/next")
    assert "RCN nurses, Leeds Teaching Hospitals" in reply and "https://example.org/rcn" in reply


def test_unsubscribe_restart_and_forget(
    client: TestClient, api: FakeTelegramAPI, engine: Engine
) -> None:
    say(client, api, "/start M1 1AE")
    assert "won't get any more" in say(client, api, "/unsubscribe")
    row = sub(engine)
    assert row is not None and row.status == "stopped"
    assert "on again" in say(client, api, "/start")
    row = sub(engine)
    assert row is not None and row.status == "active"
    assert "deleted" in say(client, api, "/forget")
    assert sub(engine) is None
    with Session(engine) as s:
        forgotten = s.get(Subscriber, row.id)
        assert forgotten is not None and forgotten.address is None
    assert "no data" in say(client, api, "/forget")


def test_blocked_user_is_marked_stopped(
    client: TestClient, api: FakeTelegramAPI, engine: Engine
) -> None:
    say(client, api, "/start M1 1AE")
    api.set_chat_error(CHAT, blocked_by_user())
    assert post(client, message_update(CHAT, "/help")) == 200
    row = sub(engine)
    assert row is not None and row.status == "stopped" and row.stop_reason == "telegram_blocked"


def test_webhook_secret_is_checked_and_nothing_changes(
    client: TestClient, api: FakeTelegramAPI, engine: Engine
) -> None:
    update = message_update(CHAT, "/start M1 1AE")
    assert post(client, update, secret=None) == 403
    assert post(client, update, secret="wrong") == 403
    assert sub(engine) is None
    assert api.calls("sendMessage") == []
    bad = client.post(
        "/webhooks/telegram",
        content=b"not json",
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
    )
    assert bad.status_code == 400


def test_webhook_registered_with_secret_when_public(
    engine: Engine, database_url: str, api: FakeTelegramAPI
) -> None:
    settings = _settings(database_url, api, PUBLIC_BASE_URL="https://alerts.example.org")
    with TestClient(create_app(settings, engine)):
        pass
    (call,) = api.calls("setWebhook")
    assert call.params["url"] == "https://alerts.example.org/webhooks/telegram"
    assert call.params["secret_token"] == SECRET


def test_polling_mode(engine: Engine, database_url: str, api: FakeTelegramAPI) -> None:
    settings = _settings(database_url, api)
    stop = asyncio.Event()
    loop = asyncio.new_event_loop()
    worker = threading.Thread(
        target=loop.run_until_complete, args=(run_polling(settings, engine, stop),)
    )
    worker.start()
    try:
        api.push_update(message_update(CHAT, "/start LS14DY"))
        api.wait_for("sendMessage", 1, timeout=10)
    finally:
        loop.call_soon_threadsafe(stop.set)
        worker.join(timeout=15)
        loop.close()
    assert not worker.is_alive()
    assert "signed up" in api.sent_texts(CHAT)[0]
    row = sub(engine)
    assert row is not None and row.status == "active"


def test_failure_gets_an_apology_not_silence(
    database_url: str, api: FakeTelegramAPI, tmp_path: Path
) -> None:
    from notifier.db import make_engine

    broken = make_engine(f"sqlite:///{tmp_path}/no_tables.db")  # the schema was never created
    with TestClient(create_app(_settings(database_url, api), broken)) as c:
        assert post(c, message_update(CHAT, "/subscribe LS1 4DY")) == 200
    assert "something went wrong" in api.sent_texts(CHAT)[-1]


def test_operator_added_chat_confirms_by_starting_the_bot(
    client: TestClient, api: FakeTelegramAPI, engine: Engine
) -> None:
    with session_scope(engine) as s:
        service.start_signup(
            s,
            load_settings(_env_file=None),
            channel="telegram",
            address=str(CHAT),
            postcode="M1 1AE",
            now=datetime.now(UTC),
        )
    assert "signed up" in say(client, api, "/start")
    row = sub(engine)
    assert row is not None and row.status == "active" and row.consent_channel == "telegram"


def _poll_in_thread(
    settings: Settings, engine: Engine
) -> tuple[threading.Thread, Callable[[], None]]:
    stop = asyncio.Event()
    loop = asyncio.new_event_loop()
    worker = threading.Thread(
        target=loop.run_until_complete, args=(run_polling(settings, engine, stop),)
    )
    worker.start()

    def finish() -> None:
        if worker.is_alive():
            loop.call_soon_threadsafe(stop.set)
        worker.join(timeout=15)
        loop.close()

    return worker, finish


def test_polling_retries_until_telegram_answers(
    engine: Engine, database_url: str, api: FakeTelegramAPI
) -> None:
    api.enqueue("getMe", server_error())
    worker, finish = _poll_in_thread(_settings(database_url, api), engine)
    try:
        api.push_update(message_update(CHAT, "/help"))
        api.wait_for("sendMessage", 1, timeout=15)
    finally:
        finish()
    assert not worker.is_alive()
    assert [c.status for c in api.calls("getMe")][:2] == [500, 200]
    assert "/settings" in api.sent_texts(CHAT)[0]


def test_polling_gives_up_on_a_rejected_token(
    engine: Engine, database_url: str, api: FakeTelegramAPI
) -> None:
    api.enqueue(
        "getMe", FakeResponse(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
    )
    worker, finish = _poll_in_thread(_settings(database_url, api), engine)
    worker.join(timeout=10)
    finished = not worker.is_alive()
    finish()
    assert finished and len(api.calls("getMe")) == 1 and api.calls("getUpdates") == []
