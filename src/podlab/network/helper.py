"""The network helper: a small single-threaded process that lives in the node network namespace.

Started by the node (`python -m podlab.network.helper FD PARENT_PID`, FD one end of a
SOCK_SEQPACKET pair). It makes its own user, network and mount namespaces, becomes root there,
builds the bridge (links.py), says ready, then serves one request at a time until the node
closes its end or dies (PR_SET_PDEATHSIG):

- pod_add / pod_del: a pod's netns. Its "holder" (the pause container: a forked child that
  unshares a network namespace and execs `sleep infinity`) keeps the netns alive; holders die
  with the helper, so nothing outlives the node.
- tcp_sockets / listen_tcp / bind_udp: sockets made here and handed to the node (SCM_RIGHTS).
  A socket keeps the namespace it was made in, so the node dials pods and serves Services from
  the host without ever joining a namespace (its threads forbid joining a user namespace).
- addr_add / addr_del: addresses on the node netns's lo (ClusterIPs, the DNS address).

Why single-threaded, and a separate process: setns and unshare of user namespaces fail in a
process with threads (EINVAL), and fork is only safe without them.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import sys
from typing import Any

from podlab.network import kernel, links, protocol

# What `ps` shows for a pod's holder: what it is, not "sleep".
HOLDER_NAME = "podlab-pause"


class Helper:
    def __init__(self) -> None:
        self.node_netns = os.open("/proc/self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
        self.holders: dict[str, tuple[int, str]] = {}  # pod uid -> (holder pid, host veth)
        self.counter = 0
        self.sleep = shutil.which("sleep") or "/bin/sleep"

    def handle(self, request: protocol.Message) -> tuple[protocol.Message, list[int]]:
        op = request.get("op")
        if op == "pod_add":
            return {"pid": self.pod_add(str(request["uid"]), str(request["ip"]))}, []
        if op == "pod_del":
            self.pod_del(str(request["uid"]))
            return {}, []
        if op == "tcp_sockets":
            count = max(1, min(int(request.get("count", 1)), protocol.MAX_FDS))
            return {}, [_new_socket(socket.SOCK_STREAM) for _ in range(count)]
        if op == "listen_tcp":
            return {}, [_listening(str(request["host"]), int(request["port"]), int(request["backlog"]))]
        if op == "bind_udp":
            return {}, [_bound_udp(str(request["host"]), int(request["port"]))]
        if op in ("addr_add", "addr_del"):
            links.set_local_address(str(request["ip"]), present=op == "addr_add")
            return {}, []
        raise ValueError(f"unknown operation {op!r}")

    def pod_add(self, uid: str, ip: str) -> int:
        if uid in self.holders:
            return self.holders[uid][0]
        pid = self._fork_holder()
        self.counter += 1
        try:
            veth = links.attach_pod(self.node_netns, pid, ip, self.counter)
        except BaseException:
            _kill(pid)
            raise
        self.holders[uid] = (pid, veth)
        return pid

    def pod_del(self, uid: str) -> None:
        held = self.holders.pop(uid, None)
        if held is None:
            return
        pid, veth = held
        _kill(pid)
        # The veth pair goes with the netns, but only once no process is left in it: detach
        # now so a straggler cannot keep the pod's address on the bridge.
        with contextlib.suppress(OSError, Exception):
            links.delete_link(veth)

    def _fork_holder(self) -> int:
        helper = os.getpid()
        ready_r, ready_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the holder
            try:
                os.close(ready_r)
                kernel.die_with_parent(helper)
                kernel.unshare(kernel.CLONE_NEWNET)
                os.write(ready_w, b"1")
                os.close(ready_w)
                os.execv(self.sleep, [HOLDER_NAME, "infinity"])
            finally:
                os._exit(127)
        os.close(ready_w)
        try:
            ok = os.read(ready_r, 1)
        finally:
            os.close(ready_r)
        if ok != b"1":
            _kill(pid)
            raise OSError(f"the pod network namespace holder exited before it had a namespace (pid {pid})")
        return pid

    def close(self) -> None:
        for uid in list(self.holders):
            self.pod_del(uid)


def _new_socket(kind: int) -> int:
    return socket.socket(socket.AF_INET, kind).detach()


def _listening(host: str, port: int, backlog: int) -> int:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    with _closing_on_error(sock):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(backlog)
    return sock.detach()


def _bound_udp(host: str, port: int) -> int:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    with _closing_on_error(sock):
        sock.bind((host, port))
    return sock.detach()


@contextlib.contextmanager
def _closing_on_error(sock: socket.socket) -> Any:
    try:
        yield
    except BaseException:
        sock.close()
        raise


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def _enter_node_namespaces(parent: int) -> None:
    kernel.unshare_user_as_root(kernel.CLONE_NEWNET | kernel.CLONE_NEWNS)
    kernel.die_with_parent(parent)
    links.set_up_node()


def _reply(control: socket.socket, message: protocol.Message, fds: list[int]) -> None:
    try:
        socket.send_fds(control, [protocol.encode(message)], fds)
    finally:
        for fd in fds:
            os.close(fd)


def serve(control: socket.socket, parent: int) -> int:
    try:
        _enter_node_namespaces(parent)
    except Exception as exc:  # the node falls back to the loopback network and says why
        _reply(control, protocol.error_reply(0, exc), [])
        return 1
    helper = Helper()
    _reply(control, {"seq": 0, "pid": os.getpid()}, [])
    try:
        while True:
            data = control.recv(protocol.MAX_MESSAGE)
            if not data:
                return 0  # the node closed its end: it is stopping
            request = protocol.decode(data)
            seq = int(request.get("seq", 0))
            try:
                reply, fds = helper.handle(request)
                reply["seq"] = seq
            except Exception as exc:
                reply, fds = protocol.error_reply(seq, exc), []
            _reply(control, reply, fds)
    finally:
        helper.close()


def main(argv: list[str]) -> int:
    control = socket.socket(fileno=int(argv[1]))
    control.set_inheritable(False)  # holders exec; they must not keep the node's channel open
    # The node's Ctrl-C is the node's to handle: it deletes pods first, then closes the channel.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    return serve(control, int(argv[2]))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
