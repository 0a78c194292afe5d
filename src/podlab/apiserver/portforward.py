"""pods/portforward over SPDY/3.1: relay kubectl's stream pairs to TCP connections in the pod network.

Per forwarded connection kubectl opens two streams sharing a `requestid`: an error stream and a
data stream (kubelet `pkg/kubelet/cri/streaming/portforward/httpstream.go`). We dial the pod
when both have arrived and copy bytes both ways, each direction ending on its own:

- kubectl's FIN on the data stream half-closes our socket to the pod (the pod may still answer);
- the pod's FIN becomes the data stream's FIN. kubectl then resets the data stream (or has
  already closed it); containerd gives the other direction 0.5 s (socat's default) after the
  first one ends, and so do we. Then the pod socket is closed and the error stream gets its FIN,
  with no text: kubectl >= 1.23 drops the *whole* session on any error text (kubectl#1169).
- Only a failed dial writes text to the error stream (kubelet's words), which kubectl prints
  before it exits, as it does against a real cluster.

Whatever kubectl sends for a pair that has already ended (data in flight after the pod's FIN, a
late FIN or reset) is dropped: it must never end the session. That was the "lost connection to
pod" after a few requests to servers that close first: writing to the closed pod socket raised
(uvloop raises RuntimeError there), and the exception closed the whole SPDY connection.

The session reads and writes bytes through a `ByteStream` (the hijacked socket itself, or the
WebSocket tunnel of `portforward_ws`), so the same relay serves both of kubectl's paths.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
from dataclasses import dataclass, field
from typing import Protocol

from podlab.network.sockets import PodNetworkSockets

from .spdy import GOAWAY, PING, RST_STREAM, SYN_STREAM, Frame, ProtocolError, SpdyCodec

log = logging.getLogger("podlab.apiserver.portforward")

PROTOCOL = "portforward.k8s.io"
# containerd (sandbox_portforward_linux.go): after one direction ends, the other gets this long.
OTHER_DIRECTION_GRACE = 0.5
DIAL_TIMEOUT = 10.0
_READ_SIZE = 32 * 1024  # kubectl's and the kubelet's copy buffer


class ByteStream(Protocol):
    """What a session needs of its connection: httpcore's RawStream has this shape."""

    async def read(self, n: int = 65536) -> bytes: ...  # b"" at the end

    def write(self, data: bytes) -> None: ...

    async def drain(self) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class PodTarget:
    """Where a port-forward goes, and the names kubelet's error text uses."""

    name: str
    uid: str
    ip: str


class DialError(Exception):
    """The pod's port could not be reached; str() is kubelet's error-stream text."""


async def dial_pod(
    sockets: PodNetworkSockets, pod: PodTarget, port: int
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A connection to the pod's port through the pod network, or DialError in kubelet's words."""
    try:
        sock = await sockets.connect_tcp(pod.ip, port, DIAL_TIMEOUT)
        return await asyncio.open_connection(sock=sock, limit=_READ_SIZE)
    except (OSError, TimeoutError) as exc:
        raise DialError(
            f"error forwarding port {port} to pod {pod.name}, uid {pod.uid}: "
            f"failed to connect to {pod.ip}:{port}: {go_dial_error(pod.ip, port, exc)}"
        ) from exc


def go_dial_error(host: str, port: int, exc: BaseException) -> str:
    """A failed connect as Go's net.Dial words it (what kubelet and containerd pass on)."""
    if isinstance(exc, TimeoutError) or getattr(exc, "errno", None) == errno.ETIMEDOUT:
        return f"dial tcp {host}:{port}: i/o timeout"
    code = getattr(exc, "errno", None)
    reason = os.strerror(code) if isinstance(code, int) else str(exc)
    return f"dial tcp {host}:{port}: connect: {reason[:1].lower()}{reason[1:]}"


def close_quietly(writer: asyncio.StreamWriter) -> None:
    """Close a pod connection that may already be gone (uvloop raises on a closed transport)."""
    with contextlib.suppress(RuntimeError, OSError):
        writer.close()


@dataclass
class _Pair:
    """One forwarded connection: kubectl's error and data streams and the pod socket."""

    request_id: str
    port: int = 0
    error_stream: int | None = None
    data_stream: int | None = None
    writer: asyncio.StreamWriter | None = None  # the pod connection, once dialled
    pending: list[bytes] = field(default_factory=list)  # client data that arrived before the dial
    client_fin: bool = False  # kubectl half-closed the data stream
    data_fin_sent: bool = False  # the pod's FIN went to kubectl
    reset: bool = False  # kubectl reset a stream of the pair: stop both directions
    done: bool = False  # streams closed, pair forgotten
    client_ended: asyncio.Event = field(default_factory=asyncio.Event)  # client_fin or reset
    task: asyncio.Task[None] | None = None


class PortForwardSession:
    """One upgraded connection carrying SPDY. `run()` returns when kubectl goes away."""

    def __init__(self, stream: ByteStream, pod: PodTarget, sockets: PodNetworkSockets) -> None:
        self._stream = stream
        self._pod = pod
        self._sockets = sockets
        self._codec = SpdyCodec()
        self._pairs: dict[str, _Pair] = {}
        self._by_stream: dict[int, _Pair] = {}

    async def run(self) -> None:
        try:
            while True:
                chunk = await self._stream.read()
                if not chunk:
                    break
                try:
                    frames = self._codec.feed(chunk)
                except (ProtocolError, ValueError, OSError) as exc:
                    log.warning("port-forward to %s: bad SPDY from client: %s", self._pod.name, exc)
                    break
                for frame in frames:
                    if frame.type == GOAWAY:
                        return
                    self._handle(frame)
                await self._stream.drain()
        finally:
            for pair in list(self._pairs.values()):
                if pair.task is not None:
                    pair.task.cancel()
                if pair.writer is not None:
                    close_quietly(pair.writer)
            self._stream.close()

    # -- frames from kubectl -------------------------------------------------------------------
    def _handle(self, frame: Frame) -> None:
        if frame.type == SYN_STREAM:
            self._open(frame)
        elif frame.type == 0:
            pair = self._by_stream.get(frame.stream_id)
            # Data on the error stream is only its half-close; kubectl never writes text there.
            if pair is not None and frame.stream_id == pair.data_stream:
                self._client_data(pair, frame.data, frame.fin)
        elif frame.type == PING:
            self._stream.write(self._codec.ping(frame.ping_id))
        elif frame.type == RST_STREAM:
            pair = self._by_stream.get(frame.stream_id)
            if pair is not None:
                self._client_reset(pair)

    def _open(self, frame: Frame) -> None:
        headers = frame.headers
        request_id = headers.get("requestid", str(frame.stream_id))
        pair = self._pairs.setdefault(request_id, _Pair(request_id))
        self._by_stream[frame.stream_id] = pair
        self._stream.write(self._codec.syn_reply(frame.stream_id))
        try:
            pair.port = int(headers.get("port", "0"))
        except ValueError:
            pair.port = 0
        if headers.get("streamtype") == "error":
            pair.error_stream = frame.stream_id
        else:
            pair.data_stream = frame.stream_id
        if pair.data_stream is not None and pair.error_stream is not None and pair.task is None:
            pair.task = asyncio.create_task(self._relay(pair))

    def _client_data(self, pair: _Pair, data: bytes, fin: bool) -> None:
        if pair.reset or pair.done:
            return  # in flight when the pair ended: nobody is left to read it
        if pair.writer is None:
            if data:
                pair.pending.append(data)
        elif data:
            with contextlib.suppress(RuntimeError, OSError):
                pair.writer.write(data)
        if fin:
            pair.client_fin = True
            pair.client_ended.set()
            if pair.writer is not None:
                self._half_close_pod(pair.writer)

    def _client_reset(self, pair: _Pair) -> None:
        pair.reset = True
        pair.client_ended.set()
        if pair.writer is not None:
            close_quietly(pair.writer)

    @staticmethod
    def _half_close_pod(writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(RuntimeError, OSError):
            if writer.can_write_eof():
                writer.write_eof()

    # -- the pod side --------------------------------------------------------------------------
    async def _relay(self, pair: _Pair) -> None:
        assert pair.data_stream is not None and pair.error_stream is not None
        try:
            try:
                reader, writer = await dial_pod(self._sockets, self._pod, pair.port)
            except DialError as exc:
                self._stream.write(self._codec.data(pair.error_stream, str(exc).encode()))
                return
            pair.writer = writer
            if pair.reset:
                return
            for data in pair.pending:
                writer.write(data)
            pair.pending.clear()
            if pair.client_fin:
                self._half_close_pod(writer)
            await self._copy_from_pod(pair, reader)
            if not pair.client_ended.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(pair.client_ended.wait(), OTHER_DIRECTION_GRACE)
        except Exception as exc:  # a bug must end this pair, never the session
            log.warning("port-forward to %s: connection %s failed: %r", self._pod.name, pair.request_id, exc)
        finally:
            await self._finish(pair)

    async def _copy_from_pod(self, pair: _Pair, reader: asyncio.StreamReader) -> None:
        assert pair.data_stream is not None
        while not pair.reset:
            try:
                chunk = await reader.read(_READ_SIZE)
            except OSError:
                # ECONNRESET from the app is the end of this connection, not an error to report
                # (containerd#9875): text on the error stream would end kubectl's session.
                chunk = b""
            if pair.reset:
                return
            self._stream.write(self._codec.data(pair.data_stream, chunk, fin=not chunk))
            pair.data_fin_sent = not chunk
            await self._stream.drain()
            if not chunk:
                return

    async def _finish(self, pair: _Pair) -> None:
        """Close the pod socket and both streams (FIN, no text), then forget the pair."""
        assert pair.data_stream is not None and pair.error_stream is not None
        if pair.done:
            return
        pair.done = True
        if pair.writer is not None:
            close_quietly(pair.writer)
        if not pair.data_fin_sent:  # ended before the pod's FIN (dial failure, reset, a bug)
            self._stream.write(self._codec.data(pair.data_stream, b"", fin=True))
        self._stream.write(self._codec.data(pair.error_stream, b"", fin=True))
        self._pairs.pop(pair.request_id, None)
        self._by_stream.pop(pair.data_stream, None)
        self._by_stream.pop(pair.error_stream, None)
        with contextlib.suppress(ConnectionError, OSError):
            await self._stream.drain()
