"""The node's side of the network helper: starting it, and one request/reply at a time.

The helper is spawned from the event-loop thread (PR_SET_PDEATHSIG fires when the *thread*
that forked a child exits, and that thread lives as long as the node) in its own session, so
a Ctrl-C at the terminal reaches the node, which then removes pods in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys

from podlab.network import protocol

# A helper request is a few netlink calls or socket(2)s: seconds mean it is stuck.
CALL_TIMEOUT = 10.0
START_TIMEOUT = 20.0


class HelperChannel:
    """Requests to the helper, serialised: it serves one at a time anyway."""

    def __init__(self, sock: socket.socket, proc: subprocess.Popen[bytes], helper_pid: int) -> None:
        self._sock = sock
        self._proc = proc
        self.helper_pid = helper_pid
        self._lock = asyncio.Lock()
        self._seq = 0
        self.closed = False

    @classmethod
    async def start(cls) -> HelperChannel:
        """Start the helper and wait for its namespaces; raises OSError/RuntimeError if it cannot make them."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            proc = subprocess.Popen(
                [sys.executable, "-m", "podlab.network.helper", str(theirs.fileno()), str(os.getpid())],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        ours.setblocking(False)
        channel = cls(ours, proc, proc.pid)
        try:
            hello, _ = await asyncio.wait_for(channel._receive(0), START_TIMEOUT)
            protocol.raise_for_error(hello)
        except BaseException:
            channel.close()
            raise
        return channel

    async def call(self, op: str, **args: object) -> tuple[protocol.Message, list[int]]:
        """One request; the reply and the fds it carried (the caller owns them). Raises OSError as the helper's syscall did."""
        if self.closed:
            raise ConnectionError("the network helper is not running")
        async with self._lock:
            self._seq += 1
            seq = self._seq
            await asyncio.get_running_loop().sock_sendall(
                self._sock, protocol.encode({"op": op, "seq": seq, **args})
            )
            reply, fds = await asyncio.wait_for(self._receive(seq), CALL_TIMEOUT)
        try:
            protocol.raise_for_error(reply)
        except BaseException:
            _close_fds(fds)
            raise
        return reply, fds

    async def _receive(self, seq: int) -> tuple[protocol.Message, list[int]]:
        loop = asyncio.get_running_loop()
        while True:
            try:
                data, fds, _flags, _addr = socket.recv_fds(self._sock, protocol.MAX_MESSAGE, protocol.MAX_FDS)
            except BlockingIOError:
                await _readable(loop, self._sock)
                continue
            # A passed socket must never leak into a container: SCM_RIGHTS fds arrive without
            # close-on-exec (Python 3.11's recv_fds drops its flags argument, so no
            # MSG_CMSG_CLOEXEC), and uvloop's spawn (libuv) closes only close-on-exec fds, so
            # every container started later would hold the node's listeners and pod-network
            # sockets (a ClusterIP with no ready endpoint would then never refuse).
            for fd in fds:
                os.set_inheritable(fd, False)
            if not data:
                self.closed = True
                raise ConnectionError("the network helper exited")
            reply = protocol.decode(data)
            if int(reply.get("seq", -1)) == seq:
                return reply, fds
            _close_fds(fds)  # the late answer to a request whose caller gave up

    def close(self) -> None:
        """Close the channel: the helper sees EOF, kills every pod holder and exits."""
        self.closed = True
        self._sock.close()
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._proc.wait(timeout=5)


async def _readable(loop: asyncio.AbstractEventLoop, sock: socket.socket) -> None:
    ready: asyncio.Future[None] = loop.create_future()

    def wake() -> None:
        # add_reader may call back again before the waiter runs.
        if not ready.done():
            ready.set_result(None)

    loop.add_reader(sock.fileno(), wake)
    try:
        await ready
    finally:
        loop.remove_reader(sock.fileno())


def _close_fds(fds: list[int]) -> None:
    for fd in fds:
        with contextlib.suppress(OSError):
            os.close(fd)
