"""A tiny Go-flavoured HTTP server for the agnhost stand-ins (stdlib http.server).

agnhost's servers are Go net/http: HTTP/1.1 keep-alive, `Content-Type` sniffed to
`text/plain; charset=utf-8`, `404 page not found` for unknown paths, no `Server` header.
stdlib http.server is enough for these test servers (they are not on podlab's hot path).
"""

from __future__ import annotations

import os
import sys
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit


def go_log(msg: str) -> None:
    """Go's log.Printf: `2026/11/28 05:32:07 msg` on stderr."""
    sys.stderr.write(time.strftime("%Y/%m/%d %H:%M:%S ") + msg + "\n")
    sys.stderr.flush()


def bind_host() -> str:
    # Go binds ":port" (all addresses); podlab pods share the host's loopback, so built-in
    # images bind the pod IP the runtime passes in (docs/ARCHITECTURE.md, "Pod networking").
    return os.environ.get("PODLAB_POD_IP", "")


class GoHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    routes: ClassVar[dict[str, str]] = {}  # path -> method name, like an http.ServeMux

    def log_message(self, format: str, *args: object) -> None:  # Go servers do not log requests
        pass

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.path).query, keep_blank_values=True)

    def param(self, name: str) -> str:
        return self.query.get(name, [""])[0]

    def reply(
        self,
        status: int,
        body: bytes = b"",
        content_type: str = "text/plain; charset=utf-8",
        headers: list[tuple[str, str]] | None = None,
    ) -> None:
        self.send_response_only(status)
        for k, v in headers or []:
            self.send_header(k, v)
        if body or content_type != "text/plain; charset=utf-8":
            self.send_header("Content-Type", content_type)
        self.send_header("Date", formatdate(usegmt=True))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.wfile.flush()

    def redirect(self, location: str, code: int = 302) -> None:
        """Go's http.Redirect: Location plus a tiny HTML body for GET."""
        body = f'<a href="{_html_escape(location)}">{_status_text(code)}</a>.\n\n'.encode()
        self.reply(code, body, "text/html; charset=utf-8", [("Location", location)])

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        # http.ServeMux: exact paths here; a "/" pattern catches everything else.
        handler = self.routes.get(path, self.routes.get("/"))
        if handler is None:
            self.reply(404, b"404 page not found\n")
            return
        getattr(self, handler)()

    do_POST = do_GET
    do_HEAD = do_GET


def _status_text(code: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return ""


def _html_escape(s: str) -> str:
    return (
        s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&#34;")
        .replace("'", "&#39;")
    )


def serve(handler: type[GoHandler], port: int) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((bind_host(), port), handler)
    server.daemon_threads = True
    return server
