"""Health, auth, discovery and openapi over a real socket."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from .conftest import TOKEN, Node


def fetch(
    node: Node, path: str, *, token: str | None = TOKEN, accept: str | None = None
) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(node.url + path)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    if accept:
        req.add_header("Accept", accept)
    try:
        with urllib.request.urlopen(req, timeout=10, context=node.ssl_context()) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def body(raw: bytes) -> Any:
    return json.loads(raw)


def test_health_and_version_need_no_token(node: Node) -> None:
    for path in ("/healthz", "/livez", "/readyz"):
        status, _, raw = fetch(node, path, token=None)
        assert (status, raw) == (200, b"ok")
    status, _, raw = fetch(node, "/version", token=None)
    assert status == 200 and body(raw)["major"] == "1"


def test_missing_or_wrong_token_is_401_status(node: Node) -> None:
    for token in (None, "wrong"):
        status, _, raw = fetch(node, "/api/v1/namespaces/default/pods", token=token)
        assert status == 401
        assert body(raw) == {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": "Unauthorized",
            "reason": "Unauthorized",
            "code": 401,
        }


def test_discovery_both_styles(node: Node) -> None:
    aggregated = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"
    status, headers, raw = fetch(node, "/apis", accept=aggregated)
    assert status == 200
    assert headers["Content-Type"] == "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
    apps = body(raw)["items"][0]
    deploy = next(r for r in apps["versions"][0]["resources"] if r["resource"] == "deployments")
    assert deploy["shortNames"] == ["deploy"]
    assert {s["subresource"] for s in deploy["subresources"]} == {"status", "scale"}
    status, _, raw = fetch(node, "/api")
    assert body(raw)["kind"] == "APIVersions"
    status, _, raw = fetch(node, "/api/v1")
    names = {r["name"] for r in body(raw)["resources"]}
    assert {"pods", "pods/log", "pods/portforward", "configmaps", "namespaces"} <= names
    status, _, raw = fetch(node, "/apis/apps/v1")
    assert body(raw)["groupVersion"] == "apps/v1"


def test_openapi_v3_names_field_validation(node: Node) -> None:
    _, _, raw = fetch(node, "/openapi/v3")
    index = body(raw)["paths"]
    url = index["apis/apps/v1"]["serverRelativeURL"]
    _, _, raw = fetch(node, url)
    doc = body(raw)
    op = doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"]
    assert op["x-kubernetes-group-version-kind"]["kind"] == "Deployment"
    assert any(p["name"] == "fieldValidation" for p in op["parameters"])


def test_unknown_paths_are_404_status(node: Node) -> None:
    for path in (
        "/api/v2",
        "/apis/batch/v1/widgets",
        "/api/v1/namespaces/default/widgets",
        "/nothing",
    ):
        status, _, raw = fetch(node, path)
        assert status == 404, path
        assert body(raw)["message"] == "the server could not find the requested resource"


def test_same_port_serves_plain_http_with_token(node: Node) -> None:
    """curl may use http:// with the token; kubectl needs https (it sends tokens only over TLS)."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", node.server.port, timeout=10)
    conn.request("GET", "/api/v1/namespaces", headers={"Authorization": f"Bearer {TOKEN}"})
    resp = conn.getresponse()
    assert resp.status == 200
    names = [ns["metadata"]["name"] for ns in body(resp.read())["items"]]
    assert "default" in names and "kube-system" in names
    conn.request("GET", "/api/v1/namespaces")
    resp = conn.getresponse()
    assert resp.status == 401
    resp.read()
    conn.close()


def test_kubeconfig_is_private_and_carries_ca_and_token(node: Node) -> None:
    import base64
    import stat

    import yaml

    mode = stat.S_IMODE(node.kubeconfig.stat().st_mode)
    assert mode == 0o600
    config = yaml.safe_load(node.kubeconfig.read_text())
    assert config["current-context"] == "podlab"
    cluster = config["clusters"][0]["cluster"]
    assert cluster["server"] == node.url and node.url.startswith("https://127.0.0.1:")
    assert base64.b64decode(cluster["certificate-authority-data"]) == node.server.ca_pem
    assert config["users"][0]["user"] == {"token": TOKEN}


def test_kubeconfig_without_a_certificate_is_written_as_given(tmp_path: Path) -> None:
    """Only the URL and CA it is handed: no guessing which servers run in this process."""
    import yaml

    from podlab.apiserver import write_kubeconfig

    path = tmp_path / "kc"
    write_kubeconfig(path, "http://127.0.0.1:1", TOKEN)
    assert yaml.safe_load(path.read_text())["clusters"][0]["cluster"] == {"server": "http://127.0.0.1:1"}
    write_kubeconfig(path, "https://127.0.0.1:1", TOKEN)
    assert yaml.safe_load(path.read_text())["clusters"][0]["cluster"] == {
        "server": "https://127.0.0.1:1",
        "insecure-skip-tls-verify": True,
    }


def test_resource_paths_route_like_the_apiserver() -> None:
    import pytest

    from podlab.apiserver.routes import UnknownResource, parse_resource_path

    route = parse_resource_path("/api/v1/namespaces/default/pods/web/log")
    assert route is not None
    assert (route.key, route.namespace, route.name, route.subresource) == (
        ("", "pods"),
        "default",
        "web",
        "log",
    )
    ns = parse_resource_path("/api/v1/namespaces/demo/status")
    assert ns is not None and (ns.key, ns.namespace, ns.name, ns.subresource) == (
        ("", "namespaces"),
        None,
        "demo",
        "status",
    )
    every = parse_resource_path("/apis/apps/v1/deployments")
    assert every is not None and every.namespace is None and every.name is None
    assert parse_resource_path("/version") is None
    for bad in ("/api/v1/pods/web", "/api/v1/podtemplates", "/apis/apps/v1/namespaces/d/pods"):
        with pytest.raises(UnknownResource):
            parse_resource_path(bad)
