"""Namespace lifecycle at the API: immortal namespaces, Terminating, and creates refused in it,
with the Status bodies the real API server sends (NamespaceLifecycle admission)."""

from __future__ import annotations

import json

from .conftest import Node, http


def test_protected_namespaces_cannot_be_deleted(node: Node) -> None:
    for name in ("default", "kube-system", "kube-public"):
        code, _, body = http(node, "DELETE", f"/api/v1/namespaces/{name}")
        assert code == 403
        assert json.loads(body) == {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": f'namespaces "{name}" is forbidden: this namespace may not be deleted',
            "reason": "Forbidden",
            "details": {"name": name, "kind": "namespaces"},
            "code": 403,
        }
    proc = node.kubectl("delete", "namespace", "default", check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip() == (
        'Error from server (Forbidden): namespaces "default" is forbidden: this namespace may not be deleted'
    )
    assert node.kubectl("get", "ns", "default", "-o", "jsonpath={.status.phase}").stdout == "Active"


def test_terminating_namespace_refuses_new_content(node: Node) -> None:
    node.kubectl("create", "namespace", "doomed")
    node.kubectl("create", "configmap", "kept", "-n", "doomed")
    # No namespace controller runs here: the namespace stays Terminating.
    node.kubectl("delete", "namespace", "doomed", "--wait=false")
    ns = json.loads(node.kubectl("get", "ns", "doomed", "-o", "json").stdout)
    assert ns["status"]["phase"] == "Terminating"
    assert ns["metadata"]["deletionTimestamp"]
    assert ns["spec"]["finalizers"] == ["kubernetes"]
    assert "Terminating" in node.kubectl("get", "ns", "doomed").stdout
    again = node.kubectl("delete", "namespace", "doomed", "--wait=false", check=False)
    assert again.stderr.strip() == (
        'Error from server (Conflict): Operation cannot be fulfilled on namespaces "doomed": The system is '
        "ensuring all content is removed from this namespace.  Upon completion, this namespace will "
        "automatically be purged by the system."
    )

    code, _, body = http(node, "POST", "/api/v1/namespaces/doomed/configmaps", {"metadata": {"name": "late"}})
    assert code == 403
    assert json.loads(body) == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": 'configmaps "late" is forbidden: unable to create new content in namespace doomed '
        "because it is being terminated",
        "reason": "Forbidden",
        "details": {
            "name": "late",
            "kind": "configmaps",
            "causes": [
                {
                    "reason": "NamespaceTerminating",
                    "message": "namespace doomed is being terminated",
                    "field": "metadata.namespace",
                }
            ],
        },
        "code": 403,
    }
    proc = node.kubectl("create", "deployment", "web", "--image=busybox", "-n", "doomed", check=False)
    assert proc.stderr.strip() == (
        'error: failed to create deployment: deployments.apps "web" is forbidden: unable to create new '
        "content in namespace doomed because it is being terminated"
    )
    # Updates of what is there still pass, as admission lets them.
    node.kubectl("label", "configmap", "kept", "-n", "doomed", "still=here")


def test_finalize_subresource_removes_a_terminating_namespace(node: Node) -> None:
    node.kubectl("create", "namespace", "stuck")
    node.kubectl("delete", "namespace", "stuck", "--wait=false")
    ns = json.loads(node.kubectl("get", "ns", "stuck", "-o", "json").stdout)
    ns["spec"]["finalizers"] = []
    ns["metadata"]["labels"]["ignored"] = "yes"  # /finalize changes spec.finalizers only
    code, _, _ = http(node, "GET", "/api/v1/namespaces/stuck/finalize")
    assert code == 405
    # What users run for a namespace stuck in Terminating.
    node.kubectl("replace", "--raw", "/api/v1/namespaces/stuck/finalize", "-f", "-", input=json.dumps(ns))
    gone = node.kubectl("get", "namespace", "stuck", check=False)
    assert gone.stderr.strip() == 'Error from server (NotFound): namespaces "stuck" not found'
