"""The URL part of a request pattern: url / urlPattern / urlPath / urlPathPattern / urlPathTemplate."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from podlab.stub.matchers import MatchResult, StringValuePattern, parse_string_pattern
from podlab.stub.matchers.distance import normalised_levenshtein
from podlab.stub.matchers.string import Matches
from podlab.stub.model.binding import bind_string, present

if TYPE_CHECKING:
    from podlab.stub.model.request import LoggedRequest

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
            if not present(obj, key):
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
        if isinstance(self.pattern, Matches):
            # urlPattern / urlPathPattern: the compiled regex straight, no MatchResult per stub
            # (a request may be tried against every regex stub).
            return self.pattern.compiled.matches(self.target(req))
        return self.pattern.match(self.target(req)).is_exact_match

    def printed(self) -> str:
        """How the diff's left column shows the URL expectation."""
        if self.key is None:
            return "(always)"
        label = {"urlPath": "path", "urlPattern": "regex", "urlPathPattern": "path regex"}.get(self.key, "")
        if self.key == "urlPathTemplate":
            label = "path template"
        return f"[{label}] {self.value}" if label else self.value
