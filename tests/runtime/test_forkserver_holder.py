"""The holder a forked stub's sandbox is built around (runtime/forkserver.py HOLDER_ARGV).

Its "ready" tells the fork server the sandbox is complete, and the entrant then reopens the
holder's fd 1 and 2 (the container's log pipes) through /proc. A shell that redirects a builtin
(`echo ready >&0`) points its own fd 1 at the socket for that moment: an entrant that came just
then got the socket (ENXIO), and the container fell back to an exec'd stub (seen under load in a
fresh-clone CI run; with that command line this loop found the socket in ~half the tries).
"""

from __future__ import annotations

import os
import socket
import stat
import subprocess

from podlab.runtime.forkserver import HOLDER_ARGV


def test_the_holders_log_pipes_are_in_place_when_it_says_ready() -> None:
    found = []
    for _ in range(100):
        holder_end, server_end = socket.socketpair()
        holder = subprocess.Popen(HOLDER_ARGV, stdin=holder_end.fileno(), stdout=subprocess.PIPE)
        holder_end.close()
        try:
            assert server_end.recv(16) == b"ready\n"
            try:
                fd = os.open(f"/proc/{holder.pid}/fd/1", os.O_WRONLY | os.O_NONBLOCK)
            except OSError as exc:
                found.append(exc.strerror)
            else:
                if not stat.S_ISFIFO(os.fstat(fd).st_mode):
                    found.append("not a pipe")
                os.close(fd)
            server_end.sendall(b"7\n")
            assert holder.wait(timeout=10) == 7  # the code it is told is its exit code
        finally:
            server_end.close()
            if holder.stdout is not None:
                holder.stdout.close()
            if holder.poll() is None:
                holder.kill()
                holder.wait()
    assert found == []


def test_the_holder_exits_137_when_its_socket_closes_without_a_code() -> None:
    holder_end, server_end = socket.socketpair()
    holder = subprocess.Popen(HOLDER_ARGV, stdin=holder_end.fileno(), stdout=subprocess.DEVNULL)
    holder_end.close()
    assert server_end.recv(16) == b"ready\n"
    server_end.close()  # the fork server died
    assert holder.wait(timeout=10) == 137
