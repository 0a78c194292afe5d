"""Fixtures shared by every test package, and suite-wide settings.

No test may reach a registry outside this machine: an image that is not built in is pulled
(issue 8); tests name such images (nginx, example.com/...) to see pull failures, so the node is
told that only loopback registries exist: the pull fails at once, in kubelet's words, with no
DNS lookup or connection.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import socket
from collections.abc import Iterator

import pytest

os.environ.setdefault("PODLAB_ALLOWED_REGISTRIES", "127.0.0.1,localhost")


@pytest.fixture(params=["asyncio", "uvloop"])
def event_loop_kind(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run the test on both loops: `podlab up` runs on uvloop, whose transports differ from
    asyncio's in small ways (uvloop raises on a write to a closed transport, asyncio only logs)."""
    if request.param == "uvloop":
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    yield request.param
    asyncio.set_event_loop_policy(None)


# The network rule, enforced for the test process: a connect goes to the host's loopback or
# into a network namespace podlab made (a socket made there has another netns cookie), never
# to another address this machine would route away. Node processes dial pods only through
# their own namespaces (podlab.network); this guards what tests dial themselves.
_SO_NETNS_COOKIE = 71  # Linux 5.14+ (asm-generic/socket.h)
_original_connect = socket.socket.connect
_original_connect_ex = socket.socket.connect_ex


def _netns_cookie(sock: socket.socket) -> bytes | None:
    try:
        return sock.getsockopt(socket.SOL_SOCKET, _SO_NETNS_COOKIE, 8)
    except OSError:
        return None


with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as _probe:
    _HOST_NETNS = _netns_cookie(_probe)


def _check_destination(sock: socket.socket, address: object) -> None:
    if sock.family not in (socket.AF_INET, socket.AF_INET6) or not isinstance(address, tuple):
        return
    host = str(address[0])
    try:
        ip = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return  # a name: resolved by the caller to an address first in practice ("localhost")
    if ip.is_loopback or ip.is_unspecified:
        return
    cookie = _netns_cookie(sock)
    if cookie is not None and _HOST_NETNS is not None and cookie != _HOST_NETNS:
        return  # made inside a podlab network namespace
    raise AssertionError(
        f"network rule: a test connected to {host}, outside loopback and podlab's namespaces"
    )


def _guarded_connect(self: socket.socket, address: object) -> None:
    _check_destination(self, address)
    return _original_connect(self, address)  # type: ignore[arg-type]


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    _check_destination(self, address)
    return _original_connect_ex(self, address)  # type: ignore[arg-type]


socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
