"""The node's side of the fork server (forkserver_main.py): start it, ask it for a pod's stub.

A wiremock pod's stub is then a fork of one process that imported the stub once, instead of
a fresh interpreter importing it again: its start costs ~15 ms of CPU instead of ~0.27 s, and
the imported heap is shared copy-on-write between pods (docs/PERFORMANCE.md, "Fork server").
The sandbox is still bwrap's: bwrap builds the container's namespaces, mounts and root around
a holder (a shell waiting for the exit code), and the forked process enters them
(sandbox_entry.py) and confines itself exactly as bwrap confines the programs it starts.
docs/SECURITY.md lists what differs from a program bwrap exec'd and why each is safe.

The server runs from a sealed in-memory copy of the interpreter (memfd), so that the
`/proc/self/exe` a forked stub shows points at no host file: runc copies itself into a memfd
for the same reason (CVE-2019-5736: a container that opens its runtime's binary through
/proc/self/exe could overwrite it on the host). It is started on first use, with an
environment of its own (nothing of the node's), and dies with the node.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import fcntl
import json
import logging
import os
import select
import shutil
import socket
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import podlab
from podlab.runtime.pyruntime import ROOT, PythonRuntime, python_runtime
from podlab.runtime.spawn import Child, spawn

log = logging.getLogger(__name__)

# What bwrap runs in a forked stub's sandbox, once the sandbox is complete: says so on its
# stdin (a socket to the fork server), then waits there for the stub's exit code and exits with
# it (`--as-pid-1`: it is PID 1 and ignores every signal it has no handler for). EOF without a
# code means the fork server's side died: 137, as for a killed container.
HOLDER_ARGV = ["/bin/sh", "-c", 'echo ready >&0; read -r code; exit "${code:-137}"']
START_SECONDS = 30.0  # importing the stub on a loaded machine
# bwrap's set-up included: a burst of 100 pod starts queues their mounts for seconds.
REPLY_SECONDS = 30.0
ENV_SWITCH = "PODLAB_FORKSERVER"  # "0": every stub is its own interpreter, as before


class ForkError(Exception):
    """The fork server could not start the container; the caller starts it the usual way."""


def enabled() -> bool:
    return os.environ.get(ENV_SWITCH, "1") != "0"


@dataclass(frozen=True)
class StubSpec:
    """One container's stub, as the fork server needs it."""

    args: list[str]  # the stub's options (argv after `-m podlab.stub`)
    interpreter: str  # the container's sys.executable
    env: dict[str, str]
    workdir: str
    cgroup_procs: Sequence[str]
    capabilities: int  # CapEff-style mask
    seccomp: bytes | None


class ForkServer:
    def __init__(self) -> None:
        self._child: Child | None = None
        self._control: socket.socket | None = None
        self._runtime: PythonRuntime | None = None
        self._package = ""
        self._starting: asyncio.Future[None] | None = None
        self._drain: asyncio.Future[None] | None = None

    async def fork(self, spec: StubSpec, *, holder: int, status_w: int, package: str | None) -> int:
        """The stub's host PID, running in the sandbox whose holder is `holder`; the holder's
        stdin is `status_w`'s pipe (given to the server, closed here). Raises ForkError."""
        try:
            await self._ready(package)
        except BaseException:
            os.close(status_w)
            raise
        assert self._control is not None and self._runtime is not None
        runtime = self._runtime
        request = {
            "holder": holder,
            "holder_argv": HOLDER_ARGV,
            "cgroups": list(spec.cgroup_procs),
            "workdir": spec.workdir,
            "env": spec.env,
            "args": spec.args,
            "interpreter": spec.interpreter,
            "capabilities": spec.capabilities,
            "seccomp": base64.b64encode(spec.seccomp).decode() if spec.seccomp is not None else None,
            # Host directory -> container path, for the imported modules' paths.
            "binds": [*runtime.binds, (f"{ROOT}/lib", os.path.dirname(self._package))],
        }
        reply_r, reply_w = os.pipe()
        fds = [reply_w, status_w, _memfd("podlab-stub-spec", json.dumps(request).encode())]
        try:
            try:
                fds.append(os.pidfd_open(holder))
            except ProcessLookupError:
                raise ForkError("the sandbox's holder has exited") from None
            try:
                # The spec travels in a memfd that only the entrant reads (forkserver_main.py).
                socket.send_fds(self._control, [b"fork"], [fds[2], fds[3], status_w, reply_w])
            except OSError as exc:
                self._lost()  # the server is gone or wedged: the next fork starts another
                raise ForkError(f"fork server: {exc.strerror or exc}") from None
        except BaseException:
            os.close(reply_r)
            raise
        finally:
            for fd in fds:
                os.close(fd)
        reader = await _reader(reply_r)
        try:
            answer = (await asyncio.wait_for(reader.read(), REPLY_SECONDS)).decode(errors="replace").strip()
        except TimeoutError:
            raise ForkError("fork server: no answer") from None
        if answer.isdigit():
            return int(answer)
        raise ForkError(answer.removeprefix("error ").strip() or "fork server: the entrant died")

    async def _ready(self, package: str | None) -> None:
        if self._alive():
            return
        if self._starting is None or self._starting.done():
            self._starting = asyncio.ensure_future(self._start(package))
        await asyncio.shield(self._starting)

    def _alive(self) -> bool:
        """Started and not gone: the server never writes after "ready", so a readable control
        socket means its end is closed (seen before the exit's own notice reaches the loop)."""
        if self._control is None or self._child is None or self._child.returncode is not None:
            return False
        return not select.select([self._control], [], [], 0)[0]

    async def _start(self, package: str | None) -> None:
        self._lost()
        self._package = package or str(Path(podlab.__file__).resolve().parent)
        runtime = python_runtime(self._package)
        prefix = dict(runtime.binds)[f"{ROOT}/python"]
        env = {
            "PYTHONHOME": prefix,
            "PYTHONPATH": ":".join(
                [
                    os.path.dirname(self._package),
                    *(src for dest, src in runtime.binds if dest.startswith(f"{ROOT}/site/")),
                ]
            ),
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONUNBUFFERED": "1",
            "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
        }
        if "LD_LIBRARY_PATH" in runtime.env:
            env["LD_LIBRARY_PATH"] = os.path.join(prefix, "lib")
        exe = _sealed_copy(os.path.realpath(getattr(sys, "_base_executable", sys.executable)))
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        setpriv = shutil.which("setpriv")
        try:
            child = await spawn(
                [
                    *([setpriv, "--pdeathsig", "KILL", "--"] if setpriv else []),
                    f"/proc/self/fd/{exe}",
                    "-m",
                    "podlab.runtime.forkserver_main",
                    str(theirs.fileno()),
                    str(exe),
                ],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                env=env,
                cwd="/",
                pass_fds=(theirs.fileno(), exe),
                start_new_session=True,
            )
        finally:
            theirs.close()
            os.close(exe)
        ours.setblocking(False)
        try:
            ready = await asyncio.wait_for(asyncio.get_running_loop().sock_recv(ours, 16), START_SECONDS)
        except (TimeoutError, OSError):
            ready = b""
        if ready != b"ready":
            child.kill()
            output: tuple[bytes | None, bytes | None] = (None, None)
            with contextlib.suppress(TimeoutError):
                output = await asyncio.wait_for(child.communicate(), 5)
            err = output[1]
            ours.close()
            raise ForkError(
                f"fork server did not start: {(err or b'').decode(errors='replace').strip()[-500:]}"
            )
        ours.setblocking(True)
        self._child, self._control, self._runtime = child, ours, runtime
        log.info("fork server started (pid %d)", child.pid)
        # Its stderr is a pipe nobody else reads: a full pipe would stall it.
        self._drain = asyncio.ensure_future(_log_lines(child.stderr))

    def _lost(self) -> None:
        if self._control is not None:
            self._control.close()
        if self._child is not None and self._child.returncode is None:
            self._child.kill()
        self._control = self._child = None

    def close(self) -> None:
        self._lost()


async def _log_lines(stream: asyncio.StreamReader | None) -> None:
    while stream is not None and (line := await stream.readline()):
        log.warning("fork server: %s", line.decode(errors="replace").rstrip())


def _memfd(name: str, data: bytes, *, sealing: bool = False) -> int:
    fd = os.memfd_create(name, os.MFD_CLOEXEC | (os.MFD_ALLOW_SEALING if sealing else 0))
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    except BaseException:
        os.close(fd)
        raise
    return fd


def _sealed_copy(path: str) -> int:
    """A memfd holding the file at `path`, sealed against writes: the fd to exec."""
    with open(path, "rb") as source:
        fd = _memfd("podlab-forkserver", source.read(), sealing=True)
    try:
        seals = fcntl.F_SEAL_SEAL | fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW | fcntl.F_SEAL_WRITE
        fcntl.fcntl(fd, fcntl.F_ADD_SEALS, seals)
    except BaseException:
        os.close(fd)
        raise
    return fd


async def _reader(fd: int) -> asyncio.StreamReader:
    from podlab.runtime.spawn import _PipeEnd
    from podlab.runtime.spawn import _reader as pipe_reader

    loop = asyncio.get_running_loop()
    return await pipe_reader(loop, _PipeEnd(fd, loop))
