"""A real HTTP server on 127.0.0.1 that serves feeds and pages, well-behaved or hostile.

Tests and the polling benchmark register a :class:`Route` per path: a body with optional ETag /
Last-Modified (answering conditional requests with 304), gzip, a status and headers, or one of the
hostile behaviours (trickling bytes, an endless body, a redirect loop). Every request is recorded,
and the server tracks bytes sent per path and the peak number of requests in flight.

Usage::

    with FeedServer() as server:
        server.route("/news.xml", Route(body=rss_bytes, etag='"v1"'))
        url = server.url("/news.xml")
"""

from __future__ import annotations

import gzip as gzip_lib
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "application/rss+xml; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    gzip: bool = False
    redirect_to: str | None = None  # a path or absolute URL; 302
    trickle_s: float | None = None  # delay between single bytes of the body
    endless: bool = False  # stream zero-padded XML until the client hangs up
    declare_length: bool = True  # for ``endless``: send a Content-Length of ``endless_size``
    endless_size: int = 100 * 1024 * 1024
    delay_s: float = 0.0  # wait before answering


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def do_GET(self) -> None:
        srv = self.server
        headers = {k.lower(): v for k, v in self.headers.items()}
        with srv.lock:
            srv.requests.append(Request("GET", self.path, headers))
            srv.in_flight += 1
            srv.peak_in_flight = max(srv.peak_in_flight, srv.in_flight)
            route = srv.routes.get(self.path)
        try:
            self._answer(route, headers)
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            with srv.lock:
                srv.in_flight -= 1

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self._count(len(body))

    def _count(self, n: int) -> None:
        with self.server.lock:
            self.server.bytes_sent[self.path] += n

    def _answer(self, route: Route | None, headers: dict[str, str]) -> None:
        if route is None:
            self._send(404, {"Content-Type": "text/plain"}, b"not found")
            return
        if route.delay_s:
            time.sleep(route.delay_s)
        if route.redirect_to:
            self._send(302, {"Location": route.redirect_to}, b"")
            return
        extra = dict(route.headers)
        if route.etag:
            extra["ETag"] = route.etag
        if route.last_modified:
            extra["Last-Modified"] = route.last_modified
        fresh = (route.etag and headers.get("if-none-match") == route.etag) or (
            route.last_modified and headers.get("if-modified-since") == route.last_modified
        )
        if fresh and route.status == 200:
            self._send(304, extra, b"")
            return
        if route.content_type:
            extra["Content-Type"] = route.content_type
        if route.endless:
            self._endless(route, extra)
            return
        if route.trickle_s is not None:
            self._trickle(route, extra)
            return
        body = route.body
        if route.gzip:
            body = gzip_lib.compress(body)
            extra["Content-Encoding"] = "gzip"
        self._send(route.status, extra, body)

    def _endless(self, route: Route, extra: dict[str, str]) -> None:
        self.send_response(route.status)
        for k, v in extra.items():
            self.send_header(k, v)
        if route.declare_length:
            self.send_header("Content-Length", str(route.endless_size))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        head = b'<?xml version="1.0"?><rss version="2.0"><channel><title>big</title>'
        self.wfile.write(head)
        chunk = b" " * 65536
        sent = len(head)
        while sent < route.endless_size:
            self.wfile.write(chunk)
            sent += len(chunk)
            self._count(len(chunk))

    def _trickle(self, route: Route, extra: dict[str, str]) -> None:
        self.send_response(route.status)
        for k, v in extra.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(route.body)))
        self.end_headers()
        assert route.trickle_s is not None
        for i in range(len(route.body)):
            if self.server.closing.is_set():
                return
            self.wfile.write(route.body[i : i + 1])
            self.wfile.flush()
            self._count(1)
            time.sleep(route.trickle_s)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 512

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self.bytes_sent: defaultdict[str, int] = defaultdict(int)
        self.in_flight = 0
        self.peak_in_flight = 0
        self.closing = threading.Event()


class FeedServer:
    """Start on enter, stop on exit; ``url(path)`` gives the address of a route."""

    def __init__(self) -> None:
        self._server = _Server()
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FeedServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._server.closing.set()
        self._server.shutdown()
        self._server.server_close()

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def route(self, path: str, route: Route | bytes) -> None:
        with self._server.lock:
            self._server.routes[path] = route if isinstance(route, Route) else Route(body=route)

    @property
    def requests(self) -> list[Request]:
        with self._server.lock:
            return list(self._server.requests)

    def requests_for(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]

    def bytes_sent(self, path: str) -> int:
        with self._server.lock:
            return self._server.bytes_sent[path]

    @property
    def peak_in_flight(self) -> int:
        return self._server.peak_in_flight


def rss(
    items: list[dict[str, str]],
    *,
    title: str = "Test feed",
    encoding: str = "utf-8",
    declaration: bool = True,
) -> bytes:
    """A small RSS 2.0 document; each item dict may hold title, link, guid, pubDate, description."""
    from xml.sax.saxutils import escape

    parts = []
    for item in items:
        fields = "".join(
            f"<{k}>{escape(v)}</{k}>"
            for k, v in item.items()
            if k in {"title", "link", "guid", "pubDate", "description"}
        )
        parts.append(f"<item>{fields}</item>")
    decl = f'<?xml version="1.0" encoding="{encoding}"?>\n' if declaration else ""
    doc = (
        f'{decl}<rss version="2.0"><channel><title>{escape(title)}</title>'
        f"<link>https://example.org/</link><description>test</description>"
        f"{''.join(parts)}</channel></rss>"
    )
    return doc.encode(encoding)
