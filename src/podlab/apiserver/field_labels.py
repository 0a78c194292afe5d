"""Which field selectors each kind supports (the registries' GetAttrs / field label conversions).

The store can filter on any dotted path, but the real apiserver refuses unknown field labels
with `field label not supported: <label>`; answering the same keeps typos from silently
matching nothing.
"""

from __future__ import annotations

from podlab.store import BadRequest, FieldSelector

_COMMON = frozenset({"metadata.name", "metadata.namespace"})
_BY_KEY: dict[tuple[str, str], frozenset[str]] = {
    ("", "pods"): frozenset(
        {
            "spec.nodeName",
            "spec.restartPolicy",
            "spec.schedulerName",
            "spec.serviceAccountName",
            "spec.hostNetwork",
            "status.phase",
            "status.podIP",
            "status.podIPs",
            "status.nominatedNodeName",
        }
    ),
    ("", "events"): frozenset(
        {
            "involvedObject.kind",
            "involvedObject.namespace",
            "involvedObject.name",
            "involvedObject.uid",
            "involvedObject.apiVersion",
            "involvedObject.resourceVersion",
            "involvedObject.fieldPath",
            "reason",
            "reportingComponent",
            "source",
            "type",
        }
    ),
    ("", "secrets"): frozenset({"type"}),
    ("", "namespaces"): frozenset({"status.phase"}),
    ("", "services"): frozenset({"spec.clusterIP", "spec.type"}),
    ("apps", "replicasets"): frozenset({"status.replicas"}),
}


def check_field_selector(key: tuple[str, str], selector: str | None) -> None:
    """Raise BadRequest (400) for a field label the kind does not support."""
    allowed = _COMMON | _BY_KEY.get(key, frozenset())
    for requirement in FieldSelector.parse(selector).requirements:
        if requirement.path not in allowed:
            raise BadRequest(f"field label not supported: {requirement.path}")
