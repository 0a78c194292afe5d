"""Adoption and release (k8s pkg/controller/controller_ref_manager.go ClaimObjects): a controller
owns the objects with its controller reference that its selector matches; it adopts matching
orphans and releases owned objects its selector no longer matches."""

from __future__ import annotations

from podlab.controllers.actions import PatchObject, ResourceKey
from podlab.controllers.util import Obj, controller_ref, meta, name_of, namespace_of, owner_reference, uid_of
from podlab.k8s.selectors import selector_matches


def claim(owner: Obj, candidates: list[Obj], key: ResourceKey) -> tuple[list[Obj], list[PatchObject]]:
    """(objects this owner controls after claiming, the ownerReferences patches to write)."""
    selector = (owner.get("spec") or {}).get("selector")
    owned: list[Obj] = []
    patches: list[PatchObject] = []
    deleting = bool(meta(owner).get("deletionTimestamp"))
    for obj in candidates:
        if namespace_of(obj) != namespace_of(owner):
            continue
        ref = controller_ref(obj)
        matches = selector_matches(selector, meta(obj).get("labels"))
        refs = list(meta(obj).get("ownerReferences") or [])
        if ref is not None and ref.get("uid") == uid_of(owner):
            if matches:
                owned.append(obj)
            elif not deleting:
                kept = [r for r in refs if r.get("uid") != uid_of(owner)]
                patches.append(
                    PatchObject(
                        key, namespace_of(obj), name_of(obj), {"metadata": {"ownerReferences": kept or None}}
                    )
                )
            continue
        if ref is None and matches and not deleting and not meta(obj).get("deletionTimestamp"):
            adopted = [*refs, owner_reference(owner)]
            patches.append(
                PatchObject(key, namespace_of(obj), name_of(obj), {"metadata": {"ownerReferences": adopted}})
            )
            obj = {**obj, "metadata": {**meta(obj), "ownerReferences": adopted}}
            owned.append(obj)
    return owned, patches
