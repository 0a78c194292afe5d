"""metav1.LabelSelector: matching and the string form (LabelSelectorAsSelector(...).String())."""

from __future__ import annotations

from typing import Any

from podlab.k8s.errors import Obj


def _requirements(selector: Obj) -> list[tuple[str, str, list[str]]]:
    reqs: list[tuple[str, str, list[str]]] = []
    for key, value in (selector.get("matchLabels") or {}).items():
        reqs.append((str(key), "=", [str(value)]))
    for expr in selector.get("matchExpressions") or []:
        op = {"In": "in", "NotIn": "notin", "Exists": "exists", "DoesNotExist": "!"}.get(
            str(expr.get("operator")), "?"
        )
        reqs.append((str(expr.get("key", "")), op, sorted(str(v) for v in expr.get("values") or [])))
    return reqs


def selector_matches(selector: Obj | None, labels: dict[str, Any] | None) -> bool:
    """Whether labels satisfy the selector. A nil selector matches nothing, an empty one everything."""
    if selector is None:
        return False
    labels = labels or {}
    for key, op, values in _requirements(selector):
        present = key in labels
        value = str(labels.get(key, ""))
        if op in ("=", "in"):
            if not present or value not in values:
                return False
        elif op == "notin":
            if present and value in values:
                return False
        elif op == "exists":
            if not present:
                return False
        elif op == "!":
            if present:
                return False
        else:
            return False
    return True


def selector_string(selector: Obj | None) -> str:
    """`app=web,tier in (a,b)`: requirements sorted by key, as labels.Selector.String() prints."""
    if selector is None:
        return ""
    parts: list[tuple[str, str]] = []
    for key, op, values in _requirements(selector):
        if op == "=":
            text = f"{key}={values[0]}"
        elif op in ("in", "notin"):
            text = f"{key} {op} ({','.join(values)})"
        elif op == "exists":
            text = key
        else:
            text = f"!{key}"
        parts.append((key, text))
    return ",".join(text for _, text in sorted(parts, key=lambda p: p[0]))


def format_labels(labels: dict[str, Any] | None) -> str:
    """labels.FormatLabels: sorted `k=v` joined by commas, `<none>` when empty."""
    if not labels:
        return "<none>"
    return ",".join(f"{k}={labels[k]}" for k in sorted(labels))
