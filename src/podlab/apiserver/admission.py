"""Pod admission: what a cluster's admission plugins refuse, in their words (sans-IO but the lookup).

- ServiceAccount (plugin/pkg/admission/serviceaccount): a pod naming an account that does not
  exist is refused: `pods "x" is forbidden: error looking up service account NS/NAME:
  serviceaccount "NAME" not found`.
- PodSecurity at level baseline (k8s.io/pod-security-admission, policy/check_privileged.go,
  check_capabilities_baseline.go): podlab cannot give a container host privileges (it runs in
  a sandbox whose capabilities hold only over its own namespaces, never the host's devices),
  so it refuses `privileged: true` and capabilities beyond baseline's list as a namespace
  labelled `pod-security.kubernetes.io/enforce: baseline` does, rather than run the pod
  without them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from podlab.store import StoreError

Obj = dict[str, Any]
# lookup(namespace, name) -> the ServiceAccount, or None.
AccountLookup = Callable[[str, str], Obj | None]

# check_capabilities_baseline.go: the capabilities baseline lets a container add.
BASELINE_CAPABILITIES = frozenset(
    {
        "AUDIT_WRITE",
        "CHOWN",
        "DAC_OVERRIDE",
        "FOWNER",
        "FSETID",
        "KILL",
        "MKNOD",
        "NET_BIND_SERVICE",
        "SETFCAP",
        "SETGID",
        "SETPCAP",
        "SETUID",
        "SYS_CHROOT",
    }
)


class Forbidden(StoreError):
    """Raised when admission refuses the object (403, reason Forbidden)."""

    code = 403
    reason = "Forbidden"

    def __init__(self, name: str, detail: str) -> None:
        super().__init__(f'pods "{name}" is forbidden: {detail}', details={"name": name, "kind": "pods"})


def admit_pod(pod: Obj, lookup: AccountLookup) -> Forbidden | None:
    """The refusal for a new pod, or None when every plugin admits it."""
    meta, spec = pod.get("metadata") or {}, pod.get("spec") or {}
    name, namespace = str(meta.get("name", "")), str(meta.get("namespace", "default"))
    violations = baseline_violations(spec)
    if violations:
        return Forbidden(name, 'violates PodSecurity "baseline:latest": ' + ", ".join(violations))
    account = str(spec.get("serviceAccountName") or "default")
    if lookup(namespace, account) is None:
        return Forbidden(
            name,
            f'error looking up service account {namespace}/{account}: serviceaccount "{account}" not found',
        )
    return None


def baseline_violations(spec: Obj) -> list[str]:
    """PodSecurity's forbidden reasons, in its order and wording (privileged first)."""
    containers = [
        c
        for field in ("initContainers", "containers", "ephemeralContainers")
        for c in spec.get(field) or []
        if isinstance(c, dict)
    ]
    privileged = [c.get("name", "") for c in containers if (c.get("securityContext") or {}).get("privileged")]
    out: list[str] = []
    if privileged:
        out.append(f"privileged ({_containers(privileged)} must not set securityContext.privileged=true)")
    bad_names: list[str] = []
    bad_caps: dict[str, None] = {}
    for c in containers:
        added = ((c.get("securityContext") or {}).get("capabilities") or {}).get("add") or []
        refused = [str(cap) for cap in added if str(cap) not in BASELINE_CAPABILITIES]
        if refused:
            bad_names.append(c.get("name", ""))
            bad_caps.update(dict.fromkeys(refused))
    if bad_names:
        caps = ", ".join(f'"{cap}"' for cap in sorted(bad_caps))
        out.append(
            f"non-default capabilities ({_containers(bad_names)} must not include {caps} "
            "in securityContext.capabilities.add)"
        )
    return out


def _containers(names: list[str]) -> str:
    quoted = ", ".join(f'"{n}"' for n in names)
    return f"container {quoted}" if len(names) == 1 else f"containers {quoted}"
