"""The Service proxy's routing table (sans-IO): kube-proxy's choice of endpoints and listeners."""

from __future__ import annotations

import random
from typing import Any

from podlab.network.routing import Endpoint, Listener, PortKey, RoutingTable

Obj = dict[str, Any]
KEY = PortKey("default", "web", "http")


def svc(name: str = "web", **spec: Any) -> Obj:
    base: Obj = {
        "type": "ClusterIP",
        "clusterIP": "127.96.0.20",
        "clusterIPs": ["127.96.0.20"],
        "ports": [{"name": "http", "port": 80, "protocol": "TCP"}],
    }
    base.update(spec)
    return {"metadata": {"name": name, "namespace": "default"}, "spec": base}


def slice_(*endpoints: tuple[str, bool, bool, bool], port: int = 8080, name: str = "http") -> Obj:
    return {
        "metadata": {"namespace": "default", "labels": {"kubernetes.io/service-name": "web"}},
        "addressType": "IPv4",
        "ports": [{"name": name, "port": port}],
        "endpoints": [
            {"addresses": [ip], "conditions": {"ready": r, "serving": s, "terminating": t}}
            for ip, r, s, t in endpoints
        ],
    }


def table(services: list[Obj], slices: list[Obj]) -> RoutingTable:
    t = RoutingTable(random.Random(0))
    t.update(services, slices)
    return t


def test_only_ready_endpoints_are_used_and_both_get_traffic() -> None:
    t = table(
        [svc()], [slice_(("a", True, True, False), ("b", True, True, False), ("c", False, False, False))]
    )
    seen = {t.candidates(KEY, "127.0.0.1", 0.0)[0].ip for _ in range(50)}
    assert seen == {"a", "b"}


def test_terminating_serving_endpoints_are_the_fallback() -> None:
    t = table(
        [svc()], [slice_(("a", False, True, True), ("b", False, False, True), ("c", False, False, False))]
    )
    assert [e.ip for e in t.candidates(KEY, "x", 0.0)] == ["a"]


def test_no_usable_endpoint_means_no_listener() -> None:
    t = table([svc()], [slice_(("a", False, False, False))])
    assert t.listeners() == set() and t.candidates(KEY, "x", 0.0) == []


def test_listeners_for_cluster_ip_node_port_and_load_balancer() -> None:
    lb = svc(
        type="LoadBalancer", ports=[{"name": "http", "port": 8081, "nodePort": 30080, "protocol": "TCP"}]
    )
    t = table([lb], [slice_(("a", True, True, False))])
    assert t.listeners() == {
        Listener("cluster", "127.96.0.20", 8081, KEY, "ClusterIP"),
        Listener("host", "127.0.0.1", 30080, KEY, "NodePort"),
        Listener("host", "127.0.0.1", 8081, KEY, "LoadBalancer"),
    }


def test_headless_external_name_and_other_proxies_services_are_skipped() -> None:
    other = svc()
    other["metadata"]["labels"] = {"service.kubernetes.io/service-proxy-name": "cilium"}
    for service in (svc(clusterIP="None", clusterIPs=["None"]), svc(type="ExternalName"), other):
        assert table([service], [slice_(("a", True, True, False))]).listeners() == set()


def test_endpoint_port_is_matched_by_port_name_across_slices() -> None:
    two_ports = svc(
        ports=[
            {"name": "http", "port": 80, "protocol": "TCP"},
            {"name": "admin", "port": 81, "protocol": "TCP"},
        ]
    )
    t = table(
        [two_ports],
        [
            slice_(("a", True, True, False), port=8080),
            slice_(("b", True, True, False), port=9090, name="admin"),
        ],
    )
    assert [(e.ip, e.port) for e in t.candidates(KEY, "x", 0.0)] == [("a", 8080)]
    admin = PortKey("default", "web", "admin")
    assert [(e.ip, e.port) for e in t.candidates(admin, "x", 0.0)] == [("b", 9090)]


def test_client_ip_affinity_sticks_until_the_timeout() -> None:
    sticky = svc(sessionAffinity="ClientIP", sessionAffinityConfig={"clientIP": {"timeoutSeconds": 10}})
    t = table([sticky], [slice_(*((f"10.0.0.{i}", True, True, False) for i in range(8)))])
    first = t.candidates(KEY, "1.2.3.4", 0.0)[0]
    t.connected(KEY, "1.2.3.4", first, 0.0)
    for now in (1.0, 5.0, 9.0):
        chosen = t.candidates(KEY, "1.2.3.4", now)[0]
        assert chosen == first
        t.connected(KEY, "1.2.3.4", chosen, now)  # each connection refreshes the timeout
    later = {t.candidates(KEY, "1.2.3.4", 30.0)[0] for _ in range(40)}
    assert len(later) > 1  # expired: random again


def test_affinity_never_pins_to_an_endpoint_that_left_the_ready_set() -> None:
    sticky = svc(sessionAffinity="ClientIP", sessionAffinityConfig={"clientIP": {"timeoutSeconds": 100}})
    t = table([sticky], [slice_(("a", True, True, False), ("b", True, True, False))])
    t.connected(KEY, "c", Endpoint("a", 8080, True, True, False), 0.0)
    t.update([sticky], [slice_(("a", False, False, False), ("b", True, True, False))])
    assert [e.ip for e in t.candidates(KEY, "c", 1.0)] == ["b"]
