"""Basic auth in a request pattern: the credentials and the Authorization header pattern they become."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from podlab.stub.matchers import MatchResult, MultiValuePattern, parse_string_pattern
from podlab.stub.matchers.multi import SingleValue
from podlab.stub.model.binding import PKG, bind_object, bind_string, check_fields, non_null, present

_CREDENTIALS_CLASS = f"{PKG}.client.BasicCredentials"


@dataclass(frozen=True)
class BasicCredentials:
    username: str | None
    password: str | None

    @classmethod
    def parse(cls, value: Any, pointer: str) -> BasicCredentials:
        obj = bind_object(value, pointer, _CREDENTIALS_CLASS)
        check_fields(obj, pointer, ("username", "password"), _CREDENTIALS_CLASS)
        username = bind_string(obj["username"], f"{pointer}/username") if present(obj, "username") else None
        password = bind_string(obj["password"], f"{pointer}/password") if present(obj, "password") else None
        return cls(username, password)

    def to_json(self) -> dict[str, Any]:
        return non_null([("username", self.username), ("password", self.password)])

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
class BasicAuthHeaderPattern(SingleValue):
    """The Authorization header pattern basic auth adds (the best header value wins, as for any
    single header matcher); its own type so the diff can print it as WireMock does."""
