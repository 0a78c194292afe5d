"""JSONPath evaluation with Jayway JsonPath's result rules, for the `jsonPath` helpers.

Jayway (what WireMock uses) returns the bare value for a *definite* path (`$.a.b`, `$.l[0]`) and
fails when it is missing, and a list for an *indefinite* one (`[*]`, `..`, filters, slices, unions),
empty when nothing matches. No installed Python library follows these rules (jsonpath-ng is not a
project dependency and always returns match lists), so this small evaluator covers the syntax
WireMock users write: dot/bracket names, indexes, negative indexes, unions, slices, `*`, `..`,
filters with comparisons, `=~`, `&&`/`||` and existence, and the trailing functions
`length() size() min() max() avg() sum() keys()`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from podlab.stub.matchers.java_regex import JavaRegexError, compile_java_regex


class JsonPathError(ValueError):
    """The expression is not valid JSONPath."""


class PathNotFound(LookupError):
    """A definite path led nowhere (Jayway's PathNotFoundException)."""


_MISSING = object()
Step = Callable[[Any], list[Any]]


@dataclass
class CompiledPath:
    steps: list[Step]
    definite: bool
    function: str | None

    def evaluate(self, document: Any) -> Any:
        current = [document]
        for step in self.steps:
            current = [out for value in current for out in step(value)]
        if self.function is not None:
            target: Any = current[0] if self.definite and current else current
            if self.definite and not current:
                raise PathNotFound("missing")
            return _apply_function(self.function, target)
        if self.definite:
            if not current:
                raise PathNotFound("missing")
            return current[0]
        return current


def _apply_function(name: str, value: Any) -> Any:
    if name in ("length", "size"):
        if isinstance(value, list | dict | str):
            return len(value)
        raise PathNotFound(name)
    if name == "keys":
        if isinstance(value, dict):
            return list(value.keys())
        raise PathNotFound(name)
    numbers = [v for v in value if isinstance(v, int | float) and not isinstance(v, bool)]
    if not numbers:
        raise PathNotFound(name)
    if name == "min":
        return float(min(numbers))
    if name == "max":
        return float(max(numbers))
    if name == "sum":
        return float(sum(numbers))
    if name == "avg":
        return float(sum(numbers)) / len(numbers)
    raise JsonPathError(f"function {name} is not supported")


def _child(name: str, leaf_null: bool = False) -> Step:
    # WireMock configures Jayway with DEFAULT_PATH_LEAF_TO_NULL: a missing last key of an object
    # reads as null (so `$..x` lists a null for every object without `x`).
    def step(value: Any) -> list[Any]:
        if isinstance(value, dict):
            if name in value:
                return [value[name]]
            return [None] if leaf_null else []
        return []

    return step


def _index(indexes: list[int]) -> Step:
    def step(value: Any) -> list[Any]:
        if not isinstance(value, list):
            return []
        out = []
        for i in indexes:
            if -len(value) <= i < len(value):
                out.append(value[i])
        return out

    return step


def _slice(start: int | None, end: int | None, stride: int | None) -> Step:
    def step(value: Any) -> list[Any]:
        return list(value[start:end:stride]) if isinstance(value, list) else []

    return step


def _wildcard(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, list):
        return list(value)
    return []


def _descendants(value: Any) -> list[Any]:
    out = [value]
    for child in _wildcard(value):
        out.extend(_descendants(child))
    return out


def _deep(step: Step) -> Step:
    def deep(value: Any) -> list[Any]:
        return [found for node in _descendants(value) for found in step(node)]

    return deep


def _filter(predicate: Callable[[Any], bool]) -> Step:
    def step(value: Any) -> list[Any]:
        candidates = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
        return [c for c in candidates if predicate(c)]

    return step


_NAME = re.compile(r"[A-Za-z0-9_$@\-]+")
_FUNCTION = re.compile(r"\.(length|size|min|max|avg|sum|keys)\(\)$")


def compile_path(expression: str, *, leaf_null: bool = True) -> CompiledPath:
    expr = expression.strip()
    function = None
    fmatch = _FUNCTION.search(expr)
    if fmatch:
        function = fmatch.group(1)
        expr = expr[: fmatch.start()]
    if not expr.startswith("$"):
        if not expr or expr[0] in ".[":
            raise JsonPathError(expression)
        expr = "$." + expr
    steps: list[Step] = []
    definite = True
    last_name: tuple[str, bool] | None = None  # (name, deep) when the last step is a plain key
    i = 1
    while i < len(expr):
        last_name = None
        if expr.startswith("..", i):
            i += 2
            definite = False
            if i < len(expr) and expr[i] == "[":
                step, i, _ = _bracket(expr, i, expression)
            elif expr.startswith("*", i):
                step, i = _wildcard, i + 1
            else:
                m = _NAME.match(expr, i)
                if not m:
                    raise JsonPathError(expression)
                step, i = _child(m.group(0)), m.end()
                last_name = (m.group(0), True)
            steps.append(_deep(step))
        elif expr[i] == ".":
            i += 1
            if expr.startswith("*", i):
                steps.append(_wildcard)
                definite = False
                i += 1
                continue
            m = _NAME.match(expr, i)
            if not m:
                raise JsonPathError(expression)
            steps.append(_child(m.group(0)))
            last_name = (m.group(0), False)
            i = m.end()
        elif expr[i] == "[":
            step, i, is_definite = _bracket(expr, i, expression)
            steps.append(step)
            definite = definite and is_definite
        else:
            raise JsonPathError(expression)
    if last_name is not None and leaf_null:
        leaf = _child(last_name[0], leaf_null=True)
        steps[-1] = _deep(leaf) if last_name[1] else leaf
    return CompiledPath(steps, definite, function)


def _bracket(expr: str, i: int, original: str) -> tuple[Step, int, bool]:
    if expr.startswith("[?(", i):
        depth, j = 0, i + 2
        while j < len(expr):
            if expr[j] == "(":
                depth += 1
            elif expr[j] == ")":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        if not expr.startswith(")]", j):
            raise JsonPathError(original)
        return _filter(_parse_predicate(expr[i + 3 : j], original)), j + 2, False
    close = expr.find("]", i)
    if close < 0:
        raise JsonPathError(original)
    inner = expr[i + 1 : close].strip()
    end = close + 1
    if inner == "*":
        return _wildcard, end, False
    if inner[:1] in "'\"":
        names = [n.strip()[1:-1] for n in _split_top(inner)]
        if len(names) == 1:
            return _child(names[0]), end, True
        return (lambda v: [v[n] for n in names if isinstance(v, dict) and n in v]), end, False
    if ":" in inner:
        parts = [p.strip() for p in inner.split(":")]
        try:
            nums = [int(p) if p else None for p in parts] + [None, None]
        except ValueError:
            raise JsonPathError(original) from None
        return _slice(nums[0], nums[1], nums[2]), end, False
    try:
        indexes = [int(p) for p in inner.split(",")]
    except ValueError:
        raise JsonPathError(original) from None
    return _index(indexes), end, len(indexes) == 1


def _split_top(text: str) -> list[str]:
    return re.findall(r"'[^']*'|\"[^\"]*\"", text)


# --- filter predicates -------------------------------------------------------------------------

_TOKEN = re.compile(
    r"\s*(?:(?P<op>==|!=|<=|>=|<|>|=~|&&|\|\||!|\(|\))|(?P<str>'[^']*'|\"[^\"]*\")"
    r"|(?P<regex>/(?:[^/\\]|\\.)*/[a-z]*)|(?P<num>-?\d+(?:\.\d+)?)|(?P<path>[@$][^\s=!<>&|()]*)"
    r"|(?P<word>true|false|null))"
)


def _parse_predicate(text: str, original: str) -> Callable[[Any], bool]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise JsonPathError(original)
        kind = m.lastgroup or ""
        tokens.append((kind, m.group(kind)))
        pos = m.end()
    parser = _PredicateParser(tokens, original)
    predicate = parser.parse_or()
    if parser.i != len(tokens):
        raise JsonPathError(original)
    return predicate


class _PredicateParser:
    def __init__(self, tokens: list[tuple[str, str]], original: str) -> None:
        self.tokens = tokens
        self.i = 0
        self.original = original

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def parse_or(self) -> Callable[[Any], bool]:
        left = self.parse_and()
        while self.peek() == ("op", "||"):
            self.i += 1
            right = self.parse_and()
            left = (lambda a, b: lambda v: a(v) or b(v))(left, right)
        return left

    def parse_and(self) -> Callable[[Any], bool]:
        left = self.parse_unary()
        while self.peek() == ("op", "&&"):
            self.i += 1
            right = self.parse_unary()
            left = (lambda a, b: lambda v: a(v) and b(v))(left, right)
        return left

    def parse_unary(self) -> Callable[[Any], bool]:
        token = self.peek()
        if token == ("op", "!"):
            self.i += 1
            inner = self.parse_unary()
            return lambda v: not inner(v)
        if token == ("op", "("):
            self.i += 1
            inner = self.parse_or()
            if self.peek() != ("op", ")"):
                raise JsonPathError(self.original)
            self.i += 1
            return inner
        left = self.operand()
        token = self.peek()
        if token is None or token[0] != "op" or token[1] in ("&&", "||", ")"):
            return lambda v: _exists(left(v))
        self.i += 1
        op = token[1]
        if op == "=~":
            regex_token = self.peek()
            if regex_token is None or regex_token[0] != "regex":
                raise JsonPathError(self.original)
            self.i += 1
            body, _, flags = regex_token[1][1:].rpartition("/")
            try:
                pattern = compile_java_regex(("(?i)" if "i" in flags else "") + body)
            except JavaRegexError:
                raise JsonPathError(self.original) from None
            return lambda v: isinstance(left(v), str) and pattern.fullmatch(left(v)) is not None
        right = self.operand()
        return lambda v: _compare(op, left(v), right(v))

    def operand(self) -> Callable[[Any], Any]:
        token = self.peek()
        if token is None:
            raise JsonPathError(self.original)
        self.i += 1
        kind, text = token
        if kind == "str":
            return lambda v: text[1:-1]
        if kind == "num":
            number = float(text) if "." in text else int(text)
            return lambda v: number
        if kind == "word":
            constant = {"true": True, "false": False, "null": None}[text]
            return lambda v: constant
        if kind == "path":
            sub = compile_path("$" + text[1:], leaf_null=False)
            return lambda v: _safe_eval(sub, v)
        raise JsonPathError(self.original)


def _safe_eval(path: CompiledPath, value: Any) -> Any:
    try:
        return path.evaluate(value)
    except PathNotFound:
        return _MISSING


def _exists(value: Any) -> bool:
    return value is not _MISSING


def _compare(op: str, left: Any, right: Any) -> bool:
    if left is _MISSING or right is _MISSING:
        return op == "!="
    if op == "==":
        return _json_equal(left, right)
    if op == "!=":
        return not _json_equal(left, right)
    numeric = all(isinstance(x, int | float) and not isinstance(x, bool) for x in (left, right))
    if not numeric and not (isinstance(left, str) and isinstance(right, str)):
        return False
    if op == "<":
        return bool(left < right)
    if op == "<=":
        return bool(left <= right)
    if op == ">":
        return bool(left > right)
    if op == ">=":
        return bool(left >= right)
    return False


def _json_equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return bool(a == b)
