"""The few kernel calls Python 3.11 has no binding for: unshare, setns, prctl(PR_SET_PDEATHSIG).

Only ever called in the single-threaded network helper and its pod holders: a process with
threads cannot join or make a user namespace (EINVAL), and podlab's node process has threads.
Kept free of podlab imports so the helper starts fast.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
PR_SET_PDEATHSIG = 1

_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


def _check(result: int) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def unshare(flags: int) -> None:
    _check(_libc.unshare(flags))


def setns(fd: int, nstype: int) -> None:
    _check(_libc.setns(fd, nstype))


def die_with_parent(expected_parent: int) -> None:
    """SIGKILL this process when its parent dies; exit now if it already has.

    Set after any user-namespace change: changing credentials clears the parent-death signal.
    """
    _check(_libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0))
    if os.getppid() != expected_parent:
        os._exit(137)


def unshare_user_as_root(extra_flags: int) -> None:
    """unshare a user namespace (and `extra_flags` namespaces) and become its root.

    Rootless: only the caller's own ids can be mapped, by the caller itself after setgroups is
    denied (the kernel's rule for an unprivileged writer). Root: the identity map of every id,
    so files keep their owners and a root node's containers see the host's ids exactly as they
    did before pods had namespaces (bwrap still maps container root to host root inside it).
    Writing a map wider than one's own id needs CAP_SETUID in the *parent* namespace, which the
    unsharing process no longer has: a child forked before the unshare writes it.
    """
    uid, gid = os.geteuid(), os.getegid()
    if uid != 0:
        unshare(CLONE_NEWUSER | extra_flags)
        _write("/proc/self/setgroups", "deny\n")
        _write("/proc/self/uid_map", f"0 {uid} 1\n")
        _write("/proc/self/gid_map", f"0 {gid} 1\n")
        return
    me = os.getpid()
    go_r, go_w = os.pipe()
    mapper = os.fork()
    if mapper == 0:
        code = 1
        try:
            os.close(go_w)
            if os.read(go_r, 1) == b"1":
                _write(f"/proc/{me}/uid_map", "0 0 4294967295\n")
                _write(f"/proc/{me}/gid_map", "0 0 4294967295\n")
                code = 0
        finally:
            os._exit(code)
    os.close(go_r)
    try:
        unshare(CLONE_NEWUSER | extra_flags)
        os.write(go_w, b"1")
    finally:
        os.close(go_w)
        _, status = os.waitpid(mapper, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise OSError("could not write the node user namespace's id maps")


def _write(path: str, text: str) -> None:
    with open(path, "w") as f:
        f.write(text)
