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
    with pytest.raises(ProtobufError, match="not Job"):
        decode(envelope("batch/v1", "Job", b""))
    with pytest.raises(ProtobufError, match="magic"):
        decode(b"{}")
    with pytest.raises(ProtobufError, match="truncated"):
        decode(MAGIC + b"\x0a\x10ab")
