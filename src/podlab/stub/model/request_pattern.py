"""The `request` part of a stub: binding it, printing it, and scoring a request against it.

`RequestPattern.match` scores a request exactly as WireMock 3.13's RequestPattern: URL, method,
scheme, host, port and client IP first (weighted), and only when those all match the headers,
parameters, cookies and bodies.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from podlab.stub.jvm.errors import InvalidInputError
from podlab.stub.jvm.javahash import java_hash_order, java_hashmap_copy_capacity
from podlab.stub.matchers import (
    ContentPattern,
    MatchResult,
    MultiValuePattern,
    StringValuePattern,
    parse_string_pattern,
)
from podlab.stub.model.basic_auth import BasicCredentials
from podlab.stub.model.binding import (
    PKG,
    bind_int,
    bind_list,
    bind_object,
    bind_string,
    check_fields,
    fail,
    no_scalar_creator,
    non_null,
    present,
)
from podlab.stub.model.multipart import MULTIPART_CLASS, MultipartValuePattern, parse_multipart
from podlab.stub.model.pattern_maps import content_list, match_body, multi_map, string_map
from podlab.stub.model.url_pattern import URL_KEYS, UrlMatcher

if TYPE_CHECKING:
    from podlab.stub.model.request import LoggedRequest

_PATTERN_CLASS = f"{PKG}.matching.RequestPattern"

_PATTERN_FIELDS = (
    "scheme", "host", "port", "clientIp", *URL_KEYS, "method", "headers", "pathParameters",
    "queryParameters", "formParameters", "cookies", "basicAuth", "basicAuthCredentials",
    "bodyPatterns", "customMatcher", "multipartPatterns",
)  # fmt: skip
# WireMock 2.35.1's RequestPattern has none of the 3.x additions (measured: "Unrecognized field").
_PATTERN_FIELDS_2X = tuple(
    f for f in _PATTERN_FIELDS if f not in ("urlPathTemplate", "pathParameters", "clientIp", "formParameters")
)


@dataclass(frozen=True)
class CustomMatcherDefinition:
    name: str | None
    parameters: dict[str, Any] | None

    def to_json(self) -> dict[str, Any]:
        return non_null([("name", self.name), ("parameters", self.parameters)])


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
    def from_json(cls, obj: Any, pointer: str = "/request", *, compat: int = 3) -> RequestPattern:
        """Bind a request pattern (InvalidInputError naming the field); `compat=2` refuses what
        2.35.1 does not know (path templates, path, form and client IP matchers, hasExactly)."""
        if obj is None:
            return cls()
        obj = bind_object(obj, pointer, _PATTERN_CLASS)
        allowed = _PATTERN_FIELDS if compat == 3 else _PATTERN_FIELDS_2X
        # a bad value is reported before an unknown field, wherever each stands (seen on both
        # jars: Jackson fails on unknown creator properties only once the others are read)
        fields = {key: value for key, value in obj.items() if key in allowed}
        try:
            known = cls._bind(fields, pointer, compat)
        except InvalidInputError:
            cls._first_bad_field(fields, pointer, compat)
            raise
        check_fields(obj, pointer, allowed, _PATTERN_CLASS)
        return known

    @classmethod
    def _first_bad_field(cls, fields: dict[str, Any], pointer: str, compat: int) -> None:
        """Raise the error of the first field, in document order, that fails on its own: Jackson
        reads the fields in order (`cookies` before `headers` reports the cookie). Errors that
        need other fields (or none) leave the error `_bind` found."""
        for key, value in fields.items():
            try:
                cls._bind({key: value}, pointer, compat)
            except InvalidInputError as err:
                if str(err.errors[0].get("source", {}).get("pointer", "")).startswith(f"{pointer}/{key}"):
                    raise

    @classmethod
    def _bind(cls, obj: dict[str, Any], pointer: str, compat: int) -> RequestPattern:
        method = "ANY"
        if present(obj, "method"):
            value = obj["method"]
            if not isinstance(value, str):
                raise fail(f"{pointer}/method", no_scalar_creator(f"{PKG}.http.RequestMethod", value))
            method = value
        credentials = None
        for key in ("basicAuth", "basicAuthCredentials"):  # both given: basicAuthCredentials wins
            if present(obj, key):
                credentials = BasicCredentials.parse(obj[key], f"{pointer}/{key}")
        custom = None
        if present(obj, "customMatcher"):
            here = f"{pointer}/customMatcher"
            raw = bind_object(obj["customMatcher"], here, f"{PKG}.matching.CustomMatcherDefinition")
            check_fields(raw, here, ("name", "parameters"), f"{PKG}.matching.CustomMatcherDefinition")
            params = raw.get("parameters")
            custom = CustomMatcherDefinition(
                bind_string(raw["name"], f"{here}/name") if present(raw, "name") else None,
                bind_object(params, f"{here}/parameters", f"{PKG}.common.Parameters")
                if params is not None
                else None,
            )
        multipart = None
        if present(obj, "multipartPatterns"):
            here = f"{pointer}/multipartPatterns"
            raw_list = bind_list(obj["multipartPatterns"], here, f"java.util.ArrayList<{MULTIPART_CLASS}>")
            multipart = [MultipartValuePattern.parse(item, f"{here}/{i}") for i, item in enumerate(raw_list)]
        return cls(
            url=UrlMatcher.parse(obj, pointer),
            method=method,
            scheme=bind_string(obj["scheme"], f"{pointer}/scheme") if present(obj, "scheme") else None,
            host=parse_string_pattern(obj["host"], f"{pointer}/host") if present(obj, "host") else None,
            port=bind_int(obj["port"], f"{pointer}/port") if present(obj, "port") else None,
            client_ip=parse_string_pattern(obj["clientIp"], f"{pointer}/clientIp")
            if present(obj, "clientIp")
            else None,
            headers=multi_map(obj, "headers", pointer, compat=compat),
            path_parameters=string_map(obj, "pathParameters", pointer),
            query_parameters=multi_map(obj, "queryParameters", pointer, compat=compat),
            form_parameters=multi_map(obj, "formParameters", pointer, compat=compat),
            cookies=string_map(obj, "cookies", pointer, compat=compat),
            basic_auth=credentials,
            body_patterns=content_list(obj, "bodyPatterns", pointer, compat=compat),
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
        weighted.extend((part(req), 1.0) for part in self._part_scorers())
        return self._with_custom(MatchResult.aggregate_weighted(weighted))

    def fits_before_body(self, req: LoggedRequest) -> bool:
        """Whether every part WireMock 3 checks before the body fits `req` exactly: only then
        does it keep the body matchers' WARNING sub-events (seen on 3.13.2, near misses)."""
        parts = (
            self._scheme_result,
            self._host_result,
            self._port_result,
            self.url.match,
            self.method_result,
            *self._part_scorers()[:5],  # path params, headers, query, form, cookies
        )
        if self.client_ip is not None and not self.client_ip.match(req.client_ip).is_exact_match:
            return False
        return all(part(req).is_exact_match for part in parts)

    def _part_scorers(self) -> tuple[Callable[[LoggedRequest], MatchResult], ...]:
        """The parts WireMock 3 scores once the URL, method etc. fit, in its order."""
        return (
            self._path_params_result,
            self._headers_result,
            self._query_result,
            self._form_result,
            self._cookies_result,
            self._body_result,
            self._multipart_result,
        )

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
        # Pattern first: req.host parses the absolute URL, which most stubs never need.
        if self.host is not None and not self.host.match(req.host).is_exact_match:
            return False
        if self.client_ip is not None and not self.client_ip.match(req.client_ip).is_exact_match:
            return False
        if self.custom_matcher is not None:
            return False
        scorers = self._active_part_scorers
        return not scorers or all(part(self, req).is_exact_match for part in scorers)

    @cached_property
    def _active_part_scorers(self) -> tuple[Callable[[RequestPattern, LoggedRequest], MatchResult], ...]:
        """The part scorers of `_part_scorers` this pattern has something for, computed once per
        stub: an absent part always scores exact, so serving skips it rather than building a
        MatchResult per part per request. Plain functions, not bound methods, so the cache does
        not make a reference cycle through the instance."""
        cls = RequestPattern
        wanted = [
            (cls._path_params_result, self.url.template is not None and bool(self.path_parameters)),
            (cls._headers_result, bool(self.headers) or self.basic_auth is not None),
            (cls._query_result, bool(self.query_parameters)),
            (cls._form_result, bool(self.form_parameters)),
            (cls._cookies_result, bool(self.cookies)),
            (cls._body_result, bool(self.body_patterns)),
            (cls._multipart_result, bool(self.multipart_patterns)),
        ]
        return tuple(scorer for scorer, active in wanted if active)

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
        return _params_result(self.query_parameters, lambda: req.query_params)

    def _form_result(self, req: LoggedRequest) -> MatchResult:
        return _params_result(self.form_parameters, lambda: req.form_params)

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


def _params_result(
    patterns: dict[str, MultiValuePattern] | None, read_params: Callable[[], dict[str, list[str]]]
) -> MatchResult:
    """Query or form parameters (parsed only when some are matched): every named parameter
    against its matcher, the mean distance."""
    if not patterns:
        return MatchResult.exact()
    params = read_params()
    return MatchResult.aggregate(p.match(params.get(name)) for name, p in patterns.items())
