"""Label and field selectors, parsed once and matched many times.

Label selector grammar follows apimachinery `pkg/labels/selector.go`: comma-separated
requirements `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k` (exists), `!k` (absent).
Field selectors follow `pkg/fields/selector.go`: `path=v`, `path==v`, `path!=v`.
Hand-written: no maintained Python library parses Kubernetes selectors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .errors import BadRequest

Obj = dict[str, Any]

_SET_RE = re.compile(r"^\s*(!?)\s*([^\s=!(),]+)\s*(?:(notin|in)\s*\(([^)]*)\)\s*)?$")


@dataclass(frozen=True)
class Requirement:
    key: str
    op: str  # "=", "!=", "in", "notin", "exists", "!"
    values: tuple[str, ...]

    def matches(self, labels: dict[str, str]) -> bool:
        present = self.key in labels
        if self.op == "exists":
            return present
        if self.op == "!":
            return not present
        if self.op in ("=", "in"):
            return present and labels[self.key] in self.values
        # "!=" and "notin" match objects without the label, as in Kubernetes
        return not present or labels[self.key] not in self.values


def _split_top_level(text: str) -> list[str]:
    """Split on commas that are not inside `( )`."""
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


@dataclass(frozen=True)
class LabelSelector:
    requirements: tuple[Requirement, ...]

    @classmethod
    def parse(cls, text: str | None) -> LabelSelector:
        if text is None or not text.strip():
            return cls(())
        reqs: list[Requirement] = []
        for raw in _split_top_level(text):
            part = raw.strip()
            if not part:
                raise BadRequest(f"unable to parse requirement: found '', expected: identifier in {text!r}")
            reqs.append(_parse_requirement(part, text))
        return cls(tuple(reqs))

    def matches(self, labels: dict[str, str] | None) -> bool:
        have = labels or {}
        return all(req.matches(have) for req in self.requirements)

    @property
    def empty(self) -> bool:
        return not self.requirements


def _parse_requirement(part: str, whole: str) -> Requirement:
    for op in ("!=", "==", "="):
        if op in part:
            key, _, value = part.partition(op)
            key, value = key.strip(), value.strip()
            if not key or " " in key:
                raise BadRequest(f"unable to parse requirement: invalid label key {key!r} in {whole!r}")
            return Requirement(key, "!=" if op == "!=" else "=", (value,))
    match = _SET_RE.match(part)
    if match is None:
        raise BadRequest(f"unable to parse requirement: {part!r} in {whole!r}")
    negated, key, set_op, values = match.groups()
    if set_op:
        if negated:
            raise BadRequest(f"unable to parse requirement: {part!r} in {whole!r}")
        items = tuple(v.strip() for v in values.split(",") if v.strip())
        return Requirement(key, set_op, items)
    return Requirement(key, "!" if negated else "exists", ())


def field_value(obj: Obj, path: str) -> str:
    """The string form of a dotted field path, "" when absent (Kubernetes' field sets do the same)."""
    current: Any = obj
    for segment in path.split("."):
        if not isinstance(current, dict):
            return ""
        current = current.get(segment)
    if current is None:
        return ""
    if isinstance(current, bool):
        return "true" if current else "false"
    return str(current)


@dataclass(frozen=True)
class FieldRequirement:
    path: str
    negated: bool
    value: str

    def matches(self, obj: Obj) -> bool:
        return (field_value(obj, self.path) == self.value) != self.negated


@dataclass(frozen=True)
class FieldSelector:
    requirements: tuple[FieldRequirement, ...]

    @classmethod
    def parse(cls, text: str | None) -> FieldSelector:
        if text is None or not text.strip():
            return cls(())
        reqs: list[FieldRequirement] = []
        for raw in text.split(","):
            part = raw.strip()
            op = next((o for o in ("!=", "==", "=") if o in part), None)
            path, _, value = part.partition(op or "=")
            if op is None or not path.strip():
                raise BadRequest(f"invalid selector: '{text}'; can't understand '{part}'")
            reqs.append(FieldRequirement(path.strip(), op == "!=", value.strip()))
        return cls(tuple(reqs))

    def matches(self, obj: Obj) -> bool:
        return all(req.matches(obj) for req in self.requirements)

    def exact_name(self) -> str | None:
        """The name when the selector pins `metadata.name=X` (lets lookups skip a scan)."""
        for req in self.requirements:
            if req.path == "metadata.name" and not req.negated:
                return req.value
        return None


@dataclass(frozen=True)
class Selector:
    """Label and field selector together, as list and watch take them."""

    labels: LabelSelector
    fields: FieldSelector

    @classmethod
    def parse(cls, label_selector: str | None, field_selector: str | None) -> Selector:
        return cls(LabelSelector.parse(label_selector), FieldSelector.parse(field_selector))

    def matches(self, obj: Obj) -> bool:
        meta = obj.get("metadata") or {}
        return self.labels.matches(meta.get("labels")) and self.fields.matches(obj)
