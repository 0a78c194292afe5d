"""pods/ephemeralcontainers: the one way to add debug containers to a running pod.

The API server's rules (pkg/apis/core/validation ValidatePodEphemeralContainersUpdate): only
spec.ephemeralContainers changes through this subresource; entries are added, never changed or
removed; a new one needs a unique name and an image, and may not declare ports, probes or
lifecycle hooks. New entries are defaulted like containers.
"""

from __future__ import annotations

import copy
from typing import Any

from podlab.k8s import errors as fe
from podlab.k8s.defaults import default_container
from podlab.k8s.errors import FieldError, Obj

# Container fields an ephemeral container may not set (validateEphemeralContainers).
_NOT_ALLOWED = ("ports", "livenessProbe", "readinessProbe", "startupProbe", "lifecycle", "resources")
PATH = "spec.ephemeralContainers"


def ephemeral_update(old: Obj, sent: Obj) -> tuple[Obj, list[FieldError]]:
    """The pod to store (`old` with the sent list, new entries defaulted) and the field errors."""
    before = {c.get("name"): c for c in (old.get("spec") or {}).get("ephemeralContainers") or []}
    after: list[Any] = ((sent.get("spec") or {}).get("ephemeralContainers")) or []
    taken = {
        c.get("name")
        for kind in ("containers", "initContainers")
        for c in (old.get("spec") or {}).get(kind) or []
    }
    errors: list[FieldError] = []
    names: set[Any] = set()
    out: list[Obj] = []
    for i, entry in enumerate(after):
        path = f"{PATH}[{i}]"
        if not isinstance(entry, dict):
            errors.append(fe.invalid(path, entry, "must be an object"))
            continue
        name = entry.get("name")
        if name in before:
            kept = before[name]
            if _without_defaults(entry, kept) != kept:
                errors.append(
                    fe.forbidden(PATH, f'existing ephemeral containers "{name}" may not be changed')
                )
            out.append(kept)
            names.add(name)
            continue
        added = copy.deepcopy(entry)
        default_container(added)
        if not name:
            errors.append(fe.required(f"{path}.name", ""))
        elif name in names or name in taken:
            errors.append(fe.duplicate(f"{path}.name", name))
        if not added.get("image"):
            errors.append(fe.required(f"{path}.image", ""))
        errors += [
            fe.forbidden(f"{path}.{key}", "cannot be set for an Ephemeral Container")
            for key in _NOT_ALLOWED
            if added.get(key) and not (key == "resources" and added[key] == {})
        ]
        target = added.get("targetContainerName")
        if target and target not in taken:
            errors.append(fe.not_found(f"{path}.targetContainerName", target))
        names.add(name)
        out.append(added)
    for name in before:
        if name not in names:
            errors.append(fe.forbidden(PATH, f'existing ephemeral containers "{name}" may not be removed'))
    pod = copy.deepcopy(old)
    pod["spec"]["ephemeralContainers"] = out
    return pod, errors


def _without_defaults(sent: Obj, kept: Obj) -> Obj:
    """The sent entry with the defaults the stored one has filled in (clients echo either)."""
    merged = copy.deepcopy(sent)
    default_container(merged)
    for key, value in kept.items():
        merged.setdefault(key, value)
    return merged
