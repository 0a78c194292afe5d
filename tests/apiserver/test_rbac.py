"""ServiceAccount tokens and RBAC through the API server with real kubectl: `kubectl create token`,
a token's user, 403s in kube-apiserver's words until a RoleBinding grants `view`, `can-i --as`,
impersonation refused to a non-admin, 401 for a forged or expired token, TokenRequest's
validation, and the default roles."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from podlab.apiserver.satoken import TokenIssuer

from .conftest import Node, http

SA = "system:serviceaccount:default:robot"
FORBIDDEN_LIST = (
    f'pods is forbidden: User "{SA}" cannot list resource "pods" in API group "" in the namespace "default"'
)


def _token(node: Node, *args: str) -> str:
    node.kubectl("create", "serviceaccount", "robot", check=False)
    return node.kubectl("create", "token", "robot", *args).stdout.strip()


def test_a_token_is_its_service_account_and_rbac_decides(node: Node) -> None:
    token = _token(node)
    header, claims, _ = token.split(".")
    assert json.loads(_b64(header))["alg"] == "ES256"
    body = json.loads(_b64(claims))
    assert body["iss"] == "https://kubernetes.default.svc.cluster.local"
    assert body["sub"] == SA and body["exp"] - body["iat"] == 3600
    assert body["kubernetes.io"]["serviceaccount"]["name"] == "robot"

    who = json.loads(node.kubectl("auth", "whoami", f"--token={token}", "-o", "json").stdout)
    info = who["status"]["userInfo"]
    assert info["username"] == SA
    assert info["groups"] == [
        "system:serviceaccounts",
        "system:serviceaccounts:default",
        "system:authenticated",
    ]

    denied = node.kubectl("get", "pods", f"--token={token}", check=False)
    assert denied.returncode == 1
    assert denied.stderr.strip() == f"Error from server (Forbidden): {FORBIDDEN_LIST}"
    code, _, raw = http(node, "GET", "/api/v1/namespaces/default/pods", token=token)
    status = json.loads(raw)
    assert (code, status["reason"], status["message"]) == (403, "Forbidden", FORBIDDEN_LIST)
    assert status["details"] == {"kind": "pods"}
    named = node.kubectl("get", "secret", "x", f"--token={token}", check=False).stderr.strip()
    assert named == (
        f'Error from server (Forbidden): secrets "x" is forbidden: User "{SA}" cannot get resource "secrets" '
        'in API group "" in the namespace "default"'
    )
    cluster = node.kubectl("get", "clusterroles", f"--token={token}", check=False).stderr.strip()
    assert cluster == (
        "Error from server (Forbidden): clusterroles.rbac.authorization.k8s.io is forbidden: "
        f'User "{SA}" cannot list resource "clusterroles" in API group "rbac.authorization.k8s.io" '
        "at the cluster scope"
    )
    assert node.kubectl("auth", "can-i", "list", "pods", f"--as={SA}", check=False).stdout == "no\n"

    node.kubectl(
        "create", "rolebinding", "robot-view", "--clusterrole=view", "--serviceaccount=default:robot"
    )
    assert node.kubectl("get", "pods", f"--token={token}").returncode == 0
    assert node.kubectl("auth", "can-i", "list", "pods", f"--as={SA}").stdout == "yes\n"
    assert node.kubectl("auth", "can-i", "list", "secrets", f"--as={SA}", check=False).stdout == "no\n"
    assert node.kubectl(
        "auth", "can-i", "list", "pods", "-n", "kube-system", f"--as={SA}", check=False
    ).stdout == ("no\n")
    review = {
        "kind": "SelfSubjectAccessReview",
        "apiVersion": "authorization.k8s.io/v1",
        "spec": {"resourceAttributes": {"namespace": "default", "verb": "watch", "resource": "pods"}},
    }
    code, _, raw = http(
        node, "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", review, token=token
    )
    assert code == 201
    assert json.loads(raw)["status"] == {
        "allowed": True,
        "reason": 'RBAC: allowed by RoleBinding "robot-view/default" of ClusterRole "view" to '
        'ServiceAccount "robot/default"',
    }
    listed = node.kubectl("auth", "can-i", "--list", f"--token={token}").stdout
    assert "pods " in listed and "[get list watch]" in listed

    # A non-admin may not impersonate without the `impersonate` verb (edit has it for accounts).
    refused = node.kubectl("get", "pods", f"--token={token}", "--as=someone", check=False).stderr.strip()
    assert refused == (
        f'Error from server (Forbidden): users "someone" is forbidden: User "{SA}" cannot impersonate '
        'resource "users" in API group "" at the cluster scope'
    )


def test_forged_expired_and_orphaned_tokens_are_unauthorized(node: Node) -> None:
    token = _token(node)
    other = TokenIssuer()  # another key: a valid-looking token this server never signed
    forged, _ = other.issue(
        namespace="default", account="robot", account_uid="", now=datetime.now(UTC), expiration_seconds=3600
    )
    for bad in (forged, token[:-4] + "AAAA", "not-a-jwt"):
        code, _, raw = http(node, "GET", "/api/v1/namespaces/default/pods", token=bad)
        assert code == 401 and json.loads(raw)["message"] == "Unauthorized"
    # The server's own issuer, but long expired.
    expired, _ = node.server.auth.issuer.issue(
        namespace="default",
        account="robot",
        account_uid="",
        now=datetime.now(UTC) - timedelta(hours=2),
        expiration_seconds=600,
    )
    assert http(node, "GET", "/api/v1/namespaces/default/pods", token=expired)[0] == 401
    # Deleting the account invalidates its tokens (the uid in the token no longer exists).
    node.kubectl("delete", "serviceaccount", "robot")
    assert http(node, "GET", "/apis/authentication.k8s.io/v1", token=token)[0] == 401


def test_token_request_validation_and_binding(node: Node) -> None:
    node.kubectl("create", "serviceaccount", "robot")
    short = node.kubectl("create", "token", "robot", "--duration=1m", check=False)
    assert short.stderr.strip() == (
        'error: failed to create token: TokenRequest.authentication.k8s.io "" is invalid: '
        "spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes"
    )
    missing = node.kubectl("create", "token", "nobody", check=False)
    assert missing.stderr.strip() == 'error: failed to create token: serviceaccounts "nobody" not found'
    node.kubectl("create", "secret", "generic", "s1")
    bound = node.kubectl("create", "token", "robot", "--bound-object-kind=Secret", "--bound-object-name=s1")
    token = bound.stdout.strip()
    assert json.loads(_b64(token.split(".")[1]))["kubernetes.io"]["secret"]["name"] == "s1"
    assert http(node, "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", {}, token=token)[0] == 201
    node.kubectl("delete", "secret", "s1")
    # A token bound to an object is valid only while that object exists.
    assert http(node, "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", {}, token=token)[0] == 401


def test_default_roles_and_bindings(node: Node) -> None:
    roles = node.kubectl("get", "clusterroles", "-o", "name").stdout.split()
    for name in ("cluster-admin", "admin", "edit", "view", "system:discovery", "system:basic-user"):
        assert f"clusterrole.rbac.authorization.k8s.io/{name}" in roles
    binding = json.loads(node.kubectl("get", "clusterrolebinding", "cluster-admin", "-o", "json").stdout)
    assert binding["subjects"] == [
        {"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "system:masters"}
    ]
    # A ClusterRole and a namespaced Role with resourceNames, created through kubectl (protobuf).
    node.kubectl("create", "serviceaccount", "robot")
    node.kubectl("create", "role", "one-cm", "--verb=get", "--resource=configmaps", "--resource-name=allowed")
    node.kubectl("create", "rolebinding", "one-cm", "--role=one-cm", "--serviceaccount=default:robot")
    wide = node.kubectl("get", "rolebinding", "one-cm", "-o", "wide").stdout.splitlines()
    assert wide[0].split() == ["NAME", "ROLE", "AGE", "USERS", "GROUPS", "SERVICEACCOUNTS"]
    assert wide[1].split()[:2] == ["one-cm", "Role/one-cm"] and wide[1].split()[-1] == "default/robot"
    assert node.kubectl("get", "roles").stdout.split()[:4] == ["NAME", "CREATED", "AT", "one-cm"]
    assert node.kubectl("auth", "can-i", "get", "configmap/allowed", f"--as={SA}").stdout == "yes\n"
    assert node.kubectl("auth", "can-i", "get", "configmap/other", f"--as={SA}", check=False).stdout == "no\n"


def _b64(part: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def test_legacy_token_secret_is_filled_and_authenticates_while_it_exists(node: Node) -> None:
    import base64

    node.kubectl("create", "serviceaccount", "robot")
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "kubernetes.io/service-account-token",
        "metadata": {"name": "robot-token", "annotations": {"kubernetes.io/service-account.name": "robot"}},
    }
    node.kubectl("apply", "-f", "-", input=json.dumps(secret))
    stored = json.loads(node.kubectl("get", "secret", "robot-token", "-o", "json").stdout)
    account_uid = json.loads(node.kubectl("get", "sa", "robot", "-o", "json").stdout)["metadata"]["uid"]
    assert stored["metadata"]["annotations"]["kubernetes.io/service-account.uid"] == account_uid
    data = {k: base64.b64decode(v).decode() for k, v in stored["data"].items()}
    assert data["namespace"] == "default" and data["ca.crt"] == node.server.ca_pem.decode()
    claims = json.loads(_b64(data["token"].split(".")[1]))
    assert claims["iss"] == "kubernetes/serviceaccount" and "exp" not in claims
    who = json.loads(node.kubectl("auth", "whoami", f"--token={data['token']}", "-o", "json").stdout)
    assert who["status"]["userInfo"]["username"] == SA
    node.kubectl("delete", "secret", "robot-token")
    assert (
        http(node, "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", {}, token=data["token"])[0]
        == 401
    )


def test_rbac_objects_are_validated_in_the_api_servers_words(node: Node) -> None:
    base = "/apis/rbac.authorization.k8s.io/v1/namespaces/default"
    binding = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": {"name": "bad"},
    }
    code, _, raw = http(
        node, "POST", f"{base}/rolebindings", {**binding, "subjects": [{"kind": "Robot", "name": "r"}]}
    )
    assert code == 422
    assert json.loads(raw)["message"] == (
        'RoleBinding.rbac.authorization.k8s.io "bad" is invalid: [roleRef.kind: Unsupported value: "": '
        'supported values: "Role", "ClusterRole", roleRef.name: Required value, subjects[0].kind: Unsupported '
        'value: "Robot": supported values: "ServiceAccount", "User", "Group"]'
    )
    role = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "Role",
        "metadata": {"name": "bad"},
        "rules": [{"verbs": ["get"], "nonResourceURLs": ["/healthz"]}, {"verbs": [], "resources": ["pods"]}],
    }
    code, _, raw = http(node, "POST", f"{base}/roles", role)
    assert code == 422
    assert json.loads(raw)["message"] == (
        'Role.rbac.authorization.k8s.io "bad" is invalid: [rules[0].nonResourceURLs: Invalid value: '
        '[]string{"/healthz"}: namespaced rules cannot apply to non-resource URLs, rules[1].verbs: Required '
        "value: verbs must contain at least one value, rules[1].apiGroups: Required value: resource rules must "
        "supply at least one api group]"
    )
    assert http(node, "GET", f"{base}/roles/bad")[0] == 404  # nothing half-applied
    # A binding's role cannot change; subjects may. Names are path segments (colons welcome).
    node.kubectl("create", "rolebinding", "sys:b", "--clusterrole=view", "--user=u")
    changed = node.kubectl(
        "create", "rolebinding", "sys:b", "--clusterrole=edit", "--user=u", "--dry-run=client", "-o", "json"
    ).stdout
    refused = node.kubectl("replace", "-f", "-", input=changed, check=False).stderr.strip()
    assert refused.startswith('The RoleBinding "sys:b" is invalid: roleRef: Invalid value: rbac.RoleRef{')
    assert refused.endswith(": cannot change roleRef")
    stored = json.loads(node.kubectl("get", "rolebinding", "sys:b", "-o", "json").stdout)
    assert stored["roleRef"] == {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "ClusterRole",
        "name": "view",
    }
    assert stored["subjects"] == [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "u"}]


def test_pod_bound_tokens(node: Node) -> None:
    node.kubectl("create", "serviceaccount", "robot")
    overrides = '{"spec": {"serviceAccountName": "robot", "nodeName": "n"}}'  # scheduled: graceful delete
    node.kubectl("run", "worker", "--image=busybox", "--overrides", overrides)
    node.kubectl("run", "other", "--image=busybox")
    wrong = node.kubectl(
        "create", "token", "robot", "--bound-object-kind=Pod", "--bound-object-name=other", check=False
    )
    assert wrong.stderr.strip() == (
        'error: failed to create token: cannot bind token for serviceaccount "robot" to pod running with '
        "different serviceaccount name."
    )
    token = node.kubectl(
        "create", "token", "robot", "--bound-object-kind=Pod", "--bound-object-name=worker"
    ).stdout
    token = token.strip()
    pod_uid = json.loads(node.kubectl("get", "pod", "worker", "-o", "json").stdout)["metadata"]["uid"]
    who = json.loads(node.kubectl("auth", "whoami", f"--token={token}", "-o", "json").stdout)["status"][
        "userInfo"
    ]
    assert who["extra"]["authentication.kubernetes.io/pod-name"] == ["worker"]
    assert who["extra"]["authentication.kubernetes.io/pod-uid"] == [pod_uid]
    review = "/apis/authentication.k8s.io/v1/selfsubjectreviews"
    # A terminating pod's token still works (its preStop hook may call the API) ...
    node.kubectl("delete", "pod", "worker", "--wait=false")
    assert json.loads(node.kubectl("get", "pod", "worker", "-o", "json").stdout)["metadata"][
        "deletionTimestamp"
    ]
    assert http(node, "POST", review, {}, token=token)[0] == 201
    # ... and stops once the pod is gone.
    node.kubectl("delete", "pod", "worker", "--force", "--grace-period=0")
    assert http(node, "POST", review, {}, token=token)[0] == 401
