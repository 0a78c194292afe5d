"""Field selectors, and label plus field selectors together as list and watch take them.

Field selectors follow apimachinery `pkg/fields/selector.go`: `path=v`, `path==v`, `path!=v`.
Label selectors are `podlab.k8s.selectors` (the one implementation); a string that does not
parse is a 400 BadRequest here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from podlab.k8s.selectors import LabelSelector, SelectorError

from .errors import BadRequest

Obj = dict[str, Any]


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


@dataclass(frozen=True)
class Selector:
    """Label and field selector together, as list and watch take them."""

    labels: LabelSelector
    fields: FieldSelector

    @classmethod
    def parse(cls, label_selector: str | None, field_selector: str | None) -> Selector:
        try:
            labels = LabelSelector.parse(label_selector)
        except SelectorError as err:
            raise BadRequest(str(err)) from None
        return cls(labels, FieldSelector.parse(field_selector))

    def matches(self, obj: Obj) -> bool:
        meta = obj.get("metadata") or {}
        return self.labels.matches(meta.get("labels")) and self.fields.matches(obj)
