"""Pod volumes as host directories (configMap, secret, emptyDir, downwardAPI, projected, hostPath,
and persistentVolumeClaim: the hostPath or local directory of the claim's bound volume).

ConfigMap, Secret, downwardAPI and projected volumes are written as the kubelet writes them,
through its atomic writer (`..data` symlink swap, atomic_writer.py), and rewritten the same way
when their sources change while the pod runs (`refresh`).
"""

from __future__ import annotations

import base64
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from podlab.k8s.quantity import parse_quantity
from podlab.runtime.atomic_writer import write_payload
from podlab.runtime.fsgroup import set_volume_ownership
from podlab.runtime.tmpfs import mount_tmpfs
from podlab.runtime.types import os_error_text

Obj = dict[str, Any]
# lookup(kind, name) -> the object in the pod's namespace, kind "ConfigMap" or "Secret"; kind
# "ServiceAccountToken" with name "EXPIRATION_SECONDS/AUDIENCE" -> {"token": ...} (the kubelet's
# token for the pod, from TokenRequest) or {"error": why not}.
Lookup = Callable[[str, str], Obj | None]

DEFAULT_MODE = 0o644
# Volume kinds the kubelet always mounts read-only.
READ_ONLY_KINDS = ("configMap", "secret", "downwardAPI", "projected")
# Volume kinds whose files follow their sources while the pod runs (the atomic writer).
UPDATED_KINDS = ("configMap", "secret", "downwardAPI", "projected")


class VolumeError(Exception):
    """A volume cannot be set up; `message` is the kubelet's FailedMount wording."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class VolumeMount:
    """One `volumeMounts` entry, resolved to the host: bind `source` at `dest`."""

    dest: str  # mountPath, inside the container
    source: Path  # host file or directory (subPath applied)
    read_only: bool


def materialise(pod: Obj, lookup: Lookup, volumes_root: Path, *, tmpfs: bool = False) -> dict[str, Path]:
    """Write every volume of `pod` under `volumes_root/<name>`; returns name -> host directory.

    With `tmpfs` (the runtime, as root) secret, projected and `medium: Memory` volumes are tmpfs mounts,
    which the caller must unmount (tmpfs.unmount_under) before removing `volumes_root`.

    Everything is checked before anything is written, so a missing ConfigMap leaves the
    previous contents alone (nothing half-applied).
    """
    planned: list[tuple[str, dict[str, tuple[bytes, int]] | Path | None]] = [
        (str(vol["name"]), _plan(vol, pod, lookup)) for vol in pod.get("spec", {}).get("volumes") or []
    ]
    out: dict[str, Path] = {}
    kinds = {str(vol["name"]): vol for vol in pod.get("spec", {}).get("volumes") or []}
    fs_group = (pod.get("spec", {}).get("securityContext") or {}).get("fsGroup")
    for name, plan in planned:
        target = volumes_root / name
        try:
            out[name] = _apply(target, plan, kinds[name], tmpfs)
            kind = _kind(kinds[name])
            if fs_group is not None and kind not in ("hostPath", "persistentVolumeClaim"):
                set_volume_ownership(out[name], int(fs_group), read_only=kind in READ_ONLY_KINDS)
        except OSError as exc:  # e.g. no space left on device
            raise VolumeError(
                f'MountVolume.SetUp failed for volume "{name}" : {os_error_text(exc)}'
            ) from None
    return out


def _apply(target: Path, plan: dict[str, tuple[bytes, int]] | Path | None, vol: Obj, tmpfs: bool) -> Path:
    # The pod's volumes directory is owner-only: secrets must not be readable by other users
    # even where no tmpfs can be mounted.
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if isinstance(plan, Path):  # hostPath: used in place
        return plan
    if plan is None:  # emptyDir (and unknown kinds): survives container restarts
        empty = vol.get("emptyDir") or {}
        if tmpfs and empty.get("medium") == "Memory":
            limit = empty.get("sizeLimit")
            mount_tmpfs(target, size_bytes=int(parse_quantity(limit)) if limit else None, mode=0o777)
        target.mkdir(parents=True, exist_ok=True)
        # kubelet's emptyDir is 0777 whatever the umask: any runAsUser may write to it.
        os.chmod(target, 0o777)
        return target
    if tmpfs and ("secret" in vol or "projected" in vol) and not os.path.ismount(target):
        # kubelet: secret and projected volumes (ServiceAccount tokens) are tmpfs, never on disk.
        mount_tmpfs(target)
    write_payload(target, plan)
    return target


def refresh(pod: Obj, lookup: Lookup, volumes: Mapping[str, Path]) -> list[str]:
    """Rewrite the pod's configMap, secret, downwardAPI and projected volumes from their sources
    now (a running pod's update); returns the names that changed. A source that has gone or
    become invalid leaves the volume as it was, as the kubelet keeps the last good payload."""
    changed: list[str] = []
    fs_group = (pod.get("spec", {}).get("securityContext") or {}).get("fsGroup")
    for vol in pod.get("spec", {}).get("volumes") or []:
        name = str(vol["name"])
        if _kind(vol) not in UPDATED_KINDS or name not in volumes:
            continue
        try:
            plan = _plan(vol, pod, lookup)
        except VolumeError:
            continue
        if isinstance(plan, dict) and write_payload(volumes[name], plan):
            if fs_group is not None:
                set_volume_ownership(volumes[name], int(fs_group), read_only=True)
            changed.append(name)
    return changed


def _kind(vol: Mapping[str, Any]) -> str:
    return next((k for k in vol if k != "name"), "emptyDir")


def _plan(vol: Obj, pod: Obj, lookup: Lookup) -> dict[str, tuple[bytes, int]] | Path | None:
    name = vol["name"]
    if "configMap" in vol:
        src = vol["configMap"]
        obj = lookup("ConfigMap", src.get("name", ""))
        if obj is None:
            if src.get("optional"):
                return {}
            raise VolumeError(
                f'MountVolume.SetUp failed for volume "{name}" : configmap "{src.get("name", "")}" not found'
            )
        data = {k: str(v).encode() for k, v in (obj.get("data") or {}).items()}
        data.update({k: base64.b64decode(v) for k, v in (obj.get("binaryData") or {}).items()})
        return _select(name, "configmap", data, src)
    if "secret" in vol:
        src = vol["secret"]
        obj = lookup("Secret", src.get("secretName", ""))
        if obj is None:
            if src.get("optional"):
                return {}
            raise VolumeError(
                f'MountVolume.SetUp failed for volume "{name}" : secret "{src.get("secretName", "")}" not found'
            )
        data = {k: base64.b64decode(v) for k, v in (obj.get("data") or {}).items()}
        data.update({k: str(v).encode() for k, v in (obj.get("stringData") or {}).items()})
        return _select(name, "secret", data, src)
    if "downwardAPI" in vol:
        src = vol["downwardAPI"]
        mode = int(src.get("defaultMode", DEFAULT_MODE))
        files: dict[str, tuple[bytes, int]] = {}
        for item in src.get("items") or []:
            field = (item.get("fieldRef") or {}).get("fieldPath", "")
            files[_safe_rel(name, item["path"])] = (
                _downward(pod, field).encode(),
                int(item.get("mode", mode)),
            )
        return files
    if "projected" in vol:
        return _projected(vol, pod, lookup)
    if "persistentVolumeClaim" in vol:
        return _claimed(name, vol["persistentVolumeClaim"], lookup)
    if "hostPath" in vol:
        path = Path(vol["hostPath"].get("path", ""))
        if vol["hostPath"].get("type") in ("DirectoryOrCreate",):
            path.mkdir(parents=True, exist_ok=True)
        return path
    return None


def _claimed(volume: str, src: Obj, lookup: Lookup) -> Path:
    """The directory of the volume bound to the claim (local-path volumes are hostPath, type
    DirectoryOrCreate); the kubelet's words when the claim or its volume is not there."""
    claim_name = str(src.get("claimName", ""))
    claim = lookup("PersistentVolumeClaim", claim_name)
    if claim is None:
        raise VolumeError(f'persistentvolumeclaim "{claim_name}" not found')
    pv_name = str((claim.get("spec") or {}).get("volumeName") or "")
    pv = lookup("PersistentVolume", pv_name) if pv_name else None
    if pv is None:
        raise VolumeError(
            f'MountVolume.SetUp failed for volume "{volume}" : persistentvolumeclaim "{claim_name}" is not bound'
        )
    spec = pv.get("spec") or {}
    source = spec.get("hostPath") or spec.get("local") or {}
    if not source.get("path"):
        raise VolumeError(f'MountVolume.SetUp failed for volume "{volume}" : unsupported volume type')
    path = Path(str(source["path"]))
    if "hostPath" in spec and spec["hostPath"].get("type") == "DirectoryOrCreate":
        path.mkdir(parents=True, exist_ok=True)
    return path


def _projected(vol: Obj, pod: Obj, lookup: Lookup) -> dict[str, tuple[bytes, int]]:
    """One directory from several sources, each planned as its own volume kind would be, with
    the projected volume's defaultMode; a serviceAccountToken source is the kubelet's token."""
    src = vol["projected"]
    mode = int(src.get("defaultMode", DEFAULT_MODE))
    files: dict[str, tuple[bytes, int]] = {}
    for source in src.get("sources") or []:
        token_source = source.get("serviceAccountToken")
        if isinstance(token_source, dict):
            seconds = int(token_source.get("expirationSeconds") or 3600)
            found = lookup("ServiceAccountToken", f"{seconds}/{token_source.get('audience') or ''}") or {
                "error": "no token source"
            }
            if "token" not in found:
                raise VolumeError(
                    f'MountVolume.SetUp failed for volume "{vol["name"]}" : failed to fetch token: {found["error"]}'
                )
            path = _safe_rel(vol["name"], str(token_source.get("path") or "token"))
            files[path] = (str(found["token"]).encode(), mode)
        for kind in ("configMap", "secret", "downwardAPI"):
            if kind not in source:
                continue
            sub = {"defaultMode": mode, **source[kind]}
            if kind == "secret":
                sub["secretName"] = sub.get("name", "")
            part = _plan({"name": vol["name"], kind: sub}, pod, lookup)
            if isinstance(part, dict):
                files.update(part)
    return files


def _select(volume: str, kind: str, data: dict[str, bytes], src: Obj) -> dict[str, tuple[bytes, int]]:
    mode = int(src.get("defaultMode", DEFAULT_MODE))
    items = src.get("items")
    if not items:
        return {_safe_rel(volume, k): (v, mode) for k, v in data.items()}
    files: dict[str, tuple[bytes, int]] = {}
    for item in items:
        key = item.get("key", "")
        if key not in data:
            if src.get("optional"):
                continue
            raise VolumeError(
                f'MountVolume.SetUp failed for volume "{volume}" : {kind} references non-existent config key: {key}'
            )
        files[_safe_rel(volume, item.get("path", key))] = (data[key], int(item.get("mode", mode)))
    return files


def _safe_rel(volume: str, rel: str) -> str:
    p = PurePosixPath(rel)
    # The atomic writer's own names start with "..": no payload path may.
    if p.is_absolute() or ".." in p.parts or not p.parts or p.parts[0].startswith(".."):
        raise VolumeError(f'MountVolume.SetUp failed for volume "{volume}" : invalid path "{rel}"')
    return str(p)


def _downward(pod: Obj, field: str) -> str:
    meta = pod.get("metadata", {})
    if field in ("metadata.labels", "metadata.annotations"):
        values = meta.get(field.split(".")[1]) or {}
        return "\n".join(f'{k}="{v}"' for k, v in sorted(values.items()))
    simple = {
        "metadata.name": meta.get("name", ""),
        "metadata.namespace": meta.get("namespace", ""),
        "metadata.uid": meta.get("uid", ""),
        "spec.nodeName": pod.get("spec", {}).get("nodeName", ""),
        "spec.serviceAccountName": pod.get("spec", {}).get("serviceAccountName", ""),
        "status.podIP": pod.get("status", {}).get("podIP", ""),
        "status.hostIP": pod.get("status", {}).get("hostIP", ""),
    }
    return str(simple.get(field, ""))


def resolve_mounts(
    container: Obj, volumes: Mapping[str, Path], kinds: Mapping[str, str]
) -> list[VolumeMount]:
    """The container's volumeMounts as host sources; subPath is applied (created for emptyDir)."""
    mounts: list[VolumeMount] = []
    for vm in container.get("volumeMounts") or []:
        name = vm.get("name", "")
        if name not in volumes:
            raise VolumeError(f'unable to find volume "{name}" for container "{container.get("name", "")}"')
        source = volumes[name]
        sub = vm.get("subPath") or ""
        if sub:
            source = source / _safe_rel(name, sub)
            if not source.exists():
                # The kubelet creates a missing subPath as a directory.
                source.mkdir(parents=True, exist_ok=True)
        # ConfigMap, Secret and downwardAPI volumes are always mounted read-only.
        ro = bool(vm.get("readOnly")) or kinds.get(name) in READ_ONLY_KINDS
        mounts.append(VolumeMount(dest=str(vm.get("mountPath", "")), source=source, read_only=ro))
    return mounts


def volume_kinds(pod: Obj) -> dict[str, str]:
    return {str(v["name"]): _kind(v) for v in pod.get("spec", {}).get("volumes") or []}
