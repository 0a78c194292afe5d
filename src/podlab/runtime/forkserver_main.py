"""The fork server: one process per node that has imported the stub, forking a pod's stub from it.

`python -m podlab.runtime.forkserver_main SOCKET_FD EXE_FD`, started by the node
(runtime/forkserver.py) from a sealed in-memory copy of the interpreter, with a clean
environment and no other fds. It imports the stub once (what every wiremock pod would import
again: ~0.25 s of CPU and ~10 MiB of private memory each, docs/PERFORMANCE.md), freezes that
heap out of the collector's reach (`gc.freeze()`: the children share its pages
copy-on-write), and then waits for requests on its socket: one datagram of JSON and three fds
per container (a pidfd of the holder bwrap started, the pipe the holder reads the exit code
from, a pipe for the answer).

For each it forks an *entrant*: it joins the container's cgroup and sandbox
(runtime/sandbox_entry.py), forks the container's process there (the PID namespace applies to
children), answers with that process's PID or an error, waits for it and hands its exit code
to the holder, which exits with it (so bwrap, the process the node watches, reports it). The
container's process confines itself as bwrap would, becomes the container's environment and
paths, and runs the stub's `main`.

Stays single-threaded (setns into a user namespace is refused to a threaded process): the
stub's event loop, its threads and its random state are made in the container's process.
"""

from __future__ import annotations

import base64
import gc
import io
import json
import os
import random
import select
import signal
import socket
import sys
import traceback
from collections.abc import Sequence
from importlib.machinery import ModuleSpec, PathFinder
from typing import Any

from podlab.runtime import sandbox_entry

FDS_PER_REQUEST = 4
HELD_SIGNALS = {signal.SIGTERM, signal.SIGINT}


def main(argv: list[str]) -> int:
    control = socket.socket(fileno=int(argv[0]))
    os.close(int(argv[1]))  # the interpreter's memfd: exec is done with it
    os.chdir("/")
    sys.meta_path.insert(0, InsideFinder)
    gc.disable()
    import uvloop  # noqa: F401 - imported for the children

    import podlab.stub.cli  # noqa: F401

    gc.enable()
    gc.collect()
    gc.freeze()
    # A container's process outlives its entrant and is re-parented here (a subreaper), so its
    # exit status reaches us, not the host's init: SIGCHLD wakes the loop through this pipe.
    sandbox_entry.become_subreaper()
    wake_r, wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    server = _Server(control)
    control.send(b"ready")
    while True:
        readable = select.select([control.fileno(), wake_r, *server.pending, *server.building], [], [])[0]
        if wake_r in readable:
            while len(os.read(wake_r, 512)) == 512:
                pass
            server.reap()
        for fd in readable:
            if fd in server.pending:
                server.learn(fd)
            elif fd in server.building:
                server.built(fd)
        if control.fileno() in readable:
            message, fds, _, _ = socket.recv_fds(control, 16, FDS_PER_REQUEST)
            if not message:
                return 0  # the node closed its end
            if len(fds) == FDS_PER_REQUEST:
                server.start(*fds)
            else:
                for fd in fds:
                    os.close(fd)


class _Server:
    """Which container is whose: entrants run concurrently (joining a cgroup v1 hierarchy can
    take tens of milliseconds each), so their answers are read as they come."""

    def __init__(self, control: socket.socket) -> None:
        self.control = control
        self.pending: dict[int, int] = {}  # an entrant's answer pipe -> its holder's stdin
        self.containers: dict[int, int] = {}  # a container's PID -> its holder's stdin
        self.entrants: set[int] = set()
        self.exited: dict[int, int] = {}  # containers reaped before their entrant's answer came
        # A holder's socket -> the rest of its request, until the holder says it runs.
        self.building: dict[int, tuple[int, int, int]] = {}

    def start(self, spec_fd: int, pidfd: int, status_w: int, reply_w: int) -> None:
        """Wait for the holder: bwrap reports its child before it builds the sandbox, and execs
        the holder only once it is complete; the holder's first act is to say "ready" on its
        socket (forkserver.HOLDER_ARGV). Waiting here costs nothing per pod (no entrant polls),
        and a burst of pod starts queues bwrap's mounts behind each other for seconds."""
        os.set_blocking(status_w, False)
        self.building[status_w] = (spec_fd, pidfd, reply_w)

    def built(self, status_w: int) -> None:
        spec_fd, pidfd, reply_w = self.building.pop(status_w)
        try:
            said = os.read(status_w, 16)
        except OSError:
            said = b""
        if said != b"ready\n":  # EOF: the holder died (or the node killed it); the node sees EOF
            for fd in (spec_fd, pidfd, reply_w, status_w):
                os.close(fd)
            return
        self.fork_entrant(spec_fd, pidfd, status_w, reply_w)

    def fork_entrant(self, spec_fd: int, pidfd: int, status_w: int, reply_w: int) -> None:
        """The container's spec is not read here: it holds the pod's environment (a Secret's
        values, say), and what this process once held, freed or not, every later fork inherits
        and any process of that pod may read (/proc/PID/mem). Only the entrant reads it."""
        try:
            pid_r, pid_w = os.pipe()
        except OSError:
            for fd in (spec_fd, pidfd, reply_w, status_w):
                os.close(fd)
            return  # out of fds: the node reads EOF (ForkError) and starts the stub itself
        try:
            entrant = os.fork()
            if entrant == 0:
                os.close(pid_r)
                os.close(status_w)
                _entrant(self.control, spec_fd, pidfd, reply_w, pid_w)
        except OSError:
            # EAGAIN at the pids limit (a fork bomb in any pod of an ordinary user's node counts
            # against the same RLIMIT_NPROC), ENOMEM: this container is not started, and the
            # server must not die of it, which would end every forked pod of the node (their
            # holders read EOF). The node reads EOF on the answer (ForkError) and execs the stub.
            os.close(pid_r)
            os.close(status_w)
            return
        finally:
            for fd in (spec_fd, pidfd, reply_w, pid_w):
                os.close(fd)
        self.entrants.add(entrant)
        # The code is a few bytes into an empty socket buffer (non-blocking since `start`): should
        # the holder's side ever be full, that holder loses its code (and exits 137), the server
        # is not wedged for all.
        self.pending[pid_r] = status_w

    def learn(self, pid_r: int) -> None:
        """The entrant's answer: its container's PID, or nothing (it failed)."""
        status_w = self.pending.pop(pid_r)
        text = os.read(pid_r, 32)  # one write of a few bytes: whole, or EOF
        os.close(pid_r)
        if not text.strip().isdigit():
            os.close(status_w)  # the holder reads EOF and exits 137: the node sees the failure
            return
        pid = int(text)
        if pid in self.exited:
            _tell(status_w, self.exited.pop(pid))
        else:
            self.containers[pid] = status_w

    def reap(self) -> None:
        """Collect exited children: entrants (nothing to do) and containers (their code goes to
        the holder, which exits with it)."""
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid in self.entrants:
                self.entrants.discard(pid)
                continue
            code = sandbox_entry.exit_status_code(status)
            status_w = self.containers.pop(pid, None)
            if status_w is None:
                self.exited[pid] = code
            else:
                _tell(status_w, code)


def _tell(status_w: int, code: int) -> None:
    try:
        os.write(status_w, f"{code}\n".encode())
    except OSError:
        pass  # the holder was killed (EPIPE): bwrap reports that itself
    finally:
        os.close(status_w)


def _entrant(control: socket.socket, spec_fd: int, pidfd: int, reply_w: int, pid_w: int) -> None:
    """The forked entrant: joins the sandbox, forks the container's process there, says its PID
    (to the node and to the server) and exits; never returns."""
    code = 1
    try:
        control.close()
        spec = json.loads(_read_spec(spec_fd))
        os.close(spec_fd)
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        # The server's table holds the other containers' holder sockets and answer pipes:
        # none of them goes along into this container's namespaces.
        _close_all_but(0, 1, 2, pidfd, reply_w, pid_w)
        # Until the container's process has confined itself nothing in the pod may ptrace it
        # or open its /proc files (runc sets the same during its setns dance).
        sandbox_entry.set_dumpable(False)
        for path in spec["cgroups"]:
            with open(path, "w") as procs:
                procs.write(str(os.getpid()))
        holder = sandbox_entry.open_holder(int(spec["holder"]), pidfd, spec["holder_argv"])
        os.close(pidfd)
        sandbox_entry.join(holder)
        # As the node starts a stub (Layout.hold_signals): a stop that comes before the stub's
        # handler is in place stays pending (early_exit unblocks it).
        signal.pthread_sigmask(signal.SIG_BLOCK, HELD_SIGNALS)
        child = os.fork()
        if child == 0:
            _container(spec, holder)
        os.write(pid_w, f"{child}\n".encode())
        os.write(reply_w, f"{child}\n".encode())
        code = 0
    except BaseException as exc:
        try:
            os.write(reply_w, f"error {_describe(exc)}\n".encode())
        except OSError:
            pass
    finally:
        os._exit(code)


def _close_all_but(*keep: int) -> None:
    low = 0
    for fd in sorted(set(keep)):
        if fd > low:  # os.closerange(0, 0) closes every fd (measured, CPython 3.11.7)
            os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, os.sysconf("SC_OPEN_MAX"))


def _container(spec: dict[str, Any], holder: sandbox_entry.HolderFds) -> None:
    """The container's process, in its namespaces and root; never returns."""
    code = 127
    try:
        os.dup2(holder.stdout, 1)
        os.dup2(holder.stderr, 2)
        null = os.open("/dev/null", os.O_RDONLY)
        os.dup2(null, 0)
        os.closerange(3, os.sysconf("SC_OPEN_MAX"))
        os.setsid()
        sandbox_entry.set_name(os.path.basename(spec["interpreter"]))
        os.chdir(spec["workdir"])
        program = base64.b64decode(spec["seccomp"]) if spec.get("seccomp") else None
        sandbox_entry.confine(int(spec["capabilities"]), program)
        # Stays non-dumpable, unlike an exec'd program: what every fork shares with the server
        # (the str hash key, the address layout) must not be readable by the pod's processes
        # through /proc/<stub>/mem and maps (docs/SECURITY.md, "Wiremock pods").
        _become(spec)
        _new_stdio()
        code = _run_stub(spec["args"])
    except SystemExit as exc:
        code = system_exit_code(exc)
    except BaseException:
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(code)


def system_exit_code(exc: SystemExit) -> int:
    """What the interpreter makes of a SystemExit that ends `python -m ...` (Py_HandleSystemExit):
    None is 0, an int is itself, anything else is printed to stderr and is 1."""
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code
    try:
        print(exc.code, file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass
    return 1


class InsideFinder:
    """First on sys.meta_path of the template: once a container's process has set `mapping`,
    a submodule of a package the template imported (whose `__path__` names host directories)
    is looked for at the container's paths instead.

    Cheaper than rewriting every imported module's `__path__`/`__file__` in the child: that
    frees and replaces ~1,000 strings spread over the shared heap, and each page touched becomes
    the pod's private copy (measured: +4.4 MiB per pod). Tracebacks therefore name the host's
    files for modules the template imported; nothing reads them.
    """

    mapping: tuple[tuple[str, str], ...] = ()  # (host directory, container path), longest first

    @classmethod
    def inside(cls, path: str) -> str:
        for src, dest in cls.mapping:
            if path == src or path.startswith(src + "/"):
                return dest + path[len(src) :]
        return path

    @classmethod
    def find_spec(
        cls, name: str, path: Sequence[str] | None = None, target: object = None
    ) -> ModuleSpec | None:
        if not cls.mapping or path is None:
            return None  # top-level names: sys.path, already the container's
        return PathFinder.find_spec(name, [cls.inside(p) for p in path], target)  # type: ignore[arg-type]


def _become(spec: dict[str, Any]) -> None:
    """The container's environment, and the import system's paths as the container sees them:
    what was imported here came from the host directories that the sandbox binds at /podlab/…,
    and a module the stub imports later (lxml for an XML matcher) must be found there."""
    os.environ.clear()
    os.environ.update(spec["env"])
    InsideFinder.mapping = tuple(
        sorted(((str(src), str(dest)) for dest, src in spec["binds"]), key=lambda m: -len(m[0]))
    )
    sys.path[:] = [InsideFinder.inside(p) for p in sys.path]
    for name in ("prefix", "exec_prefix", "base_prefix", "base_exec_prefix"):
        setattr(sys, name, InsideFinder.inside(getattr(sys, name)))
    sys.executable = spec["interpreter"]
    random.seed()  # forked children must not share the template's random state


def _new_stdio() -> None:
    """sys.stdin/stdout/stderr over the container's fds 0-2, as the interpreter makes them at
    start (the template's were over /dev/null, seekable, which the stub's reconfigure trips on)."""
    unbuffered = bool(os.environ.get("PYTHONUNBUFFERED"))
    streams: list[io.TextIOWrapper] = []
    for fd, mode in ((0, "rb"), (1, "wb"), (2, "wb")):
        raw = io.FileIO(fd, mode, closefd=False)
        buffered: io.RawIOBase | io.BufferedIOBase
        if mode == "rb":
            buffered = io.BufferedReader(raw)
        else:
            buffered = raw if unbuffered or fd == 2 else io.BufferedWriter(raw)
        streams.append(
            io.TextIOWrapper(
                buffered,
                encoding=sys.stdout.encoding if sys.stdout else "utf-8",
                errors="backslashreplace" if fd == 2 else "strict",
                line_buffering=raw.isatty(),
                write_through=fd == 2 or unbuffered,
            )
        )
    sys.stdin, sys.stdout, sys.stderr = streams
    for name, stream in zip(("__stdin__", "__stdout__", "__stderr__"), streams, strict=True):
        setattr(sys, name, stream)  # what faulthandler and tracebacks at exit fall back to


def _run_stub(args: list[str]) -> int:
    """What `python -m podlab.stub ARGS` does (stub/__main__.py), from its handler on."""
    from podlab.stub import early_exit

    early_exit.install()
    from podlab.stub.cli import main as stub_main

    # As the container names it (/podlab/lib/...), not the host's path the template imported from.
    sys.argv = [InsideFinder.inside(os.path.join(os.path.dirname(early_exit.__file__), "__main__.py")), *args]

    result = stub_main(args)
    import atexit

    atexit._run_exitfuncs()
    return result


def _read_spec(fd: int) -> bytes:
    """The whole memfd the node wrote (from its start: the node left its offset at the end)."""
    chunks = []
    offset = 0
    while chunk := os.pread(fd, 1 << 16, offset):
        chunks.append(chunk)
        offset += len(chunk)
    return b"".join(chunks)


def _describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return " ".join(text.split())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
