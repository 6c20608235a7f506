"""A fake Telegram Bot API on 127.0.0.1 so the real python-telegram-bot client can be tested.

Start it with ``with FakeTelegramAPI() as api:`` and point the client at ``api.base_url`` (the
value for ``TELEGRAM_API_BASE_URL``; the client adds ``/bot<token>/<method>``). Every request is
recorded; responses are programmable per method (one-shot queue) or per chat (sticky), using the
helpers :func:`rate_limited`, :func:`server_error`, :func:`blocked_by_user` and
:func:`chat_not_found`. ``getUpdates`` serves updates pushed with :meth:`push_update`, so polling
mode works too.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

BOT_USER: dict[str, Any] = {
    "id": 4242,
    "is_bot": True,
    "first_name": "Strike alerts",
    "username": "strike_alerts_test_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}

_SEND_METHODS = frozenset(
    {"sendMessage", "editMessageText", "editMessageReplyMarkup", "sendChatAction", "sendPhoto"}
)


@dataclass(frozen=True)
class FakeResponse:
    """What the fake answers: an HTTP status and a JSON body."""

    status: int
    body: dict[str, Any]


def ok(result: Any = True) -> FakeResponse:
    return FakeResponse(200, {"ok": True, "result": result})


def rate_limited(retry_after: int = 3) -> FakeResponse:
    return FakeResponse(
        429,
        {
            "ok": False,
            "error_code": 429,
            "description": f"Too Many Requests: retry after {retry_after}",
            "parameters": {"retry_after": retry_after},
        },
    )


def server_error() -> FakeResponse:
    return FakeResponse(
        500, {"ok": False, "error_code": 500, "description": "Internal Server Error"}
    )


def blocked_by_user() -> FakeResponse:
    return FakeResponse(
        403,
        {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"},
    )


def chat_not_found() -> FakeResponse:
    return FakeResponse(
        400, {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}
    )


@dataclass
class RecordedRequest:
    """One call the client made. ``params`` has JSON-looking values decoded."""

    method: str
    token: str
    params: dict[str, Any]
    raw: dict[str, str]
    status: int = 0

    @property
    def chat_id(self) -> str | None:
        value = self.raw.get("chat_id")
        return None if value is None else str(value)

    @property
    def text(self) -> str | None:
        value = self.params.get("text")
        return None if value is None else str(value)


def _decode(value: str) -> Any:
    if value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _chat_key(value: Any) -> str:
    return str(value)


@dataclass
class _State:
    lock: threading.Condition = field(default_factory=threading.Condition)
    requests: list[RecordedRequest] = field(default_factory=list)
    queued: dict[str, deque[FakeResponse]] = field(default_factory=lambda: defaultdict(deque))
    chat_errors: dict[str, FakeResponse] = field(default_factory=dict)
    updates: list[dict[str, Any]] = field(default_factory=list)
    message_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    closing: bool = False


class FakeTelegramAPI:
    """Bot API look-alike in a background thread; context manager starts and stops it."""

    def __init__(self, host: str = "127.0.0.1", long_poll_cap: float = 0.5) -> None:
        self._state = _State()
        self._long_poll_cap = long_poll_cap
        handler = _make_handler(self._state, long_poll_cap)
        self._server = ThreadingHTTPServer((host, 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._update_ids = itertools.count(1)

    # lifecycle -------------------------------------------------------------------------------
    def start(self) -> FakeTelegramAPI:
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._state.lock:
            self._state.closing = True
            self._state.lock.notify_all()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeTelegramAPI:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    # programming ------------------------------------------------------------------------------
    def enqueue(self, method: str, *responses: FakeResponse) -> None:
        """The next calls to ``method`` get these responses, in order; then defaults resume."""
        with self._state.lock:
            self._state.queued[method].extend(responses)

    def set_chat_error(self, chat_id: int | str, response: FakeResponse | None) -> None:
        """Every send to this chat gets ``response`` (None clears it)."""
        with self._state.lock:
            if response is None:
                self._state.chat_errors.pop(_chat_key(chat_id), None)
            else:
                self._state.chat_errors[_chat_key(chat_id)] = response

    def push_update(self, update: dict[str, Any]) -> int:
        """Make an update available to ``getUpdates``; gives it an ``update_id`` if missing."""
        with self._state.lock:
            update = dict(update)
            update.setdefault("update_id", next(self._update_ids))
            self._state.updates.append(update)
            self._state.lock.notify_all()
            return int(update["update_id"])

    # inspection -------------------------------------------------------------------------------
    @property
    def requests(self) -> list[RecordedRequest]:
        with self._state.lock:
            return list(self._state.requests)

    def calls(self, method: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == method]

    def sent_texts(self, chat_id: int | str | None = None) -> list[str]:
        """Texts of successful ``sendMessage`` calls (to one chat when given)."""
        return [
            r.text or ""
            for r in self.calls("sendMessage")
            if r.status == 200 and (chat_id is None or r.chat_id == _chat_key(chat_id))
        ]

    def clear(self) -> None:
        with self._state.lock:
            self._state.requests.clear()

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[RecordedRequest]:
        """Block until ``count`` calls to ``method`` were answered (polling-mode tests)."""
        deadline = time.monotonic() + timeout
        with self._state.lock:
            while True:
                found = [r for r in self._state.requests if r.method == method and r.status]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"expected {count} {method} call(s) within {timeout}s, got {len(found)}"
                    )
                self._state.lock.wait(left)


def _make_handler(state: _State, long_poll_cap: float) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            return

        def do_GET(self) -> None:
            self._handle()

        def do_POST(self) -> None:
            self._handle()

        def _read_params(self) -> dict[str, str]:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            query = dict(parse_qsl(urlsplit(self.path).query))
            ctype = self.headers.get("Content-Type", "")
            if not body:
                return query
            if ctype.startswith("application/json"):
                data = json.loads(body)
                return {
                    k: v if isinstance(v, str) else json.dumps(v) for k, v in data.items()
                } | query
            if ctype.startswith("multipart/form-data"):
                return _parse_multipart(body, ctype) | query
            return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True)) | query

        def _handle(self) -> None:
            parts = urlsplit(self.path).path.strip("/").split("/")
            if len(parts) != 2 or not parts[0].startswith("bot"):
                self._reply(
                    FakeResponse(404, {"ok": False, "error_code": 404, "description": "Not Found"})
                )
                return
            token, method = parts[0][3:], parts[1]
            raw = self._read_params()
            record = RecordedRequest(
                method=method, token=token, raw=raw, params={k: _decode(v) for k, v in raw.items()}
            )
            with state.lock:
                state.requests.append(record)
            response = self._respond_to(record)
            with state.lock:
                record.status = response.status
                state.lock.notify_all()
            self._reply(response)

        def _respond_to(self, record: RecordedRequest) -> FakeResponse:
            with state.lock:
                queue = state.queued.get(record.method)
                if queue:
                    return queue.popleft()
                if record.method in _SEND_METHODS and record.chat_id in state.chat_errors:
                    return state.chat_errors[record.chat_id]
            return _default(state, record, long_poll_cap)

        def _reply(self, response: FakeResponse) -> None:
            payload = json.dumps(response.body).encode("utf-8")
            self.send_response(response.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler


def _parse_multipart(body: bytes, ctype: str) -> dict[str, str]:
    from email.parser import BytesParser
    from email.policy import HTTP

    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + ctype.encode("latin-1") + b"\r\n\r\n" + body
    )
    out: dict[str, str] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if isinstance(name, str):
            payload = part.get_payload(decode=True)
            out[name] = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    return out


def _chat_for(value: Any) -> dict[str, Any]:
    try:
        chat_id: int | str = int(value)
    except (TypeError, ValueError):
        chat_id = str(value)
    return {"id": chat_id, "type": "private", "first_name": "Resident"}


def _default(state: _State, record: RecordedRequest, long_poll_cap: float) -> FakeResponse:
    p = record.params
    method = record.method
    if method == "getMe":
        return ok(BOT_USER)
    if method in ("sendMessage", "editMessageText"):
        with state.lock:
            message_id = int(p.get("message_id") or next(state.message_ids))
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": _chat_for(p.get("chat_id")),
            "from": BOT_USER,
            "text": p.get("text", ""),
        }
        if isinstance(p.get("reply_markup"), dict):
            message["reply_markup"] = p["reply_markup"]
        return ok(message)
    if method == "getUpdates":
        return ok(_take_updates(state, record, long_poll_cap))
    if method == "getWebhookInfo":
        return ok({"url": "", "has_custom_certificate": False, "pending_update_count": 0})
    return ok(True)


def _take_updates(
    state: _State, record: RecordedRequest, long_poll_cap: float
) -> list[dict[str, Any]]:
    offset = int(record.params.get("offset") or 0)
    wait = min(float(record.params.get("timeout") or 0), long_poll_cap)
    deadline = time.monotonic() + wait
    with state.lock:
        while True:
            pending = [u for u in state.updates if int(u["update_id"]) >= offset]
            left = deadline - time.monotonic()
            if pending or left <= 0 or state.closing:
                # Telegram forgets updates once a higher offset confirms them.
                state.updates = pending
                return pending
            state.lock.wait(left)


_next_ids = itertools.count(1000)
_update_ids = itertools.count(500_000)


def message_update(
    chat_id: int, text: str, *, user_id: int | None = None, update_id: int | None = None
) -> dict[str, Any]:
    """An Update carrying a private text message, as Telegram would post it."""
    uid = user_id if user_id is not None else chat_id
    entities = []
    if text.startswith("/"):
        command = text.split()[0]
        entities.append({"type": "bot_command", "offset": 0, "length": len(command)})
    update: dict[str, Any] = {
        "message": {
            "message_id": next(_next_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Resident"},
            "from": {"id": uid, "is_bot": False, "first_name": "Resident"},
            "text": text,
            **({"entities": entities} if entities else {}),
        }
    }
    update["update_id"] = update_id if update_id is not None else next(_update_ids)
    return update


def callback_update(
    chat_id: int, data: str, *, message_id: int = 1, update_id: int | None = None
) -> dict[str, Any]:
    """An Update for an inline-keyboard button press on one of the bot's messages."""
    update: dict[str, Any] = {
        "callback_query": {
            "id": str(next(_next_ids)),
            "from": {"id": chat_id, "is_bot": False, "first_name": "Resident"},
            "chat_instance": "ci",
            "data": data,
            "message": {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private", "first_name": "Resident"},
                "from": BOT_USER,
                "text": "Settings",
            },
        }
    }
    update["update_id"] = update_id if update_id is not None else next(_update_ids)
    return update
