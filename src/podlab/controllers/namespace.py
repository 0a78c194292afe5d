"""The namespace controller (k8s `pkg/controller/namespace/deletion/namespaced_resources_deleter.go`,
`status_condition_utils.go`) and the system-namespaces controller
(`pkg/controlplane/controller/systemnamespaces`), sans-IO.

A namespace being deleted (deletionTimestamp, phase Terminating, `kubernetes` in spec.finalizers)
is emptied: every namespaced object in it is deleted as a client's DELETE would do it (a pod
gracefully, through its kubelet). Once all of it is being deleted, the status conditions say what
remains, in the controller's words; when nothing remains, `kubernetes` leaves spec.finalizers (the
`/finalize` update), and the store removes the namespace.

Kubernetes deletes by deletecollection, then lists what remains, in one step; here the deletes are
one pass and the count the next (the driver passes again after any write), so the count sees
only what stays: pods terminating, objects held by finalizers.
"""

from __future__ import annotations

from datetime import datetime

from podlab.controllers.actions import Action, CreateObject, DeleteObject, PatchObject, ResourceKey, SetStatus
from podlab.controllers.util import Obj, meta, name_of, uid_of
from podlab.k8s.timestamps import format_time

NAMESPACES: ResourceKey = ("", "namespaces")
FINALIZER = "kubernetes"
# The apiserver's system-namespaces controller recreates these (about once a minute there; on
# every resync here). `default` cannot be deleted at all (NamespaceLifecycle admission).
SYSTEM_NAMESPACES = ("kube-system", "kube-public", "kube-node-lease")

# status_condition_utils.go conditionTypes, in order, with the "ok" variant of each.
_OK_CONDITIONS = (
    ("NamespaceDeletionDiscoveryFailure", "ResourcesDiscovered", "All resources successfully discovered"),
    (
        "NamespaceDeletionGroupVersionParsingFailure",
        "ParsedGroupVersions",
        "All legacy kube types successfully parsed",
    ),
    (
        "NamespaceDeletionContentFailure",
        "ContentDeleted",
        "All content successfully deleted, may be waiting on finalization",
    ),
    ("NamespaceContentRemaining", "ContentRemoved", "All content successfully removed"),
    ("NamespaceFinalizersRemaining", "ContentHasNoFinalizers", "All content-preserving finalizers finished"),
)


def is_terminating(ns: Obj) -> bool:
    return bool(meta(ns).get("deletionTimestamp"))


def sync_namespace(ns: Obj, contents: dict[ResourceKey, list[Obj]], now: datetime) -> list[Action]:
    """One step of deleting `ns`, given every namespaced object in it, keyed by resource."""
    if not is_terminating(ns):
        return []
    name = name_of(ns)
    deletes: list[Action] = [
        DeleteObject(key, name, name_of(obj), uid=uid_of(obj))
        for key, items in sorted(contents.items())
        for obj in items
        if not meta(obj).get("deletionTimestamp")
    ]
    if deletes:
        return deletes
    out: list[Action] = []
    status = namespace_status(ns, contents, now)
    if status != ns.get("status"):
        out.append(SetStatus(NAMESPACES, "", name, status))
    if not any(contents.values()):
        finalizers = (ns.get("spec") or {}).get("finalizers") or []
        if FINALIZER in finalizers:
            # The /finalize update: only this controller's finalizer goes.
            kept = [f for f in finalizers if f != FINALIZER]
            out.append(PatchObject(NAMESPACES, "", name, {"spec": {"finalizers": kept}}))
    return out


def namespace_status(ns: Obj, contents: dict[ResourceKey, list[Obj]], now: datetime) -> Obj:
    """phase Terminating and the five deletion conditions (updateConditions: a condition's
    lastTransitionTime changes only with its status)."""
    failing: dict[str, tuple[str, str]] = {}
    remaining = sorted(
        f"{key[1]}.{key[0]} has {len(items)} resource instances" for key, items in contents.items() if items
    )
    if remaining:
        failing["NamespaceContentRemaining"] = (
            "SomeResourcesRemain",
            f"Some resources are remaining: {', '.join(remaining)}",
        )
    by_finalizer: dict[str, int] = {}
    for items in contents.values():
        for obj in items:
            for finalizer in meta(obj).get("finalizers") or []:
                by_finalizer[finalizer] = by_finalizer.get(finalizer, 0) + 1
    if by_finalizer:
        held = sorted(f"{f} in {n} resource instances" for f, n in by_finalizer.items())
        failing["NamespaceFinalizersRemaining"] = (
            "SomeFinalizersRemain",
            f"Some content in the namespace has finalizers remaining: {', '.join(held)}",
        )
    status: Obj = dict(ns.get("status") or {})
    status["phase"] = "Terminating"
    old = {c.get("type"): c for c in status.get("conditions") or []}
    conditions: list[Obj] = []
    for ctype, ok_reason, ok_message in _OK_CONDITIONS:
        state, (reason, message) = (
            ("True", failing[ctype]) if ctype in failing else ("False", (ok_reason, ok_message))
        )
        previous = old.get(ctype)
        since = format_time(now)
        if previous is not None and previous.get("status") == state and previous.get("lastTransitionTime"):
            since = previous["lastTransitionTime"]
        conditions.append(
            {
                "type": ctype,
                "status": state,
                "lastTransitionTime": since,
                "reason": reason,
                "message": message,
            }
        )
    status["conditions"] = conditions
    return status


def missing_system_namespaces(namespaces: list[Obj]) -> list[Action]:
    present = {name_of(ns) for ns in namespaces}
    return [
        CreateObject(NAMESPACES, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
        for name in SYSTEM_NAMESPACES
        if name not in present
    ]
