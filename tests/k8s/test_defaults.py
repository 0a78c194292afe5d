"""apply_defaults: the API server's defaulting, value by value."""

from __future__ import annotations

from pathlib import Path

from podlab.k8s import apply_defaults, load_manifests
from podlab.k8s.defaults import image_pull_policy_for

# The project keeps the reference manifests exactly as the post gives them.
SEED_DIR = Path(__file__).resolve().parents[2] / "examples" / "seed"


def _deployment() -> dict:
    objs = load_manifests((SEED_DIR / "wiremock-liveness.yaml").read_text(), "f")
    return objs[1]


def test_deployment_defaults() -> None:
    d = apply_defaults(_deployment())
    spec = d["spec"]
    assert spec["replicas"] == 1
    assert spec["strategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"},
    }
    assert spec["revisionHistoryLimit"] == 10
    assert spec["progressDeadlineSeconds"] == 600
    pod = spec["template"]["spec"]
    assert pod["restartPolicy"] == "Always"
    assert pod["terminationGracePeriodSeconds"] == 30
    assert pod["dnsPolicy"] == "ClusterFirst"
    assert pod["schedulerName"] == "default-scheduler"
    assert pod["securityContext"] == {}
    assert "enableServiceLinks" not in pod  # SetDefaults_Pod only, not templates
    c = pod["containers"][0]
    assert c["imagePullPolicy"] == "IfNotPresent"
    assert c["terminationMessagePath"] == "/dev/termination-log"
    assert c["terminationMessagePolicy"] == "File"
    assert c["livenessProbe"] == {
        "httpGet": {"path": "/get/this", "port": 8080, "scheme": "HTTP"},
        "periodSeconds": 5,
        "timeoutSeconds": 1,
        "failureThreshold": 3,
        "successThreshold": 1,
    }
    assert pod["volumes"][0]["configMap"]["defaultMode"] == 420


def test_input_is_not_mutated() -> None:
    d = _deployment()
    apply_defaults(d)
    assert "replicas" in d["spec"] and "revisionHistoryLimit" not in d["spec"]


def test_probe_zero_values_become_defaults_and_path_slash() -> None:
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {
            "containers": [
                {
                    "name": "c",
                    "image": "busybox",
                    "ports": [{"containerPort": 80}],
                    "readinessProbe": {"httpGet": {"port": 80}, "periodSeconds": 0},
                    "startupProbe": {"grpc": {"port": 9000}},
                    "env": [{"name": "IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}}],
                    "resources": {"limits": {"cpu": "1", "memory": "1Gi"}},
                }
            ]
        },
    }
    out = apply_defaults(pod)
    c = out["spec"]["containers"][0]
    assert c["readinessProbe"]["periodSeconds"] == 10
    assert c["readinessProbe"]["httpGet"] == {"port": 80, "path": "/", "scheme": "HTTP"}
    assert c["startupProbe"]["grpc"]["service"] == ""
    assert c["ports"][0]["protocol"] == "TCP"
    assert c["imagePullPolicy"] == "Always"
    assert c["env"][0]["valueFrom"]["fieldRef"]["apiVersion"] == "v1"
    assert c["resources"]["requests"] == {"cpu": "1", "memory": "1Gi"}
    spec = out["spec"]
    assert spec["enableServiceLinks"] is True
    assert spec["serviceAccountName"] == "default"
    assert {t["key"] for t in spec["tolerations"]} == {
        "node.kubernetes.io/not-ready",
        "node.kubernetes.io/unreachable",
    }
    assert out["status"] == {"phase": "Pending", "qosClass": "Guaranteed"}


def test_image_pull_policy_by_tag() -> None:
    assert image_pull_policy_for("nginx") == "Always"
    assert image_pull_policy_for("nginx:latest") == "Always"
    assert image_pull_policy_for("nginx:1.27") == "IfNotPresent"
    assert image_pull_policy_for("localhost:5000/nginx") == "Always"
    assert image_pull_policy_for("localhost:5000/nginx:1") == "IfNotPresent"
    assert image_pull_policy_for("nginx@sha256:" + "a" * 64) == "IfNotPresent"


def test_other_kinds() -> None:
    secret = apply_defaults(
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "stringData": {"k": "v"}}
    )
    assert secret["type"] == "Opaque" and secret["data"] == {"k": "dg=="} and "stringData" not in secret
    ns = apply_defaults({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})
    assert ns["metadata"]["labels"] == {"kubernetes.io/metadata.name": "team"}
    assert ns["spec"] == {"finalizers": ["kubernetes"]} and ns["status"] == {"phase": "Active"}
    rs = apply_defaults(
        {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "r"}, "spec": {}}
    )
    assert rs["spec"]["replicas"] == 1
    recreate = apply_defaults(
        {"apiVersion": "apps/v1", "kind": "Deployment", "spec": {"strategy": {"type": "Recreate"}}}
    )
    assert recreate["spec"]["strategy"] == {"type": "Recreate"}
    svc = apply_defaults({"apiVersion": "v1", "kind": "Service", "spec": {"ports": [{"port": 80}]}})
    assert svc["spec"]["ports"][0] == {"port": 80, "protocol": "TCP", "targetPort": 80}
    vol = apply_defaults(
        {"apiVersion": "v1", "kind": "Pod", "spec": {"containers": [], "volumes": [{"name": "scratch"}]}}
    )
    assert vol["spec"]["volumes"][0] == {"name": "scratch", "emptyDir": {}}
