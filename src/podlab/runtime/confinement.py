"""What a bubblewrap container may do to the kernel: user namespace, capabilities, /proc (sans-IO).

Facts from docs/reference/exec-limits-sandbox.md §4 (measured with bwrap 0.8 on the project's machines):
- bwrap run by root keeps every capability, even with `--unshare-all`, so a "container" could
  mknod and mount the host disk, read the kernel log, and remount its read-only binds rw.
  `--cap-drop ALL` then the 14 capabilities containerd grants by default, and no more.
- `--unshare-user` puts the container in a user namespace: its capabilities then hold only over
  that namespace and what it owns, never over the host's devices and filesystems. Run by root,
  bwrap 0.8 maps container root to host uid 0 (`0 0 1`); run by an ordinary user, to that user.
  (`--uid N` as root would map N to host root, so it is never used for other users.)
- `--disable-userns` stops the container from making a nested user namespace, in which it
  would get every capability again (and could then mount a tmpfs or unlock binds).
- The host's user namespace only for a root node's container with its own runAsUser (setpriv
  takes on the ids: idswitch.py); never NET_RAW there.
- No exception for privileged ports: a pod's network namespace sets
  `net.ipv4.ip_unprivileged_port_start` to 0 (podlab.network.links), so port 80 binds from the
  container's user namespace. (When pods share the host's loopback instead, ports below the
  host's value cannot be bound, as for any program the node's user runs.)
- The kubelet masks some /proc and /sys paths and makes others read-only (pkg/securitycontext
  util.go; containerd's base spec has the same lists).
"""

from __future__ import annotations

from collections.abc import Iterable

# containerd pkg/oci/spec.go defaultUnixCaps: bounding, permitted and effective sets.
DEFAULT_CAPABILITIES = (
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_FSETID",
    "CAP_FOWNER",
    "CAP_MKNOD",
    "CAP_NET_RAW",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETFCAP",
    "CAP_SETPCAP",
    "CAP_NET_BIND_SERVICE",
    "CAP_SYS_CHROOT",
    "CAP_KILL",
    "CAP_AUDIT_WRITE",
)
# The same set as /proc/<pid>/status prints it (CapEff), for tests and docs.
DEFAULT_CAPABILITY_MASK = 0x00000000A80425FB

# Kubernetes' defaults unless procMount: Unmasked. Masked files read empty, masked directories
# are an empty read-only tmpfs; read-only paths refuse writes with EROFS.
MASKED_PATHS = (
    "/proc/asound",
    "/proc/acpi",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/proc/sched_debug",
    "/proc/scsi",
    "/sys/firmware",
    "/sys/devices/virtual/powercap",
)
READONLY_PATHS = ("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger")


def namespace_args(*, user_namespace: bool = True, uid: int = 0, gid: int = 0) -> list[str]:
    """bwrap's namespaces: user (container root is uid 0 inside), PID, IPC, UTS; the network is the pod's
    (the launch prefix enters it).

    `uid`/`gid` other than 0 only for a node run by an ordinary user, where bwrap maps the
    sandbox ids to that user (run by root it would map them to host root: idswitch.py)."""
    args = ["--unshare-pid", "--unshare-ipc", "--unshare-uts"]
    if user_namespace:
        # --disable-userns needs the explicit --unshare-user (bwrap 0.8).
        args = ["--unshare-user", "--disable-userns", "--uid", str(uid), "--gid", str(gid), *args]
    return args


def capability_args(caps: Iterable[str] = DEFAULT_CAPABILITIES, *, user_namespace: bool = True) -> list[str]:
    """Evaluated in argv order: drop everything, then add the container's set (securityContext
    capabilities applied: security.py); in the host's user namespace never NET_RAW (above)."""
    args = ["--cap-drop", "ALL"]
    for cap in caps:
        if user_namespace or cap != "CAP_NET_RAW":
            args += ["--cap-add", cap]
    return args
