"""Name and label checks (apimachinery pkg/util/validation/validation.go), with its messages, and
the generated-name helpers (pod-template-hash, random suffixes)."""

from __future__ import annotations

import json
import re
import secrets
import struct
from typing import Any

# apimachinery pkg/util/rand: no vowels (no words), no 0/1/3 (look like o/l/e).
ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789"
# apiserver storage/names/generate.go: a generated name is at most 63 characters.
MAX_GENERATED_NAME_LENGTH = 63 - 5

_DNS1123_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_SUBDOMAIN = _DNS1123_LABEL + r"(\." + _DNS1123_LABEL + ")*"
_DNS1035_LABEL = "[a-z]([-a-z0-9]*[a-z0-9])?"
_QUALIFIED_NAME = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_LABEL_VALUE = "(" + _QUALIFIED_NAME + ")?"
_CONFIG_KEY = "[-._a-zA-Z0-9]+"
_HTTP_HEADER = "[-A-Za-z0-9]+"
_PERCENT = "[0-9]+%"


def _fullmatch(pattern: str, value: str) -> bool:
    return re.fullmatch(pattern, value) is not None


def _regex_error(msg: str, pattern: str, *examples: str) -> str:
    # RegexError: examples joined with ",  or " (two spaces, as apimachinery writes it).
    text = msg
    if examples:
        text += " (e.g. " + ",  or ".join(f"'{e}'" for e in examples) + ", "
        text += f"regex used for validation is '{pattern}')"
    else:
        text += f" (regex used for validation is '{pattern}')"
    return text


def _max_len(n: int) -> str:
    return f"must be no more than {n} characters"


def is_dns1123_label(value: str) -> list[str]:
    errs = []
    if len(value) > 63:
        errs.append(_max_len(63))
    if not _fullmatch(_DNS1123_LABEL, value):
        errs.append(
            _regex_error(
                "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
                "and must start and end with an alphanumeric character",
                _DNS1123_LABEL,
                "my-name",
                "123-abc",
            )
        )
    return errs


def is_dns1123_subdomain(value: str) -> list[str]:
    errs = []
    if len(value) > 253:
        errs.append(_max_len(253))
    if not _fullmatch(_DNS1123_SUBDOMAIN, value):
        errs.append(
            _regex_error(
                "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
                "'-' or '.', and must start and end with an alphanumeric character",
                _DNS1123_SUBDOMAIN,
                "example.com",
            )
        )
    return errs


def is_dns1035_label(value: str) -> list[str]:
    errs = []
    if len(value) > 63:
        errs.append(_max_len(63))
    if not _fullmatch(_DNS1035_LABEL, value):
        errs.append(
            _regex_error(
                "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with "
                "an alphabetic character, and end with an alphanumeric character",
                _DNS1035_LABEL,
                "my-name",
                "abc-123",
            )
        )
    return errs


def is_qualified_name(value: str) -> list[str]:
    """Label and annotation keys: optional DNS subdomain prefix, '/', name part."""
    errs: list[str] = []
    parts = value.split("/")
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            errs.append("prefix part must be non-empty")
        else:
            errs.extend("prefix part " + m for m in is_dns1123_subdomain(prefix))
    else:
        return [
            _regex_error(
                "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must "
                "start and end with an alphanumeric character",
                _QUALIFIED_NAME,
                "MyName",
                "my.name",
                "123-abc",
            )
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        ]
    if not name:
        errs.append("name part must be non-empty")
    elif len(name) > 63:
        errs.append("name part " + _max_len(63))
    if name and not _fullmatch(_QUALIFIED_NAME, name):
        errs.append(
            "name part "
            + _regex_error(
                "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with "
                "an alphanumeric character",
                _QUALIFIED_NAME,
                "MyName",
                "my.name",
                "123-abc",
            )
        )
    return errs


def is_valid_label_value(value: str) -> list[str]:
    errs = []
    if len(value) > 63:
        errs.append(_max_len(63))
    if not _fullmatch(_LABEL_VALUE, value):
        errs.append(
            _regex_error(
                "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' "
                "or '.', and must start and end with an alphanumeric character",
                _LABEL_VALUE,
                "MyValue",
                "my_value",
                "12345",
            )
        )
    return errs


def is_config_map_key(value: str) -> list[str]:
    errs = []
    if len(value) > 253:
        errs.append(_max_len(253))
    if not _fullmatch(_CONFIG_KEY, value):
        errs.append(
            _regex_error(
                "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
                _CONFIG_KEY,
                "key.name",
                "KEY_NAME",
                "key-name",
            )
        )
    if value == ".":
        errs.append("must not be '.'")
    elif value == "..":
        errs.append("must not be '..'")
    elif value.startswith(".."):
        errs.append("must not start with '..'")
    return errs


def is_valid_port_num(port: int) -> list[str]:
    return [] if 1 <= port <= 65535 else ["must be between 1 and 65535, inclusive"]


def is_valid_port_name(name: str) -> list[str]:
    errs = []
    if len(name) > 15:
        errs.append(_max_len(15))
    if not _fullmatch("[-a-z0-9]+", name):
        errs.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not re.search("[a-z]", name):
        errs.append("must contain at least one letter (a-z)")
    if "--" in name:
        errs.append("must not contain consecutive hyphens")
    if name.startswith("-") or name.endswith("-"):
        errs.append("must not begin or end with a hyphen")
    return errs


def is_http_header_name(value: str) -> list[str]:
    if _fullmatch(_HTTP_HEADER, value):
        return []
    return [
        _regex_error(
            "a valid HTTP header must consist of alphanumeric characters or '-'",
            _HTTP_HEADER,
            "X-Header-Name",
        )
    ]


def is_env_var_name(value: str) -> list[str]:
    # RelaxedEnvironmentVariableValidation is on by default from 1.32.
    if value and all(32 <= ord(ch) <= 126 and ch != "=" for ch in value):
        return []
    return [
        "a valid environment variable name must consist only of printable ASCII characters other than '='"
    ]


def is_percent(value: str) -> list[str]:
    if _fullmatch(_PERCENT, value):
        return []
    return [
        _regex_error(
            "a valid percent string must be a numeric string followed by an ending '%'",
            _PERCENT,
            "1%",
            "93%",
        )
    ]


# ---- generated names ---------------------------------------------------------------------------


def random_suffix(n: int = 5) -> str:
    """n characters of apimachinery rand.String's alphabet (each drawn from all 27)."""
    return "".join(secrets.choice(ALPHANUMS) for _ in range(n))


def generate_name(base: str) -> str:
    """The name the API server gives for generateName (storage/names/generate.go)."""
    return base[:MAX_GENERATED_NAME_LENGTH] + random_suffix(5)


def safe_encode_string(text: str) -> str:
    """rand.SafeEncodeString: each byte mapped onto the alphabet."""
    return "".join(ALPHANUMS[b % len(ALPHANUMS)] for b in text.encode())


def _fnv32a(data: bytes) -> int:
    h = 0x811C9DC5
    for b in data:
        h ^= b
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def pod_template_hash(template: Any, collision_count: int | None = None) -> str:
    """controller.ComputeHash: fnv32a of the template, the collision count appended as 8
    little-endian bytes, then SafeEncodeString of the decimal sum.

    Kubernetes feeds the hasher a Go struct dump (spew / dump.ForHash) of the typed
    PodTemplateSpec, which cannot be reproduced without Go's struct layout; podlab hashes the
    canonical JSON instead. The alphabet ([4-9bcdf]) and the length (the digits of a uint32) are
    Kubernetes', so names look like real ones (`web-7c5ddbdf54`), and equal templates hash equal.
    """
    data = _canonical(template).encode()
    if collision_count is not None:
        data += struct.pack("<Q", collision_count & 0xFFFFFFFFFFFFFFFF)
    return safe_encode_string(str(_fnv32a(data)))
