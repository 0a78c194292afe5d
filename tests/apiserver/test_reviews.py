"""`kubectl auth whoami` and `kubectl auth can-i` (SelfSubjectReview, SelfSubjectAccessReview,
SelfSubjectRulesReview) against the API server, and the same reviews from the Python client."""

from __future__ import annotations

import json

from .conftest import Clients, Node, http

SA = "system:serviceaccount:default:default"


def test_whoami_is_the_admin(node: Node) -> None:
    out = node.kubectl("auth", "whoami").stdout
    assert out.split("\n")[:3] == [
        "ATTRIBUTE   VALUE",
        "Username    kubernetes-admin",
        "Groups      [system:masters system:authenticated]",
    ]
    review = json.loads(node.kubectl("auth", "whoami", "-o", "json").stdout)
    assert review["apiVersion"] == "authentication.k8s.io/v1"
    assert review["kind"] == "SelfSubjectReview"
    assert review["status"]["userInfo"] == {
        "username": "kubernetes-admin",
        "groups": ["system:masters", "system:authenticated"],
    }


def test_whoami_as_a_service_account(node: Node) -> None:
    out = node.kubectl("auth", "whoami", f"--as={SA}").stdout
    assert f"Username    {SA}" in out
    assert "Groups      [system:serviceaccounts system:serviceaccounts:default system:authenticated]" in out


def test_can_i_says_yes_to_the_admin(node: Node) -> None:
    for args in (
        ("create", "pods"),
        ("delete", "namespaces"),
        ("*", "*", "--all-namespaces"),
        ("get", "/healthz"),
        ("list", "deployments.apps", "-n", "kube-system"),
    ):
        proc = node.kubectl("auth", "can-i", *args)
        assert proc.stdout == "yes\n", (args, proc.stderr)
    # An impersonated account gets what RBAC gives it: nothing beyond discovery and reviews.
    assert node.kubectl("auth", "can-i", "create", "pods", f"--as={SA}", check=False).stdout == "no\n"
    listed = node.kubectl("auth", "can-i", "--list").stdout.splitlines()
    assert listed[0].split() == ["Resources", "Non-Resource", "URLs", "Resource", "Names", "Verbs"]
    assert listed[1].split() == ["*.*", "[]", "[]", "[*]"]
    assert listed[2].split() == ["[*]", "[]", "[*]"]


def test_reviews_from_the_python_client(clients: Clients) -> None:
    from kubernetes import client

    authz = client.AuthorizationV1Api(clients.api)
    review = authz.create_self_subject_access_review(
        client.V1SelfSubjectAccessReview(
            spec=client.V1SelfSubjectAccessReviewSpec(
                resource_attributes=client.V1ResourceAttributes(
                    verb="get", resource="pods", namespace="default"
                )
            )
        )
    )
    assert review.status.allowed is True
    assert review.status.reason is None
    who = client.AuthenticationV1Api(clients.api).create_self_subject_review(client.V1SelfSubjectReview())
    assert who.status.user_info.username == "kubernetes-admin"


def test_access_review_needs_exactly_one_attribute_set(node: Node) -> None:
    path = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
    code, _, body = http(node, "POST", path, {"kind": "SelfSubjectAccessReview", "spec": {}})
    assert code == 422
    status = json.loads(body)
    assert status["reason"] == "Invalid"
    assert status["message"] == (
        'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: '
        "Invalid value: null: exactly one of nonResourceAttributes or resourceAttributes must be specified"
    )
    code, _, body = http(node, "GET", path)
    assert code == 405
