"""The kubelet's HTTP probe client: Go's net/http as configured by k8s pkg/probe/http.

Hand-written over asyncio streams (httptools parses the response) because the probe must put
the same bytes on the wire as the kubelet (header order, `Connection: close`, no
Accept-Encoding; servers such as the stub log them) and report failures with Go's error
texts, which users search for. No stdlib or third-party client gives both.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import ssl
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httptools

from podlab.probes.dial import StreamDial, Streams
from podlab.probes.ports import join_host_port

MAX_BODY = 10 * 1024  # maxRespBodyLength in pkg/probe/http/http.go
MAX_REDIRECTS = 10
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})


class ClientError(Exception):
    """A failed exchange: `str()` is Go's `*url.Error` text, `Get "<url>": <cause>`."""


class BodyReadError(Exception):
    """The headers arrived but reading the body failed (the kubelet treats this as an error)."""


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes  # at most MAX_BODY bytes

    def header(self, name: str) -> str | None:
        lname = name.lower()
        return next((v for k, v in self.headers if k.lower() == lname), None)


@dataclass
class Request:
    url: str  # absolute
    headers: list[tuple[str, str]] = field(default_factory=list)  # canonical names, without Host
    host: str = ""  # the Host header override ("" = from the URL)


def canonical_header(name: str) -> str:
    """Go's textproto.CanonicalMIMEHeaderKey: `custom-header` -> `Custom-Header`."""
    if not name or any(c in name for c in " \t\r\n:"):
        return name
    return "-".join(part[:1].upper() + part[1:].lower() for part in name.split("-"))


def request_bytes(req: Request) -> bytes:
    """The request as Go's Request.write lays it out (net/http/request.go)."""
    parts = urlsplit(req.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    host = req.host or parts.netloc
    lines = [f"GET {target} HTTP/1.1", f"Host: {host}"]
    ua = [v for k, v in req.headers if k == "User-Agent"]
    if ua and ua[0]:
        lines.append(f"User-Agent: {ua[0]}")
    # Header.writeSubset: sorted by name, values in insertion order, Host/User-Agent excluded.
    for name in sorted({k for k, _ in req.headers} - {"User-Agent", "Host"}):
        lines.extend(f"{name}: {v}" for k, v in req.headers if k == name)
    # The transport's extra header for DisableKeepAlives comes last.
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", errors="replace")


@dataclass
class Progress:
    """How far the exchange got, for the timeout message when the caller's deadline hits."""

    url: str = ""
    headers_received: bool = False


async def get(req: Request, progress: Progress | None = None, dial: StreamDial | None = None) -> Response:
    """GET with the prober's redirect policy; the caller bounds it with a deadline.

    Same-hostname redirects are followed (at most 10); a redirect to another hostname ends
    the exchange with the 3xx response itself (k8s pkg/probe/http RedirectChecker).
    """
    progress = progress or Progress()
    first_host = urlsplit(req.url).hostname
    via = 0
    current = req
    while True:
        resp = await _round_trip(current, progress, dial or _direct)
        loc = resp.header("Location")
        if resp.status not in REDIRECT_CODES or not loc:
            return resp
        new_url = urljoin(current.url, loc)
        if urlsplit(new_url).hostname != first_host:
            return resp  # http.ErrUseLastResponse
        via += 1
        if via >= MAX_REDIRECTS:
            raise ClientError(f'Get "{loc}": stopped after 10 redirects')
        # A custom Host header survives only relative redirects (net/http client.go).
        keep_host = req.host if req.host and not urlsplit(loc).scheme else ""
        current = Request(url=new_url, headers=req.headers, host=keep_host)


def _parse_url(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    port = parts.port or (443 if scheme == "https" else 80)
    return scheme, host, port


async def _direct(host: str, port: int, tls: ssl.SSLContext | None) -> Streams:
    return await asyncio.open_connection(host, port, ssl=tls)


async def _round_trip(req: Request, progress: Progress, dial: StreamDial) -> Response:
    url = req.url
    progress.url = url
    progress.headers_received = False
    scheme, host, port = _parse_url(url)
    addr = join_host_port(host, port)
    ctx: ssl.SSLContext | None = None
    if scheme == "https":
        # TLSClientConfig{InsecureSkipVerify: true}: HTTPS without certificate checks.
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    elif scheme != "http":
        raise ClientError(f'Get "{url}": unsupported protocol scheme "{scheme}"')
    try:
        reader, writer = await dial(host, port, ctx)
    except ssl.SSLError as e:
        raise ClientError(f'Get "{url}": {_tls_error(e)}') from e
    except OSError as e:
        raise ClientError(dial_error(url, addr, _errno_text(e))) from e
    local = writer.get_extra_info("sockname")
    local_addr = join_host_port(local[0], local[1]) if local else "?"
    try:
        writer.write(request_bytes(req))
        await writer.drain()
        return await _read_response(reader, url, local_addr, addr, progress)
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(writer.wait_closed(), 0.5)


class _Parser:
    """httptools callbacks collecting one response, keeping at most MAX_BODY body bytes."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.headers: list[tuple[str, str]] = []
        self.body = bytearray()
        self.headers_done = False
        self.complete = False

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name.decode("latin-1"), value.decode("latin-1")))

    def on_headers_complete(self) -> None:
        self.headers_done = True
        self.progress.headers_received = True

    def on_body(self, body: bytes) -> None:
        room = MAX_BODY - len(self.body)
        if room > 0:
            self.body += body[:room]

    def on_message_complete(self) -> None:
        self.complete = True


async def _read_response(
    reader: asyncio.StreamReader, url: str, local_addr: str, remote_addr: str, progress: Progress
) -> Response:
    state = _Parser(progress)
    parser = httptools.HttpResponseParser(state)
    got_any = False
    while not state.complete and len(state.body) < MAX_BODY:
        try:
            data = await reader.read(65536)
        except ConnectionResetError as e:
            if state.headers_done:
                raise BodyReadError(
                    f"read tcp {local_addr}->{remote_addr}: read: connection reset by peer"
                ) from e
            raise ClientError(
                f'Get "{url}": read tcp {local_addr}->{remote_addr}: read: connection reset by peer'
            ) from e
        except ssl.SSLError as e:
            raise ClientError(f'Get "{url}": {_tls_error(e)}') from e
        if not data:
            if state.headers_done:
                # No Content-Length and no chunking: the body ends at EOF.
                with contextlib.suppress(httptools.HttpParserError):
                    parser.feed_data(b"")
                if not state.complete and _has_length(state.headers):
                    raise BodyReadError("unexpected EOF")
                break
            raise ClientError(f'Get "{url}": EOF' if not got_any else f'Get "{url}": unexpected EOF')
        got_any = True
        try:
            parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            break
        except httptools.HttpParserError as e:
            if state.headers_done:
                raise BodyReadError(str(e)) from e
            first = data.split(b"\r\n", 1)[0].decode("latin-1", errors="replace")
            raise ClientError(
                f'Get "{url}": net/http: HTTP/1.x transport connection broken: malformed HTTP response "{first}"'
            ) from e
    return Response(status=parser.get_status_code(), headers=state.headers, body=bytes(state.body))


def _has_length(headers: list[tuple[str, str]]) -> bool:
    names = {k.lower() for k, _ in headers}
    return "content-length" in names or "transfer-encoding" in names


def _errno_text(e: OSError) -> str:
    # Go prints syscall errors in lower case: "connection refused", "no route to host".
    if e.errno == errno.ECONNREFUSED or isinstance(e, ConnectionRefusedError):
        return "connection refused"
    if e.errno is not None:
        return os.strerror(e.errno).lower()
    return str(e).lower()


def _tls_error(e: ssl.SSLError) -> str:
    if "WRONG_VERSION_NUMBER" in str(e) or "record layer failure" in str(e):
        return "http: server gave HTTP response to HTTPS client"
    return f"remote error: tls: {e.reason.lower().replace('_', ' ') if e.reason else 'handshake failure'}"


def dial_error(url: str, addr: str, reason: str) -> str:
    """Go's net/http error for a failed connect: `Get "URL": dial tcp ADDR: connect: REASON`."""
    return f'Get "{url}": dial tcp {addr}: connect: {reason}'
