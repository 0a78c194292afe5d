"""Cluster DNS and what the kubelet writes into a pod, end to end: a real node, the wheel's
kubectl, busybox client pods resolving names with nslookup/wget and printing their /etc files
and environment to their logs.

Cluster DNS listens on port 53 of the DNS Service address: on the loopback network only a root
node can bind it, so these run as root (CI does).
"""

from __future__ import annotations

import json
import os
import random
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import RunningNode, start_node, stop_node, wait_for

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="port 53 of the DNS address needs root")

MANAGED_HOSTS = (
    "# Kubernetes-managed hosts file.\n"
    "127.0.0.1\tlocalhost\n"
    "::1\tlocalhost ip6-localhost ip6-loopback\n"
    "fe00::0\tip6-localnet\n"
    "fe00::0\tip6-mcastprefix\n"
    "fe00::1\tip6-allnodes\n"
    "fe00::2\tip6-allrouters\n"
)
SHOW_ETC = "cat /etc/resolv.conf; echo ---; cat /etc/hosts; echo ---; cat /etc/hostname; hostname"


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningNode]:
    # These tests give Services explicit addresses in the loopback service range (127.96/16);
    # the namespace form of DNS is covered from client pods by test_service_traffic.py.
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PODLAB_POD_NETWORK", "loopback")
        running = start_node(tmp_path_factory.mktemp("dns") / "home")
    try:
        yield running
    finally:
        stop_node(running)


def dns_ip(node: RunningNode) -> str:
    status = json.loads(node.podlab("status").stdout)
    assert status["dns"].startswith("cluster DNS at "), status
    return str(status["dns"].split()[3].rsplit(":", 1)[0])


def apply(node: RunningNode, text: str) -> None:
    path = node.home / f"m{random.randrange(10**9)}.yaml"
    path.write_text(textwrap.dedent(text))
    node.kubectl("apply", "-f", str(path))


def busybox_pod(name: str, script: str, **spec: Any) -> str:
    """A pod whose one container runs `script`, then prints DONE and waits to be deleted."""
    body = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "terminationGracePeriodSeconds": 0,
            "containers": [
                {"name": "c", "image": "busybox", "command": ["sh", "-c", f"{script}; echo DONE; sleep 3600"]}
            ],
            **spec,
        },
    }
    return json.dumps(body)


def output_of(node: RunningNode, pod: str) -> str:
    def done() -> str | None:
        logs = node.kubectl("logs", pod, check=False).stdout
        return logs if "DONE" in logs else None

    return wait_for(done, timeout=60, what=f"pod {pod} to finish its script")


def test_node_says_where_its_dns_is_and_names_it_with_kube_dns(node: RunningNode) -> None:
    ip = dns_ip(node)
    svc = json.loads(node.kubectl("get", "svc", "kube-dns", "-n", "kube-system", "-o", "json").stdout)
    assert svc["spec"]["clusterIP"] == ip
    assert [(p["name"], p["port"], p["protocol"]) for p in svc["spec"]["ports"]] == [
        ("dns", 53, "UDP"),
        ("dns-tcp", 53, "TCP"),
    ]
    assert f"cluster DNS at {ip}:53" in node.log()


def test_a_client_pod_resolves_services_by_short_name_svc_ns_and_fqdn(node: RunningNode) -> None:
    port = random.randint(20000, 29999)
    apply(
        node,
        """
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: default}
        spec:
          clusterIP: 127.96.7.7
          selector: {app: web}
          ports: [{name: http, port: 8080, targetPort: 8080}]
        """,
    )
    # A server pod, reached by its pod DNS name (a-b-c-d.<ns>.pod.cluster.local).
    server = busybox_pod(
        "dns-server",
        f"mkdir -p /tmp/www && echo hello-from-dns-server > /tmp/www/index.html && httpd -p {port} -h /tmp/www",
    )
    apply(node, server)
    server_ip = wait_for(
        lambda: json.loads(node.kubectl("get", "pod", "dns-server", "-o", "json").stdout)["status"].get(
            "podIP"
        ),
        timeout=60,
        what="the server pod's IP",
    )
    output_of(node, "dns-server")
    pod_name = server_ip.replace(".", "-") + ".default.pod.cluster.local"
    script = (
        "nslookup web; echo ===; nslookup web.default.svc.cluster.local; echo ===; "
        "nslookup -type=srv _http._tcp.web.default.svc.cluster.local; echo ===; "
        # nc resolves through the C library (search list, ndots:5) and names the address it
        # tried; no Service proxy answers there on this node. (busybox wget crashes in the
        # sandbox whatever the name, hence nc.)
        "nc -w 2 web.default 8080 </dev/null 2>&1; echo ===; "
        f"printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 5 {pod_name} {port} | tail -1; echo ===; "
        "nslookup example.com; echo ==="
    )
    apply(node, busybox_pod("dns-client", script))
    parts = output_of(node, "dns-client").split("===\n")
    ip = dns_ip(node)
    short, fqdn, srv, by_svc, by_pod, outside = parts[:6]
    for answer in (short, fqdn):
        assert f"Server:\t\t{ip}\n" in answer
        assert "Name:\tweb.default.svc.cluster.local\nAddress: 127.96.7.7\n" in answer
    assert (
        "_http._tcp.web.default.svc.cluster.local\tservice = 0 100 8080 web.default.svc.cluster.local" in srv
    )
    assert by_svc.strip() == "nc: can't connect to remote host (127.96.7.7): Connection refused"
    assert by_pod.strip() == "hello-from-dns-server"
    assert "** server can't find example.com: SERVFAIL" in outside
    node.kubectl("delete", "pod", "dns-server", "dns-client", "--wait=false")


def test_etc_files_for_cluster_first_with_hostname_subdomain_and_host_aliases(node: RunningNode) -> None:
    aliases = [
        {"ip": "127.0.0.1", "hostnames": ["foo.local", "bar.local"]},
        {"ip": "10.1.2.3", "hostnames": ["foo.remote"]},
    ]
    apply(node, busybox_pod("etc-cf", SHOW_ETC, hostname="web-0", subdomain="web", hostAliases=aliases))
    resolv, hosts, names = output_of(node, "etc-cf").split("---\n")
    pod = json.loads(node.kubectl("get", "pod", "etc-cf", "-o", "json").stdout)
    ip = dns_ip(node)
    assert resolv.startswith("search default.svc.cluster.local svc.cluster.local cluster.local")
    assert resolv.endswith(f"\nnameserver {ip}\noptions ndots:5\n")
    assert hosts == MANAGED_HOSTS + (
        f"{pod['status']['podIP']}\tweb-0.web.default.svc.cluster.local\tweb-0\n"
        "\n# Entries added by HostAliases.\n"
        "127.0.0.1\tfoo.local\tbar.local\n"
        "10.1.2.3\tfoo.remote\n"
    )
    # /etc/hostname, then the UTS name `hostname` reads.
    assert names == "web-0\nweb-0\nDONE\n"
    node.kubectl("delete", "pod", "etc-cf", "--wait=false")


def test_etc_files_for_default_none_and_set_hostname_as_fqdn(node: RunningNode) -> None:
    config = {
        "nameservers": ["1.2.3.4"],
        "searches": ["ns1.svc.cluster-domain.example", "my.dns.search.suffix"],
        "options": [{"name": "ndots", "value": "2"}, {"name": "edns0"}],
    }
    apply(node, busybox_pod("etc-default", SHOW_ETC, dnsPolicy="Default"))
    apply(node, busybox_pod("etc-none", SHOW_ETC, dnsPolicy="None", dnsConfig=config))
    apply(node, busybox_pod("etc-fqdn", SHOW_ETC, hostname="db-1", subdomain="db", setHostnameAsFQDN=True))
    host_servers = [
        line for line in Path("/etc/resolv.conf").read_text().splitlines() if line.startswith("nameserver")
    ]
    resolv, _, _ = output_of(node, "etc-default").split("---\n")
    assert [line for line in resolv.splitlines() if line.startswith("nameserver")] == host_servers[:3]
    assert "ndots:5" not in resolv
    resolv, _, _ = output_of(node, "etc-none").split("---\n")
    assert (
        resolv
        == "search ns1.svc.cluster-domain.example my.dns.search.suffix\nnameserver 1.2.3.4\noptions ndots:2 edns0\n"
    )
    _, hosts, names = output_of(node, "etc-fqdn").split("---\n")
    assert "\tdb-1.db.default.svc.cluster.local\tdb-1\n" in hosts
    assert names == "db-1.db.default.svc.cluster.local\ndb-1.db.default.svc.cluster.local\nDONE\n"
    node.kubectl("delete", "pod", "etc-default", "etc-none", "etc-fqdn", "--wait=false")


def test_service_variables_at_container_start_and_enable_service_links(node: RunningNode) -> None:
    if node.kubectl("get", "svc", "kubernetes", check=False).returncode != 0:
        # The API's own Service, as a control plane keeps it (selectorless, first address).
        apply(
            node,
            """
            apiVersion: v1
            kind: Service
            metadata: {name: kubernetes, namespace: default, labels: {component: apiserver, provider: kubernetes}}
            spec:
              clusterIP: 127.96.0.1
              ports: [{name: https, port: 443, protocol: TCP, targetPort: 6443}]
            """,
        )
    api_ip = json.loads(node.kubectl("get", "svc", "kubernetes", "-o", "json").stdout)["spec"]["clusterIP"]
    apply(
        node,
        """
        apiVersion: v1
        kind: Service
        metadata: {name: my-db, namespace: default}
        spec:
          clusterIP: 127.96.50.3
          selector: {app: db}
          ports: [{name: postgres, port: 5432}]
        """,
    )
    script = "env | grep -E '^(MY_DB|KUBERNETES)_' | sort"
    override = [{"name": "MY_DB_SERVICE_HOST", "value": "db.override"}]
    links = json.loads(busybox_pod("env-links", script))
    links["spec"]["containers"][0]["env"] = override
    apply(node, json.dumps(links))
    apply(node, busybox_pod("env-nolinks", script, enableServiceLinks=False))
    with_links = output_of(node, "env-links").splitlines()
    assert "MY_DB_SERVICE_HOST=db.override" in with_links
    for line in (
        "MY_DB_SERVICE_PORT=5432",
        "MY_DB_SERVICE_PORT_POSTGRES=5432",
        "MY_DB_PORT=tcp://127.96.50.3:5432",
        "MY_DB_PORT_5432_TCP=tcp://127.96.50.3:5432",
        "MY_DB_PORT_5432_TCP_PROTO=tcp",
        "MY_DB_PORT_5432_TCP_PORT=5432",
        "MY_DB_PORT_5432_TCP_ADDR=127.96.50.3",
        f"KUBERNETES_SERVICE_HOST={api_ip}",
        "KUBERNETES_SERVICE_PORT=443",
        "KUBERNETES_SERVICE_PORT_HTTPS=443",
        f"KUBERNETES_PORT=tcp://{api_ip}:443",
    ):
        assert line in with_links
    without = output_of(node, "env-nolinks").splitlines()
    assert not [line for line in without if line.startswith("MY_DB_")]
    assert f"KUBERNETES_SERVICE_HOST={api_ip}" in without
    node.kubectl("delete", "pod", "env-links", "env-nolinks", "--wait=false")
