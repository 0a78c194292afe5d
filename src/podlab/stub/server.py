"""The stub server: one httpcore handler that routes to the admin API or serves stubs.

Serving a stub request: match (podlab.stub.matching.order), template (podlab.stub.templating),
plan the response (render.py), then act: delay, fault or answer; journal and log it.
"""

from __future__ import annotations

import asyncio
import base64
import random
import sys
import time
from datetime import UTC, datetime
from typing import Any, TextIO

from podlab.httpcore import Connection, Request, Response, Server, serve
from podlab.stub.admin.api import AdminAnswer, AdminApi
from podlab.stub.banner import startup_text
from podlab.stub.model import StubMapping
from podlab.stub.model.request import LoggedRequest
from podlab.stub.options import StubOptions
from podlab.stub.report.not_matched import render_not_matched
from podlab.stub.report.verbose_log import admin_message, notifier_line, request_text, stub_message
from podlab.stub.serve.render import (
    RenderError,
    ResponsePlan,
    dribble,
    maybe_gzip,
    plan_response,
    send_fault,
)
from podlab.stub.serve.templated import template_definition, wants_templating
from podlab.stub.store.files import MappingLoadError
from podlab.stub.store.journal import ServeEvent, unmatched_stub_placeholder
from podlab.stub.store.state import StubState
from podlab.stub.templating import TemplateError

NO_STUBS_BODY = "No response could be served as there are no stub mappings in this WireMock instance."
ADMIN_PREFIX = "/__admin"
_CORS_METHODS = "OPTIONS,GET,POST,PUT,PATCH,DELETE"


class StubServer:
    """A WireMock-compatible server; `start()` loads mappings and listens, `stop()` closes."""

    def __init__(self, options: StubOptions, *, out: TextIO | None = None, err: TextIO | None = None) -> None:
        self.options = options
        self.out = out if out is not None else sys.stdout
        self.err = err if err is not None else sys.stderr
        self.state = StubState(options)
        self.port = 0
        self._server: Server | None = None
        self._rng = random.Random()
        self._started_at = time.monotonic()
        self.shutdown_requested = asyncio.Event()
        self.admin = AdminApi(self.state, on_shutdown=self._request_shutdown, started_at=self._started_at)

    async def start(self) -> None:
        """Create the root dirs, load mappings (MappingLoadError names a bad file), listen."""
        try:
            self.state.files.ensure_dirs()
        except OSError as exc:
            raise MappingLoadError(
                f"{self.options.root_dir}: cannot create mappings/ and __files/: {exc}"
            ) from None
        self.state.load_files()
        if self.options.verbose:
            now = datetime.now(UTC)
            # WireMock's notifier announces this twice (once per Options object it builds).
            self.out.write(notifier_line(now, "Verbose logging enabled"))
            self.out.write(notifier_line(now, "Verbose logging enabled"))
            self.out.flush()
        self._server = await serve(
            self.handle,
            self.options.bind_address,
            self.options.port,
            max_body_bytes=self.options.max_body_bytes,
        )
        self.port = self._server.port
        self.out.write(startup_text(self.options, self.port))
        self.out.flush()

    async def stop(self) -> None:
        if self._server is not None:
            server, self._server = self._server, None
            await server.wait_closed()

    def _request_shutdown(self) -> None:
        # Let the 200 reach the client before the listener goes away.
        asyncio.get_running_loop().call_later(0.05, self.shutdown_requested.set)

    # dispatch -------------------------------------------------------------------------------

    async def handle(self, request: Request, connection: Connection) -> Response | None:
        path = request.path
        if path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/"):
            return await self._handle_admin(request, path[len(ADMIN_PREFIX) :])
        return await self._handle_stub(request, connection)

    # admin ----------------------------------------------------------------------------------

    async def _handle_admin(self, request: Request, path: str) -> Response:
        if self.options.verbose:
            url = path + ("?" + request.query if request.query else "")
            self._log(admin_message(self._request_text(request, url)))
        origin = request.header("Origin")
        if request.method == "OPTIONS" and origin is not None:
            answer = self._preflight(request, origin)
        elif not self._admin_authorised(request):
            answer = AdminAnswer(401, [("WWW-Authenticate", 'Basic realm="WireMock"')])
        elif self.options.admin_api_require_https:
            answer = AdminAnswer(403, [], b"HTTPS is required for accessing the admin API")
        else:
            answer = await self.admin.handle(request, path)
        headers: list[tuple[str, str]] = []
        if self.options.compat == 3:
            headers.append(("Vary", "Origin"))
        if origin is not None and request.method != "OPTIONS":
            headers += [("Access-Control-Allow-Origin", origin), ("Access-Control-Allow-Credentials", "true")]
        headers += answer.headers
        chunked = not (request.method == "OPTIONS" and origin is not None)
        return Response(answer.status, headers, answer.body, chunked=chunked)

    def _preflight(self, request: Request, origin: str) -> AdminAnswer:
        return AdminAnswer(
            200,
            [
                ("Access-Control-Allow-Origin", origin),
                ("Access-Control-Allow-Credentials", "true"),
                ("Access-Control-Max-Age", "1800"),
                ("Access-Control-Allow-Methods", _CORS_METHODS),
                ("Access-Control-Allow-Headers", request.header("Access-Control-Request-Headers") or ""),
            ],
        )

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

    # stubs ----------------------------------------------------------------------------------

    async def _handle_stub(self, request: Request, connection: Connection) -> Response | None:
        started = time.monotonic()
        if self.options.enable_stub_cors and request.method == "OPTIONS":
            origin = request.header("Origin")
            if origin is not None and request.header("Access-Control-Request-Method") is not None:
                # --enable-stub-cors puts a CORS filter in front of the stubs: it answers preflights.
                answer = self._preflight(request, origin)
                return Response(answer.status, answer.headers)
        logged = LoggedRequest.from_http(request)
        stub = self.state.find(logged)
        if stub is None:
            return self._unmatched(request, logged, started)
        return await self._serve_stub(request, connection, logged, stub, started)

    async def _serve_stub(
        self,
        request: Request,
        connection: Connection,
        logged: LoggedRequest,
        stub: StubMapping,
        started: float,
    ) -> Response | None:
        stub_id = stub.id_text()
        self.state.mark_served(stub_id)
        self.state.scenarios_on_served(stub)
        definition = self.state.response_json(stub)
        try:
            if wants_templating(definition, self.options):
                definition = template_definition(definition, logged, stub, self.state.files)
            plan = plan_response(definition, self.state.files, settings=self.state.settings, rng=self._rng)
        except (RenderError, TemplateError) as exc:
            plan = ResponsePlan(status=500, headers=[("Content-Type", "text/plain")], body=str(exc).encode())
        headers = list(plan.headers)
        headers.append(("Matched-Stub-Id", stub_id))
        if stub.name:
            headers.append(("Matched-Stub-Name", _ascii(stub.name)))
        plan.headers = headers
        if self.options.verbose and not self.options.disable_request_logging:
            self._log(
                stub_message(
                    self._request_text(request, logged.url),
                    definition,
                    logged.protocol,
                    plan.status,
                    [] if plan.fault else headers,
                )
            )
        self._journal(logged, definition, plan, stub, stub_id, started)
        if plan.delay_ms > 0:
            await asyncio.sleep(plan.delay_ms / 1000.0)
        if plan.fault:
            await send_fault(plan.fault, connection)
            return None
        if plan.dribble is None and not self.options.disable_gzip:
            maybe_gzip(plan, request.header_values("Accept-Encoding"))
        wire_headers = list(plan.headers)
        origin = request.header("Origin") if self.options.enable_stub_cors else None
        if origin:
            wire_headers += [
                ("Access-Control-Allow-Origin", origin),
                ("Access-Control-Allow-Credentials", "true"),
            ]
        if self.options.compat == 2:
            wire_headers.append(("Vary", "Accept-Encoding, User-Agent"))
        chunked = self._chunked(plan)
        body: Any = plan.body
        if plan.dribble is not None:
            chunks, total_ms = plan.dribble
            body = dribble(plan.body, chunks, total_ms)
        return Response(plan.status, wire_headers, body, reason=plan.reason, chunked=chunked)

    def _chunked(self, plan: ResponsePlan) -> bool:
        mode = self.options.use_chunked_encoding
        return mode == "always" or (mode == "body_file" and plan.from_file)

    def _unmatched(self, request: Request, logged: LoggedRequest, started: float) -> Response:
        if request.method == "GET":
            static = self.state.files.static_file(request.path)
            if static is not None:
                return self._static(static)
        if len(self.state) == 0:
            report = NO_STUBS_BODY
        else:
            nearest = self.state.nearest_stub(logged)
            state = None
            if nearest is not None and nearest.scenario_name is not None:
                state = self.state.scenarios.state(nearest.scenario_name)
            report = render_not_matched(logged, nearest, scenario_state=state, compat=self.options.compat)
        content_type = "text/plain;charset=UTF-8" if self.options.compat == 3 else "text/plain"
        now = datetime.now(UTC)
        if len(self.state) > 0 and report:
            self.err.write(notifier_line(now, report))
            self.err.flush()
        if self.options.verbose and not self.options.disable_request_logging:
            text = self._request_text(request, logged.url)
            self._log(stub_message(text, None, logged.protocol, 404, []))
            if self.options.compat == 2:
                # 2.35 serves the 404 page through an internal admin request, and logs it.
                self._log(admin_message(self._request_text(request, "/not-matched")))
        sub_events = [
            {
                "type": "REQUEST_NOT_MATCHED",
                "timeOffsetNanos": int((time.monotonic() - started) * 1e9),
                "data": {"status": 404, "contentType": "text/plain", "report": report},
            }
        ]
        elapsed = int((time.monotonic() - started) * 1000)
        self.state.journal.add(
            ServeEvent(
                request=logged,
                response_definition={"status": 404, "fromConfiguredStub": False},
                status=404,
                response_headers=[],
                response_body=b"",
                was_matched=False,
                stub_mapping=unmatched_stub_placeholder(),
                stub_id=None,
                timing=_timing(0, elapsed),
                sub_events=sub_events,
            )
        )
        if not report:  # a report 2.35.1 fails to print: a bare 404 (see render_not_matched)
            return Response(404, [], b"")
        return Response(404, [("Content-Type", content_type)], report.encode("utf-8"), chunked=True)

    def _static(self, path: Any) -> Response:
        import mimetypes
        from email.utils import formatdate

        data = path.read_bytes()
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        headers = [
            ("Content-Type", content_type),
            ("Accept-Ranges", "bytes"),
            ("Last-Modified", formatdate(path.stat().st_mtime, usegmt=True)),
        ]
        return Response(200, headers, data)

    def _journal(
        self,
        logged: LoggedRequest,
        definition: dict[str, Any],
        plan: ResponsePlan,
        stub: StubMapping,
        stub_id: str,
        started: float,
    ) -> None:
        if not self.state.journal.enabled:
            return
        elapsed = int((time.monotonic() - started) * 1000)
        self.state.journal.add(
            ServeEvent(
                request=logged,
                response_definition=definition,
                status=plan.status,
                response_headers=list(plan.headers),
                response_body=plan.body,  # before gzip, as WireMock journals it
                was_matched=True,
                stub_mapping=self.state.stub_json(stub),
                stub_id=stub_id,
                timing=_timing(int(plan.delay_ms), elapsed),
            )
        )

    # logging --------------------------------------------------------------------------------

    def _request_text(self, request: Request, url: str) -> str:
        client = request.client[0]
        body = request.body.decode("utf-8", errors="replace")
        return request_text(client, request.method, url, request.headers, body)

    def _log(self, message: str) -> None:
        # One write and a flush per request, so container logs show it at once.
        self.out.write(notifier_line(datetime.now(UTC), message))
        self.out.flush()


def _timing(added_delay: int, elapsed: int) -> dict[str, int]:
    return {
        "addedDelay": added_delay,
        "processTime": elapsed,
        "responseSendTime": 0,
        "serveTime": elapsed,
        "totalTime": elapsed + added_delay,
    }


def _ascii(text: str) -> str:
    return text.encode("ascii", errors="ignore").decode("ascii")
