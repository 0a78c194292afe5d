"""Container environment resolution and $(VAR) expansion with kubelet's error wording."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from podlab.kubelet.env import EnvError, expand, expand_command, resolve_env

POD = {
    "metadata": {"name": "web", "namespace": "team", "uid": "u1", "labels": {"app": "web"}},
    "spec": {"nodeName": "podlab"},
}
OBJECTS: dict[tuple[str, str], Any] = {
    ("ConfigMap", "settings"): {"data": {"mode": "fast", "LEVEL": "3", "bad key": "x"}},
    ("Secret", "creds"): {"data": {"password": base64.b64encode(b"s3cret").decode()}},
}


def lookup(kind: str, name: str) -> Any:
    return OBJECTS.get((kind, name))


def resolve(container: dict[str, Any]) -> dict[str, str]:
    return resolve_env(POD, container, lookup, pod_ip="127.244.0.9", host_ip="127.0.0.1", node_name="podlab")


def test_values_refs_and_expansion() -> None:
    env = resolve(
        {
            "envFrom": [{"configMapRef": {"name": "settings"}, "prefix": "CFG_"}],
            "env": [
                {"name": "A", "value": "1"},
                {"name": "B", "value": "$(A)-$(MISSING)-$$(A)"},
                {"name": "MODE", "valueFrom": {"configMapKeyRef": {"name": "settings", "key": "mode"}}},
                {"name": "PW", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "password"}}},
                {"name": "IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
                {"name": "NS", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
                {"name": "APP", "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['app']"}}},
            ],
        }
    )
    assert env["B"] == "1-$(MISSING)-$(A)"
    assert (env["MODE"], env["PW"], env["IP"], env["NS"], env["APP"]) == (
        "fast",
        "s3cret",
        "127.244.0.9",
        "team",
        "web",
    )
    assert env["CFG_LEVEL"] == "3" and "CFG_bad key" not in env


@pytest.mark.parametrize(
    ("var", "message"),
    [
        ({"configMapKeyRef": {"name": "nope", "key": "k"}}, 'configmap "nope" not found'),
        (
            {"configMapKeyRef": {"name": "settings", "key": "k"}},
            "couldn't find key k in ConfigMap team/settings",
        ),
        ({"secretKeyRef": {"name": "nope", "key": "k"}}, 'secret "nope" not found'),
        ({"secretKeyRef": {"name": "creds", "key": "k"}}, "couldn't find key k in Secret team/creds"),
    ],
)
def test_missing_sources_use_kubelet_wording(var: dict[str, Any], message: str) -> None:
    with pytest.raises(EnvError) as err:
        resolve({"env": [{"name": "X", "valueFrom": var}]})
    assert err.value.message == message


def test_optional_refs_are_skipped() -> None:
    env = resolve(
        {
            "env": [
                {
                    "name": "X",
                    "valueFrom": {"configMapKeyRef": {"name": "nope", "key": "k", "optional": True}},
                }
            ]
        }
    )
    assert "X" not in env


def test_command_expansion() -> None:
    c = expand_command(
        {"name": "c", "command": ["echo", "$(A)"], "args": ["$(B)", "$$(A)"]}, {"A": "x", "B": "y"}
    )
    assert (c["command"], c["args"]) == (["echo", "x"], ["y", "$(A)"])
    assert expand("$(A", {"A": "x"}) == "$(A"
