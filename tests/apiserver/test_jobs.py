"""batch/v1 Jobs at the API: defaults, the generated selector, and the Invalid Statuses of
pkg/apis/batch/validation/validation.go (no controllers run here)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client
from kubernetes.client.rest import ApiException

from .conftest import Clients, Node


def job_body(name: str, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name},
        "spec": {
            **spec,
            "template": {
                "spec": {
                    "restartPolicy": "Never",
                    "containers": [{"name": "w", "image": "busybox", "command": ["true"]}],
                }
            },
        },
    }


def invalid(batch: Any, body: dict[str, Any]) -> dict[str, Any]:
    with pytest.raises(ApiException) as info:
        batch.create_namespaced_job("default", body)
    assert info.value.status == 422
    status: dict[str, Any] = json.loads(info.value.body)
    assert status["reason"] == "Invalid" and (status["details"]["kind"], status["details"]["group"]) == (
        "Job",
        "batch",
    )
    return status


def test_job_defaults_and_generated_selector(node: Node, clients: Clients) -> None:
    batch = client.BatchV1Api(clients.api)
    made = batch.create_namespaced_job("default", job_body("pi"))
    uid = made.metadata.uid
    assert (made.spec.completions, made.spec.parallelism, made.spec.backoff_limit) == (1, 1, 6)
    assert (made.spec.completion_mode, made.spec.suspend) == ("NonIndexed", False)
    assert made.spec.pod_replacement_policy == "TerminatingOrFailed"
    assert made.spec.selector.match_labels == {"batch.kubernetes.io/controller-uid": uid}
    assert made.spec.template.metadata.labels == {
        "batch.kubernetes.io/controller-uid": uid,
        "batch.kubernetes.io/job-name": "pi",
        "controller-uid": uid,
        "job-name": "pi",
    }
    resources = node.kubectl("api-resources", "--no-headers").stdout.splitlines()
    assert ["jobs", "batch/v1", "true", "Job"] in [line.split() for line in resources]
    # `kubectl create job` sends protobuf.
    node.kubectl("create", "job", "hello", "--image=busybox", "--", "echo", "hi")
    hello = batch.read_namespaced_job("hello", "default")
    assert hello.spec.template.spec.containers[0].command == ["echo", "hi"]
    assert hello.spec.template.spec.restart_policy == "Never"
    out = node.kubectl("get", "jobs", "pi").stdout.splitlines()
    assert out[0].split() == ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"]
    assert out[1].split()[:3] == ["pi", "Running", "0/1"]


def test_job_validation_words_as_the_api_server(node: Node, clients: Clients) -> None:
    batch = client.BatchV1Api(clients.api)
    status = invalid(batch, job_body("neg", completions=-1, parallelism=-2))
    assert status["message"] == (
        'Job.batch "neg" is invalid: ['
        "spec.parallelism: Invalid value: -2: must be greater than or equal to 0, "
        "spec.completions: Invalid value: -1: must be greater than or equal to 0]"
    )
    assert [c["field"] for c in status["details"]["causes"]] == ["spec.parallelism", "spec.completions"]

    always = job_body("always")
    always["spec"]["template"]["spec"]["restartPolicy"] = "Always"
    status = invalid(batch, always)
    assert status["message"] == (
        'Job.batch "always" is invalid: spec.template.spec.restartPolicy: '
        'Required value: valid values: "OnFailure", "Never"'
    )

    # A selector of the user's own without manualSelector: true matches no generated labels.
    mine = job_body("mine", selector={"matchLabels": {"app": "other"}})
    mine["spec"]["template"]["metadata"] = {"labels": {"app": "x"}}
    status = invalid(batch, mine)
    causes = [(c["field"], c["message"].rsplit(": ", 1)[-1]) for c in status["details"]["causes"]]
    assert causes == [
        ("spec.selector", "`selector` not auto-generated"),
        ("spec.template.metadata.labels", "`selector` does not match template `labels`"),
    ]
    assert status["message"].startswith('Job.batch "mine" is invalid: [spec.selector: Invalid value: v1.')

    policy = job_body(
        "pfp",
        podFailurePolicy={"rules": [{"action": "Explode", "onExitCodes": {"operator": "In", "values": [1]}}]},
    )
    policy["spec"]["template"]["spec"]["restartPolicy"] = "OnFailure"
    status = invalid(batch, policy)
    assert [(c["field"], c["message"]) for c in status["details"]["causes"]] == [
        (
            "spec.podFailurePolicy.rules[0].action",
            'Unsupported value: "Explode": supported values: "Count", "FailIndex", "FailJob", "Ignore"',
        ),
        (
            "spec.template.spec.restartPolicy",
            'Invalid value: "OnFailure": only "Never" is supported when podFailurePolicy is specified',
        ),
    ]

    indexed = job_body("idx", completionMode="Indexed", parallelism=2)  # completions stays unset
    status = invalid(batch, indexed)
    assert status["message"] == (
        'Job.batch "idx" is invalid: spec.completions: Required value: when completion mode is Indexed'
    )


def test_job_template_and_selector_are_immutable(node: Node, clients: Clients) -> None:
    batch = client.BatchV1Api(clients.api)
    made = batch.create_namespaced_job("default", job_body("imm"))
    changed = copy.deepcopy(made)
    changed.spec.template.spec.containers[0].image = "busybox:1.36"
    with pytest.raises(ApiException) as info:
        batch.replace_namespaced_job("imm", "default", changed)
    status = json.loads(info.value.body)
    assert status["reason"] == "Invalid"
    assert [(c["field"], c["message"]) for c in status["details"]["causes"]] == [
        ("spec.template", "Invalid value: field is immutable")
    ]
    result = node.kubectl("patch", "job", "imm", "-p", '{"spec":{"completions":3}}', check=False)
    assert result.returncode != 0
    assert 'The Job "imm" is invalid: spec.completions: Invalid value: 3: field is immutable' in result.stderr


def test_podlab_apply_checks_a_job_as_the_api_server_will(tmp_path: Path) -> None:
    """The CLI validates every document before sending any: a Job needs its generated selector
    (made at create) for that, or it would be refused for want of a uid."""
    from podlab.cli.manifests import ManifestsInvalid, read_manifests

    good = tmp_path / "job.yaml"
    good.write_text(json.dumps(job_body("cli")))
    assert [m.obj["kind"] for m in read_manifests([str(good)])] == ["Job"]
    bad = tmp_path / "bad.yaml"
    bad.write_text(json.dumps(job_body("bad", completions=-1)))
    with pytest.raises(ManifestsInvalid, match=r"spec.completions: Invalid value: -1"):
        read_manifests([str(bad)])
