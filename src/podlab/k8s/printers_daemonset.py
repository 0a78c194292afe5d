"""The DaemonSet Table (k8s pkg/printers/internalversion/printers.go printDaemonSet)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from podlab.k8s.errors import Obj
from podlab.k8s.printers_common import (
    AGE,
    CONTAINERS,
    IMAGES,
    NAME,
    Column,
    age_of,
    as_int,
    as_obj,
    name_of,
    template_cells,
)
from podlab.k8s.selectors import selector_string

DAEMONSET_COLUMNS: list[Column] = [
    NAME,
    (
        "Desired",
        "integer",
        0,
        "The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod). More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/",
    ),
    (
        "Current",
        "integer",
        0,
        "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod. More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/",
    ),
    (
        "Ready",
        "integer",
        0,
        "numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.",
    ),
    ("Up-to-date", "integer", 0, "The total number of nodes that are running updated daemon pod"),
    (
        "Available",
        "integer",
        0,
        "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)",
    ),
    (
        "Node Selector",
        "string",
        0,
        "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/",
    ),
    AGE,
    CONTAINERS,
    IMAGES,
    (
        "Selector",
        "string",
        1,
        "A label query over pods that are managed by the daemon set. Must match in order to be controlled. It must match the pod template's labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors",
    ),
]


def _format_labels(labels: Obj) -> str:
    """labels.FormatLabels: sorted k=v pairs, `<none>` when empty."""
    return ",".join(f"{k}={labels[k]}" for k in sorted(labels)) or "<none>"


def daemonset_row(obj: Obj, now: datetime) -> list[Any]:
    spec, status = as_obj(obj.get("spec")), as_obj(obj.get("status"))
    pod_spec = as_obj(as_obj(spec.get("template")).get("spec"))
    return [
        name_of(obj),
        as_int(status.get("desiredNumberScheduled")),
        as_int(status.get("currentNumberScheduled")),
        as_int(status.get("numberReady")),
        as_int(status.get("updatedNumberScheduled")),
        as_int(status.get("numberAvailable")),
        _format_labels(as_obj(pod_spec.get("nodeSelector"))),
        age_of(obj, now),
        *template_cells(as_obj(spec.get("template"))),
        selector_string(spec.get("selector")),
    ]
