"""The HTTP side of pods/portforward: which of the three wire forms a request asks for.

- WebSocket with `SPDY/3.1+portforward.k8s.io` (kubectl >= 1.31, first choice): SPDY tunnelled
  in binary messages.
- WebSocket with a `*.channel.k8s.io` subprotocol (the Python client): the channel protocol.
- `Upgrade: SPDY/3.1` (kubectl's fallback, and kubectl < 1.31).

Refusals come before the 101, in the API server's and kubelet's words, so the client can print
them (or, kubectl, fall back from WebSocket to SPDY).
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qs

from podlab.httpcore import Connection, Request, Response
from podlab.network.sockets import PodNetworkSockets

from .negotiation import method_not_allowed, status_response
from .portforward import PROTOCOL, PodTarget, PortForwardSession
from .portforward_ws import ChannelPortForward, WebSocketTunnel, parse_ports
from .websocket import (
    BASE64_CHANNEL,
    CHANNEL,
    V4_BASE64_CHANNEL,
    V4_CHANNEL,
    ChannelConnection,
    check_handshake,
    upgrade,
)

log = logging.getLogger("podlab.apiserver.portforward")

# client-go `tools/portforward`: WebsocketsSPDYTunnelingPrefix + PortForwardProtocolV1Name.
TUNNEL_PROTOCOL = "SPDY/3.1+" + PROTOCOL
# The kubelet's port-forward WebSocket protocols ("" is binary v1, for clients that offer none),
# after the API server's own tunnel.
WEBSOCKET_PROTOCOLS = [TUNNEL_PROTOCOL, V4_CHANNEL, V4_BASE64_CHANNEL, CHANNEL, BASE64_CHANNEL, ""]


async def port_forward(
    request: Request, connection: Connection, pod: PodTarget, sockets: PodNetworkSockets
) -> Response | None:
    """Serve one pods/portforward request for `pod` (found, with an IP): a refusal, or None."""
    if (request.header("Upgrade") or "").lower() == "websocket":
        return await _websocket(request, connection, pod, sockets)
    if request.method not in ("POST", "GET"):
        return method_not_allowed()
    if (request.header("Upgrade") or "").lower() != "spdy/3.1":
        return status_response(400, "BadRequest", "Upgrade request required")
    offered = [p.strip() for v in request.header_values("X-Stream-Protocol-Version") for p in v.split(",")]
    if PROTOCOL not in offered:
        return status_response(
            403,
            "Forbidden",
            f"unable to upgrade: unable to negotiate protocol: client supports {offered}, "
            f"server accepts [{PROTOCOL}]",
        )
    stream = await connection.upgrade(
        101,
        [("Connection", "Upgrade"), ("Upgrade", "SPDY/3.1"), ("X-Stream-Protocol-Version", PROTOCOL)],
    )
    log.info("port-forward to pod %s over SPDY/3.1", pod.name)
    await PortForwardSession(stream, pod, sockets).run()
    return None


async def _websocket(
    request: Request, connection: Connection, pod: PodTarget, sockets: PodNetworkSockets
) -> Response | None:
    handshake = check_handshake(request, WEBSOCKET_PROTOCOLS)
    if isinstance(handshake, Response):
        return handshake
    if handshake.subprotocol == TUNNEL_PROTOCOL:
        socket = await upgrade(connection, handshake)
        log.info("port-forward to pod %s over WebSocket (%s)", pod.name, TUNNEL_PROTOCOL)
        await PortForwardSession(WebSocketTunnel(socket), pod, sockets).run()
        await socket.close()
        return None
    ports = parse_ports(parse_qs(request.query, keep_blank_values=True).get("ports", []))
    if isinstance(ports, str):
        return status_response(400, "BadRequest", ports)
    socket = await upgrade(connection, handshake)
    log.info(
        "port-forward to pod %s over WebSocket (%s)", pod.name, handshake.subprotocol or "no subprotocol"
    )
    await ChannelPortForward(ChannelConnection(socket), pod, ports, sockets).run()
    return None
