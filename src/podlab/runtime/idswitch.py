"""Becoming runAsUser/runAsGroup/supplementalGroups inside the sandbox: setpriv as the first program.

Why not bwrap's own `--uid`: run by root, bwrap 0.8 maps the sandbox uid to host root
(`uid_map 1000 0 1`, measured), so files a "uid 1000" container writes would be root's on the
host. Dropping ids before bwrap (`setpriv … bwrap`) leaves bwrap unable to reach its bind
sources under owner-only directories ($PODLAB_HOME, a Python under /root). So a container with
its own ids runs, as containers do on a node without user namespaces, in the host's user
namespace: bwrap (root) makes every mount, then the host's setpriv, as PID 1, sets the ids and
execs the program. A non-root uid loses every capability at that execve (nothing ambient),
exactly as under containerd; no_new_privs and the seccomp filter stay on.

Host-rootfs images reach setpriv through the host /usr they already see. Busybox images have
no /lib, so setpriv comes with its loader and library directory at fixed paths under /podlab
and is started through the loader (`ld.so --library-path DIR PROGRAM`).
"""

from __future__ import annotations

import functools
import os
import shutil
import struct
from dataclasses import dataclass

from podlab.runtime.security import Identity

ROOT = "/podlab/idswitch"


@dataclass(frozen=True)
class SwitchTool:
    """setpriv as the sandbox starts it: argv prefix, and what must be bound for it."""

    prefix: tuple[str, ...]
    binds: tuple[tuple[str, str], ...]  # (path inside the sandbox, host source), read-only


@functools.cache
def host_setpriv() -> str | None:
    found = shutil.which("setpriv")
    return os.path.realpath(found) if found else None


def tool(rootfs: str) -> SwitchTool | None:
    """How a sandbox with `rootfs` ("host" | "busybox") runs setpriv; None without util-linux."""
    setpriv = host_setpriv()
    if setpriv is None:
        return None
    if rootfs != "busybox":
        return SwitchTool(prefix=(setpriv,), binds=())
    interp = elf_interpreter(setpriv)
    if interp is None:  # a static setpriv runs as it is
        return SwitchTool(prefix=(f"{ROOT}/setpriv",), binds=((f"{ROOT}/setpriv", setpriv),))
    loader = os.path.realpath(interp)
    libdir = os.path.dirname(loader)
    return SwitchTool(
        prefix=(f"{ROOT}/lib/{os.path.basename(loader)}", "--library-path", f"{ROOT}/lib", f"{ROOT}/setpriv"),
        binds=((f"{ROOT}/setpriv", setpriv), (f"{ROOT}/lib", libdir)),
    )


def setpriv_args(identity: Identity) -> list[str]:
    """setpriv's options for the identity; `--` ends them (the program's argv follows)."""
    groups = ["--groups", ",".join(map(str, identity.groups))] if identity.groups else ["--clear-groups"]
    return ["--reuid", str(identity.uid), "--regid", str(identity.gid), *groups, "--"]


def elf_interpreter(path: str) -> str | None:
    """PT_INTERP of a 64-bit little-endian ELF (the dynamic loader), or None for a static one."""
    with open(path, "rb") as f:
        head = f.read(64)
        if head[:6] != b"\x7fELF\x02\x01":
            return None
        (phoff,) = struct.unpack_from("<Q", head, 0x20)
        phentsize, phnum = struct.unpack_from("<HH", head, 0x36)
        f.seek(phoff)
        table = f.read(phentsize * phnum)
        for i in range(phnum):
            p_type, _, p_offset, _, _, p_filesz = struct.unpack_from("<IIQQQQ", table, i * phentsize)
            if p_type == 3:  # PT_INTERP
                f.seek(p_offset)
                return f.read(p_filesz).rstrip(b"\0").decode()
    return None
