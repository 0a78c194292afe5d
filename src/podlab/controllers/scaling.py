"""Scaling events (k8s pkg/controller/deployment/sync.go isScalingEvent, scale; util
GetProportion): when only .spec.replicas changed, every active ReplicaSet grows or shrinks in
proportion to its size, so a half-done rollout keeps its new/old ratio."""

from __future__ import annotations

from podlab.controllers.conditions import resolve_fenceposts
from podlab.controllers.util import (
    DESIRED_REPLICAS,
    MAX_REPLICAS,
    Obj,
    meta,
    name_of,
    replicas_of,
    status_int,
)


def _annotation_int(rs: Obj, key: str) -> int | None:
    try:
        return int((meta(rs).get("annotations") or {})[key])
    except (KeyError, ValueError):
        return None


def _max_surge(d: Obj) -> int:
    strategy = (d.get("spec") or {}).get("strategy") or {}
    return resolve_fenceposts(d)[0] if strategy.get("type", "RollingUpdate") == "RollingUpdate" else 0


def _created(rs: Obj) -> str:
    return str(meta(rs).get("creationTimestamp") or "")


def is_scaling_event(d: Obj, active_rss: list[Obj]) -> bool:
    """An active ReplicaSet was sized for a different .spec.replicas (its desired-replicas)."""
    desired = replicas_of(d)
    return any(_annotation_int(rs, DESIRED_REPLICAS) not in (None, desired) for rs in active_rss)


def is_saturated(d: Obj, rs: Obj | None) -> bool:
    if rs is None:
        return False
    desired = replicas_of(d)
    return (
        replicas_of(rs) == desired
        and _annotation_int(rs, DESIRED_REPLICAS) == desired
        and status_int(rs, "availableReplicas") == desired
    )


def find_active_or_latest(new_rs: Obj | None, old_rss: list[Obj]) -> Obj | None:
    if new_rs is None and not old_rss:
        return None
    newest_first = sorted(old_rss, key=_created, reverse=True)
    active = [rs for rs in [*newest_first, new_rs] if rs is not None and replicas_of(rs) > 0]
    if not active:
        return new_rs if new_rs is not None else newest_first[0]
    return active[0] if len(active) == 1 else None


def _fraction(rs: Obj, d: Obj) -> int:
    """getReplicaSetFraction."""
    if replicas_of(d) == 0:
        return -replicas_of(rs)
    max_now = replicas_of(d) + _max_surge(d)
    max_before = _annotation_int(rs, MAX_REPLICAS) or 0
    if max_before == 0:
        max_before = status_int(d, "replicas")
        if max_before == 0:
            return 0
    size = replicas_of(rs) * max_now / max_before
    return int(size + 0.5) - replicas_of(rs)  # integer.RoundToInt32: half away from zero (size >= 0)


def proportional_sizes(d: Obj, new_rs: Obj | None, old_rss: list[Obj]) -> list[tuple[Obj, int]]:
    """(ReplicaSet, new size) for the proportional scale of a rolling Deployment."""
    active = [rs for rs in [*old_rss, new_rs] if rs is not None and replicas_of(rs) > 0]
    total = sum(replicas_of(rs) for rs in active)
    allowed = replicas_of(d) + _max_surge(d) if replicas_of(d) > 0 else 0
    to_add = allowed - total
    if to_add > 0:  # ReplicaSetsBySizeNewer: bigger first, newer first on ties
        active.sort(key=lambda rs: (-replicas_of(rs), [-ord(c) for c in _created(rs)], name_of(rs)))
    elif to_add < 0:  # ReplicaSetsBySizeOlder: bigger first, older first on ties
        active.sort(key=lambda rs: (-replicas_of(rs), _created(rs), name_of(rs)))
    added = 0
    sizes: list[tuple[Obj, int]] = []
    for rs in active:
        if to_add == 0 or to_add == added:
            proportion = 0
        elif to_add > 0:
            proportion = min(_fraction(rs, d), to_add - added)
        else:
            proportion = max(_fraction(rs, d), to_add - added)
        sizes.append((rs, replicas_of(rs) + proportion))
        added += proportion
    if sizes and to_add != 0:
        rs, size = sizes[0]
        sizes[0] = (rs, max(0, size + to_add - added))  # leftovers go to the largest
    return sizes
