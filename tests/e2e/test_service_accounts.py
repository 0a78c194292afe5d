"""A pod's ServiceAccount credentials on a real node: the official `kubernetes` client inside a pod,
with its in-cluster config (KUBERNETES_SERVICE_HOST/PORT, the projected token and ca.crt),
lists pods through the `kubernetes` Service once a RoleBinding grants `view`, and is refused
with 403 before, as are `kubectl create token`'s token and `auth can-i --as`;
automountServiceAccountToken: false (pod or account) mounts nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import pytest

from .conftest import KUBECTL, RunningNode, start_node, stop_node, wait_for

MOUNT = "/var/run/secrets/kubernetes.io/serviceaccount"

# Bounded: at most 120 attempts, 0.5 s apart.
CLIENT = """
import sys, time
from kubernetes import client, config
from kubernetes.client.rest import ApiException
config.load_incluster_config()
api = client.CoreV1Api()
for _ in range(120):
    try:
        pods = api.list_namespaced_pod("default")
    except ApiException as exc:
        print("status", exc.status, exc.reason, flush=True)
        time.sleep(0.5)
        continue
    print("pods:", " ".join(sorted(p.metadata.name for p in pods.items)), flush=True)
    sys.exit(0)
sys.exit(1)
"""


def _apply(node: RunningNode, obj: dict[str, object]) -> None:
    proc = subprocess.run(
        [KUBECTL, "--kubeconfig", str(node.kubeconfig), "apply", "-f", "-"],
        input=json.dumps(obj),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 0, proc.stderr


def _pod(name: str, command: list[str], **spec: object) -> dict[str, object]:
    # The wiremock image is a built-in run by podlab's own Python: a command naming this
    # interpreter runs it inside the sandbox with the packages it has (the kubernetes client).
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "restartPolicy": "Never",
            "terminationGracePeriodSeconds": 0,
            "containers": [{"name": "c", "image": "wiremock/wiremock", "command": command}],
            **spec,
        },
    }


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningNode]:
    running_node = start_node(tmp_path_factory.mktemp("sa"))
    yield running_node
    stop_node(running_node)


def test_in_cluster_client_lists_pods_with_its_projected_token(node: RunningNode) -> None:
    _apply(node, _pod("client", [sys.executable, "-c", CLIENT]))
    pod = json.loads(node.kubectl("get", "pod", "client", "-o", "json").stdout)
    volume = next(v for v in pod["spec"]["volumes"] if v["name"].startswith("kube-api-access-"))
    assert volume["projected"]["sources"][0] == {
        "serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}
    }
    assert {"name": volume["name"], "readOnly": True, "mountPath": MOUNT} in pod["spec"]["containers"][0][
        "volumeMounts"
    ]

    def logs() -> str:
        return node.kubectl("logs", "client", check=False).stdout

    # Without a binding the default account may not list pods: the API server's 403.
    wait_for(lambda: "status 403 Forbidden" in logs(), timeout=60, what="the in-cluster client's 403")
    as_default = "--as=system:serviceaccount:default:default"
    assert node.kubectl("auth", "can-i", "list", "pods", as_default, check=False).stdout == "no\n"
    token = node.kubectl("create", "token", "default").stdout.strip()
    assert "Forbidden" in node.kubectl("get", "pods", f"--token={token}", check=False).stderr
    node.kubectl(
        "create", "rolebinding", "default-view", "--clusterrole=view", "--serviceaccount=default:default"
    )
    assert node.kubectl("auth", "can-i", "list", "pods", as_default).stdout == "yes\n"
    assert "client" in node.kubectl("get", "pods", f"--token={token}", "-o", "name").stdout
    wait_for(
        lambda: node.kubectl("get", "pod", "client", "-o", "jsonpath={.status.phase}").stdout == "Succeeded",
        timeout=60,
        what="the in-cluster client to list pods and exit",
    )
    assert "pods: client" in logs().splitlines()[-1]


def test_automount_false_on_the_pod_or_its_account_mounts_nothing(node: RunningNode) -> None:
    node.kubectl("create", "serviceaccount", "quiet")
    node.kubectl("patch", "serviceaccount", "quiet", "-p", '{"automountServiceAccountToken": false}')
    _apply(node, _pod("no-token-pod", ["sleep", "1"], automountServiceAccountToken=False))
    _apply(node, _pod("no-token-sa", ["sleep", "1"], serviceAccountName="quiet"))
    for name in ("no-token-pod", "no-token-sa"):
        spec = json.loads(node.kubectl("get", "pod", name, "-o", "json").stdout)["spec"]
        assert not [v for v in spec.get("volumes") or [] if v["name"].startswith("kube-api-access-")]
        assert not spec["containers"][0].get("volumeMounts")
    # Every namespace holds the API server's CA for its pods.
    node.kubectl("create", "namespace", "team")
    for namespace in ("default", "team"):
        ca = node.kubectl(
            "get", "configmap", "kube-root-ca.crt", "-n", namespace, "-o", "jsonpath={.data.ca\\.crt}"
        ).stdout
        assert ca == node.ca_pem
    node.kubectl("delete", "pod", "no-token-pod", "no-token-sa", "--wait=false")
