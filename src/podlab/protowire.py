"""The protobuf wire format by hand: varints and length-delimited fields, read and written.

Two readers need only this much: the API server's decoder for what `kubectl create` sends
(`apiserver/protobuf.py`) and the gRPC probe's `grpc.health.v1` messages (`probes/grpc_wire.py`).
A protobuf runtime would add a dependency for a few dozen lines, and the generated health
messages ship with grpcio, which the node process must not load (see `probes/grpc.py`).
"""

from __future__ import annotations

import struct
from typing import Any


class ProtobufError(ValueError):
    """The body is not protobuf we can read; the message says what."""


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(buf):
            raise ProtobufError("truncated varint")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def fields(buf: bytes) -> list[tuple[int, int, Any]]:
    """(field number, wire type, value) in order; value is int for varints, bytes otherwise."""
    out: list[tuple[int, int, Any]] = []
    pos = 0
    value: Any
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(buf, pos)
        elif wire == 2:
            length, pos = _varint(buf, pos)
            value = buf[pos : pos + length]
            if len(value) != length:
                raise ProtobufError("truncated field")
            pos += length
        elif wire == 1:
            value = struct.unpack_from("<q", buf, pos)[0]
            pos += 8
        elif wire == 5:
            value = struct.unpack_from("<i", buf, pos)[0]
            pos += 4
        else:
            raise ProtobufError(f"unsupported wire type {wire}")
        out.append((number, wire, value))
    return out


def varint(value: int) -> bytes:
    """A non-negative int as a base-128 varint, low group first."""
    out = bytearray()
    while True:
        low, value = value & 0x7F, value >> 7
        if not value:
            out.append(low)
            return bytes(out)
        out.append(low | 0x80)


def string_field(number: int, text: str) -> bytes:
    """A length-delimited field; proto3 leaves a field at its zero value ("") off the wire."""
    if not text:
        return b""
    data = text.encode()
    return varint(number << 3 | 2) + varint(len(data)) + data
