"""pods/exec and pods/attach over WebSocket: v5.channel.k8s.io (kubectl ≥ 1.30, the Python
client ≥ v36) and v4.channel.k8s.io (older Python clients), on apiserver/websocket.py.

Right after the upgrade the server sends an empty message on the lowest channel it will write
(the client's sign that the session is up); at the end, the Status on channel 3, then close
code 1000, which kubectl reads as EOF (anything else is an error to it).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable

from .remotecommand import (
    ERROR,
    RESIZE,
    STDERR,
    STDIN,
    STDOUT,
    Inbound,
    StreamOptions,
    StreamSession,
    run_remote_command,
)
from .websocket import V4_BASE64_CHANNEL, V4_CHANNEL, V5_CHANNEL, ChannelConnection, ChannelError

log = logging.getLogger("podlab.apiserver.exec")

# In the server's preference order; the client's order decides (its first one we support).
PROTOCOLS = [V5_CHANNEL, V4_CHANNEL, V4_BASE64_CHANNEL]


class WebSocketStreamSession:
    def __init__(self, channels: ChannelConnection, opts: StreamOptions) -> None:
        self._channels = channels
        self._opts = opts
        self._inbound: asyncio.Queue[Inbound] = asyncio.Queue()

    async def run(self, start: Callable[[tuple[int, int] | None], Awaitable[StreamSession]]) -> None:
        reader = asyncio.ensure_future(self._read())
        opts = self._opts
        try:
            first = STDOUT if opts.stdout else STDERR if opts.stderr else ERROR
            await self._channels.send(first, b"")
            status = await run_remote_command(opts, start, self._inbound, self._channels.send)
            if status is not None:
                await self._channels.send(ERROR, json.dumps(status).encode())
                await self._channels.close(1000)
        except (ConnectionError, OSError):
            pass
        finally:
            with contextlib.suppress(ConnectionError, OSError):
                await self._channels.close(1000)  # a no-op after the close above
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader

    async def _read(self) -> None:
        try:
            while (message := await self._channels.recv()) is not None:
                if message.channel == STDIN:
                    if message.closed:
                        self._inbound.put_nowait(Inbound("stdin-eof"))
                    elif message.data:
                        self._inbound.put_nowait(Inbound("stdin", message.data))
                elif message.channel == RESIZE and message.data:
                    self._inbound.put_nowait(Inbound("resize", message.data))
                # Frames for other channels are dropped, as the kubelet does.
        except ChannelError as exc:
            log.info("exec: broken channel message from client: %s", exc)
        except (ConnectionError, OSError):
            pass
        finally:
            self._inbound.put_nowait(Inbound("gone"))
