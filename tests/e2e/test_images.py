"""Real OCI images end to end: pushed to a local docker-registry, pulled and run by a podlab node,
driven with the wheel's kubectl (issue 8). No Docker and no internet: the images are built in
Python (tests/oci/imagebuild.py) from Debian's busybox-static.
"""

from __future__ import annotations

import json
import shutil
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from oci.imagebuild import Entry, build_image, busybox_layer, oci_layout_tar
from oci.registry import REGISTRY, Registry, run_registry

from .conftest import RunningNode, start_node, stop_node, wait_for

pytestmark = pytest.mark.skipif(
    REGISTRY is None or not Path("/bin/busybox").exists() or shutil.which("bwrap") is None,
    reason="needs docker-registry, busybox-static and bubblewrap (.ci/run installs them)",
)

WWW = [Entry("www", "dir"), Entry("www/index.html", data=b"hello from a pulled image\n")]
WEB_CONFIG = {"Entrypoint": ["httpd"], "Cmd": ["-f", "-p", "8080", "-h", "/www"], "WorkingDir": "/www"}
# A probe of the process: uid, gid, whether the whited-out file shows, the working directory,
# the env as merged, the files the runtime adds.
REPORT = (
    "echo uid=$(id -u) gid=$(id -g); "
    "test -e /etc/secret && echo secret=visible || echo secret=hidden; "
    "echo data=$(ls /data); echo cwd=$(pwd); echo greeting=$GREETING mode=$MODE; "
    "echo hostname=$(cat /etc/hostname); grep -c Kubernetes-managed /etc/hosts; test -e /etc/resolv.conf && echo resolv=yes"
)
USER_LAYERS = [
    busybox_layer(),
    [Entry("etc/secret", data=b"s3cret"), Entry("data", "dir"), Entry("data/old", data=b"old")],
    [Entry("etc/.wh.secret"), Entry("data/new", data=b"new"), Entry("data/.wh..wh..opq")],
    [Entry("etc/passwd", data=b"root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n")],
]
USER_CONFIG = {
    "Entrypoint": ["/bin/sh", "-c"],
    "Cmd": [REPORT],
    "Env": ["PATH=/bin", "GREETING=image", "MODE=image"],
    "User": "app",
    "WorkingDir": "/home/app/work",
}


@pytest.fixture(scope="module")
def registries(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Registry, Registry]]:
    work = tmp_path_factory.mktemp("registries")
    with (
        run_registry(work / "open") as open_reg,
        run_registry(work / "auth", htpasswd=("puller", "pw1")) as auth_reg,
    ):
        open_reg.push("test/web", "1", build_image([busybox_layer(), WWW], WEB_CONFIG, index=True))
        open_reg.push("test/user", "1", build_image(USER_LAYERS, USER_CONFIG, compression="zstd"))
        auth_reg.push("test/private", "1", build_image([busybox_layer()], {"Cmd": ["echo", "private ok"]}))
        yield open_reg, auth_reg


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningNode]:
    running = start_node(tmp_path_factory.mktemp("imagenode") / "home")
    yield running
    stop_node(running)


def apply(node: RunningNode, tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / f"{name}.yaml"
    path.write_text(textwrap.dedent(text))
    node.kubectl("apply", "-f", str(path))


def pod(node: RunningNode, name: str) -> Any:
    return json.loads(node.kubectl("get", "pod", name, "-o", "json").stdout)


def events(node: RunningNode, name: str) -> list[str]:
    out = node.kubectl(
        "get", "events", "--field-selector", f"involvedObject.name={name}", "-o", "json"
    ).stdout
    return [e["message"] for e in json.loads(out)["items"]]


def waiting(node: RunningNode, name: str) -> Any:
    statuses = pod(node, name)["status"].get("containerStatuses") or [{}]
    return statuses[0].get("state", {}).get("waiting")


def pull_failure(node: RunningNode, name: str) -> Any:
    w = waiting(node, name)
    return w if w and w["reason"] in ("ErrImagePull", "ImagePullBackOff") else None


def logs_when_done(node: RunningNode, name: str) -> str:
    wait_for(
        lambda: pod(node, name)["status"].get("phase") == "Succeeded", timeout=60, what=f"{name} Succeeded"
    )
    return node.kubectl("logs", name).stdout


def test_deployment_of_a_pulled_image_runs_passes_probes_and_serves(
    node: RunningNode, registries: tuple[Registry, Registry], tmp_path: Path
) -> None:
    reg, _ = registries
    image = f"{reg.host}/test/web:1"
    apply(
        node,
        tmp_path,
        "web",
        f"""\
        apiVersion: apps/v1
        kind: Deployment
        metadata: {{name: web}}
        spec:
          replicas: 1
          selector: {{matchLabels: {{app: web}}}}
          template:
            metadata: {{labels: {{app: web}}}}
            spec:
              containers:
              - name: web
                image: {image}
                args: ["-f", "-p", "$(POD_IP):8080", "-h", "/www"]
                env:
                - name: POD_IP
                  valueFrom: {{fieldRef: {{fieldPath: status.podIP}}}}
                readinessProbe: {{httpGet: {{path: /index.html, port: 8080}}, periodSeconds: 1}}
                livenessProbe: {{httpGet: {{path: /index.html, port: 8080}}, periodSeconds: 1}}
        """,
    )
    node.kubectl("rollout", "status", "deployment/web", "--timeout=90s", timeout=100)
    name = node.kubectl("get", "pods", "-l", "app=web", "-o", "jsonpath={.items[0].metadata.name}").stdout
    status = pod(node, name)["status"]
    # Served: fetched through the API server's pod proxy (the pod is inside the node's network).
    served = node.kubectl("get", "--raw", f"/api/v1/namespaces/default/pods/{name}:8080/proxy/index.html")
    assert served.stdout == "hello from a pulled image\n"
    messages = events(node, name)
    assert f'Pulling image "{image}"' in messages
    pulled = [m for m in messages if m.startswith(f'Successfully pulled image "{image}" in ')]
    assert pulled and pulled[0].endswith(" bytes.") and "including waiting). Image size: " in pulled[0]
    cs = status["containerStatuses"][0]
    assert cs["imageID"].startswith(f"{reg.host}/test/web@sha256:")
    assert cs["restartCount"] == 0 and cs["ready"]
    nodes = json.loads(node.kubectl("get", "nodes", "-o", "json").stdout)["items"]
    names = [n for i in nodes[0]["status"]["images"] for n in i["names"]]
    assert f"{reg.host}/test/web:1" in names


def test_wrong_tag_is_err_image_pull_with_manifest_unknown_then_back_off(
    node: RunningNode, registries: tuple[Registry, Registry], tmp_path: Path
) -> None:
    reg, _ = registries
    image = f"{reg.host}/test/web:nope"
    apply(
        node,
        tmp_path,
        "nope",
        f"""\
        apiVersion: v1
        kind: Pod
        metadata: {{name: nope}}
        spec: {{containers: [{{name: app, image: {image}}}]}}
        """,
    )
    first = wait_for(lambda: pull_failure(node, "nope"), timeout=30, what="a pull failure")
    assert "manifest unknown" in first["message"]
    back_off = wait_for(
        lambda: (w := waiting(node, "nope")) and w["reason"] == "ImagePullBackOff" and w,
        timeout=30,
        what="back-off",
    )
    assert back_off["message"].startswith(f'Back-off pulling image "{image}": ErrImagePull: ')
    messages = events(node, "nope")
    failed = [m for m in messages if m.startswith(f'Failed to pull image "{image}": ')]
    assert failed and failed[0].endswith(f"{reg.host}/test/web:nope: not found: manifest unknown")
    assert "Error: ErrImagePull" in messages and f'Back-off pulling image "{image}"' in messages


def test_user_whiteout_env_and_workdir_from_the_image_and_if_not_present(
    node: RunningNode, registries: tuple[Registry, Registry], tmp_path: Path
) -> None:
    reg, _ = registries
    image = f"{reg.host}/test/user:1"
    manifest = f"""\
        apiVersion: v1
        kind: Pod
        metadata: {{name: NAME}}
        spec:
          restartPolicy: Never
          containers:
          - name: app
            image: {image}
            env: [{{name: MODE, value: pod}}]
        """
    apply(node, tmp_path, "user1", manifest.replace("NAME", "user1"))
    out = logs_when_done(node, "user1")
    assert "uid=1000 gid=1000" in out  # User "app" from the image's own /etc/passwd
    assert "secret=hidden" in out  # the whiteout layer removed it
    assert "data=new" in out  # the opaque directory hid data/old, kept its own data/new
    assert "cwd=/home/app/work" in out  # WorkingDir, made when missing
    assert "greeting=image mode=pod" in out  # image Env under the pod's env
    assert "hostname=user1" in out and "resolv=yes" in out
    assert f'Pulling image "{image}"' in events(node, "user1")
    # IfNotPresent (a tag that is not latest): the second pod pulls nothing.
    apply(node, tmp_path, "user2", manifest.replace("NAME", "user2"))
    assert "secret=hidden" in logs_when_done(node, "user2")
    messages = events(node, "user2")
    assert f'Container image "{image}" already present on machine' in messages
    assert not any(m.startswith("Pulling image") for m in messages)


def test_pull_secret_against_an_htpasswd_registry(
    node: RunningNode, registries: tuple[Registry, Registry], tmp_path: Path
) -> None:
    _, reg = registries
    image = f"{reg.host}/test/private:1"
    apply(
        node,
        tmp_path,
        "noauth",
        f"""\
        apiVersion: v1
        kind: Pod
        metadata: {{name: noauth}}
        spec: {{restartPolicy: Never, containers: [{{name: app, image: {image}}}]}}
        """,
    )
    denied = wait_for(lambda: pull_failure(node, "noauth"), timeout=30, what="a pull failure")
    assert "unauthorized: authentication required" in denied["message"]
    node.kubectl(
        "create",
        "secret",
        "docker-registry",
        "regcred",
        f"--docker-server={reg.host}",
        "--docker-username=puller",
        "--docker-password=pw1",
    )
    apply(
        node,
        tmp_path,
        "withauth",
        f"""\
        apiVersion: v1
        kind: Pod
        metadata: {{name: withauth}}
        spec:
          restartPolicy: Never
          imagePullSecrets: [{{name: regcred}}]
          containers: [{{name: app, image: {image}, imagePullPolicy: Always}}]
        """,
    )
    assert logs_when_done(node, "withauth") == "private ok\n"


def test_podlab_load_then_pull_policy_never(node: RunningNode, tmp_path: Path) -> None:
    image = "example.com/offline/app:1"
    archive = tmp_path / "app.tar"
    archive.write_bytes(oci_layout_tar(build_image([busybox_layer()], {"Cmd": ["echo", "loaded ok"]}), image))
    # Never + absent first: kubelet's words, no pull.
    apply(
        node,
        tmp_path,
        "never",
        f"""\
        apiVersion: v1
        kind: Pod
        metadata: {{name: never}}
        spec: {{restartPolicy: Never, containers: [{{name: app, image: {image}, imagePullPolicy: Never}}]}}
        """,
    )
    absent = wait_for(
        lambda: (w := waiting(node, "never")) and w["reason"] != "ContainerCreating" and w,
        timeout=30,
        what="ErrImageNeverPull",
    )
    assert absent == {
        "reason": "ErrImageNeverPull",
        "message": f'Container image "{image}" is not present with pull policy of Never',
    }
    loaded = node.podlab("load", "-i", str(archive))
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout == f"Loaded image: {image}\n"
    listed = node.podlab("images").stdout
    assert "example.com/offline/app" in listed
    assert logs_when_done(node, "never") == "loaded ok\n"
