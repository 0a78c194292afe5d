"""securityContext on a real node, through real kubectl and the official client.

Reference: docs/reference/exec-limits-sandbox.md §4. The pods are in
tests/e2e/manifests/secctx/; one node serves the module (run as root here, as in CI).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from podlab.runtime.launchers import bwrap_works

from .conftest import RunningNode, start_node, stop_node, wait_for
from .test_probe_catalogue import MANIFESTS, find_event, get_pod, is_ready, pod_events, wait_pod

SECCTX = MANIFESTS / "secctx"

pytestmark = [
    pytest.mark.skipif(not bwrap_works(shutil.which("bwrap")), reason="bubblewrap is not usable here"),
    pytest.mark.skipif(os.geteuid() != 0, reason="runAsUser needs a node run as root"),
]


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningNode]:
    running_node = start_node(tmp_path_factory.mktemp("secctx"))
    yield running_node
    stop_node(running_node)


@pytest.fixture(scope="module")
def api(node: RunningNode) -> Any:
    return node.core_api()


def assert_forbidden(node: RunningNode, name: str, detail: str) -> str:
    """`kubectl apply` of manifests/secctx/<name>.yaml is refused with `detail`; the file's path."""
    manifest = str(SECCTX / f"{name}.yaml")
    refused = node.kubectl("apply", "-f", manifest, check=False)
    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        f'Error from server (Forbidden): error when creating "{manifest}": pods "{name}" is forbidden: {detail}'
    )
    return manifest


def waiting(pod: Any) -> Any:
    """The first container's waiting state once it is past ContainerCreating (a refusal is decided then)."""
    statuses = pod.status.container_statuses or []
    state = statuses[0].state.waiting if statuses and statuses[0].state else None
    return state if state is not None and state.reason != "ContainerCreating" else None


def test_run_as_user_group_and_groups_apply_to_the_process_and_its_exec_probe(
    node: RunningNode, api: Any
) -> None:
    node.kubectl("apply", "-f", str(SECCTX / "run-as-user.yaml"))
    # The exec readiness probe checks `id` inside: exec runs with the container's ids too.
    wait_pod(api, "run-as-user", is_ready, timeout=40, what="Ready")

    def report() -> str:
        out = node.kubectl("logs", "run-as-user").stdout
        return out if " made" in out else ""

    logs = wait_for(report, timeout=10, what="the container's report")
    assert "uid=1000 gid=3000 groups=2000,3000,4000" in logs, logs
    assert "CapEff:\t0000000000000000" in logs and "NoNewPrivs:\t1" in logs
    # The emptyDir file: made by uid 1000, group fsGroup (setgid directory).
    made = next(line for line in logs.splitlines() if line.endswith(" made"))
    assert made.split()[2:4] == ["1000", "2000"], logs


def test_run_as_non_root_refuses_an_image_that_runs_as_root(node: RunningNode, api: Any) -> None:
    node.kubectl("apply", "-f", str(SECCTX / "non-root-image.yaml"))
    pod = wait_pod(api, "non-root-image", waiting, timeout=30, what="a waiting reason")
    uid = pod.metadata.uid
    message = (
        f'container has runAsNonRoot and image will run as root (pod: "non-root-image_default({uid})", '
        "container: app)"
    )
    state = waiting(pod)
    assert (state.reason, state.message) == ("CreateContainerConfigError", message)
    event = wait_for(
        lambda: find_event(pod_events(api, "non-root-image"), "Failed", f"Error: {message}"),
        timeout=10,
        what="the Failed event",
    )
    assert event.type == "Warning"
    printed = node.kubectl("get", "pod", "non-root-image").stdout
    assert "CreateContainerConfigError" in printed
    assert get_pod(api, "non-root-image").status.phase == "Pending"


def test_run_as_non_root_with_run_as_user_0_is_refused(node: RunningNode, api: Any) -> None:
    node.kubectl("apply", "-f", str(SECCTX / "non-root-uid0.yaml"))
    pod = wait_pod(api, "non-root-uid0", waiting, timeout=30, what="a waiting reason")
    state = waiting(pod)
    assert state.reason == "CreateContainerConfigError"
    assert state.message == (
        f'container\'s runAsUser breaks non-root policy (pod: "non-root-uid0_default({pod.metadata.uid})", '
        "container: app)"
    )


def test_read_only_root_no_new_privs_and_capabilities(node: RunningNode, api: Any) -> None:
    node.kubectl("apply", "-f", str(SECCTX / "locked-down.yaml"))
    wait_pod(api, "locked-down", lambda p: p.status.phase == "Succeeded", timeout=30, what="Succeeded")
    logs = node.kubectl("logs", "locked-down").stdout
    # drop ALL, add NET_BIND_SERVICE: bit 10 only.
    assert "CapEff:\t0000000000000400" in logs, logs
    assert "NoNewPrivs:\t1" in logs
    assert "touch: /tmp/x: Read-only file system" in logs and "tmp-read-only" in logs
    assert "volume-writable" in logs


def test_unknown_service_account_is_refused_until_it_exists(node: RunningNode, api: Any) -> None:
    from kubernetes.client.rest import ApiException

    manifest = assert_forbidden(
        node,
        "unknown-sa",
        'error looking up service account default/builder: serviceaccount "builder" not found',
    )
    with pytest.raises(ApiException) as raised:
        api.create_namespaced_pod(
            "default",
            {
                "metadata": {"name": "unknown-sa"},
                "spec": {
                    "serviceAccountName": "builder",
                    "containers": [{"name": "app", "image": "busybox:1.36"}],
                },
            },
        )
    assert raised.value.status == 403
    # Every namespace has its `default` account, a new one included.
    node.kubectl("create", "namespace", "team")
    assert "default" in node.kubectl("get", "serviceaccounts", "-n", "team", "-o", "name").stdout
    node.kubectl("create", "serviceaccount", "builder")
    node.kubectl("apply", "-f", manifest)
    pod = wait_pod(
        api, "unknown-sa", lambda p: p.spec.service_account_name == "builder", timeout=10, what="stored"
    )
    assert pod.spec.service_account == "builder"


def test_privileged_and_host_capabilities_are_refused_in_pod_security_words(node: RunningNode) -> None:
    assert_forbidden(
        node,
        "privileged",
        'violates PodSecurity "baseline:latest": privileged (container "app" must not set '
        'securityContext.privileged=true), non-default capabilities (container "admin" must not include '
        '"NET_ADMIN", "SYS_ADMIN" in securityContext.capabilities.add)',
    )
    assert node.kubectl("get", "pod", "privileged", check=False).returncode == 1


def test_a_deployment_naming_an_unknown_account_gets_failed_create(node: RunningNode, api: Any) -> None:
    """The ReplicaSet controller's creates go through admission: no pod, a FailedCreate event."""
    node.kubectl("apply", "-f", str(SECCTX / "unknown-sa-deployment.yaml"))

    def failed_create() -> Any:
        events = api.list_namespaced_event("default", field_selector="reason=FailedCreate").items
        return next((e for e in events if e.involved_object.kind == "ReplicaSet"), None)

    event = wait_for(failed_create, timeout=20, what="FailedCreate on the ReplicaSet")
    rs = event.involved_object.name
    assert event.type == "Warning" and event.source.component == "replicaset-controller"
    assert event.message == (
        f'Error creating: pods "{rs}-" is forbidden: error looking up service account default/ghost: '
        'serviceaccount "ghost" not found'
    )
    assert not api.list_namespaced_pod("default", label_selector="app=ghost-sa").items
