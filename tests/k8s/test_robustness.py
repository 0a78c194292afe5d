"""Bad input never crashes defaulting, validation or strict fields (nor printing of what passes):
every field of the reference manifests is replaced in turn by values of every JSON type."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from podlab.k8s import (
    PatchError,
    apply_defaults,
    load_manifests,
    strategic_merge_patch,
    to_table,
    unknown_fields,
    validate,
)

# The project keeps the reference manifests exactly as the post gives them.
SEED_DIR = Path(__file__).resolve().parents[2] / "examples" / "seed"

WRONG: list[Any] = [None, 0, -1, 70000, "x", True, 1.5, [], [1], {}, {"a": 1}, [{"a": 1}]]


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield (*prefix, k)
            yield from _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield (*prefix, i)
            yield from _paths(v, (*prefix, i))


def _replaced(obj: Any, path: tuple[Any, ...], value: Any) -> Any:
    out = copy.deepcopy(obj)
    target = out
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return out


def _objects() -> list[dict[str, Any]]:
    objs = load_manifests((SEED_DIR / "wiremock-liveness.yaml").read_text(), "f")
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "labels": {"a": "b"}},
        "spec": {
            "containers": [
                {
                    "name": "c",
                    "image": "i",
                    "ports": [{"containerPort": 80, "name": "http"}],
                    "env": [{"name": "A", "valueFrom": {"configMapKeyRef": {"name": "m", "key": "k"}}}],
                    "readinessProbe": {"tcpSocket": {"port": "http"}},
                    "lifecycle": {"preStop": {"sleep": {"seconds": 1}}},
                    "resources": {"limits": {"cpu": "1", "memory": "64Mi"}, "requests": {"cpu": "500m"}},
                }
            ],
            "initContainers": [{"name": "i", "image": "i", "restartPolicy": "Always"}],
        },
        "status": {
            "phase": "Running",
            "containerStatuses": [{"name": "c", "restartCount": 1, "state": {"running": {}}}],
        },
    }
    return [*objs, pod]


@pytest.mark.parametrize("index", range(3))
def test_no_field_value_crashes_the_pipeline(index: int) -> None:
    base = _objects()[index]
    now = datetime(2026, 11, 28, tzinfo=UTC)
    for path in list(_paths(base)):
        if path[0] in ("apiVersion", "kind"):
            continue
        for wrong in WRONG:
            obj = _replaced(base, path, wrong)
            unknown_fields(obj)
            defaulted = apply_defaults(obj)
            errors = validate(defaulted)
            validate(defaulted, apply_defaults(base))
            for err in errors:
                str(err)
            if not errors:  # only valid objects are ever stored and printed
                to_table(obj["kind"], [defaulted], now)


def test_wrong_types_are_named_with_their_path() -> None:
    d = _objects()[1]
    d["spec"]["replicas"] = "2"
    d["metadata"]["labels"]["version"] = 1.0
    d["spec"]["template"]["spec"]["containers"][0]["env"] = [{"name": "PORT", "value": 8080}]
    d["spec"]["template"]["spec"]["volumes"] = {"name": "x"}
    texts = [str(e) for e in validate(apply_defaults(d))]
    assert texts == [
        "metadata.labels[version]: Invalid value: 1.0: must be a string (quote it in YAML)",
        'spec.replicas: Invalid value: "2": must be an integer',
        "spec.template.spec.containers[0].env[0].value: Invalid value: 8080: must be a string (quote it in YAML)",
        'spec.template.spec.volumes: Invalid value: map[string]string{"name":"x"}: must be a list',
    ]
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"PORT": 8080}}
    assert [str(e) for e in validate(cm)] == [
        "data[PORT]: Invalid value: 8080: must be a string (quote it in YAML)"
    ]


def _nested(path: tuple[Any, ...], value: Any) -> Any:
    """A patch that puts value at path (list indexes become one-element lists)."""
    for step in reversed(path):
        value = [value] if isinstance(step, int) else {step: value}
    return value


def test_strategic_merge_patch_rejects_or_applies_but_never_crashes() -> None:
    live = apply_defaults(_objects()[1])
    patches = 0
    for path in list(_paths(live)):
        for wrong in [
            *WRONG,
            {"$patch": "delete"},
            {"$patch": "bogus"},
            {"$retainKeys": 5},
            {"$setElementOrder/x": 3},
        ]:
            patch = _nested(path, wrong)
            if not isinstance(patch, dict):
                continue
            try:
                strategic_merge_patch(live, patch, "Deployment")
            except PatchError:
                pass
            patches += 1
    assert patches > 500
