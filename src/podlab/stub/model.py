"""Stub mappings as WireMock reads, matches and prints them.

`StubMapping.from_json` validates a mapping the way WireMock's Jackson binding does (unknown
fields, wrong types and bad enum values are a 422 `InvalidInputError` naming the JSON pointer),
and `to_json` prints the normalised form GET /__admin/mappings shows, keys in WireMock's order.
`RequestPattern.match` scores a request exactly as WireMock 3.13's RequestPattern: URL, method,
scheme, host, port and client IP first (weighted), and only when those all match the headers,
parameters, cookies and bodies.
"""

from __future__ import annotations

import base64
import math
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from uuid import UUID

from podlab.stub.errors import InvalidInputError
from podlab.stub.jsonfmt import java_double
from podlab.stub.matchers import (
    ContentPattern,
    MatchResult,
    MultiValuePattern,
    StringValuePattern,
    parse_content_pattern,
    parse_multi_value_pattern,
    parse_string_pattern,
)
from podlab.stub.matchers.distance import normalised_levenshtein
from podlab.stub.request import charset_of

if TYPE_CHECKING:
    from podlab.stub.request import LoggedRequest

DEFAULT_PRIORITY = 5
STARTED = "Started"
FAULTS = ("CONNECTION_RESET_BY_PEER", "EMPTY_RESPONSE", "RANDOM_DATA_THEN_CLOSE", "MALFORMED_RESPONSE_CHUNK")

_PKG = "com.github.tomakehurst.wiremock"
_STUB_CLASS = f"{_PKG}.stubbing.StubMapping"
_PATTERN_CLASS = f"{_PKG}.matching.RequestPattern"
_RESPONSE_CLASS = f"{_PKG}.http.ResponseDefinition"
_CREDENTIALS_CLASS = f"{_PKG}.client.BasicCredentials"

# ---------------------------------------------------------------------------------------------
# Jackson-style binding: the coercions WireMock accepts and the wording of what it refuses.
# ---------------------------------------------------------------------------------------------

_TOKEN: dict[type, str] = {
    dict: "Object value (token `JsonToken.START_OBJECT`)",
    list: "Array value (token `JsonToken.START_ARRAY`)",
}


def _fail(pointer: str, detail: str) -> InvalidInputError:
    return InvalidInputError.at(pointer or "/", detail)


def _unknown(pointer: str, key: str, java_class: str) -> InvalidInputError:
    return _fail(
        f"{pointer}/{key}", f'Unrecognized field "{key}" (class {java_class}), not marked as ignorable'
    )


def _check_fields(obj: dict[str, Any], pointer: str, allowed: Iterable[str], java_class: str) -> None:
    known = set(allowed)
    for key in obj:
        if key not in known:
            raise _unknown(pointer, key, java_class)


def java_number_text(value: int | float) -> str:
    """A JSON number as Jackson turns it into a Java String (Double.toString for decimals)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return java_double(value)


def bind_string(value: Any, pointer: str) -> str:
    """A String property: scalars are coerced to text as Jackson does; containers are refused."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return java_number_text(value)
    raise _fail(pointer, f"Cannot deserialize value of type `java.lang.String` from {_TOKEN[type(value)]}")


def bind_int(value: Any, pointer: str, java_type: str = "java.lang.Integer") -> int:
    """An Integer (or primitive int) property: numbers, decimals truncated, numeric strings."""
    if isinstance(value, bool):
        token = "VALUE_TRUE" if value else "VALUE_FALSE"
        raise _fail(
            pointer,
            f"Cannot deserialize value of type `{java_type}` from Boolean value (token `JsonToken.{token}`)",
        )
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _fail(pointer, f"Cannot deserialize value of type `{java_type}` from {value}")
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"[+-]?\d+", text):
            return int(text)
        raise _fail(
            pointer,
            f'Cannot deserialize value of type `{java_type}` from String "{value}": not a valid `{java_type}` value',
        )
    raise _fail(pointer, f"Cannot deserialize value of type `{java_type}` from {_TOKEN[type(value)]}")


def bind_bool(value: Any, pointer: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return value != 0
    if isinstance(value, str) and value in ("true", "false"):
        return value == "true"
    if isinstance(value, str):
        raise _fail(
            pointer,
            f'Cannot deserialize value of type `java.lang.Boolean` from String "{value}": '
            'only "true" or "false" recognized',
        )
    shown = _TOKEN.get(type(value), "Floating-point value")
    raise _fail(pointer, f"Cannot deserialize value of type `java.lang.Boolean` from {shown}")


def bind_object(value: Any, pointer: str, java_type: str) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if isinstance(value, list):
        raise _fail(pointer, f"Cannot deserialize value of type `{java_type}` from {_TOKEN[list]}")
    raise _fail(pointer, _no_scalar_creator(java_type, value))


def bind_list(value: Any, pointer: str, java_type: str) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        raise _fail(pointer, f"Cannot deserialize value of type `{java_type}` from {_TOKEN[dict]}")
    raise _fail(pointer, _no_scalar_creator("java.util.ArrayList", value))


def _no_scalar_creator(java_type: str, value: Any) -> str:
    """Jackson's wording when a scalar stands where an object or list belongs."""
    if isinstance(value, str):
        kind, source, shown = "String", "String", f"'{value}'"
    elif isinstance(value, bool):
        kind, source, shown = "boolean/Boolean", "boolean", "true" if value else "false"
    elif isinstance(value, int):
        kind, source, shown = "int/Int", "Number", str(value)
    else:
        kind, source, shown = "double/Double", "Number", java_number_text(value)
    return (
        f"Cannot construct instance of `{java_type}` (although at least one Creator exists): "
        f"no {kind}-argument constructor/factory method to deserialize from {source} value ({shown})"
    )


def bind_uuid(value: Any, pointer: str) -> UUID:
    text = bind_string(value, pointer)
    if len(text) != 36 or any(text[i] != "-" for i in (8, 13, 18, 23)):
        raise _fail(
            pointer,
            f'Cannot deserialize value of type `java.util.UUID` from String "{text}": '
            "UUID has to be represented by standard 36-char representation",
        )
    for index, char in enumerate(text):
        if index in (8, 13, 18, 23):
            continue
        if char not in "0123456789abcdefABCDEF":
            raise _fail(
                pointer,
                f'Cannot deserialize value of type `java.util.UUID` from String "{text}": '
                f"Non-hex character '{char}' (value 0x{ord(char):x}), not valid for UUID String",
            )
    return UUID(text)


def _present(obj: dict[str, Any], key: str) -> bool:
    """Jackson treats an explicit null like a missing property."""
    return obj.get(key) is not None


# ---------------------------------------------------------------------------------------------
# Java HashMap iteration order. WireMock prints some maps and sets straight from a HashMap
# (request headers once basic auth is added, scenario names, possible states), so their order
# is the bucket order of Java's String.hashCode, not insertion order.
# ---------------------------------------------------------------------------------------------


def java_string_hash(text: str) -> int:
    h = 0
    data = text.encode("utf-16-be")
    for i in range(0, len(data), 2):
        h = (31 * h + ((data[i] << 8) | data[i + 1])) & 0xFFFFFFFF
    return h


def java_hash_order(keys: Iterable[str], initial_capacity: int = 16) -> list[str]:
    """The order a java.util.HashMap built by inserting `keys` iterates them in."""
    unique = list(dict.fromkeys(keys))
    capacity = max(1, initial_capacity)
    while len(unique) > capacity * 0.75:
        capacity *= 2

    def bucket(key: str) -> int:
        h = java_string_hash(key)
        return (h ^ (h >> 16)) & (capacity - 1)

    return sorted(unique, key=bucket)  # stable: a bucket keeps insertion order


def java_hashmap_copy_capacity(size: int) -> int:
    """Table size of `new HashMap<>(map)` for a map of `size` entries (tableSizeFor)."""
    if size == 0:
        return 16
    wanted = int(size / 0.75 + 1.0)
    capacity = 1
    while capacity < wanted:
        capacity *= 2
    return capacity


# ---------------------------------------------------------------------------------------------
# URL matching
# ---------------------------------------------------------------------------------------------

URL_KEYS = ("url", "urlPattern", "urlPath", "urlPathPattern", "urlPathTemplate")


@dataclass(frozen=True)
class PathTemplate:
    """`/contacts/{contactId}`: each `{name}` stands for part of one path segment."""

    template: str
    regex: re.Pattern[str]
    names: tuple[str, ...]

    @classmethod
    def parse(cls, template: str) -> PathTemplate:
        parts: list[str] = []
        names: list[str] = []
        position = 0
        for found in re.finditer(r"\{([^{}/]+)\}", template):
            parts.append(re.escape(template[position : found.start()]))
            names.append(found.group(1))
            parts.append("([^/]+)")
            position = found.end()
        parts.append(re.escape(template[position:]))
        return cls(template, re.compile("".join(parts)), tuple(names))

    @property
    def as_wildcards(self) -> str:
        return re.sub(r"\{[^{}/]+\}", "*", self.template)

    def parse_path(self, path: str) -> dict[str, str] | None:
        """Variable values of a raw (still encoded) path, or None if it does not fit."""
        found = self.regex.fullmatch(path)
        if found is None:
            return None
        return dict(zip(self.names, found.groups(), strict=True))


@dataclass(frozen=True)
class UrlMatcher:
    """One of url / urlPattern / urlPath / urlPathPattern / urlPathTemplate, or any URL."""

    key: str | None  # None: no URL matcher given, any URL matches
    value: str = ""
    pattern: StringValuePattern | None = None
    template: PathTemplate | None = None

    @classmethod
    def parse(cls, obj: dict[str, Any], pointer: str) -> UrlMatcher:
        for key in URL_KEYS:  # WireMock's UrlPattern.fromOneOf takes the first one given
            if not _present(obj, key):
                continue
            value = bind_string(obj[key], f"{pointer}/{key}")
            if key == "urlPathTemplate":
                return cls(key, value, template=PathTemplate.parse(value))
            operator = "matches" if key in ("urlPattern", "urlPathPattern") else "equalTo"
            # A bad regex is reported against the whole request pattern, as WireMock does.
            return cls(key, value, pattern=parse_string_pattern({operator: value}, pointer or "/"))
        return cls(None)

    @property
    def is_regex(self) -> bool:
        return self.key in ("urlPattern", "urlPathPattern")

    @property
    def is_path_only(self) -> bool:
        return self.key in ("urlPath", "urlPathPattern", "urlPathTemplate")

    def target(self, req: LoggedRequest) -> str:
        return req.path if self.is_path_only else req.url

    def match(self, req: LoggedRequest) -> MatchResult:
        if self.key is None:
            return MatchResult.exact()
        if self.template is not None:
            if self.template.parse_path(req.path) is not None:
                return MatchResult.exact()
            # WireMock scores a miss as the edit distance to the template with each variable
            # written as one character (measured: "/t/{id}" vs "/u/1" is 0.5).
            return MatchResult.partial(normalised_levenshtein(self.template.as_wildcards, req.path))
        assert self.pattern is not None
        return self.pattern.match(self.target(req))

    def is_match(self, req: LoggedRequest) -> bool:
        """Whether `match` would be exact, without scoring a miss (the serving fast path)."""
        if self.key is None:
            return True
        if self.key == "url":
            return req.url == self.value
        if self.key == "urlPath":
            return req.path == self.value
        if self.template is not None:
            return self.template.parse_path(req.path) is not None
        assert self.pattern is not None
        return self.pattern.match(self.target(req)).is_exact_match

    def printed(self) -> str:
        """How the diff's left column shows the URL expectation."""
        if self.key is None:
            return "(always)"
        label = {"urlPath": "path", "urlPattern": "regex", "urlPathPattern": "path regex"}.get(self.key, "")
        if self.key == "urlPathTemplate":
            label = "path template"
        return f"[{label}] {self.value}" if label else self.value


# ---------------------------------------------------------------------------------------------
# Basic auth
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BasicCredentials:
    username: str | None
    password: str | None

    @classmethod
    def parse(cls, value: Any, pointer: str) -> BasicCredentials:
        obj = bind_object(value, pointer, _CREDENTIALS_CLASS)
        _check_fields(obj, pointer, ("username", "password"), _CREDENTIALS_CLASS)
        username = bind_string(obj["username"], f"{pointer}/username") if _present(obj, "username") else None
        password = bind_string(obj["password"], f"{pointer}/password") if _present(obj, "password") else None
        return cls(username, password)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.username is not None:
            out["username"] = self.username
        if self.password is not None:
            out["password"] = self.password
        return out

    def encoded(self) -> str:
        # Java concatenates a missing part as the text "null".
        pair = f"{self.username if self.username is not None else 'null'}:"
        pair += self.password if self.password is not None else "null"
        return base64.b64encode(pair.encode("utf-8")).decode("ascii")

    def as_header_pattern(self) -> MultiValuePattern:
        return BasicAuthHeaderPattern(BasicAuthPrefixPattern("Basic ", self.encoded()))


@dataclass(frozen=True)
class BasicAuthPrefixPattern:
    """WireMock's EqualToPatternWithCaseInsensitivePrefix: "basic"/"Basic" then the exact
    credentials. Its operator name shows in diffs as `[prefix]`."""

    prefix: str
    rest: str
    name: str = field(default="prefix", init=False)

    @property
    def expected(self) -> str:
        return self.prefix + self.rest

    def match(self, value: str | None) -> MatchResult:
        if value is None:
            return MatchResult.no_match()
        head, tail = value[: len(self.prefix)], value[len(self.prefix) :]
        if head.lower() == self.prefix.lower() and tail == self.rest:
            return MatchResult.exact()
        return parse_string_pattern({"equalTo": self.expected}, "").match(value)

    def to_json(self) -> dict[str, Any]:
        return {"equalTo": self.expected}


@dataclass(frozen=True)
class BasicAuthHeaderPattern:
    """The Authorization header pattern basic auth adds: the best header value wins."""

    pattern: StringValuePattern

    @property
    def name(self) -> str:
        return self.pattern.name

    @property
    def expected(self) -> str:
        return self.pattern.expected

    def match(self, values: list[str] | None) -> MatchResult:
        if not values:
            return self.pattern.match(None)
        return min((self.pattern.match(v) for v in values), key=lambda r: r.distance)

    def to_json(self) -> dict[str, Any]:
        return self.pattern.to_json()


# ---------------------------------------------------------------------------------------------
# Multipart
# ---------------------------------------------------------------------------------------------

_MULTIPART_CLASS = f"{_PKG}.matching.MultipartValuePattern"


@dataclass(frozen=True)
class MultipartPart:
    name: str | None
    file_name: str | None
    headers: dict[str, list[str]]
    body: bytes

    def header_values(self, name: str) -> list[str]:
        return [v for k, values in self.headers.items() if k.lower() == name.lower() for v in values]

    @property
    def text(self) -> str:
        content_type = next(iter(self.header_values("Content-Type")), None)
        return self.body.decode(charset_of(content_type), errors="replace")


def parse_multipart(req: LoggedRequest) -> list[MultipartPart] | None:
    """The parts of a multipart request body, or None if the request is not multipart."""
    content_type = req.header("Content-Type") or ""
    if not content_type.lower().startswith("multipart/"):
        return None
    found = re.search(r'boundary="?([^";]+)"?', content_type, re.IGNORECASE)
    if not found:
        return None
    delimiter = b"--" + found.group(1).encode("latin-1")
    parts: list[MultipartPart] = []
    for chunk in req.body.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break
        chunk = chunk[2:] if chunk.startswith(b"\r\n") else chunk.lstrip(b"\n")
        head, _, body = chunk.partition(b"\r\n\r\n")
        if body.endswith(b"\r\n"):
            body = body[:-2]
        headers: dict[str, list[str]] = {}
        for line in head.decode("utf-8", errors="replace").split("\r\n"):
            key, sep, value = line.partition(":")
            if sep:
                headers.setdefault(key.strip(), []).append(value.strip())
        disposition = next((v[0] for k, v in headers.items() if k.lower() == "content-disposition"), "")
        name = re.search(r'\bname="([^"]*)"', disposition)
        file_name = re.search(r'\bfilename="([^"]*)"', disposition)
        parts.append(
            MultipartPart(
                name.group(1) if name else None, file_name.group(1) if file_name else None, headers, body
            )
        )
    return parts


@dataclass(frozen=True)
class MultipartValuePattern:
    """One `multipartPatterns` entry. As in WireMock 3.13 the part `name` is only printed, not
    matched; `fileName` is compared exactly, and only alongside headers or body patterns."""

    name: str | None
    file_name: str | None
    matching_type: str | None  # "ALL" | "ANY"; unset behaves as ANY
    headers: dict[str, MultiValuePattern] | None
    body_patterns: list[ContentPattern] | None

    @classmethod
    def parse(cls, value: Any, pointer: str) -> MultipartValuePattern:
        obj = bind_object(value, pointer, _MULTIPART_CLASS)
        _check_fields(
            obj, pointer, ("name", "fileName", "matchingType", "headers", "bodyPatterns"), _MULTIPART_CLASS
        )
        matching_type = None
        if _present(obj, "matchingType"):
            matching_type = bind_string(obj["matchingType"], f"{pointer}/matchingType")
            if matching_type not in ("ALL", "ANY"):
                raise _fail(
                    f"{pointer}/matchingType",
                    "Cannot deserialize value of type "
                    f'`{_MULTIPART_CLASS}$MatchingType` from String "{matching_type}": '
                    "not one of the values accepted for Enum class: [ALL, ANY]",
                )
        return cls(
            name=bind_string(obj["name"], f"{pointer}/name") if _present(obj, "name") else None,
            file_name=bind_string(obj["fileName"], f"{pointer}/fileName")
            if _present(obj, "fileName")
            else None,
            matching_type=matching_type,
            headers=_multi_map(obj, "headers", pointer),
            body_patterns=_content_list(obj, "bodyPatterns", pointer),
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.name is not None:
            out["name"] = self.name
        if self.file_name is not None:
            out["fileName"] = self.file_name
        if self.matching_type is not None:
            out["matchingType"] = self.matching_type
        if self.headers is not None:
            out["headers"] = {k: v.to_json() for k, v in self.headers.items()}
        if self.body_patterns is not None:
            out["bodyPatterns"] = [p.to_json() for p in self.body_patterns]
        return out

    def match_part(self, part: MultipartPart) -> MatchResult:
        if self.headers is None and self.body_patterns is None:
            return MatchResult.exact()
        results: list[MatchResult] = []
        for key, pattern in (self.headers or {}).items():
            results.append(pattern.match(part.header_values(key) or None))
        headers = MatchResult.aggregate(results)
        body = MatchResult.aggregate(match_body(p, part.body, part.text) for p in self.body_patterns or [])
        file_name = MatchResult.of(not self.file_name or self.file_name == part.file_name)
        return MatchResult.aggregate([headers, body, file_name])

    def match(self, parts: list[MultipartPart]) -> MatchResult:
        if self.matching_type == "ALL":
            return MatchResult.of(all(self.match_part(p).is_exact_match for p in parts))
        return MatchResult.of(any(self.match_part(p).is_exact_match for p in parts))


def match_body(pattern: ContentPattern, body: bytes, text: str) -> MatchResult:
    """A body pattern against a body: string matchers see the text (charset-aware), or null
    for an empty body, as WireMock's RequestPattern hands them; binaryEqualTo sees the bytes."""
    inner = getattr(pattern, "pattern", None)  # the string matcher a body pattern wraps
    if isinstance(inner, StringValuePattern):
        return inner.match(text if text else None)
    return pattern.match(body)


# ---------------------------------------------------------------------------------------------
# Request pattern
# ---------------------------------------------------------------------------------------------

_PATTERN_FIELDS = (
    "scheme", "host", "port", "clientIp", *URL_KEYS, "method", "headers", "pathParameters",
    "queryParameters", "formParameters", "cookies", "basicAuth", "basicAuthCredentials",
    "bodyPatterns", "customMatcher", "multipartPatterns",
)  # fmt: skip


def _multi_map(obj: dict[str, Any], key: str, pointer: str) -> dict[str, MultiValuePattern] | None:
    """A name -> matcher map. Error pointers carry the names unescaped, as Jackson's do."""
    if not _present(obj, key):
        return None
    here = f"{pointer}/{key}"
    raw = bind_object(
        obj[key], here, f"java.util.LinkedHashMap<java.lang.String,{_PKG}.matching.MultiValuePattern>"
    )
    return {name: parse_multi_value_pattern(value, f"{here}/{name}") for name, value in raw.items()}


def _string_map(obj: dict[str, Any], key: str, pointer: str) -> dict[str, StringValuePattern] | None:
    if not _present(obj, key):
        return None
    here = f"{pointer}/{key}"
    raw = bind_object(
        obj[key], here, f"java.util.LinkedHashMap<java.lang.String,{_PKG}.matching.StringValuePattern>"
    )
    return {name: parse_string_pattern(value, f"{here}/{name}") for name, value in raw.items()}


def _content_list(obj: dict[str, Any], key: str, pointer: str) -> list[ContentPattern] | None:
    if not _present(obj, key):
        return None
    here = f"{pointer}/{key}"
    raw = bind_list(obj[key], here, f"java.util.ArrayList<{_PKG}.matching.ContentPattern<java.lang.Object>>")
    return [parse_content_pattern(item, f"{here}/{index}") for index, item in enumerate(raw)]


@dataclass(frozen=True)
class CustomMatcherDefinition:
    name: str | None
    parameters: dict[str, Any] | None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.name is not None:
            out["name"] = self.name
        if self.parameters is not None:
            out["parameters"] = self.parameters
        return out


@dataclass(frozen=True)
class RequestPattern:
    url: UrlMatcher = field(default_factory=lambda: UrlMatcher(None))
    method: str = "ANY"
    scheme: str | None = None
    host: StringValuePattern | None = None
    port: int | None = None
    client_ip: StringValuePattern | None = None
    headers: dict[str, MultiValuePattern] | None = None
    path_parameters: dict[str, StringValuePattern] | None = None
    query_parameters: dict[str, MultiValuePattern] | None = None
    form_parameters: dict[str, MultiValuePattern] | None = None
    cookies: dict[str, StringValuePattern] | None = None
    basic_auth: BasicCredentials | None = None
    body_patterns: list[ContentPattern] | None = None
    custom_matcher: CustomMatcherDefinition | None = None
    multipart_patterns: list[MultipartValuePattern] | None = None

    @classmethod
    def from_json(cls, obj: Any, pointer: str = "/request") -> RequestPattern:
        if obj is None:
            return cls()
        obj = bind_object(obj, pointer, _PATTERN_CLASS)
        _check_fields(obj, pointer, _PATTERN_FIELDS, _PATTERN_CLASS)
        method = "ANY"
        if _present(obj, "method"):
            value = obj["method"]
            if not isinstance(value, str):
                raise _fail(f"{pointer}/method", _no_scalar_creator(f"{_PKG}.http.RequestMethod", value))
            method = value
        credentials = None
        for key in ("basicAuth", "basicAuthCredentials"):  # both given: basicAuthCredentials wins
            if _present(obj, key):
                credentials = BasicCredentials.parse(obj[key], f"{pointer}/{key}")
        custom = None
        if _present(obj, "customMatcher"):
            here = f"{pointer}/customMatcher"
            raw = bind_object(obj["customMatcher"], here, f"{_PKG}.matching.CustomMatcherDefinition")
            _check_fields(raw, here, ("name", "parameters"), f"{_PKG}.matching.CustomMatcherDefinition")
            params = raw.get("parameters")
            custom = CustomMatcherDefinition(
                bind_string(raw["name"], f"{here}/name") if _present(raw, "name") else None,
                bind_object(params, f"{here}/parameters", f"{_PKG}.common.Parameters")
                if params is not None
                else None,
            )
        multipart = None
        if _present(obj, "multipartPatterns"):
            here = f"{pointer}/multipartPatterns"
            raw_list = bind_list(obj["multipartPatterns"], here, f"java.util.ArrayList<{_MULTIPART_CLASS}>")
            multipart = [MultipartValuePattern.parse(item, f"{here}/{i}") for i, item in enumerate(raw_list)]
        return cls(
            url=UrlMatcher.parse(obj, pointer),
            method=method,
            scheme=bind_string(obj["scheme"], f"{pointer}/scheme") if _present(obj, "scheme") else None,
            host=parse_string_pattern(obj["host"], f"{pointer}/host") if _present(obj, "host") else None,
            port=bind_int(obj["port"], f"{pointer}/port") if _present(obj, "port") else None,
            client_ip=parse_string_pattern(obj["clientIp"], f"{pointer}/clientIp")
            if _present(obj, "clientIp")
            else None,
            headers=_multi_map(obj, "headers", pointer),
            path_parameters=_string_map(obj, "pathParameters", pointer),
            query_parameters=_multi_map(obj, "queryParameters", pointer),
            form_parameters=_multi_map(obj, "formParameters", pointer),
            cookies=_string_map(obj, "cookies", pointer),
            basic_auth=credentials,
            body_patterns=_content_list(obj, "bodyPatterns", pointer),
            custom_matcher=custom,
            multipart_patterns=multipart,
        )

    def to_json(self) -> dict[str, Any]:
        """Keys in the order WireMock 3.13 prints them (basicAuthCredentials last)."""
        out: dict[str, Any] = {}
        if self.scheme is not None:
            out["scheme"] = self.scheme
        if self.host is not None:
            out["host"] = self.host.to_json()
        if self.port is not None:
            out["port"] = self.port
        if self.client_ip is not None:
            out["clientIp"] = self.client_ip.to_json()
        if self.url.key is not None:
            out[self.url.key] = self.url.value
        out["method"] = self.method
        if self.headers is not None:
            out["headers"] = {k: v.to_json() for k, v in self.headers.items()}
        if self.path_parameters is not None:
            out["pathParameters"] = {k: v.to_json() for k, v in self.path_parameters.items()}
        if self.query_parameters is not None:
            out["queryParameters"] = {k: v.to_json() for k, v in self.query_parameters.items()}
        if self.form_parameters is not None:
            out["formParameters"] = {k: v.to_json() for k, v in self.form_parameters.items()}
        if self.cookies is not None:
            out["cookies"] = {k: v.to_json() for k, v in self.cookies.items()}
        if self.body_patterns is not None:
            out["bodyPatterns"] = [p.to_json() for p in self.body_patterns]
        if self.custom_matcher is not None:
            out["customMatcher"] = self.custom_matcher.to_json()
        if self.multipart_patterns is not None:
            out["multipartPatterns"] = [p.to_json() for p in self.multipart_patterns]
        if self.basic_auth is not None:
            out["basicAuthCredentials"] = self.basic_auth.to_json()
        return out

    def combined_headers(self, compat: int = 3) -> list[tuple[str, MultiValuePattern]]:
        """Header patterns with basic auth folded in as an Authorization pattern.

        WireMock 3 copies the headers into a java.util.HashMap to add Authorization, so with
        basic auth the diff lists the headers in hash order; 2.x appended it last."""
        headers = list((self.headers or {}).items())
        if self.basic_auth is None:
            return headers
        merged = dict(headers)
        merged["Authorization"] = self.basic_auth.as_header_pattern()
        if compat == 2:
            return list(merged.items())
        order = java_hash_order(list(merged), java_hashmap_copy_capacity(len(headers)))
        return [(name, merged[name]) for name in order]

    # --- matching ----------------------------------------------------------------------------

    def match(self, req: LoggedRequest, *, compat: int = 3) -> MatchResult:
        """WireMock's RequestPattern.match, distance included. `compat=2` scores as 2.35 did:
        every part at once, with no client IP, path or form parameters."""
        if compat == 2:
            weighted_2x: list[tuple[MatchResult, float]] = [
                (self._scheme_result(req), 3.0),
                (self._host_result(req), 10.0),
                (self._port_result(req), 10.0),
                (self.url.match(req), 10.0),
                (self.method_result(req), 3.0),
            ]
            for part in (
                self._headers_result,
                self._query_result,
                self._cookies_result,
                self._body_result,
                self._multipart_result,
            ):
                weighted_2x.append((part(req), 1.0))
            return self._with_custom(MatchResult.aggregate_weighted(weighted_2x))
        weighted: list[tuple[MatchResult, float]] = [
            (self._scheme_result(req), 3.0),
            (self._host_result(req), 10.0),
            (self._port_result(req), 10.0),
            (self.client_ip.match(req.client_ip) if self.client_ip is not None else MatchResult.exact(), 3.0),
            (self.url.match(req), 10.0),
            (self.method_result(req), 3.0),
        ]
        first = MatchResult.aggregate_weighted(weighted)
        if not first.is_exact_match:
            # WireMock 3 stops here: headers, bodies etc. are only scored once the URL fits.
            return first
        for part in (
            self._path_params_result,
            self._headers_result,
            self._query_result,
            self._form_result,
            self._cookies_result,
            self._body_result,
            self._multipart_result,
        ):
            weighted.append((part(req), 1.0))
        return self._with_custom(MatchResult.aggregate_weighted(weighted))

    def _with_custom(self, standard: MatchResult) -> MatchResult:
        if standard.is_exact_match and self.custom_matcher is not None:
            # No request-matcher extensions exist here; WireMock scores an unknown one as NEVER.
            return MatchResult.aggregate([standard, MatchResult.no_match()])
        return standard

    def _host_result(self, req: LoggedRequest) -> MatchResult:
        return self.host.match(req.host) if self.host is not None else MatchResult.exact()

    def _port_result(self, req: LoggedRequest) -> MatchResult:
        return MatchResult.of(self.port == req.port) if self.port is not None else MatchResult.exact()

    def is_match(self, req: LoggedRequest) -> bool:
        """`match(req).is_exact_match`, cheaper: the cheap checks go first and a miss is not
        scored. Serving a request only needs this; near misses need `match`."""
        if (self.method != "ANY" and self.method != req.method) or not self.url.is_match(req):
            return False
        if self.scheme is not None and self.scheme != req.scheme:
            return False
        if self.port is not None and self.port != req.port:
            return False
        for pattern, value in ((self.host, req.host), (self.client_ip, req.client_ip)):
            if pattern is not None and not pattern.match(value).is_exact_match:
                return False
        return self.custom_matcher is None and all(
            part(req).is_exact_match
            for part in (
                self._path_params_result,
                self._headers_result,
                self._query_result,
                self._form_result,
                self._cookies_result,
                self._body_result,
                self._multipart_result,
            )
        )

    def method_result(self, req: LoggedRequest) -> MatchResult:
        return MatchResult.of(self.method == "ANY" or self.method == req.method)

    def _scheme_result(self, req: LoggedRequest) -> MatchResult:
        return MatchResult.of(self.scheme == req.scheme) if self.scheme is not None else MatchResult.exact()

    def _path_params_result(self, req: LoggedRequest) -> MatchResult:
        if self.url.template is None or not self.path_parameters:
            return MatchResult.exact()
        values = self.url.template.parse_path(req.path)
        if values is None:
            return MatchResult.no_match()
        return MatchResult.aggregate(p.match(values.get(name)) for name, p in self.path_parameters.items())

    def _headers_result(self, req: LoggedRequest) -> MatchResult:
        headers = self.combined_headers()
        if not headers:
            return MatchResult.exact()
        return MatchResult.aggregate(p.match(req.header_values(name) or None) for name, p in headers)

    def _query_result(self, req: LoggedRequest) -> MatchResult:
        if not self.query_parameters:
            return MatchResult.exact()
        params = req.query_params
        return MatchResult.aggregate(p.match(params.get(name)) for name, p in self.query_parameters.items())

    def _form_result(self, req: LoggedRequest) -> MatchResult:
        if not self.form_parameters:
            return MatchResult.exact()
        params = req.form_params
        return MatchResult.aggregate(p.match(params.get(name)) for name, p in self.form_parameters.items())

    def _cookies_result(self, req: LoggedRequest) -> MatchResult:
        if not self.cookies:
            return MatchResult.exact()
        results = []
        for name, pattern in self.cookies.items():
            values = req.cookies.get(name)
            if not values:
                results.append(MatchResult.of(pattern.name == "absent"))
            else:
                results.append(min((pattern.match(v) for v in values), key=lambda r: r.distance))
        return MatchResult.aggregate(results)

    def _body_result(self, req: LoggedRequest) -> MatchResult:
        if not self.body_patterns:
            return MatchResult.exact()
        return MatchResult.aggregate(match_body(p, req.body, req.body_as_string) for p in self.body_patterns)

    def _multipart_result(self, req: LoggedRequest) -> MatchResult:
        if not self.multipart_patterns:
            return MatchResult.exact()
        parts = parse_multipart(req)
        if parts is None:
            return MatchResult.no_match()
        return MatchResult.aggregate(p.match(parts) for p in self.multipart_patterns)


# ---------------------------------------------------------------------------------------------
# Response definition
# ---------------------------------------------------------------------------------------------

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
        raise _fail(pointer, "Cannot deserialize value of type `double` from non-numeric value")
    try:
        return float(value)
    except ValueError:
        raise _fail(
            pointer,
            f'Cannot deserialize value of type `double` from String "{value}": '
            "not a valid `double` value (as String to convert)",
        ) from None


def _headers_json(value: Any, pointer: str) -> dict[str, str | list[str]]:
    """Response headers: name -> string or list; a one-element list prints as a string."""
    raw = bind_object(value, pointer, f"{_PKG}.http.HttpHeaders")
    out: dict[str, str | list[str]] = {}
    for name, item in raw.items():
        if isinstance(item, list):
            if not item:
                raise _fail(pointer, f"No value for {name}")
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
    raise _fail(pointer, f"null value in entry: {name}=null")


@dataclass
class ResponseDefinition:
    """What a matched stub answers. `raw` is the normalised JSON (as WireMock prints it)."""

    raw: dict[str, Any] = field(default_factory=lambda: {"status": 200})

    @classmethod
    def from_json(cls, obj: Any, pointer: str = "/response") -> ResponseDefinition:
        if obj is None:
            return cls()
        obj = bind_object(obj, pointer, _RESPONSE_CLASS)
        _check_fields(obj, pointer, _RESPONSE_FIELDS, _RESPONSE_CLASS)

        def here(key: str) -> str:
            return f"{pointer}/{key}"

        out: dict[str, Any] = {
            "status": bind_int(obj["status"], here("status"), "int") if _present(obj, "status") else 200
        }
        if _present(obj, "statusMessage"):
            out["statusMessage"] = bind_string(obj["statusMessage"], here("statusMessage"))
        # One body only, in WireMock's precedence: body, jsonBody, base64Body.
        if _present(obj, "body"):
            out["body"] = bind_string(obj["body"], here("body"))
        elif _present(obj, "jsonBody"):
            out["jsonBody"] = obj["jsonBody"]
        elif _present(obj, "base64Body"):
            text = bind_string(obj["base64Body"], here("base64Body"))
            try:
                decoded = java_base64_decode(text)
            except ValueError as error:
                raise _fail(pointer, str(error)) from None
            # WireMock keeps the bytes and prints them re-encoded ("YR" comes back as "YQ==").
            out["base64Body"] = base64.b64encode(decoded).decode("ascii")
        if _present(obj, "bodyFileName"):
            out["bodyFileName"] = bind_string(obj["bodyFileName"], here("bodyFileName"))
        if _present(obj, "headers"):
            out["headers"] = _headers_json(obj["headers"], here("headers"))
        if _present(obj, "additionalProxyRequestHeaders"):
            out["additionalProxyRequestHeaders"] = _headers_json(
                obj["additionalProxyRequestHeaders"], here("additionalProxyRequestHeaders")
            )
        if _present(obj, "removeProxyRequestHeaders"):
            key = "removeProxyRequestHeaders"
            items = bind_list(obj[key], here(key), "java.util.ArrayList<java.lang.String>")
            out[key] = [bind_string(v, f"{here(key)}/{i}") for i, v in enumerate(items)]
        if _present(obj, "fixedDelayMilliseconds"):
            out["fixedDelayMilliseconds"] = bind_int(
                obj["fixedDelayMilliseconds"], here("fixedDelayMilliseconds")
            )
        if _present(obj, "delayDistribution"):
            out["delayDistribution"] = _delay_distribution(
                obj["delayDistribution"], here("delayDistribution")
            )
        if _present(obj, "chunkedDribbleDelay"):
            key = "chunkedDribbleDelay"
            raw = bind_object(obj[key], here(key), f"{_PKG}.http.ChunkedDribbleDelay")
            _check_fields(
                raw, here(key), ("numberOfChunks", "totalDuration"), f"{_PKG}.http.ChunkedDribbleDelay"
            )
            out[key] = {
                field_name: bind_int(raw[field_name], f"{here(key)}/{field_name}")
                for field_name in ("numberOfChunks", "totalDuration")
                if _present(raw, field_name)
            }
        for key in ("proxyBaseUrl", "proxyUrlPrefixToRemove"):
            if _present(obj, key):
                out[key] = bind_string(obj[key], here(key))
        if _present(obj, "fault"):
            fault = bind_string(obj["fault"], here("fault"))
            if fault not in FAULTS:
                raise _fail(
                    here("fault"),
                    f'Cannot deserialize value of type `{_PKG}.http.Fault` from String "{fault}": not one '
                    "of the values accepted for Enum class: [CONNECTION_RESET_BY_PEER, EMPTY_RESPONSE, "
                    "RANDOM_DATA_THEN_CLOSE, MALFORMED_RESPONSE_CHUNK]",
                )
            out["fault"] = fault
        if _present(obj, "transformers"):
            items = bind_list(
                obj["transformers"], here("transformers"), "java.util.ArrayList<java.lang.String>"
            )
            out["transformers"] = [bind_string(v, f"{here('transformers')}/{i}") for i, v in enumerate(items)]
        if _present(obj, "transformerParameters"):
            out["transformerParameters"] = bind_object(
                obj["transformerParameters"], here("transformerParameters"), f"{_PKG}.extension.Parameters"
            )
        if _present(obj, "fromConfiguredStub") and not bind_bool(
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


def _delay_distribution(value: Any, pointer: str) -> dict[str, Any]:
    raw = bind_object(value, pointer, f"{_PKG}.http.DelayDistribution")
    kind = raw.get("type")
    if kind not in _DISTRIBUTIONS:
        if kind is None:
            detail = (
                f"Could not resolve subtype of [simple type, class {_PKG}.http.DelayDistribution]: "
                "missing type id property 'type' (for POJO property 'delayDistribution')"
            )
        else:
            detail = (
                f"Could not resolve type id '{kind}' as a subtype of `{_PKG}.http.DelayDistribution`: "
                "known type ids = [fixed, lognormal, uniform] (for POJO property 'delayDistribution')"
            )
        raise _fail(pointer, detail)
    java_name, binders = _DISTRIBUTIONS[str(kind)]
    _check_fields(raw, pointer, ("type", *binders), f"{_PKG}.http.{java_name}")
    out: dict[str, Any] = {"type": kind}
    for key, binder in binders.items():
        if _present(raw, key):
            out[key] = binder(raw[key], f"{pointer}/{key}")
    return out


# ---------------------------------------------------------------------------------------------
# Stub mapping
# ---------------------------------------------------------------------------------------------

_STUB_FIELDS = (
    "id", "uuid", "name", "request", "response", "persistent", "priority", "scenarioName",
    "requiredScenarioState", "newScenarioState", "postServeActions", "serveEventListeners",
    "metadata", "insertionIndex",
)  # fmt: skip


def _listeners(value: Any, pointer: str, java_class: str, allow_map: bool) -> list[dict[str, Any]] | None:
    """postServeActions / serveEventListeners as `[{"name", "parameters"}]`. postServeActions
    also takes the older map form `{"webhook": {...}}`; other shapes are dropped silently, as
    WireMock does. Errors inside an entry point at the list itself, as Jackson reports them."""
    if isinstance(value, dict) and allow_map:
        return [{"name": name, "parameters": params} for name, params in value.items()]
    if not isinstance(value, list):
        return None
    out: list[dict[str, Any]] = []
    for item in value:
        obj = bind_object(item, pointer, java_class)
        for key in obj:
            if key not in ("name", "requestPhases", "parameters"):
                raise _fail(
                    pointer, f'Unrecognized field "{key}" (class {java_class}), not marked as ignorable'
                )
        entry: dict[str, Any] = {}
        if _present(obj, "name"):
            entry["name"] = bind_string(obj["name"], pointer)
        if _present(obj, "requestPhases"):
            entry["requestPhases"] = bind_list(obj["requestPhases"], pointer, "java.util.ArrayList")
        if _present(obj, "parameters"):
            entry["parameters"] = bind_object(obj["parameters"], pointer, f"{_PKG}.extension.Parameters")
        out.append(entry)
    return out


@dataclass
class StubMapping:
    id: UUID = field(default_factory=uuid.uuid4)
    request: RequestPattern = field(default_factory=RequestPattern)
    response: ResponseDefinition = field(default_factory=ResponseDefinition)
    name: str | None = None
    priority: int | None = None
    scenario_name: str | None = None
    required_scenario_state: str | None = None
    new_scenario_state: str | None = None
    persistent: bool | None = None
    metadata: dict[str, Any] | None = None
    post_serve_actions: list[dict[str, Any]] | None = None
    serve_event_listeners: list[dict[str, Any]] | None = None
    insertion_index: int = 0  # assigned by whoever stores the stub; newer stubs win ties

    @classmethod
    def from_json(cls, obj: Any) -> StubMapping:
        """Parse and validate one mapping; raises InvalidInputError (WireMock's 422)."""
        if not isinstance(obj, dict):
            bind_object(obj, "/", _STUB_CLASS)
        _check_fields(obj, "", _STUB_FIELDS, _STUB_CLASS)
        stub_id: UUID | None = None
        for key in obj:  # id and uuid are one property: the later one in the document wins
            if key in ("id", "uuid") and _present(obj, key):
                stub_id = bind_uuid(obj[key], f"/{key}")

        def text(key: str) -> str | None:
            return bind_string(obj[key], f"/{key}") if _present(obj, key) else None

        metadata = None
        if _present(obj, "metadata"):
            metadata = bind_object(obj["metadata"], "/metadata", f"{_PKG}.common.Metadata")
        return cls(
            id=stub_id if stub_id is not None else uuid.uuid4(),
            request=RequestPattern.from_json(obj.get("request"), "/request"),
            response=ResponseDefinition.from_json(obj.get("response"), "/response"),
            name=text("name"),
            priority=bind_int(obj["priority"], "/priority") if _present(obj, "priority") else None,
            scenario_name=text("scenarioName"),
            required_scenario_state=text("requiredScenarioState"),
            new_scenario_state=text("newScenarioState"),
            persistent=bind_bool(obj["persistent"], "/persistent") if _present(obj, "persistent") else None,
            metadata=metadata,
            post_serve_actions=_listeners(
                obj["postServeActions"],
                "/postServeActions",
                f"{_PKG}.extension.PostServeActionDefinition",
                True,
            )
            if _present(obj, "postServeActions")
            else None,
            serve_event_listeners=_listeners(
                obj["serveEventListeners"],
                "/serveEventListeners",
                f"{_PKG}.extension.ServeEventListenerDefinition",
                False,
            )
            if _present(obj, "serveEventListeners")
            else None,
            insertion_index=bind_int(obj["insertionIndex"], "/insertionIndex", "long")
            if _present(obj, "insertionIndex")
            else 0,
        )

    def to_json(self, *, include_insertion_index: bool = False) -> dict[str, Any]:
        """WireMock's normalised form: id, name, request, response, uuid, then the rest."""
        text_id = str(self.id)
        out: dict[str, Any] = {"id": text_id}
        if self.name is not None:
            out["name"] = self.name
        out["request"] = self.request.to_json()
        out["response"] = self.response.to_json()
        out["uuid"] = text_id
        if self.persistent is not None:
            out["persistent"] = self.persistent
        if self.priority is not None:
            out["priority"] = self.priority
        if self.scenario_name is not None:
            out["scenarioName"] = self.scenario_name
        if self.required_scenario_state is not None:
            out["requiredScenarioState"] = self.required_scenario_state
        if self.new_scenario_state is not None:
            out["newScenarioState"] = self.new_scenario_state
        if self.metadata is not None:
            out["metadata"] = self.metadata
        if self.post_serve_actions is not None:
            out["postServeActions"] = self.post_serve_actions
        if self.serve_event_listeners is not None:
            out["serveEventListeners"] = self.serve_event_listeners
        if include_insertion_index:
            out["insertionIndex"] = self.insertion_index
        return out

    @property
    def effective_priority(self) -> int:
        return self.priority if self.priority is not None else DEFAULT_PRIORITY

    @property
    def is_in_scenario(self) -> bool:
        return self.scenario_name is not None
