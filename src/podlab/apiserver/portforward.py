"""pods/portforward: relay kubectl's SPDY streams to TCP connections to the pod's IP.

Per forwarded connection kubectl opens two streams sharing a `requestid`: an error stream and
a data stream (kubelet `pkg/kubelet/cri/streaming/portforward/httpstream.go`). We dial
`podIP:port` when the data stream arrives, pump bytes both ways, and on the end send FIN on
the data stream and then on the error stream; a dial failure is written to the error stream
first, which kubectl prints.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

from podlab.httpcore import RawStream
from podlab.network.sockets import PodNetworkSockets

from .spdy import GOAWAY, PING, RST_STREAM, SYN_STREAM, Frame, ProtocolError, SpdyCodec

log = logging.getLogger("podlab.apiserver.portforward")

PROTOCOL = "portforward.k8s.io"
DIAL_TIMEOUT = 10.0


@dataclass
class _Pair:
    error_stream: int | None = None
    data_stream: int | None = None
    port: int = 0
    writer: asyncio.StreamWriter | None = None
    pending: list[bytes] = field(default_factory=list)
    client_done: bool = False
    task: asyncio.Task[None] | None = None


class PortForwardSession:
    """One upgraded connection. `run()` returns when kubectl goes away."""

    def __init__(
        self, stream: RawStream, pod_ip: str, pod_name: str, network: PodNetworkSockets | None = None
    ) -> None:
        """`network`: the node's sockets into the pod network (None: dial from the host's)."""
        self._stream = stream
        self._network = network
        self._pod_ip = pod_ip
        self._pod_name = pod_name
        self._codec = SpdyCodec()
        self._pairs: dict[str, _Pair] = {}
        self._by_stream: dict[int, _Pair] = {}

    def _send(self, data: bytes) -> None:
        self._stream.write(data)

    async def run(self) -> None:
        try:
            while True:
                chunk = await self._stream.read()
                if not chunk:
                    break
                try:
                    frames = self._codec.feed(chunk)
                except (ProtocolError, ValueError, OSError) as exc:
                    log.warning("port-forward: bad SPDY from client: %s", exc)
                    break
                for frame in frames:
                    if not self._handle(frame):
                        return
                await self._stream.drain()
        finally:
            for pair in self._pairs.values():
                if pair.task is not None:
                    pair.task.cancel()
                if pair.writer is not None:
                    pair.writer.close()
            self._stream.close()

    def _handle(self, frame: Frame) -> bool:
        if frame.type == SYN_STREAM:
            self._open(frame)
        elif frame.type == 0:
            pair = self._by_stream.get(frame.stream_id)
            if pair is not None and frame.stream_id == pair.data_stream:
                self._client_data(pair, frame.data, frame.fin)
        elif frame.type == PING:
            self._send(self._codec.ping(frame.ping_id))
        elif frame.type == RST_STREAM:
            pair = self._by_stream.get(frame.stream_id)
            if pair is not None and pair.writer is not None:
                pair.writer.close()
        elif frame.type == GOAWAY:
            return False
        return True

    def _open(self, frame: Frame) -> None:
        headers = frame.headers
        request_id = headers.get("requestid", str(frame.stream_id))
        pair = self._pairs.setdefault(request_id, _Pair())
        self._by_stream[frame.stream_id] = pair
        self._send(self._codec.syn_reply(frame.stream_id))
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
        if pair.writer is None:
            pair.pending.append(data)
        elif data:
            pair.writer.write(data)
        if fin:
            pair.client_done = True
            if pair.writer is not None and pair.writer.can_write_eof():
                with contextlib.suppress(OSError):
                    pair.writer.write_eof()

    async def _dial(self, port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self._network is None:
            return await asyncio.open_connection(self._pod_ip, port)
        sock = await self._network.connect_tcp(self._pod_ip, port, DIAL_TIMEOUT)
        try:
            return await asyncio.open_connection(sock=sock)
        except BaseException:
            sock.close()
            raise

    async def _relay(self, pair: _Pair) -> None:
        assert pair.data_stream is not None and pair.error_stream is not None
        try:
            reader, writer = await asyncio.wait_for(self._dial(pair.port), DIAL_TIMEOUT)
        except (OSError, TimeoutError) as exc:
            # kubelet's wording for a failed dial, which kubectl prints as "error forwarding port"
            message = (
                f"error forwarding port {pair.port} to pod {self._pod_name}, uid : "
                f"failed to connect to {self._pod_ip}:{pair.port}: {exc}"
            )
            self._send(self._codec.data(pair.error_stream, message.encode()))
            self._finish(pair)
            return
        pair.writer = writer
        for data in pair.pending:
            if data:
                writer.write(data)
        pair.pending.clear()
        if pair.client_done and writer.can_write_eof():
            writer.write_eof()
        try:
            while True:
                chunk = await reader.read(65536)
                if not chunk:
                    break
                self._send(self._codec.data(pair.data_stream, chunk))
                await self._stream.drain()
        except OSError:
            pass
        finally:
            writer.close()
            self._finish(pair)

    def _finish(self, pair: _Pair) -> None:
        assert pair.data_stream is not None and pair.error_stream is not None
        self._send(self._codec.data(pair.data_stream, b"", fin=True))
        self._send(self._codec.data(pair.error_stream, b"", fin=True))
