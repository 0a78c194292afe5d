"""Entering a running bwrap sandbox from a forked process (the fork server's half of a pod start).

What `runc exec` and `nsenter --all --root` do, for a process that was forked rather than
exec'd into the sandbox (runtime/forkserver.py): bwrap has built the container's namespaces,
mounts and root around a placeholder program (its *holder*); this process joins all of them,
takes the holder's root, and ends with exactly the confinement bwrap gives the programs it
starts: the same capability sets, `no_new_privs`, the same seccomp filter.

Order matters (user_namespaces(7), setns(2)): a namespace can be joined only with
CAP_SYS_ADMIN in the user namespace that owns it, and joining a user namespace gives every
capability in it and none above it. So the chain of user namespaces from ours down to the
holder's is walked top-down, joining at each level the namespaces that level owns (a pod's
network namespace is owned by the node's network namespace's user namespace; bwrap's PID,
mount, IPC and UTS namespaces by its outer one; its program runs in a nested inner one that
may not make more). The holder's root is opened *before* the mount namespace is joined (setns
moves the caller to the namespace's root mount, not to the holder's pivoted root) and taken
with fchdir + chroot, as nsenter does.

Only for a single-threaded process (the kernel refuses setns into a user namespace to a
threaded one). No podlab imports: the fork server loads it before anything else.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import os
import select
import stat
import time
from dataclasses import dataclass

# linux/nsfs.h: _IO(0xb7, 1) the owning user namespace, _IO(0xb7, 2) a user namespace's parent.
NS_GET_USERNS = 0xB701
NS_GET_PARENT = 0xB702
CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
# Every kind bwrap or a pod's network can make, in the order joined within one owner. The
# mount namespace last: after it, paths are the container's (the fds were opened before).
JOINED = (
    ("net", 0x40000000),
    ("uts", 0x04000000),
    ("ipc", 0x08000000),
    ("pid", 0x20000000),
    ("mnt", CLONE_NEWNS),
)

PR_SET_DUMPABLE = 4
PR_SET_NAME = 15
PR_SET_CHILD_SUBREAPER = 36
PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_RAISE = 2
PR_CAP_AMBIENT_CLEAR_ALL = 4
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
_LINUX_CAPABILITY_VERSION_3 = 0x20080522
SETTLE_SECONDS = 10.0
LOG_PIPE_TRIES = 200

_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


class EntryError(Exception):
    """The sandbox could not be entered; the message says which step failed."""


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise EntryError(f"{what}: {os.strerror(err)}")


def _prctl(option: int, arg2: int, what: str) -> None:
    _check(
        _libc.prctl(option, ctypes.c_ulong(arg2), ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0)),
        what,
    )


@dataclass(frozen=True)
class HolderFds:
    """What is opened of the holder while it is known alive, before any namespace changes."""

    proc: int  # /proc/<holder>
    root: int  # its root directory (the container's /)
    stdout: int  # its stdout and stderr: the container's log pipes, reopened
    stderr: int

    def close(self) -> None:
        for fd in (self.proc, self.root, self.stdout, self.stderr):
            os.close(fd)


def open_holder(pid: int, pidfd: int, program: list[str]) -> HolderFds:
    """Open /proc/<pid> and what is needed of it, once bwrap has finished building the sandbox;
    the pidfd proves `pid` is still the holder (a pid could have been reused once the holder
    exited: then the pidfd reads as exited)."""
    try:
        proc = os.open(f"/proc/{pid}", os.O_DIRECTORY | os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        raise EntryError("the sandbox's holder has exited") from None
    opened = [proc]
    try:
        _wait_settled(proc, pidfd, b"".join(arg.encode() + b"\0" for arg in program))
        opened.append(os.open("root", os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC, dir_fd=proc))
        for link in ("fd/1", "fd/2"):
            opened.append(_log_pipe(proc, link))
    except BaseException:
        for fd in opened:
            os.close(fd)
        raise
    return HolderFds(*opened)


def _log_pipe(proc: int, link: str) -> int:
    """The holder's fd 1 or 2 reopened: the container's log pipe. Opened with the server's (host)
    credentials, so only a pipe, what the node gave the holder, is taken; anything else is
    refused, not written to. The holder's `echo ready >&0` points the shell's own fd 1 at its
    socket for a moment (a builtin's redirection): the entrant may come just then (opening a
    socket through /proc: ENXIO), so a few tries, a millisecond apart (seen under load in CI;
    tests/runtime/test_forkserver_holder.py)."""
    for _ in range(LOG_PIPE_TRIES):
        try:
            fd = os.open(link, os.O_WRONLY | os.O_CLOEXEC | os.O_NONBLOCK, dir_fd=proc)
        except OSError as exc:
            if exc.errno != errno.ENXIO:
                raise
        else:
            if stat.S_ISFIFO(os.fstat(fd).st_mode):
                os.set_blocking(fd, True)
                return fd
            os.close(fd)
        time.sleep(0.001)
    raise EntryError(f"the sandbox's holder's {link} is not a pipe")


def _wait_settled(proc: int, pidfd: int, program: bytes) -> None:
    """Until the holder runs `program` (its NUL-separated argv): bwrap reports its child's PID
    before it builds the sandbox (mounts, pivot_root, the inner user namespace, capabilities,
    seccomp) and execs the program only once all of it is done. Joined earlier, the stub could
    take a half-built root (bwrap's set-up view, with the host's root still mounted in it) for
    its own. Under a burst of pod starts bwrap's mounts queue behind each other for seconds."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        try:
            fd = os.open("cmdline", os.O_RDONLY | os.O_CLOEXEC, dir_fd=proc)
            try:
                running = os.read(fd, len(program) + 1)
            finally:
                os.close(fd)
        except OSError:
            raise EntryError("the sandbox's holder has exited") from None
        # A pidfd polls readable once its process has exited: then /proc/<pid> may be another's.
        if select.select([pidfd], [], [], 0)[0]:
            raise EntryError("the sandbox's holder has exited")
        if running == program:
            return
        if time.monotonic() > deadline:
            raise EntryError(f"the sandbox was not ready within {SETTLE_SECONDS:.0f} s")
        time.sleep(0.005)


def _ino(fd: int) -> tuple[int, int]:
    st = os.fstat(fd)
    return st.st_dev, st.st_ino


def _owner(fd: int) -> tuple[int, int]:
    owner = fcntl.ioctl(fd, NS_GET_USERNS)
    try:
        return _ino(owner)
    finally:
        os.close(owner)


def _user_chain(holder_user: int) -> list[int]:
    """The user namespaces from the one below ours down to the holder's, as open fds."""
    ours = _self_owner_ino()
    chain: list[int] = []
    fd = os.dup(holder_user)
    try:
        for _ in range(33):  # the kernel nests at most 32 user namespaces
            if _ino(fd) == ours:
                os.close(fd)
                return chain[::-1]
            chain.append(fd)
            try:
                fd = fcntl.ioctl(fd, NS_GET_PARENT)
            except OSError as exc:
                raise EntryError(f"the sandbox's user namespace is not below ours: {exc.strerror}") from None
        raise EntryError("user namespaces nested too deep")
    except BaseException:
        for c in chain:
            os.close(c)
        raise


def join(holder: HolderFds) -> None:
    """Join every namespace of the holder and take its root; the next fork is in its PID
    namespace. Afterwards this process holds every capability of the holder's user namespace:
    `confine` must follow before anything of the container runs."""
    ours = {name: _ns_ino(f"/proc/self/ns/{name}") for name, _ in JOINED}
    pending: list[tuple[tuple[int, int], int, int]] = []  # (owner, fd, flag)
    chain: list[int] = []
    try:
        for name, flag in JOINED:
            ns = os.open(f"ns/{name}", os.O_RDONLY | os.O_CLOEXEC, dir_fd=holder.proc)
            if _ino(ns) == ours[name]:
                os.close(ns)  # shared with us (a pod on the host's network): nothing to join
                continue
            pending.append((_owner(ns), ns, flag))
        user = os.open("ns/user", os.O_RDONLY | os.O_CLOEXEC, dir_fd=holder.proc)
        try:
            chain = _user_chain(user)
        finally:
            os.close(user)
        levels = [_self_owner_ino(), *(_ino(u) for u in chain)]
        for depth, level in enumerate(levels):
            if depth > 0:
                _check(_libc.setns(chain[depth - 1], CLONE_NEWUSER), "setns(user)")
            for owner, ns, flag in [p for p in pending if p[0] == level]:
                _check(_libc.setns(ns, flag), f"setns({flag:#x})")
                if flag == CLONE_NEWNS:
                    # setns put us at the namespace's root mount; the container's root is the
                    # holder's (bwrap pivoted into it).
                    os.fchdir(holder.root)
                    os.chroot(".")
                    os.chdir("/")
                pending.remove((owner, ns, flag))
                os.close(ns)
        if pending:
            raise EntryError("a namespace of the sandbox is owned outside its user namespaces")
    finally:
        for _, ns, _ in pending:
            os.close(ns)
        for fd in chain:
            os.close(fd)


def _ns_ino(path: str) -> tuple[int, int]:
    st = os.stat(path)
    return st.st_dev, st.st_ino


def _self_owner_ino() -> tuple[int, int]:
    return _ns_ino("/proc/self/ns/user")


class _CapHeader(ctypes.Structure):
    _fields_ = (("version", ctypes.c_uint32), ("pid", ctypes.c_int))


class _CapData(ctypes.Structure):
    _fields_ = (
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    )


class _SockFprog(ctypes.Structure):
    _fields_ = (("len", ctypes.c_ushort), ("filter", ctypes.c_void_p))


def confine(capabilities: int, seccomp_program: bytes | None) -> None:
    """What bwrap does last before exec: the bounding set cut to `capabilities` (a CapEff-style
    mask), permitted = effective = inheritable = ambient = that set, no_new_privs, the seccomp
    filter. Inheritable and ambient too: bwrap 0.8 sets them so the set survives exec (measured;
    tests/e2e/test_forkserver.py compares /proc/PID/status with the holder bwrap started)."""
    with open("/proc/sys/kernel/cap_last_cap") as f:
        last = int(f.read())
    for cap in range(last + 1):
        if not capabilities >> cap & 1:
            _prctl(PR_CAPBSET_DROP, cap, "drop from the bounding set")
    _check(_libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0), "clear ambient capabilities")
    header = _CapHeader(_LINUX_CAPABILITY_VERSION_3, 0)
    low, high = capabilities & 0xFFFFFFFF, capabilities >> 32
    data = (_CapData * 2)(_CapData(low, low, low), _CapData(high, high, high))
    _check(_libc.capset(ctypes.byref(header), data), "capset")
    for cap in range(last + 1):
        if capabilities >> cap & 1:
            _check(
                _libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0), "raise an ambient capability"
            )
    _prctl(PR_SET_NO_NEW_PRIVS, 1, "no_new_privs")
    if seccomp_program is not None:
        # struct sock_filter is 8 bytes: what seccomp_export_bpf writes.
        count = len(seccomp_program) // 8
        buffer = ctypes.create_string_buffer(seccomp_program, len(seccomp_program))
        prog = _SockFprog(count, ctypes.addressof(buffer))
        _check(
            _libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0),
            "seccomp",
        )


def become_subreaper() -> None:
    """Orphaned descendants are re-parented to this process instead of init (prctl(2))."""
    _prctl(PR_SET_CHILD_SUBREAPER, 1, "child subreaper")


def set_name(name: str) -> None:
    """The command name (/proc/PID/comm, `ps`): an exec sets it to the program's file name, a
    fork keeps its parent's (the server's, exec'd as /proc/self/fd/N: "34")."""
    _check(_libc.prctl(PR_SET_NAME, name.encode()[:15], 0, 0, 0), "name")


def set_dumpable(on: bool) -> None:
    _prctl(PR_SET_DUMPABLE, 1 if on else 0, "dumpable")


def exit_status_code(status: int) -> int:
    """A waitpid status as the shell reports it: the exit code, or 128 + the signal."""
    return os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)
