"""The NamespaceLifecycle admission plugin, in its words (sans-IO; the namespace is passed in).

Source: k8s `staging/src/k8s.io/apiserver/pkg/admission/plugin/namespace/lifecycle/admission.go`
(`Admit`), with the name `admission.NewForbidden` picks (`pkg/admission/errors.go`,
`extractResourceName`: the request's name, else the object's name, else its generateName).

- `default`, `kube-system` and `kube-public` are immortal: deleting one is refused with
  `namespaces "default" is forbidden: this namespace may not be deleted`.
- Creating anything in a namespace being terminated is refused with `<resource> "<name>" is
  forbidden: unable to create new content in namespace NS because it is being terminated`, plus
  the cause `NamespaceTerminating` on `metadata.namespace`. Updates and deletes pass.
"""

from __future__ import annotations

from typing import Any

from podlab.store import Forbidden

Obj = dict[str, Any]

IMMORTAL_NAMESPACES = frozenset({"default", "kube-system", "kube-public"})


def admit_namespace_delete(name: str) -> Forbidden | None:
    if name in IMMORTAL_NAMESPACES:
        return Forbidden("", "namespaces", name, "this namespace may not be deleted")
    return None


def admit_create(group: str, plural: str, obj: Obj, namespace: Obj | None) -> Forbidden | None:
    """The refusal of a create into `namespace` (None: absent, left to the store's NotFound)."""
    if namespace is None or (namespace.get("status") or {}).get("phase") != "Terminating":
        return None
    meta = obj.get("metadata") or {}
    ns = namespace["metadata"]["name"]
    name = meta.get("name") or meta.get("generateName") or "Unknown"
    cause = {
        "reason": "NamespaceTerminating",
        "message": f"namespace {ns} is being terminated",
        "field": "metadata.namespace",
    }
    return Forbidden(
        group,
        plural,
        name,
        f"unable to create new content in namespace {ns} because it is being terminated",
        causes=[cause],
    )
