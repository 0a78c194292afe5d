"""pods/proxy and services/proxy: relay an HTTP request to a pod through the pod network.

`kubectl proxy` passes these paths to the API server unchanged; a real API server dials the pod
itself, podlab dials through the node's pod network (the PodNetworkSockets seam). The upstream
side is HTTP/1.1 spoken with h11 (sans-IO), one connection per request (`Connection: close`),
and the answer is streamed back as it arrives. As the API server does: the bearer token is
not passed on, hop-by-hop headers are dropped, X-Forwarded-For is added, and a proxy path
with nothing after the name is redirected to the same path with a `/`.
Not done: WebSocket/upgrade requests through the proxy, and rewriting links in HTML bodies.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import ssl
from collections.abc import AsyncIterator

import h11

from podlab.httpcore import Request, Response
from podlab.network.sockets import PodNetworkSockets
from podlab.store import NotFound, Store

from .negotiation import error_response, status_response
from .portforward import go_dial_error
from .proxy_target import ProxyPath, ProxyRefusal, Target, pod_target, service_target

log = logging.getLogger("podlab.apiserver.proxy")

DIAL_TIMEOUT = 10.0
# How long the pod may take to start its answer; a bound so that no proxied request hangs
# forever on a pod that accepts and never answers (the wording is Go net/http's for this case).
RESPONSE_HEAD_TIMEOUT = 60.0
# RFC 9110 7.6.1, and what Go's httputil.ReverseProxy drops both ways.
_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
}
_READ_SIZE = 64 * 1024


async def proxy_request(
    store: Store, path: ProxyPath, request: Request, sockets: PodNetworkSockets, rng: random.Random
) -> Response:
    """Answer one proxy request: the pod's response, or a Status saying why there is none."""
    if not path.rest and not request.path.endswith("/"):
        location = request.path + "/" + (f"?{request.query}" if request.query else "")
        return Response(301, [("Location", location), ("Content-Type", "text/html; charset=utf-8")])
    try:
        target = pod_target(store, path) if path.kind == "pods" else service_target(store, path, rng)
    except NotFound as err:
        return error_response(err)
    except ProxyRefusal as refusal:
        return status_response(refusal.code, refusal.reason, refusal.message)
    try:
        reader, writer = await _dial(sockets, target)
    except (OSError, TimeoutError) as exc:
        return status_response(
            503,
            "ServiceUnavailable",
            f"error trying to reach service: {go_dial_error(target.ip, target.port, exc)}",
        )
    return await _exchange(reader, writer, target, path, request)


async def _dial(
    sockets: PodNetworkSockets, target: Target
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    sock = await sockets.connect_tcp(target.ip, target.port, DIAL_TIMEOUT)
    if target.scheme != "https":
        return await asyncio.open_connection(sock=sock)
    # The API server's proxy transport does not verify pod certificates either.
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return await asyncio.wait_for(
        asyncio.open_connection(sock=sock, ssl=context, server_hostname=target.ip), DIAL_TIMEOUT
    )


def upstream_headers(request: Request, target: Target) -> list[tuple[str, str]]:
    """The request's headers as the pod gets them."""
    headers = [("Host", f"{target.ip}:{target.port}")]
    forwarded_for = request.client[0]
    for name, value in request.headers:
        lowered = name.lower()
        if lowered in _HOP_BY_HOP or lowered in ("host", "authorization", "content-length"):
            continue  # the API server's authentication filter removes the bearer token
        if lowered == "x-forwarded-for":
            forwarded_for = f"{value}, {forwarded_for}"
            continue
        headers.append((name, value))
    headers += [("X-Forwarded-For", forwarded_for), ("Content-Length", str(len(request.body)))]
    headers.append(("Connection", "close"))
    return headers


async def _exchange(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    target: Target,
    path: ProxyPath,
    request: Request,
) -> Response:
    conn = h11.Connection(h11.CLIENT)
    upstream_target = (path.rest or "/") + (f"?{request.query}" if request.query else "")
    try:
        writer.write(
            conn.send(
                h11.Request(
                    method=request.method, target=upstream_target, headers=upstream_headers(request, target)
                )
            )
        )
        if request.body:
            writer.write(conn.send(h11.Data(data=request.body)))
        writer.write(conn.send(h11.EndOfMessage()))
        await writer.drain()
        head = await asyncio.wait_for(_response_head(conn, reader), RESPONSE_HEAD_TIMEOUT)
    except TimeoutError:
        writer.close()
        return status_response(
            503,
            "ServiceUnavailable",
            "error trying to reach service: net/http: timeout awaiting response headers",
        )
    except (OSError, h11.ProtocolError) as exc:
        writer.close()
        return status_response(503, "ServiceUnavailable", f"error trying to reach service: {exc}")
    headers = [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, value in head.headers
        if name.decode("latin-1").lower() not in _HOP_BY_HOP
    ]
    reason = head.reason.decode("latin-1") or None
    return Response(head.status_code, headers, _body(conn, reader, writer), reason=reason)


async def _response_head(conn: h11.Connection, reader: asyncio.StreamReader) -> h11.Response:
    head = await _next_event(conn, reader)
    while isinstance(head, h11.InformationalResponse):  # 100 Continue and friends
        head = await _next_event(conn, reader)
    if not isinstance(head, h11.Response):
        raise h11.RemoteProtocolError(f"unexpected {type(head).__name__} from the pod")
    return head


async def _next_event(conn: h11.Connection, reader: asyncio.StreamReader) -> h11.Event:
    while True:
        event = conn.next_event()
        if event is h11.NEED_DATA:
            data = await reader.read(_READ_SIZE)
            if not data and conn.their_state is h11.SEND_RESPONSE:
                raise h11.RemoteProtocolError("EOF")  # Go's words for a peer that hung up unanswered
            conn.receive_data(data)
            continue
        assert isinstance(event, h11.Event)
        return event


async def _body(
    conn: h11.Connection, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> AsyncIterator[bytes]:
    """The response body as it arrives; the upstream connection closes when it ends (or fails)."""
    try:
        while True:
            event = await _next_event(conn, reader)
            if isinstance(event, h11.Data):
                yield bytes(event.data)
            elif isinstance(event, (h11.EndOfMessage, h11.ConnectionClosed)):
                return
    except (OSError, h11.ProtocolError) as exc:
        # Too late for a status: the head has gone out. Ending the body short is all there is.
        log.info("proxy: the pod's response broke off: %s", exc)
    finally:
        with contextlib.suppress(RuntimeError, OSError):
            writer.close()
