"""HTTP/2 on a connection the HTTP/1.1 protocol hands over: h2c with prior knowledge (the
connection preface as the first bytes), h2c by `Upgrade: h2c` (the upgrade request answered as
stream 1, RFC 7540 §3.2), and h2 chosen by ALPN over TLS (the client then also begins with the
preface). The `h2` library does the framing, HPACK and flow control without I/O; this module
turns its events into the same `Request`/`Response` the HTTP/1.1 path uses, so handlers do not
know which protocol a request came by.

Each stream's handler runs as its own task; a response body is sent as the peer's flow-control
windows allow. Streams at once are bounded by the MAX_CONCURRENT_STREAMS we announce.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.exceptions
import h2.settings

from ._models import Request, Response

if TYPE_CHECKING:
    from ._protocol import Handler, _HttpProtocol

log = logging.getLogger("podlab.httpcore")

MAX_CONCURRENT_STREAMS = 128
# Connection-specific header fields are not allowed in HTTP/2 (RFC 9113 §8.2.2).
_CONNECTION_SPECIFIC = frozenset(
    {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"}
)


class _StreamConnection:
    """What a handler may do with its stream beyond returning a Response (see Connection):
    faults act on the stream (reset) or, for raw bytes, on the whole connection."""

    def __init__(self, session: H2Session, stream_id: int) -> None:
        self._session = session
        self._stream_id = stream_id
        self.peer = session.protocol.client
        self.disconnected = session.protocol.disconnected
        self.taken = False

    async def write_raw(self, data: bytes) -> None:
        # Bytes outside any frame break the whole connection, as garbage does on HTTP/1.1.
        self.taken = True
        await self._session.protocol.write_and_drain(data)

    def close(self) -> None:
        self.taken = True
        self._session.reset_stream(self._stream_id, h2.errors.ErrorCodes.CANCEL)

    def abort(self) -> None:
        self.taken = True
        self._session.protocol.reset()

    async def upgrade(self, status: int, headers: list[tuple[str, str]]) -> object:
        raise RuntimeError("no protocol upgrade inside an HTTP/2 stream")


class _Stream:
    def __init__(self, headers: list[tuple[bytes, bytes]]) -> None:
        self.headers = headers
        self.body = bytearray()
        self.too_large = False
        self.task: asyncio.Task[None] | None = None


class H2Session:
    """One HTTP/2 connection's state; the owning protocol feeds it every byte it reads."""

    def __init__(self, protocol: _HttpProtocol, handler: Handler, *, max_body_bytes: int) -> None:
        self.protocol = protocol
        self._handler = handler
        self._max_body_bytes = max_body_bytes
        # Inbound fields are validated (a peer's protocol error is refused); outbound ones are
        # built here already lower-cased without connection-specific fields, and h2's checking
        # them again was a large share of a small answer's cost (profiled).
        config = h2.config.H2Configuration(
            client_side=False,
            header_encoding=None,
            validate_inbound_headers=True,
            validate_outbound_headers=False,
            normalize_outbound_headers=False,
        )
        self._conn = h2.connection.H2Connection(config=config)
        self._conn.local_settings = h2.settings.Settings(
            client=False,
            initial_values={h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS: MAX_CONCURRENT_STREAMS},
        )
        self._streams: dict[int, _Stream] = {}
        self._window_open = asyncio.Event()
        self._closed = False

    # -- starting ------------------------------------------------------------------------
    def start(self, initial: bytes) -> None:
        """Prior knowledge (or ALPN): `initial` begins with the client's preface."""
        self._conn.initiate_connection()
        self._flush()
        self.data_received(initial)

    def start_upgraded(self, request: Request, settings_header: str, rest: bytes) -> None:
        """After the 101: the HTTP/1.1 request becomes stream 1, half-closed by the client."""
        try:
            self._conn.initiate_upgrade_connection(settings_header.encode("latin-1"))
        except (h2.exceptions.ProtocolError, ValueError):
            self._conn.initiate_connection()  # a bad HTTP2-Settings: our defaults, all the same
        self._flush()
        self._run(1, request)
        if rest:
            self.data_received(rest)

    # -- reading -------------------------------------------------------------------------
    def data_received(self, data: bytes) -> None:
        if self._closed:
            return
        try:
            events = self._conn.receive_data(data)
        except h2.exceptions.ProtocolError:
            self._flush()  # the GOAWAY h2 queued
            self._close()
            return
        for event in events:
            self._on_event(event)
        self._flush()

    def _on_event(self, event: h2.events.Event) -> None:
        if isinstance(event, h2.events.RequestReceived):
            stream = _Stream(list(event.headers or []))
            self._streams[event.stream_id] = stream
            if event.stream_ended is not None:
                self._dispatch(event.stream_id)
        elif isinstance(event, h2.events.DataReceived):
            stream_or_none = self._streams.get(event.stream_id)
            # Flow control: what was read is acknowledged at once; the body limit bounds memory.
            self._conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
            if stream_or_none is not None and not stream_or_none.too_large:
                stream_or_none.body.extend(event.data or b"")
                if len(stream_or_none.body) > self._max_body_bytes:
                    stream_or_none.too_large = True
                    stream_or_none.body = bytearray()
            if event.stream_ended is not None:
                self._dispatch(event.stream_id)
        elif isinstance(event, h2.events.StreamEnded):
            self._dispatch(event.stream_id)
        elif isinstance(event, h2.events.StreamReset):
            reset = self._streams.pop(event.stream_id, None)
            if reset is not None and reset.task is not None:
                reset.task.cancel()
            self._window_open.set()
        elif isinstance(event, h2.events.WindowUpdated | h2.events.RemoteSettingsChanged):
            self._window_open.set()
        elif isinstance(event, h2.events.ConnectionTerminated):
            self._close()

    def _dispatch(self, stream_id: int) -> None:
        stream = self._streams.get(stream_id)
        if stream is None or stream.task is not None:
            return
        if stream.too_large:
            self._respond_now(stream_id, 413, b"Request Entity Too Large")
            return
        request = self._request(stream)
        if request is None:
            self.reset_stream(stream_id, h2.errors.ErrorCodes.PROTOCOL_ERROR)
            return
        self._run(stream_id, request)

    def _request(self, stream: _Stream) -> Request | None:
        pseudo: dict[bytes, bytes] = {}
        headers: list[tuple[str, str]] = []
        for name, value in stream.headers:
            if name.startswith(b":"):
                pseudo[name] = value
            else:
                headers.append((name.decode("latin-1"), value.decode("latin-1")))
        method, target = pseudo.get(b":method"), pseudo.get(b":path")
        if not method or not target:
            return None
        text = target.decode("latin-1")
        path, _, query = text.partition("?")
        authority = pseudo.get(b":authority")
        return Request(
            method=method.decode("ascii", errors="replace"),
            target=text,
            path=path,
            query=query,
            http_version="2.0",
            headers=headers,
            body=bytes(stream.body),
            client=self.protocol.client,
            server=self.protocol.server_address,
            authority=authority.decode("latin-1") if authority else None,
        )

    # -- answering -----------------------------------------------------------------------
    def _run(self, stream_id: int, request: Request) -> None:
        stream = self._streams.setdefault(stream_id, _Stream([]))
        stream.task = asyncio.get_running_loop().create_task(self._serve(stream_id, request))

    async def _serve(self, stream_id: int, request: Request) -> None:
        connection = _StreamConnection(self, stream_id)
        try:
            result = self._handler(request, connection)  # type: ignore[arg-type]
            response = result if result is None or isinstance(result, Response) else await result
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("handler failed for %s %s", request.method, request.target)
            response = Response(500, [("Content-Type", "text/plain")], b"Internal Server Error")
        try:
            if response is not None and not connection.taken:
                await self._send(stream_id, request, response)
        except (h2.exceptions.StreamClosedError, h2.exceptions.ProtocolError, KeyError):
            pass  # the client reset the stream or went away meanwhile
        finally:
            self._streams.pop(stream_id, None)

    async def _send(self, stream_id: int, request: Request, response: Response) -> None:
        no_body = request.method == "HEAD" or response.status in (204, 304) or response.status < 200
        fields = [(b":status", str(response.status).encode("ascii"))]
        for name, value in response.headers:
            lowered = name.lower()
            if lowered in _CONNECTION_SPECIFIC:
                continue
            fields.append((lowered.encode("latin-1"), value.encode("latin-1", "replace")))
        body = response.body
        if isinstance(body, bytes):
            self._conn.send_headers(stream_id, fields, end_stream=no_body or not body)
            self._flush()
            if not no_body and body:
                await self._send_data(stream_id, body, end=True)
            return
        self._conn.send_headers(stream_id, fields, end_stream=no_body)
        self._flush()
        if no_body:
            return
        await self._stream_body(stream_id, body)

    async def _stream_body(self, stream_id: int, body: AsyncIterator[bytes]) -> None:
        try:
            async for chunk in body:
                if chunk:
                    await self._send_data(stream_id, chunk, end=False)
            self._conn.end_stream(stream_id)
            self._flush()
        finally:
            aclose = getattr(body, "aclose", None)
            if aclose is not None:
                with contextlib.suppress(Exception):
                    await aclose()

    async def _send_data(self, stream_id: int, data: bytes, *, end: bool) -> None:
        view = memoryview(data)
        while view:
            window = self._conn.local_flow_control_window(stream_id)
            if window <= 0:
                self._window_open.clear()
                await self._window_open.wait()
                if self._closed:
                    return
                continue
            size = min(window, len(view), self._conn.max_outbound_frame_size)
            self._conn.send_data(stream_id, bytes(view[:size]), end_stream=end and size == len(view))
            view = view[size:]
            self._flush()
            await self.protocol.drain()
        if not data and end:
            self._conn.end_stream(stream_id)
            self._flush()

    def _respond_now(self, stream_id: int, status: int, body: bytes) -> None:
        fields = [(b":status", str(status).encode()), (b"content-type", b"text/plain")]
        self._conn.send_headers(stream_id, fields)
        self._conn.send_data(stream_id, body, end_stream=True)
        self._streams.pop(stream_id, None)
        self._flush()

    def reset_stream(self, stream_id: int, code: h2.errors.ErrorCodes) -> None:
        with contextlib.suppress(h2.exceptions.ProtocolError, KeyError):
            self._conn.reset_stream(stream_id, error_code=code)
            self._flush()

    # -- the connection --------------------------------------------------------------------
    def _flush(self) -> None:
        data = self._conn.data_to_send()
        if data:
            self.protocol.write(data)

    def _close(self) -> None:
        self._closed = True
        self._window_open.set()
        for stream in self._streams.values():
            if stream.task is not None:
                stream.task.cancel()
        self.protocol.close_transport()

    def connection_lost(self) -> None:
        self._closed = True
        self._window_open.set()
        for stream in self._streams.values():
            if stream.task is not None:
                stream.task.cancel()
