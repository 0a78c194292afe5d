"""The holder a forked stub's sandbox is built around (runtime/forkserver.py HOLDER_ARGV), and
the entrant's first look at it (runtime/sandbox_entry.py open_holder).

The holder's "ready" tells the fork server the sandbox is complete; the entrant then reopens the
holder's fd 1 and 2 (the container's log pipes) through /proc. `echo ready >&0`, a builtin's
redirection, points the shell's own fd 1 at the socket for that moment: an entrant that came just
then got the socket (ENXIO) and the container fell back to an exec'd stub (seen under load in a
fresh-clone CI run; the bare open below finds the socket in about half of the tries).
"""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

from podlab.runtime import sandbox_entry
from podlab.runtime.forkserver import HOLDER_ARGV


@contextmanager
def _holder() -> Iterator[tuple[subprocess.Popen[bytes], socket.socket]]:
    holder_end, server_end = socket.socketpair()
    holder = subprocess.Popen(  # its output: pipes, as a container's
        HOLDER_ARGV, stdin=holder_end.fileno(), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    holder_end.close()
    try:
        yield holder, server_end
    finally:
        server_end.close()
        for pipe in (holder.stdout, holder.stderr):
            if pipe is not None:
                pipe.close()
        if holder.poll() is None:
            holder.kill()
        holder.wait()


def test_the_entrant_gets_the_log_pipes_however_soon_it_comes() -> None:
    for _ in range(100):
        with _holder() as (holder, server_end):
            pidfd = os.pidfd_open(holder.pid)
            try:
                assert server_end.recv(16) == b"ready\n"
                # At once, as the fork server forks the entrant on "ready".
                sandbox_entry.open_holder(holder.pid, pidfd, HOLDER_ARGV).close()
            finally:
                os.close(pidfd)
            server_end.sendall(b"7\n")
            assert holder.wait(timeout=10) == 7  # the code it is told is its exit code


def test_the_holder_exits_137_when_its_socket_closes_without_a_code() -> None:
    with _holder() as (holder, server_end):
        assert server_end.recv(16) == b"ready\n"
        server_end.close()  # the fork server died
        assert holder.wait(timeout=10) == 137
