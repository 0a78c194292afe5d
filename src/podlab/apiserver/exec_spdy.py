"""pods/exec and pods/attach over SPDY/3.1 (kubectl's fallback when the WebSocket upgrade fails).

One SPDY stream per channel, named by its `streamType` header; the client opens them all right
after the upgrade. The end of stdin is a FIN on its stream; the Status goes on the error stream,
then the connection closes (the kubelet's remotecommand/httpstream.go).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable

from podlab.httpcore import RawStream

from .remotecommand import (
    ERROR,
    RESIZE,
    STDIN,
    STREAM_TYPES,
    Inbound,
    StreamOptions,
    StreamSession,
    run_remote_command,
)
from .spdy import GOAWAY, PING, RST_STREAM, SYN_STREAM, Frame, ProtocolError, SpdyCodec

log = logging.getLogger("podlab.apiserver.exec")

# The kubelet's versions over SPDY; v4 carries exit codes (a JSON Status on the error stream).
PROTOCOL = "v4.channel.k8s.io"
# The kubelet's wait for the client to create its streams.
STREAMS_SECONDS = 30.0
CHUNK = 32768


class SpdyStreamSession:
    def __init__(self, stream: RawStream, opts: StreamOptions) -> None:
        self._stream = stream
        self._opts = opts
        self._codec = SpdyCodec()
        self._ids: dict[int, int] = {}  # channel -> SPDY stream id
        self._channels: dict[int, int] = {}  # SPDY stream id -> channel
        self._inbound: asyncio.Queue[Inbound] = asyncio.Queue()
        self._all_streams = asyncio.Event()

    async def run(self, start: Callable[[tuple[int, int] | None], Awaitable[StreamSession]]) -> None:
        reader = asyncio.ensure_future(self._read())
        try:
            try:
                await asyncio.wait_for(self._all_streams.wait(), STREAMS_SECONDS)
            except TimeoutError:
                log.info("exec: timed out waiting for client to create streams")
                return
            status = await run_remote_command(self._opts, start, self._inbound, self._send)
            if status is not None:
                self._stream.write(self._codec.data(self._ids[ERROR], json.dumps(status).encode()))
                for stream_id in self._ids.values():
                    self._stream.write(self._codec.data(stream_id, b"", fin=True))
                await self._stream.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            reader.cancel()
            self._stream.close()

    async def _send(self, channel: int, data: bytes) -> None:
        stream_id = self._ids.get(channel)
        if stream_id is None:
            return
        for at in range(0, len(data), CHUNK):
            self._stream.write(self._codec.data(stream_id, data[at : at + CHUNK]))
            await self._stream.drain()

    async def _read(self) -> None:
        try:
            while chunk := await self._stream.read():
                for frame in self._codec.feed(chunk):
                    if not self._handle(frame):
                        return
                await self._stream.drain()
        except (ProtocolError, ValueError, OSError) as exc:
            log.info("exec: bad SPDY from client: %s", exc)
        finally:
            self._inbound.put_nowait(Inbound("gone"))

    def _handle(self, frame: Frame) -> bool:
        if frame.type == SYN_STREAM:
            self._stream.write(self._codec.syn_reply(frame.stream_id))
            channel = STREAM_TYPES.get(frame.headers.get("streamtype", ""))
            if channel is not None:
                self._ids[channel] = frame.stream_id
                self._channels[frame.stream_id] = channel
            if len(self._ids) >= self._opts.stream_count and ERROR in self._ids:
                self._all_streams.set()
        elif frame.type == 0:
            channel = self._channels.get(frame.stream_id)
            if channel == STDIN:
                if frame.data:
                    self._inbound.put_nowait(Inbound("stdin", frame.data))
                if frame.fin:
                    self._inbound.put_nowait(Inbound("stdin-eof"))
            elif channel == RESIZE and frame.data:
                self._inbound.put_nowait(Inbound("resize", frame.data))
        elif frame.type == PING:
            self._stream.write(self._codec.ping(frame.ping_id))
        elif frame.type == RST_STREAM and self._channels.get(frame.stream_id) == STDIN:
            self._inbound.put_nowait(Inbound("stdin-eof"))
        elif frame.type == GOAWAY:
            return False
        return True
