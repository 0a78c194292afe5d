"""A pod's /etc/resolv.conf, as kubelet's `GetPodDNS` (k8s pkg/kubelet/network/dns/dns.go)
decides it and containerd writes it (`parseDNSOptions`: search, nameservers, options).

Sans-IO: the node's resolver file comes in as text; the Warning events kubelet would record
come back as (reason, message) pairs for the caller to emit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Obj = dict[str, Any]

# k8s pkg/apis/core/validation: MaxDNSNameservers, MaxDNSSearchPaths, MaxDNSSearchListChars
# (the limits since ExpandedDNSConfig went GA).
MAX_NAMESERVERS = 3
MAX_SEARCH_PATHS = 32
MAX_SEARCH_LIST_CHARS = 2048
MAX_SEARCH_ENTRY_CHARS = 253  # DNS1123SubdomainMaxLength: glibc aborts on longer entries
DEFAULT_OPTIONS = ("ndots:5",)


@dataclass(frozen=True, slots=True)
class ClusterDNS:
    """The kubelet's `clusterDNS` and `clusterDomain`, and the node's resolver file (text)."""

    servers: tuple[str, ...] = ()
    domain: str = "cluster.local"
    host_resolv: str = ""


@dataclass(slots=True)
class ResolvConf:
    nameservers: list[str] = field(default_factory=list)
    searches: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)

    def render(self) -> str:
        """containerd's layout: one search line, one line per nameserver, one options line."""
        lines: list[str] = []
        if self.searches:
            lines.append("search " + " ".join(self.searches))
        lines += [f"nameserver {ns}" for ns in self.nameservers]
        if self.options:
            lines.append("options " + " ".join(self.options))
        return "".join(line + "\n" for line in lines)


def read_host_resolv(path: Path = Path("/etc/resolv.conf")) -> str:
    """The node's resolver file (kubelet --resolv-conf); none at all reads as empty."""
    try:
        return path.read_text()
    except OSError:
        return ""


def parse_host_resolv(text: str) -> ResolvConf:
    """Nameserver lines add up; the last search and the last options line win (kubelet)."""
    out = ResolvConf()
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].split(";", 1)[0].split()
        if not line:
            continue
        if line[0] == "nameserver" and len(line) > 1:
            out.nameservers.append(line[1])
        elif line[0] == "search":
            out.searches = [s.rstrip(".") or "." for s in line[1:]]
        elif line[0] == "options":
            out.options = line[1:]
    return out


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _merge_options(base: list[str], extra: list[Obj]) -> list[str]:
    """By name, the pod's value winning; `name:value`, or just `name` without a value."""
    merged: dict[str, str | None] = {}
    for opt in base:
        name, sep, value = opt.partition(":")
        merged[name] = value if sep else None
    for item in extra:
        raw = item.get("value")
        merged[str(item.get("name", ""))] = None if raw is None else str(raw)
    return [name if value is None else f"{name}:{value}" for name, value in merged.items()]


def pod_resolv_conf(pod: Obj, cluster: ClusterDNS) -> tuple[ResolvConf, list[tuple[str, str]]]:
    """The pod's resolver settings and the Warning events (reason, message) kubelet records."""
    spec = pod.get("spec") or {}
    meta = pod.get("metadata") or {}
    events: list[tuple[str, str]] = []
    policy = spec.get("dnsPolicy") or "ClusterFirst"
    host = parse_host_resolv(cluster.host_resolv)
    kind = "host"
    if policy == "None":
        kind = "none"
    elif policy == "ClusterFirstWithHostNet" or (policy == "ClusterFirst" and not spec.get("hostNetwork")):
        kind = "cluster"
    if kind == "cluster" and not cluster.servers:
        message = (
            "kubelet does not have ClusterDNS IP configured and cannot create Pod using "
            '"ClusterFirst" policy. Falling back to "Default" policy.'
        )
        pod_name = f"{meta.get('name', '')}_{meta.get('namespace', 'default')}({meta.get('uid', '')})"
        events.append(("MissingClusterDNS", f'pod: "{pod_name}". {message}'))
        kind = "host"
    if kind == "cluster":
        searches = list(host.searches)
        if cluster.domain:
            ns = str(meta.get("namespace") or "default")
            searches = [f"{ns}.svc.{cluster.domain}", f"svc.{cluster.domain}", cluster.domain, *searches]
        conf = ResolvConf(list(cluster.servers), _dedupe(searches), list(DEFAULT_OPTIONS))
    elif kind == "host":
        conf = host
    else:
        conf = ResolvConf()
    extra = spec.get("dnsConfig") or {}
    if extra:
        conf.nameservers = _dedupe(conf.nameservers + [str(s) for s in extra.get("nameservers") or []])
        conf.searches = _dedupe(conf.searches + [str(s) for s in extra.get("searches") or []])
        conf.options = _merge_options(conf.options, extra.get("options") or [])
    _fit_limits(conf, events)
    return conf, events


def _fit_limits(conf: ResolvConf, events: list[tuple[str, str]]) -> None:
    """formDNSConfigFitsLimits: cut what the resolver cannot take, and say so."""
    if len(conf.nameservers) > MAX_NAMESERVERS:
        conf.nameservers = conf.nameservers[:MAX_NAMESERVERS]
        events.append(
            (
                "DNSConfigForming",
                "Nameserver limits were exceeded, some nameservers have been omitted, "
                f"the applied nameserver line is: {' '.join(conf.nameservers)}",
            )
        )
    searches, exceeded = conf.searches, False
    if len(searches) > MAX_SEARCH_PATHS:
        searches, exceeded = searches[:MAX_SEARCH_PATHS], True
    kept = [s for s in searches if len(s) <= MAX_SEARCH_ENTRY_CHARS]
    exceeded = exceeded or len(kept) != len(searches)
    while kept and len(" ".join(kept)) > MAX_SEARCH_LIST_CHARS:
        kept.pop()  # cut from the end until the line fits
        exceeded = True
    conf.searches = kept
    if exceeded:
        events.append(
            (
                "DNSConfigForming",
                "Search Line limits were exceeded, some search paths have been omitted, "
                f"the applied search line is: {' '.join(kept)}",
            )
        )
