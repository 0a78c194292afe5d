"""OpenAPI v2/v3 from upstream's schemas: real `kubectl explain` and `apply --validate`, and the
documents' HTTP rules (kube-openapi's ETag, hash redirect, caching headers, 406) over raw HTTP."""

from __future__ import annotations

import gzip
import hashlib
import http.client
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from podlab.protowire import fields

from .conftest import TOKEN, Node, api_client

# kubectl explain's v3 output (FIELDS lines are `  name\t<Type>`).
LIVENESS_DOC = "Periodic probe of container liveness. Container will be restarted if the"


def request(
    node: Node, path: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """One GET that does not follow redirects (the 301 of a stale hash is the answer to check)."""
    url = urlsplit(node.url)
    conn = http.client.HTTPSConnection(url.hostname or "", url.port, timeout=10, context=node.ssl_context())
    try:
        conn.request("GET", path, headers={"Authorization": f"Bearer {TOKEN}", **(headers or {})})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def test_kubectl_explain_prints_upstream_field_docs(node: Node) -> None:
    out = node.kubectl("explain", "pod.spec.containers.livenessProbe").stdout
    assert "KIND:       Pod\nVERSION:    v1\n" in out
    assert "FIELD: livenessProbe <Probe>" in out
    assert LIVENESS_DOC in out
    for line in ("  httpGet\t<HTTPGetAction>", "  failureThreshold\t<integer>", "  grpc\t<GRPCAction>"):
        assert line in out.splitlines(), line

    jobs = node.kubectl("explain", "jobs.spec").stdout
    assert "GROUP:      batch\nKIND:       Job\nVERSION:    v1\n" in jobs
    assert "FIELD: spec <JobSpec>" in jobs and "  backoffLimit\t<integer>" in jobs.splitlines()

    cron = node.kubectl("explain", "cronjob.spec.schedule").stdout
    assert "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron." in cron
    sts = node.kubectl("explain", "statefulset.spec.volumeClaimTemplates").stdout
    assert "FIELD: volumeClaimTemplates <[]PersistentVolumeClaim>" in sts

    recursive = node.kubectl("explain", "deployment", "--recursive").stdout.splitlines()
    assert "  spec\t<DeploymentSpec> -required-" in recursive
    assert "    strategy\t<DeploymentStrategy>" in recursive
    assert "      rollingUpdate\t<RollingUpdateDeployment>" in recursive
    assert "          livenessProbe\t<Probe>" in recursive  # spec.template.spec.containers[]

    missing = node.kubectl("explain", "pod.spec.nope", check=False)
    assert missing.returncode == 1
    assert missing.stderr.strip() == 'error: field "nope" does not exist'


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if "$ref" in node else set()
        for value in node.values():
            found |= _refs(value)
        return found
    if isinstance(node, list):
        return set().union(*(_refs(item) for item in node)) if node else set()
    return set()


def test_every_served_kind_has_its_upstream_schema_in_its_document(node: Node) -> None:
    status, _, raw = request(node, "/openapi/v3")
    assert status == 200
    index = json.loads(raw)["paths"]
    # At least these; exactly what discovery lists (below).
    assert set(index) >= {
        "api/v1",
        "apis/apps/v1",
        "apis/batch/v1",
        "apis/storage.k8s.io/v1",
        "apis/discovery.k8s.io/v1",
        "apis/authentication.k8s.io/v1",
        "apis/authorization.k8s.io/v1",
        "apis/metrics.k8s.io/v1beta1",
    }
    discovered = json.loads(request(node, "/apis", {"Accept": "application/json"})[2])
    served = {f"apis/{v['groupVersion']}" for g in discovered["groups"] for v in g["versions"]}
    assert served == set(index) - {"api/v1"}
    for gv, entry in index.items():
        status, _, raw = request(node, entry["serverRelativeURL"])
        assert status == 200, gv
        doc = json.loads(raw)
        assert doc["openapi"] == "3.0.0" and doc["info"]["version"].startswith("v1.")
        schemas = doc["components"]["schemas"]
        # Self-contained: every $ref resolves inside the document.
        assert {ref.removeprefix("#/components/schemas/") for ref in _refs(doc)} <= set(schemas), gv
        if gv.startswith("apis/metrics.k8s.io"):
            continue  # metrics-server's own API: upstream's documents do not have it
        gvks = {
            (k["group"], k["version"], k["kind"])
            for schema in schemas.values()
            for k in schema.get("x-kubernetes-group-version-kind", [])
        }
        group, _, version = gv.removeprefix("api/").removeprefix("apis/").rpartition("/")
        resources = json.loads(request(node, "/" + gv)[2])["resources"]
        kinds = {r["kind"] for r in resources if "/" not in r["name"]}
        assert {(group, version, kind) for kind in kinds} <= gvks, gv
        for path_item in doc["paths"].values():
            patch = path_item.get("patch")
            if patch is not None:  # what kubectl checks before it leaves --validate to the server
                assert {p["name"] for p in patch["parameters"]} >= {"fieldValidation", "dryRun"}


def test_v3_document_etag_hash_redirect_cache_headers_and_406(node: Node) -> None:
    status, headers, index_raw = request(node, "/openapi/v3")
    assert status == 200 and headers["content-type"] == "application/json"
    assert headers["etag"] == '"' + hashlib.sha512(index_raw).hexdigest().upper() + '"'
    assert request(node, "/openapi/v3", {"If-None-Match": headers["etag"]})[0] == 304

    url = json.loads(index_raw)["paths"]["apis/batch/v1"]["serverRelativeURL"]
    path, _, current = url.partition("?hash=")
    status, headers, raw = request(node, url)
    assert status == 200
    assert headers["etag"] == f'"{current}"' == '"' + hashlib.sha512(raw).hexdigest().upper() + '"'
    assert headers["cache-control"] == "public, immutable"
    assert headers["expires"].endswith(" UTC") and headers["vary"] == "Accept"
    assert headers["last-modified"].endswith(" GMT")
    assert request(node, url, {"If-None-Match": headers["etag"]})[0] == 304

    status, headers, _ = request(node, f"{path}?hash=0123")
    assert status == 301 and headers["location"] == url
    status, headers, _ = request(node, path)  # no hash: served, but not marked immutable
    assert status == 200 and "cache-control" not in headers

    status, headers, zipped = request(node, url, {"Accept-Encoding": "gzip"})
    assert headers["content-encoding"] == "gzip" and gzip.decompress(zipped) == raw

    protobuf = "application/com.github.proto-openapi.spec.v3.v1.0+protobuf"
    assert request(node, url, {"Accept": protobuf})[0] == 406
    assert request(node, url, {"Accept": f"{protobuf}, application/json"})[0] == 200
    for unknown in ("/openapi/v3/apis/widgets.example.com/v1", "/openapi/v3/api/v2", "/openapi/v4"):
        status, _, raw = request(node, unknown)
        assert status == 404 and json.loads(raw)["reason"] == "NotFound", unknown


def test_python_client_reads_the_documents(node: Node) -> None:
    """The official client has no OpenAPI method; its own request path reaches the documents."""
    api = api_client(node)
    try:

        def get(path: str) -> Any:
            params = api.param_serialize(
                method="GET",
                resource_path=path,
                header_params={"Accept": "application/json"},
                auth_settings=["BearerToken"],
            )
            response = api.call_api(*params)
            response.read()
            assert response.status == 200, path
            return json.loads(response.data)

        url = get("/openapi/v3")["paths"]["api/v1"]["serverRelativeURL"]
        path, _, digest = url.partition("?hash=")
        doc = get(path)
        assert hashlib.sha512(json.dumps(doc, separators=(",", ":")).encode()).hexdigest().upper() == digest
        pod = doc["components"]["schemas"]["io.k8s.api.core.v1.Pod"]
        assert pod["x-kubernetes-group-version-kind"] == [{"group": "", "kind": "Pod", "version": "v1"}]
        assert "io.k8s.api.core.v1.Pod" in get("/openapi/v2")["definitions"]
    finally:
        api.close()


def test_v2_swagger_document(node: Node) -> None:
    status, headers, raw = request(node, "/openapi/v2", {"Accept": "application/json"})
    assert status == 200 and headers["vary"] == "Accept"
    assert headers["etag"] == '"' + hashlib.sha512(raw).hexdigest().upper() + '"'
    doc = json.loads(raw)
    assert doc["swagger"] == "2.0"
    liveness = doc["definitions"]["io.k8s.api.core.v1.Container"]["properties"]["livenessProbe"]
    assert liveness["$ref"] == "#/definitions/io.k8s.api.core.v1.Probe"
    assert liveness["description"].startswith("Periodic probe of container liveness.")
    ports = doc["definitions"]["io.k8s.api.core.v1.Container"]["properties"]["ports"]
    assert ports["x-kubernetes-patch-merge-key"] == "containerPort"
    # client-go asks v2 as gnostic protobuf only (discovery OpenAPISchema()): the same document,
    # the JSON form's ETag, and kubectl's v2 explain reads it.
    for accept in (
        "application/com.github.proto-openapi.spec.v2@v1.0+protobuf",
        "application/com.github.proto-openapi.spec.v2.v1.0+protobuf",
    ):
        status, pb_headers, pb = request(node, "/openapi/v2", {"Accept": accept})
        assert status == 200
        assert pb_headers["content-type"] == "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
        assert pb_headers["etag"] == headers["etag"]
        top = {number: value for number, _, value in fields(pb)}
        assert top[1] == b"2.0" and b"io.k8s.api.core.v1.Probe" in top[9]
    assert request(node, "/openapi/v2", {"Accept": "text/html"})[0] == 406
    v2_explain = node.kubectl("explain", "--output=plaintext-openapiv2", "pod.spec").stdout
    assert "RESOURCE: spec <Object>" in v2_explain
    assert "   containers\t<[]Object> -required-" in v2_explain.splitlines()
    assert json.loads(node.kubectl("get", "--raw", "/openapi/v2").stdout)["swagger"] == "2.0"


DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  foo: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      hostnameOverride: web-host
      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
            - matchExpressions: [{key: k, operator: Exists}]
              matchFeilds: []
      containers:
      - name: c
        image: busybox
        imagePullPolicyTypo: Always
"""


def test_apply_validate_strict_and_warn_use_upstream_fields(node: Node, tmp_path: Path) -> None:
    manifest = tmp_path / "web.yaml"
    manifest.write_text(DEPLOYMENT)
    unknown = (
        'unknown field "spec.foo", '
        'unknown field "spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution'
        '.nodeSelectorTerms[0].matchFeilds", '
        'unknown field "spec.template.spec.containers[0].imagePullPolicyTypo"'
    )
    strict = node.kubectl("apply", "--validate=strict", "-f", str(manifest), check=False)
    assert strict.returncode == 1
    assert strict.stderr.strip() == (
        f'Error from server (BadRequest): error when creating "{manifest}": Deployment in version "v1" '
        f"cannot be handled as a Deployment: strict decoding error: {unknown}"
    )
    assert node.kubectl("get", "deployments", "-o", "name").stdout == ""

    warned = node.kubectl("apply", "--validate=warn", "-f", str(manifest))
    assert warned.stdout.strip() == "deployment.apps/web created"
    assert [line for line in warned.stderr.splitlines() if line.startswith("Warning:")] == [
        f"Warning: {w}" for w in unknown.split(", ")
    ]
    # Dropped as Go's decoder drops them; a field newer than podlab's own table is kept.
    stored = json.loads(node.kubectl("get", "deployment", "web", "-o", "json").stdout)
    assert "foo" not in stored["spec"]
    assert stored["spec"]["template"]["spec"]["hostnameOverride"] == "web-host"

    # A changed re-apply: kubectl builds its strategic merge patch from the served v3 schemas
    # (containers merged by name, x-kubernetes-patch-merge-key) and says "configured".
    changed = DEPLOYMENT.replace("image: busybox", "image: busybox:1.37").replace("foo: 1", "paused: true")
    manifest.write_text(
        changed.replace("        imagePullPolicyTypo: Always\n", "").replace("matchFeilds", "matchFields")
    )
    again = node.kubectl("apply", "-f", str(manifest), "-v=6")
    assert again.stdout.strip() == "deployment.apps/web configured", again.stderr
    # The PATCH operation lists application/strategic-merge-patch+json, so kubectl neither
    # logs "OpenAPI V3 path does not support strategic merge patch" nor falls back to v2.
    assert "does not support strategic merge patch" not in again.stderr
    assert "/openapi/v2" not in again.stderr
    stored = json.loads(node.kubectl("get", "deployment", "web", "-o", "json").stdout)
    assert stored["spec"]["paused"] is True
    assert [(c["name"], c["image"]) for c in stored["spec"]["template"]["spec"]["containers"]] == [
        ("c", "busybox:1.37")
    ]
