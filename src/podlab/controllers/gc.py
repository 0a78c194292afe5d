"""Garbage collection of dependents (k8s pkg/controller/garbagecollector), background
propagation only: an object whose owners are all gone is deleted."""

from __future__ import annotations

from podlab.controllers.actions import DeleteObject, ResourceKey
from podlab.controllers.util import Obj, meta, name_of, namespace_of, uid_of


def orphaned_dependents(objects: dict[ResourceKey, list[Obj]], owner_kinds: set[str]) -> list[DeleteObject]:
    """Deletes for objects whose every owner reference points at a missing object.

    Only owners of `owner_kinds` are judged (the kinds whose full list is in `objects`); a
    reference to any other kind keeps the dependent alive, as podlab cannot see that owner.
    Objects already being deleted are left to finish.
    """
    present = {uid_of(o) for items in objects.values() for o in items}
    out: list[DeleteObject] = []
    for key, items in objects.items():
        for obj in items:
            refs = meta(obj).get("ownerReferences") or []
            if not refs or meta(obj).get("deletionTimestamp"):
                continue
            if all(ref.get("kind") in owner_kinds and ref.get("uid") not in present for ref in refs):
                out.append(DeleteObject(key, namespace_of(obj), name_of(obj), uid=uid_of(obj)))
    return out
