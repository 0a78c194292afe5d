"""Protobuf request decoding, sans-IO (real kubectl bodies are covered in test_kubectl.py)."""

from __future__ import annotations

import pytest

from podlab.apiserver.protobuf import MAGIC, ProtobufError, decode


def varint(n: int) -> bytes:
    out = b""
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out += bytes([byte | 0x80])
        else:
            return out + bytes([byte])


def field(number: int, value: bytes | int) -> bytes:
    if isinstance(value, int):
        return varint(number << 3) + varint(value)
    return varint(number << 3 | 2) + varint(len(value)) + value


def envelope(api_version: str, kind: str, raw: bytes) -> bytes:
    type_meta = field(1, api_version.encode()) + field(2, kind.encode())
    return MAGIC + field(1, type_meta) + field(2, raw)


def test_configmap_with_zero_valued_unknown_fields_decodes() -> None:
    meta = field(1, b"cfg") + field(2, b"") + field(7, 0) + field(99, b"")  # 99: unknown but empty
    entry = field(1, b"k") + field(2, b"v")
    body = envelope("v1", "ConfigMap", field(1, meta) + field(2, entry))
    assert decode(body) == {
        "kind": "ConfigMap",
        "apiVersion": "v1",
        "metadata": {"name": "cfg"},
        "data": {"k": "v"},
    }


def test_unknown_field_with_a_value_is_refused_by_name() -> None:
    body = envelope("v1", "ConfigMap", field(1, field(1, b"cfg")) + field(42, b"surprise"))
    with pytest.raises(ProtobufError, match="field ConfigMap#42 of ConfigMap is not supported"):
        decode(body)


def test_other_kinds_and_bad_envelopes_are_refused() -> None:
    with pytest.raises(ProtobufError, match="not PodTemplate"):
        decode(envelope("v1", "PodTemplate", b""))
    with pytest.raises(ProtobufError, match="magic"):
        decode(b"{}")
    with pytest.raises(ProtobufError, match="truncated"):
        decode(MAGIC + b"\x0a\x10ab")


def test_a_whole_pod_spec_decodes_as_kubectl_debug_copy_to_sends_it() -> None:
    """`kubectl debug --copy-to` POSTs a copy of a live pod: every spec field the server filled
    in, plus a debug container with securityContext (SYS_PTRACE) and shareProcessNamespace."""
    caps = field(1, field(1, b"SYS_PTRACE"))  # SecurityContext.capabilities.add
    debug = field(1, b"dbg") + field(2, b"busybox") + field(15, caps) + field(16, 0)
    probe = field(1, field(1, field(1, b"true"))) + field(4, 1)  # exec.command, periodSeconds
    app = field(1, b"app") + field(2, b"busybox") + field(10, probe)
    toleration = field(1, b"node.kubernetes.io/not-ready") + field(2, b"Exists") + field(5, 300)
    volume = field(1, b"data") + field(2, field(2, field(1, b"") + field(2, field(1, b"64Mi"))))  # emptyDir
    spec = field(1, volume) + field(2, app) + field(2, debug) + field(14, b"") + field(22, toleration)
    spec += (
        field(25, 0) + field(27, 1) + field(30, 1)
    )  # priority 0, shareProcessNamespace, enableServiceLinks
    body = envelope("v1", "Pod", field(1, field(1, b"copy")) + field(2, spec))
    pod = decode(body)
    assert pod["spec"]["containers"][1] == {
        "name": "dbg",
        "image": "busybox",
        "securityContext": {"capabilities": {"add": ["SYS_PTRACE"]}},
    }
    assert pod["spec"]["containers"][0]["livenessProbe"] == {
        "exec": {"command": ["true"]},
        "periodSeconds": 1,
    }
    assert pod["spec"]["volumes"] == [{"name": "data", "emptyDir": {"sizeLimit": "64Mi"}}]
    assert pod["spec"]["tolerations"][0]["tolerationSeconds"] == 300
    assert (
        pod["spec"]["priority"],
        pod["spec"]["shareProcessNamespace"],
        pod["spec"]["enableServiceLinks"],
    ) == (
        0,
        True,
        True,
    )
    assert pod["spec"]["securityContext"] == {}


def test_an_ephemeral_containers_common_fields_are_inline() -> None:
    common = field(1, b"debugger-abcde") + field(2, b"busybox") + field(18, 1)
    ephemeral = field(1, common) + field(2, b"app")
    pod = decode(envelope("v1", "Pod", field(1, field(1, b"p")) + field(2, field(34, ephemeral))))
    assert pod["spec"]["ephemeralContainers"] == [
        {"name": "debugger-abcde", "image": "busybox", "tty": True, "targetContainerName": "app"}
    ]


def test_a_cronjob_as_kubectl_create_cronjob_sends_it() -> None:
    container = field(1, b"c") + field(2, b"busybox")
    pod_spec = field(2, container) + field(3, b"OnFailure")
    job_spec = field(6, field(2, pod_spec))
    spec = (
        field(1, b"*/5 * * * *")
        + field(3, b"Allow")
        + field(4, 0)  # suspend: false, a pointer: kept
        + field(5, field(1, field(1, b"")) + field(2, job_spec))
        + field(8, b"Europe/Berlin")
    )
    body = envelope("batch/v1", "CronJob", field(1, field(1, b"hello")) + field(2, spec))
    assert decode(body) == {
        "kind": "CronJob",
        "apiVersion": "batch/v1",
        "metadata": {"name": "hello"},
        "spec": {
            "schedule": "*/5 * * * *",
            "concurrencyPolicy": "Allow",
            "suspend": False,
            "jobTemplate": {
                "metadata": {},
                "spec": {
                    "template": {
                        "spec": {
                            "containers": [{"name": "c", "image": "busybox"}],
                            "restartPolicy": "OnFailure",
                        }
                    }
                },
            },
            "timeZone": "Europe/Berlin",
        },
    }
