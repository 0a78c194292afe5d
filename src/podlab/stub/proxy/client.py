"""One proxied exchange over HTTP/1.1: h11 for the protocol, asyncio streams for the socket.

Why not the webhook client: a proxy forwards every request a test makes, so connections are
kept alive and reused (WireMock's Apache client pools them too); a webhook sends one request
now and then. Failures leave as `ProxyFailure` carrying the exception message WireMock puts
after its "Network failure trying to make a proxied request" line, so the 500 reads the same.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

import h11

from podlab.stub.outbound.route import Route, TargetDenied, TunnelRefused, open_route

_READ = 65536
MAX_IDLE_PER_ORIGIN = 8  # bounded: idle connections beyond this are closed
# What the JVM says of a certificate it cannot chain to a trusted one (seen on the jar).
PKIX_FAILURE = (
    "PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: "
    "unable to find valid certification path to requested target"
)


class ProxyDenied(Exception):
    """The target rules (`--allow-proxy-targets`/`--deny-proxy-targets`) refuse the target."""


class ProxyFailure(Exception):
    """The exchange failed; `str()` is the Java exception message WireMock shows, `kind` is
    "Network" or "SSL" (the first word of its error body)."""

    def __init__(self, message: str, kind: str = "Network") -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    headers: list[tuple[str, str]]  # as the target sent them, names as spelled
    body: bytes


@dataclass(frozen=True, slots=True)
class Origin:
    scheme: str
    host: str
    port: int

    @property
    def text(self) -> str:
        default = 443 if self.scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}" + ("" if self.port == default else f":{self.port}")


def origin_of(url: str) -> tuple[Origin, str]:
    """The origin and origin-form target of an absolute http(s) URL; ValueError if it is not one."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an absolute http(s) URL: {url}")
    port = parts.port or (443 if scheme == "https" else 80)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Origin(scheme, parts.hostname, port), target


class _Conn:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.h11 = h11.Connection(h11.CLIENT)

    def close(self) -> None:
        self.writer.close()


class ProxyClient:
    """Sends requests to proxy targets, reusing idle keep-alive connections per origin."""

    def __init__(self, *, timeout: float, verify: bool = False, route: Route | None = None) -> None:
        self.timeout = timeout
        self.route = route or Route()
        self._idle: dict[Origin, list[_Conn]] = {}
        # The reverse proxy (proxyBaseUrl) trusts any target certificate, as WireMock's does
        # (its reverse proxy client is built with trust-all): stubs proxy to test hosts with test
        # certs. The browser proxy verifies, unless --trust-all-proxy-targets.
        self._tls = ssl.create_default_context()
        if not verify:
            self._tls.check_hostname = False
            self._tls.verify_mode = ssl.CERT_NONE

    async def send(self, method: str, url: str, headers: list[tuple[str, str]], body: bytes | None) -> Reply:
        reply = await self._send(method, url, headers, body)
        via = self.route.via
        if reply.status == 407 and via is not None and via.authorization is not None:
            # The via proxy asks for credentials: Apache's client answers the challenge once.
            reply = await self._send(
                method, url, [*headers, ("Proxy-Authorization", via.authorization)], body
            )
        return reply

    async def _send(self, method: str, url: str, headers: list[tuple[str, str]], body: bytes | None) -> Reply:
        origin, target = origin_of(url)
        if self.route.absolute_form and origin.scheme == "http":
            target = origin.text + target  # through --proxy-via: the absolute URL
        try:
            async with asyncio.timeout(self.timeout):
                conn = self._take_idle(origin)
                if conn is not None:
                    try:
                        return await self._exchange(conn, origin, method, target, headers, body)
                    except (OSError, h11.ProtocolError, _Closed):
                        conn.close()  # the target closed an idle connection: one fresh try
                conn = await self._connect(origin)
                return await self._exchange(conn, origin, method, target, headers, body)
        except TimeoutError:
            raise ProxyFailure("Read timed out") from None
        except _Closed:
            raise ProxyFailure(f"{origin.host}:{origin.port} failed to respond") from None
        except h11.ProtocolError as exc:
            raise ProxyFailure(str(exc)) from None
        except ssl.SSLCertVerificationError:
            raise ProxyFailure(PKIX_FAILURE, kind="SSL") from None
        except ssl.SSLError as exc:
            raise ProxyFailure(exc.reason or str(exc), kind="SSL") from None
        except TargetDenied:
            raise ProxyDenied(origin.host) from None

    async def _connect(self, origin: Origin) -> _Conn:
        via = self.route.via
        peer = f"http://{via.host}:{via.port}" if via is not None else origin.text
        try:
            opened = await open_route(self.route, origin.scheme, origin.host, origin.port, self._tls)
        except ConnectionRefusedError:
            raise ProxyFailure(f"Connect to {peer} failed: Connection refused") from None
        except TunnelRefused as exc:
            raise ProxyFailure(str(exc)) from None
        except ssl.SSLError:
            raise
        except socket.gaierror:
            # java.net.UnknownHostException's message
            raise ProxyFailure(f"{via.host if via else origin.host}: Name or service not known") from None
        except OSError as exc:
            raise ProxyFailure(f"Connect to {peer} failed: {exc.strerror or exc}") from None
        return _Conn(opened.reader, opened.writer)

    def _take_idle(self, origin: Origin) -> _Conn | None:
        pool = self._idle.get(origin)
        while pool:
            conn = pool.pop()
            if not conn.reader.at_eof() and not conn.writer.is_closing():
                return conn
            conn.close()
        return None

    def _give_back(self, origin: Origin, conn: _Conn) -> None:
        pool = self._idle.setdefault(origin, [])
        if len(pool) >= MAX_IDLE_PER_ORIGIN:
            conn.close()
        else:
            pool.append(conn)

    async def _exchange(
        self,
        conn: _Conn,
        origin: Origin,
        method: str,
        target: str,
        headers: list[tuple[str, str]],
        body: bytes | None,
    ) -> Reply:
        sent = list(headers)
        if body is not None:
            sent.append(("Content-Length", str(len(body))))
        proto = conn.h11
        data = proto.send(h11.Request(method=method, target=target, headers=sent)) or b""
        if body:
            data += proto.send(h11.Data(data=body)) or b""
        data += proto.send(h11.EndOfMessage()) or b""
        conn.writer.write(data)
        await conn.writer.drain()
        status = 0
        reply_headers: list[tuple[str, str]] = []
        chunks: list[bytes] = []
        while True:
            event = proto.next_event()
            if event is h11.NEED_DATA:
                received = await conn.reader.read(_READ)
                if not received and proto.their_state is h11.SEND_RESPONSE:
                    raise _Closed
                proto.receive_data(received)
                continue
            if isinstance(event, h11.Response):
                status = event.status_code
                reply_headers = [
                    (bytes(k).decode("latin-1"), bytes(v).decode("latin-1"))
                    for k, v in event.headers.raw_items()
                ]
            elif isinstance(event, h11.Data):
                chunks.append(bytes(event.data))
            elif isinstance(event, h11.EndOfMessage | h11.ConnectionClosed):
                break
        reply = Reply(status, reply_headers, b"".join(chunks))
        if proto.our_state is h11.DONE and proto.their_state is h11.DONE:
            proto.start_next_cycle()
            self._give_back(origin, conn)
        else:
            conn.close()
        return reply

    async def aclose(self) -> None:
        for pool in self._idle.values():
            for conn in pool:
                conn.close()
                with contextlib.suppress(OSError):
                    await conn.writer.wait_closed()
        self._idle.clear()


class _Closed(Exception):
    """The target closed the connection before answering."""
