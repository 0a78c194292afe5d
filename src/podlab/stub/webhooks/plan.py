"""Which webhooks a served stub fires, decided without I/O (the driver is `sender.py`).

Behaviour measured on the real jars (WireMock 3.13.2 and 2.35.1, standalone):
- 3.13.2 fires `webhook` entries of both `serveEventListeners` and `postServeActions` (list form
  and the older map form `{"webhook": {...}}`). 2.35.1's standalone jar has no webhook extension:
  each `postServeActions` entry only logs `No extension was found named "webhook"`.
- Templating is always on for webhook parameters (no `transformers` needed). The model has
  `originalRequest` (the served request, as `request` is in a response template) and `parameters`
  (the webhook's own parameters); `originalResponse` and `request` render empty on 3.13.2.
  `url`, `method`, header values and `body` are templated; `base64Body` is not.
- The admin API accepts any parameters; WireMock finds the errors when the stub is served and logs
  "Exception thrown while configuring webhook" with the exception (no url, a url `java.net.URI`
  refuses, `headers`/`delay` not objects, an unknown delay type). A non-string method is GET.
- A body is sent only for POST, PUT and PATCH (WireMock's `RequestMethod.hasEntity()`); a GET
  webhook with a body sends none.
"""

from __future__ import annotations

import base64
import binascii
import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from podlab.stub.model import StubMapping
from podlab.stub.model.delays import sample_delay_ms
from podlab.stub.model.ids import random_uuid
from podlab.stub.model.request import LoggedRequest
from podlab.stub.templating import TemplateError, TemplateModel, render_response_template
from podlab.stub.templating.engine import MISSING
from podlab.stub.templating.values import java_str

WEBHOOK = "webhook"
_ENTITY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_DELAY_TYPES = ("fixed", "lognormal", "uniform")
_ILLEGAL = frozenset(' "<>\\^`{|}')  # characters java.net.URI refuses anywhere outside %-escapes
_ARG = "java.lang.IllegalArgumentException"


@dataclass(frozen=True, slots=True)
class WebhookCall:
    """Send this request after `delay_ms` milliseconds."""

    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body: bytes | None
    delay_ms: float
    # The stub's name, else its id: what a refusal is logged with (not part of the request).
    stub: str = field(default="<no name or id>", compare=False)


@dataclass(frozen=True, slots=True)
class WebhookRefused:
    """WireMock could not build the webhook; `error` is the Java exception line it logs."""

    error: str


@dataclass(frozen=True, slots=True)
class NoListener:
    """An entry naming an extension WireMock does not have; `message` is its log line."""

    message: str


WebhookDecision = WebhookCall | WebhookRefused | NoListener


class WebhookModel(TemplateModel):
    """The root of a webhook template: `originalRequest` and `parameters` (Webhooks.java)."""

    def template_get(self, key: str) -> Any:
        if key == "originalRequest":
            return self.request
        if key == "parameters":
            return self.parameters
        return MISSING

    def __str__(self) -> str:
        return f"{{parameters={java_str(self.parameters)}, originalRequest={self.request}}}"


def has_listeners(stub: StubMapping) -> bool:
    """Cheap test for the serving hot path: most stubs have no listeners at all."""
    return bool(stub.post_serve_actions) or bool(stub.serve_event_listeners)


def plan_webhooks(
    stub: StubMapping, request: LoggedRequest, *, compat: int, rng: random.Random
) -> list[WebhookDecision]:
    """What serving `stub` for `request` sets off, in the order WireMock logs it."""
    actions = [e for e in stub.post_serve_actions or [] if e is not None]
    listeners = [e for e in stub.serve_event_listeners or [] if e is not None]
    if compat == 2:
        return [NoListener(f'No extension was found named "{e.get("name")}"') for e in actions]
    unknown = [
        NoListener(f'No per-stub listener was found named "{e.get("name")}"')
        for e in listeners
        if e.get("name") != WEBHOOK
    ]
    # 3.13.2 asks for per-stub listeners before the response is sent and again after it, so an
    # unknown name is logged twice; postServeActions run in between (seen on the jar).
    out: list[WebhookDecision] = list(unknown)
    for entry in actions:
        if entry.get("name") == WEBHOOK:
            out.append(_one(entry.get("parameters") or {}, request, stub, rng))
        else:
            out.append(NoListener(f'No extension was found named "{entry.get("name")}"'))
    out += unknown
    out += [
        _one(e.get("parameters") or {}, request, stub, rng) for e in listeners if e.get("name") == WEBHOOK
    ]
    return out


# The keys of the LoggedRequest WireMock journals for a webhook it is about to send (no client
# IP, cookies or protocol: it is built from the outgoing request, not from a connection).
_SENT_KEYS = frozenset(
    {"url", "absoluteUrl", "method", "headers", "browserProxyRequest", "loggedDate", "loggedDateString"}
)


def webhook_sub_events(decisions: list[WebhookDecision], now: datetime) -> list[dict[str, Any]]:
    """The serve event's subEvents for these decisions, as 3.13.2 journals them (seen on the
    jar): a `WEBHOOK_REQUEST` with the request about to be sent, or an `ERROR` for a webhook that
    could not be built, in the order decided. What happens later (the target's answer, a failure
    to send) WireMock adds from its sender thread, and whether a journal read sees it depends on
    timing there; podlab logs it and leaves the journal alone."""
    events: list[dict[str, Any]] = []
    for decision in decisions:
        if isinstance(decision, WebhookCall):
            parts = urlsplit(decision.url)
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            sent = LoggedRequest(
                id=random_uuid(),
                method=decision.method,
                url=path,
                absolute_url=decision.url,
                client_ip="",
                protocol="",
                headers=list(decision.headers),
                body=decision.body or b"",
                logged_at=now,
                given_keys=_SENT_KEYS if decision.body is None else _SENT_KEYS | {"body"},
            )
            events.append({"type": "WEBHOOK_REQUEST", "timeOffsetNanos": 0, "data": sent.to_json()})
        elif isinstance(decision, WebhookRefused):
            # SubEvent.error: no time offset; the exception's message without its class.
            message = decision.error.partition(": ")[2]
            events.append(
                {
                    "type": "ERROR",
                    "data": {"message": f"Exception thrown while configuring webhook: {message}"},
                }
            )
    return events


def _one(
    params: dict[str, Any], request: LoggedRequest, stub: StubMapping, rng: random.Random
) -> WebhookDecision:
    try:
        return _build(params, request, stub, rng)
    except _Refused as exc:
        return WebhookRefused(f"{exc.java_class}: {exc}")
    except TemplateError as exc:
        return WebhookRefused(f"wiremock.com.github.jknack.handlebars.HandlebarsException: {exc}")


class _Refused(Exception):
    """A parameter WireMock's WebhookDefinition cannot take; the message is its words."""

    def __init__(self, message: str, java_class: str = _ARG) -> None:
        super().__init__(message)
        self.java_class = java_class


def _build(
    params: dict[str, Any], request: LoggedRequest, stub: StubMapping, rng: random.Random
) -> WebhookCall:
    headers = params.get("headers")
    if headers is not None and not isinstance(headers, dict):
        raise _Refused("headers is not a map")
    delay = params.get("delay")
    delay_ms = 0.0
    if delay is not None:
        if not isinstance(delay, dict):
            raise _Refused("delay is not a map")
        if delay.get("type") not in _DELAY_TYPES:
            raise _Refused(
                f"Could not resolve type id '{delay.get('type')}' as a subtype of "
                "`com.github.tomakehurst.wiremock.http.DelayDistribution`: known type ids = [fixed, lognormal, uniform]"
            )
        delay_ms = sample_delay_ms(delay, rng)
    if params.get("url") is None:
        raise _Refused("url' not present")  # sic: WireMock's message lacks the opening quote
    model = WebhookModel.from_request(request, parameters=params, stub=stub)

    def render(value: Any) -> str:
        return render_response_template(java_str(value) if not isinstance(value, str) else value, model)

    url = render(params["url"])
    _check_uri(url)
    method = render(params["method"]) if isinstance(params.get("method"), str) else "GET"
    sent: list[tuple[str, str]] = []
    for name, value in (headers or {}).items():
        for item in value if isinstance(value, list) else [value]:
            sent.append((name, render(item)))
    body: bytes | None = None
    if isinstance(params.get("body"), str):
        body = render(params["body"]).encode("utf-8")
    elif isinstance(params.get("base64Body"), str):
        try:
            body = base64.b64decode(params["base64Body"], validate=False)
        except (binascii.Error, ValueError) as exc:
            raise _Refused(f"Illegal base64 character: {exc}") from None
    if method not in _ENTITY_METHODS:
        body = None
    label = (
        stub.name if stub.name is not None else (str(stub.id) if stub.id is not None else "<no name or id>")
    )
    return WebhookCall(method, url, tuple(sent), body, delay_ms, label)


def _check_uri(url: str) -> None:
    """The first character `java.net.URI` refuses, in its words ("Illegal character in path at
    index 3: not a url"). Only the characters no URI component allows are checked."""
    for index, char in enumerate(url):
        if char in _ILLEGAL:
            raise _Refused(f"Illegal character in {_component(url, index)} at index {index}: {url}")
    if "://" not in url:  # URI accepts a relative reference; URL then refuses it
        raise _Refused(f"no protocol: {url}", "java.net.MalformedURLException")


def _component(url: str, index: int) -> str:
    scheme_end = url.find(":")
    hierarchical = scheme_end > 0 and url[scheme_end + 1 : scheme_end + 3] == "//"
    fragment = url.find("#")
    if 0 <= fragment < index:
        return "fragment"
    query = url.find("?")
    if 0 <= query < index:
        return "query"
    if hierarchical:
        path_start = url.find("/", scheme_end + 3)
        if path_start < 0 or index < path_start:
            return "authority"
    return "path"
