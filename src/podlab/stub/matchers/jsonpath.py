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

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from podlab.stub.matchers.java_regex import JavaRegexError, compile_java_regex


class JsonPathError(ValueError):
    """The expression cannot be parsed (WireMock: InvalidPathException at stub creation)."""


class PathNotFound(LookupError):
    """A definite path names a member or index that is not there."""


_MISSING = object()


@dataclass(frozen=True)
class _Step:
    kind: str  # "name" | "index" | "slice" | "wild" | "filter"
    args: tuple[Any, ...] = ()
    deep: bool = False


@dataclass(frozen=True)
class CompiledPath:
    source: str
    root: str  # "$" or "@"
    steps: tuple[_Step, ...]
    function: str | None

    @property
    def definite(self) -> bool:
        for s in self.steps:
            if s.deep or s.kind in ("wild", "filter", "slice"):
                return False
            if len(s.args) > 1:
                return False
        return True


_FUNCTIONS = {"length", "size", "min", "max", "avg", "sum", "keys", "first", "last", "stddev"}
_NAME = re.compile(r"[^.\[\]()\s=!<>&|,]+")


class _PathParser:
    def __init__(self, text: str, pos: int = 0, *, in_filter: bool = False) -> None:
        self.t = text
        self.i = pos
        self.in_filter = in_filter

    def fail(self, message: str) -> JsonPathError:
        return JsonPathError(f"{message} at position {self.i} in {self.t!r}")

    def skip_ws(self) -> None:
        while self.i < len(self.t) and self.t[self.i].isspace():
            self.i += 1

    def parse(self) -> CompiledPath:
        t = self.t
        if self.i >= len(t) or t[self.i] not in "$@":
            if self.in_filter:
                raise self.fail("Path must start with $ or @")
            # Jayway accepts "a.b" as "$.a.b"
            t = self.t = t[: self.i] + "$." + t[self.i :]
        root = t[self.i]
        self.i += 1
        steps: list[_Step] = []
        function: str | None = None
        while self.i < len(t):
            c = t[self.i]
            if c == ".":
                deep = t.startswith("..", self.i)
                self.i += 2 if deep else 1
                if self.i < len(t) and t[self.i] == "[":
                    steps.append(self.bracket(deep))
                    continue
                if self.i < len(t) and t[self.i] == "*":
                    self.i += 1
                    steps.append(_Step("wild", deep=deep))
                    continue
                m = _NAME.match(t, self.i)
                if not m:
                    raise self.fail("Path must not end with a '.' or '..'")
                self.i = m.end()
                name = m.group(0)
                if t.startswith("()", self.i):
                    if name not in _FUNCTIONS:
                        raise self.fail(f"Function with name: {name} does not exist.")
                    self.i += 2
                    function = name
                    break
                steps.append(_Step("name", (name,), deep))
            elif c == "[":
                steps.append(self.bracket(False))
            elif self.in_filter:
                break
            elif c.isspace():
                self.skip_ws()
                if self.i < len(t):
                    raise self.fail("Unexpected character")
            else:
                raise self.fail("Unexpected character")
        return CompiledPath(self.t, root, tuple(steps), function)

    def bracket(self, deep: bool) -> _Step:
        t = self.t
        self.i += 1  # '['
        self.skip_ws()
        if t.startswith("?(", self.i):
            self.i += 2
            expr = _FilterParser(self).parse_or()
            self.skip_ws()
            if not t.startswith(")", self.i):
                raise self.fail("Filter must end with ')'")
            self.i += 1
            self.skip_ws()
            self.expect("]")
            return _Step("filter", (expr,), deep)
        if t.startswith("*", self.i):
            self.i += 1
            self.skip_ws()
            self.expect("]")
            return _Step("wild", deep=deep)
        if self.i < len(t) and t[self.i] in "'\"":
            names: list[str] = []
            while True:
                self.skip_ws()
                names.append(self.quoted())
                self.skip_ws()
                if t.startswith(",", self.i):
                    self.i += 1
                    continue
                self.expect("]")
                return _Step("name", tuple(names), deep)
        end = t.find("]", self.i)
        if end < 0:
            raise self.fail("Could not parse token")
        body = t[self.i : end].replace(" ", "")
        self.i = end + 1
        if ":" in body:
            parts = body.split(":")
            if len(parts) > 3 or not all(re.fullmatch(r"-?\d*", p) for p in parts):
                raise self.fail("Could not parse token")
            nums = [int(p) if p else None for p in parts] + [None] * (3 - len(parts))
            if nums[2] == 0:
                raise self.fail("Slice step cannot be zero")
            return _Step("slice", tuple(nums), deep)
        if not re.fullmatch(r"-?\d+(,-?\d+)*", body):
            raise self.fail("Could not parse token")
        return _Step("index", tuple(int(x) for x in body.split(",")), deep)

    def quoted(self) -> str:
        t = self.t
        if self.i >= len(t) or t[self.i] not in "'\"":
            raise self.fail("Expected quoted name")
        quote = t[self.i]
        j = self.i + 1
        out: list[str] = []
        while j < len(t) and t[j] != quote:
            if t[j] == "\\" and j + 1 < len(t):
                j += 1
            out.append(t[j])
            j += 1
        if j >= len(t):
            raise self.fail("Property has not been closed - missing closing " + quote)
        self.i = j + 1
        return "".join(out)

    def expect(self, s: str) -> None:
        if not self.t.startswith(s, self.i):
            raise self.fail(f"Expected '{s}'")
        self.i += len(s)


# ---- filters -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Literal:
    value: Any


@dataclass(frozen=True)
class _Regex:
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class _PathOperand:
    path: CompiledPath


@dataclass(frozen=True)
class _Compare:
    left: Any
    op: str | None
    right: Any


@dataclass(frozen=True)
class _Logic:
    op: str  # "&&" | "||" | "!"
    items: tuple[Any, ...]


_WORD_OPS = ["nin", "in", "subsetof", "anyof", "noneof", "size", "empty", "contains"]


class _FilterParser:
    def __init__(self, owner: _PathParser) -> None:
        self.p = owner

    @property
    def t(self) -> str:
        return self.p.t

    def parse_or(self) -> Any:
        items = [self.parse_and()]
        while True:
            self.p.skip_ws()
            if self.t.startswith("||", self.p.i):
                self.p.i += 2
                items.append(self.parse_and())
            else:
                return items[0] if len(items) == 1 else _Logic("||", tuple(items))

    def parse_and(self) -> Any:
        items = [self.parse_unary()]
        while True:
            self.p.skip_ws()
            if self.t.startswith("&&", self.p.i):
                self.p.i += 2
                items.append(self.parse_unary())
            else:
                return items[0] if len(items) == 1 else _Logic("&&", tuple(items))

    def parse_unary(self) -> Any:
        self.p.skip_ws()
        if self.t.startswith("!", self.p.i) and not self.t.startswith("!=", self.p.i):
            self.p.i += 1
            return _Logic("!", (self.parse_unary(),))
        if self.t.startswith("(", self.p.i):
            self.p.i += 1
            inner = self.parse_or()
            self.p.skip_ws()
            self.p.expect(")")
            return inner
        left = self.operand()
        self.p.skip_ws()
        op = self.operator()
        if op is None:
            return _Compare(left, None, None)
        self.p.skip_ws()
        return _Compare(left, op, self.operand())

    def operator(self) -> str | None:
        t, i = self.t, self.p.i
        for op in ("==", "!=", "<=", ">=", "=~", "<", ">"):
            if t.startswith(op, i):
                self.p.i += len(op)
                return op
        m = re.compile(r"([a-z]+)\b").match(t, i)
        if m and m.group(1) in _WORD_OPS:
            self.p.i = m.end()
            return m.group(1)
        return None

    def operand(self) -> Any:
        t = self.t
        self.p.skip_ws()
        i = self.p.i
        if i >= len(t):
            raise self.p.fail("Expected operand")
        c = t[i]
        if c in "@$":
            sub = _PathParser(t, i, in_filter=True)
            path = sub.parse()
            self.p.i = sub.i
            return _PathOperand(path)
        if c in "'\"":
            return _Literal(self.p.quoted())
        if c == "/":
            end = i + 1
            while end < len(t) and t[end] != "/":
                end += 2 if t[end] == "\\" else 1
            if end >= len(t):
                raise self.p.fail("Unterminated regex")
            m = re.compile(r"[a-z]*").match(t, end + 1)
            assert m is not None
            flags = m.group(0)
            self.p.i = m.end()
            source = ("(?i)" if "i" in flags else "") + t[i + 1 : end]
            try:
                return _Regex(compile_java_regex(source))
            except JavaRegexError as exc:
                raise self.p.fail(str(exc)) from None
        if c == "[":
            depth, j, quote = 0, i, ""
            while j < len(t):
                ch = t[j]
                if quote:
                    if ch == quote:
                        quote = ""
                elif ch in "'\"":
                    quote = ch
                elif ch == "[":
                    depth += 1
                elif ch == "]":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            from podlab.stub.matchers.lenient_json import parse_json

            try:
                value = parse_json(t[i : j + 1])
            except ValueError:
                raise self.p.fail("Invalid JSON array in filter") from None
            self.p.i = j + 1
            return _Literal(value)
        m = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?").match(t, i)
        if m:
            self.p.i = m.end()
            text = m.group(0)
            return _Literal(Decimal(text) if any(ch in text for ch in ".eE") else int(text))
        for word, value in (("true", True), ("false", False), ("null", None)):
            if t.startswith(word, i):
                self.p.i += len(word)
                return _Literal(value)
        raise self.p.fail("Could not parse filter operand")


# ---- evaluation ----------------------------------------------------------------------------


def compile_path(expression: str) -> CompiledPath:
    """Parse once at stub load; JsonPathError if invalid."""
    if not expression.strip():
        raise JsonPathError("json can not be null or empty")
    return _PathParser(expression.strip()).parse()


def read(path: CompiledPath, document: Any, root: Any = _MISSING) -> Any:
    """JsonPath.read: the value of a definite path, or a list for an indefinite one.

    Raises PathNotFound when a definite path is missing.
    """
    root_doc = document if root is _MISSING else root
    definite = path.definite
    nodes = [document]
    for step in path.steps:
        nodes = _apply(step, nodes, root_doc, definite)
    if path.function is not None:
        target: Any = nodes[0] if definite else nodes
        return _function(path.function, target)
    if definite:
        return nodes[0]
    return nodes


def _apply(step: _Step, nodes: list[Any], root: Any, definite: bool) -> list[Any]:
    out: list[Any] = []
    for node in nodes:
        targets = _descendants(node) if step.deep else [node]
        for target in targets:
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


def _select(step: _Step, node: Any, root: Any, strict: bool) -> list[Any]:
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
    if isinstance(operand, _Literal):
        return operand.value
    if isinstance(operand, _PathOperand):
        doc = current if operand.path.root == "@" else root
        try:
            return read(operand.path, doc, root)
        except PathNotFound:
            return _MISSING
    return operand


def _truthy(expr: Any, current: Any, root: Any) -> bool:
    if isinstance(expr, _Logic):
        if expr.op == "!":
            return not _truthy(expr.items[0], current, root)
        results = (_truthy(e, current, root) for e in expr.items)
        return all(results) if expr.op == "&&" else any(results)
    assert isinstance(expr, _Compare)
    left = _operand_value(expr.left, current, root)
    if expr.op is None:
        if isinstance(expr.left, _PathOperand) and not expr.left.path.definite:
            return left is not _MISSING and bool(left)
        return left is not _MISSING
    if left is _MISSING:
        # Jayway compares a missing member as "undefined": only != and nin hold
        return expr.op in ("!=", "nin")
    if expr.op == "=~":
        if not isinstance(expr.right, _Regex) or not isinstance(left, str):
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
