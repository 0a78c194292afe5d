"""The containers' seccomp filter, compiled for bubblewrap's `--seccomp FD`.

bwrap takes a compiled classic-BPF program (what libseccomp's `seccomp_export_bpf()` writes)
and loads it after its own mounts, right before exec. Debian's `python3-seccomp` binds only the
system interpreter, so this module reaches `libseccomp.so.2` through ctypes, which works from
any Python (docs/reference/exec-limits-sandbox.md §4.4).

The policy is what containerd's RuntimeDefault refuses a container that lacks CAP_SYS_ADMIN,
SYS_MODULE, SYS_BOOT, SYS_TIME, SYSLOG and SYS_PTRACE: mounts and new namespaces, keyrings,
bpf, perf, io_uring, modules, kexec, the kernel log... -> EPERM; `clone3` -> ENOSYS, so libc
falls back to `clone`, whose namespace flags are refused. It is a deny list over a default of
"allow", not moby's ~360-name allow list: every call below is one a container with the default
capabilities could otherwise still make, and the list cannot go stale (and break programs)
when a kernel adds an ordinary syscall. Non-native architectures (x32, i386 entry points) are
killed by libseccomp's default bad-arch action.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import functools
import os
import tempfile

# seccomp.h: SCMP_ACT_ALLOW and SCMP_ACT_ERRNO(e); SCMP_CMP_MASKED_EQ; __NR_SCMP_ERROR.
_ACT_ALLOW = 0x7FFF0000
_ACT_ERRNO = 0x00050000
_CMP_MASKED_EQ = 7
_NR_SCMP_ERROR = -1

DENIED_SYSCALLS = (
    # mounts, old and new API (CAP_SYS_ADMIN)
    *("mount", "umount", "umount2", "pivot_root", "fsopen", "fsconfig", "fsmount", "fspick"),
    *("move_mount", "open_tree", "mount_setattr"),
    # namespaces (clone's flags are filtered separately)
    *("unshare", "setns"),
    # never allowed by RuntimeDefault
    *("keyctl", "add_key", "request_key", "userfaultfd", "io_uring_setup", "io_uring_enter"),
    *("io_uring_register", "kexec_load", "kexec_file_load", "swapon", "swapoff", "nfsservctl"),
    *("uselib", "_sysctl", "vm86", "vm86old"),
    # the host kernel: bpf, perf, log, modules, reboot, clock, quotas, accounting, ports
    *("bpf", "perf_event_open", "syslog", "init_module", "finit_module", "delete_module"),
    *("create_module", "query_module", "get_kernel_syms", "reboot", "settimeofday", "stime"),
    *("clock_settime", "quotactl", "quotactl_fd", "acct", "iopl", "ioperm", "vhangup"),
    *("sethostname", "setdomainname", "lookup_dcookie", "fanotify_init"),
    # file handles reach files outside the mount view; peeking at other processes
    *("open_by_handle_at", "kcmp", "pidfd_getfd"),
)
# S_IFMT and the device types: mknod of a block or character device is refused (there is no
# device cgroup to stop its use, and a user-namespaced container gets EPERM from the kernel anyway).
_S_IFMT, _DEVICE_TYPES = 0o170000, (0o020000, 0o060000)
# CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET: RuntimeDefault's mask 0x7E020000.
CLONE_NAMESPACE_FLAGS = (0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000)


class _ArgCmp(ctypes.Structure):
    # struct scmp_arg_cmp
    _fields_ = (
        ("arg", ctypes.c_uint),
        ("op", ctypes.c_int),
        ("datum_a", ctypes.c_uint64),
        ("datum_b", ctypes.c_uint64),
    )


@functools.cache
def container_filter() -> bytes | None:
    """The compiled filter, or None when libseccomp is not installed (built once per process)."""
    name = ctypes.util.find_library("seccomp")
    if name is None:
        return None
    try:
        lib = ctypes.CDLL(name, use_errno=True)
    except OSError:
        return None
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = [ctypes.c_uint32]
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    lib.seccomp_rule_add_array.argtypes = [
        ctypes.c_void_p,
        ctypes.c_uint32,
        ctypes.c_int,
        ctypes.c_uint,
        ctypes.POINTER(_ArgCmp),
    ]
    lib.seccomp_export_bpf.argtypes = [ctypes.c_void_p, ctypes.c_int]
    lib.seccomp_release.argtypes = [ctypes.c_void_p]
    ctx = lib.seccomp_init(_ACT_ALLOW)
    if not ctx:
        return None
    try:

        def refuse(syscall: str, err: int, *cmps: _ArgCmp) -> None:
            nr = lib.seccomp_syscall_resolve_name(syscall.encode())
            if nr == _NR_SCMP_ERROR:  # not a syscall on this architecture
                return
            array = (_ArgCmp * len(cmps))(*cmps) if cmps else None
            rc = lib.seccomp_rule_add_array(ctx, _ACT_ERRNO | err, nr, len(cmps), array)
            if rc < 0:
                raise OSError(-rc, f"seccomp rule for {syscall}: {os.strerror(-rc)}")

        for syscall in DENIED_SYSCALLS:
            refuse(syscall, errno.EPERM)
        refuse("clone3", errno.ENOSYS)
        for kind in _DEVICE_TYPES:
            refuse("mknod", errno.EPERM, _ArgCmp(1, _CMP_MASKED_EQ, _S_IFMT, kind))
            refuse("mknodat", errno.EPERM, _ArgCmp(2, _CMP_MASKED_EQ, _S_IFMT, kind))
        for flag in CLONE_NAMESPACE_FLAGS:
            # Rules on one syscall are OR-ed: any namespace bit set in the flags refuses it.
            refuse("clone", errno.EPERM, _ArgCmp(0, _CMP_MASKED_EQ, flag, flag))
        with tempfile.TemporaryFile() as out:
            rc = lib.seccomp_export_bpf(ctx, out.fileno())
            if rc < 0:
                raise OSError(-rc, f"seccomp_export_bpf: {os.strerror(-rc)}")
            out.seek(0)
            return out.read()
    finally:
        lib.seccomp_release(ctx)


def filter_fd(program: bytes) -> int:
    """A pipe's read end holding `program`, for bwrap's `--seccomp FD` (the caller closes it).

    A pipe rather than a file: nothing on disk, and the few hundred bytes fit its buffer, so
    writing cannot block before bwrap reads.
    """
    r, w = os.pipe()
    try:
        os.write(w, program)
    finally:
        os.close(w)
    return r
