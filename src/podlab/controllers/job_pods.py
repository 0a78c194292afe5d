"""A Job's pods as the job controller makes them (k8s pkg/controller/job/job_controller.go
getPodTemplate/createPods, indexed_job_utils.go): the tracking finalizer, and for an Indexed Job
the completion index, plus the interval strings of status.completedIndexes."""

from __future__ import annotations

import copy

from podlab.controllers.util import Obj, name_of, namespace_of, owner_reference

TRACKING_FINALIZER = "batch.kubernetes.io/job-tracking"
COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index"  # annotation and label
COMPLETION_INDEX_ENV = "JOB_COMPLETION_INDEX"
INDEX_FAILURE_COUNT = "batch.kubernetes.io/job-index-failure-count"  # with backoffLimitPerIndex


def _spec(job: Obj) -> Obj:
    s = job.get("spec")
    return s if isinstance(s, dict) else {}


# ---- indexes --------------------------------------------------------------------------------------


def parse_indexes(text: str | None, completions: int) -> set[int]:
    """parseIndexesFromString: "0-2,5" -> {0, 1, 2, 5}; values >= completions are dropped."""
    out: set[int] = set()
    for part in (text or "").split(","):
        if not part:
            continue
        first, _, last = part.partition("-")
        try:
            lo, hi = int(first), int(last or first)
        except ValueError:
            continue
        out.update(i for i in range(lo, hi + 1) if i < completions)
    return out


def format_indexes(indexes: set[int]) -> str:
    """orderedIntervals.String: sorted, consecutive runs as "a-b"."""
    parts: list[str] = []
    ordered = sorted(indexes)
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        parts.append(str(ordered[i]) if i == j else f"{ordered[i]}-{ordered[j]}")
        i = j + 1
    return ",".join(parts)


# ---- pods from the template -----------------------------------------------------------------------


def pod_from_template(job: Obj, index: int | None, failures: int | None = None) -> Obj:
    """GetPodFromTemplate plus the Job's additions: the tracking finalizer, and for an Indexed Job
    the completion index (annotation, label, JOB_COMPLETION_INDEX, hostname NAME-INDEX)."""
    template = _spec(job).get("template") or {}
    tmeta = template.get("metadata") or {}
    name = name_of(job)
    labels = copy.deepcopy(tmeta.get("labels") or {})
    annotations = copy.deepcopy(tmeta.get("annotations") or {})
    finalizers = list(tmeta.get("finalizers") or [])
    if TRACKING_FINALIZER not in finalizers:
        finalizers.append(TRACKING_FINALIZER)
    spec = copy.deepcopy(template.get("spec") or {})
    generate_name = f"{name}-"
    if index is not None:
        annotations[COMPLETION_INDEX] = str(index)
        labels[COMPLETION_INDEX] = str(index)  # PodIndexLabel, GA in 1.32
        spec["hostname"] = f"{name}-{index}"
        generate_name = f"{name}-{index}-"
        if failures is not None:
            annotations[INDEX_FAILURE_COUNT] = str(failures)
        for key in ("initContainers", "containers"):
            for container in spec.get(key) or []:
                env = container.setdefault("env", [])
                if not any(e.get("name") == COMPLETION_INDEX_ENV for e in env):
                    env.append(
                        {
                            "name": COMPLETION_INDEX_ENV,
                            "valueFrom": {
                                "fieldRef": {"fieldPath": f"metadata.labels['{COMPLETION_INDEX}']"}
                            },
                        }
                    )
    pod_meta: Obj = {
        "generateName": generate_name,
        "namespace": namespace_of(job),
        "labels": labels,
        "finalizers": finalizers,
        "ownerReferences": [owner_reference(job)],
    }
    if annotations:
        pod_meta["annotations"] = annotations
    return {"apiVersion": "v1", "kind": "Pod", "metadata": pod_meta, "spec": spec}
