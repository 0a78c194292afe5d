"""Webhooks as WireMock 3.13.2 sends them (checked on the jar, see podlab.stub.webhooks.plan):
the plan without I/O, then a real server and a real target on 127.0.0.1."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import random
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import h11
import pytest

from podlab.stub.jvm.errors import InvalidInputError
from podlab.stub.model import StubMapping
from podlab.stub.model.request import LoggedRequest
from podlab.stub.options import StubOptions
from podlab.stub.server import StubServer
from podlab.stub.webhooks import NoListener, WebhookCall, WebhookRefused, plan_webhooks

TARGET = "http://127.0.0.1:1/cb"


def logged(
    method: str = "POST", url: str = "/hook?z=9", body: bytes = b'{"x":"abc"}', **headers: str
) -> LoggedRequest:
    from podlab.httpcore import Request

    hs = [("Host", "localhost:8080"), *((k.replace("_", "-"), v) for k, v in headers.items())]
    path, _, query = url.partition("?")
    request = Request(
        method=method,
        target=url,
        path=path,
        query=query,
        http_version="1.1",
        headers=hs,
        body=body,
        client=("127.0.0.1", 5),
        server=("127.0.0.1", 8080),
    )
    return LoggedRequest.from_http(request, compat=3)


def stub(
    params: Any, *, key: str = "serveEventListeners", name: str = "webhook", compat: int = 3
) -> StubMapping:
    return StubMapping.from_json(
        {"request": {"urlPath": "/hook"}, "response": {}, key: [{"name": name, "parameters": params}]},
        compat=compat,
    )


def plan(params: Any, request: LoggedRequest | None = None, **kw: Any) -> list[Any]:
    compat = kw.pop("compat", 3)
    return plan_webhooks(
        stub(params, compat=compat, **kw), request or logged(), compat=compat, rng=random.Random(7)
    )


# the plan: sans-IO -------------------------------------------------------------------------------


def test_templated_from_the_original_request() -> None:
    [call] = plan(
        {
            "method": "PUT",
            "url": "http://127.0.0.1:1/cb/{{originalRequest.headers.X-Id}}?q={{jsonPath originalRequest.body '$.x'}}",
            "headers": {"X-Orig": "{{originalRequest.url}}", "X-Multi": ["a", "{{originalRequest.method}}"]},
            "body": "got {{originalRequest.body}} {{originalResponse.status}} p={{parameters.method}} "
            "{{originalRequest.query.z}} {{request.url}}",
        },
        logged(X_Id="77"),
    )
    # The same request on 3.13.2 sent exactly this (originalResponse and request render empty).
    assert call == WebhookCall(
        "PUT",
        "http://127.0.0.1:1/cb/77?q=abc",
        (("X-Orig", "/hook?z=9"), ("X-Multi", "a"), ("X-Multi", "POST")),
        b'got {"x":"abc"}  p=PUT 9 ',
        0.0,
    )


def test_body_only_for_methods_with_an_entity_and_base64_untemplated() -> None:
    [get] = plan({"url": TARGET, "body": "dropped"})
    assert (get.method, get.body) == ("GET", None)
    [post] = plan({"method": "POST", "url": TARGET, "base64Body": "e3t4fX0="})
    assert post.body == b"{{x}}"
    [numeric] = plan({"method": 5, "url": TARGET})  # WireMock falls back to GET
    assert numeric.method == "GET"


def test_delays_fixed_uniform_lognormal() -> None:
    [fixed] = plan({"url": TARGET, "delay": {"type": "fixed", "milliseconds": 300}})
    assert fixed.delay_ms == 300
    for _ in range(20):
        [uniform] = plan({"url": TARGET, "delay": {"type": "uniform", "lower": 100, "upper": 200}})
        assert 100 <= uniform.delay_ms <= 200
    [lognormal] = plan({"url": TARGET, "delay": {"type": "lognormal", "median": 50, "sigma": 0.1}})
    assert 20 < lognormal.delay_ms < 120


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"method": "POST"}, "java.lang.IllegalArgumentException: url' not present"),
        (
            {"url": "not a url"},
            "java.lang.IllegalArgumentException: Illegal character in path at index 3: not a url",
        ),
        ({"url": "/relative"}, "java.net.MalformedURLException: no protocol: /relative"),
        ({"url": TARGET, "headers": "x"}, "java.lang.IllegalArgumentException: headers is not a map"),
        ({"url": TARGET, "delay": "x"}, "java.lang.IllegalArgumentException: delay is not a map"),
        (
            {"url": TARGET, "delay": {"type": "bogus"}},
            "java.lang.IllegalArgumentException: Could not resolve type id 'bogus' as a subtype of "
            "`com.github.tomakehurst.wiremock.http.DelayDistribution`: known type ids = [fixed, lognormal, uniform]",
        ),
    ],
)
def test_refused_when_served_in_wiremocks_words(params: dict[str, Any], error: str) -> None:
    assert plan(params) == [WebhookRefused(error)]


def test_template_error_is_refused_as_handlebars_reports_it() -> None:
    [refused] = plan({"method": "POST", "url": TARGET, "body": "{{#if a}}x"})
    assert isinstance(refused, WebhookRefused)
    assert refused.error.startswith("wiremock.com.github.jknack.handlebars.HandlebarsException: inline@")
    assert "found: '<EOF>', expected: '{{/'" in refused.error


def test_post_serve_actions_list_and_map_forms_and_unknown_names() -> None:
    assert isinstance(plan({"url": TARGET}, key="postServeActions")[0], WebhookCall)
    mapped = StubMapping.from_json(
        {"request": {}, "response": {}, "postServeActions": {"webhook": {"url": TARGET}}}
    )
    assert isinstance(plan_webhooks(mapped, logged(), compat=3, rng=random.Random())[0], WebhookCall)
    unknown = plan({}, name="nope")
    assert unknown == [NoListener('No per-stub listener was found named "nope"')] * 2


def test_compat_2_has_no_webhook_extension() -> None:
    # 2.35.1's standalone jar: nothing sent, one error line per entry.
    assert plan({"url": TARGET}, key="postServeActions", compat=2) == [
        NoListener('No extension was found named "webhook"')
    ]


# the admin API: what WireMock refuses when the stub is created -------------------------------------


@pytest.mark.parametrize(
    ("item", "java_class"),
    [
        ('"webhook"', "java.lang.String"),
        ("5", "java.lang.Integer"),
        ("[1]", "java.util.ArrayList"),
        ("true", "java.lang.Boolean"),
    ],
)
@pytest.mark.parametrize("key", ["serveEventListeners", "postServeActions"])
def test_a_listener_that_is_not_an_object_is_a_422(key: str, item: str, java_class: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        StubMapping.from_json(json.loads(f'{{"request":{{}},"response":{{}},"{key}":[{item}]}}'))
    assert info.value.errors == [
        {
            "code": 10,
            "source": {"pointer": f"/{key}"},
            "title": "Error parsing JSON",
            "detail": f"class {java_class} cannot be cast to class java.util.Map ({java_class} and java.util.Map "
            "are in module java.base of loader 'bootstrap')",
        }
    ]


def test_null_listener_is_kept_and_parameters_must_be_an_object() -> None:
    kept = StubMapping.from_json(
        {"request": {}, "response": {}, "serveEventListeners": [None, {"name": "webhook"}]}
    )
    assert kept.to_json()["serveEventListeners"] == [None, {"name": "webhook"}]
    with pytest.raises(InvalidInputError) as info:
        stub("x")
    assert "Cannot construct instance of `com.github.tomakehurst.wiremock.extension.Parameters`" in str(
        info.value.errors
    )


# a real server and a real target -------------------------------------------------------------------


class Target:
    """A tiny HTTP server on 127.0.0.1 that records each request (h11 parses it)."""

    def __init__(self) -> None:
        self.received: list[tuple[float, h11.Request, bytes]] = []
        self.changed = asyncio.Event()
        self.server: asyncio.Server | None = None

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return int(self.server.sockets[0].getsockname()[1])

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conn = h11.Connection(h11.SERVER)
        request: h11.Request | None = None
        body = b""
        while True:
            event = conn.next_event()
            if event is h11.NEED_DATA:
                conn.receive_data(await reader.read(65536))
            elif isinstance(event, h11.Request):
                request = event
            elif isinstance(event, h11.Data):
                body += event.data
            elif isinstance(event, h11.EndOfMessage):
                break
            elif isinstance(event, h11.ConnectionClosed):
                writer.close()
                return
        assert request is not None
        self.received.append((time.monotonic(), request, body))
        self.changed.set()
        writer.write(conn.send(h11.Response(status_code=202, headers=[("Content-Length", "2")])) or b"")
        writer.write(conn.send(h11.Data(data=b"ok")) or b"")
        await writer.drain()
        writer.close()

    async def wait_for(self, count: int, deadline: float = 5.0) -> None:
        async with asyncio.timeout(deadline):
            while len(self.received) < count:
                self.changed.clear()
                await self.changed.wait()


async def http(port: int, method: str, path: str, body: bytes = b"", **headers: str) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = f"{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {len(body)}\r\n"
    head += "".join(f"{k.replace('_', '-')}: {v}\r\n" for k, v in headers.items())
    writer.write(head.encode() + b"\r\n" + body)
    data = await asyncio.wait_for(reader.read(), timeout=5)
    writer.close()
    body = data.partition(b"\r\n\r\n")[2]
    if b"transfer-encoding: chunked" in data.partition(b"\r\n\r\n")[0].lower():
        body = b"" if body.startswith(b"0\r\n") else body.split(b"\r\n")[1]  # one chunk at most here
    return int(data.split(b" ", 2)[1]), body


def run_with_server(
    tmp_path: Path, scenario: Callable[[StubServer, Target, int], Awaitable[None]], *, verbose: bool = True
) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()

    async def main() -> None:
        target = Target()
        target_port = await target.start()
        options = StubOptions(
            port=0, bind_address="127.0.0.1", root_dir=tmp_path, disable_banner=True, verbose=verbose
        )
        server = StubServer(options, out=out, err=err)
        await server.start()
        try:
            await scenario(server, target, target_port)
        finally:
            await server.stop()
            assert target.server is not None
            target.server.close()

    asyncio.run(main())
    return out.getvalue(), err.getvalue()


async def logged_line(stream: Any, text: str, deadline: float = 5.0) -> None:
    """Wait until `text` has been logged (the log follows the target's answer, so it can lag)."""
    async with asyncio.timeout(deadline):
        while text not in stream.getvalue():
            await asyncio.sleep(0.01)


async def add(server: StubServer, mapping: dict[str, Any]) -> None:
    status, body = await http(server.port, "POST", "/__admin/mappings", json.dumps(mapping).encode())
    assert status == 201, body


def test_webhook_is_sent_templated_and_logged(tmp_path: Path) -> None:
    async def scenario(server: StubServer, target: Target, port: int) -> None:
        await add(
            server,
            {
                "request": {"method": "POST", "urlPath": "/hook"},
                "response": {"status": 200, "body": "served"},
                "serveEventListeners": [
                    {
                        "name": "webhook",
                        "parameters": {
                            "method": "POST",
                            "url": f"http://127.0.0.1:{port}/cb/{{{{jsonPath originalRequest.body '$.x'}}}}",
                            "headers": {
                                "Content-Type": "application/json",
                                "X-From": "{{originalRequest.headers.X-Id}}",
                            },
                            "body": '{"seen": {{originalRequest.body}}}',
                        },
                    }
                ],
            },
        )
        assert await http(server.port, "POST", "/hook", b'{"x":"abc"}', X_Id="77") == (200, b"served")
        await target.wait_for(1)
        _, request, body = target.received[0]
        assert (request.method, request.target) == (b"POST", b"/cb/abc")
        assert (b"x-from", b"77") in request.headers and (
            b"content-type",
            b"application/json",
        ) in request.headers
        assert json.loads(body) == {"seen": {"x": "abc"}}
        await logged_line(server.out, "/cb/abc returned status 202")

    out, err = run_with_server(tmp_path, scenario)
    assert "Webhook POST request to http://127.0.0.1:" in out and "/cb/abc returned status 202\n\nok\n" in out
    assert err == ""


def test_delayed_webhook_never_blocks_serving_and_a_dead_target_only_logs(tmp_path: Path) -> None:
    async def scenario(server: StubServer, target: Target, port: int) -> None:
        probe = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        closed_port = probe.sockets[0].getsockname()[1]
        probe.close()
        await probe.wait_closed()
        await add(
            server,
            {
                "request": {"urlPath": "/slow"},
                "response": {"status": 204},
                "postServeActions": [
                    {
                        "name": "webhook",
                        "parameters": {
                            "url": f"http://127.0.0.1:{port}/late",
                            "delay": {"type": "fixed", "milliseconds": 400},
                        },
                    },
                    {"name": "webhook", "parameters": {"url": f"http://127.0.0.1:{closed_port}/gone"}},
                    {"name": "webhook", "parameters": {"url": "not a url"}},
                ],
            },
        )
        started = time.monotonic()
        assert (await http(server.port, "GET", "/slow"))[0] == 204
        answered = time.monotonic()
        assert target.received == []  # the response came first
        await target.wait_for(1)
        assert target.received[0][0] - started >= 0.4
        assert answered - started < 0.4
        await logged_line(server.err, "failed: Connection refused")

    _, err = run_with_server(tmp_path, scenario, verbose=False)
    assert (
        "Exception thrown while configuring webhook\njava.lang.IllegalArgumentException: Illegal character in path at index 3: not a url\n"
        in err
    )
    assert "Failed to fire webhook GET http://127.0.0.1:" in err
    assert "failed: Connection refused" in err


def test_stop_cancels_pending_webhooks(tmp_path: Path) -> None:
    async def scenario(server: StubServer, target: Target, port: int) -> None:
        await add(
            server,
            {
                "request": {"urlPath": "/later"},
                "response": {},
                "serveEventListeners": [
                    {
                        "name": "webhook",
                        "parameters": {
                            "url": f"http://127.0.0.1:{port}/x",
                            "delay": {"type": "fixed", "milliseconds": 60000},
                        },
                    }
                ],
            },
        )
        assert (await http(server.port, "GET", "/later"))[0] == 200
        assert server.webhooks.pending == 1

    run_with_server(tmp_path, scenario)


def test_the_journal_shows_each_webhook_request_as_the_jar_does(start: Any) -> None:
    """Recorded on 3.13.2 with this stub: each webhook about to be sent is a WEBHOOK_REQUEST
    subEvent (a LoggedRequest without client IP, cookies or protocol), one that cannot be built
    an ERROR, in the order decided: postServeActions first."""
    target = start()  # answers 404 to the webhooks: only the journal of `server` matters here
    server = start()
    server.json(
        "POST",
        "/__admin/mappings",
        {
            "request": {"url": "/go", "method": "PUT"},
            "response": {"status": 200},
            "postServeActions": [
                {
                    "name": "webhook",
                    "parameters": {
                        "method": "POST",
                        "url": f"http://localhost:{target.server.port}/t/hello?a=b&c",
                        "headers": {"Content-Type": "application/json", "X-M": ["1", "2"]},
                        "body": '{"k": 1}',
                    },
                }
            ],
            "serveEventListeners": [
                {"name": "webhook", "parameters": {"method": "POST"}},
                {"name": "webhook", "parameters": {"url": f"{target.base}/t/b64", "base64Body": "AAEC"}},
            ],
        },
    )
    assert server.call("PUT", "/go", b"payload")[0] == 200
    (event,) = server.json("GET", "/__admin/requests")["requests"]
    first, error, second = event["subEvents"]
    for sub in (first, second):
        assert sub["type"] == "WEBHOOK_REQUEST" and sub["timeOffsetNanos"] == 0
        assert isinstance(sub["data"].pop("loggedDate"), int) and sub["data"].pop(
            "loggedDateString"
        ).endswith("Z")
    assert list(first["data"]) == [
        "url", "absoluteUrl", "method", "headers", "browserProxyRequest", "bodyAsBase64", "body",
        "scheme", "host", "port", "queryParams", "formParams",
    ]  # fmt: skip
    assert first["data"] == {
        "url": "/t/hello?a=b&c",
        "absoluteUrl": f"http://localhost:{target.server.port}/t/hello?a=b&c",
        "method": "POST",
        "headers": {"Content-Type": "application/json", "X-M": ["1", "2"]},
        "browserProxyRequest": False,
        "bodyAsBase64": base64.b64encode(b'{"k": 1}').decode(),
        "body": '{"k": 1}',
        "scheme": "http",
        "host": "localhost",
        "port": target.server.port,
        "queryParams": {"a": {"key": "a", "values": ["b"]}, "c": {"key": "c", "values": [""]}},
        "formParams": {},
    }
    assert error == {
        "type": "ERROR",
        "data": {"message": "Exception thrown while configuring webhook: url' not present"},
    }
    # A GET carries no body, so none is journalled (base64Body is dropped as the jar drops it).
    assert second["data"]["method"] == "GET" and "body" not in second["data"]
    assert second["data"]["url"] == "/t/b64" and second["data"]["headers"] == {}
