"""Server-side printing: meta.k8s.io/v1 Tables with the columns and cells of the real printers
(k8s pkg/printers/internalversion/printers.go). The server always fills the wide (priority 1)
cells; kubectl hides them unless `-o wide`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from podlab.k8s.duration import age
from podlab.k8s.errors import Obj
from podlab.k8s.printers_apps import (
    CONTROLLERREVISION_COLUMNS,
    STATEFULSET_COLUMNS,
    controllerrevision_row,
    statefulset_row,
)
from podlab.k8s.printers_batch import CRONJOB_COLUMNS, JOB_COLUMNS, cronjob_row, job_row
from podlab.k8s.printers_common import (
    AGE,
    AGE_DOC,
    CONTAINERS,
    IMAGES,
    NAME,
    NAME_DOC,
    Column,
    Printer,
    age_of,
    as_int,
    as_obj,
    dicts,
    meta_of,
    name_of,
    template_cells,
)
from podlab.k8s.printers_daemonset import DAEMONSET_COLUMNS, daemonset_row
from podlab.k8s.printers_network import (
    ENDPOINTS_COLUMNS,
    ENDPOINTSLICE_COLUMNS,
    endpoints_row,
    endpointslice_row,
    service_external_ip,
)
from podlab.k8s.printers_pod import POD_COLUMNS, pod_row, pod_row_conditions
from podlab.k8s.printers_rbac import CLUSTERROLEBINDING_COLUMNS, ROLEBINDING_COLUMNS, rolebinding_row
from podlab.k8s.printers_served import (
    HPA_COLUMNS,
    INGRESS_COLUMNS,
    INGRESSCLASS_COLUMNS,
    LEASE_COLUMNS,
    NETWORKPOLICY_COLUMNS,
    PDB_COLUMNS,
    hpa_row,
    ingress_row,
    ingressclass_row,
    lease_row,
    networkpolicy_row,
    pdb_row,
)
from podlab.k8s.printers_storage import (
    PV_COLUMNS,
    PVC_COLUMNS,
    STORAGECLASS_COLUMNS,
    pv_row,
    pvc_row,
    storageclass_row,
)
from podlab.k8s.selectors import format_labels, selector_string
from podlab.k8s.timestamps import parse_time

# ---- workloads -----------------------------------------------------------------------------------


def _replicas(spec: Obj) -> int:
    value = spec.get("replicas")
    return 1 if value is None else as_int(value)


DEPLOYMENT_COLUMNS: list[Column] = [
    NAME,
    ("Ready", "string", 0, "Number of the pod with ready state"),
    (
        "Up-to-date",
        "integer",
        0,
        "Total number of non-terminating pods targeted by this deployment that have the desired template spec.",
    ),
    (
        "Available",
        "integer",
        0,
        "Total number of available non-terminating pods (ready for at least minReadySeconds) targeted by this deployment.",
    ),
    AGE,
    CONTAINERS,
    IMAGES,
    (
        "Selector",
        "string",
        1,
        "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.",
    ),
]


def deployment_row(obj: Obj, now: datetime) -> list[Any]:
    spec, status = as_obj(obj.get("spec")), as_obj(obj.get("status"))
    containers, images = template_cells(as_obj(spec.get("template")))
    return [
        name_of(obj),
        f"{as_int(status.get('readyReplicas'))}/{_replicas(spec)}",
        as_int(status.get("updatedReplicas")),
        as_int(status.get("availableReplicas")),
        age_of(obj, now),
        containers,
        images,
        selector_string(spec.get("selector")),
    ]


REPLICASET_COLUMNS: list[Column] = [
    NAME,
    (
        "Desired",
        "integer",
        0,
        "Replicas is the number of desired pods. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1.",
    ),
    ("Current", "integer", 0, "Replicas is the most recently observed number of non-terminating pods."),
    (
        "Ready",
        "integer",
        0,
        "The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition.",
    ),
    AGE,
    CONTAINERS,
    IMAGES,
    ("Selector", "string", 1, "Selector is a label query over pods that should match the replica count."),
]


def replicaset_row(obj: Obj, now: datetime) -> list[Any]:
    spec, status = as_obj(obj.get("spec")), as_obj(obj.get("status"))
    containers, images = template_cells(as_obj(spec.get("template")))
    return [
        name_of(obj),
        _replicas(spec),
        as_int(status.get("replicas")),
        as_int(status.get("readyReplicas")),
        age_of(obj, now),
        containers,
        images,
        selector_string(spec.get("selector")),
    ]


# ---- events --------------------------------------------------------------------------------------

EVENT_COLUMNS: list[Column] = [
    ("Last Seen", "string", 0, "The time at which the most recent occurrence of this event was recorded."),
    ("Type", "string", 0, "Type of this event (Normal, Warning), new types could be added in the future"),
    (
        "Reason",
        "string",
        0,
        "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
    ),
    ("Object", "string", 0, "The object that this event is about."),
    (
        "Subobject",
        "string",
        1,
        "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].",
    ),
    (
        "Source",
        "string",
        1,
        "The component reporting this event. Should be a short machine understandable string.",
    ),
    ("Message", "string", 0, "A human-readable description of the status of this operation."),
    (
        "First Seen",
        "string",
        1,
        "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)",
    ),
    ("Count", "string", 1, "The number of times this event has occurred."),
    ("Name", "string", 1, NAME_DOC),
]


def _event_source(event: Obj) -> str:
    source = as_obj(event.get("source"))
    component = source.get("component") or event.get("reportingComponent") or ""
    instance = source.get("host") or event.get("reportingInstance") or ""
    if not component:
        return "<unknown>"
    return f"{component}, {instance}" if instance else str(component)


def event_row(event: Obj, now: datetime) -> list[Any]:
    first = age(event.get("firstTimestamp"), now)
    if parse_time(event.get("firstTimestamp")) is None:
        first = age(event.get("eventTime"), now)
    last = age(event.get("lastTimestamp"), now)
    if parse_time(event.get("lastTimestamp")) is None:
        last = first
    count = as_int(event.get("count"))
    series = event.get("series")
    if isinstance(series, dict):
        last = age(series.get("lastObservedTime"), now)
        count = as_int(series.get("count"))
    elif count == 0:
        count = 1  # singleton events of the new API carry no count
    involved = as_obj(event.get("involvedObject"))
    kind = str(involved.get("kind", "")).lower()
    target = f"{kind}/{involved['name']}" if involved.get("name") else kind
    return [
        last,
        event.get("type", ""),
        event.get("reason", ""),
        target,
        involved.get("fieldPath", ""),
        _event_source(event),
        str(event.get("message", "")).strip(),
        first,
        count,
        name_of(event),
    ]


# ---- config, namespaces, services, default ---------------------------------------------------------

CONFIGMAP_COLUMNS: list[Column] = [
    NAME,
    (
        "Data",
        "string",
        0,
        "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process.",
    ),
    AGE,
]


def configmap_row(obj: Obj, now: datetime) -> list[Any]:
    return [name_of(obj), len(as_obj(obj.get("data"))) + len(as_obj(obj.get("binaryData"))), age_of(obj, now)]


SERVICEACCOUNT_COLUMNS: list[Column] = [
    NAME,
    (
        "Secrets",
        "string",
        0,
        "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.",
    ),
    AGE,
]


def serviceaccount_row(obj: Obj, now: datetime) -> list[Any]:
    secrets = obj.get("secrets")
    return [name_of(obj), len(secrets) if isinstance(secrets, list) else 0, age_of(obj, now)]


SECRET_COLUMNS: list[Column] = [
    NAME,
    (
        "Type",
        "string",
        0,
        "Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types",
    ),
    (
        "Data",
        "string",
        0,
        "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4",
    ),
    AGE,
]


def secret_row(obj: Obj, now: datetime) -> list[Any]:
    return [name_of(obj), obj.get("type", ""), len(as_obj(obj.get("data"))), age_of(obj, now)]


NAMESPACE_COLUMNS: list[Column] = [
    NAME,
    ("Status", "string", 0, "The status of the namespace"),
    AGE,
]


def namespace_row(obj: Obj, now: datetime) -> list[Any]:
    return [name_of(obj), as_obj(obj.get("status")).get("phase", ""), age_of(obj, now)]


SERVICE_COLUMNS: list[Column] = [
    NAME,
    ("Type", "string", 0, "type determines how the Service is exposed."),
    (
        "Cluster-IP",
        "string",
        0,
        "clusterIP is the IP address of the service and is usually assigned randomly.",
    ),
    (
        "External-IP",
        "string",
        0,
        "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.",
    ),
    ("Port(s)", "string", 0, "The list of ports that are exposed by this service."),
    AGE,
    (
        "Selector",
        "string",
        1,
        "Route service traffic to pods with label keys and values matching this selector.",
    ),
]


def service_row(obj: Obj, now: datetime) -> list[Any]:
    spec = as_obj(obj.get("spec"))
    ports = []
    for p in dicts(spec.get("ports")):
        text = f"{p.get('port')}/{p.get('protocol', 'TCP')}"
        if p.get("nodePort"):
            text = f"{p.get('port')}:{p.get('nodePort')}/{p.get('protocol', 'TCP')}"
        ports.append(text)
    external = service_external_ip(spec, as_obj(obj.get("status")))
    return [
        name_of(obj),
        spec.get("type", "ClusterIP"),
        spec.get("clusterIP") or "<none>",
        external,
        ",".join(ports) or "<none>",
        age_of(obj, now),
        format_labels(spec.get("selector")),
    ]


NODE_COLUMNS: list[Column] = [
    NAME,
    ("Status", "string", 0, "The status of the node"),
    ("Roles", "string", 0, "The roles of the node"),
    AGE,
    ("Version", "string", 0, "Kubelet Version reported by the node."),
    (
        "Internal-IP",
        "string",
        1,
        "List of addresses reachable to the node. Queried from cloud provider, if available.",
    ),
    (
        "External-IP",
        "string",
        1,
        "List of addresses reachable to the node. Queried from cloud provider, if available.",
    ),
    (
        "OS-Image",
        "string",
        1,
        "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).",
    ),
    (
        "Kernel-Version",
        "string",
        1,
        "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
    ),
    (
        "Container-Runtime",
        "string",
        1,
        "Container runtime version reported by the node through runtime remote API (e.g. containerd://1.4.2).",
    ),
]


def node_row(obj: Obj, now: datetime) -> list[Any]:
    """printers.go printNode: Ready/NotReady (+SchedulingDisabled), roles from node-role labels."""
    status = as_obj(obj.get("status"))
    ready = next((c for c in dicts(status.get("conditions")) if c.get("type") == "Ready"), None)
    state = "Ready" if ready is not None and ready.get("status") == "True" else "NotReady"
    if as_obj(obj.get("spec")).get("unschedulable"):
        state += ",SchedulingDisabled"
    labels = as_obj(meta_of(obj).get("labels"))
    roles = sorted(
        k.split("/", 1)[1] for k in labels if k.startswith("node-role.kubernetes.io/") and "/" in k
    )
    addresses = dicts(status.get("addresses"))
    internal = next((a.get("address", "") for a in addresses if a.get("type") == "InternalIP"), "<none>")
    external = next((a.get("address", "") for a in addresses if a.get("type") == "ExternalIP"), "<none>")
    info = as_obj(status.get("nodeInfo"))
    return [
        name_of(obj),
        state,
        ",".join(r for r in roles if r) or "<none>",
        age_of(obj, now),
        info.get("kubeletVersion", ""),
        internal,
        external,
        info.get("osImage", "<unknown>"),
        info.get("kernelVersion", "<unknown>"),
        info.get("containerRuntimeVersion", "<unknown>"),
    ]


# rest.DefaultTableConvertor, for kinds without a printer.
DEFAULT_COLUMNS: list[Column] = [NAME, ("Created At", "date", 0, AGE_DOC)]


def default_row(obj: Obj, now: datetime) -> list[Any]:
    return [name_of(obj), meta_of(obj).get("creationTimestamp", "")]


PRINTERS: dict[str, tuple[list[Column], Printer]] = {
    "Pod": (POD_COLUMNS, pod_row),
    "Deployment": (DEPLOYMENT_COLUMNS, deployment_row),
    "ReplicaSet": (REPLICASET_COLUMNS, replicaset_row),
    "Job": (JOB_COLUMNS, job_row),
    "CronJob": (CRONJOB_COLUMNS, cronjob_row),
    "DaemonSet": (DAEMONSET_COLUMNS, daemonset_row),
    "StatefulSet": (STATEFULSET_COLUMNS, statefulset_row),
    "ControllerRevision": (CONTROLLERREVISION_COLUMNS, controllerrevision_row),
    "PersistentVolumeClaim": (PVC_COLUMNS, pvc_row),
    "PersistentVolume": (PV_COLUMNS, pv_row),
    "StorageClass": (STORAGECLASS_COLUMNS, storageclass_row),
    "Event": (EVENT_COLUMNS, event_row),
    "ConfigMap": (CONFIGMAP_COLUMNS, configmap_row),
    "Secret": (SECRET_COLUMNS, secret_row),
    "Namespace": (NAMESPACE_COLUMNS, namespace_row),
    "Service": (SERVICE_COLUMNS, service_row),
    "Node": (NODE_COLUMNS, node_row),
    "ServiceAccount": (SERVICEACCOUNT_COLUMNS, serviceaccount_row),
    "Endpoints": (ENDPOINTS_COLUMNS, endpoints_row),
    "EndpointSlice": (ENDPOINTSLICE_COLUMNS, endpointslice_row),
    "RoleBinding": (ROLEBINDING_COLUMNS, rolebinding_row),
    "ClusterRoleBinding": (CLUSTERROLEBINDING_COLUMNS, rolebinding_row),
    "Lease": (LEASE_COLUMNS, lease_row),
    "HorizontalPodAutoscaler": (HPA_COLUMNS, hpa_row),
    "PodDisruptionBudget": (PDB_COLUMNS, pdb_row),
    "NetworkPolicy": (NETWORKPOLICY_COLUMNS, networkpolicy_row),
    "Ingress": (INGRESS_COLUMNS, ingress_row),
    "IngressClass": (INGRESSCLASS_COLUMNS, ingressclass_row),
}


def _partial_metadata(obj: Obj) -> Obj:
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": meta_of(obj)}


def to_table(kind: str, objs: list[Obj], now: datetime) -> Obj:
    """A meta.k8s.io/v1 Table of objs; row objects are PartialObjectMetadata (includeObject=Metadata).

    `now` is UTC (a naive datetime is taken as UTC). The caller sets metadata.resourceVersion.
    """
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    columns, printer = PRINTERS.get(kind, (DEFAULT_COLUMNS, default_row))
    rows = []
    for obj in objs:
        row: Obj = {"cells": printer(obj, now), "object": _partial_metadata(obj)}
        if kind == "Pod":
            conditions = pod_row_conditions(obj)
            if conditions:
                row["conditions"] = conditions
        rows.append(row)
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {},
        "columnDefinitions": [
            {
                "name": name,
                "type": ctype,
                "format": "name" if name == "Name" else "",
                "description": doc,
                "priority": prio,
            }
            for name, ctype, prio, doc in columns
        ],
        "rows": rows,
    }
