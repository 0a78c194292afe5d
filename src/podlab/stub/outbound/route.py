"""Opening a connection to a proxy target or webhook: the target rules, then `--proxy-via`.

What WireMock 3.13.2's Apache client does, seen on the jar: its DNS resolver applies the rules
to the host it connects to (the name, then every IPv4 address the name resolves to, keeping
only IPv4 ones), so with `--proxy-via` it checks the proxy's host and never the target's. Differs
on purpose: podlab also checks the target's name, so a denied host is not reachable through a
proxy either (docs/STUB-LIMITS.md, "Proxy targets"). Connections go to the address that was
checked, so a name cannot resolve to something else between the check and the connect.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from dataclasses import dataclass, field

from podlab.stub.outbound.targets import TargetRules
from podlab.stub.outbound.via import ProxyVia

_HEAD_LIMIT = 16384  # a CONNECT answer's head; a proxy sending more is not one we can use


class TargetDenied(Exception):
    """The rules refuse the target (or the proxy it would go through)."""


class TunnelRefused(OSError):
    """The via proxy answered CONNECT with something other than 2xx; the message is Apache's."""


@dataclass(frozen=True)
class Route:
    rules: TargetRules = field(default_factory=TargetRules)
    via: ProxyVia | None = None

    @property
    def absolute_form(self) -> bool:
        """http targets are asked for by absolute URL (through the via proxy)."""
        return self.via is not None

    def check(self, host: str) -> None:
        if not self.rules.allows(host):
            raise TargetDenied(host)


@dataclass
class Opened:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    connected_to: str  # "http://host:port" of the socket's peer as Apache names it in errors


async def open_route(route: Route, scheme: str, host: str, port: int, tls: ssl.SSLContext | None) -> Opened:
    """A connection to `host:port` (TLS for https, through the via proxy if any); raises
    TargetDenied, TunnelRefused, OSError, ssl.SSLError."""
    via = route.via
    if via is None:  # _connect checks the name and the addresses it resolves to
        reader, writer = await _connect(route.rules, host, port, tls if scheme == "https" else None)
        return Opened(reader, writer, f"{scheme}://{host}:{port}")
    route.check(host)  # through a via the target is never resolved here: its name, at least
    opened = await _open_via(route.rules, via)
    if scheme == "https":
        status, line = await _tunnel(opened, host, port, None)
        if status == 407 and via.authorization is not None:
            opened.writer.close()  # ask again with credentials, on a fresh connection
            opened = await _open_via(route.rules, via)
            status, line = await _tunnel(opened, host, port, via.authorization)
        if not 200 <= status < 300:
            opened.writer.close()
            raise TunnelRefused(f"CONNECT refused by proxy: {line}")
        await opened.writer.start_tls(tls or ssl.create_default_context(), server_hostname=host)
    return opened


async def _open_via(rules: TargetRules, via: ProxyVia) -> Opened:
    reader, writer = await _connect(rules, via.host, via.port, None)
    return Opened(reader, writer, f"http://{via.host}:{via.port}")


async def _connect(
    rules: TargetRules, host: str, port: int, tls: ssl.SSLContext | None
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    if not rules.allows(host):
        raise TargetDenied(host)
    server_hostname = host if tls is not None else None  # the name, also when an address is dialled
    if rules.allows_all:
        return await asyncio.open_connection(host, port, ssl=tls, server_hostname=server_hostname)
    infos = await asyncio.get_running_loop().getaddrinfo(
        host, port, family=socket.AF_INET, type=socket.SOCK_STREAM
    )
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    if any(not rules.allows(address) for address in addresses):
        raise TargetDenied(host)
    error: OSError | None = None
    for address in addresses:
        try:
            return await asyncio.open_connection(address, port, ssl=tls, server_hostname=server_hostname)
        except OSError as exc:
            error = exc
    assert error is not None
    raise error


async def _tunnel(opened: Opened, host: str, port: int, authorization: str | None) -> tuple[int, str]:
    """Send CONNECT and read the proxy's answer head; (status, status line)."""
    authority = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    head = f"CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n"
    if authorization is not None:
        head += f"Proxy-Authorization: {authorization}\r\n"
    opened.writer.write((head + "\r\n").encode("latin-1"))
    await opened.writer.drain()
    try:
        answer = await opened.reader.readuntil(b"\r\n\r\n")
    except asyncio.LimitOverrunError:
        raise TunnelRefused("CONNECT refused by proxy: answer head too long") from None
    except asyncio.IncompleteReadError:
        raise TunnelRefused(f"{opened.connected_to} failed to respond") from None
    if len(answer) > _HEAD_LIMIT:
        raise TunnelRefused("CONNECT refused by proxy: answer head too long")
    line = answer.split(b"\r\n", 1)[0].decode("latin-1")
    parts = line.split(" ", 2)
    try:
        status = int(parts[1])
    except (IndexError, ValueError):
        raise TunnelRefused(f"CONNECT refused by proxy: {line}") from None
    return status, line
