"""Which pods a ReplicaSet deletes first when scaling down: controller.ActivePodsWithRanks.Less
(k8s pkg/controller/controller_utils.go), with LogarithmicScaleDown and PodDeletionCost (both on
by default since 1.22/1.24)."""

from __future__ import annotations

import functools
import math
from collections import Counter
from datetime import datetime
from typing import Any

from podlab.controllers.util import is_pod_ready, meta, pod_ready_since
from podlab.k8s.timestamps import parse_time

Obj = dict[str, Any]

_PHASE_ORDINAL = {"Pending": 0, "Unknown": 1, "Running": 2}
_DELETION_COST = "controller.kubernetes.io/pod-deletion-cost"


def _deletion_cost(pod: Obj) -> int:
    try:
        return int((meta(pod).get("annotations") or {}).get(_DELETION_COST, "0"))
    except ValueError:
        return 0


def _max_restarts(pod: Obj) -> tuple[int, int]:
    status = pod.get("status") or {}
    regular = max((int(c.get("restartCount") or 0) for c in status.get("containerStatuses") or []), default=0)
    sidecars = {
        c.get("name")
        for c in (pod.get("spec") or {}).get("initContainers") or []
        if c.get("restartPolicy") == "Always"
    }
    sidecar = max(
        (
            int(c.get("restartCount") or 0)
            for c in status.get("initContainerStatuses") or []
            if c.get("name") in sidecars
        ),
        default=0,
    )
    return regular, sidecar


def _log_rank(when: datetime, now: datetime) -> int:
    nanos = int((now - when).total_seconds() * 1e9)
    return int(math.log2(nanos)) if nanos > 0 else -1


def _compare_times(a: datetime | None, b: datetime | None, now: datetime, uid_a: str, uid_b: str) -> int:
    """-1 when pod a goes first: newer first, in log2 buckets of age; zero times first."""
    if a is None or b is None:
        # afterOrZero: a zero time sorts first
        if a is None and b is None:
            return 0
        return -1 if a is None else 1
    diff = _log_rank(a, now) - _log_rank(b, now)
    if diff == 0:
        return -1 if uid_a < uid_b else (1 if uid_a > uid_b else 0)
    return -1 if diff < 0 else 1


def pods_to_delete(pods: list[Obj], count: int, now: datetime) -> list[Obj]:
    """The `count` pods Kubernetes would delete first."""
    if count >= len(pods):
        return list(pods)
    # Rank: how many of these pods share the pod's node ("doubled up" pods go first).
    on_node = Counter(str((p.get("spec") or {}).get("nodeName") or "") for p in pods)

    def rank(p: Obj) -> int:
        return on_node[str((p.get("spec") or {}).get("nodeName") or "")]

    def less(i: Obj, j: Obj) -> int:
        ni, nj = (i.get("spec") or {}).get("nodeName") or "", (j.get("spec") or {}).get("nodeName") or ""
        if ni != nj and (not ni or not nj):
            return -1 if not ni else 1
        pi = _PHASE_ORDINAL.get(str((i.get("status") or {}).get("phase")), 0)
        pj = _PHASE_ORDINAL.get(str((j.get("status") or {}).get("phase")), 0)
        if pi != pj:
            return -1 if pi < pj else 1
        ri, rj = is_pod_ready(i), is_pod_ready(j)
        if ri != rj:
            return -1 if not ri else 1
        ci, cj = _deletion_cost(i), _deletion_cost(j)
        if ci != cj:
            return -1 if ci < cj else 1
        if rank(i) != rank(j):
            return -1 if rank(i) > rank(j) else 1
        uid_i, uid_j = str(meta(i).get("uid", "")), str(meta(j).get("uid", ""))
        if ri and rj:
            ti, tj = pod_ready_since(i), pod_ready_since(j)
            if ti != tj:
                result = _compare_times(ti, tj, now, uid_i, uid_j)
                if result:
                    return result
        (reg_i, side_i), (reg_j, side_j) = _max_restarts(i), _max_restarts(j)
        if reg_i != reg_j:
            return -1 if reg_i > reg_j else 1
        if side_i != side_j:
            return -1 if side_i > side_j else 1
        created_i, created_j = (
            parse_time(meta(i).get("creationTimestamp")),
            parse_time(meta(j).get("creationTimestamp")),
        )
        if created_i != created_j:
            return _compare_times(created_i, created_j, now, uid_i, uid_j)
        return 0

    return sorted(pods, key=functools.cmp_to_key(less))[:count]
