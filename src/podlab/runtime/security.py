"""A container's effective securityContext, as the kubelet computes it (sans-IO).

Facts from docs/reference/exec-limits-sandbox.md §4 (k8s pkg/securitycontext/util.go,
pkg/kubelet/kuberuntime/security_context_others.go, containerd internal/cri/opts/spec_opts.go):
- Container fields override the pod's one by one; fsGroup and supplementalGroups are pod-only
  and become extra group IDs of the process.
- Capabilities start from containerd's 14 defaults; `add: [ALL]` → every capability,
  `drop: [ALL]` → none, then the individual adds, then the individual drops. CRI names lack
  the `CAP_` prefix.
- runAsNonRoot is checked before the container is created; the refusal is the kubelet's text.
- Every image podlab runs (the built-in stand-ins, busybox, host userland) runs as root, like
  the real images it stands in for: no USER in their Dockerfiles.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from podlab.runtime.confinement import DEFAULT_CAPABILITIES

Obj = Mapping[str, Any]

# Linux capabilities by bit number (capability.h, up to CAP_CHECKPOINT_RESTORE = 40).
ALL_CAPABILITIES = (
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
)

# The uid every image podlab runs starts as (see the module docstring).
IMAGE_UID = 0


@dataclass(frozen=True, slots=True)
class Identity:
    """Who the container's process is: what `id` prints inside it."""

    uid: int
    gid: int
    groups: tuple[int, ...]  # supplementary: the primary gid, supplementalGroups, fsGroup


@dataclass(frozen=True, slots=True)
class Security:
    """What the sandbox applies to one container (and to every exec into it)."""

    # None: the image's own user (root, gid 0, no extra groups): nothing to switch to.
    identity: Identity | None = None
    read_only_root: bool = False
    capabilities: tuple[str, ...] = DEFAULT_CAPABILITIES

    @property
    def runs_as_root(self) -> bool:
        return self.identity is None or self.identity.uid == 0


def _field(pod_ctx: Obj, ctx: Obj, name: str) -> Any:
    value = ctx.get(name)
    return pod_ctx.get(name) if value is None else value


def effective(pod: Obj, container: Obj) -> Security:
    """The container's settings, its own fields winning over the pod's."""
    pod_ctx = pod.get("spec", {}).get("securityContext") or {}
    ctx = container.get("securityContext") or {}
    uid, gid = _field(pod_ctx, ctx, "runAsUser"), _field(pod_ctx, ctx, "runAsGroup")
    extra = [int(g) for g in pod_ctx.get("supplementalGroups") or []]
    if pod_ctx.get("fsGroup") is not None:
        extra.append(int(pod_ctx["fsGroup"]))
    identity = None
    if uid is not None or gid is not None or extra:
        primary = 0 if gid is None else int(gid)
        identity = Identity(
            uid=IMAGE_UID if uid is None else int(uid),
            gid=primary,
            # containerd lists the primary group among the additional ones too.
            groups=tuple(sorted({primary, *extra})),
        )
    caps = ctx.get("capabilities") or {}
    return Security(
        identity=identity,
        read_only_root=bool(ctx.get("readOnlyRootFilesystem")),
        capabilities=capability_set(caps.get("add") or [], caps.get("drop") or []),
    )


def capability_set(add: list[str], drop: list[str]) -> tuple[str, ...]:
    """containerd's WithCapabilities order: ALL adds, ALL drops, single adds, single drops."""
    adds, drops = {_cap(c) for c in add}, {_cap(c) for c in drop}
    caps = set(ALL_CAPABILITIES if "CAP_ALL" in adds else DEFAULT_CAPABILITIES)
    if "CAP_ALL" in drops:
        caps = set()
    caps |= adds - {"CAP_ALL"}
    caps -= drops
    return tuple(c for c in ALL_CAPABILITIES if c in caps)


def _cap(name: str) -> str:
    upper = str(name).upper()
    return upper if upper.startswith("CAP_") else "CAP_" + upper


def capability_mask(caps: tuple[str, ...]) -> int:
    """The set as /proc/<pid>/status prints it (CapEff)."""
    return sum(1 << ALL_CAPABILITIES.index(c) for c in caps)


def verify_run_as_non_root(pod: Obj, container: Obj, pod_label: str, image_user: str = "") -> str | None:
    """kubelet's verifyRunAsNonRoot: the CreateContainerConfigError message, or None.

    `image_user` is the image's USER ("" = root); `pod_label` is format.Pod (name_ns(uid)).
    """
    pod_ctx = pod.get("spec", {}).get("securityContext") or {}
    ctx = container.get("securityContext") or {}
    if not _field(pod_ctx, ctx, "runAsNonRoot"):
        return None
    name = container.get("name", "")
    where = f'(pod: "{pod_label}", container: {name})'
    uid = _field(pod_ctx, ctx, "runAsUser")
    if uid is not None:
        return f"container's runAsUser breaks non-root policy {where}" if int(uid) == 0 else None
    if image_user and not image_user.split(":")[0].isdigit():
        return (
            f"container has runAsNonRoot and image has non-numeric user ({image_user}), "
            f"cannot verify user is non-root {where}"
        )
    image_uid = int(image_user.split(":")[0]) if image_user else IMAGE_UID
    if image_uid == 0:
        return f"container has runAsNonRoot and image will run as root {where}"
    return None
