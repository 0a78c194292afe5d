"""metrics.k8s.io/v1beta1, what metrics-server serves and `kubectl top` reads: NodeMetrics and
PodMetrics (get, list; labelSelector), built from the runtime's usage (runtime/limits.py).

kubectl takes the first version of the group it knows from discovery; v1beta1 is the one every
kubectl reads (docs/reference/cgroups.md, "kubectl top"). Pods appear once a container of theirs
runs; an empty list makes kubectl print its own "metrics not available yet" words.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Protocol

from podlab.httpcore import Response
from podlab.k8s.duration import go_duration
from podlab.k8s.resources import ResourceInfo
from podlab.k8s.timestamps import format_time
from podlab.runtime.limits import ContainerUsage
from podlab.runtime.usage import Usage
from podlab.store import Store
from podlab.store.errors import NotFound, StoreError

from .negotiation import error_response, json_response, method_not_allowed, not_found_response

Obj = dict[str, Any]

GROUP, VERSION = "metrics.k8s.io", "v1beta1"
API_VERSION = f"{GROUP}/{VERSION}"
PREFIX = f"/apis/{GROUP}/{VERSION}/"
# Discovery rows (apiserver/discovery.py lists them with the store's kinds; they are not stored).
RESOURCES = (
    ResourceInfo(GROUP, VERSION, "NodeMetrics", "nodes", False, verbs=("get", "list")),
    ResourceInfo(GROUP, VERSION, "PodMetrics", "pods", True, verbs=("get", "list")),
)


class MetricsSource(Protocol):
    def container_usage(self) -> list[ContainerUsage]: ...

    def node_usage(self) -> tuple[Usage, datetime]: ...


def cpu_quantity(nanocores: int) -> str:
    return f"{nanocores}n"


def memory_quantity(size: int) -> str:
    # resource.NewQuantity(bytes, BinarySI) as metrics-server builds it: Ki when it divides.
    return f"{size // 1024}Ki" if size % 1024 == 0 and size else str(size)


def _usage(u: Usage) -> Obj:
    return {"cpu": cpu_quantity(u.cpu_nanocores), "memory": memory_quantity(u.memory_bytes)}


def pod_metrics(pod: Obj, usages: list[ContainerUsage], now: datetime) -> Obj:
    meta = pod["metadata"]
    out_meta: Obj = {
        "name": meta["name"],
        "namespace": meta["namespace"],
        "creationTimestamp": format_time(now),
    }
    if meta.get("labels"):
        out_meta["labels"] = dict(meta["labels"])
    return {
        "kind": "PodMetrics",
        "apiVersion": API_VERSION,
        "metadata": out_meta,
        "timestamp": format_time(max(u.timestamp for u in usages)),
        "window": go_duration(round(max(u.usage.window for u in usages), 3)),
        "containers": [{"name": u.ref.container, "usage": _usage(u.usage)} for u in usages],
    }


def node_metrics(node: Obj, usage: Usage, at: datetime, now: datetime) -> Obj:
    meta: Obj = {"name": node["metadata"]["name"], "creationTimestamp": format_time(now)}
    if node["metadata"].get("labels"):
        meta["labels"] = dict(node["metadata"]["labels"])
    return {
        "kind": "NodeMetrics",
        "apiVersion": API_VERSION,
        "metadata": meta,
        "timestamp": format_time(at),
        "window": go_duration(round(usage.window, 3)),
        "usage": _usage(usage),
    }


def _list(kind: str, items: list[Obj]) -> Obj:
    return {"kind": kind, "apiVersion": API_VERSION, "metadata": {}, "items": items}


def metrics_response(
    store: Store,
    source: MetricsSource | None,
    method: str,
    path: str,
    params: Mapping[str, str],
    clock: Callable[[], datetime],
) -> Response:
    """Answer a request under /apis/metrics.k8s.io/v1beta1/ (discovery itself is elsewhere)."""
    parts = path[len(PREFIX) :].strip("/").split("/")
    if method not in ("GET", "HEAD"):
        return method_not_allowed()
    if source is None:
        return not_found_response()
    selector = params.get("labelSelector")
    try:
        if parts[0] == "nodes" and len(parts) <= 2:
            return _nodes(store, source, parts[1] if len(parts) == 2 else None, selector, clock())
        if parts == ["pods"]:
            return _pods(store, source, None, None, selector, clock())
        if len(parts) in (3, 4) and parts[0] == "namespaces" and parts[2] == "pods":
            return _pods(store, source, parts[1], parts[3] if len(parts) == 4 else None, selector, clock())
    except StoreError as err:
        return error_response(err)
    return not_found_response()


def _nodes(
    store: Store, source: MetricsSource, name: str | None, selector: str | None, now: datetime
) -> Response:
    usage, at = source.node_usage()
    if name is not None:
        try:
            node = store.get(("", "nodes"), None, name)
        except NotFound:
            raise NotFound(GROUP, "nodes", name) from None
        return json_response(200, node_metrics(node, usage, at, now))
    nodes, _ = store.list(("", "nodes"), None, label_selector=selector)
    return json_response(200, _list("NodeMetricsList", [node_metrics(n, usage, at, now) for n in nodes]))


def _pods(
    store: Store,
    source: MetricsSource,
    namespace: str | None,
    name: str | None,
    selector: str | None,
    now: datetime,
) -> Response:
    by_uid: dict[str, list[ContainerUsage]] = {}
    for usage in source.container_usage():
        by_uid.setdefault(usage.ref.pod_uid, []).append(usage)
    if name is not None:
        assert namespace is not None
        try:
            pod = store.get(("", "pods"), namespace, name)
        except NotFound:
            pod = None
        usages = by_uid.get(str(pod["metadata"].get("uid"))) if pod is not None else None
        if pod is None or not usages:
            # metrics-server's words: the group's resource and namespace/name.
            raise NotFound(GROUP, "pods", f"{namespace}/{name}")
        return json_response(200, pod_metrics(pod, usages, now))
    pods, _ = store.list(("", "pods"), namespace, label_selector=selector)
    items = [
        pod_metrics(p, by_uid[str(p["metadata"].get("uid"))], now)
        for p in pods
        if by_uid.get(str(p["metadata"].get("uid")))
    ]
    return json_response(200, _list("PodMetricsList", items))
