"""Pod admission: what a cluster's admission plugins refuse, in their words (sans-IO; the
ServiceAccount lookup is passed in). The API server answers a refusal with 403 Forbidden; the
ReplicaSet controller records it as a FailedCreate event (`Error creating: ...`).

- ServiceAccount (plugin/pkg/admission/serviceaccount): a pod naming an account that does not
  exist is refused: `pods "x" is forbidden: error looking up service account NS/NAME:
  serviceaccount "NAME" not found`. An admitted pod gets the account's API credentials
  (`mount_service_account_token`): a `kube-api-access-XXXXX` projected volume (a bound token,
  the `kube-root-ca.crt` ConfigMap's ca.crt, the namespace) mounted read-only at
  /var/run/secrets/kubernetes.io/serviceaccount in every container and init container that has
  nothing mounted there, unless automountServiceAccountToken is false (the pod's setting wins
  over the account's).
- PodSecurity at level baseline (k8s.io/pod-security-admission, policy/check_privileged.go,
  check_capabilities_baseline.go): podlab cannot give a container host privileges (it runs in
  a sandbox whose capabilities hold only over its own namespaces, never the host's devices),
  so it refuses `privileged: true` and capabilities beyond baseline's list as a namespace
  labelled `pod-security.kubernetes.io/enforce: baseline` does, rather than run the pod
  without them. One exception: SYS_PTRACE, which `kubectl debug`'s profiles add (a cluster's
  default namespaces enforce nothing, so `debug --copy-to` works there); in podlab's sandbox
  it holds only over the container's own user namespace, and a container switched to a
  non-root user loses it at execve as every capability.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from podlab.k8s.names import generate_name

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


@dataclass(frozen=True)
class Refusal:
    """Why admission refused a pod: the Status message and the name it gives."""

    name: str
    message: str  # pods "NAME" is forbidden: DETAIL

    def status_details(self) -> Obj:
        return {"name": self.name, "kind": "pods"}


def _forbidden(name: str, detail: str) -> Refusal:
    return Refusal(name, f'pods "{name}" is forbidden: {detail}')


def admit_pod(pod: Obj, lookup: AccountLookup) -> Refusal | None:
    """The refusal for a new pod, or None when every plugin admits it."""
    meta, spec = pod.get("metadata") or {}, pod.get("spec") or {}
    # A generated name is not chosen yet: the refusal names the prefix, as the apiserver's does.
    name = str(meta.get("name") or meta.get("generateName") or "")
    namespace = str(meta.get("namespace", "default"))
    violations = baseline_violations(spec)
    if violations:
        return _forbidden(name, 'violates PodSecurity "baseline:latest": ' + ", ".join(violations))
    account_name = str(spec.get("serviceAccountName") or "default")
    account = lookup(namespace, account_name)
    if account is None:
        return _forbidden(
            name,
            f'error looking up service account {namespace}/{account_name}: serviceaccount "{account_name}" not found',
        )
    if should_automount(spec, account):
        mount_service_account_token(spec)
    return None


TOKEN_MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"
TOKEN_VOLUME_PREFIX = "kube-api-access-"
ROOT_CA_CONFIGMAP = "kube-root-ca.crt"
TOKEN_EXPIRATION_SECONDS = 3607  # serviceaccount.WarnOnlyBoundTokenExpirationSeconds


def should_automount(spec: Obj, account: Obj) -> bool:
    for setting in (spec.get("automountServiceAccountToken"), account.get("automountServiceAccountToken")):
        if isinstance(setting, bool):
            return setting
    return True


def token_volume_source() -> Obj:
    """admission.TokenVolumeSource: what every kube-api-access volume projects."""
    return {
        "defaultMode": 0o644,
        "sources": [
            {"serviceAccountToken": {"expirationSeconds": TOKEN_EXPIRATION_SECONDS, "path": "token"}},
            {"configMap": {"name": ROOT_CA_CONFIGMAP, "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
            {
                "downwardAPI": {
                    "items": [
                        {
                            "path": "namespace",
                            "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"},
                        }
                    ]
                }
            },
        ],
    }


def mount_service_account_token(spec: Obj) -> None:
    volumes = spec.get("volumes") or []
    existing = next(
        (str(v.get("name")) for v in volumes if str(v.get("name", "")).startswith(TOKEN_VOLUME_PREFIX)), ""
    )
    volume_name = existing or generate_name(TOKEN_VOLUME_PREFIX)
    mount = {"name": volume_name, "readOnly": True, "mountPath": TOKEN_MOUNT_PATH}
    needed = False
    for field in ("initContainers", "containers"):
        for container in spec.get(field) or []:
            mounts = container.get("volumeMounts") or []
            if any(m.get("mountPath") == TOKEN_MOUNT_PATH for m in mounts):
                continue
            container["volumeMounts"] = [*mounts, dict(mount)]
            needed = True
    if needed and not existing:
        spec["volumes"] = [*volumes, {"name": volume_name, "projected": token_volume_source()}]


# What `kubectl debug` adds (its general/legacy profiles): accepted, see the module docstring.
DEBUG_CAPABILITIES = frozenset({"SYS_PTRACE"})


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
        refused = [str(cap) for cap in added if str(cap) not in BASELINE_CAPABILITIES | DEBUG_CAPABILITIES]
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
