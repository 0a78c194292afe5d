"""pods/portforward over WebSocket: kubectl's SPDY tunnel and the channel protocol of other clients.

Two different things travel over a port-forward WebSocket:

- `SPDY/3.1+portforward.k8s.io` (kubectl >= 1.31 tries it first): the *same* SPDY byte stream
  as the plain upgrade, carried in binary messages (client-go `tools/portforward/
  tunneling_connection.go`). `WebSocketTunnel` makes the socket look like a byte stream, and the
  SPDY session of `portforward` runs over it unchanged.
- `v4.channel.k8s.io` and kin (the `kubernetes` Python client, browsers): the ports come in the
  query (`ports=8080`), port i owns data channel 2i and error channel 2i+1, and the server's
  first message on each carries the port as a little-endian uint16 (kubelet `pkg/kubelet/cri/
  streaming/portforward/websocket.go`). One TCP connection per port; the socket closes once
  every port's connection has ended.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

from podlab.network.sockets import PodNetworkSockets

from .portforward import DialError, PodTarget, close_quietly, dial_pod
from .websocket import ChannelConnection, ChannelError, WebSocket

log = logging.getLogger("podlab.apiserver.portforward")

_READ_SIZE = 32 * 1024


class WebSocketTunnel:
    """A WebSocket as the byte stream a SPDY session reads and writes (binary messages only).

    Writes collect until `drain()`, which sends them as one message: a SPDY frame written in
    pieces still travels whole, and the tunnel client reassembles bytes anyway.
    """

    def __init__(self, socket: WebSocket) -> None:
        self._socket = socket
        self._out = bytearray()

    async def read(self, n: int = 65536) -> bytes:
        while True:
            message = await self._socket.recv_message()
            if message is None:
                return b""
            data, text = message
            if text:
                # client-go: "unexpected message type"; a tunnel carries binary only.
                log.warning("port-forward tunnel: text message from the client; closing")
                return b""
            if data:
                return data

    def write(self, data: bytes) -> None:
        self._out += data

    async def drain(self) -> None:
        if self._out:
            data = bytes(self._out)
            self._out.clear()
            with contextlib.suppress(ConnectionError):
                await self._socket.send(data)

    def close(self) -> None:
        # The handler closes the socket itself, with a close frame (1000 is EOF to the client).
        return None


@dataclass
class _Port:
    """One forwarded port of a channel-protocol session."""

    index: int
    number: int
    writer: asyncio.StreamWriter | None = None
    pending: list[bytes] = field(default_factory=list)
    done: bool = False

    @property
    def data_channel(self) -> int:
        return 2 * self.index

    @property
    def error_channel(self) -> int:
        return 2 * self.index + 1


def parse_ports(values: list[str]) -> list[int] | str:
    """The `ports` query values as numbers, or the kubelet's error text (400) for bad ones."""
    if not values:
        return 'query parameter "port" is required'
    ports: list[int] = []
    for value in values:
        if not value:
            return 'query parameter "port" cannot be empty'
        for part in value.split(","):
            try:
                port = int(part, 10)
            except ValueError:
                return f'unable to parse "{value}" as a port: strconv.ParseUint: parsing "{part}": invalid syntax'
            if not 0 <= port <= 65535:
                return f'unable to parse "{value}" as a port: strconv.ParseUint: parsing "{part}": value out of range'
            if port < 1:
                return f'port "{value}" must be > 0'
            ports.append(port)
    return ports


class ChannelPortForward:
    """One channel-protocol WebSocket forwarding `ports` of a pod. `run()` ends with the socket."""

    def __init__(
        self, channels: ChannelConnection, pod: PodTarget, ports: list[int], sockets: PodNetworkSockets
    ) -> None:
        self._channels = channels
        self._pod = pod
        self._sockets = sockets
        self._ports = [_Port(i, number) for i, number in enumerate(ports)]
        self._by_channel = {port.data_channel: port for port in self._ports}

    async def run(self) -> None:
        try:
            for port in self._ports:
                prefix = port.number.to_bytes(2, "little")
                await self._channels.send(port.data_channel, prefix)
                await self._channels.send(port.error_channel, prefix)
            forwards = asyncio.create_task(self._forward_all())
            reading = asyncio.create_task(self._from_client())
            # Either every port's connection ended (then we close), or the client went away.
            await asyncio.wait([forwards, reading], return_when=asyncio.FIRST_COMPLETED)
            reading.cancel()
            forwards.cancel()
            await asyncio.gather(forwards, reading, return_exceptions=True)
        except ConnectionError:
            pass  # the client went away first
        finally:
            for port in self._ports:
                if port.writer is not None:
                    close_quietly(port.writer)
            await self._channels.close()

    async def _forward_all(self) -> None:
        await asyncio.gather(*(self._forward(port) for port in self._ports))

    async def _from_client(self) -> None:
        while True:
            try:
                message = await self._channels.recv()
            except ChannelError as exc:
                log.warning("port-forward to %s: %s", self._pod.name, exc)
                return
            if message is None:
                return
            port = self._by_channel.get(message.channel)
            if port is None or port.done or not message.data:
                continue  # error channels are the server's; unknown channels are dropped
            if port.writer is None:
                port.pending.append(message.data)
            else:
                with contextlib.suppress(RuntimeError, OSError):
                    port.writer.write(message.data)

    async def _forward(self, port: _Port) -> None:
        try:
            reader, writer = await dial_pod(self._sockets, self._pod, port.number)
        except DialError as exc:
            port.done = True
            await self._channels.send(port.error_channel, str(exc).encode())
            return
        port.writer = writer
        for data in port.pending:
            writer.write(data)
        port.pending.clear()
        try:
            while chunk := await reader.read(_READ_SIZE):
                await self._channels.send(port.data_channel, chunk)
        except OSError:
            pass  # a reset by the app ends this port's connection, nothing to report
        port.done = True
        close_quietly(writer)
