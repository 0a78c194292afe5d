"""Image names as local programs: built-ins, command/args semantics, the user map, pull errors."""

from __future__ import annotations

import sys

import pytest

from podlab.images.errors import ImagePullError
from podlab.images.names import parse_image
from podlab.images.resolve import resolve


@pytest.mark.parametrize(
    ("image", "repo", "tag"),
    [
        ("busybox", "library/busybox", "latest"),
        ("docker.io/library/busybox:1.36", "library/busybox", "1.36"),
        ("wiremock/wiremock:2.35.0", "wiremock/wiremock", "2.35.0"),
        ("registry.k8s.io/e2e-test-images/agnhost:2.40", "registry.k8s.io/e2e-test-images/agnhost", "2.40"),
        ("localhost:5000/team/app", "localhost:5000/team/app", "latest"),
        ("nginx@sha256:abc", "library/nginx", "sha256:abc"),
    ],
)
def test_parse_image(image: str, repo: str, tag: str) -> None:
    ref = parse_image(image)
    assert (ref.repository, ref.tag) == (repo, tag)


def test_wiremock_runs_the_stub_with_compat_from_the_tag() -> None:
    prog = resolve(
        "wiremock/wiremock:2.35.0", {"name": "wiremock", "args": ["--verbose"]}, {}, pod_ip="127.244.0.9"
    )
    assert prog.argv == [
        sys.executable,
        "-m",
        "podlab.stub",
        "--compat",
        "2",
        "--bind-address",
        "127.244.0.9",
        "--verbose",
    ]
    assert prog.workdir == "/home/wiremock" and prog.kind == "wiremock"
    assert resolve("wiremock/wiremock:3.3.1", {"name": "w"}).argv[3:5] == ["--compat", "3"]
    assert resolve("wiremock/wiremock", {"name": "w"}).argv[3:5] == ["--compat", "3"]
    # command replaces the ENTRYPOINT entirely.
    assert resolve("wiremock/wiremock:3.3.1", {"name": "w", "command": ["sleep"], "args": ["1"]}).argv == [
        "sleep",
        "1",
    ]


def test_agnhost_entrypoint_and_cmd() -> None:
    base = [sys.executable, "-m", "podlab.images.agnhost"]
    image = "registry.k8s.io/e2e-test-images/agnhost:2.40"
    assert resolve(image, {"name": "a", "args": ["liveness"]}).argv == [*base, "liveness"]
    assert resolve(image, {"name": "a"}).argv == [*base, "pause"]  # CMD ["pause"]
    grpc = resolve(
        image, {"name": "a", "command": ["/agnhost", "grpc-health-checking"], "args": ["--port", "5000"]}
    )
    assert grpc.argv == [*base, "grpc-health-checking", "--port", "5000"]
    bash = resolve(image, {"name": "a", "command": ["/bin/bash", "-c", "echo"]})
    assert bash.argv == ["/bin/bash", "-c", "echo"] and bash.rootfs == "host"


def test_shell_images() -> None:
    bb = resolve("registry.k8s.io/busybox:1.27.2", {"name": "b", "args": ["/bin/sh", "-c", "sleep 1"]})
    assert bb.argv == ["/bin/sh", "-c", "sleep 1"] and bb.rootfs == "busybox" and bb.kind == "shell"
    assert resolve("busybox", {"name": "b"}).argv == ["sh"]
    assert resolve("alpine:3.20", {"name": "b"}).argv == ["/bin/sh"]
    deb = resolve("debian:12", {"name": "d", "command": ["cat"]})
    assert deb.argv == ["cat"] and deb.rootfs == "host"
    assert "/usr/bin" in bb.env["PATH"]


def test_user_map_and_annotation() -> None:
    user_map = {"ghcr.io/acme/api": "python3 -m http.server 8080", "redis:7": "redis-server --port 6379"}
    api = resolve("ghcr.io/acme/api:1.2", {"name": "api", "args": ["--bind", "x"]}, user_map)
    assert api.argv == ["python3", "-m", "http.server", "8080", "--bind", "x"] and api.kind == "user"
    assert resolve("redis:7", {"name": "r"}, user_map).argv == ["redis-server", "--port", "6379"]
    with pytest.raises(ImagePullError):
        resolve("redis:6", {"name": "r"}, user_map)
    via_annotation = resolve(
        "redis:7", {"name": "r"}, user_map, annotations={"podlab.dev/image-r": "sleep 'a b'"}
    )
    assert via_annotation.argv == ["sleep", "a b"]


def test_unknown_image_error_says_how_to_map_it() -> None:
    with pytest.raises(ImagePullError) as err:
        resolve("registry.k8s.io/goproxy:0.1", {"name": "goproxy"}, {})
    assert err.value.reason == "ErrImagePull"
    assert err.value.message == (
        'Failed to pull image "registry.k8s.io/goproxy:0.1": podlab runs images as local programs and has no '
        'built-in program for "registry.k8s.io/goproxy:0.1". Map it to a command in podlab.yaml '
        '(images: {"registry.k8s.io/goproxy:0.1": "<command>"}) or with the pod annotation '
        'podlab.dev/image-goproxy: "<command>"'
    )
