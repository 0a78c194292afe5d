"""Multipart request bodies: reading the parts and matching `multipartPatterns` entries."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from podlab.stub.matchers import ContentPattern, MatchResult, MultiValuePattern
from podlab.stub.model.binding import PKG, bind_object, bind_string, check_fields, fail, non_null, present
from podlab.stub.model.pattern_maps import content_list, match_body, multi_map
from podlab.stub.model.request import charset_of

if TYPE_CHECKING:
    from podlab.stub.model.request import LoggedRequest

MULTIPART_CLASS = f"{PKG}.matching.MultipartValuePattern"


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
        obj = bind_object(value, pointer, MULTIPART_CLASS)
        check_fields(
            obj, pointer, ("name", "fileName", "matchingType", "headers", "bodyPatterns"), MULTIPART_CLASS
        )
        matching_type = None
        if present(obj, "matchingType"):
            matching_type = bind_string(obj["matchingType"], f"{pointer}/matchingType")
            if matching_type not in ("ALL", "ANY"):
                raise fail(
                    f"{pointer}/matchingType",
                    "Cannot deserialize value of type "
                    f'`{MULTIPART_CLASS}$MatchingType` from String "{matching_type}": '
                    "not one of the values accepted for Enum class: [ALL, ANY]",
                )
        return cls(
            name=bind_string(obj["name"], f"{pointer}/name") if present(obj, "name") else None,
            file_name=bind_string(obj["fileName"], f"{pointer}/fileName")
            if present(obj, "fileName")
            else None,
            matching_type=matching_type,
            headers=multi_map(obj, "headers", pointer),
            body_patterns=content_list(obj, "bodyPatterns", pointer),
        )

    def to_json(self) -> dict[str, Any]:
        headers = self.headers
        bodies = self.body_patterns
        return non_null(
            [
                ("name", self.name),
                ("fileName", self.file_name),
                ("matchingType", self.matching_type),
                ("headers", {k: v.to_json() for k, v in headers.items()} if headers is not None else None),
                ("bodyPatterns", [p.to_json() for p in bodies] if bodies is not None else None),
            ]
        )

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
