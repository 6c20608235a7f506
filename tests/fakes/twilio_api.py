"""A local stand-in for Twilio's Messages REST endpoint, for tests and benchmarks.

Speaks just enough of ``POST /2010-04-01/Accounts/{sid}/Messages.json`` for the official client:
form-encoded requests, Basic auth, JSON answers shaped like Twilio's. Every request is recorded;
answers are programmable per recipient number or as a queue of next answers, so a test can make
one number answer 21610 while another times out.

Usage::

    with FakeTwilio() as fake:
        settings = load_settings(TWILIO_API_BASE_URL=fake.base_url, ...)
        fake.answer_for("+447700900001", Answer.error(21610))
        fake.queue(Answer.too_many(retry_after=2), Answer.server_error())
        ...
        assert fake.messages_to("+447700900002")
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qs

_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>AC[0-9a-fA-F]{32})/Messages\.json$")

# Messages Twilio gives for the codes tests use; wording is ours.
_ERROR_TEXT = {
    21610: "Attempt to send to unsubscribed recipient",
    21211: "Invalid 'To' Phone Number",
    21614: "'To' number is not a valid mobile number",
    21408: "Permission to send an SMS has not been enabled for the region",
    30007: "Message filtered",
}


@dataclass(frozen=True)
class Answer:
    """One programmed response. Build with the class methods."""

    status: int = 201
    code: int | None = None
    retry_after: float | None = None
    delay: float = 0.0  # seconds to wait before answering (timeouts, slow provider)

    @classmethod
    def ok(cls, delay: float = 0.0) -> Answer:
        return cls(201, delay=delay)

    @classmethod
    def error(cls, code: int, status: int = 400) -> Answer:
        return cls(status, code=code)

    @classmethod
    def too_many(cls, retry_after: float | None = 1) -> Answer:
        return cls(429, code=20429, retry_after=retry_after)

    @classmethod
    def server_error(cls, status: int = 500) -> Answer:
        return cls(status)

    @classmethod
    def slow(cls, seconds: float) -> Answer:
        """Answers 201, but only after ``seconds``: longer than the client timeout is a timeout."""
        return cls(201, delay=seconds)


@dataclass
class RecordedRequest:
    account_sid: str
    auth_user: str | None
    form: dict[str, str]
    answered: int
    sid: str | None
    at: float = field(default_factory=time.monotonic)

    @property
    def to(self) -> str:
        return self.form.get("To", "")

    @property
    def body(self) -> str:
        return self.form.get("Body", "")


class _Server(ThreadingHTTPServer):
    request_queue_size = 1024  # benchmarks open hundreds of connections at once
    daemon_threads = True


class FakeTwilio:
    """Threaded HTTP server on 127.0.0.1 with a random free port."""

    def __init__(self, auth_token: str | None = None) -> None:
        self._lock = threading.Lock()
        self.requests: list[RecordedRequest] = []
        self._queue: deque[Answer] = deque()
        self._per_number: dict[str, deque[Answer] | Answer] = {}
        self.auth_token = auth_token
        self._server = _Server(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # -- lifecycle -----------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeTwilio:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeTwilio:
        return self.start()

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- programming answers ---------------------------------------------------------------------
    def queue(self, *answers: Answer) -> None:
        """The next requests (to any number without its own rule) get these answers in order."""
        with self._lock:
            self._queue.extend(answers)

    def answer_for(self, number: str, *answers: Answer, always: bool = False) -> None:
        """Answers for one recipient: in order, then 201; or ``always`` the single answer given."""
        with self._lock:
            if always:
                if len(answers) != 1:
                    raise ValueError("always=True takes exactly one answer")
                self._per_number[number] = answers[0]
            else:
                self._per_number[number] = deque(answers)

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self._queue.clear()
            self._per_number.clear()

    # -- inspection ------------------------------------------------------------------------------
    def messages_to(self, number: str) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.to == number]

    def accepted(self) -> list[RecordedRequest]:
        """Requests that Twilio would have queued for delivery (answered 201)."""
        with self._lock:
            return [r for r in self.requests if r.answered == 201]

    # -- internals -------------------------------------------------------------------------------
    def _next_answer(self, to: str) -> Answer:
        with self._lock:
            rule = self._per_number.get(to)
            if isinstance(rule, Answer):
                return rule
            if rule:
                return rule.popleft()
            if self._queue:
                return self._queue.popleft()
            return Answer.ok()

    def _record(self, req: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(req)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                return

            def _send_json(
                self, status: int, payload: dict[str, object], headers: dict[str, str]
            ) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client gave up (a timeout test)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode()
                match = _PATH.match(self.path.split("?", 1)[0])
                if not match:
                    self._send_json(404, {"code": 20404, "message": "Not found", "status": 404}, {})
                    return
                user, password = _basic_auth(self.headers.get("Authorization"))
                if user != match["sid"] or (fake.auth_token and password != fake.auth_token):
                    self._send_json(
                        401, {"code": 20003, "message": "Authenticate", "status": 401}, {}
                    )
                    return
                form = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
                to = form.get("To", "")
                if not form.get("Body"):
                    fake._record(RecordedRequest(match["sid"], user, form, 400, None))
                    self._send_json(
                        400,
                        {"code": 21602, "message": "Message body is required", "status": 400},
                        {},
                    )
                    return
                answer = fake._next_answer(to)
                if answer.delay:
                    time.sleep(answer.delay)
                if answer.status == 201:
                    sid = "SM" + uuid.uuid4().hex
                    fake._record(RecordedRequest(match["sid"], user, form, 201, sid))
                    self._send_json(201, _message_json(match["sid"], sid, form), {})
                    return
                fake._record(RecordedRequest(match["sid"], user, form, answer.status, None))
                headers = {}
                if answer.retry_after is not None:
                    headers["Retry-After"] = str(answer.retry_after)
                message = _ERROR_TEXT.get(answer.code or 0, "Internal server error")
                if answer.status == 429:
                    message = "Too Many Requests"
                self._send_json(
                    answer.status,
                    {
                        "code": answer.code,
                        "message": message,
                        "status": answer.status,
                        "more_info": f"https://www.twilio.com/docs/errors/{answer.code}",
                    },
                    headers,
                )

        return Handler


def _basic_auth(header: str | None) -> tuple[str | None, str | None]:
    if not header or not header.startswith("Basic "):
        return None, None
    user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    return user, password


def _message_json(account_sid: str, sid: str, form: dict[str, str]) -> dict[str, object]:
    body = form.get("Body", "")
    return {
        "sid": sid,
        "account_sid": account_sid,
        "to": form.get("To"),
        "from": form.get("From"),
        "messaging_service_sid": form.get("MessagingServiceSid"),
        "body": body,
        "status": "accepted" if form.get("MessagingServiceSid") else "queued",
        "num_segments": "1",
        "direction": "outbound-api",
        "api_version": "2010-04-01",
        "uri": f"/2010-04-01/Accounts/{account_sid}/Messages/{sid}.json",
    }
