"""The template model: what `{{request.*}}` and `{{parameters.*}}` resolve to (docs/reference/wiremock.md §7).

Shapes follow WireMock 3.13.2's `RequestTemplateModel`, as observed on the real server:
- `request.query.x`, `request.headers.X`, `request.cookies.c` are `ListOrSingle`s: they print their
  first value, index with `.[n]`, have `.first`/`.last`, and never equal a plain string;
- `request.headers` is case-insensitive; `request.method` is an enum (not equal to 'GET');
- `request.path` prints the path and also indexes segments (`.[1]`) and names template
  variables (`.id`); `request.pathSegments` prints the path too;
- `request.requestLine.*` is the deprecated alias of the URL parts.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import unquote

from podlab.stub.templating.engine import MISSING, PropertySource
from podlab.stub.templating.values import JavaEnum, ListOrSingle, UrlPath, java_hash_order, java_str


class RequestLike(Protocol):
    """What templating reads from a request; podlab.stub.request.LoggedRequest satisfies it."""

    id: str
    method: str
    url: str
    client_ip: str
    body: bytes

    @property
    def path(self) -> str: ...
    @property
    def query_params(self) -> dict[str, list[str]]: ...
    @property
    def cookies(self) -> dict[str, list[str]]: ...
    @property
    def scheme(self) -> str: ...
    @property
    def host(self) -> str: ...
    @property
    def port(self) -> int: ...
    @property
    def body_as_string(self) -> str: ...
    @property
    def body_as_base64(self) -> str: ...
    def header_map(self) -> dict[str, list[str]]: ...


class CaseInsensitiveMap(Mapping[str, Any]):
    """Header map: names print as sent, look up in any case."""

    def __init__(self, items: Mapping[str, Any]) -> None:
        self._items = dict(items)
        self._lower = {k.lower(): k for k in self._items}

    def __getitem__(self, key: str) -> Any:
        return self._items[self._lower[key.lower()]]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._lower

    def get(self, key: str, default: Any = None) -> Any:
        original = self._lower.get(key.lower())
        return default if original is None else self._items[original]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)


class PathValue(PropertySource):
    """`request.path`: prints the path; `.[n]` is a segment, `.name` a template variable.

    `decoded` (3.x): observed on the 3.13.2 jar for `GET /s+x/%2B/%C3%A9` and `/s%20x/y%2Fz`,
    `{{request.path}}` prints `/s+x/+/é` and `/s x/y/z` (percent-decoded as UTF-8, `+` kept,
    then split on `/`: three segments `s x`, `y`, `z`), and the value is a list of those
    segments to the helpers: `size` 3, `each` visits them, `contains request.path 'a'` is
    false for `/ab` (no segment equals `a`), `eq request.path '/s x/y/z'` false (not a String).
    Without it (2.x) the path and its segments stay as sent."""

    def __init__(self, path: str, params: Mapping[str, str], decoded: bool = False) -> None:
        self.path = unquote(path, encoding="utf-8", errors="replace") if decoded else path
        self.segments = [s for s in self.path.split("/") if s]
        self.params = dict(params)
        self.is_list = decoded

    def template_items(self) -> list[str] | None:
        """The segments when helpers see the path as a java.util.List (3.x), else None."""
        return self.segments if self.is_list else None

    def template_get(self, key: str) -> Any:
        if key in self.params:
            return self.params[key]
        if key.isdigit():
            index = int(key)
            return self.segments[index] if index < len(self.segments) else MISSING
        return MISSING

    def __str__(self) -> str:
        return self.path

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PathValue) and other.path == self.path

    def __hash__(self) -> int:
        return hash(self.path)


def _multi(values: Mapping[str, list[str]]) -> dict[str, ListOrSingle]:
    return {name: ListOrSingle(items) for name, items in values.items()}


def _base_url(scheme: str, host: str, port: int) -> str:
    default = (scheme == "http" and port == 80) or (scheme == "https" and port == 443)
    shown = f"[{host}]" if ":" in host else host
    return f"{scheme}://{shown}" if default else f"{scheme}://{shown}:{port}"


class RequestModel(PropertySource):
    """`request`: lazily built properties of one request."""

    java_class = "com.github.tomakehurst.wiremock.extension.responsetemplating.RequestTemplateModel"

    def __init__(
        self, req: RequestLike, path_params: Mapping[str, str], decode_path: bool = False, compat: int = 3
    ) -> None:
        self._req = req
        self._path_params = path_params
        self._decode_path = decode_path  # see PathValue
        self._compat = compat
        self._cache: dict[str, Any] = {}

    def template_get(self, key: str) -> Any:
        if key not in self._cache:
            self._cache[key] = self._compute(key)
        return self._cache[key]

    def _compute(self, key: str) -> Any:
        req = self._req
        line_keys = ("url", "path", "pathSegments", "query", "method", "scheme", "host", "port", "baseUrl")
        if key in line_keys:
            return self._line(key)
        if key == "requestLine":
            return _RequestLine(self)
        if key == "id":
            return req.id
        if key == "clientIp":
            return req.client_ip
        if key == "headers":
            # Printed sorted case-insensitively, as WireMock's header map iterates.
            headers = req.header_map()
            return CaseInsensitiveMap({k: ListOrSingle(headers[k]) for k in sorted(headers, key=str.lower)})
        if key == "cookies":
            return _multi(req.cookies)
        if key == "body":
            return req.body_as_string
        if key == "bodyAsBase64":
            return req.body_as_base64
        if key == "isBinary":
            return _is_binary(req.body)
        if key == "parts":
            return _parts(req)
        if key == "isMultipart":
            content_type = req.header_map()
            values = CaseInsensitiveMap(content_type).get("Content-Type") or [""]
            return values[0].lower().startswith("multipart/")
        return MISSING

    def _line(self, key: str) -> Any:
        req = self._req
        if key == "url":
            return req.url
        if key in ("path", "pathSegments"):
            if self._compat == 2:
                return UrlPath(unquote(req.path))
            return PathValue(req.path, self._path_params, decoded=self._decode_path)
        if key == "query":
            params = req.query_params
            return {name: ListOrSingle(params[name]) for name in java_hash_order(list(params))}
        if key == "method":
            return JavaEnum(req.method)
        if key == "scheme":
            return req.scheme
        if key == "host":
            return req.host
        if key == "port":
            return req.port
        if key == "baseUrl":
            return _base_url(req.scheme, req.host, req.port)
        return MISSING

    def __str__(self) -> str:
        return f"{self.java_class}@{id(self) & 0xFFFFFFF:x}"


class _RequestLine(PropertySource):
    def __init__(self, request: RequestModel) -> None:
        self._request = request

    def template_get(self, key: str) -> Any:
        return self._request._line(key)

    def __str__(self) -> str:
        return f"com.github.tomakehurst.wiremock.extension.responsetemplating.RequestLine@{id(self) & 0xFFFFFFF:x}"


class PartModel(PropertySource):
    """`request.parts.<name>`: one multipart part (headers named in lower case, as WireMock shows)."""

    def __init__(self, name: str, headers: Mapping[str, list[str]], body: bytes) -> None:
        self.name = name
        self.headers = CaseInsensitiveMap({k.lower(): ListOrSingle(v) for k, v in headers.items()})
        self.body = body

    def template_get(self, key: str) -> Any:
        if key == "name":
            return self.name
        if key == "headers":
            return self.headers
        if key == "body":
            return self.body.decode("utf-8", errors="replace")
        if key == "bodyAsBase64":
            return base64.b64encode(self.body).decode("ascii")
        if key == "binary":
            return _is_binary(self.body)
        return MISSING

    def __str__(self) -> str:
        body = self.body.decode("utf-8", errors="replace")
        return f"[name='{self.name}', headers={java_str(self.headers)}, body={body}]"


def _parts(req: RequestLike) -> dict[str, PartModel]:
    """Multipart parts by name, in WireMock's HashMap order; {} for any other body."""
    from podlab.stub.model import parse_multipart  # the matcher's parser: one multipart reading

    parsed = parse_multipart(req) if hasattr(req, "header") else None  # type: ignore[arg-type]
    by_name = {part.name: PartModel(part.name, part.headers, part.body) for part in parsed or [] if part.name}
    return {name: by_name[name] for name in java_hash_order(list(by_name))}


def _is_binary(body: bytes) -> bool:
    if not body:
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return bool(re.search(rb"[\x00-\x08\x0e-\x1f]", body))


@dataclass
class TemplateModel(PropertySource):
    """The root object templates see: `request` and `parameters`, plus render settings."""

    request: RequestModel
    parameters: dict[str, Any] = field(default_factory=dict)
    permitted_system_keys: tuple[str, ...] = (".*wiremock.*",)
    now: Callable[[], datetime] | None = None  # clock for `now`; None reads the system clock

    @classmethod
    def from_request(
        cls,
        req: RequestLike,
        *,
        parameters: Mapping[str, Any] | None = None,
        stub: Any = None,
        path_params: Mapping[str, str] | None = None,
        permitted_system_keys: tuple[str, ...] = (".*wiremock.*",),
        now: Callable[[], datetime] | None = None,
        compat: int = 3,
    ) -> TemplateModel:
        """Build the model; path variables come from `path_params` or the stub's `urlPathTemplate`.
        `compat=2`: `request.path` is 2.35.1's (values.UrlPath)."""
        params = dict(path_params) if path_params is not None else _template_params(stub, req.path)
        # 3.13.2 decodes the path only for a stub without a `urlPathTemplate` (observed: with
        # `/pp/{id}`, GET /pp/a%20b prints `/pp/a%20b|a%20b` for `{{request.path}}|{{request.path.id}}`).
        templated_path = path_params is not None or _has_path_template(stub)
        request = RequestModel(req, params, decode_path=compat >= 3 and not templated_path, compat=compat)
        return cls(request, dict(parameters or {}), permitted_system_keys, now)

    def template_size(self) -> int:
        return 2

    def __str__(self) -> str:
        # The root model is a Map in WireMock: {request=..., parameters=...}.
        return f"{{request={self.request}, parameters={java_str(self.parameters)}}}"

    def template_get(self, key: str) -> Any:
        if key == "request":
            return self.request
        if key == "parameters":
            return self.parameters
        return MISSING


def _has_path_template(stub: Any) -> bool:
    return getattr(getattr(getattr(stub, "request", None), "url", None), "template", None) is not None


def _template_params(stub: Any, path: str) -> dict[str, str]:
    """Variables of the stub's `urlPathTemplate` (podlab.stub.model's PathTemplate), still encoded."""
    template = getattr(getattr(getattr(stub, "request", None), "url", None), "template", None)
    if template is None:
        return {}
    values = template.parse_path(path)
    return dict(values or {})
