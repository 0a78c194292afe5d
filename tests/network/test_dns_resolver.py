"""The cluster DNS resolver against dnslib-built questions and objects put straight into a Store."""

from __future__ import annotations

import pytest
from dnslib import EDNS0, QTYPE, RCODE, DNSRecord

from podlab.network.dns_cluster import ENDPOINT_SLICES, SERVICES, ClusterView
from podlab.network.dns_resolver import OUT_OF_ZONE, Resolver, truncated, udp_limit
from podlab.store import Store

from .dns_objects import endpoint_slice, ep, service


@pytest.fixture
def resolver() -> Resolver:
    store = Store(None)
    store.create(
        SERVICES,
        service("web", "10.96.3.4", [{"name": "http", "port": 80, "protocol": "TCP"}, {"port": 9000}]),
    )
    store.create(SERVICES, service("db", "None", [{"name": "pg", "port": 5432}]))
    store.create(SERVICES, service("empty", "None", [{"name": "pg", "port": 5432}]))
    store.create(SERVICES, service("ext", None, [], type="ExternalName", externalName="example.org"))
    store.create(SERVICES, service("other", "10.96.9.9", [{"port": 1}], ns="kube-system"))
    store.create(
        ENDPOINT_SLICES,
        endpoint_slice(
            "db",
            [ep("10.244.0.5", hostname="db-0"), ep("10.244.0.6", ready=None), ep("10.244.0.7", ready=False)],
            [{"name": "pg", "port": 15432, "protocol": "TCP"}],
        ),
    )
    store.create(ENDPOINT_SLICES, endpoint_slice("empty", [ep("10.244.0.8", ready=False)], []))
    return Resolver(ClusterView(store))


def ask(resolver: Resolver, name: str, qtype: str = "A") -> DNSRecord:
    reply = resolver.resolve(DNSRecord.question(name, qtype))
    assert isinstance(reply, DNSRecord)
    # Every answer goes through the wire format, as a client would see it.
    return DNSRecord.parse(reply.pack())


def rdata(reply: DNSRecord, section: str = "rr") -> list[str]:
    return [str(rr.rdata) for rr in getattr(reply, section)]


def test_cluster_ip_service_a_record_is_authoritative_with_a_5s_ttl(resolver: Resolver) -> None:
    reply = ask(resolver, "web.default.svc.cluster.local")
    assert reply.header.rcode == RCODE.NOERROR and reply.header.aa == 1
    assert rdata(reply) == ["10.96.3.4"]
    assert [rr.ttl for rr in reply.rr] == [5]


def test_names_compare_case_insensitively_and_answer_in_the_asked_case(resolver: Resolver) -> None:
    reply = ask(resolver, "WEB.Default.SVC.cluster.local.")
    assert rdata(reply) == ["10.96.3.4"]
    assert str(reply.rr[0].rname) == "WEB.Default.SVC.cluster.local."


def test_aaaa_for_an_ipv4_service_is_nodata_with_the_soa(resolver: Resolver) -> None:
    reply = ask(resolver, "web.default.svc.cluster.local", "AAAA")
    assert reply.header.rcode == RCODE.NOERROR and reply.rr == []
    assert [QTYPE[rr.rtype] for rr in reply.auth] == ["SOA"]
    soa = reply.auth[0]
    assert (
        str(soa.rdata.mname) == "ns.dns.cluster.local."
        and str(soa.rdata.rname) == "hostmaster.cluster.local."
    )
    assert soa.rdata.times[1:] == (7200, 1800, 86400, 5)


@pytest.mark.parametrize(
    "name",
    [
        "nope.default.svc.cluster.local",
        "web.nons.svc.cluster.local",
        "nons.svc.cluster.local",
        "x.y.cluster.local",
        "a.web.default.svc.cluster.local",
        "example.com.default.svc.cluster.local",
    ],
)
def test_unknown_names_in_the_zone_are_nxdomain_with_the_soa(resolver: Resolver, name: str) -> None:
    reply = ask(resolver, name)
    assert reply.header.rcode == RCODE.NXDOMAIN
    assert [QTYPE[rr.rtype] for rr in reply.auth] == ["SOA"]


@pytest.mark.parametrize(
    "name", ["default.svc.cluster.local", "svc.cluster.local", "cluster.local", "default.pod.cluster.local"]
)
def test_names_that_exist_without_records_are_nodata(resolver: Resolver, name: str) -> None:
    reply = ask(resolver, name)
    assert reply.header.rcode == RCODE.NOERROR and reply.rr == []


def test_headless_service_answers_its_ready_endpoints_ready_unset_counting_as_ready(
    resolver: Resolver,
) -> None:
    assert sorted(rdata(ask(resolver, "db.default.svc.cluster.local"))) == ["10.244.0.5", "10.244.0.6"]


def test_headless_service_without_ready_endpoints_is_nxdomain(resolver: Resolver) -> None:
    assert ask(resolver, "empty.default.svc.cluster.local").header.rcode == RCODE.NXDOMAIN


def test_headless_endpoint_names_hostname_or_dashed_ip(resolver: Resolver) -> None:
    assert rdata(ask(resolver, "db-0.db.default.svc.cluster.local")) == ["10.244.0.5"]
    assert rdata(ask(resolver, "10-244-0-6.db.default.svc.cluster.local")) == ["10.244.0.6"]
    # Not ready: no name.
    assert ask(resolver, "10-244-0-7.db.default.svc.cluster.local").header.rcode == RCODE.NXDOMAIN


def test_srv_for_a_named_port_of_a_cluster_ip_service(resolver: Resolver) -> None:
    reply = ask(resolver, "_http._tcp.web.default.svc.cluster.local", "SRV")
    assert [(r.rdata.priority, r.rdata.weight, r.rdata.port, str(r.rdata.target)) for r in reply.rr] == [
        (0, 100, 80, "web.default.svc.cluster.local.")
    ]
    assert [(str(r.rname), str(r.rdata)) for r in reply.ar] == [
        ("web.default.svc.cluster.local.", "10.96.3.4")
    ]


def test_srv_wrong_protocol_or_unnamed_port_is_nxdomain(resolver: Resolver) -> None:
    assert ask(resolver, "_http._udp.web.default.svc.cluster.local", "SRV").header.rcode == RCODE.NXDOMAIN
    assert ask(resolver, "_9000._tcp.web.default.svc.cluster.local", "SRV").header.rcode == RCODE.NXDOMAIN


def test_srv_of_a_headless_service_targets_each_ready_endpoint_on_its_target_port(resolver: Resolver) -> None:
    reply = ask(resolver, "_pg._tcp.db.default.svc.cluster.local", "SRV")
    got = sorted((r.rdata.weight, r.rdata.port, str(r.rdata.target)) for r in reply.rr)
    assert got == [
        (50, 15432, "10-244-0-6.db.default.svc.cluster.local."),
        (50, 15432, "db-0.db.default.svc.cluster.local."),
    ]
    assert sorted(rdata(reply, "ar")) == ["10.244.0.5", "10.244.0.6"]


def test_external_name_is_a_cname(resolver: Resolver) -> None:
    reply = ask(resolver, "ext.default.svc.cluster.local")
    assert [(QTYPE[r.rtype], str(r.rdata)) for r in reply.rr] == [("CNAME", "example.org.")]


def test_pod_a_record_from_its_dashed_address(resolver: Resolver) -> None:
    assert rdata(ask(resolver, "10-244-1-2.default.pod.cluster.local")) == ["10.244.1.2"]
    assert ask(resolver, "10-244-1-2.nons.pod.cluster.local").header.rcode == RCODE.NXDOMAIN
    assert ask(resolver, "10-244-1.default.pod.cluster.local").header.rcode == RCODE.NXDOMAIN


def test_dns_version_txt(resolver: Resolver) -> None:
    reply = ask(resolver, "dns-version.cluster.local", "TXT")
    assert rdata(reply) == ['"1.1.0"'] and reply.rr[0].ttl == 28800


def test_ptr_for_service_and_headless_endpoint_addresses(resolver: Resolver) -> None:
    assert rdata(ask(resolver, "4.3.96.10.in-addr.arpa", "PTR")) == ["web.default.svc.cluster.local."]
    assert rdata(ask(resolver, "9.9.96.10.in-addr.arpa", "PTR")) == ["other.kube-system.svc.cluster.local."]
    assert rdata(ask(resolver, "5.0.244.10.in-addr.arpa", "PTR")) == ["db-0.db.default.svc.cluster.local."]


def test_names_outside_the_zone_and_unknown_addresses_are_left_to_the_driver(resolver: Resolver) -> None:
    assert resolver.resolve(DNSRecord.question("example.com")) is OUT_OF_ZONE
    assert resolver.resolve(DNSRecord.question("1.1.1.1.in-addr.arpa", "PTR")) is OUT_OF_ZONE


def test_a_name_outside_this_namespace_resolves_only_with_its_namespace(resolver: Resolver) -> None:
    # Search-path expansion is the client's (ndots:5): the server sees whole names only.
    assert ask(resolver, "other.default.svc.cluster.local").header.rcode == RCODE.NXDOMAIN
    assert rdata(ask(resolver, "other.kube-system.svc.cluster.local")) == ["10.96.9.9"]


def test_udp_limit_is_512_or_the_edns_payload_size() -> None:
    plain = DNSRecord.question("web.default.svc.cluster.local")
    assert udp_limit(plain) == 512
    edns = DNSRecord.question("web.default.svc.cluster.local")
    edns.add_ar(EDNS0(udp_len=1232))
    assert udp_limit(DNSRecord.parse(edns.pack())) == 1232


def test_truncated_reply_keeps_the_question_and_sets_tc(resolver: Resolver) -> None:
    request = DNSRecord.question("db.default.svc.cluster.local")
    reply = resolver.resolve(request)
    assert isinstance(reply, DNSRecord)
    cut = DNSRecord.parse(truncated(reply).pack())
    assert cut.header.tc == 1 and cut.header.id == request.header.id
    assert str(cut.q.qname) == "db.default.svc.cluster.local." and cut.rr == []
