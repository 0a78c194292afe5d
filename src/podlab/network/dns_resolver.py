"""Cluster DNS answers, sans-IO: a parsed question and a view of the cluster in, a reply out.

The record schema is Kubernetes DNS-Based Service Discovery 1.1.0 (kubernetes/dns
`docs/specification.md`) with CoreDNS's choices where the spec leaves room (coredns
`plugin/kubernetes`): 5 s TTLs, `aa` set, NXDOMAIN and NODATA both carrying the zone's SOA,
headless Services with no ready endpoint NXDOMAIN, pod A records as with `pods insecure`
(kubeadm's Corefile). docs/reference/cluster-dns.md lists the facts with their sources.

Names outside the zone are not answered here: `resolve` returns `OUT_OF_ZONE` and the driver
decides (forward to the node's resolver, or SERVFAIL when there is none).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Final

from dnslib import AAAA, CNAME, NS, PTR, QTYPE, RCODE, RR, SOA, SRV, TXT, A, DNSRecord

from .dns_cluster import ClusterView, Service, dashed

SPEC_VERSION = "1.1.0"
# CoreDNS kubernetes plugin: `ttl` defaults to 5; dns-version is served with 28800.
DEFAULT_TTL = 5
VERSION_TTL = 28800
# CoreDNS SOA timers (plugin/kubernetes/kubernetes.go, Serial aside).
SOA_REFRESH, SOA_RETRY, SOA_EXPIRE = 7200, 1800, 86400


class _OutOfZone:
    def __repr__(self) -> str:
        return "OUT_OF_ZONE"


OUT_OF_ZONE: Final = _OutOfZone()


@dataclass(frozen=True, slots=True)
class DnsSettings:
    zone: str = "cluster.local"
    ttl: int = DEFAULT_TTL


def udp_limit(request: DNSRecord) -> int:
    """The largest UDP reply the asker takes: 512 bytes, or its EDNS0 payload size (RFC 6891)."""
    for rr in request.ar:
        if rr.rtype == QTYPE.OPT:
            return max(512, min(int(rr.rclass), 65535))
    return 512


def truncated(reply: DNSRecord) -> DNSRecord:
    """The reply with TC set and no records: the asker retries over TCP (RFC 1035 4.2.1)."""
    out = DNSRecord(header=reply.header, q=reply.q)
    out.header.tc = 1
    return out


class Resolver:
    def __init__(self, view: ClusterView, settings: DnsSettings | None = None) -> None:
        self.view = view
        self.settings = settings or DnsSettings()
        self._zone = tuple(self.settings.zone.lower().strip(".").split("."))

    def resolve(self, request: DNSRecord) -> DNSRecord | _OutOfZone:
        reply = request.reply(ra=1, aa=1)
        if request.header.opcode != 0 or len(request.questions) != 1:
            reply.header.rcode = RCODE.NOTIMP if request.header.opcode != 0 else RCODE.FORMERR
            return reply
        labels = tuple(str(request.q.qname).lower().rstrip(".").split("."))
        if labels[-2:] == ("in-addr", "arpa"):
            return self._reverse(request, reply, labels)
        n = len(self._zone)
        if labels[-n:] != self._zone:
            return OUT_OF_ZONE
        _Answer(self, request, reply).zone_name(labels[:-n])
        return reply

    def _reverse(
        self, request: DNSRecord, reply: DNSRecord, labels: tuple[str, ...]
    ) -> DNSRecord | _OutOfZone:
        octets = labels[:-2]
        try:
            ip = str(ipaddress.IPv4Address(".".join(reversed(octets)))) if len(octets) == 4 else ""
        except ValueError:
            ip = ""
        target = self._name_of_ip(ip) if ip else None
        if target is None:
            # CoreDNS's Corefile falls through in-addr.arpa for IPs it does not know.
            return OUT_OF_ZONE
        if request.q.qtype in (QTYPE.PTR, QTYPE.ANY):
            reply.add_answer(RR(request.q.qname, QTYPE.PTR, ttl=self.settings.ttl, rdata=PTR(target)))
        else:
            reply.add_auth(self._soa())
        return reply

    def _name_of_ip(self, ip: str) -> str | None:
        headless: list[Service] = []
        for svc in self.view.services():
            if ip in svc.cluster_ips:
                return self.fqdn(svc.name, svc.namespace, "svc")
            if svc.kind == "Headless":
                headless.append(svc)
        for svc in headless:
            for ep in self.view.ready_endpoints(svc):
                if ep.ip == ip:
                    return self.fqdn(ep.label, svc.name, svc.namespace, "svc")
        return None

    def fqdn(self, *labels: str) -> str:
        return ".".join((*labels, self.settings.zone)) + "."

    def _soa(self) -> RR:
        zone = self.settings.zone + "."
        soa = SOA(
            f"ns.dns.{zone}",
            f"hostmaster.{zone}",
            (1, SOA_REFRESH, SOA_RETRY, SOA_EXPIRE, self.settings.ttl),
        )
        # CoreDNS: the SOA's own TTL is min(ttl, 300).
        return RR(zone, QTYPE.SOA, ttl=min(self.settings.ttl, 300), rdata=soa)


class _Answer:
    """Fills one reply for a name inside the zone; `labels` are those before the zone."""

    def __init__(self, resolver: Resolver, request: DNSRecord, reply: DNSRecord) -> None:
        self.r = resolver
        self.view = resolver.view
        self.ttl = resolver.settings.ttl
        self.qname = request.q.qname
        self.qtype = request.q.qtype
        self.reply = reply

    # -- outcomes -----------------------------------------------------------------------
    def nxdomain(self) -> None:
        self.reply.header.rcode = RCODE.NXDOMAIN
        self.reply.add_auth(self.r._soa())

    def nodata(self) -> None:
        self.reply.add_auth(self.r._soa())

    def addresses(self, ips: list[str]) -> None:
        """A records for the IPv4 addresses; NODATA for AAAA and other types (IPv4 cluster)."""
        v4 = [ip for ip in ips if ":" not in ip]
        v6 = [ip for ip in ips if ":" in ip]
        if self.qtype in (QTYPE.A, QTYPE.ANY) and v4:
            for ip in v4:
                self.reply.add_answer(RR(self.qname, QTYPE.A, ttl=self.ttl, rdata=A(ip)))
        elif self.qtype in (QTYPE.AAAA, QTYPE.ANY) and v6:
            for ip in v6:
                self.reply.add_answer(RR(self.qname, QTYPE.AAAA, ttl=self.ttl, rdata=AAAA(ip)))
        else:
            self.nodata()

    # -- names --------------------------------------------------------------------------
    def zone_name(self, labels: tuple[str, ...]) -> None:
        if not labels:
            return self.apex()
        if labels == ("dns-version",):
            if self.qtype in (QTYPE.TXT, QTYPE.ANY):
                rr = RR(self.qname, QTYPE.TXT, ttl=VERSION_TTL, rdata=TXT(SPEC_VERSION))
                self.reply.add_answer(rr)
                return None
            return self.nodata()
        kind = labels[-1]
        if kind == "svc":
            return self.svc_name(labels[:-1])
        if kind == "pod":
            return self.pod_name(labels[:-1])
        return self.nxdomain()

    def apex(self) -> None:
        zone = self.r.settings.zone + "."
        if self.qtype == QTYPE.SOA:
            self.reply.add_answer(self.r._soa())
        elif self.qtype == QTYPE.NS:
            self.reply.add_answer(RR(zone, QTYPE.NS, ttl=self.ttl, rdata=NS(f"ns.dns.{zone}")))
        else:
            self.nodata()

    def svc_name(self, labels: tuple[str, ...]) -> None:
        if not labels:  # svc.cluster.local exists as a name with no records
            return self.nodata()
        namespace = labels[-1]
        if len(labels) == 1:
            return self.nodata() if self.view.namespace_exists(namespace) else self.nxdomain()
        svc = self.view.service(namespace, labels[-2])
        if svc is None:
            return self.nxdomain()
        rest = labels[:-2]
        if not rest:
            return self.service(svc)
        if len(rest) == 2 and rest[0].startswith("_") and rest[1].startswith("_"):
            return self.srv(svc, rest[0][1:], rest[1][1:])
        if len(rest) == 1 and svc.kind == "Headless":
            ips = [ep.ip for ep in self.view.ready_endpoints(svc) if ep.label == rest[0]]
            return self.addresses(ips) if ips else self.nxdomain()
        return self.nxdomain()

    def service(self, svc: Service) -> None:
        if svc.kind == "ExternalName":
            target = svc.external_name.rstrip(".") + "."
            self.reply.add_answer(RR(self.qname, QTYPE.CNAME, ttl=self.ttl, rdata=CNAME(target)))
            return None
        if svc.kind == "ClusterIP":
            return self.addresses(list(svc.cluster_ips))
        ips = [ep.ip for ep in self.view.ready_endpoints(svc)]
        # Spec 1.1.0: a headless Service with no ready endpoint does not exist.
        return self.addresses(ips) if ips else self.nxdomain()

    def srv(self, svc: Service, port_name: str, proto: str) -> None:
        def matches(name: str, protocol: str) -> bool:
            # Unnamed ports have no SRV record (spec 1.1.0).
            return bool(name) and name.lower() == port_name and protocol.lower() == proto

        # (target, port, address of the target)
        records: list[tuple[str, int, str]] = []
        if svc.kind == "ClusterIP":
            target = self.r.fqdn(svc.name, svc.namespace, "svc")
            records = [
                (target, p.port, ip)
                for p in svc.ports
                if matches(p.name, p.protocol)
                for ip in svc.cluster_ips[:1]
            ]
        elif svc.kind == "Headless":
            if not any(matches(p.name, p.protocol) for p in svc.ports):
                return self.nxdomain()
            for ep in self.view.ready_endpoints(svc):
                target = self.r.fqdn(ep.label, svc.name, svc.namespace, "svc")
                records += [(target, p.port, ep.ip) for p in ep.ports if matches(p.name, p.protocol)]
        if not records:
            return self.nxdomain()
        if self.qtype not in (QTYPE.SRV, QTYPE.ANY):
            return self.nodata()
        # CoreDNS: priority 0, weight 100 / number of records (at least 1); targets' A records
        # go in the additional section.
        weight = max(1, 100 // len(records))
        for target, port, ip in records:
            rdata = SRV(priority=0, weight=weight, port=port, target=target)
            self.reply.add_answer(RR(self.qname, QTYPE.SRV, ttl=self.ttl, rdata=rdata))
            self.reply.add_ar(RR(target, QTYPE.A, ttl=self.ttl, rdata=A(ip)))
        return None

    def pod_name(self, labels: tuple[str, ...]) -> None:
        if not labels:
            return self.nodata()
        namespace = labels[-1]
        if not self.view.namespace_exists(namespace):
            return self.nxdomain()
        if len(labels) == 1:
            return self.nodata()
        if len(labels) != 2:
            return self.nxdomain()
        # `pods insecure`: the name is the address; CoreDNS does not check a pod has it.
        try:
            ip = ipaddress.IPv4Address(labels[0].replace("-", "."))
        except ValueError:
            return self.nxdomain()
        if dashed(str(ip)) != labels[0]:
            return self.nxdomain()  # "010-0-0-1" and the like are not an address's name
        return self.addresses([str(ip)])
