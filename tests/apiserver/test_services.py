"""Service API fidelity against a real API server with a service CIDR, driven by the wheel's
kubectl and the official Python client: ClusterIP and nodePort allocation, kube-apiserver's
error words, headless Services, values kept on re-apply, freed on delete; Endpoints and
EndpointSlice served as kinds."""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path
from typing import Any

import pytest

from .conftest import Clients, Node

CIDR = ipaddress.IPv4Network("127.96.0.0/16")
with_cidr = pytest.mark.parametrize("node", [CIDR], indirect=True)


def _svc(name: str, **spec: Any) -> str:
    """A Service manifest; spec values are YAML flow text."""
    lines = [
        "apiVersion: v1",
        "kind: Service",
        f"metadata: {{name: {name}}}",
        "spec:",
        "  selector: {app: web}",
    ]
    lines += [f"  {key}: {value}" for key, value in spec.items()]
    if "ports" not in spec:
        lines.append("  ports: [{port: 80, targetPort: 8080}]")
    return "\n".join(lines) + "\n"


def _apply(node: Node, manifest: str, check: bool = True) -> Any:
    return node.kubectl("apply", "-f", "-", input=manifest, check=check)


@with_cidr
def test_cluster_ip_is_allocated_from_the_range_and_printed(node: Node, clients: Clients) -> None:
    _apply(node, _svc("web"))
    svc = clients.core.read_namespaced_service("web", "default")
    ip = ipaddress.IPv4Address(svc.spec.cluster_ip)
    assert ip in CIDR and str(ip) not in ("127.96.0.1", "127.96.0.10")
    assert svc.spec.cluster_ips == [str(ip)]
    assert svc.spec.ip_families == ["IPv4"] and svc.spec.ip_family_policy == "SingleStack"
    row = node.kubectl("get", "svc", "web", "--no-headers").stdout.split()
    assert row[:5] == ["web", "ClusterIP", str(ip), "<none>", "80/TCP"]
    describe = node.kubectl("describe", "svc", "web").stdout
    assert f"IP:                       {ip}" in describe
    assert "IP Family Policy:         SingleStack" in describe


@with_cidr
def test_chosen_cluster_ip_out_of_range_or_taken_is_refused_in_kube_apiserver_words(node: Node) -> None:
    bad = _apply(node, _svc("bad", clusterIP="10.1.2.3"), check=False)
    assert bad.returncode == 1
    assert (
        'The Service "bad" is invalid: spec.clusterIPs: Invalid value: []string{"10.1.2.3"}: '
        "failed to allocate IP 10.1.2.3: the provided IP (10.1.2.3) is not in the valid range. "
        "The range of valid IPs is 127.96.0.0/16"
    ) in bad.stderr
    _apply(node, _svc("first", clusterIP="127.96.0.10"))  # the DNS address may be asked for
    taken = _apply(node, _svc("second", clusterIP="127.96.0.10"), check=False)
    assert (
        'spec.clusterIPs: Invalid value: []string{"127.96.0.10"}: '
        "failed to allocate IP 127.96.0.10: provided IP is already allocated"
    ) in taken.stderr
    node.kubectl("delete", "svc", "first")
    _apply(node, _svc("second", clusterIP="127.96.0.10"))  # freed on delete


@with_cidr
def test_headless_service_keeps_none(node: Node, clients: Clients) -> None:
    _apply(node, _svc("db", clusterIP="None"))
    svc = clients.core.read_namespaced_service("db", "default")
    assert (svc.spec.cluster_ip, svc.spec.cluster_ips) == ("None", ["None"])
    assert node.kubectl("get", "svc", "db", "--no-headers").stdout.split()[2] == "None"


@with_cidr
def test_node_port_allocation_validation_and_reapply_keeps_values(node: Node, clients: Clients) -> None:
    _apply(node, _svc("np", type="NodePort"))
    first = clients.core.read_namespaced_service("np", "default")
    port = first.spec.ports[0].node_port
    assert 30000 <= port <= 32767
    assert first.spec.external_traffic_policy == "Cluster"
    assert f"80:{port}/TCP" in node.kubectl("get", "svc", "np").stdout
    # Re-applying the same YAML (no clusterIP, no nodePort) keeps both, as patchAllocatedValues does.
    _apply(node, _svc("np", type="NodePort").replace("{name: np}", "{name: np, labels: {v: '2'}}"))
    again = clients.core.read_namespaced_service("np", "default")
    assert (again.spec.cluster_ip, again.spec.ports[0].node_port) == (first.spec.cluster_ip, port)

    out_of_range = _apply(
        node, _svc("np2", type="NodePort", ports="[{port: 80, nodePort: 8080}]"), check=False
    )
    assert (
        'The Service "np2" is invalid: spec.ports[0].nodePort: Invalid value: 8080: '
        "provided port is not in the valid range. The range of valid ports is 30000-32767"
    ) in out_of_range.stderr
    clash = _apply(node, _svc("np3", type="NodePort", ports=f"[{{port: 80, nodePort: {port}}}]"), check=False)
    assert (
        f"spec.ports[0].nodePort: Invalid value: {port}: provided port is already allocated" in clash.stderr
    )
    forbidden = _apply(node, _svc("np4", ports="[{port: 80, nodePort: 30999}]"), check=False)
    assert "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'" in forbidden.stderr
    node.kubectl("delete", "svc", "np")
    _apply(node, _svc("np3", type="NodePort", ports=f"[{{port: 80, nodePort: {port}}}]"))  # freed


@with_cidr
def test_cluster_ip_is_immutable(node: Node, clients: Clients) -> None:
    _apply(node, _svc("web"))
    svc = clients.core.read_namespaced_service("web", "default")
    svc.spec.cluster_ip = "127.96.7.7"
    svc.spec.cluster_ips = ["127.96.7.7"]
    from kubernetes.client.exceptions import ApiException

    with pytest.raises(ApiException) as caught:
        clients.core.replace_namespaced_service("web", "default", svc)
    assert caught.value.status == 422
    message = json.loads(caught.value.body)["message"]
    assert (
        message == 'Service "web" is invalid: spec.clusterIP: Invalid value: "127.96.7.7": field is immutable'
    )


@with_cidr
def test_ipv6_family_is_refused(node: Node) -> None:
    result = _apply(node, _svc("v6", ipFamilies="[IPv6]"), check=False)
    assert 'spec.ipFamilies[0]: Invalid value: "IPv6": not configured on this cluster' in result.stderr


def test_endpoints_and_endpointslices_are_served_kinds(node: Node, tmp_path: Path) -> None:
    resources = node.kubectl("api-resources", "--no-headers").stdout.splitlines()
    rows = {line.split()[0]: line.split() for line in resources}
    assert rows["endpoints"] == ["endpoints", "ep", "v1", "true", "Endpoints"]
    assert rows["endpointslices"] == ["endpointslices", "discovery.k8s.io/v1", "true", "EndpointSlice"]
    assert node.kubectl("get", "endpoints").stderr.splitlines() == [
        "Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice",
        "No resources found in default namespace.",
    ]
    assert node.kubectl("get", "endpointslices").stderr.strip() == "No resources found in default namespace."


@with_cidr
@pytest.mark.parametrize(
    ("spec", "error"),
    [
        ({"ports": "[]"}, "spec.ports: Required value"),
        ({"type": "Cluster"}, 'spec.type: Unsupported value: "Cluster": supported values: "ClusterIP", '),
        (
            {"ports": "[{port: 80}, {port: 81}]"},
            "* spec.ports[0].name: Required value\n* spec.ports[1].name: Required value",
        ),
        (
            {"ports": "[{port: 70000}]"},
            "spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535",
        ),
        (
            {"ports": "[{port: 80, protocol: HTTP}]"},
            'spec.ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
        ),
        (
            {"sessionAffinity": "ClientIP", "sessionAffinityConfig": "{clientIP: {timeoutSeconds: 90000}}"},
            "spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 90000: "
            "must be greater than 0 and less than 86400",
        ),
    ],
    ids=["no-ports", "type", "unnamed-ports", "port-range", "protocol", "affinity-timeout"],
)
def test_bad_service_specs_get_kube_apiserver_errors(node: Node, spec: dict[str, str], error: str) -> None:
    result = _apply(node, _svc("bad", **spec), check=False)
    assert result.returncode == 1 and error in result.stderr, result.stderr


BAD_SLICE = """\
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: ext-1, labels: {kubernetes.io/service-name: ext}}
addressType: IPv4
ports: [{name: http, port: 70000}]
endpoints:
- addresses: [not-an-ip]
- addresses: []
"""

GOOD_ENDPOINTS = """\
apiVersion: v1
kind: Endpoints
metadata: {name: ext}
subsets:
- addresses: [{ip: 127.244.1.1}, {ip: 127.244.1.2}]
  ports: [{port: 8080}]
"""


def test_hand_written_endpointslices_and_endpoints_are_validated_and_printed(node: Node) -> None:
    bad = _apply(node, BAD_SLICE, check=False)
    assert bad.returncode == 1
    for error in (
        'endpoints[0].addresses[0]: Invalid value: "not-an-ip": must be a valid IPv4 address',
        "endpoints[1].addresses: Required value: must contain at least 1 address",
        "ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive",
    ):
        assert error in bad.stderr, bad.stderr
    wrong_type = _apply(node, BAD_SLICE.replace("IPv4", "IPv5"), check=False)
    assert (
        'addressType: Unsupported value: "IPv5": supported values: "FQDN", "IPv4", "IPv6"'
        in wrong_type.stderr
    )
    _apply(node, GOOD_ENDPOINTS)
    row = node.kubectl("get", "endpoints", "ext", "--no-headers").stdout.split()
    assert row[:2] == ["ext", "127.244.1.1:8080,127.244.1.2:8080"]
    slice_ok = BAD_SLICE.replace("70000", "8080").replace("not-an-ip", "127.244.1.1")
    _apply(node, slice_ok.replace("- addresses: []\n", ""))
    row = node.kubectl("get", "endpointslices", "ext-1", "--no-headers").stdout.split()
    assert row[:4] == ["ext-1", "IPv4", "8080", "127.244.1.1"]


@with_cidr
def test_type_changes_release_node_ports_and_the_cluster_ip(node: Node, clients: Clients) -> None:
    _apply(node, _svc("t", type="NodePort"))
    port = clients.core.read_namespaced_service("t", "default").spec.ports[0].node_port
    _apply(node, _svc("t", type="ClusterIP"))
    assert clients.core.read_namespaced_service("t", "default").spec.ports[0].node_port is None
    _apply(node, _svc("other", type="NodePort", ports=f"[{{port: 80, nodePort: {port}}}]"))  # free again
    _apply(node, _svc("t", type="ExternalName", externalName="example.invalid"))
    external = clients.core.read_namespaced_service("t", "default")
    assert (external.spec.cluster_ip, external.spec.cluster_ips) == (None, None)
    assert node.kubectl("get", "svc", "t", "--no-headers").stdout.split()[1:4] == [
        "ExternalName",
        "<none>",
        "example.invalid",
    ]
