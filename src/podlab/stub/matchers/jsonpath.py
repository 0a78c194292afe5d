"""A JSONPath evaluator in the dialect of Jayway JsonPath (what WireMock and its templates use).

Hand-written because no Python library speaks Jayway's dialect: jsonpath-ng lacks `in`/`nin`/
`anyof`/`size`/`empty`, `!@.x`, `=~ /re/i` with whole-match semantics, and `length()` /
`size()` / `min()`... as trailing functions; and Jayway's split between *definite* paths
(one value, or "path not found") and *indefinite* ones (a possibly empty list) decides whether
WireMock sees a value at all.

Supported: `$`, `.name`, `['name', 'other']`, `[0]`, `[-1]`, `[0,2]`, `[1:3]`, `[*]`, `.*`,
`..name`, `..*`, `..[0]`, `[?(filter)]`, and trailing `length() size() min() max() avg() sum()
keys() first() last()`. Filters: `@`/`$` paths, literals ('s', "s", numbers, true, false,
null, [json arrays]), `/regex/flags`, `== != < <= > >= =~ in nin subsetof anyof noneof size
empty contains`, `&&`, `||`, `!`, parentheses.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from podlab.stub.matchers.jsonpath_syntax import (
    Compare,
    CompiledPath,
    JsonPathError,
    Literal,
    Logic,
    PathOperand,
    Regex,
    Step,
    compile_path,
)

__all__ = ["CompiledPath", "JsonPathError", "PathNotFound", "compile_path", "read"]


class PathNotFound(LookupError):
    """A definite path names a member or index that is not there."""


_MISSING = object()


def read(path: CompiledPath, document: Any, root: Any = _MISSING, *, leaf_null: bool = False) -> Any:
    """JsonPath.read: the value of a definite path, or a list for an indefinite one.

    Raises PathNotFound when a definite path is missing. `leaf_null` is Jayway's
    DEFAULT_PATH_LEAF_TO_NULL option (what WireMock's templates configure): a missing last member
    of an object reads as null, also in a deep scan (`$..x` lists a null per object without `x`).
    """
    root_doc = document if root is _MISSING else root
    definite = path.definite
    nodes = [document]
    last = len(path.steps) - 1
    for n, step in enumerate(path.steps):
        nodes = _apply(step, nodes, root_doc, definite, leaf_null and n == last)
    if path.function is not None:
        target: Any = nodes[0] if definite else nodes
        return _function(path.function, target)
    if definite:
        return nodes[0]
    return nodes


def _apply(step: Step, nodes: list[Any], root: Any, definite: bool, leaf_null: bool = False) -> list[Any]:
    out: list[Any] = []
    null_leaf = leaf_null and step.kind == "name" and len(step.args) == 1
    for node in nodes:
        targets = _descendants(node) if step.deep else [node]
        for target in targets:
            if null_leaf and isinstance(target, dict) and step.args[0] not in target:
                out.append(None)
                continue
            out.extend(_select(step, target, root, definite and not step.deep))
    return out


def _descendants(node: Any) -> list[Any]:
    found = [node]
    if isinstance(node, dict):
        for value in node.values():
            found.extend(_descendants(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_descendants(value))
    return found


def _select(step: Step, node: Any, root: Any, strict: bool) -> list[Any]:
    if step.kind == "name":
        if not isinstance(node, dict):
            if strict:
                raise PathNotFound(f"Expected to find an object with property {step.args[0]!r}")
            return []
        picked = []
        for name in step.args:
            if name in node:
                picked.append(node[name])
            elif strict:
                raise PathNotFound(f"No results for path: ['{name}']")
        return picked
    if step.kind == "wild":
        if isinstance(node, dict):
            return list(node.values())
        if isinstance(node, list):
            return list(node)
        return []
    if step.kind == "index":
        if not isinstance(node, list):
            if strict:
                raise PathNotFound(
                    "Filter: [" + ",".join(map(str, step.args)) + "] can only be applied to arrays"
                )
            return []
        picked = []
        for index in step.args:
            if -len(node) <= index < len(node):
                picked.append(node[index])
            elif strict:
                raise PathNotFound(f"Index out of bounds when evaluating path [{index}]")
        return picked
    if step.kind == "slice":
        if not isinstance(node, list):
            return []
        start, stop, stride = step.args
        return node[slice(start, stop, stride)]
    if step.kind == "filter":
        (expr,) = step.args
        candidates = node if isinstance(node, list) else [node] if isinstance(node, dict) else []
        return [item for item in candidates if _truthy(expr, item, root)]
    raise AssertionError(step.kind)


def _function(name: str, target: Any) -> Any:
    if name in ("length", "size"):
        if isinstance(target, list | dict):
            return len(target)
        raise PathNotFound(f"Aggregation function attempted to calculate value using empty array: {name}")
    if name == "keys":
        if isinstance(target, dict):
            return list(target.keys())
        raise PathNotFound("keys() applied to a non-object")
    if name in ("first", "last"):
        if isinstance(target, list) and target:
            return target[0] if name == "first" else target[-1]
        raise PathNotFound(f"{name}() applied to an empty array")
    numbers = [Decimal(str(v)) for v in (target if isinstance(target, list) else []) if _number(v)]
    if not numbers:
        raise PathNotFound(f"Aggregation function attempted to calculate value using empty array: {name}")
    if name == "min":
        return float(min(numbers))
    if name == "max":
        return float(max(numbers))
    if name == "sum":
        return float(sum(numbers, Decimal(0)))
    mean = sum(numbers, Decimal(0)) / len(numbers)
    if name == "avg":
        return float(mean)
    variance = sum(((n - mean) ** 2 for n in numbers), Decimal(0)) / len(numbers)
    return float(variance.sqrt())


def _number(v: Any) -> bool:
    return isinstance(v, int | float | Decimal) and not isinstance(v, bool)


def _operand_value(operand: Any, current: Any, root: Any) -> Any:
    if isinstance(operand, Literal):
        return operand.value
    if isinstance(operand, PathOperand):
        doc = current if operand.path.root == "@" else root
        try:
            return read(operand.path, doc, root)
        except PathNotFound:
            return _MISSING
    return operand


def _truthy(expr: Any, current: Any, root: Any) -> bool:
    if isinstance(expr, Logic):
        if expr.op == "!":
            return not _truthy(expr.items[0], current, root)
        results = (_truthy(e, current, root) for e in expr.items)
        return all(results) if expr.op == "&&" else any(results)
    assert isinstance(expr, Compare)
    left = _operand_value(expr.left, current, root)
    if expr.op is None:
        if isinstance(expr.left, PathOperand) and not expr.left.path.definite:
            return left is not _MISSING and bool(left)
        return left is not _MISSING
    if left is _MISSING:
        # Jayway compares a missing member as "undefined": only != and nin hold
        return expr.op in ("!=", "nin")
    if expr.op == "=~":
        if not isinstance(expr.right, Regex) or not isinstance(left, str):
            return False
        return expr.right.pattern.fullmatch(left) is not None
    right = _operand_value(expr.right, current, root)
    if right is _MISSING:
        return False
    return _compare(expr.op, left, right)


def _equal(a: Any, b: Any) -> bool:
    if _number(a) and _number(b):
        return Decimal(str(a)) == Decimal(str(b))
    if (_number(a) and isinstance(b, str)) or (isinstance(a, str) and _number(b)):
        # Jayway's NumberNode.equals converts a string operand to a number ('1' == 1)
        try:
            return Decimal(str(a)) == Decimal(str(b))
        except ArithmeticError:
            return False
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        return type(a) is type(b) and a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    return bool(type(a) is type(b) and a == b)


def _compare(op: str, left: Any, right: Any) -> bool:
    if op == "==":
        return _equal(left, right)
    if op == "!=":
        return not _equal(left, right)
    if op in ("<", "<=", ">", ">="):
        if _number(left) and _number(right):
            a: Any = Decimal(str(left))
            b: Any = Decimal(str(right))
        elif isinstance(left, str) and isinstance(right, str):
            a, b = left, right
        else:
            return False
        return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
    if op in ("in", "nin"):
        inside = isinstance(right, list) and any(_equal(left, r) for r in right)
        return inside if op == "in" else not inside
    if op == "subsetof":
        return (
            isinstance(left, list)
            and isinstance(right, list)
            and all(any(_equal(x, r) for r in right) for x in left)
        )
    if op == "anyof":
        return (
            isinstance(left, list)
            and isinstance(right, list)
            and any(any(_equal(x, r) for r in right) for x in left)
        )
    if op == "noneof":
        return (
            isinstance(left, list)
            and isinstance(right, list)
            and not any(any(_equal(x, r) for r in right) for x in left)
        )
    if op == "size":
        return isinstance(left, list | str) and _number(right) and len(left) == int(right)
    if op == "empty":
        return isinstance(left, list | str) and isinstance(right, bool) and (len(left) == 0) == right
    if op == "contains":
        if isinstance(left, str) and isinstance(right, str):
            return right in left
        return isinstance(left, list) and any(_equal(x, right) for x in left)
    return False
