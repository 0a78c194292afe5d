"""One webhook request over HTTP/1.1, on asyncio streams with h11 doing the protocol.

No async HTTP client library is among podlab's dependencies (httpx is not), and a webhook needs
one request and its response, no pooling, redirects or cookies: h11 (already a dependency) gives
the protocol without I/O, and this module is only the socket around it. Errors leave here as
`WebhookError` carrying the Java exception line WireMock would log for the same failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import h11

if TYPE_CHECKING:
    from podlab.stub.outbound.route import Route

_READ = 65536
MAX_BODY = 1 << 20  # the log shows the target's answer; a megabyte is plenty


class WebhookError(Exception):
    """The request failed; `str()` is the exception line WireMock's log shows."""


class WebhookDenied(Exception):
    """The proxy target rules refuse the webhook's target."""


@dataclass(frozen=True, slots=True)
class WebhookReply:
    status: int
    body: bytes


async def send_request(
    method: str,
    url: str,
    headers: tuple[tuple[str, str], ...],
    body: bytes | None,
    *,
    timeout: float,
    route: Route | None = None,
) -> WebhookReply:
    """Send one request and read the whole answer (through `route`: the proxy target rules and
    --proxy-via); raises WebhookError or WebhookDenied."""
    parts = urlsplit(url)
    secure = parts.scheme.lower() == "https"
    host = parts.hostname or ""
    try:
        port = parts.port or (443 if secure else 80)
    except ValueError as exc:
        raise WebhookError(f"java.lang.IllegalArgumentException: {exc}") from None
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    origin = f"{parts.scheme}://{parts.netloc}"
    sent = [("Host", parts.netloc), *headers]
    if body is not None:
        sent.append(("Content-Length", str(len(body))))
    sent.append(("Connection", "close"))  # one request per connection: nothing to pool
    if route is not None and route.absolute_form and not secure:
        target = origin + target  # through --proxy-via: the absolute URL
    try:
        async with asyncio.timeout(timeout):
            reply = await _exchange(route, host, port, secure, method, target, sent, body)
            authorization = route.via.authorization if route is not None and route.via is not None else None
            if reply.status == 407 and authorization is not None:  # the via proxy's challenge, answered once
                sent.insert(1, ("Proxy-Authorization", authorization))
                reply = await _exchange(route, host, port, secure, method, target, sent, body)
            return reply
    except TimeoutError:
        raise WebhookError("java.net.SocketTimeoutException: Read timed out") from None
    except ConnectionRefusedError:
        raise WebhookError(
            f"wiremock.org.apache.hc.client5.http.HttpHostConnectException: Connect to {origin} failed: "
            "Connection refused"
        ) from None
    except h11.ProtocolError as exc:
        raise WebhookError(f"wiremock.org.apache.hc.core5.http.ProtocolException: {exc}") from None
    except OSError as exc:
        raise WebhookError(f"java.io.IOException: {exc.strerror or exc}") from None


async def _exchange(
    route: Route | None,
    host: str,
    port: int,
    secure: bool,
    method: str,
    target: str,
    headers: list[tuple[str, str]],
    body: bytes | None,
) -> WebhookReply:
    context = ssl.create_default_context() if secure else None
    if route is None:
        reader, writer = await asyncio.open_connection(host, port, ssl=context)
    else:
        from podlab.stub.outbound.route import TargetDenied, open_route

        try:
            opened = await open_route(route, "https" if secure else "http", host, port, context)
        except TargetDenied:
            raise WebhookDenied(host) from None
        reader, writer = opened.reader, opened.writer
    try:
        conn = h11.Connection(h11.CLIENT)
        request = h11.Request(method=method, target=target, headers=headers)
        data = conn.send(request) or b""
        if body is not None:
            data += conn.send(h11.Data(data=body)) or b""
        data += conn.send(h11.EndOfMessage()) or b""
        writer.write(data)
        await writer.drain()
        status = 0
        chunks: list[bytes] = []
        size = 0
        while True:
            event = conn.next_event()
            if event is h11.NEED_DATA:
                conn.receive_data(await reader.read(_READ))
                continue
            if isinstance(event, h11.Response):
                status = event.status_code
            elif isinstance(event, h11.Data) and size < MAX_BODY:
                chunks.append(bytes(event.data))
                size += len(event.data)
            elif isinstance(event, h11.EndOfMessage | h11.ConnectionClosed):
                return WebhookReply(status, b"".join(chunks)[:MAX_BODY])
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
