"""Credentials: kubelet's keyring matching and the WWW-Authenticate challenge (docs/reference/images.md §3)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from podlab.oci.auth import Credential, docker_config_keyring, keyring_from_secrets, parse_challenge
from podlab.oci.reference import parse_reference


def secret(auths: dict[str, object], key: str = ".dockerconfigjson") -> dict[str, object]:
    doc = {"auths": auths} if key == ".dockerconfigjson" else auths
    return {
        "type": "kubernetes.io/dockerconfigjson",
        "data": {key: base64.b64encode(json.dumps(doc).encode()).decode()},
    }


def test_keys_are_normalised_and_matched_by_port_labels_and_path() -> None:
    auth = base64.b64encode(b"u:p:with:colons").decode().rstrip("=")  # unpadded, split at the first ':'
    ring = keyring_from_secrets(
        [
            secret({"https://index.docker.io/v1/": {"auth": auth}}),
            secret({"*.example.com": {"username": "w", "password": "x"}}),
            secret({"reg.local:5000/team": {"username": "t", "password": "y"}}, key=".dockercfg"),
        ]
    )
    assert ring.lookup(parse_reference("busybox")) == [Credential("u", "p:with:colons")]
    assert ring.lookup(parse_reference("a.example.com/app")) == [Credential("w", "x")]
    assert ring.lookup(parse_reference("a.b.example.com/app")) == []  # label count differs
    assert ring.lookup(parse_reference("reg.local:5000/team/app")) == [Credential("t", "y")]
    assert ring.lookup(parse_reference("reg.local:5000/other/app")) == []
    assert ring.lookup(parse_reference("reg.local/team/app")) == []  # the port must be equal


def test_docker_config_json(tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"auths": {"127.0.0.1:5000": {"auth": base64.b64encode(b"a:b").decode()}}}))
    assert docker_config_keyring(path).lookup(parse_reference("127.0.0.1:5000/x")) == [Credential("a", "b")]
    assert docker_config_keyring(tmp_path / "missing.json").lookup(parse_reference("x")) == []


def test_challenges() -> None:
    bearer = parse_challenge(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"'
    )
    assert bearer is not None and bearer.scheme == "bearer"
    assert bearer.params["scope"] == "repository:library/busybox:pull"
    basic = parse_challenge('Basic realm="podlab-test"')
    assert basic is not None and (basic.scheme, basic.params) == ("basic", {"realm": "podlab-test"})
