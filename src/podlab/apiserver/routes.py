"""Request paths to resource routes, as the apiserver's `RequestInfoFactory` splits them."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

from podlab.k8s.resources import ResourceInfo, resource_for_path

_NAMESPACES = ("", "v1", "namespaces")


@dataclass(frozen=True)
class Route:
    """A resource request: `/api/v1/namespaces/default/pods/web/log` and friends."""

    resource: ResourceInfo
    namespace: str | None  # None: all namespaces (or a cluster-scoped kind)
    name: str | None
    subresource: str | None

    @property
    def key(self) -> tuple[str, str]:
        return self.resource.key


class UnknownResource(Exception):
    """The path names a group, version or resource this server does not serve."""


def parse_resource_path(path: str) -> Route | None:
    """The Route for a resource path; None when the path is not a resource path at all
    (discovery, openapi, health); UnknownResource for a resource path we do not serve."""
    parts = [unquote(p) for p in path.strip("/").split("/")]
    if len(parts) >= 3 and parts[0] == "api":
        group, version, rest = "", parts[1], parts[2:]
    elif len(parts) >= 4 and parts[0] == "apis":
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        return None
    namespace: str | None = None
    if len(rest) >= 3 and rest[0] == "namespaces" and resource_for_path(group, version, rest[2]):
        namespace, rest = rest[1], rest[2:]
    elif len(rest) >= 3 and rest[0] == "namespaces" and group == "":
        # /api/v1/namespaces/{name}/status: a subresource of the namespace itself
        pass
    elif len(rest) >= 3 and rest[0] == "namespaces":
        raise UnknownResource(path)
    resource = resource_for_path(group, version, rest[0])
    if resource is None or len(rest) > 3:
        raise UnknownResource(path)
    if namespace is not None and not resource.namespaced:
        raise UnknownResource(path)
    name = rest[1] if len(rest) >= 2 else None
    if resource.namespaced and namespace is None and name is not None:
        raise UnknownResource(path)  # /api/v1/pods/x: a namespaced object needs its namespace
    subresource = rest[2] if len(rest) == 3 else None
    if not resource.namespaced:
        namespace = None
    if (group, version, rest[0]) == _NAMESPACES:
        namespace = None
    return Route(resource, namespace, name, subresource)
