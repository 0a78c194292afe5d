"""Parsing JSONPath expressions in Jayway's dialect into a small AST (see jsonpath.py).

Rename the classes here with care: podlab.stub.matchers.jsonpath evaluates this AST.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from podlab.stub.matchers.bounded_regex import BoundedPattern
from podlab.stub.matchers.java_regex import JavaRegexError, compile_java_regex
from podlab.stub.matchers.lenient_json import parse_json


class JsonPathError(ValueError):
    """The expression cannot be parsed (WireMock: InvalidPathException at stub creation)."""


@dataclass(frozen=True)
class Step:
    kind: str  # "name" | "index" | "slice" | "wild" | "filter"
    args: tuple[Any, ...] = ()
    deep: bool = False


@dataclass(frozen=True)
class CompiledPath:
    source: str
    root: str  # "$" or "@"
    steps: tuple[Step, ...]
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


class PathParser:
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
        steps: list[Step] = []
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
                    steps.append(Step("wild", deep=deep))
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
                steps.append(Step("name", (name,), deep))
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

    def bracket(self, deep: bool) -> Step:
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
            return Step("filter", (expr,), deep)
        if t.startswith("*", self.i):
            self.i += 1
            self.skip_ws()
            self.expect("]")
            return Step("wild", deep=deep)
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
                return Step("name", tuple(names), deep)
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
            return Step("slice", tuple(nums), deep)
        if not re.fullmatch(r"-?\d+(,-?\d+)*", body):
            raise self.fail("Could not parse token")
        return Step("index", tuple(int(x) for x in body.split(",")), deep)

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
class Literal:
    value: Any


@dataclass(frozen=True)
class Regex:
    pattern: BoundedPattern


@dataclass(frozen=True)
class PathOperand:
    path: CompiledPath


@dataclass(frozen=True)
class Compare:
    left: Any
    op: str | None
    right: Any


@dataclass(frozen=True)
class Logic:
    op: str  # "&&" | "||" | "!"
    items: tuple[Any, ...]


_WORD_OPS = ["nin", "in", "subsetof", "anyof", "noneof", "size", "empty", "contains"]


class _FilterParser:
    def __init__(self, owner: PathParser) -> None:
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
                return items[0] if len(items) == 1 else Logic("||", tuple(items))

    def parse_and(self) -> Any:
        items = [self.parse_unary()]
        while True:
            self.p.skip_ws()
            if self.t.startswith("&&", self.p.i):
                self.p.i += 2
                items.append(self.parse_unary())
            else:
                return items[0] if len(items) == 1 else Logic("&&", tuple(items))

    def parse_unary(self) -> Any:
        self.p.skip_ws()
        if self.t.startswith("!", self.p.i) and not self.t.startswith("!=", self.p.i):
            self.p.i += 1
            return Logic("!", (self.parse_unary(),))
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
            return Compare(left, None, None)
        self.p.skip_ws()
        return Compare(left, op, self.operand())

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
            sub = PathParser(t, i, in_filter=True)
            path = sub.parse()
            self.p.i = sub.i
            return PathOperand(path)
        if c in "'\"":
            return Literal(self.p.quoted())
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
                return Regex(compile_java_regex(source))
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
            try:
                value = parse_json(t[i : j + 1])
            except ValueError:
                raise self.p.fail("Invalid JSON array in filter") from None
            self.p.i = j + 1
            return Literal(value)
        m = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?").match(t, i)
        if m:
            self.p.i = m.end()
            text = m.group(0)
            return Literal(Decimal(text) if any(ch in text for ch in ".eE") else int(text))
        for word, value in (("true", True), ("false", False), ("null", None)):
            if t.startswith(word, i):
                self.p.i += len(word)
                return Literal(value)
        raise self.p.fail("Could not parse filter operand")


def compile_path(expression: str) -> CompiledPath:
    """Parse once at stub load; JsonPathError if invalid."""
    if not expression.strip():
        raise JsonPathError("json can not be null or empty")
    return PathParser(expression.strip()).parse()
