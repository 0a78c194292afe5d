"""The kinds podlab serves: group, version, plural, scope and short names, as discovery lists them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ResourceInfo:
    group: str  # "" for core
    version: str
    kind: str
    plural: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    singular: str = ""

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def key(self) -> tuple[str, str]:
        """The store's ResourceKey."""
        return (self.group, self.plural)


# Short names as the real API server's discovery documents give them.
RESOURCES: tuple[ResourceInfo, ...] = (
    ResourceInfo("", "v1", "Pod", "pods", True, ("po",), "pod"),
    ResourceInfo("", "v1", "ConfigMap", "configmaps", True, ("cm",), "configmap"),
    ResourceInfo("", "v1", "Secret", "secrets", True, (), "secret"),
    ResourceInfo("", "v1", "Event", "events", True, ("ev",), "event"),
    ResourceInfo("", "v1", "Namespace", "namespaces", False, ("ns",), "namespace"),
    ResourceInfo("", "v1", "Service", "services", True, ("svc",), "service"),
    ResourceInfo("", "v1", "Node", "nodes", False, ("no",), "node"),
    ResourceInfo("apps", "v1", "Deployment", "deployments", True, ("deploy",), "deployment"),
    ResourceInfo("apps", "v1", "ReplicaSet", "replicasets", True, ("rs",), "replicaset"),
)

_BY_GVK = {(r.api_version, r.kind): r for r in RESOURCES}
_BY_KEY = {r.key: r for r in RESOURCES}
_BY_KIND = {r.kind: r for r in RESOURCES}


def resource_for(api_version: str, kind: str) -> ResourceInfo:
    """The resource of an apiVersion/kind pair; KeyError if podlab does not serve it."""
    return _BY_GVK[(api_version, kind)]


def resource_for_key(key: tuple[str, str]) -> ResourceInfo:
    """The resource of a store key ("apps", "deployments"); KeyError if unknown."""
    return _BY_KEY[key]


def resource_for_kind(kind: str) -> ResourceInfo:
    return _BY_KIND[kind]


def kind_spelling(kind: str) -> str | None:
    """The right spelling of a miscased kind ("configmap" -> "ConfigMap"), else None."""
    for r in RESOURCES:
        if r.kind.lower() == kind.lower() and r.kind != kind:
            return r.kind
    return None
