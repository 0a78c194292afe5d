"""The /scale subresource of Deployments and ReplicaSets (autoscaling/v1 Scale)."""

from __future__ import annotations

import copy
import json
from typing import Any

from podlab.httpcore import Request, Response
from podlab.k8s import managed_fields
from podlab.store import Conflict, Store

from . import k8sapi
from .bodies import JSON_PATCH, bad_request, decode_body, dry_run, media_type
from .negotiation import json_response, method_not_allowed, status_body
from .routes import Route

Obj = dict[str, Any]


def scale_of(obj: Obj) -> Obj:
    meta = obj["metadata"]
    return {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            k: meta[k]
            for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
            if k in meta
        },
        "spec": {"replicas": (obj.get("spec") or {}).get("replicas", 0)},
        "status": {
            "replicas": (obj.get("status") or {}).get("replicas", 0),
            "selector": k8sapi.selector_string((obj.get("spec") or {}).get("selector")),
        },
    }


def scale_response(
    store: Store, route: Route, request: Request, params: dict[str, str], now: str
) -> Response:
    """GET, PUT or PATCH (merge or JSON patch) of the Scale; writes spec.replicas of the parent."""
    assert route.name is not None
    obj = store.get(route.key, route.namespace, route.name)
    current = scale_of(obj)
    if request.method == "GET":
        return json_response(200, current)
    body = decode_body(request)
    if request.method == "PUT":
        wanted = body
    elif request.method == "PATCH":
        if media_type(request) == JSON_PATCH and isinstance(body, list):
            wanted = k8sapi.json_patch(current, body)
        elif isinstance(body, dict):
            wanted = k8sapi.json_merge_patch(current, body)
        else:
            raise bad_request("the body of the request must be a JSON object")
    else:
        return method_not_allowed()
    if not isinstance(wanted, dict):
        raise bad_request("the body of the request must be a Scale object")
    replicas = (wanted.get("spec") or {}).get("replicas")
    if not isinstance(replicas, int) or replicas < 0:
        message = (
            f'Scale.autoscaling "{route.name}" is invalid: spec.replicas: '
            f"Invalid value: {json.dumps(replicas)}: must be greater than or equal to 0"
        )
        return json_response(422, status_body(422, "Invalid", message))
    sent_rv = (wanted.get("metadata") or {}).get("resourceVersion")
    if sent_rv and sent_rv != obj["metadata"]["resourceVersion"]:
        raise Conflict(route.resource.group, route.resource.plural, route.name)
    old = copy.deepcopy(obj)
    obj.setdefault("spec", {})["replicas"] = replicas
    obj = managed_fields.record_update(
        old,
        obj,
        kind=route.resource.kind,
        api_version=route.resource.api_version,
        manager=managed_fields.manager_name(params.get("fieldManager"), request.header("User-Agent")),
        subresource="scale",
        now=now,
    )
    if dry_run(params):
        return json_response(200, scale_of(obj))
    return json_response(200, scale_of(store.update(route.key, obj)))
