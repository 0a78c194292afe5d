"""The sans-IO parts of ServiceAccount auth: the JWT issuer, RBAC rule matching and binding
resolution, the request-to-attributes mapping, the kubelet's token cache and the admission
plugin's kube-api-access volume."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from podlab.apiserver.rbac import Attributes, authorize, forbidden_message, rule_allows, rules_review
from podlab.apiserver.rbac_defaults import default_cluster_role_bindings, default_cluster_roles
from podlab.apiserver.request_info import request_attributes
from podlab.apiserver.satoken import BoundObject, TokenError, TokenIssuer, split_username
from podlab.k8s.admission import TOKEN_MOUNT_PATH, admit_pod
from podlab.kubelet.tokens import TokenManager

Obj = dict[str, Any]
NOW = datetime(2026, 1, 1, tzinfo=UTC)
SA = "system:serviceaccount:default:robot"
SA_GROUPS = ("system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated")


class Policy:
    def __init__(self, roles: list[Obj], bindings: list[Obj]) -> None:
        self.roles = [*default_cluster_roles(), *roles]
        self.bindings = [*default_cluster_role_bindings(), *bindings]

    def _find(self, kind: str, namespace: str, name: str) -> Obj | None:
        return next(
            (
                r
                for r in self.roles
                if r["kind"] == kind
                and r["metadata"]["name"] == name
                and r["metadata"].get("namespace", "") == namespace
            ),
            None,
        )

    def cluster_role(self, name: str) -> Obj | None:
        return self._find("ClusterRole", "", name)

    def role(self, namespace: str, name: str) -> Obj | None:
        return self._find("Role", namespace, name)

    def cluster_role_bindings(self) -> list[Obj]:
        return [b for b in self.bindings if b["kind"] == "ClusterRoleBinding"]

    def role_bindings(self, namespace: str) -> list[Obj]:
        return [
            b for b in self.bindings if b["kind"] == "RoleBinding" and b["metadata"]["namespace"] == namespace
        ]


def _binding(name: str, namespace: str, role_kind: str, role: str, subject: Obj) -> Obj:
    return {
        "kind": "RoleBinding",
        "metadata": {"name": name, "namespace": namespace},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role},
        "subjects": [subject],
    }


# -- tokens ------------------------------------------------------------------------------------
def test_token_round_trip_and_refusals() -> None:
    issuer = TokenIssuer()
    token, exp = issuer.issue(
        namespace="default",
        account="robot",
        account_uid="u1",
        now=NOW,
        expiration_seconds=3600,
        bound=BoundObject("Pod", "web", "p1"),
    )
    claims = issuer.verify(token, NOW + timedelta(minutes=59))
    assert (claims.username, claims.account_uid, claims.bound, exp) == (
        SA,
        "u1",
        BoundObject("Pod", "web", "p1"),
        int(NOW.timestamp()) + 3600,
    )
    with pytest.raises(TokenError, match="expired"):
        issuer.verify(token, NOW + timedelta(hours=1))
    with pytest.raises(TokenError, match="signature"):
        TokenIssuer().verify(token, NOW)
    header, body, signature = token.split(".")
    with pytest.raises(TokenError):
        issuer.verify(f"{header}.{body}x.{signature}", NOW)
    assert split_username(SA) == ("default", "robot")
    assert split_username("system:serviceaccount:default") is None


# -- RBAC --------------------------------------------------------------------------------------
def test_rule_matching_follows_rbac() -> None:
    rule = {"apiGroups": [""], "resources": ["pods", "*/scale"], "verbs": ["get"], "resourceNames": ["a"]}
    get = Attributes("get", True, "default", "", "pods", "", "a")
    assert rule_allows(get, rule)
    assert not rule_allows(Attributes("get", True, "default", "", "pods", "", "b"), rule)
    assert not rule_allows(Attributes("list", True, "default", "", "pods"), rule)
    assert rule_allows(Attributes("get", True, "default", "", "deployments", "scale", "a"), rule)
    assert not rule_allows(Attributes("get", True, "default", "apps", "pods", "", "a"), rule)
    urls = {"nonResourceURLs": ["/apis/*", "/healthz"], "verbs": ["get"]}
    assert rule_allows(Attributes("get", False, path="/apis/apps/v1"), urls)
    assert not rule_allows(Attributes("get", False, path="/metrics"), urls)


def test_bindings_grant_and_describe() -> None:
    subject = {"kind": "ServiceAccount", "name": "robot"}  # namespace: the binding's
    policy = Policy([], [_binding("robot-view", "default", "ClusterRole", "view", subject)])
    allowed, reason = authorize(policy, SA, SA_GROUPS, Attributes("list", True, "default", "", "pods"))
    assert allowed
    assert reason == (
        'RBAC: allowed by RoleBinding "robot-view/default" of ClusterRole "view" to ServiceAccount "robot/default"'
    )
    assert not authorize(policy, SA, SA_GROUPS, Attributes("list", True, "other", "", "pods"))[0]
    assert not authorize(policy, SA, SA_GROUPS, Attributes("list", True, "default", "", "secrets"))[0]
    # Discovery for every authenticated user, everything for system:masters.
    assert authorize(policy, SA, SA_GROUPS, Attributes("get", False, path="/apis"))[0]
    assert authorize(policy, "admin", ("system:masters",), Attributes("delete", True, "", "", "nodes"))[0]
    rules, non_resource = rules_review(policy, SA, SA_GROUPS, "default")
    assert {"verbs": ["get", "list", "watch"], "apiGroups": [""], "resources": ["namespaces"]} in rules
    assert any("/api" in r["nonResourceURLs"] for r in non_resource)


def test_forbidden_messages_in_kube_apiserver_words() -> None:
    assert forbidden_message(SA, Attributes("list", True, "default", "", "pods")) == (
        f'pods is forbidden: User "{SA}" cannot list resource "pods" in API group "" in the namespace "default"'
    )
    assert forbidden_message(SA, Attributes("get", True, "", "apps", "deployments", "scale", "web")) == (
        f'deployments.apps "web" is forbidden: User "{SA}" cannot get resource "deployments/scale" '
        'in API group "apps" at the cluster scope'
    )
    assert forbidden_message(SA, Attributes("get", False, path="/metrics")) == (
        f'forbidden: User "{SA}" cannot get path "/metrics"'
    )


@pytest.mark.parametrize(
    ("method", "path", "query", "want"),
    [
        ("GET", "/api/v1/namespaces/default/pods", "", ("list", "default", "", "pods", "", "")),
        ("GET", "/api/v1/namespaces/default/pods", "watch=true", ("watch", "default", "", "pods", "", "")),
        ("GET", "/api/v1/pods", "fieldSelector=metadata.name%3Dweb", ("list", "", "", "pods", "", "web")),
        (
            "DELETE",
            "/apis/apps/v1/namespaces/ns/deployments",
            "",
            ("deletecollection", "ns", "apps", "deployments", "", ""),
        ),
        (
            "PUT",
            "/apis/apps/v1/namespaces/ns/deployments/web/scale",
            "",
            ("update", "ns", "apps", "deployments", "scale", "web"),
        ),
        (
            "GET",
            "/api/v1/namespaces/ns/pods/web/exec",
            "command=sh",
            ("create", "ns", "", "pods", "exec", "web"),
        ),
        ("GET", "/api/v1/namespaces/ns", "", ("get", "ns", "", "namespaces", "", "ns")),
        ("PUT", "/api/v1/namespaces/ns/finalize", "", ("update", "ns", "", "namespaces", "finalize", "ns")),
        (
            "GET",
            "/api/v1/namespaces/ns/services/web:80/proxy/x/y",
            "",
            ("get", "ns", "", "services", "proxy", "web:80"),
        ),
    ],
)
def test_request_attributes(method: str, path: str, query: str, want: tuple[str, ...]) -> None:
    attrs = request_attributes(method, path, query)
    assert attrs.resource_request
    assert (
        attrs.verb,
        attrs.namespace,
        attrs.api_group,
        attrs.resource,
        attrs.subresource,
        attrs.name,
    ) == want


def test_non_resource_requests() -> None:
    for path in ("/api", "/apis/apps/v1", "/version", "/openapi/v3/api/v1"):
        attrs = request_attributes("GET", path, "")
        assert (attrs.resource_request, attrs.verb, attrs.path) == (False, "get", path)


# -- the kubelet's tokens ----------------------------------------------------------------------
def test_token_manager_reuses_until_eighty_percent_of_the_lifetime() -> None:
    now = [NOW]
    calls: list[Obj] = []

    def source(namespace: str, account: str, spec: Obj) -> tuple[str, datetime]:
        calls.append(spec)
        return f"t{len(calls)}", now[0] + timedelta(seconds=spec["expirationSeconds"])

    manager = TokenManager(source, lambda: now[0])
    pod = {
        "metadata": {"name": "web", "namespace": "default", "uid": "p1"},
        "spec": {"serviceAccountName": "robot"},
    }
    assert manager.token(pod, 3607, "") == "t1"
    assert calls[0]["boundObjectRef"] == {"apiVersion": "v1", "kind": "Pod", "name": "web", "uid": "p1"}
    now[0] += timedelta(seconds=2800)
    assert manager.token(pod, 3607, "") == "t1"
    now[0] += timedelta(seconds=100)  # past 80% of 3607 s
    assert manager.token(pod, 3607, "") == "t2"
    manager.forget("p1")
    assert manager.token(pod, 3607, "") == "t3"


# -- admission ---------------------------------------------------------------------------------
def _admitted(pod_spec: Obj, account: Obj | None = None) -> Obj:
    pod = {"metadata": {"name": "web", "namespace": "default"}, "spec": pod_spec}
    assert (
        admit_pod(pod, lambda ns, name: account if account is not None else {"metadata": {"name": name}})
        is None
    )
    return pod["spec"]


def test_admission_mounts_the_api_credentials() -> None:
    spec = _admitted(
        {
            "initContainers": [{"name": "i"}],
            "containers": [
                {"name": "a"},
                {"name": "b", "volumeMounts": [{"name": "mine", "mountPath": TOKEN_MOUNT_PATH}]},
            ],
            "volumes": [{"name": "mine", "emptyDir": {}}],
        }
    )
    volume = spec["volumes"][1]
    assert (
        volume["name"].startswith("kube-api-access-") and len(volume["name"]) == len("kube-api-access-") + 5
    )
    assert [s for source in volume["projected"]["sources"] for s in source] == [
        "serviceAccountToken",
        "configMap",
        "downwardAPI",
    ]
    mount = {"name": volume["name"], "readOnly": True, "mountPath": TOKEN_MOUNT_PATH}
    assert spec["initContainers"][0]["volumeMounts"] == [mount]
    assert spec["containers"][0]["volumeMounts"] == [mount]
    assert spec["containers"][1]["volumeMounts"] == [{"name": "mine", "mountPath": TOKEN_MOUNT_PATH}]


def test_admission_respects_automount_false() -> None:
    assert "volumes" not in _admitted({"automountServiceAccountToken": False, "containers": [{"name": "a"}]})
    quiet = {"metadata": {"name": "default"}, "automountServiceAccountToken": False}
    assert "volumes" not in _admitted({"containers": [{"name": "a"}]}, quiet)
    # The pod's own setting wins over its account's.
    assert _admitted({"automountServiceAccountToken": True, "containers": [{"name": "a"}]}, quiet)["volumes"]
