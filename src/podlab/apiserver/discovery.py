"""Discovery documents (aggregated v2 and legacy) and /version.

Both discovery styles come from one table so they never disagree. The OpenAPI documents are
built from the same table in openapi.py.
"""

from __future__ import annotations

from typing import Any

from podlab import kube_version
from podlab.k8s.resources import ResourceInfo, Subresource
from podlab.k8s.resources import group_versions as stored_group_versions
from podlab.k8s.resources import resources_in as stored_resources_in

from . import metrics

Obj = dict[str, Any]


def group_versions() -> list[tuple[str, str]]:
    """The store's group versions, then metrics.k8s.io (served from usage, never stored)."""
    return [*stored_group_versions(), (metrics.GROUP, metrics.VERSION)]


def resources_in(group: str, version: str) -> list[ResourceInfo]:
    if (group, version) == (metrics.GROUP, metrics.VERSION):
        return list(metrics.RESOURCES)
    return stored_resources_in(group, version)


def _names_and_categories(r: ResourceInfo) -> Obj:
    """shortNames and categories: both omitted when empty, in either discovery style."""
    extra: Obj = {}
    if r.short_names:
        extra["shortNames"] = list(r.short_names)
    if r.categories:
        extra["categories"] = list(r.categories)
    return extra


def _response_kind(r: ResourceInfo, sub: Subresource) -> tuple[str, str, str]:
    return sub.kind or (r.group, r.version, r.kind)


# -- legacy discovery ------------------------------------------------------------------------
def api_versions(server_address: str) -> Obj:
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}],
    }


def _group_entry(group: str) -> Obj:
    versions = [{"groupVersion": f"{g}/{v}", "version": v} for g, v in group_versions() if g == group]
    return {"name": group, "versions": versions, "preferredVersion": versions[0]}


def api_group_list() -> Obj:
    groups = sorted({g for g, _ in group_versions() if g})
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": [_group_entry(g) for g in groups]}


def api_group(group: str) -> Obj | None:
    if group not in {g for g, _ in group_versions() if g}:
        return None
    return {"kind": "APIGroup", "apiVersion": "v1", **_group_entry(group)}


def api_resource_list(group: str, version: str) -> Obj | None:
    found = resources_in(group, version)
    if not found:
        return None
    resources: list[Obj] = []
    for r in found:
        entry: Obj = {
            "name": r.plural,
            "singularName": r.singular,
            "namespaced": r.namespaced,
            "kind": r.kind,
            "verbs": list(r.verbs),
        }
        entry.update(_names_and_categories(r))
        resources.append(entry)
        for sub in r.subresources:
            sub_group, sub_version, sub_kind = _response_kind(r, sub)
            sub_entry: Obj = {
                "name": f"{r.plural}/{sub.name}",
                "singularName": "",
                "namespaced": r.namespaced,
                "kind": sub_kind,
                "verbs": list(sub.verbs),
            }
            if sub.kind:
                sub_entry["group"], sub_entry["version"] = sub_group, sub_version
            resources.append(sub_entry)
    group_version = f"{group}/{version}" if group else version
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": group_version,
        "resources": resources,
    }


# -- aggregated discovery (apidiscovery.k8s.io/v2) ----------------------------------------------
def _aggregated_resource(r: ResourceInfo) -> Obj:
    entry: Obj = {
        "resource": r.plural,
        "responseKind": {"group": r.group, "version": r.version, "kind": r.kind},
        "scope": "Namespaced" if r.namespaced else "Cluster",
        "singularResource": r.singular,
        "verbs": list(r.verbs),
    }
    entry.update(_names_and_categories(r))
    subs = []
    for sub in r.subresources:
        group, version, kind = _response_kind(r, sub)
        subs.append(
            {
                "subresource": sub.name,
                "responseKind": {"group": group, "version": version, "kind": kind},
                "verbs": list(sub.verbs),
            }
        )
    if subs:
        entry["subresources"] = subs
    return entry


def aggregated_discovery(core: bool) -> Obj:
    """`/api` (core=True) or `/apis` as an APIGroupDiscoveryList."""
    items = []
    for group in sorted({g for g, _ in group_versions() if (g == "") == core}):
        versions = [
            {
                "version": v,
                "resources": [_aggregated_resource(r) for r in resources_in(g, v)],
                "freshness": "Current",
            }
            for g, v in group_versions()
            if g == group
        ]
        metadata: Obj = {"name": group} if group else {}
        items.append({"metadata": metadata, "versions": versions})
    return {
        "kind": "APIGroupDiscoveryList",
        "apiVersion": "apidiscovery.k8s.io/v2",
        "metadata": {},
        "items": items,
    }


# -- /version -----------------------------------------------------------------------------------
def version_info() -> Obj:
    version = kube_version.current()
    return {
        "major": str(version.major),
        "minor": str(version.minor),
        "gitVersion": version.git_version,
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2026-11-28T00:00:00Z",
        "goVersion": "python3",
        "compiler": "cpython",
        "platform": "linux/amd64",
    }
