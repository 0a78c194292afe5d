"""The `response` part of a stub: validated as WireMock binds it, kept as the raw dict it was."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from podlab.stub.jvm.errors import InvalidInputError
from podlab.stub.jvm.jsonfmt import integral_floats_as_ints
from podlab.stub.model.binding import (
    PKG,
    bind_bool,
    bind_int,
    bind_list,
    bind_object,
    bind_string,
    check_fields,
    fail,
    present,
)

FAULTS = ("CONNECTION_RESET_BY_PEER", "EMPTY_RESPONSE", "RANDOM_DATA_THEN_CLOSE", "MALFORMED_RESPONSE_CHUNK")
_RESPONSE_CLASS = f"{PKG}.http.ResponseDefinition"

_RESPONSE_FIELDS = (
    "status", "statusMessage", "body", "jsonBody", "base64Body", "bodyFileName", "headers",
    "additionalProxyRequestHeaders", "removeProxyRequestHeaders", "fixedDelayMilliseconds",
    "delayDistribution", "chunkedDribbleDelay", "proxyBaseUrl", "proxyUrlPrefixToRemove", "fault",
    "transformers", "transformerParameters", "fromConfiguredStub",
)  # fmt: skip

_DISTRIBUTIONS: dict[str, tuple[str, dict[str, Callable[[Any, str], Any]]]] = {
    "lognormal": ("LogNormal", {"median": lambda v, p: _bind_double(v, p), "sigma": lambda v, p: _bind_double(v, p),
                                "maxValue": lambda v, p: _bind_double(v, p)}),
    "uniform": ("UniformDistribution", {"lower": bind_int, "upper": bind_int}),
    "fixed": ("FixedDelayDistribution", {"milliseconds": bind_int}),
}  # fmt: skip


def _bind_double(value: Any, pointer: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise fail(pointer, "Cannot deserialize value of type `double` from non-numeric value")
    try:
        return float(value)
    except ValueError:
        raise fail(
            pointer,
            f'Cannot deserialize value of type `double` from String "{value}": '
            "not a valid `double` value (as String to convert)",
        ) from None


def _headers_json(value: Any, pointer: str) -> dict[str, str | list[str]]:
    """Response headers: name -> string or list; a one-element list prints as a string."""
    raw = bind_object(value, pointer, f"{PKG}.http.HttpHeaders")
    out: dict[str, str | list[str]] = {}
    for name, item in raw.items():
        if isinstance(item, list):
            if not item:
                raise fail(pointer, f"No value for {name}")
            values = [_header_value(v, name, pointer, in_list=True) for v in item]
            out[name] = values[0] if len(values) == 1 else values
        else:
            out[name] = _header_value(item, name, pointer)
    return out


_BASE64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def java_base64_decode(text: str) -> bytes:
    """java.util.Base64's basic decoder: padding optional, no whitespace, and its messages
    (the 422 detail WireMock shows). Python's decoder accepts and refuses different inputs."""
    if not text:
        return b""
    if len(text) < 2:
        raise ValueError("Input byte[] should at least have 2 bytes for base64 bytes")
    out = bytearray()
    bits, shift, index = 0, 18, 0
    while index < len(text):
        char = text[index]
        index += 1
        if char == "=":
            if shift == 18 or (shift == 6 and (index == len(text) or text[index] != "=")):
                raise ValueError("Input byte array has wrong 4-byte ending unit")
            if shift == 6:
                index += 1
            break
        value = _BASE64_ALPHABET.find(char)
        if value < 0:
            raise ValueError(f"Illegal base64 character {ord(char):x}")
        bits |= value << shift
        shift -= 6
        if shift < 0:
            out += bytes(((bits >> 16) & 0xFF, (bits >> 8) & 0xFF, bits & 0xFF))
            bits, shift = 0, 18
    if shift == 6:
        out.append((bits >> 16) & 0xFF)
    elif shift == 0:
        out += bytes(((bits >> 16) & 0xFF, (bits >> 8) & 0xFF))
    elif shift == 12:
        raise ValueError("Last unit does not have enough valid bits")
    if index < len(text):
        raise ValueError(f"Input byte array has incorrect ending byte at {index}")
    return bytes(out)


def _header_value(value: Any, name: str, pointer: str, in_list: bool = False) -> str:
    if isinstance(value, str):
        return value
    # WireMock reads header values as text nodes only: anything else becomes null, which its
    # header map refuses (with no message at all inside a list).
    if in_list:
        raise InvalidInputError([{"code": 10, "source": {"pointer": pointer}, "title": "Error parsing JSON"}])
    raise fail(pointer, f"null value in entry: {name}=null")


@dataclass
class ResponseDefinition:
    """What a matched stub answers. `raw` is the normalised JSON (as WireMock prints it)."""

    raw: dict[str, Any] = field(default_factory=lambda: {"status": 200})

    @classmethod
    def from_json(cls, obj: Any, pointer: str = "/response", *, compat: int = 3) -> ResponseDefinition:
        if obj is None:
            return cls()
        obj = bind_object(obj, pointer, _RESPONSE_CLASS)
        # 2.35.1 has no removeProxyRequestHeaders (measured: "Unrecognized field").
        allowed = (
            _RESPONSE_FIELDS
            if compat == 3
            else tuple(f for f in _RESPONSE_FIELDS if f != "removeProxyRequestHeaders")
        )
        check_fields(obj, pointer, allowed, _RESPONSE_CLASS)

        def here(key: str) -> str:
            return f"{pointer}/{key}"

        status = bind_int(obj["status"], here("status"), "int") if present(obj, "status") else 200
        # WireMock's ResponseDefinition keeps a status only when it is positive: 0 or -5 is 200.
        out: dict[str, Any] = {"status": status if status > 0 else 200}
        if present(obj, "statusMessage"):
            out["statusMessage"] = bind_string(obj["statusMessage"], here("statusMessage"))
        # One body only, in WireMock's precedence: body, jsonBody, base64Body.
        if present(obj, "body"):
            out["body"] = bind_string(obj["body"], here("body"))
        elif present(obj, "jsonBody"):
            # 2.35.1 keeps a number such as 2.0 as 2: the stub JSON it echoes, lists and shows
            # in near misses prints `2` (seen on the jar), as its served body does
            out["jsonBody"] = integral_floats_as_ints(obj["jsonBody"]) if compat == 2 else obj["jsonBody"]
        elif present(obj, "base64Body"):
            text = bind_string(obj["base64Body"], here("base64Body"))
            try:
                decoded = java_base64_decode(text)
            except ValueError as error:
                raise fail(pointer, str(error)) from None
            # WireMock keeps the bytes and prints them re-encoded ("YR" comes back as "YQ==").
            out["base64Body"] = base64.b64encode(decoded).decode("ascii")
        if present(obj, "bodyFileName"):
            out["bodyFileName"] = bind_string(obj["bodyFileName"], here("bodyFileName"))
        if present(obj, "headers"):
            out["headers"] = _headers_json(obj["headers"], here("headers"))
        if present(obj, "additionalProxyRequestHeaders"):
            out["additionalProxyRequestHeaders"] = _headers_json(
                obj["additionalProxyRequestHeaders"], here("additionalProxyRequestHeaders")
            )
        if present(obj, "removeProxyRequestHeaders"):
            key = "removeProxyRequestHeaders"
            items = bind_list(obj[key], here(key), "java.util.ArrayList<java.lang.String>")
            out[key] = [bind_string(v, f"{here(key)}/{i}") for i, v in enumerate(items)]
        if present(obj, "fixedDelayMilliseconds"):
            out["fixedDelayMilliseconds"] = bind_int(
                obj["fixedDelayMilliseconds"], here("fixedDelayMilliseconds")
            )
        if present(obj, "delayDistribution"):
            out["delayDistribution"] = _delay_distribution(
                obj["delayDistribution"], here("delayDistribution"), compat
            )
        if present(obj, "chunkedDribbleDelay"):
            key = "chunkedDribbleDelay"
            raw = bind_object(obj[key], here(key), f"{PKG}.http.ChunkedDribbleDelay")
            check_fields(
                raw, here(key), ("numberOfChunks", "totalDuration"), f"{PKG}.http.ChunkedDribbleDelay"
            )
            out[key] = {
                field_name: bind_int(raw[field_name], f"{here(key)}/{field_name}")
                for field_name in ("numberOfChunks", "totalDuration")
                if present(raw, field_name)
            }
        for key in ("proxyBaseUrl", "proxyUrlPrefixToRemove"):
            if present(obj, key):
                out[key] = bind_string(obj[key], here(key))
        if present(obj, "fault"):
            fault = bind_string(obj["fault"], here("fault"))
            if fault not in FAULTS:
                raise fail(
                    here("fault"),
                    f'Cannot deserialize value of type `{PKG}.http.Fault` from String "{fault}": not one '
                    "of the values accepted for Enum class: [CONNECTION_RESET_BY_PEER, EMPTY_RESPONSE, "
                    "RANDOM_DATA_THEN_CLOSE, MALFORMED_RESPONSE_CHUNK]",
                )
            out["fault"] = fault
        if present(obj, "transformers"):
            items = bind_list(
                obj["transformers"], here("transformers"), "java.util.ArrayList<java.lang.String>"
            )
            out["transformers"] = [bind_string(v, f"{here('transformers')}/{i}") for i, v in enumerate(items)]
        if present(obj, "transformerParameters"):
            out["transformerParameters"] = bind_object(
                obj["transformerParameters"], here("transformerParameters"), f"{PKG}.extension.Parameters"
            )
        if present(obj, "fromConfiguredStub") and not bind_bool(
            obj["fromConfiguredStub"], here("fromConfiguredStub")
        ):
            out["fromConfiguredStub"] = False  # WireMock prints it only when false
        return cls(out)

    def to_json(self) -> dict[str, Any]:
        return dict(self.raw)

    @property
    def status(self) -> int:
        return int(self.raw.get("status", 200))

    @property
    def headers(self) -> list[tuple[str, str]]:
        """Response headers flattened to (name, value) pairs, in order."""
        out: list[tuple[str, str]] = []
        for name, value in (self.raw.get("headers") or {}).items():
            for item in value if isinstance(value, list) else [value]:
                out.append((name, item))
        return out

    @property
    def fault(self) -> str | None:
        return self.raw.get("fault")

    @property
    def transformers(self) -> list[str]:
        return list(self.raw.get("transformers") or [])


def _delay_distribution(value: Any, pointer: str, compat: int = 3) -> dict[str, Any]:
    raw = bind_object(value, pointer, f"{PKG}.http.DelayDistribution")
    kind = raw.get("type")
    if kind not in _DISTRIBUTIONS:
        if kind is None:
            detail = (
                f"Could not resolve subtype of [simple type, class {PKG}.http.DelayDistribution]: "
                "missing type id property 'type' (for POJO property 'delayDistribution')"
            )
        else:
            detail = (
                f"Could not resolve type id '{kind}' as a subtype of `{PKG}.http.DelayDistribution`: "
                "known type ids = [fixed, lognormal, uniform] (for POJO property 'delayDistribution')"
            )
        raise fail(pointer, detail)
    java_name, binders = _DISTRIBUTIONS[str(kind)]
    if compat == 2:  # 2.35.1's LogNormal has no maxValue (measured: "Unrecognized field")
        binders = {k: v for k, v in binders.items() if k != "maxValue"}
    check_fields(raw, pointer, ("type", *binders), f"{PKG}.http.{java_name}")
    out: dict[str, Any] = {"type": kind}
    for key, binder in binders.items():
        if present(raw, key):
            out[key] = binder(raw[key], f"{pointer}/{key}")
    return out
