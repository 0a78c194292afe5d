"""The default ClusterRoles and ClusterRoleBindings a cluster starts with (k8s
`plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go`), for the kinds podlab serves.

admin, edit and view are aggregated roles upstream (the clusterrole-aggregation controller fills
their rules from `aggregate-to-*` roles); podlab stores them with the aggregated rules already
in place and no aggregationRule. Each is made once, when missing (a user's edit survives, as
with `rbac.authorization.kubernetes.io/autoupdate: "false"`).
"""

from __future__ import annotations

from typing import Any

from podlab.store import AlreadyExists, Store

Obj = dict[str, Any]
GROUP = "rbac.authorization.k8s.io"
CLUSTER_ROLES = (GROUP, "clusterroles")
CLUSTER_ROLE_BINDINGS = (GROUP, "clusterrolebindings")

READ = ["get", "list", "watch"]
WRITE = ["create", "delete", "deletecollection", "patch", "update"]


def _rule(groups: list[str], resources: list[str], verbs: list[str]) -> Obj:
    return {"apiGroups": groups, "resources": resources, "verbs": verbs}


def _urls(urls: list[str], verbs: list[str]) -> Obj:
    return {"nonResourceURLs": urls, "verbs": verbs}


_VIEW = [
    _rule(
        [""],
        [
            "configmaps",
            "endpoints",
            "persistentvolumeclaims",
            "persistentvolumeclaims/status",
            "pods",
            "pods/log",
            "pods/status",
            "replicationcontrollers",
            "replicationcontrollers/scale",
            "replicationcontrollers/status",
            "serviceaccounts",
            "services",
            "services/status",
        ],
        READ,
    ),
    _rule(
        [""],
        ["bindings", "events", "limitranges", "namespaces/status", "pods/status", "resourcequotas"],
        READ,
    ),
    _rule([""], ["namespaces"], READ),
    _rule(["discovery.k8s.io"], ["endpointslices"], READ),
    _rule(
        ["apps"],
        [
            "controllerrevisions",
            "daemonsets",
            "daemonsets/status",
            "deployments",
            "deployments/scale",
            "deployments/status",
            "replicasets",
            "replicasets/scale",
            "replicasets/status",
            "statefulsets",
            "statefulsets/scale",
            "statefulsets/status",
        ],
        READ,
    ),
    _rule(["autoscaling"], ["horizontalpodautoscalers", "horizontalpodautoscalers/status"], READ),
    _rule(["batch"], ["cronjobs", "cronjobs/status", "jobs", "jobs/status"], READ),
    _rule(["policy"], ["poddisruptionbudgets", "poddisruptionbudgets/status"], READ),
    _rule(["networking.k8s.io"], ["ingresses", "ingresses/status", "networkpolicies"], READ),
    # system:aggregated-metrics-reader aggregates into view: `kubectl top`.
    _rule(["metrics.k8s.io"], ["pods", "nodes"], READ),
]

_EDIT = [
    _rule(
        [""],
        ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"],
        READ,
    ),
    _rule([""], ["serviceaccounts"], ["impersonate"]),
    _rule(
        [""],
        ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"],
        [*WRITE],
    ),
    _rule([""], ["pods/eviction"], ["create"]),
    _rule(
        [""],
        [
            "configmaps",
            "endpoints",
            "events",
            "persistentvolumeclaims",
            "replicationcontrollers",
            "replicationcontrollers/scale",
            "secrets",
            "serviceaccounts",
            "services",
            "services/proxy",
        ],
        [*WRITE],
    ),
    _rule([""], ["serviceaccounts/token"], ["create"]),
    _rule(
        ["apps"],
        [
            "daemonsets",
            "deployments",
            "deployments/rollback",
            "deployments/scale",
            "replicasets",
            "replicasets/scale",
            "statefulsets",
            "statefulsets/scale",
        ],
        [*WRITE],
    ),
    _rule(["autoscaling"], ["horizontalpodautoscalers"], [*WRITE]),
    _rule(["batch"], ["cronjobs", "jobs"], [*WRITE]),
    _rule(["policy"], ["poddisruptionbudgets"], [*WRITE]),
    _rule(["networking.k8s.io"], ["ingresses", "networkpolicies"], [*WRITE]),
    _rule(["coordination.k8s.io"], ["leases"], [*READ, *WRITE]),
    *_VIEW,
]

_ADMIN = [
    _rule(["authorization.k8s.io"], ["localsubjectaccessreviews"], ["create"]),
    _rule([GROUP], ["rolebindings", "roles"], [*WRITE, *READ]),
    *_EDIT,
]

_DISCOVERY_URLS = [
    "/api",
    "/api/*",
    "/apis",
    "/apis/*",
    "/healthz",
    "/livez",
    "/openapi",
    "/openapi/*",
    "/readyz",
    "/version",
    "/version/",
]
_PUBLIC_URLS = ["/healthz", "/livez", "/readyz", "/version", "/version/"]

CLUSTER_ROLE_RULES: dict[str, list[Obj]] = {
    "cluster-admin": [_rule(["*"], ["*"], ["*"]), _urls(["*"], ["*"])],
    "admin": _ADMIN,
    "edit": _EDIT,
    "view": _VIEW,
    "system:discovery": [_urls(_DISCOVERY_URLS, ["get"])],
    "system:public-info-viewer": [_urls(_PUBLIC_URLS, ["get"])],
    "system:basic-user": [
        _rule(["authentication.k8s.io"], ["selfsubjectreviews"], ["create"]),
        _rule(["authorization.k8s.io"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"], ["create"]),
    ],
}

# ClusterRole (and binding) name -> the groups it is bound to.
CLUSTER_ROLE_BINDINGS_TO: dict[str, list[str]] = {
    "cluster-admin": ["system:masters"],
    "system:discovery": ["system:authenticated"],
    "system:basic-user": ["system:authenticated"],
    "system:public-info-viewer": ["system:authenticated", "system:unauthenticated"],
}

_BOOTSTRAP_META: Obj = {
    "labels": {"kubernetes.io/bootstrapping": "rbac-defaults"},
    "annotations": {"rbac.authorization.kubernetes.io/autoupdate": "true"},
}


def _meta(name: str) -> Obj:
    return {
        "name": name,
        "labels": dict(_BOOTSTRAP_META["labels"]),
        "annotations": dict(_BOOTSTRAP_META["annotations"]),
    }


def default_cluster_roles() -> list[Obj]:
    return [
        {"apiVersion": f"{GROUP}/v1", "kind": "ClusterRole", "metadata": _meta(name), "rules": rules}
        for name, rules in CLUSTER_ROLE_RULES.items()
    ]


def default_cluster_role_bindings() -> list[Obj]:
    return [
        {
            "apiVersion": f"{GROUP}/v1",
            "kind": "ClusterRoleBinding",
            "metadata": _meta(name),
            "roleRef": {"apiGroup": GROUP, "kind": "ClusterRole", "name": name},
            "subjects": [{"apiGroup": GROUP, "kind": "Group", "name": g} for g in groups],
        }
        for name, groups in CLUSTER_ROLE_BINDINGS_TO.items()
    ]


def ensure_default_policy(store: Store) -> None:
    """Create the default roles and bindings that are missing."""
    for key, objs in (
        (CLUSTER_ROLES, default_cluster_roles()),
        (CLUSTER_ROLE_BINDINGS, default_cluster_role_bindings()),
    ):
        for obj in objs:
            try:
                store.create(key, obj)
            except AlreadyExists:
                pass
