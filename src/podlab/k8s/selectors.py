"""Label selectors, the one implementation: parsed from their string form (`?labelSelector=`)
or built from a metav1.LabelSelector object, matched, and printed as `labels.Selector.String()`.

The string grammar follows apimachinery `pkg/labels/selector.go`: comma-separated requirements
`k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k` (exists), `!k` (absent).
Hand-written: no maintained Python library parses Kubernetes selectors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from podlab.k8s.errors import Obj

_SET_RE = re.compile(r"^\s*(!?)\s*([^\s=!(),]+)\s*(?:(notin|in)\s*\(([^)]*)\)\s*)?$")
# metav1.LabelSelectorOperator -> the requirement's operator; anything else matches nothing
_OPERATORS = {"In": "in", "NotIn": "notin", "Exists": "exists", "DoesNotExist": "!"}


class SelectorError(ValueError):
    """A label selector string that does not parse; the message is apimachinery's."""


@dataclass(frozen=True)
class Requirement:
    key: str
    op: str  # "=", "!=", "in", "notin", "exists", "!", or "?" (an unknown operator)
    values: tuple[str, ...]

    def matches(self, labels: dict[str, Any]) -> bool:
        present = self.key in labels
        if self.op == "exists":
            return present
        if self.op == "!":
            return not present
        if self.op in ("=", "in"):
            return present and str(labels[self.key]) in self.values
        if self.op in ("!=", "notin"):
            # match objects without the label, as in Kubernetes
            return not present or str(labels[self.key]) not in self.values
        return False

    def __str__(self) -> str:
        if self.op in ("=", "!="):
            return f"{self.key}{self.op}{self.values[0]}"
        if self.op in ("in", "notin"):
            return f"{self.key} {self.op} ({','.join(self.values)})"
        if self.op == "exists":
            return self.key
        return f"!{self.key}"


@dataclass(frozen=True)
class LabelSelector:
    requirements: tuple[Requirement, ...]

    @classmethod
    def parse(cls, text: str | None) -> LabelSelector:
        """The string form; SelectorError when it does not parse."""
        if text is None or not text.strip():
            return cls(())
        reqs: list[Requirement] = []
        for raw in _split_top_level(text):
            part = raw.strip()
            if not part:
                raise SelectorError(
                    f"unable to parse requirement: found '', expected: identifier in {text!r}"
                )
            reqs.append(_parse_requirement(part, text))
        return cls(tuple(reqs))

    @classmethod
    def from_object(cls, selector: Obj) -> LabelSelector:
        """metav1.LabelSelectorAsSelector: matchLabels then matchExpressions (values sorted)."""
        reqs = [Requirement(str(k), "=", (str(v),)) for k, v in (selector.get("matchLabels") or {}).items()]
        for expr in selector.get("matchExpressions") or []:
            op = _OPERATORS.get(str(expr.get("operator")), "?")
            values = tuple(sorted(str(v) for v in expr.get("values") or []))
            reqs.append(Requirement(str(expr.get("key", "")), op, values))
        return cls(tuple(reqs))

    def matches(self, labels: dict[str, Any] | None) -> bool:
        have = labels or {}
        return all(req.matches(have) for req in self.requirements)

    @property
    def empty(self) -> bool:
        return not self.requirements

    def __str__(self) -> str:
        """labels.Selector.String(): requirements sorted by key."""
        return ",".join(str(r) for r in sorted(self.requirements, key=lambda r: r.key))


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


def _parse_requirement(part: str, whole: str) -> Requirement:
    for op in ("!=", "==", "="):
        if op in part:
            key, _, value = part.partition(op)
            key, value = key.strip(), value.strip()
            if not key or " " in key:
                raise SelectorError(f"unable to parse requirement: invalid label key {key!r} in {whole!r}")
            return Requirement(key, "!=" if op == "!=" else "=", (value,))
    match = _SET_RE.match(part)
    if match is None:
        raise SelectorError(f"unable to parse requirement: {part!r} in {whole!r}")
    negated, key, set_op, values = match.groups()
    if set_op:
        if negated:
            raise SelectorError(f"unable to parse requirement: {part!r} in {whole!r}")
        items = tuple(v.strip() for v in values.split(",") if v.strip())
        return Requirement(key, set_op, items)
    return Requirement(key, "!" if negated else "exists", ())


def selector_matches(selector: Obj | None, labels: dict[str, Any] | None) -> bool:
    """Whether labels satisfy a metav1.LabelSelector. A nil selector matches nothing, an empty one everything."""
    if selector is None:
        return False
    return LabelSelector.from_object(selector).matches(labels)


def selector_string(selector: Obj | None) -> str:
    """`app=web,tier in (a,b)`: a metav1.LabelSelector as labels.Selector.String() prints it."""
    if selector is None:
        return ""
    return str(LabelSelector.from_object(selector))


def format_labels(labels: dict[str, Any] | None) -> str:
    """labels.FormatLabels: sorted `k=v` joined by commas, `<none>` when empty."""
    if not labels:
        return "<none>"
    return ",".join(f"{k}={labels[k]}" for k in sorted(labels))
