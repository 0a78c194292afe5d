"""A DaemonSet's ControllerRevisions (k8s pkg/controller/daemon/update.go constructHistory,
snapshot, dedupCurHistories, cleanupHistory), sans-IO: what `kubectl rollout history ds/x`
lists and `kubectl rollout undo ds/x` patches back.

The current template's revision is `<ds>-<hash>` (the hash the pods' controller-revision-hash
label carries), owned by the set, its data the strategic-merge patch that puts that template
back. A template equal to an older revision (a rollback) renumbers that revision as the newest;
revisions beyond spec.revisionHistoryLimit (10) that no pod runs are deleted, oldest first.
"""

from __future__ import annotations

import copy
from typing import Any

from podlab.controllers.actions import Action, CreateObject, DeleteObject, PatchObject
from podlab.controllers.util import Obj, meta, name_of, namespace_of, owner_reference, uid_of

CONTROLLERREVISIONS = ("apps", "controllerrevisions")
REVISION_HASH = "controller-revision-hash"
COMPONENT = "daemonset-controller"
DEFAULT_HISTORY_LIMIT = 10


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted(v) for v in value]
    return value


def revision_data(ds: Obj) -> Obj:
    """getPatch: the template, replacing whatever template the set has. Keys sorted as Go
    marshals a map, because kubectl compares these bytes with its own getPatch of the set to
    skip an undo to the current template."""
    template = copy.deepcopy((ds.get("spec") or {}).get("template") or {})
    template["$patch"] = "replace"
    return _sorted({"spec": {"template": template}})


def _number(revision: Obj) -> int:
    return int(revision.get("revision") or 0)


def history_actions(ds: Obj, revisions: list[Obj], current_hash: str, pods: list[Obj]) -> list[Action]:
    """The writes that make the set's revisions match its current template."""
    own = sorted(
        (
            r
            for r in revisions
            if any(ref.get("uid") == uid_of(ds) for ref in meta(r).get("ownerReferences") or [])
        ),
        key=_number,
    )
    name = f"{name_of(ds)}-{current_hash}"
    newest = max((_number(r) for r in own), default=0)
    actions: list[Action] = []
    existing = next((r for r in own if name_of(r) == name), None)
    if existing is None:
        template = (ds.get("spec") or {}).get("template") or {}
        revision_meta: Obj = {
            "name": name,
            "namespace": namespace_of(ds),
            "labels": {**((template.get("metadata") or {}).get("labels") or {}), REVISION_HASH: current_hash},
            "ownerReferences": [owner_reference(ds)],
        }
        if meta(ds).get("annotations"):
            revision_meta["annotations"] = dict(meta(ds)["annotations"])
        revision = {
            "apiVersion": "apps/v1",
            "kind": "ControllerRevision",
            "metadata": revision_meta,
            "data": revision_data(ds),
            "revision": newest + 1,
        }
        actions.append(CreateObject(CONTROLLERREVISIONS, revision, component=COMPONENT))
    elif _number(existing) < newest:
        actions.append(PatchObject(CONTROLLERREVISIONS, namespace_of(ds), name, {"revision": newest + 1}))
    limit = (ds.get("spec") or {}).get("revisionHistoryLimit")
    limit = DEFAULT_HISTORY_LIMIT if limit is None else int(limit)
    running = {
        str((meta(p).get("labels") or {}).get(REVISION_HASH))
        for p in pods
        if not meta(p).get("deletionTimestamp")
    }
    old = [
        r
        for r in own
        if name_of(r) != name and (meta(r).get("labels") or {}).get(REVISION_HASH) not in running
    ]
    for revision in old[: max(0, len(old) - limit)]:
        actions.append(
            DeleteObject(CONTROLLERREVISIONS, namespace_of(ds), name_of(revision), uid=uid_of(revision))
        )
    return actions
