"""What the kubelet writes into a pod: resolv.conf per dnsPolicy, hosts, hostname, Service env."""

from __future__ import annotations

from typing import Any

import pytest

from podlab.kubelet.env import resolve_env
from podlab.kubelet.pod_etc import SandboxError, pod_etc
from podlab.kubelet.resolv_conf import ClusterDNS, parse_host_resolv, pod_resolv_conf
from podlab.kubelet.service_env import pod_service_env

HOST = "nameserver 192.0.2.1\nnameserver 192.0.2.2\nsearch old.example\nsearch example.internal. corp.example\noptions rotate timeout:1\n"
CLUSTER = ClusterDNS(servers=("10.96.0.10",), host_resolv=HOST)


def pod(name: str = "web-0", ns: str = "team", **spec: Any) -> dict[str, Any]:
    return {
        "metadata": {"name": name, "namespace": ns, "uid": "u-1"},
        "spec": {"containers": [{"name": "c"}], **spec},
    }


def resolv(p: dict[str, Any], cluster: ClusterDNS = CLUSTER) -> tuple[str, list[tuple[str, str]]]:
    conf, events = pod_resolv_conf(p, cluster)
    return conf.render(), events


def test_host_file_parsing_last_search_and_options_win_trailing_dots_go() -> None:
    conf = parse_host_resolv(HOST + "# comment\n")
    assert conf.nameservers == ["192.0.2.1", "192.0.2.2"]
    assert conf.searches == ["example.internal", "corp.example"]
    assert conf.options == ["rotate", "timeout:1"]


def test_cluster_first_is_the_default_cluster_servers_search_then_host_search_ndots_5() -> None:
    text, events = resolv(pod())
    assert text == (
        "search team.svc.cluster.local svc.cluster.local cluster.local example.internal corp.example\n"
        "nameserver 10.96.0.10\n"
        "options ndots:5\n"
    )
    assert events == []


def test_cluster_first_with_host_network_behaves_as_default_unless_with_host_net() -> None:
    assert resolv(pod(hostNetwork=True, dnsPolicy="ClusterFirst"))[0].startswith("search example.internal")
    assert "nameserver 10.96.0.10" in resolv(pod(hostNetwork=True, dnsPolicy="ClusterFirstWithHostNet"))[0]


def test_default_policy_is_the_hosts_resolver_options_included() -> None:
    text, _ = resolv(pod(dnsPolicy="Default"))
    assert text == (
        "search example.internal corp.example\nnameserver 192.0.2.1\nnameserver 192.0.2.2\noptions rotate timeout:1\n"
    )


def test_none_policy_takes_everything_from_dns_config() -> None:
    config = {
        "nameservers": ["1.2.3.4"],
        "searches": ["ns1.svc.cluster-domain.example", "my.dns.search.suffix"],
        "options": [{"name": "ndots", "value": "2"}, {"name": "edns0"}],
    }
    text, _ = resolv(pod(dnsPolicy="None", dnsConfig=config))
    # The example of the Kubernetes docs (dns-pod-service.md).
    assert text == (
        "search ns1.svc.cluster-domain.example my.dns.search.suffix\nnameserver 1.2.3.4\noptions ndots:2 edns0\n"
    )


def test_dns_config_appends_dedupes_and_the_pods_option_value_wins() -> None:
    config = {
        "nameservers": ["10.96.0.10", "192.0.2.9"],
        "searches": ["svc.cluster.local", "extra.example"],
        "options": [{"name": "ndots", "value": "1"}, {"name": "single-request"}],
    }
    text, events = resolv(pod(dnsConfig=config))
    assert text == (
        "search team.svc.cluster.local svc.cluster.local cluster.local example.internal corp.example extra.example\n"
        "nameserver 10.96.0.10\nnameserver 192.0.2.9\n"
        "options ndots:1 single-request\n"
    )
    assert events == []


def test_more_than_three_nameservers_are_cut_with_a_dns_config_forming_event() -> None:
    config = {"nameservers": ["192.0.2.3", "192.0.2.4"]}
    text, events = resolv(pod(dnsPolicy="Default", dnsConfig=config))
    assert text.count("nameserver") == 3
    assert events == [
        (
            "DNSConfigForming",
            "Nameserver limits were exceeded, some nameservers have been omitted, "
            "the applied nameserver line is: 192.0.2.1 192.0.2.2 192.0.2.3",
        )
    ]


def test_search_list_limits_32_entries_253_chars_each_2048_in_all() -> None:
    many = [f"d{i}.example" for i in range(40)]
    conf, events = pod_resolv_conf(pod(dnsPolicy="None", dnsConfig={"searches": many}), CLUSTER)
    assert conf.searches == many[:32] and events[0][0] == "DNSConfigForming"
    assert events[0][1].startswith("Search Line limits were exceeded, some search paths have been omitted")
    long = ["x" * 254, *(("y" * 250 + f".{i}") for i in range(10))]
    conf, events = pod_resolv_conf(pod(dnsPolicy="None", dnsConfig={"searches": long}), CLUSTER)
    assert "x" * 254 not in conf.searches
    assert len(" ".join(conf.searches)) <= 2048 and len(conf.searches) == 8
    assert len(events) == 1


def test_no_cluster_dns_falls_back_to_default_with_missing_cluster_dns() -> None:
    text, events = resolv(pod(), ClusterDNS(host_resolv=HOST))
    assert "nameserver 192.0.2.1" in text and "ndots:5" not in text
    assert events == [
        (
            "MissingClusterDNS",
            'pod: "web-0_team(u-1)". kubelet does not have ClusterDNS IP configured and cannot create Pod '
            'using "ClusterFirst" policy. Falling back to "Default" policy.',
        )
    ]


MANAGED = (
    "# Kubernetes-managed hosts file.\n"
    "127.0.0.1\tlocalhost\n"
    "::1\tlocalhost ip6-localhost ip6-loopback\n"
    "fe00::0\tip6-localnet\n"
    "fe00::0\tip6-mcastprefix\n"
    "fe00::1\tip6-allnodes\n"
    "fe00::2\tip6-allrouters\n"
)


def test_hosts_file_with_pod_ip_and_hostname() -> None:
    etc, _ = pod_etc(pod(), "10.244.0.5", CLUSTER)
    assert etc.hosts == MANAGED + "10.244.0.5\tweb-0\n"
    assert etc.hostname == "web-0"


def test_hosts_file_with_subdomain_fqdn_and_host_aliases() -> None:
    aliases = [
        {"ip": "127.0.0.1", "hostnames": ["foo.local", "bar.local"]},
        {"ip": "10.1.2.3", "hostnames": ["foo.remote"]},
    ]
    etc, _ = pod_etc(pod("p", hostname="web-0", subdomain="web", hostAliases=aliases), "10.244.0.5", CLUSTER)
    assert etc.hosts == MANAGED + (
        "10.244.0.5\tweb-0.web.team.svc.cluster.local\tweb-0\n"
        "\n# Entries added by HostAliases.\n"
        "127.0.0.1\tfoo.local\tbar.local\n"
        "10.1.2.3\tfoo.remote\n"
    )
    assert etc.hostname == "web-0"


def test_set_hostname_as_fqdn_and_its_length_limit() -> None:
    etc, _ = pod_etc(pod(hostname="web-0", subdomain="web", setHostnameAsFQDN=True), "10.244.0.5", CLUSTER)
    assert etc.hostname == "web-0.web.team.svc.cluster.local"
    # Without a subdomain there is no FQDN to use.
    assert pod_etc(pod(setHostnameAsFQDN=True), "10.244.0.5", CLUSTER)[0].hostname == "web-0"
    with pytest.raises(SandboxError) as err:
        pod_etc(pod(hostname="h" * 40, subdomain="web", setHostnameAsFQDN=True), "10.244.0.5", CLUSTER)
    assert err.value.message == (
        f"failed to construct FQDN from pod hostname and cluster domain, FQDN {'h' * 40}.web.team.svc.cluster.local "
        "is too long (64 characters is the max, 67 characters requested)"
    )


def test_a_long_pod_name_is_cut_to_63_without_trailing_dash_or_dot() -> None:
    name = "a" * 61 + "-.b"
    assert pod_etc(pod(name), "10.244.0.5", CLUSTER)[0].hostname == "a" * 61


def svc(name: str, ns: str, ip: str, ports: list[dict[str, Any]]) -> dict[str, Any]:
    return {"metadata": {"name": name, "namespace": ns}, "spec": {"clusterIP": ip, "ports": ports}}


SERVICES = [
    svc("kubernetes", "default", "10.96.0.1", [{"name": "https", "port": 443, "protocol": "TCP"}]),
    svc("my-db", "team", "10.96.50.3", [{"name": "postgres", "port": 5432, "protocol": "TCP"}]),
    svc(
        "dns",
        "team",
        "10.96.0.10",
        [{"name": "dns", "port": 53, "protocol": "UDP"}, {"name": "dns-tcp", "port": 53}],
    ),
    svc("headless", "team", "None", [{"port": 80}]),
    svc("elsewhere", "other", "10.96.7.7", [{"port": 80}]),
    svc("v6", "team", "fd00::1", [{"port": 443}]),
]


def test_service_variables_exactly_as_the_kubelet_names_them() -> None:
    env = pod_service_env(pod(), SERVICES)
    assert {k: v for k, v in env.items() if k.startswith("MY_DB_")} == {
        "MY_DB_SERVICE_HOST": "10.96.50.3",
        "MY_DB_SERVICE_PORT": "5432",
        "MY_DB_SERVICE_PORT_POSTGRES": "5432",
        "MY_DB_PORT": "tcp://10.96.50.3:5432",
        "MY_DB_PORT_5432_TCP": "tcp://10.96.50.3:5432",
        "MY_DB_PORT_5432_TCP_PROTO": "tcp",
        "MY_DB_PORT_5432_TCP_PORT": "5432",
        "MY_DB_PORT_5432_TCP_ADDR": "10.96.50.3",
    }
    assert env["KUBERNETES_SERVICE_HOST"] == "10.96.0.1" and env["KUBERNETES_SERVICE_PORT_HTTPS"] == "443"
    assert env["KUBERNETES_PORT"] == "tcp://10.96.0.1:443"
    # The first port names DNS_PORT; both protocols get their family.
    assert env["DNS_PORT"] == "udp://10.96.0.10:53" and env["DNS_SERVICE_PORT_DNS_TCP"] == "53"
    assert env["DNS_PORT_53_UDP_PROTO"] == "udp" and env["DNS_PORT_53_TCP"] == "tcp://10.96.0.10:53"
    assert env["V6_PORT"] == "tcp://[fd00::1]:443" and env["V6_SERVICE_HOST"] == "fd00::1"
    # Headless Services and other namespaces give nothing.
    assert not any(k.startswith(("HEADLESS_", "ELSEWHERE_")) for k in env)


def test_enable_service_links_false_keeps_only_the_kubernetes_service() -> None:
    env = pod_service_env(pod(enableServiceLinks=False), SERVICES)
    assert env and all(k.startswith("KUBERNETES_") for k in env)


def test_pods_own_env_overrides_service_variables_and_may_refer_to_them() -> None:
    container = {
        "name": "c",
        "env": [
            {"name": "MY_DB_SERVICE_HOST", "value": "db.override"},
            {"name": "DB_URL", "value": "postgres://$(MY_DB_SERVICE_HOST):$(MY_DB_SERVICE_PORT)/x"},
        ],
    }
    env = resolve_env(
        pod(),
        container,
        lambda kind, name: None,
        pod_ip="10.244.0.5",
        host_ip="127.0.0.1",
        node_name="podlab",
        service_env=pod_service_env(pod(), SERVICES),
    )
    assert env["MY_DB_SERVICE_HOST"] == "db.override"
    assert env["DB_URL"] == "postgres://db.override:5432/x"
    assert env["MY_DB_PORT"] == "tcp://10.96.50.3:5432"
