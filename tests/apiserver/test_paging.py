"""`limit`/`continue` list paging through the API: kubectl's --chunk-size, the Python client,
and the Status bodies for tokens that cannot be served."""

from __future__ import annotations

import json

from .conftest import Clients, Node, http


def _pods(node: Node, n: int) -> None:
    for i in range(n):
        pod = {"metadata": {"name": f"p{i}"}, "spec": {"containers": [{"name": "c", "image": "busybox"}]}}
        code, _, body = http(node, "POST", "/api/v1/namespaces/default/pods", pod)
        assert code == 201, body


def test_kubectl_chunk_size_lists_everything(node: Node) -> None:
    _pods(node, 5)
    out = node.kubectl("get", "pods", "--chunk-size=2", "-o", "name").stdout.split()
    assert out == [f"pod/p{i}" for i in range(5)]
    table = node.kubectl("get", "pods", "--chunk-size=2", "-v=6").stderr
    # Three requests: two continued, and the table printed from all of them.
    assert table.count("limit=2") == 3 and table.count("continue=") == 2
    rows = node.kubectl("get", "pods", "--chunk-size=2").stdout.splitlines()
    assert rows[0].split()[0] == "NAME" and [r.split()[0] for r in rows[1:]] == [f"p{i}" for i in range(5)]


def test_limit_sets_continue_and_remaining_item_count(node: Node) -> None:
    _pods(node, 3)
    code, _, body = http(node, "GET", "/api/v1/namespaces/default/pods?limit=2")
    assert code == 200
    first = json.loads(body)
    assert [p["metadata"]["name"] for p in first["items"]] == ["p0", "p1"]
    meta = first["metadata"]
    assert meta["remainingItemCount"] == 1 and meta["continue"]
    http(node, "DELETE", "/api/v1/namespaces/default/pods/p2")
    code, _, body = http(node, "GET", f"/api/v1/namespaces/default/pods?limit=2&continue={meta['continue']}")
    second = json.loads(body)
    # The snapshot of the first page: p2 is still listed, at the same resourceVersion.
    assert [p["metadata"]["name"] for p in second["items"]] == ["p2"]
    assert second["metadata"] == {"resourceVersion": meta["resourceVersion"]}


def test_python_client_pages(node: Node, clients: Clients) -> None:
    _pods(node, 3)
    page = clients.core.list_namespaced_pod("default", limit=2)
    assert len(page.items) == 2 and page.metadata.remaining_item_count == 1
    rest = clients.core.list_namespaced_pod("default", limit=2, _continue=page.metadata._continue)
    assert [p.metadata.name for p in rest.items] == ["p2"] and rest.metadata._continue is None


def test_bad_continue_tokens_are_400(node: Node) -> None:
    code, _, body = http(node, "GET", "/api/v1/namespaces/default/pods?limit=2&continue=abc!def")
    assert code == 400
    assert json.loads(body) == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": "invalid continue token: continue key is not valid: illegal base64 data at input byte 3",
        "reason": "BadRequest",
        "code": 400,
    }
    proc = node.kubectl("get", "--raw", "/api/v1/pods?continue=abcde", check=False)
    assert proc.stderr.strip() == (
        "Error from server (BadRequest): invalid continue token: continue key is not valid: "
        "illegal base64 data at input byte 4"
    )
    _pods(node, 3)
    _, _, body = http(node, "GET", "/api/v1/namespaces/default/pods?limit=2")
    token = json.loads(body)["metadata"]["continue"]
    code, _, body = http(node, "GET", f"/api/v1/namespaces/default/pods?continue={token}&resourceVersion=5")
    assert code == 400
    assert json.loads(body)["message"] == "specifying resource version is not allowed when using continue"
