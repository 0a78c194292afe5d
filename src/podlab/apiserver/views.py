"""Kinds served in a second API version over another kind's storage (events.k8s.io/v1 Event
over core/v1 Events, autoscaling/v1 over autoscaling/v2 HPAs): the conversions a request and a response go through, and the checks the
second version adds. Everything else in the REST layer works on the stored form."""

from __future__ import annotations

import json
from typing import Any

from podlab.httpcore import Response
from podlab.k8s import event_versions, hpa_versions
from podlab.k8s.errors import FieldError
from podlab.k8s.resources import ResourceInfo

Obj = dict[str, Any]


def is_view(resource: ResourceInfo) -> bool:
    return resource.stored_as is not None


def to_storage(resource: ResourceInfo, obj: Obj) -> Obj:
    if resource.api_version == event_versions.EVENTS_V1:
        return event_versions.to_core(obj)
    if resource.api_version == hpa_versions.V1 and resource.kind == "HorizontalPodAutoscaler":
        return hpa_versions.to_v2(obj)
    return obj


def from_storage(resource: ResourceInfo, obj: Obj) -> Obj:
    """A stored object (or a bookmark) as the view's version shows it; others untouched."""
    if resource.api_version == event_versions.EVENTS_V1 and obj.get("apiVersion") == "v1":
        if obj.get("kind") == "Event" and set(obj) - {"apiVersion", "kind", "metadata"}:
            return event_versions.to_events_v1(obj)
        return {**obj, "apiVersion": resource.api_version}
    if resource.api_version == hpa_versions.V1 and obj.get("apiVersion") == hpa_versions.V2:
        if obj.get("kind") == "HorizontalPodAutoscaler" and "spec" in obj:
            return hpa_versions.to_v1(obj)
        return {**obj, "apiVersion": resource.api_version}
    return obj


def version_errors(resource: ResourceInfo, obj: Obj, old: Obj | None) -> list[FieldError]:
    if resource.api_version == event_versions.EVENTS_V1:
        return event_versions.validate_events_v1(obj, old)
    return []


def convert_response(resource: ResourceInfo, response: Response) -> Response:
    """A JSON answer of the stored kind (object or list) rewritten into the view's version;
    Tables, Status bodies and streams pass as they are."""
    if not isinstance(response.body, bytes) or not response.body.startswith(b"{"):
        return response
    if (response.header("Content-Type") or "") != "application/json":
        return response  # Tables print the stored form, as the server's printers do
    body = json.loads(response.body)
    if body.get("kind") == resource.kind:
        body = from_storage(resource, body)
    elif body.get("kind") == resource.list_kind:
        body["apiVersion"] = resource.api_version
        body["items"] = [from_storage(resource, item) for item in body.get("items") or []]
    else:
        return response
    response.body = json.dumps(body, separators=(",", ":")).encode()
    return response
