"""What the kubelet writes into a pod besides its resolver: /etc/hosts, /etc/hostname and the
UTS hostname (k8s pkg/kubelet/kubelet_pods.go `GeneratePodHostNameAndDomain`,
`managedHostsFileContent`; pkg/kubelet/util/util.go `GetNodenameForKernel`).
"""

from __future__ import annotations

from typing import Any

from podlab.kubelet.resolv_conf import ClusterDNS, pod_resolv_conf
from podlab.runtime.layout import DEFAULT_HOSTS, MANAGED_HOSTS_HEADER
from podlab.runtime.types import PodEtc

Obj = dict[str, Any]

MAX_LABEL = 63  # a hostname is one DNS-1123 label
MAX_KERNEL_HOSTNAME = 64  # the kernel's HOST_NAME_MAX

MANAGED_HEADER_HOST_NETWORK = "# Kubernetes-managed hosts file (host network).\n"


class SandboxError(Exception):
    """The pod's sandbox cannot be made as specified (kubelet: FailedCreatePodSandBox)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def hostname_and_domain(pod: Obj, cluster_domain: str) -> tuple[str, str]:
    """(hostname, hostDomain): spec.hostname or the pod name, cut to 63 characters without a
    trailing '-' or '.'; `<subdomain>.<ns>.svc.<domain>` when spec.subdomain is set."""
    spec, meta = pod.get("spec") or {}, pod.get("metadata") or {}
    hostname = str(spec.get("hostname") or meta.get("name", ""))
    if len(hostname) > MAX_LABEL:
        hostname = hostname[:MAX_LABEL].rstrip("-.")
    domain = ""
    if spec.get("subdomain"):
        domain = f"{spec['subdomain']}.{meta.get('namespace') or 'default'}.svc.{cluster_domain}"
    return hostname, domain


def kernel_hostname(pod: Obj, hostname: str, domain: str) -> str:
    """The UTS name: the FQDN with setHostnameAsFQDN and a subdomain, else the hostname."""
    if not (pod.get("spec") or {}).get("setHostnameAsFQDN") or not domain:
        return hostname
    fqdn = f"{hostname}.{domain}"
    if len(fqdn) > MAX_KERNEL_HOSTNAME:
        raise SandboxError(
            f"failed to construct FQDN from pod hostname and cluster domain, FQDN {fqdn} is too long "
            f"({MAX_KERNEL_HOSTNAME} characters is the max, {len(fqdn)} characters requested)"
        )
    return fqdn


def hosts_file(pod: Obj, pod_ips: list[str], hostname: str, domain: str, node_hosts: str = "") -> str:
    """The managed hosts file; tabs between fields, as kubelet writes them."""
    spec = pod.get("spec") or {}
    if spec.get("hostNetwork"):
        text = MANAGED_HEADER_HOST_NETWORK + node_hosts
    else:
        text = MANAGED_HOSTS_HEADER + DEFAULT_HOSTS
        for ip in pod_ips:
            text += f"{ip}\t{hostname}.{domain}\t{hostname}\n" if domain else f"{ip}\t{hostname}\n"
    aliases = spec.get("hostAliases") or []
    if aliases:
        text += "\n# Entries added by HostAliases.\n"
        for alias in aliases:
            text += f"{alias.get('ip', '')}\t" + "\t".join(alias.get("hostnames") or []) + "\n"
    return text


def pod_etc(
    pod: Obj, pod_ip: str, cluster: ClusterDNS, node_hosts: str = ""
) -> tuple[PodEtc, list[tuple[str, str]]]:
    """The pod's files and UTS name, and the Warning events (reason, message) to record.

    Raises SandboxError when the pod's FQDN cannot be its kernel hostname.
    """
    hostname, domain = hostname_and_domain(pod, cluster.domain)
    uts = kernel_hostname(pod, hostname, domain)
    resolv, events = pod_resolv_conf(pod, cluster)
    etc = PodEtc(
        hosts=hosts_file(pod, [pod_ip], hostname, domain, node_hosts),
        resolv_conf=resolv.render(),
        hostname=uts,
    )
    return etc, events
