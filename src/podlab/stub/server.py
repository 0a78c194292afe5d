"""The stub server's front door: start and stop, and route each request to the admin API or to
the stubs (`podlab.stub.serve.pipeline.serve_stub`, where one stub request reads top to bottom).
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import ssl
import sys
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TextIO

from podlab.httpcore import Connection, HandlerResult, Request, Response, Server, serve
from podlab.stub.admin.api import AdminAnswer, AdminApi, json_answer
from podlab.stub.banner import startup_text
from podlab.stub.model import StubMapping
from podlab.stub.model.request import absolute_target
from podlab.stub.options import StubOptions
from podlab.stub.report.verbose_log import admin_message, notifier_line
from podlab.stub.serve.cors import origin_headers, preflight_headers
from podlab.stub.serve.pipeline import Serving, log_text, refused_by_jetty, serve_stub, write_log
from podlab.stub.store.files import MappingLoadError
from podlab.stub.store.state import StubState
from podlab.stub.tls import server_context
from podlab.stub.webhooks.sender import WebhookSender

if TYPE_CHECKING:
    # cryptography (~0.2 s of imports) only with browser proxying: see _ca_pem
    from podlab.stub.proxy.mitm import Mitm
    from podlab.stub.watcher import Watcher  # with --watch only (start-up time)

ADMIN_PREFIX = "/__admin"


class StubServer:
    """A WireMock-compatible server; `start()` loads mappings and listens, `stop()` closes."""

    def __init__(self, options: StubOptions, *, out: TextIO | None = None, err: TextIO | None = None) -> None:
        self.options = options
        self.out = out if out is not None else sys.stdout
        self.err = err if err is not None else sys.stderr
        self.state = StubState(options)
        self.port = 0  # the HTTP port (0 with --disable-http)
        self.https_port = 0  # the HTTPS port (0 without --https-port)
        self._server: Server | None = None
        self._https_server: Server | None = None
        self.webhooks = WebhookSender(self.out, self.err, verbose=options.verbose, route=options.route)
        self._serving = Serving(options, self.state, self.out, self.err, webhooks=self.webhooks)
        if options.record_mappings:
            from podlab.stub.recording.live import LiveRecorder

            self._serving.recorder = LiveRecorder(self.state.files, options.match_headers)
        self.shutdown_requested = asyncio.Event()
        self.watcher: Watcher | None = None
        self._mitm: Mitm | None = None  # browser proxying's CA and host certificates, made on need
        self.admin = AdminApi(
            self.state, on_shutdown=self._request_shutdown, started_at=time.monotonic(), ca_pem=self._ca_pem
        )

    async def start(self) -> None:
        """Create the root dirs, load mappings (MappingLoadError names a bad file), listen.

        A keystore that cannot be read raises podlab.stub.tls.TlsConfigError before anything
        listens; a port that cannot be bound raises OSError with `port` set to it."""
        context = server_context(self.options) if self.options.https_port is not None else None
        try:
            self.state.files.ensure_dirs()
        except OSError as exc:
            raise MappingLoadError(
                f"{self.options.root_dir}: cannot create mappings/ and __files/: {exc}"
            ) from None
        self.state.load_files()
        if self.options.proxy_all is not None:
            # WireMock adds it once at start, priority 10 so other stubs win; a reset drops it.
            proxy_all = {"request": {"method": "ANY"}, "response": {"proxyBaseUrl": self.options.proxy_all}}
            self.state.add(StubMapping.from_json({**proxy_all, "priority": 10}, compat=self.options.compat))
        if self.options.verbose:
            # WireMock's notifier announces this twice (once per Options object it builds), each
            # line with its own clock reading.
            self.out.write(notifier_line(datetime.now(UTC), "Verbose logging enabled"))
            self.out.write(notifier_line(datetime.now(UTC), "Verbose logging enabled"))
            if self.options.compat == 3:
                # 3.13.2 then names its HTTP server (seen with --verbose only, before the banner).
                self.out.write(notifier_line(datetime.now(UTC), "Using HTTP server impl: Jetty11HttpServer"))
            self.out.flush()
        if not self.options.disable_http:
            self._server = await self._listen(self.options.port, None)
            self.port = self._server.port
        if context is not None and self.options.https_port is not None:
            self._https_server = await self._listen(self.options.https_port, context)
            self.https_port = self._https_server.port
        if self.options.watch:
            from podlab.stub.watcher import Watcher

            self.watcher = Watcher(self.state, self.out, self.err, interval=self.options.watch_interval)
            self.watcher.start()
        self.out.write(startup_text(self.options, self.port, self.https_port))
        self.out.flush()

    async def _listen(self, port: int, context: ssl.SSLContext | None) -> Server:
        scheme = "http" if context is None else "https"

        def handle(request: Request, connection: Connection) -> HandlerResult:
            return self.handle(request, connection, scheme=scheme)

        try:
            return await serve(
                handle,
                self.options.bind_address,
                port,
                ssl_context=context,
                plain_on_tls=False,  # Jetty's HTTPS connector speaks TLS only
                limits=self.options.limits,
                # The stub takes no connection over (`Upgrade: h2c` aside, which the core
                # answers itself with HTTP/2, as Jetty does for a request without a body): an
                # h2c upgrade with a body (the JDK HttpClient offers one on every cleartext
                # request) is answered in HTTP/1.1 with its body read, as Jetty does.
                upgrades=frozenset(),
                # Jetty reads "get" as GET (WireMock journals GET and matches it).
                any_case_methods=True,
                h2=not (
                    self.options.disable_http2_plain if context is None else self.options.disable_http2_tls
                ),
            )
        except OSError as exc:
            exc.port = port  # type: ignore[attr-defined]  # for the CLI's "Failed to bind" line
            await self._close_listeners()
            raise

    async def _close_listeners(self) -> None:
        for server in (self._server, self._https_server):
            if server is not None:
                await server.wait_closed()
        self._server = self._https_server = None

    async def stop(self) -> None:
        if self.watcher is not None:
            await self.watcher.stop()
        await self._close_listeners()
        await self.webhooks.aclose()
        for client in (self._serving.proxy, self._serving.browser_proxy):
            if client is not None:
                await client.aclose()
        if self._mitm is not None:
            self._mitm.close()

    def _ca_pem(self) -> bytes:
        if self._mitm is None:
            from podlab.stub.proxy.mitm import Mitm

            self._mitm = Mitm()
        return self._mitm.ca_pem()

    async def _tunnel(self, request: Request, connection: Connection) -> Response | None:
        """CONNECT with browser proxying: answer 200 as Jetty does, then be the host over TLS
        with a certificate for it; its requests are browser proxy requests to https://host."""
        self._ca_pem()
        assert self._mitm is not None
        host = request.target.rpartition(":")[0] or request.target
        context = self._mitm.context_for(host)

        async def inner(inner_request: Request, inner_connection: Connection) -> Response | None:
            authority = inner_request.header("Host") or request.target
            if inner_request.target.startswith("/"):
                inner_request = dataclasses.replace(
                    inner_request, target=f"https://{authority}{inner_request.target}"
                )
            result = self.handle(inner_request, inner_connection, scheme="https")
            return result if result is None or isinstance(result, Response) else await result

        await connection.start_tls(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", context, inner)
        return None  # the connection is the tunnel's now

    def _request_shutdown(self) -> None:
        # Let the 200 reach the client before the listener goes away.
        asyncio.get_running_loop().call_later(0.05, self.shutdown_requested.set)

    def handle(self, request: Request, connection: Connection, *, scheme: str = "http") -> HandlerResult:
        """The answer to one request: a Response when it is ready at once (most stub answers),
        else an awaitable of it, for the HTTP core to await in a task."""
        if request.method == "CONNECT" and self.options.enable_browser_proxying:
            return self._tunnel(request, connection)
        refused = refused_by_jetty(request, self.options.compat)
        if refused is not None:
            return refused
        target = None if request.target[:1] == "/" else absolute_target(request.target)
        path = request.path if target is None else target[2].partition("?")[0]
        if path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/"):
            if not request.method.isupper():  # "get /__admin/mappings" lists them, as GET does
                request = dataclasses.replace(request, method=request.method.upper())
            return self._handle_admin(request, path[len(ADMIN_PREFIX) :], scheme)
        return serve_stub(request, connection, self._serving, scheme=scheme)

    async def _handle_admin(self, request: Request, path: str, scheme: str) -> Response:
        if self.options.verbose:
            url = path + ("?" + request.query if request.query else "")
            write_log(self.out, admin_message(log_text(request, url, self.options.compat)))
        origin = request.header("Origin")
        if request.method == "OPTIONS" and origin is not None:
            answer = AdminAnswer(200, preflight_headers(request, origin))
        elif not self._admin_authorised(request):
            answer = AdminAnswer(401, [("WWW-Authenticate", 'Basic realm="WireMock"')])
        elif self.options.admin_api_require_https and scheme != "https":
            # 3.13.2 and 2.35.1 alike: Jackson's pretty JSON, application/json.
            error = {"code": 40, "title": "HTTPS is required for accessing the admin API"}
            answer = json_answer({"errors": [error]}, 403)
        else:
            answer = await self.admin.handle(request, path)
        headers: list[tuple[str, str]] = []
        if self.options.compat == 3:
            headers.append(("Vary", "Origin"))
        if origin is not None and request.method != "OPTIONS":
            headers += origin_headers(origin)
        headers += answer.headers
        chunked = not (request.method == "OPTIONS" and origin is not None)
        return Response(answer.status, headers, answer.body, chunked=chunked)

    def _admin_authorised(self, request: Request) -> bool:
        expected = self.options.admin_api_basic_auth
        if expected is None:
            return True
        header = request.header("Authorization") or ""
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, _, password = base64.b64decode(token.strip()).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        return (user, password) == expected
