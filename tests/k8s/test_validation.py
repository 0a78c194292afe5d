"""validate(): Kubernetes' rules, paths and wording; invalid_message as the apiserver prints it."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from podlab.k8s import apply_defaults, invalid_message, invalid_status, load_manifests, validate

# The project keeps the reference manifests exactly as the post gives them.
SEED_DIR = Path(__file__).resolve().parents[2] / "examples" / "seed"


def _deployment() -> dict[str, Any]:
    return apply_defaults(load_manifests((SEED_DIR / "deployment.wiremock.yaml").read_text(), "f")[0])


def _container(d: dict[str, Any]) -> dict[str, Any]:
    return d["spec"]["template"]["spec"]["containers"][0]


def _texts(obj: dict[str, Any], old: dict[str, Any] | None = None) -> list[str]:
    return [str(e) for e in validate(obj, old)]


def test_reference_manifests_are_valid() -> None:
    for obj in load_manifests((SEED_DIR / "wiremock-liveness.yaml").read_text(), "f"):
        assert validate(apply_defaults(obj)) == []


def test_liveness_success_threshold_message_exact() -> None:
    d = _deployment()
    _container(d)["livenessProbe"]["successThreshold"] = 2
    errs = validate(d)
    assert [str(e) for e in errs] == [
        "spec.template.spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1"
    ]
    assert invalid_message(d, errs) == (
        'Deployment.apps "wiremock" is invalid: '
        "spec.template.spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1"
    )
    status = invalid_status(d, errs)
    assert status["code"] == 422 and status["reason"] == "Invalid"
    assert status["details"]["causes"] == [
        {
            "reason": "FieldValueInvalid",
            "message": "Invalid value: 2: must be 1",
            "field": "spec.template.spec.containers[0].livenessProbe.successThreshold",
        }
    ]


def test_several_errors_are_bracketed_and_pod_kind_has_no_group() -> None:
    pod = apply_defaults(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "liveness-exec"},
            "spec": {
                "containers": [
                    {
                        "name": "c",
                        "image": "",
                        "startupProbe": {"exec": {"command": ["x"]}, "successThreshold": 3},
                    }
                ]
            },
        }
    )
    errs = validate(pod)
    assert invalid_message(pod, errs) == (
        'Pod "liveness-exec" is invalid: [spec.containers[0].image: Required value, '
        "spec.containers[0].startupProbe.successThreshold: Invalid value: 3: must be 1]"
    )


@pytest.mark.parametrize(
    ("probe", "expected"),
    [
        ({}, ["livenessProbe: Required value: must specify a handler type"]),
        (
            {"exec": {"command": ["true"]}, "tcpSocket": {"port": 80}},
            ["livenessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type"],
        ),
        ({"exec": {"command": []}}, ["livenessProbe.exec.command: Required value"]),
        (
            {"tcpSocket": {"port": 70000}},
            ["livenessProbe.tcpSocket.port: Invalid value: 70000: must be between 1 and 65535, inclusive"],
        ),
        (
            {"httpGet": {"port": "Http_Port", "path": "/"}},
            [
                'livenessProbe.httpGet.port: Invalid value: "Http_Port": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
            ],
        ),
        (
            {"httpGet": {"port": 80, "path": "/", "scheme": "FTP"}},
            ['livenessProbe.httpGet.scheme: Unsupported value: "FTP": supported values: "HTTP", "HTTPS"'],
        ),
        (
            {"grpc": {"port": 0}},
            ["livenessProbe.grpc.port: Invalid value: 0: must be between 1 and 65535, inclusive"],
        ),
        (
            {"exec": {"command": ["x"]}, "initialDelaySeconds": -1},
            ["livenessProbe.initialDelaySeconds: Invalid value: -1: must be greater than or equal to 0"],
        ),
        (
            {"exec": {"command": ["x"]}, "terminationGracePeriodSeconds": 0},
            ["livenessProbe.terminationGracePeriodSeconds: Invalid value: 0: must be greater than 0"],
        ),
    ],
)
def test_probe_rules(probe: dict[str, Any], expected: list[str]) -> None:
    pod = apply_defaults(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "c", "image": "i", "livenessProbe": probe}]},
        }
    )
    assert _texts(pod) == ["spec.containers[0]." + e for e in expected]


def test_named_port_that_does_not_exist_is_not_an_error() -> None:
    pod = apply_defaults(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "p"},
            "spec": {
                "containers": [
                    {"name": "c", "image": "i", "readinessProbe": {"httpGet": {"port": "liveness-port"}}}
                ]
            },
        }
    )
    assert validate(pod) == []


def test_readiness_probe_grace_period_forbidden() -> None:
    pod = apply_defaults(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "p"},
            "spec": {
                "containers": [
                    {
                        "name": "c",
                        "image": "i",
                        "readinessProbe": {
                            "tcpSocket": {"port": 1},
                            "terminationGracePeriodSeconds": 5,
                            "successThreshold": 3,
                        },
                    }
                ]
            },
        }
    )
    assert _texts(pod) == [
        "spec.containers[0].readinessProbe.terminationGracePeriodSeconds: Invalid value: 5: must not be set for readinessProbes"
    ]


def test_pod_spec_rules() -> None:
    pod = apply_defaults(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "Bad_Name"},
            "spec": {
                "restartPolicy": "Sometimes",
                "volumes": [
                    {"name": "v", "configMap": {"name": "cm", "defaultMode": 1000}},
                    {"name": "v", "emptyDir": {}, "secret": {"secretName": "s"}},
                ],
                "containers": [
                    {
                        "name": "a",
                        "image": "i",
                        "ports": [
                            {"containerPort": 0},
                            {"containerPort": 80, "name": "web", "protocol": "HTTP"},
                        ],
                        "volumeMounts": [{"name": "nope", "mountPath": "/m"}],
                    },
                    {"name": "a", "image": "i"},
                ],
                "initContainers": [
                    {"name": "init", "image": "i", "livenessProbe": {"exec": {"command": ["x"]}}}
                ],
            },
        }
    )
    texts = _texts(pod)
    assert texts[0].startswith(
        'metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of'
    )
    assert (
        "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
        in texts[0]
    )
    assert texts[1:] == [
        "spec.volumes[0].configMap.defaultMode: Invalid value: 1000: must be a number between 0 and 0777 (octal), both inclusive",
        'spec.volumes[1].name: Duplicate value: "v"',
        "spec.volumes[1].secret: Forbidden: may not specify more than 1 volume type",
        "spec.containers[0].ports[0].containerPort: Required value",
        'spec.containers[0].ports[1].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
        'spec.containers[0].volumeMounts[0].name: Not found: "nope"',
        'spec.containers[1].name: Duplicate value: "a"',
        "spec.initContainers[0].livenessProbe: Forbidden: may not be set for init containers without restartPolicy=Always",
        'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    ]


def test_deployment_selector_and_template_rules() -> None:
    d = _deployment()
    d["spec"]["selector"] = {"matchLabels": {"app": "other"}}
    assert _texts(d) == [
        'spec.template.metadata.labels: Invalid value: map[string]string{"app":"wiremock"}: `selector` does not match template `labels`'
    ]
    d = _deployment()
    d["spec"]["selector"] = {}
    assert _texts(d) == [
        "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), "
        "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment"
    ]
    d = _deployment()
    del d["spec"]["selector"]
    assert _texts(d) == ["spec.selector: Required value"]
    d = _deployment()
    d["spec"]["template"]["spec"]["restartPolicy"] = "Never"
    assert _texts(d) == [
        'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'
    ]
    d = _deployment()
    d["spec"]["replicas"] = -1
    assert _texts(d) == ["spec.replicas: Invalid value: -1: must be greater than or equal to 0"]


def test_deployment_strategy_rules() -> None:
    d = _deployment()
    d["spec"]["strategy"] = {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxUnavailable": 0, "maxSurge": "0%"},
    }
    assert _texts(d) == [
        "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0"
    ]
    d["spec"]["strategy"] = {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxUnavailable": "150%", "maxSurge": "abc"},
    }
    texts = _texts(d)
    assert texts[0].startswith(
        'spec.strategy.rollingUpdate.maxSurge: Invalid value: "abc": a valid percent string must be'
    )
    assert (
        texts[1]
        == "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 150%: must not be greater than 100%"
    )
    d["spec"]["strategy"] = {"type": "Recreate", "rollingUpdate": {}}
    assert _texts(d) == [
        "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"
    ]
    d["spec"]["strategy"] = {"type": "BlueGreen"}
    assert _texts(d) == [
        'spec.strategy.type: Unsupported value: "BlueGreen": supported values: "Recreate", "RollingUpdate"'
    ]
    d = _deployment()
    d["spec"]["minReadySeconds"] = 600
    assert _texts(d) == [
        "spec.progressDeadlineSeconds: Invalid value: 600: must be greater than minReadySeconds"
    ]


def test_deployment_selector_is_immutable() -> None:
    old = _deployment()
    new = copy.deepcopy(old)
    new["spec"]["selector"] = {"matchLabels": {"app": "wiremock", "tier": "x"}}
    new["spec"]["template"]["metadata"]["labels"]["tier"] = "x"
    assert _texts(new, old) == [
        'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"wiremock", "tier":"x"}, '
        "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"
    ]


def test_immutable_configmap() -> None:
    old: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "c"},
        "immutable": True,
        "data": {"a": "1"},
    }
    assert validate(old) == []
    new = copy.deepcopy(old)
    new["data"]["a"] = "2"
    assert _texts(new, old) == ["data: Forbidden: field is immutable when `immutable` is set"]
    new = copy.deepcopy(old)
    new["immutable"] = False
    assert _texts(new, old) == ["immutable: Forbidden: field is immutable when `immutable` is set"]
    same = copy.deepcopy(old)
    same["metadata"]["labels"] = {"x": "y"}
    assert validate(same, old) == []


def test_configmap_keys() -> None:
    cm = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "c"},
        "data": {"bad key": "1", "ok": "x"},
        "binaryData": {"ok": "eA=="},
    }
    texts = _texts(cm)
    assert texts[0].startswith(
        "data[bad key]: Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"
    )
    assert texts[1] == 'data[ok]: Invalid value: "ok": duplicate of key present in binaryData'


def test_pod_update_may_change_only_images() -> None:
    old = apply_defaults(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "c", "image": "a:1"}]},
        }
    )
    new = copy.deepcopy(old)
    new["spec"]["containers"][0]["image"] = "a:2"
    assert validate(new, old) == []
    new["spec"]["containers"][0]["args"] = ["x"]
    texts = _texts(new, old)
    assert texts == [
        "spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,"
        "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing "
        "tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"
    ]


def test_names_and_labels() -> None:
    ns = apply_defaults({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a.b"}})
    assert _texts(ns)[0].startswith(
        'metadata.name: Invalid value: "a.b": a lowercase RFC 1123 label must consist of'
    )
    cm = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"generateName": "x-", "labels": {"app": "bad value!"}},
    }
    texts = _texts(cm)
    assert texts == [
        'metadata.labels: Invalid value: "bad value!": a valid label must be an empty string or consist of alphanumeric '
        "characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
        "'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
    ]
    assert _texts({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}}) == [
        "metadata.name: Required value: name or generateName is required"
    ]


def test_template_without_labels_prints_a_nil_map() -> None:
    d = _deployment()
    del d["spec"]["template"]["metadata"]["labels"]
    assert _texts(d) == [
        "spec.template.metadata.labels: Invalid value: map[string]string(nil): `selector` does not match template `labels`"
    ]


def test_resource_quantities() -> None:
    def pod(resources: dict[str, Any]) -> dict[str, Any]:
        return apply_defaults(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "p"},
                "spec": {"containers": [{"name": "c", "image": "i", "resources": resources}]},
            }
        )

    assert validate(pod({"limits": {"cpu": "500m", "memory": "128Mi"}, "requests": {"cpu": 0.25}})) == []
    assert _texts(pod({"limits": {"memory": "1GB"}})) == [
        'spec.containers[0].resources.limits[memory]: Invalid value: "1GB": quantities must match the regular '
        "expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
    ]
    assert _texts(pod({"limits": {"cpu": "1"}, "requests": {"cpu": "1500m"}})) == [
        'spec.containers[0].resources.requests: Invalid value: "1500m": must be less than or equal to cpu limit of 1'
    ]
    assert _texts(pod({"limits": {"example.com/gpu": "2"}, "requests": {"example.com/gpu": "1"}})) == [
        'spec.containers[0].resources.requests: Invalid value: "1": must be equal to example.com/gpu limit of 2'
    ]
    assert _texts(pod({"requests": {"memory": "-1Mi"}})) == [
        'spec.containers[0].resources.requests[memory]: Invalid value: "-1Mi": must be greater than or equal to 0'
    ]


def test_quoted_port_number_is_a_bad_port_name_as_in_kubernetes() -> None:
    d = _deployment()
    _container(d)["livenessProbe"]["httpGet"]["port"] = "8080"
    assert _texts(d) == [
        'spec.template.spec.containers[0].livenessProbe.httpGet.port: Invalid value: "8080": '
        "must contain at least one letter (a-z)"
    ]
