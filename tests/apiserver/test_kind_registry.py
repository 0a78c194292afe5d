"""The kind registry is the one source: discovery, routes and field labels agree with each row."""

from __future__ import annotations

import pytest

from podlab.apiserver.discovery import aggregated_discovery, api_resource_list
from podlab.apiserver.field_labels import check_field_selector
from podlab.apiserver.routes import UnknownResource, parse_resource_path
from podlab.k8s.resources import RESOURCES, ResourceInfo, resource_for_key, resource_for_path
from podlab.store import BadRequest

IDS = [r.kind for r in RESOURCES]


def _prefix(r: ResourceInfo) -> str:
    return f"/apis/{r.group}/{r.version}" if r.group else f"/api/{r.version}"


@pytest.mark.parametrize("r", RESOURCES, ids=IDS)
def test_both_discovery_styles_list_each_row(r: ResourceInfo) -> None:
    legacy = api_resource_list(r.group, r.version)
    assert legacy is not None
    entries = {e["name"]: e for e in legacy["resources"]}
    entry = entries[r.plural]
    assert (entry["kind"], entry["singularName"], entry["namespaced"]) == (r.kind, r.singular, r.namespaced)
    assert entry["verbs"] == list(r.verbs)
    assert entry.get("shortNames", []) == list(r.short_names)
    assert entry.get("categories", []) == list(r.categories)
    assert {n for n in entries if n.startswith(r.plural + "/")} == {
        f"{r.plural}/{s.name}" for s in r.subresources
    }
    groups = aggregated_discovery(core=not r.group)["items"]
    group = next(g for g in groups if g["metadata"].get("name", "") == r.group)
    aggregated = next(
        res
        for v in group["versions"]
        if v["version"] == r.version
        for res in v["resources"]
        if res["resource"] == r.plural
    )
    assert aggregated["scope"] == ("Namespaced" if r.namespaced else "Cluster")
    assert aggregated["verbs"] == entry["verbs"]
    assert aggregated.get("shortNames") == entry.get("shortNames")
    assert {s["subresource"] for s in aggregated.get("subresources", [])} == {s.name for s in r.subresources}


@pytest.mark.parametrize("r", RESOURCES, ids=IDS)
def test_routes_serve_each_row_and_its_subresources(r: ResourceInfo) -> None:
    base = f"{_prefix(r)}/namespaces/ns1/{r.plural}" if r.namespaced else f"{_prefix(r)}/{r.plural}"
    route = parse_resource_path(f"{base}/x")
    assert route is not None and route.resource is r and route.name == "x"
    assert route.namespace == ("ns1" if r.namespaced else None)
    for sub in r.subresources:
        routed = parse_resource_path(f"{base}/x/{sub.name}")
        assert routed is not None and routed.subresource == sub.name
    # A second version of a stored kind (events.k8s.io Event) shares the stored kind's key.
    assert resource_for_key(r.key) is (r if r.stored_as is None else resource_for_key(r.stored_as))
    assert resource_for_path(r.group, r.version, r.plural) is r


def test_unserved_paths_and_keys() -> None:
    with pytest.raises(UnknownResource):
        parse_resource_path("/apis/batch/v1/namespaces/default/widgets")
    assert resource_for_key(("batch", "widgets")) is None


def test_field_labels_come_from_the_row() -> None:
    pods = resource_for_path("", "v1", "pods")
    secrets = resource_for_path("", "v1", "secrets")
    assert pods is not None and secrets is not None
    check_field_selector(pods, "spec.nodeName=n,metadata.name=x")
    check_field_selector(secrets, "type=Opaque,metadata.namespace=default")
    with pytest.raises(BadRequest, match="field label not supported: type"):
        check_field_selector(pods, "type=Opaque")


def test_store_flags() -> None:
    by_kind = {r.kind: r for r in RESOURCES}
    # pods/status exists and nodes/status too, as on a real cluster (kubelet writes node status there)
    assert by_kind["Node"].has_status and by_kind["Pod"].has_status
    assert not by_kind["ConfigMap"].has_status
    assert {k for k, r in by_kind.items() if r.graceful_delete} == {"Pod"}
    assert {k for k, r in by_kind.items() if r.generation} == {
        "Pod",
        "Deployment",
        "ReplicaSet",
        "Job",
        "CronJob",
        "DaemonSet",
        "StatefulSet",
        "PodDisruptionBudget",
        "NetworkPolicy",
        "Ingress",
        "IngressClass",
    }
    assert "deletecollection" not in by_kind["Namespace"].verbs
