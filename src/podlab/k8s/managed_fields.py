"""managedFields and server-side apply, as kube-apiserver's field manager keeps them
(k8s.io/apimachinery `pkg/util/managedfields`, structured-merge-diff `merge/update.go`).

Sans-IO: each function takes the live object, the new one or the applied config, who writes and
the time, and returns the object to store with its `metadata.managedFields`.

- Update (create, PUT, non-apply PATCH, scale): the writer owns what it added or changed, the
  others lose those fields (an update never conflicts). An object that has no managedFields is
  left untracked (`skipNonApplied`), except on create.
- Apply: the applier owns exactly the fields of its config; fields it owned before and dropped
  are removed unless someone else owns them; a field another manager owns and this config
  changes is a conflict (409) unless `force`, which takes it over. The first apply to an object
  without managedFields hands its existing fields to `before-first-apply`.

Identity of a manager is (manager, operation, subresource, and apiVersion for Update), as
`BuildManagerIdentifier` makes it; entries are sorted as `sortEncodedManagedFields` does.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass

from podlab.k8s import fieldpaths
from podlab.k8s.errors import Obj
from podlab.k8s.fieldpaths import Flat, Path

APPLY = "Apply"
UPDATE = "Update"
BEFORE_FIRST_APPLY = "before-first-apply"
ANCIENT_CHANGES = "ancient-changes"
MAX_UPDATE_MANAGERS = 10  # DefaultMaxUpdateManagers

# What the field manager strips before tracking (`stripmeta.go`), and fields only the server sets.
_STRIPPED_META = (
    "name",
    "namespace",
    "creationTimestamp",
    "selfLink",
    "uid",
    "generation",
    "managedFields",
    "resourceVersion",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
)
# Go zero values a new object is compared with on create: what exists there (non-pointer structs,
# fields without omitempty, which marshal as null) gets no `.` of its own, so
# `kubectl create deployment` owns f:strategy's children but not f:strategy itself.
_POD_SPEC: Obj = {"containers": None}
_TEMPLATE: Obj = {"metadata": {}, "spec": _POD_SPEC}
_SKELETONS: dict[str, Obj] = {
    "Pod": {"spec": _POD_SPEC},
    "Deployment": {"spec": {"selector": None, "template": _TEMPLATE, "strategy": {}}},
    "ReplicaSet": {"spec": {"selector": None, "template": _TEMPLATE}},
    "StatefulSet": {"spec": {"selector": None, "template": _TEMPLATE, "updateStrategy": {}}},
    "DaemonSet": {"spec": {"selector": None, "template": _TEMPLATE, "updateStrategy": {}}},
    "Job": {"spec": {"template": _TEMPLATE}},
    "CronJob": {"spec": {"schedule": "", "jobTemplate": {"metadata": {}, "spec": {"template": _TEMPLATE}}}},
}
# Pod fields podlab's defaulting fills that kube-apiserver's admission plugins set (ServiceAccount,
# Priority, DefaultTolerationSeconds) after the field manager ran: a creator owns them only if sent.
_ADMITTED: dict[str, tuple[str, ...]] = {
    "Pod": ("serviceAccountName", "serviceAccount", "priority", "tolerations")
}
_NO_SPEC = frozenset({"ConfigMap", "Secret", "ServiceAccount", "Event", "ControllerRevision", "StorageClass"})


@dataclass
class Entry:
    manager: str
    operation: str
    api_version: str
    time: str | None
    subresource: str
    fields: set[Path]

    @property
    def ident(self) -> tuple[str, str, str, str]:
        return (
            self.manager,
            self.operation,
            self.subresource,
            self.api_version if self.operation == UPDATE else "",
        )

    def encode(self) -> Obj:
        out: Obj = {"manager": self.manager, "operation": self.operation, "apiVersion": self.api_version}
        if self.time:
            out["time"] = self.time
        out["fieldsType"] = "FieldsV1"
        out["fieldsV1"] = fieldpaths.to_fields_v1(self.fields)
        if self.subresource:
            out["subresource"] = self.subresource
        return out

    def describe(self) -> str:
        """How a conflict names this manager (`printManager` in the apiserver's conflict.go)."""
        text = json.dumps(self.manager)
        if self.subresource:
            text += f" with subresource {json.dumps(self.subresource)}"
        if self.operation == UPDATE:
            text += f" using {self.api_version}"
        return text


@dataclass
class Conflict:
    manager: Entry
    path: Path


class ApplyConflict(Exception):
    """409 Conflict: fields another manager owns that the config would change."""

    def __init__(self, conflicts: list[Conflict]) -> None:
        self.conflicts = conflicts
        super().__init__(conflict_message(conflicts))

    def causes(self) -> list[Obj]:
        return [
            {
                "type": "FieldManagerConflict",
                "message": f"conflict with {c.manager.describe()}",
                "field": fieldpaths.path_string(c.path),
            }
            for c in self.conflicts
        ]


def conflict_message(conflicts: list[Conflict]) -> str:
    """The wording of the apiserver's `getConflictMessage`."""
    if len(conflicts) == 1:
        c = conflicts[0]
        return f"Apply failed with 1 conflict: conflict with {c.manager.describe()}: {fieldpaths.path_string(c.path)}"
    by_manager: dict[str, list[Path]] = {}
    for c in conflicts:
        by_manager.setdefault(c.manager.describe(), []).append(c.path)
    lines: list[str] = []
    for name in sorted(by_manager):
        lines.append(f"conflicts with {name}:")
        lines.extend(f"- {fieldpaths.path_string(p)}" for p in by_manager[name])
    return f"Apply failed with {len(conflicts)} conflicts: " + "\n".join(lines)


# ---- entries ----------------------------------------------------------------------------------


def decode(obj: Obj | None) -> list[Entry]:
    entries: list[Entry] = []
    raw = ((obj or {}).get("metadata") or {}).get("managedFields") or []
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, dict) or (not item.get("manager") and not item.get("fieldsV1")):
            continue
        entries.append(
            Entry(
                manager=str(item.get("manager", "")),
                operation=str(item.get("operation", UPDATE)),
                api_version=str(item.get("apiVersion", "")),
                time=item.get("time"),
                subresource=str(item.get("subresource", "")),
                fields=fieldpaths.from_fields_v1(item.get("fieldsV1")),
            )
        )
    return entries


def encode(entries: list[Entry]) -> list[Obj]:
    ordered = sorted(
        (e for e in entries if e.fields),
        key=lambda e: (e.operation, e.time or "", e.manager, e.api_version, e.subresource),
    )
    return [e.encode() for e in ordered]


def _cap_updates(entries: list[Entry]) -> list[Entry]:
    """At most MAX_UPDATE_MANAGERS Update entries: the oldest are merged, per API version, into
    an `ancient-changes` entry that takes the newest merged time (capmanagers.go)."""
    updaters = sorted((e for e in entries if e.operation == UPDATE), key=lambda e: (e.time or "", e.ident))
    count = len(updaters)
    if count <= MAX_UPDATE_MANAGERS:
        return entries
    first_by_version: dict[str, Entry] = {}
    buckets: dict[str, Entry] = {}
    gone: list[Entry] = []
    for entry in updaters:
        if count <= MAX_UPDATE_MANAGERS:
            break
        first = first_by_version.get(entry.api_version)
        if first is None:
            first_by_version[entry.api_version] = entry
            continue
        bucket = buckets.get(entry.api_version) or _find(
            entries, (ANCIENT_CHANGES, UPDATE, "", entry.api_version)
        )
        if bucket is None:
            # The first entry of this version becomes the bucket.
            bucket = Entry(ANCIENT_CHANGES, UPDATE, entry.api_version, first.time, "", set(first.fields))
            gone.append(first)
            entries = [*entries, bucket]
        buckets[entry.api_version] = bucket
        bucket.fields |= entry.fields
        bucket.time = entry.time
        gone.append(entry)
        count -= 1
    return [e for e in entries if not any(e is g for g in gone)]


def _with_entries(obj: Obj, entries: list[Entry]) -> Obj:
    meta = obj.setdefault("metadata", {})
    encoded = encode(_cap_updates(entries))
    if encoded:
        meta["managedFields"] = encoded
    else:
        meta.pop("managedFields", None)
    return obj


# ---- the tracked view of an object --------------------------------------------------------------


def _tracked(obj: Obj | None, kind: str, subresource: str) -> Obj:
    """The object as the field manager sees it: type and server-set metadata stripped; a write
    of the main resource tracks no status, a /status write nothing but status."""
    out = dict(obj) if obj else {}  # flattening only reads: copy what is changed here
    out.pop("apiVersion", None)
    out.pop("kind", None)
    meta = out.get("metadata")
    if isinstance(meta, dict):
        out["metadata"] = {k: v for k, v in meta.items() if k not in _STRIPPED_META}
    if subresource == "status":
        # status is a non-pointer struct: present (maybe empty) before any status write.
        return {"status": out.get("status") or {}}
    if kind not in _NO_SPEC:
        out.pop("status", None)
    return out


def _flat(obj: Obj | None, kind: str, subresource: str) -> Flat:
    try:
        return fieldpaths.flatten(_tracked(obj, kind, subresource), fieldpaths.root(kind))
    except fieldpaths.FieldPathError:
        return Flat()  # an object validation let through that cannot be keyed: untracked


def _skeleton(kind: str) -> Obj:
    return {"metadata": {}, **copy.deepcopy(_SKELETONS.get(kind, {}))}


def _find(entries: list[Entry], ident: tuple[str, str, str, str]) -> Entry | None:
    return next((e for e in entries if e.ident == ident), None)


def _drop_empty(entries: list[Entry]) -> list[Entry]:
    return [e for e in entries if e.fields]


# ---- Update ----------------------------------------------------------------------------------


def record_update(
    old: Obj | None,
    new: Obj,
    *,
    kind: str,
    api_version: str,
    manager: str,
    subresource: str | None,
    now: str,
    sent: Obj | None = None,
) -> Obj:
    """`new` with its managedFields after an Update by `manager` (in place, and returned).
    `sent`: on create, the object as the client sent it (before defaulting and admission).

    managedFields the client sent that differ from the stored ones replace them first
    (`[{}]` clears them), as the apiserver lets a client reset them."""
    sub = subresource or ""
    given = (new.get("metadata") or {}).get("managedFields")
    stored = (old or {}).get("metadata", {}).get("managedFields")
    entries = decode(new) if given is not None and given != stored else decode(old)
    if old is not None and not entries and given in (None, stored):
        # An object nobody tracked stays untracked (skipNonApplied).
        new.setdefault("metadata", {}).pop("managedFields", None)
        return new
    base = old if old is not None else _skeleton(kind)
    diff = fieldpaths.compare(_flat(base, kind, sub), _flat(new, kind, sub))
    changed = diff.added | diff.modified
    if old is None and sent is not None:
        changed = {p for p in changed if not _admitted(p, kind, sent)}
    for entry in entries:
        if entry.manager == manager and entry.operation == UPDATE and entry.subresource == sub:
            continue
        entry.fields -= changed | diff.removed
    ident = (manager, UPDATE, sub, api_version)
    mine = _find(entries, ident)
    if mine is None:
        mine = Entry(manager, UPDATE, api_version, now, sub, set())
        entries.append(mine)
    owned = (mine.fields - diff.removed) | changed
    # The time moves when this write added, changed or removed a field (ManagedFieldsEntry.time).
    if changed or diff.removed & mine.fields or owned != mine.fields:
        mine.fields = owned
        mine.time = now
    return _with_entries(new, _drop_empty(entries))


def _admitted(path: Path, kind: str, sent: Obj) -> bool:
    if len(path) < 2 or path[0] != ("f", "spec"):
        return False
    name = path[1][1]
    return name in _ADMITTED.get(kind, ()) and name not in (sent.get("spec") or {})


# ---- Apply -----------------------------------------------------------------------------------


def apply(
    live: Obj | None,
    config: Obj,
    *,
    kind: str,
    api_version: str,
    manager: str,
    force: bool,
    now: str,
    subresource: str = "",
) -> Obj:
    """The object after `manager` applies `config` (live None: created by it).

    Raises ApplyConflict, or fieldpaths.FieldPathError for a keyed list item without its key.
    """
    desc = fieldpaths.root(kind)
    config_flat = fieldpaths.flatten(_tracked(config, kind, subresource), desc, strict=True)
    entries = decode(live)
    if live is not None and not entries:
        before = fieldpaths.compare(_flat(_skeleton(kind), kind, subresource), _flat(live, kind, subresource))
        owned = before.added | before.modified
        if owned:
            entries.append(Entry(BEFORE_FIRST_APPLY, UPDATE, api_version, now, subresource, owned))
    ident = (manager, APPLY, subresource, "")
    previous = _find(entries, ident)
    last_set = set(previous.fields) if previous else set()

    merged = copy.deepcopy(fieldpaths.merge(live or {}, _config_body(config), desc))
    diff = fieldpaths.compare(_flat(live, kind, subresource), _flat(merged, kind, subresource))
    changed = diff.added | diff.modified
    conflicts: list[Conflict] = []
    for entry in entries:
        if entry.ident == ident:
            continue
        for path in sorted(entry.fields & changed, key=fieldpaths.sort_key):
            conflicts.append(Conflict(entry, path))
    if conflicts and not force:
        raise ApplyConflict(_sorted_conflicts(conflicts))
    for entry in entries:
        if entry.ident != ident:
            entry.fields -= changed | diff.removed
    if previous is None:
        previous = Entry(manager, APPLY, api_version, now, subresource, set())
        entries.append(previous)
    # The entry's time moves when the apply changed something (managedFieldsUpdater).
    if (
        changed
        or diff.removed
        or previous.fields != config_flat.members
        or previous.api_version != api_version
    ):
        previous.time = now
    previous.fields = set(config_flat.members)
    previous.api_version = api_version
    entries = _drop_empty(entries)

    # Fields the applier dropped from its config go, unless another manager still owns them.
    owned_now: set[Path] = set().union(*(e.fields for e in entries)) if entries else set()
    dropped = {p for p in last_set - owned_now if not any(o[: len(p)] == p for o in owned_now)}
    if dropped:
        merged = fieldpaths.remove(merged, dropped, desc)
    return _with_entries(merged, entries)


def _config_body(config: Obj) -> Obj:
    """The config's own content, without the metadata the server sets (it never merges)."""
    out = copy.deepcopy(config)
    meta = out.get("metadata")
    if isinstance(meta, dict):
        for name in ("managedFields", "resourceVersion", "uid", "creationTimestamp", "generation"):
            meta.pop(name, None)
    return out


def _sorted_conflicts(conflicts: list[Conflict]) -> list[Conflict]:
    return sorted(conflicts, key=lambda c: (c.manager.describe(), fieldpaths.sort_key(c.path)))


def manager_name(field_manager: str | None, user_agent: str | None) -> str:
    """`fieldManager`, else the User-Agent's program name (`managerOrUserAgent`)."""
    if field_manager:
        return field_manager
    return (user_agent or "").split("/")[0]
