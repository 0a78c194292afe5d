"""Serving one stub request, as a pipeline read top to bottom in `serve_stub`:

    parse → match (or the "Request was not matched" report) → template → render
          → log and journal → answer → webhooks (sent in the background)

Each step is a function of what the steps before it produced and returns what the next one
needs; none calls back into the server. Only the last step waits (delays, dribbles) or touches
the connection (faults). The store's state changes in two places, both in `serve_stub`: the
scenario moves when a stub is chosen, and the journal records the exchange.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from podlab.httpcore import Connection, Request, Response
from podlab.stub.model import StubMapping
from podlab.stub.model.header_names import jetty_spelling
from podlab.stub.model.request import KNOWN_METHODS, LoggedRequest, absolute_target
from podlab.stub.options import StubOptions
from podlab.stub.report.verbose_log import admin_message, notifier_line, request_text, stub_message
from podlab.stub.serve.cors import origin_headers, preflight_headers
from podlab.stub.serve.error_page import error_page, template_exception_chain
from podlab.stub.serve.reasons import jetty_reason
from podlab.stub.serve.render import (
    RenderError,
    ResponsePlan,
    dribble,
    dribble_pause,
    maybe_gzip,
    plan_response,
    send_fault,
)
from podlab.stub.serve.templated import templated
from podlab.stub.store.journal import Journal, ServeEvent, unmatched_stub_placeholder
from podlab.stub.store.state import StubState

if TYPE_CHECKING:
    from podlab.stub.proxy.client import ProxyClient
    from podlab.stub.recording.live import LiveRecorder
    from podlab.stub.webhooks.plan import WebhookDecision
    from podlab.stub.webhooks.sender import WebhookSender


def _template_error() -> type[Exception]:
    """podlab.stub.templating.TemplateError, imported on first need (the engine is not needed to start)."""
    from podlab.stub.templating import TemplateError

    return TemplateError


NO_STUBS_BODY = "No response could be served as there are no stub mappings in this WireMock instance."


_MAX_PLANS = 4096
_MAX_METHODS = 16  # remembered answers per stub, one per request method (Serving.remember_ready)


def _global_delay(settings: dict[str, Any]) -> bool:
    return bool(settings.get("fixedDelay") or settings.get("delayDistribution"))


def _always_the_same(definition: dict[str, Any], plan: ResponsePlan) -> bool:
    """Whether a definition's plan is the same on every request (see Serving.plan)."""
    return (
        plan.fault is None
        and plan.delay_ms == 0
        and plan.dribble is None
        and not plan.from_file
        and not definition.get("delayDistribution")
        and not definition.get("bodyFileName")
    )


@dataclass(slots=True)
class _Ready:
    """A served stub's whole answer, remembered when nothing can change it between requests
    (see Serving.ready): its JSON and id for the journal, the plan as journalled (Matched-Stub-*
    headers added) and the Response the core writes, by request method (2.35.1's Vary depends
    on it). The core frames a `reusable` Response once, so such a hit skips planning, framing
    and copying. Valid for the stubs' generation it was made in (StubState.generation)."""

    stub: StubMapping
    generation: int
    stub_json: dict[str, Any]
    stub_id: str
    plan: ResponsePlan
    responses: dict[str, Response]


@dataclass
class Serving:
    """What serving reads and writes: the options, the store, the log streams, the delay dice."""

    options: StubOptions
    state: StubState
    out: TextIO
    err: TextIO
    rng: random.Random = field(default_factory=random.Random)
    webhooks: WebhookSender | None = None  # None: webhooks are decided but not sent
    proxy: ProxyClient | None = None  # made on the first proxying stub served
    browser_proxy: ProxyClient | None = None  # made on the first browser proxy request
    recorder: LiveRecorder | None = None  # --record-mappings

    # Plans of stubs whose answer is the same every time, by their definition (see `plan`).
    _plans: dict[int, tuple[dict[str, Any], ResponsePlan]] = field(default_factory=dict)
    # Whole answers of such stubs, by id(stub) (see `ready`).
    _ready: dict[int, _Ready] = field(default_factory=dict)

    def ready(self, stub: StubMapping, request: Request) -> tuple[_Ready, Response] | None:
        """The remembered answer of `stub` for this request, if it has one and the request
        cannot change it: no gzip to negotiate, no CORS origin to echo, no global delay
        (settings change at any time). What the stub itself could vary (templates, delays,
        faults, body files, proxying, webhooks, the verbose log) kept it from being remembered."""
        ready = self._ready.get(id(stub))
        state = self.state
        if ready is None or ready.stub is not stub or ready.generation != state.generation:
            return None
        response = ready.responses.get(request.method)
        if response is None:
            return None
        # _request_neutral and _global_delay, inlined: this runs for every remembered answer.
        options, settings = self.options, state.settings
        if not options.disable_gzip and request.header("Accept-Encoding") is not None:
            return None
        if options.enable_stub_cors and request.header("Origin") is not None:
            return None
        if settings and (settings.get("fixedDelay") or settings.get("delayDistribution")):
            return None
        return ready, response

    def _request_neutral(self, request: Request) -> bool:
        """Whether a stub's answer to this request is the same as to any other (see `ready`)."""
        options = self.options
        if not options.disable_gzip and request.header("Accept-Encoding") is not None:
            return False
        return not (options.enable_stub_cors and request.header("Origin") is not None)

    def remember_ready(
        self,
        stub: StubMapping,
        stub_json: dict[str, Any],
        definition: dict[str, Any],
        plan: ResponsePlan,
        request: Request,
        response: Response,
    ) -> None:
        """Keep a just-served answer for `ready` when nothing but the request could have changed
        it, and the request did not (`plan`: as journalled, not changed after this;
        `stub_json`: the stub's, of the current generation)."""
        options = self.options
        known = self._plans.get(id(definition))
        if (
            known is None
            or known[0] is not definition  # no remembered plan: templated, delayed, a file...
            or definition is not stub_json["response"]  # templated
            or definition.get("proxyBaseUrl")
            or definition.get("transformers")
            or options.templating_global
            or (options.verbose and not options.disable_request_logging)
            or stub.post_serve_actions
            or stub.serve_event_listeners
            or not isinstance(response.body, bytes)
            or not self._request_neutral(request)
            or _global_delay(self.state.settings)
        ):
            return
        generation = self.state.generation
        ready = self._ready.get(id(stub))
        if ready is None or ready.stub is not stub or ready.generation != generation:
            if len(self._ready) >= _MAX_PLANS:
                self._ready.clear()
            # The stub is kept alive with it, so its id stays its own.
            ready = _Ready(stub, generation, stub_json, stub.id_text(), plan, {})
            self._ready[id(stub)] = ready
        # Bounded: a stub for ANY method could be sent any number of made-up method tokens.
        if request.method not in ready.responses and len(ready.responses) < _MAX_METHODS:
            response.reusable = True  # the core frames it once (httpcore Response.reusable)
            ready.responses[request.method] = response

    def plan(self, definition: dict[str, Any], *, templated_copy: bool) -> ResponsePlan:
        """`plan_response` for a definition; remembered (the most served stubs' cost) when the
        answer cannot change between requests: not templated, no delay or fault to draw, no
        body file (which may change on disk), no global delay."""
        settings = self.state.settings
        key = id(definition)
        known = self._plans.get(key)
        if known is not None and known[0] is definition and not _global_delay(settings):
            cached = known[1]
            return ResponsePlan(cached.status, cached.reason, list(cached.headers), cached.body)
        plan = plan_response(
            definition, self.state.files, settings=settings, rng=self.rng, compat=self.options.compat
        )
        if not templated_copy and _always_the_same(definition, plan) and not _global_delay(settings):
            if len(self._plans) >= _MAX_PLANS:
                self._plans.clear()
            self._plans[key] = (definition, plan)  # the definition kept alive: its id stays its own
            plan = ResponsePlan(plan.status, plan.reason, list(plan.headers), plan.body)
        return plan

    def proxy_client(self) -> ProxyClient:
        if self.proxy is None:
            from podlab.stub.proxy.client import ProxyClient

            self.proxy = ProxyClient(timeout=self.options.proxy_timeout_ms / 1000.0, route=self.options.route)
        return self.proxy

    def browser_proxy_client(self) -> ProxyClient:
        if self.browser_proxy is None:
            from podlab.stub.proxy.client import ProxyClient

            verify = not self.options.trust_all_proxy_targets
            self.browser_proxy = ProxyClient(
                timeout=self.options.proxy_timeout_ms / 1000.0, verify=verify, route=self.options.route
            )
        return self.browser_proxy


def serve_stub(
    request: Request, connection: Connection, serving: Serving, *, scheme: str = "http"
) -> Response | Awaitable[Response | None]:
    """Answer one request to the stubs (`scheme`: the listener's): the Response when it is ready
    at once (most answers: no delay, proxy or fault), else an awaitable of it (None when a fault
    took the connection over). Answering at once spares the HTTP core a task per request."""
    started = time.monotonic()
    options, state = serving.options, serving.state
    if options.enable_stub_cors and request.method == "OPTIONS":
        preflight = stub_preflight(request)
        if preflight is not None:
            return preflight
    logged = LoggedRequest.from_http(
        request, scheme=scheme, compat=options.compat, browser_proxying=options.enable_browser_proxying
    )  # parse
    stub = state.serving_order().find(logged, state.scenarios)  # match (state.find)
    if stub is None and logged.browser_proxy_request:
        return serve_browser_proxy(request, logged, connection, serving, started)
    if stub is None:
        if request.method == "GET":
            static = state.files.static_file(request.path)
            if static is not None:
                return static_file_response(static)
        report = not_matched_report(logged, state, options.compat)
        if request.method != "GET" and request.method.upper() == "GET":
            # WireMock hands an unmatched GET to Jetty's default servlet (for __files), and the
            # servlet refuses a method not spelled "GET"; the journal has it as unmatched all
            # the same. 3.13.2 logs the report first; 2.35.1, which logs it while serving its
            # 404 page, never gets there.
            if options.compat == 3:
                log_not_matched(request, logged, report, serving)
            journal_not_matched(state.journal, logged, report, started)
            return servlet_refusal(request, options.compat)
        log_not_matched(request, logged, report, serving)
        journal_not_matched(state.journal, logged, report, started)
        return not_matched_response(report, options.compat)
    ready = serving.ready(stub, request)
    if ready is not None:  # the answer remembered: journal it and give it again
        known, response = ready
        state.served_ids.add(known.stub_id)  # mark_served
        if stub.scenario_name is not None:
            state.scenarios_on_served(stub)
        if state.journal.enabled:
            plan, stub_json = known.plan, known.stub_json
            event = served_event(
                logged, stub_json["response"], plan, stub_json, known.stub_id, started, shared_headers=True
            )
            state.journal.add(event)
        return response
    stub_json = state.stub_json(stub)
    stub_id = stub.id_text()
    state.mark_served(stub_id)
    if stub.scenario_name is not None:  # no call for the many stubs without one
        state.scenarios_on_served(stub)
    definition = raw_definition = stub_json["response"]
    try:
        # templated() decides exactly; a stub with no transformers is not templated unless
        # templating is global, which spares the untemplated majority the call.
        if options.templating_global or definition.get("transformers"):
            definition = templated(definition, logged, stub, options, state.files)  # template
        if definition.get("proxyBaseUrl"):
            return _serve_proxied(request, logged, connection, serving, stub, stub_json, definition, started)
        plan = serving.plan(definition, templated_copy=definition is not raw_definition)  # render
    except RenderError as exc:
        plan = render_failure(exc)
    except _template_error() as exc:  # evaluated only once something was raised
        plan = template_failure(exc, request, options.compat)
    return serve_plan(request, logged, connection, serving, stub, stub_json, definition, plan, started)


async def _serve_proxied(
    request: Request,
    logged: LoggedRequest,
    connection: Connection,
    serving: Serving,
    stub: StubMapping,
    stub_json: dict[str, Any],
    definition: dict[str, Any],
    started: float,
) -> Response | None:
    """A stub with `proxyBaseUrl`: its answer is the target's (podlab.stub.proxy.serve)."""
    from podlab.stub.proxy.serve import proxied_plan

    options = serving.options
    try:
        plan = await proxied_plan(
            definition,
            request,
            logged.url,
            serving.proxy_client(),
            options,
            settings=serving.state.settings,
            rng=serving.rng,
        )
    except RenderError as exc:
        plan = render_failure(exc)
    except _template_error() as exc:
        plan = template_failure(exc, request, options.compat)
    result = serve_plan(request, logged, connection, serving, stub, stub_json, definition, plan, started)
    return result if isinstance(result, Response) else await result


def serve_plan(
    request: Request,
    logged: LoggedRequest,
    connection: Connection,
    serving: Serving,
    stub: StubMapping,
    stub_json: dict[str, Any],
    definition: dict[str, Any],
    plan: ResponsePlan,
    started: float,
) -> Response | Awaitable[Response | None]:
    """A matched stub's answer, planned: log and journal it, then answer (at once, or an
    awaitable when it waits or breaks the connection); webhooks go once it is on its way.
    `stub_json`: the stub's journal JSON (StubState.stub_json)."""
    options, state = serving.options, serving.state
    stub_id = stub.id_text()
    if not plan.from_proxy and not plan.proxy_failed and not plan.error_page:
        plan.headers = [*plan.headers, *matched_stub_headers(stub, stub_id)]
    if options.verbose and not options.disable_request_logging:
        shown_headers = [] if plan.fault else plan.headers
        message = stub_message(
            log_text(request, logged.url, options.compat),
            definition,
            logged.protocol,
            plan.status,
            shown_headers,
        )
        write_log(serving.out, message)
    # Decided now, from the request and stub as served; sent once the answer is on its way.
    hooks: list[WebhookDecision] = []
    sub_events: list[dict[str, Any]] = []
    if stub.post_serve_actions or stub.serve_event_listeners:  # webhooks.plan.has_listeners, inlined
        # Imported here: webhooks.plan pulls in the templating engine, which start-up does not need.
        from podlab.stub.webhooks.plan import plan_webhooks, webhook_sub_events

        hooks = plan_webhooks(stub, logged, compat=options.compat, rng=serving.rng)
        sub_events = webhook_sub_events(hooks, datetime.now(UTC))
    if state.journal.enabled:
        event = served_event(logged, definition, plan, stub_json, stub_id, started, sub_events)
        state.journal.add(event)
    if plan.from_proxy and serving.recorder is not None:  # not the 500 for a target not reached
        serving.recorder.record(logged, plan)
    if plan.delay_ms > 0 or plan.fault or plan.dribble is not None:
        return _answer_later(plan, request, connection, options, hooks, serving)
    response = answer_now(plan, request, options)
    if hooks and serving.webhooks is not None:
        serving.webhooks.dispatch(hooks)
    serving.remember_ready(stub, stub_json, definition, plan, request, response)
    return response


async def _answer_later(
    plan: ResponsePlan,
    request: Request,
    connection: Connection,
    options: StubOptions,
    hooks: list[WebhookDecision],
    serving: Serving,
) -> Response | None:
    response = await answer(plan, request, connection, options)
    if hooks and serving.webhooks is not None:
        serving.webhooks.dispatch(hooks)
    return response


def render_failure(exc: RenderError) -> ResponsePlan:
    return ResponsePlan(status=500, headers=[("Content-Type", "text/plain")], body=str(exc).encode())


async def serve_browser_proxy(
    request: Request, logged: LoggedRequest, connection: Connection, serving: Serving, started: float
) -> Response | None:
    """--enable-browser-proxying: an absolute-form request no stub matches goes to its target.
    The journal has it as matched, with a bare `{"status": 200}` definition and no stub (as the
    jar shows it)."""
    from podlab.stub.proxy.serve import browser_proxied_plan

    options, state = serving.options, serving.state
    plan = await browser_proxied_plan(request, serving.browser_proxy_client(), options)
    definition: dict[str, Any] = {"status": 200}
    if options.verbose and not options.disable_request_logging:
        message = stub_message(
            log_text(request, logged.url, options.compat),
            definition,
            logged.protocol,
            plan.status,
            plan.headers,
        )
        write_log(serving.out, message)
    if state.journal.enabled:
        state.journal.add(served_event(logged, definition, plan, {}, None, started))
    return await answer(plan, request, connection, options)


def template_failure(exc: Exception, request: Request, compat: int) -> ResponsePlan:
    """WireMock 3 answers a helper failing while rendering itself (500, text/plain, the
    message); a template that does not compile, and in 2.35.1 any template failure, reaches
    Jetty, whose ErrorHandler writes its 500 page."""
    from podlab.stub.templating import TemplateCompileError

    compiled = isinstance(exc, TemplateCompileError)
    if compat == 3 and not compiled:
        return ResponsePlan(status=500, headers=[("Content-Type", "text/plain")], body=str(exc).encode())
    causes = template_exception_chain(str(exc), rendering=not compiled)
    return error_page(500, causes, request.path, request.header_values("Accept"))


# parse: what Jetty refuses before WireMock sees it ---------------------------------------------


def bad_message(reason: str, compat: int) -> Response:
    """Jetty's answer to a request it refuses before WireMock sees it, and it closes. Jetty 9
    (2.35.1) puts the reason in the status line too: "400 No Host"."""
    body = f"<h1>Bad Message 400</h1><pre>reason: {reason}</pre>".encode("latin-1")
    headers = [
        ("Content-Type", "text/html;charset=iso-8859-1"),
        ("Content-Length", str(len(body))),
        ("Connection", "close"),
    ]
    return Response(400, headers, body, reason=reason if compat == 2 else "Bad Request")


def refused_by_jetty(request: Request, compat: int) -> Response | None:
    """The 400 Jetty answers a request head with, or None when it passes on to WireMock."""
    if request.http_version == "1.1" and request.header("Host") is None:
        return bad_message("No Host", compat)  # RFC 9112 §3.2
    if request.target[:1] == "/":  # origin form (the usual): no call to rule out the absolute form
        return None
    target = absolute_target(request.target)
    if compat == 3 and target is not None and request.header("Host") != target[1]:
        # Jetty 11 wants Host to be the target's authority exactly (case and port included);
        # Jetty 9 takes the target's and ignores Host.
        return bad_message("Mismatched Authority", compat)
    return None


# match: the requests no stub serves ----------------------------------------------------------


def stub_preflight(request: Request) -> Response | None:
    """--enable-stub-cors puts a CORS filter in front of the stubs: it answers preflights."""
    origin = request.header("Origin")
    if origin is None or request.header("Access-Control-Request-Method") is None:
        return None
    return Response(200, preflight_headers(request, origin))


# identityHashCode of WireMock's default servlet, shown in Jetty's error page: one per server.
_SERVLET_NAME = f"wiremock.org.eclipse.jetty.servlet.DefaultServlet-{random.getrandbits(31):x}"


def servlet_refusal(request: Request, compat: int) -> Response:
    """Jetty's 501 page for a method HttpServlet does not know ("get"), byte for byte but for
    the servlet's hash."""
    message = f"Method {request.method} is not defined in RFC 2068 and is not supported "
    if compat == 2:
        message += "by the Servlet API "  # javax.servlet's wording; jakarta dropped the tail
    import html  # on first refusal: html.entities' tables are ~0.5 MB in every stub otherwise

    uri = html.escape(request.path, quote=False)
    body = (
        "<html>\n<head>\n"
        '<meta http-equiv="Content-Type" content="text/html;charset=ISO-8859-1"/>\n'
        f"<title>Error 501 {message}</title>\n</head>\n"
        f"<body><h2>HTTP ERROR 501 {message}</h2>\n<table>\n"
        f"<tr><th>URI:</th><td>{uri}</td></tr>\n"
        "<tr><th>STATUS:</th><td>501</td></tr>\n"
        f"<tr><th>MESSAGE:</th><td>{message}</td></tr>\n"
        f"<tr><th>SERVLET:</th><td>{_SERVLET_NAME}</td></tr>\n"
        "</table>\n\n</body>\n</html>\n"
    ).encode("latin-1", "replace")
    headers = [
        ("Cache-Control", "must-revalidate,no-cache,no-store"),
        ("Content-Type", "text/html;charset=ISO-8859-1"),
        ("Content-Length", str(len(body))),
    ]
    return Response(501, headers, body, reason="Not Implemented")


def static_file_response(path: Path) -> Response:
    """A GET no stub matched, answered from a file under __files (as Jetty's default servlet)."""
    import mimetypes  # on first static file: start-up time

    data = path.read_bytes()
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    from email.utils import formatdate  # on first static file: start-up time (email)

    headers = [
        ("Content-Type", content_type),
        ("Accept-Ranges", "bytes"),
        ("Last-Modified", formatdate(path.stat().st_mtime, usegmt=True)),
    ]
    return Response(200, headers, data)


def not_matched_report(logged: LoggedRequest, state: StubState, compat: int) -> str:
    """The "Request was not matched" report against the nearest stub ("" when 2.35.1 prints none)."""
    if len(state) == 0:
        return NO_STUBS_BODY
    nearest = state.nearest_stub(logged)
    scenario_state = None
    if nearest is not None and nearest.scenario_name is not None:
        scenario_state = state.scenarios.state(nearest.scenario_name)

    def render() -> str:
        # Imported on the first 404: the report's XML/JSON printers are not needed to start.
        from podlab.stub.report.not_matched import render_not_matched

        return render_not_matched(logged, nearest, scenario_state=scenario_state, compat=compat)

    return state.unmatched_memo().report(logged, nearest, scenario_state, compat, render)


def not_matched_response(report: str, compat: int) -> Response:
    if not report:  # a report 2.35.1 fails to print: a bare 404 (see render_not_matched)
        return Response(404, [], b"")
    content_type = "text/plain;charset=UTF-8" if compat == 3 else "text/plain"
    return Response(404, [("Content-Type", content_type)], report.encode("utf-8"), chunked=True)


# render: what only a served stub adds ------------------------------------------------------------


def matched_stub_headers(stub: StubMapping, stub_id: str) -> list[tuple[str, str]]:
    headers = [("Matched-Stub-Id", stub_id)]
    if stub.name:
        headers.append(("Matched-Stub-Name", stub.name.encode("ascii", errors="ignore").decode("ascii")))
    return headers


# log and journal ------------------------------------------------------------------------------


def log_text(request: Request, url: str, compat: int) -> str:
    """The request as the verbose log prints it, header names in Jetty's spelling."""
    body = request.body.decode("utf-8", errors="replace")
    headers = jetty_spelling(request.headers, compat)
    method = (
        request.method.upper() if request.method.upper() in KNOWN_METHODS else request.method
    )  # "get": GET
    return request_text(request.client[0], method, url, headers, body)


def write_log(stream: TextIO, message: str) -> None:
    # One write and a flush per request, so container logs show it at once.
    stream.write(notifier_line(datetime.now(UTC), message))
    stream.flush()


def log_not_matched(request: Request, logged: LoggedRequest, report: str, serving: Serving) -> None:
    """The verbose log on stdout, then the report on stderr (when there are stubs to report on)."""
    options = serving.options
    verbose = options.verbose and not options.disable_request_logging
    # WireMock logs "Request received:" first and the report after it (both 3.13.2 and 2.35.1).
    if verbose:
        write_log(
            serving.out,
            stub_message(log_text(request, logged.url, options.compat), None, logged.protocol, 404, []),
        )
    if len(serving.state) > 0 and report:
        write_log(serving.err, report)
    if verbose and options.compat == 2:
        # 2.35 serves the 404 page through an internal admin request, and logs it.
        write_log(serving.out, admin_message(log_text(request, "/not-matched", options.compat)))


def served_event(
    logged: LoggedRequest,
    definition: dict[str, Any],
    plan: ResponsePlan,
    stub_json: dict[str, Any],
    stub_id: str | None,
    started: float,
    sub_events: list[dict[str, Any]] | None = None,
    *,
    shared_headers: bool = False,
) -> ServeEvent:
    """The journal entry of a served request; `shared_headers`: `plan` is a remembered one,
    never changed, whose header list entries may share."""
    elapsed = int((time.monotonic() - started) * 1000)
    return ServeEvent(
        request=logged,
        response_definition=definition,
        status=plan.status,
        response_headers=plan.headers if shared_headers else list(plan.headers),
        response_body=plan.body,  # before gzip, as WireMock journals it
        was_matched=True,
        stub_mapping=stub_json,
        stub_id=stub_id,
        timing=_timing(int(plan.delay_ms), elapsed),
        sub_events=sub_events or [],
    )


def journal_not_matched(journal: Journal, logged: LoggedRequest, report: str, started: float) -> None:
    sub_events = [
        {
            "type": "REQUEST_NOT_MATCHED",
            "timeOffsetNanos": int((time.monotonic() - started) * 1e9),
            "data": {"status": 404, "contentType": "text/plain", "report": journal.shared_report(report)},
        }
    ]
    elapsed = int((time.monotonic() - started) * 1000)
    journal.add(
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


# Journal timings by (added delay, elapsed ms): almost every entry has (0, 0), and journal
# JSON is only read and serialised, so equal timings share one dict (as stub JSON does).
_TIMINGS: dict[tuple[int, int], dict[str, int]] = {}


def _timing(added_delay: int, elapsed: int) -> dict[str, int]:
    key = (added_delay, elapsed)
    shared = _TIMINGS.get(key)
    if shared is None:
        shared = _new_timing(added_delay, elapsed)
        if len(_TIMINGS) < 1024:  # bounded: delays are stub-chosen
            _TIMINGS[key] = shared
    return shared


def _new_timing(added_delay: int, elapsed: int) -> dict[str, int]:
    return {
        "addedDelay": added_delay,
        "processTime": elapsed,
        "responseSendTime": 0,
        "serveTime": elapsed,
        "totalTime": elapsed + added_delay,
    }


# answer: the only step that waits or touches the connection ---------------------------------


async def answer(
    plan: ResponsePlan, request: Request, connection: Connection, options: StubOptions
) -> Response | None:
    """Delay, then break the connection (a fault) or hand the core the response to write."""
    if plan.delay_ms > 0:
        await asyncio.sleep(plan.delay_ms / 1000.0)
    if plan.fault:
        await send_fault(plan.fault, connection)
        return None
    if plan.dribble is not None:
        chunks, total_ms = plan.dribble
        await asyncio.sleep(dribble_pause(plan.body, chunks, total_ms))  # headers go with piece 1
        return answer_now(plan, request, options, dribble(plan.body, chunks, total_ms))
    return answer_now(plan, request, options)


def answer_now(
    plan: ResponsePlan, request: Request, options: StubOptions, streamed: AsyncIterator[bytes] | None = None
) -> Response:
    """The response for the core to write, the wait (if any) over; `streamed`: a dribbled body."""
    if plan.dribble is None and not options.disable_gzip and request.header("Accept-Encoding") is not None:
        maybe_gzip(plan, request.header_values("Accept-Encoding"))
    wire_headers = list(plan.headers)
    origin = request.header("Origin") if options.enable_stub_cors else None
    if origin:
        wire_headers += origin_headers(origin)
    if options.compat == 2 and _gzip_considered(request.method, plan.status):
        wire_headers.append(("Vary", "Accept-Encoding, User-Agent"))
    mode = options.use_chunked_encoding
    chunked = mode == "always" or (mode == "body_file" and plan.from_file)
    body: bytes | AsyncIterator[bytes] = plan.body if streamed is None else streamed
    reason = plan.reason if plan.reason is not None else jetty_reason(plan.status, options.compat)
    return Response(plan.status, wire_headers, body, reason=reason, chunked=chunked)


def _gzip_considered(method: str, status: int) -> bool:
    """Whether 2.35.1's GzipHandler looks at this answer, and so adds its Vary: not for HEAD or
    OPTIONS, nor for a status outside 2xx or one without a body (204, 205), nor for a method
    sent in lower case ("get": its method list is upper case); seen on the jar."""
    return (
        method.isupper()
        and method not in ("HEAD", "OPTIONS")
        and 200 <= status < 300
        and status not in (204, 205)
    )
