"""A tiny HTTP server on 127.0.0.1 that publishes the sample feeds and their article pages."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from xml.sax.saxutils import escape

from notifier.demo.samples import SampleFeed


class SampleSite:
    """Serves ``/feeds/<id>.xml``, ``/articles/<guid>`` and a permissive ``/robots.txt``."""

    def __init__(self, feeds: list[SampleFeed]) -> None:
        self.feeds = {f.feed_id: f for f in feeds}
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, ctype, body = site.respond(self.path)
                data = body.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def feed_url(self, feed_id: str) -> str:
        return f"{self.base_url}/feeds/{feed_id}.xml"

    def respond(self, path: str) -> tuple[int, str, str]:
        if path == "/robots.txt":
            return 200, "text/plain", "User-agent: *\nAllow: /\n"
        if path.startswith("/feeds/") and path.endswith(".xml"):
            feed = self.feeds.get(path[len("/feeds/") : -len(".xml")])
            if feed:
                return 200, "application/rss+xml; charset=utf-8", feed.to_rss(self.base_url)
        if path.startswith("/articles/"):
            guid = path[len("/articles/") :]
            for feed in self.feeds.values():
                for item in feed.items:
                    if item.guid == guid:
                        page = (
                            f"<html><head><title>{escape(item.title)}</title></head><body>"
                            f"<article><h1>{escape(item.title)}</h1><p>{escape(item.body)}</p>"
                            "</article></body></html>"
                        )
                        return 200, "text/html; charset=utf-8", page
        return 404, "text/plain", "not found"

    def __enter__(self) -> SampleSite:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
