"""The asyncio edge of the HTTP core: one Protocol per connection, httptools as the parser.

httptools (the llhttp C parser) does the byte-level parsing; this module only builds requests from
its callbacks, runs the handler once per request (in order, so pipelining works), frames responses
and hands the socket over for upgrades and faults. We do not use a framework here because WireMock
faults (RST, garbage, truncated chunks) and SPDY/WebSocket upgrades need raw control of the socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import ssl
import struct
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from http import HTTPStatus
from typing import TYPE_CHECKING, cast

import httptools

from ._limits import Limits
from ._models import Request, Response

if TYPE_CHECKING:
    from ._h2 import H2Session

# HTTP/2's connection preface (RFC 9113 3.4): known here, so that ._h2 and the h2 package are
# imported only once a connection speaks HTTP/2 (start-up time of every server on httpcore).
PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

log = logging.getLogger("podlab.httpcore")

# Pipelined requests beyond this many wait in the socket, not in memory: reading pauses until
# the handler has caught up, and the kernel's buffers then push back on the client.
_MAX_QUEUED = 16
# Bytes handed to the parser at a time, so that a burst of tiny pipelined requests stops at the
# queue bound instead of being parsed all at once (one slice holds at most ~230 requests).
_FEED_SLICE = 4096
# After an error answer (400, 408, 413, 431) the connection reads and discards for a while
# before closing: closing with unread data makes the kernel send RST, which can destroy the
# answer before the client reads it (nginx's lingering_close does the same, with 5 s and 30 s).
_LINGER_QUIET = 2.0
_LINGER_MAX = 30.0
# Method names as parsed (bytes) to the str a Request carries, decoded once.
_METHOD_NAMES = {
    name.encode("ascii"): name for name in ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS")
}
# Lengths of the header names on_headers_complete acts on: "expect", "content-length".
_WATCHED_LENGTHS = (6, 14)
# The longest method token worth upper-casing ("PROPPATCH", "MKCALENDAR" and room to spare).
_MAX_METHOD = 16


class _HeadTooLarge(Exception):
    """Raised from a parser callback to stop parsing a request head over the limits."""


class Connection:
    """What a handler may do with its connection beyond returning a Response."""

    def __init__(self, protocol: _HttpProtocol) -> None:
        self._protocol = protocol
        self.peer: tuple[str, int] = protocol.client
        # Set when the peer goes away, so long-running handlers (watch, follow) can stop.
        self.disconnected = protocol.disconnected

    async def write_raw(self, data: bytes) -> None:
        self._protocol.hijacked = True
        await self._protocol.write_and_drain(data)

    def close(self) -> None:
        self._protocol.hijacked = True
        self._protocol.close_transport()

    def abort(self) -> None:
        """Reset the connection: SO_LINGER 0 makes the kernel send RST instead of FIN."""
        self._protocol.hijacked = True
        self._protocol.reset()

    async def start_tls(self, head: bytes, context: ssl.SSLContext, handler: Handler) -> None:
        """Write `head` (a CONNECT's 200), then serve what follows on this socket over TLS, as a
        new connection, to `handler` (a man-in-the-middle proxy's inner requests)."""
        protocol = self._protocol
        protocol.hijacked = True
        await protocol.write_and_drain(head)
        await protocol.hand_over_tls(context, handler)

    async def upgrade(self, status: int, headers: list[tuple[str, str]]) -> RawStream:
        """Answer with a status line and headers (101 usually) and take the socket over."""
        protocol = self._protocol
        protocol.hijacked = True
        head = _status_line(status, None, "1.1") + _header_block(headers) + b"\r\n"
        stream = RawStream(protocol)
        protocol.raw_stream = stream
        if protocol.upgrade_leftover:
            stream.feed(protocol.upgrade_leftover)
            protocol.upgrade_leftover = b""
        await protocol.write_and_drain(head)
        protocol.resume_reading()
        return stream


# A hijacked connection stops reading from its socket while this much is unread, so a peer
# that sends faster than the stream's user consumes is held back by TCP, not by memory.
_RAW_HIGH_WATER = 1 << 20


class RawStream:
    """A byte stream over a hijacked connection (SPDY, WebSocket)."""

    def __init__(self, protocol: _HttpProtocol) -> None:
        self._protocol = protocol
        self._buffer = bytearray()
        self._eof = False
        self._waiter: asyncio.Future[None] | None = None
        self._paused = False

    def feed(self, data: bytes) -> None:
        self._buffer.extend(data)
        if len(self._buffer) > _RAW_HIGH_WATER and not self._paused:
            self._paused = True
            self._protocol.pause_transport_reading()
        self._wake()

    def feed_eof(self) -> None:
        self._eof = True
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def read(self, n: int = 65536) -> bytes:
        while not self._buffer and not self._eof:
            self._waiter = asyncio.get_running_loop().create_future()
            await self._waiter
            self._waiter = None
        data = bytes(self._buffer[:n])
        del self._buffer[:n]
        if self._paused and len(self._buffer) <= _RAW_HIGH_WATER // 4:
            self._paused = False
            self._protocol.resume_reading()
        return data

    def write(self, data: bytes) -> None:
        self._protocol.write(data)

    async def drain(self) -> None:
        await self._protocol.drain()

    def close(self) -> None:
        self._protocol.close_transport()


# A handler answers with a Response (None: it took the connection over), or with an awaitable of
# one when it has to wait. Answering at once lets the core write the answer without a task and
# an extra loop turn per request, most of a small answer's cost in the core.
HandlerResult = Awaitable[Response | None] | Response | None
Handler = Callable[[Request, Connection], HandlerResult]


# Status lines built once per (status, reason): formatting one (or looking the phrase up through
# the HTTPStatus enum) on every response was a measurable share of a small answer's cost.
_STATUS_LINES: dict[tuple[int, str | None, str], bytes] = {}


def _status_line(status: int, reason: str | None, version: str) -> bytes:
    cached = _STATUS_LINES.get((status, reason, version))
    if cached is not None:
        return cached
    phrase = reason
    if phrase is None:
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = ""
    line = f"HTTP/{version} {status} {phrase}\r\n".encode("latin-1")
    if len(_STATUS_LINES) < 1024:  # bounded: statuses and reasons are handler-chosen
        _STATUS_LINES[(status, reason, version)] = line
    return line


def _header_block(headers: list[tuple[str, str]]) -> bytes:
    return "".join([f"{name}: {value}\r\n" for name, value in headers]).encode("latin-1", "replace")


def _internal_error() -> Response:
    return Response(500, [("Content-Type", "text/plain")], b"Internal Server Error")


def _framing_headers(headers: list[tuple[str, str]]) -> tuple[bool, bool, bool]:
    """Whether Content-Length, Transfer-Encoding and Connection are among the headers, in one
    pass over them (the response path used to scan the list once per name)."""
    has_length = has_te = has_connection = False
    for key, _ in headers:
        lowered = key.lower()
        if lowered == "content-length":
            has_length = True
        elif lowered == "transfer-encoding":
            has_te = True
        elif lowered == "connection":
            has_connection = True
    return has_length, has_te, has_connection


def _says_close(headers: list[tuple[str, str]]) -> bool:
    return any(k.lower() == "connection" and "close" in v.lower() for k, v in headers)


def _upgrade_tokens(headers: list[tuple[str, str]]) -> set[str]:
    """The protocols an Upgrade header asks for, lower case, versions dropped ("h2c", "websocket")."""
    tokens: set[str] = set()
    for name, value in headers:
        if name.lower() == "upgrade":
            tokens.update(item.strip().split("/")[0].lower() for item in value.split(","))
    return tokens


def _framing_only_head(method: str, target: bytes, version: str, headers: list[tuple[str, str]]) -> bytes:
    """A request head holding only what frames the body, with no Upgrade: fed to a fresh parser
    so that it reads the body of a request whose upgrade is declined."""
    lines = [f"{method} ".encode("latin-1") + target + f" HTTP/{version}\r\n".encode("latin-1")]
    for name, value in headers:
        if name.lower() in ("content-length", "transfer-encoding"):
            lines.append(f"{name}: {value}\r\n".encode("latin-1"))
    return b"".join(lines) + b"\r\n"


class _NoCallbacks:
    """What a closed connection's parser calls back: nothing."""


# A connection's parser calls back bound methods of its protocol, a reference cycle that only
# the cyclic collector can free, and the stub runs that collector rarely (cli._tune_gc): every
# connection (a kubelet probe opens one per period) kept ~7 KB (the protocol, its transport,
# task, events and buffers) until a collection, 15 MB or more of a stub's memory. A finished
# connection swaps its parser for this one, so reference counting frees it at once.
_DETACHED_PARSER = httptools.HttpRequestParser(_NoCallbacks())


class _HttpProtocol(asyncio.Protocol):
    # Per-server configuration
    def __init__(
        self,
        handler: Handler,
        *,
        limits: Limits,
        registry: set[_HttpProtocol],
        upgrades: frozenset[str] | None = None,
        any_case_methods: bool = False,
        h2: bool = False,
    ) -> None:
        self._handler = handler
        # HTTP/2 (podlab.httpcore._h2): prior knowledge and ALPN are seen in the first bytes
        # (the preface), h2c upgrades in a request head.
        self._h2_enabled = h2
        self._h2: H2Session | None = None
        self._fresh = True  # no byte read yet: the preface may come
        self._first_bytes = b""
        self._accepting_h2c = False
        self._h2c_request: Request | None = None
        self._registry = registry
        self._limits = limits
        self._upgrades = upgrades
        self._any_case_methods = any_case_methods
        self._max_body_bytes = limits.max_body_bytes
        self._loop = asyncio.get_event_loop()
        # Per-connection state
        self.transport: asyncio.Transport | None = None
        self.client: tuple[str, int] = ("", 0)
        self._server_addr: tuple[str, int] = ("", 0)
        self._connection: Connection | None = None  # made with the transport (connection_made)
        self._parser = httptools.HttpRequestParser(self)
        self._pending: deque[Request] = deque()
        self._cycle: asyncio.Task[None] | None = None
        self._unparsed = b""  # bytes read while the queue was full, parsed once it drains
        self._reading_paused = False
        # Deadlines in loop time, None when not running; one timer serves both.
        self._idle_deadline: float | None = None  # waiting for the next request
        self._header_deadline: float | None = None  # a request head has begun (or the connection)
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = 0.0
        self._lingering = False
        self._linger_end = 0.0
        self._can_write = asyncio.Event()
        self._can_write.set()
        self.disconnected = asyncio.Event()
        # The two events' states as plain attributes, for the per-request loop (_serve_pending):
        # Event.is_set is a Python call each time.
        self._lost = False
        self._writing_paused = False
        self.hijacked = False
        self.raw_stream: RawStream | None = None
        self.upgrade_leftover = b""
        self._upgrading = False
        # Per-request state
        self._in_head = True  # between a request's first byte and the end of its headers
        self._head_bytes = 0
        self._header_count = 0
        self._url = bytearray()
        self._headers: list[tuple[str, str]] = []
        self._watched: list[tuple[str, str]] = []  # headers named like Expect or Content-Length
        self._body = bytearray()
        self._too_large = False
        self._message_done = False
        # An Upgrade the handler cannot take: llhttp (as httptools drives it) skips the body of
        # any upgrade request, so the head is parsed again without it (see _decline_upgrade).
        self._declined_upgrade = False
        self._original_headers: list[tuple[str, str]] | None = None
        # A method token in other than upper case, given to the parser upper-cased (llhttp
        # knows only upper case) and to the handler as sent; see _uppercase_method.
        self._between_messages = True
        self._method_prefix = b""
        self._sent_method: str | None = None

    @property
    def server_address(self) -> tuple[str, int]:
        return self._server_addr

    @property
    def queued(self) -> int:
        """Requests parsed and waiting for the handler (at most _MAX_QUEUED plus one slice)."""
        return len(self._pending)

    # -- asyncio callbacks -------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports implement asyncio.Transport without subclassing it.
        self.transport = cast(asyncio.Transport, transport)
        self._registry.add(self)
        peer = transport.get_extra_info("peername")
        sock = transport.get_extra_info("sockname")
        self.client = (str(peer[0]), int(peer[1])) if peer else ("", 0)
        self._server_addr = (str(sock[0]), int(sock[1])) if sock else ("", 0)
        # One per connection, not per request: it holds nothing of a request.
        self._connection = Connection(self)
        # The first request's head is due within header_timeout of the connection itself, so a
        # connection that never sends anything costs no more than a slow one.
        now = self._loop.time()
        self._header_deadline = now + self._limits.header_timeout
        self._idle_deadline = now + self._limits.idle_timeout
        self._schedule()

    def connection_lost(self, exc: Exception | None) -> None:
        self._registry.discard(self)
        self._connection = None  # it refers back to this protocol: no cycle left (see below)
        self.disconnected.set()
        self._can_write.set()
        self._lost, self._writing_paused = True, False
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self.raw_stream is not None:
            self.raw_stream.feed_eof()
        if self._h2 is not None:
            self._h2.connection_lost()
        if self._cycle is None or self._cycle.done():
            self._parser = _DETACHED_PARSER
        else:
            self._cycle.add_done_callback(self._detach_parser)

    def _detach_parser(self, _cycle: object = None) -> None:
        self._parser = _DETACHED_PARSER

    def pause_writing(self) -> None:
        self._can_write.clear()
        self._writing_paused = True

    def resume_writing(self) -> None:
        self._can_write.set()
        self._writing_paused = False

    def data_received(self, data: bytes) -> None:
        if self._h2 is not None:
            self._h2.data_received(data)
            return
        if self._fresh and self._h2_enabled:
            data = self._first_bytes + data
            if len(data) < len(PREFACE) and PREFACE.startswith(data):
                self._first_bytes = data  # could still be the preface: wait for the rest
                return
            self._fresh, self._first_bytes = False, b""
            if data.startswith(PREFACE):
                self._start_h2(data)
                return
        self._fresh = False
        if self.raw_stream is not None:
            self.raw_stream.feed(data)
            return
        if self._upgrading:
            self.upgrade_leftover += data
            return
        if self._lingering:
            # Discard; close once the peer has been quiet for a while (or at the hard end).
            self._idle_deadline = min(self._loop.time() + _LINGER_QUIET, self._linger_end)
            return
        if self.hijacked:
            return  # a fault handler owns the socket; ignore what the peer still sends
        self._idle_deadline = None
        if self._unparsed:  # a transport may deliver once more after pause_reading
            self._unparsed += data
            return
        self._feed(data)
        if self._pending and (self._cycle is None or self._cycle.done()):
            self._serve_pending()

    def _feed(self, data: bytes) -> None:
        """Parse `data` a slice at a time, stopping (and keeping the rest) when the queue is full."""
        # A plain "GET " needs no upper-casing (most requests): no call to find that out.
        if self._any_case_methods and self._between_messages and (self._method_prefix or data[:4] != b"GET "):
            data = self._uppercase_method(data)
        # A read of one slice or less (the usual: a keep-alive client's next request) is sliced
        # as bytes, whose whole slice is the object itself: no memoryview and no copy.
        view: bytes | memoryview = data if len(data) <= _FEED_SLICE else memoryview(data)
        offset = 0
        while offset < len(view):
            if len(self._pending) >= _MAX_QUEUED:
                self._unparsed = bytes(view[offset:])
                self._pause_reading()
                return
            piece = view[offset : offset + _FEED_SLICE]
            offset += len(piece)
            if self._in_head:
                self._head_bytes += len(piece)
            try:
                self._parser.feed_data(piece)
            except httptools.HttpParserUpgrade as upgrade:
                at = upgrade.args[0] if upgrade.args else len(piece)
                if self._declined_upgrade:
                    self._decline_upgrade(bytes(piece[at:]) + bytes(view[offset:]))
                    return
                self.upgrade_leftover = bytes(piece[at:]) + bytes(view[offset:])
                self._upgrading = True
                if self.transport is not None:
                    self.transport.pause_reading()
                if not self._message_done:  # llhttp may already have completed the message
                    self._finish_request()
                if self._h2c_request is not None:
                    self._switch_to_h2c(self._h2c_request)
                return
            except httptools.HttpParserError as err:
                if isinstance(err.__context__, _HeadTooLarge):
                    self._send_error(431, b"Request Header Fields Too Large")
                else:
                    self._send_error(400, b"Bad Request")
                return
            if self._in_head and self._head_bytes > self._limits.max_header_bytes:
                self._send_error(431, b"Request Header Fields Too Large")
                return
            if self.hijacked:
                return
        self._unparsed = b""

    def _uppercase_method(self, data: bytes) -> bytes:
        """`data`, which begins a request, with its method token upper-cased ("get" is GET, as
        Jetty reads it). Only a request that begins a read is seen here: one pipelined behind
        another in the same read still meets llhttp's upper-case rule (400)."""
        data, self._method_prefix = self._method_prefix + data, b""
        token, space, _ = data[: _MAX_METHOD + 1].partition(b" ")
        if not space:
            if len(data) <= _MAX_METHOD and data.isalpha():
                self._method_prefix = data  # the token's end has not arrived yet
                return b""
            return data
        if token.isalpha() and not token.isupper():
            self._sent_method = token.decode("ascii")
            return token.upper() + data[len(token) :]
        return data

    def _decline_upgrade(self, rest: bytes) -> None:
        """Serve an upgrade request nobody takes over as plain HTTP/1.1 (RFC 9110 §7.8: a server
        may ignore Upgrade), body included, and keep the connection. Jetty does this for
        `Upgrade: h2c` with a body, which the JDK's HttpClient sends on every cleartext request.
        A fresh parser reads a head holding only the body's framing; the request keeps its own
        headers (on_headers_complete puts them back)."""
        head = _framing_only_head(
            self._parser.get_method().decode("ascii"),
            bytes(self._url),
            self._parser.get_http_version(),
            self._headers,
        )
        self._original_headers = self._headers
        self._parser = httptools.HttpRequestParser(self)
        try:
            self._parser.feed_data(head)
        except httptools.HttpParserError:  # framing llhttp refuses once it reads it (a bad length)
            self._send_error(400, b"Bad Request")
            return
        self._feed(rest)

    def _pause_reading(self) -> None:
        if not self._reading_paused and self.transport is not None and not self.transport.is_closing():
            self._reading_paused = True
            self.transport.pause_reading()

    def _parse_held_back(self) -> None:
        """The queue has room again: parse what was held back, then read from the socket again."""
        if self._unparsed:
            data, self._unparsed = self._unparsed, b""
            self._feed(data)
        if not self._unparsed and self._reading_paused and not self._upgrading:
            self._reading_paused = False
            self.resume_reading()

    def eof_received(self) -> bool | None:
        if self.raw_stream is not None:
            self.raw_stream.feed_eof()
        return None

    # -- httptools callbacks -------------------------------------------------------------
    def on_message_begin(self) -> None:
        self._between_messages = False
        self._in_head = True
        self._header_count = 0
        if self._header_deadline is None:  # the first request's deadline runs from the connect
            deadline = self._header_deadline = self._loop.time() + self._limits.header_timeout
            if self._timer is None or self._timer_at > deadline:  # else _schedule does nothing
                self._schedule()
        self._url = bytearray()
        self._headers = []
        self._watched = []
        self._body = bytearray()
        self._too_large = False
        self._message_done = False

    def on_url(self, url: bytes) -> None:
        self._url.extend(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_count += 1
        if self._header_count > self._limits.max_header_count:
            raise _HeadTooLarge()
        # llhttp drops the OWS before a field value but keeps the OWS after it; neither is part
        # of the value (RFC 9110 §5.5), and Jetty trims both before WireMock matches on it.
        header = (name.decode("latin-1"), value.rstrip(b" \t").decode("latin-1"))
        self._headers.append(header)
        if len(name) in _WATCHED_LENGTHS:  # maybe Expect or Content-Length: on_headers_complete
            self._watched.append(header)

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._head_bytes = 0
        self._header_deadline = None
        replayed = self._original_headers is not None  # the framing-only head of a declined upgrade
        if self._original_headers is not None:
            self._headers, self._original_headers = self._original_headers, None
        # should_upgrade first: it is false for almost every request, and ends both questions.
        upgrade = not replayed and self._parser.should_upgrade()
        self._accepting_h2c = upgrade and self._h2c_acceptable()
        self._declined_upgrade = (
            upgrade
            and not self._accepting_h2c
            and self._parser.get_method() != b"CONNECT"  # a tunnel: the handler answers it
            and self._upgrades is not None
            and not _upgrade_tokens(self._headers) & self._upgrades
        )
        # The headers on_header set aside by the length of their names, not every header: a
        # replayed head has its own Content-Length (the original's, see _framing_only_head).
        if self._watched:
            watched, self._watched = self._watched, []
            for name, value in watched:
                lowered = name.lower()
                if lowered == "expect" and value.lower() == "100-continue" and not replayed:
                    self.write(b"HTTP/1.1 100 Continue\r\n\r\n")
                elif lowered == "content-length" and value.isdigit() and int(value) > self._max_body_bytes:
                    self._too_large = True

    def on_body(self, body: bytes) -> None:
        if self._too_large:
            return
        self._body.extend(body)
        if len(self._body) > self._max_body_bytes:
            self._too_large = True
            self._body = bytearray()

    def on_message_complete(self) -> None:
        self._message_done = True
        self._between_messages = True
        if self._declined_upgrade:
            return  # bodiless as llhttp saw it; _decline_upgrade reads it again with its body
        self._finish_request()

    # -- request cycle -------------------------------------------------------------------
    def _finish_request(self) -> None:
        if self._too_large:
            self._send_error(413, b"Request Entity Too Large")
            return
        accepting_h2c, self._accepting_h2c = self._accepting_h2c, False
        target = self._url.decode("latin-1")
        path, _, query = target.partition("?")
        method, self._sent_method = self._sent_method, None
        if method is None:
            raw_method = self._parser.get_method()
            method = _METHOD_NAMES.get(raw_method) or raw_method.decode("ascii")
        request = Request(
            method=method,
            target=target,
            path=path,
            query=query,
            http_version=self._parser.get_http_version(),
            headers=self._headers,
            body=bytes(self._body),
            client=self.client,
            server=self._server_addr,
        )
        if accepting_h2c:
            self._h2c_request = request  # answered as stream 1 once the upgrade is done
            return
        # Served once the bytes read so far are parsed (data_received: _serve_pending), or by the
        # running cycle when one is under way.
        self._pending.append(request)

    def _next_request(self) -> tuple[Request, HandlerResult, bool]:
        """The oldest queued request, its keep-alive wish and what its handler answered."""
        request = self._pending.popleft()
        if self._reading_paused:
            self._parse_held_back()
        keep_alive = self._wants_keep_alive(request)
        try:
            result = self._handler(request, self._connection or Connection(self))
        except Exception:
            log.exception("handler failed for %s %s", request.method, request.target)
            result = _internal_error()
        return request, result, keep_alive

    def _serve_pending(self) -> None:
        """Answer the queued requests in order, each written at once when its handler answered
        at once with a whole body; from the first that has to wait (or a streamed body, or a
        peer not reading) a task (_run_cycle) serves the rest."""
        while self._pending and not self.hijacked and not self._lost:
            if self._writing_paused:  # the peer is slow to read: wait for it in the task
                self._cycle = self._loop.create_task(self._run_cycle())
                return
            request, result, keep_alive = self._next_request()
            if not isinstance(result, Response) or not isinstance(result.body, bytes):
                if result is None or self.hijacked:
                    return
                self._cycle = self._loop.create_task(self._run_cycle((request, result, keep_alive)))
                return
            if not self._write_response(request, result, keep_alive) or self._upgrading:
                self.close_transport()
                return
        self._await_next()

    async def _run_cycle(self, first: tuple[Request, HandlerResult, bool] | None = None) -> None:
        if first is None:
            await self.drain()
        while first is not None or (self._pending and not self.hijacked and not self.disconnected.is_set()):
            if first is not None:
                (request, result, keep_alive), first = first, None
            else:
                request, result, keep_alive = self._next_request()
            try:
                response = result if result is None or isinstance(result, Response) else await result
            except Exception:
                log.exception("handler failed for %s %s", request.method, request.target)
                response = _internal_error()
            if response is None or self.hijacked:
                return
            keep_alive = await self._send_response(request, response, keep_alive)
            if not keep_alive or self._upgrading:
                self.close_transport()
                return
        self._await_next()

    def _await_next(self) -> None:
        if not self.hijacked and not self._in_head:
            # Idle until the next request begins; a head already begun has its own deadline.
            deadline = self._idle_deadline = self._loop.time() + self._limits.idle_timeout
            # A pending timer is never later than a deadline set before (_schedule): then it
            # fires first and finds this one, with no call now (twice per request otherwise).
            if self._timer is None or self._timer_at > deadline:
                self._schedule()

    def _wants_keep_alive(self, request: Request) -> bool:
        connection = (request.header("Connection") or "").lower()
        if request.http_version == "1.0":
            return "keep-alive" in connection
        return "close" not in connection

    def _head(self, request: Request, response: Response, keep_alive: bool) -> tuple[bytes, bool, bool, bool]:
        """The status line and headers with the framing added; whether the body goes chunked,
        whether there is none on the wire, and whether the connection stays open (not if the
        handler said close)."""
        headers = list(response.headers)
        body = response.body
        no_body = request.method == "HEAD" or response.status in (204, 304) or response.status < 200
        has_length, has_te, has_connection = _framing_headers(headers)
        chunked = has_te or (not has_length and (response.chunked or not isinstance(body, bytes)))
        if chunked and not has_te and request.http_version == "1.0":
            # An HTTP/1.0 client cannot read chunked (RFC 9112 §6.1): a known body gets a
            # Content-Length, a streamed one ends with the connection.
            chunked = False
            keep_alive = keep_alive and isinstance(body, bytes)
        # A HEAD answer carries the framing a GET would have had, but a 1xx, 204 or 304 has none
        # at all (RFC 9112 §6.1, §6.3).
        if not no_body or (
            request.method == "HEAD" and response.status >= 200 and response.status not in (204, 304)
        ):
            if chunked and not has_te:
                headers.append(("Transfer-Encoding", "chunked"))
            elif not chunked and not has_length and isinstance(body, bytes):
                headers.append(("Content-Length", str(len(body))))
        if not keep_alive and request.http_version == "1.1" and not has_connection:
            headers.append(("Connection", "close"))
        head = _status_line(response.status, response.reason, "1.1") + _header_block(headers) + b"\r\n"
        keep_alive = keep_alive and not (has_connection and _says_close(headers))
        return head, chunked, no_body, keep_alive

    def _write_response(self, request: Request, response: Response, keep_alive: bool) -> bool:
        """Write a response with a whole body (no waiting); whether the connection stays open."""
        if response.reusable:  # framed once per kind of request (Response.reusable)
            wire = response.wire
            if wire is None:
                wire = response.wire = {}
            key = (request.method == "HEAD", request.http_version, keep_alive)
            framed = wire.get(key)
            if framed is None:
                framed = wire[key] = self._framed(request, response, keep_alive)
        else:
            framed = self._framed(request, response, keep_alive)
        self.write(framed[0])
        return framed[1]

    def _framed(self, request: Request, response: Response, keep_alive: bool) -> tuple[bytes, bool]:
        """A response with a whole body as the bytes to write, and whether the connection stays open."""
        head, chunked, no_body, keep_alive = self._head(request, response, keep_alive)
        body = response.body
        assert isinstance(body, bytes)
        if no_body:
            return head, keep_alive
        if chunked:
            payload = (b"%x\r\n%s\r\n" % (len(body), body) if body else b"") + b"0\r\n\r\n"
            return head + payload, keep_alive
        return head + body, keep_alive

    async def _send_response(self, request: Request, response: Response, keep_alive: bool) -> bool:
        """Write the response; whether the connection stays open (not if the handler said close)."""
        body = response.body
        if isinstance(body, bytes):
            keep_alive = self._write_response(request, response, keep_alive)
            await self.drain()
            return keep_alive
        head, chunked, no_body, keep_alive = self._head(request, response, keep_alive)
        await self.write_and_drain(head)
        await self._stream_body(body, chunked and not no_body)
        return keep_alive

    async def _stream_body(self, body: AsyncIterator[bytes], chunked: bool) -> None:
        try:
            async for chunk in body:
                if self.disconnected.is_set():
                    break
                if not chunk:
                    continue
                await self.write_and_drain(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
            else:
                if chunked:
                    await self.write_and_drain(b"0\r\n\r\n")
        finally:
            aclose = getattr(body, "aclose", None)
            if aclose is not None:
                with contextlib.suppress(Exception):
                    await aclose()

    async def hand_over_tls(self, context: ssl.SSLContext, handler: Handler) -> None:
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        inner = _HttpProtocol(
            handler,
            limits=self._limits,
            registry=self._registry,
            upgrades=self._upgrades,
            any_case_methods=self._any_case_methods,
        )
        self._header_deadline = self._idle_deadline = None
        try:
            tls = await self._loop.start_tls(
                transport, inner, context, server_side=True, ssl_handshake_timeout=self._limits.header_timeout
            )
        except (OSError, ssl.SSLError, TimeoutError, ConnectionError):
            transport.close()
            return
        if tls is None:
            transport.close()
            return
        self._registry.discard(self)  # the inner protocol owns the socket now
        inner.connection_made(tls)

    # -- HTTP/2 ---------------------------------------------------------------------------
    def _h2c_acceptable(self) -> bool:
        """An `Upgrade: h2c` taken: with HTTP2-Settings and, as Jetty does, only for a request
        without a body (one with a body is served in HTTP/1.1; see _decline_upgrade)."""
        if not self._h2_enabled or not self._parser.should_upgrade():
            return False
        if "h2c" not in _upgrade_tokens(self._headers):
            return False
        settings = False
        for name, value in self._headers:
            lowered = name.lower()
            if lowered == "http2-settings":
                settings = True
            elif lowered == "transfer-encoding" or (lowered == "content-length" and value.strip() != "0"):
                return False
        return settings

    def _leave_http1(self) -> H2Session:
        from ._h2 import H2Session  # on the first HTTP/2 connection: start-up time

        self._header_deadline = self._idle_deadline = None
        self._h2 = H2Session(self, self._handler, max_body_bytes=self._max_body_bytes)
        return self._h2

    def _start_h2(self, data: bytes) -> None:
        self._leave_http1().start(data)

    def _switch_to_h2c(self, request: Request) -> None:
        self._h2c_request = None
        self._upgrading = False
        settings = request.header("HTTP2-Settings") or ""
        rest, self.upgrade_leftover = self.upgrade_leftover, b""
        self.write(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n")
        self._leave_http1().start_upgraded(request, settings, rest)
        self.resume_reading()

    # -- transport helpers -----------------------------------------------------------------
    def write(self, data: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)

    async def drain(self) -> None:
        if not self._can_write.is_set():
            await self._can_write.wait()

    async def write_and_drain(self, data: bytes) -> None:
        self.write(data)
        await self.drain()

    def resume_reading(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.resume_reading()

    def pause_transport_reading(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.pause_reading()

    def close_transport(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()

    def reset(self) -> None:
        if self.transport is None:
            return
        sock = self.transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.transport.abort()

    def _send_error(self, status: int, body: bytes) -> None:
        """Answer a request the handler never sees, then close without losing the answer."""
        self.hijacked = True
        self._unparsed = b""
        head = _status_line(status, None, "1.1")
        headers = [
            ("Content-Type", "text/plain"),
            ("Content-Length", str(len(body))),
            ("Connection", "close"),
        ]
        self.write(head + _header_block(headers) + b"\r\n" + body)
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        if transport.can_write_eof():  # TLS cannot half-close; the Content-Length frames it there
            transport.write_eof()
        self._lingering = True
        now = self._loop.time()
        self._linger_end = now + _LINGER_MAX
        self._header_deadline = None
        self._idle_deadline = now + _LINGER_QUIET
        self._schedule()
        if self._reading_paused:
            self._reading_paused = False
            self.resume_reading()

    # One timer for both deadlines, not cancelled and re-created for every request (a timer-heap
    # insert and a cancelled handle per request): a new deadline only moves the timer when it is
    # earlier than the pending one, and the timer, when it fires, acts on what has passed or
    # waits for the next deadline.
    def _schedule(self) -> None:
        header, idle = self._header_deadline, self._idle_deadline
        if header is None or idle is None:  # twice per request: no list, no min() call
            first = header if idle is None else idle
            if first is None:
                return  # a pending timer finds nothing to do and stops
        else:
            first = header if header < idle else idle
        if self._timer is not None:
            if self._timer_at <= first:
                return
            self._timer.cancel()
        self._timer_at = first
        self._timer = self._loop.call_at(first, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        now = self._loop.time()
        if self._header_deadline is not None and now >= self._header_deadline:
            self._header_deadline = None
            busy = self._cycle is not None and not self._cycle.done()
            if busy or self.hijacked:
                self.close_transport()  # a response is under way: a 408 cannot go in between
            else:
                self._send_error(408, b"Request Timeout")
            return
        if self._idle_deadline is not None and now >= self._idle_deadline:
            self.close_transport()
            return
        self._schedule()
