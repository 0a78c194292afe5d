"""Tables of the stored-only kinds: Lease, PodDisruptionBudget, NetworkPolicy, Ingress and
IngressClass (k8s pkg/printers/internalversion/printers.go printLease,
printPodDisruptionBudget, printNetworkPolicy, printIngress, printIngressClass)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from podlab.k8s.errors import Obj
from podlab.k8s.printers_common import AGE, NAME, Column, age_of, as_int, as_obj, dicts, name_of
from podlab.k8s.selectors import selector_string

LEASE_COLUMNS: list[Column] = [
    NAME,
    ("Holder", "string", 0, "holderIdentity contains the identity of the holder of a current lease."),
    AGE,
]


def lease_row(obj: Obj, now: datetime) -> list[Any]:
    return [name_of(obj), str(as_obj(obj.get("spec")).get("holderIdentity") or ""), age_of(obj, now)]


PDB_COLUMNS: list[Column] = [
    NAME,
    ("Min Available", "string", 0, "The minimum number of pods that must be available."),
    ("Max Unavailable", "string", 0, "The maximum number of pods that may be unavailable."),
    ("Allowed Disruptions", "integer", 0, "Calculated number of pods that may be disrupted at this time."),
    AGE,
]


def pdb_row(obj: Obj, now: datetime) -> list[Any]:
    spec = as_obj(obj.get("spec"))
    low, high = spec.get("minAvailable"), spec.get("maxUnavailable")
    return [
        name_of(obj),
        "N/A" if low is None else str(low),
        "N/A" if high is None else str(high),
        as_int(as_obj(obj.get("status")).get("disruptionsAllowed")),
        age_of(obj, now),
    ]


NETWORKPOLICY_COLUMNS: list[Column] = [
    NAME,
    (
        "Pod-Selector",
        "string",
        0,
        "Selects the pods to which this NetworkPolicy object applies. The array of ingress rules is "
        "applied to any pods selected by this field. Multiple network policies can select the same set "
        "of pods. In this case, the ingress rules for each are combined additively. This field is NOT "
        "optional and follows standard label selector semantics. An empty podSelector matches all pods "
        "in this namespace.",
    ),
    AGE,
]


def networkpolicy_row(obj: Obj, now: datetime) -> list[Any]:
    # metav1.FormatLabelSelector: "<none>" for the empty selector (all pods).
    selector = selector_string(as_obj(as_obj(obj.get("spec")).get("podSelector"))) or "<none>"
    return [name_of(obj), selector, age_of(obj, now)]


INGRESS_COLUMNS: list[Column] = [
    NAME,
    (
        "Class",
        "string",
        0,
        "The name of the IngressClass resource that should be used for additional configuration",
    ),
    ("Hosts", "string", 0, "Hosts that incoming requests are matched against before the ingress rule"),
    ("Address", "string", 0, "Address is a list containing ingress points for the load-balancer"),
    ("Ports", "string", 0, "Ports of TLS configurations that open"),
    AGE,
]
_MAX_HOSTS = 3
_LOAD_BALANCER_WIDTH = 16


def _hosts(rules: list[Obj]) -> str:
    """formatHosts: up to three rule hosts, then "+ N more..." (N counts rules); "*" for none."""
    hosts: list[str] = []
    more = False
    for rule in rules:
        more = more or len(hosts) == _MAX_HOSTS
        if not more and rule.get("host"):
            hosts.append(str(rule["host"]))
    if not hosts:
        return "*"
    text = ",".join(hosts)
    return f"{text} + {len(rules) - _MAX_HOSTS} more..." if more else text


def _addresses(status: Obj) -> str:
    """ingressLoadBalancerStatusStringer (not wide): sorted unique IPs/hostnames, 16 chars at most."""
    found = {
        str(i.get("ip") or i.get("hostname") or "")
        for i in dicts(as_obj(status.get("loadBalancer")).get("ingress"))
    }
    text = ",".join(sorted(found - {""}))
    return text[: _LOAD_BALANCER_WIDTH - 3] + "..." if len(text) > _LOAD_BALANCER_WIDTH else text


def ingress_row(obj: Obj, now: datetime) -> list[Any]:
    spec = as_obj(obj.get("spec"))
    return [
        name_of(obj),
        str(spec.get("ingressClassName") or "<none>"),
        _hosts(dicts(spec.get("rules"))),
        _addresses(as_obj(obj.get("status"))),
        "80, 443" if spec.get("tls") else "80",
        age_of(obj, now),
    ]


INGRESSCLASS_COLUMNS: list[Column] = [
    NAME,
    ("Controller", "string", 0, "Controller that is responsible for handling this class"),
    ("Parameters", "string", 0, "A reference to a resource with additional parameters"),
    AGE,
]
DEFAULT_INGRESS_CLASS = "ingressclass.kubernetes.io/is-default-class"


def ingressclass_row(obj: Obj, now: datetime) -> list[Any]:
    spec = as_obj(obj.get("spec"))
    params = as_obj(spec.get("parameters"))
    parameters = "<none>"
    if params:
        parameters = str(params.get("kind", ""))
        if params.get("apiGroup"):
            parameters += "." + str(params["apiGroup"])
        parameters += "/" + str(params.get("name", ""))
    annotations = as_obj(as_obj(obj.get("metadata")).get("annotations"))
    name = name_of(obj) + (" (default)" if annotations.get(DEFAULT_INGRESS_CLASS) == "true" else "")
    return [name, str(spec.get("controller", "")), parameters, age_of(obj, now)]


HPA_COLUMNS: list[Column] = [
    NAME,
    (
        "Reference",
        "string",
        0,
        "scaleTargetRef points to the target resource to scale, and is used to the pods for which metrics should be collected, as well as to actually change the replica count.",
    ),
    (
        "Targets",
        "string",
        0,
        "metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used).",
    ),
    (
        "MinPods",
        "string",
        0,
        "minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.",
    ),
    (
        "MaxPods",
        "string",
        0,
        "maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up.",
    ),
    (
        "Replicas",
        "string",
        0,
        "currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler.",
    ),
    AGE,
]
_MAX_METRICS = 2


def _hpa_target(spec: Obj, current: Obj) -> str:
    """formatHPAMetrics for a Resource metric: `cpu: 12%/50%`, `<unknown>` before a reading."""
    source = as_obj(spec.get("resource"))
    target = as_obj(source.get("target"))
    now = as_obj(as_obj(current.get("resource")).get("current"))
    if target.get("averageUtilization") is not None:
        seen = f"{now['averageUtilization']}%" if now.get("averageUtilization") is not None else "<unknown>"
        return f"{source.get('name')}: {seen}/{target['averageUtilization']}%"
    seen = str(now.get("averageValue")) if now.get("averageValue") is not None else "<unknown>"
    return f"{source.get('name')}: {seen}/{target.get('averageValue', '')}"


def hpa_row(obj: Obj, now: datetime) -> list[Any]:
    spec, status = as_obj(obj.get("spec")), as_obj(obj.get("status"))
    ref = as_obj(spec.get("scaleTargetRef"))
    metrics = dicts(spec.get("metrics"))
    currents = dicts(status.get("currentMetrics"))
    cells = [
        _hpa_target(m, currents[i] if i < len(currents) else {})
        if m.get("type") == "Resource"
        else "<unknown>"
        for i, m in enumerate(metrics)
    ]
    targets = ", ".join(cells[:_MAX_METRICS]) or "<none>"
    if len(cells) > _MAX_METRICS:
        targets += f" + {len(cells) - _MAX_METRICS} more..."
    low = spec.get("minReplicas")
    return [
        name_of(obj),
        f"{ref.get('kind', '')}/{ref.get('name', '')}",
        targets,
        "<unset>" if low is None else str(low),
        as_int(spec.get("maxReplicas")),
        as_int(status.get("currentReplicas")),
        age_of(obj, now),
    ]
