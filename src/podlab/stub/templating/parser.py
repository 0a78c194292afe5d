"""Handlebars template text to a syntax tree, with Handlebars.java's grammar and error wording.

Why not pybars3 (the Handlebars port the project first picked): it rejects one-letter hash keys
and decimal literals (`{{h a x=1}}`, `{{math 1.5 '+' 2}}` fail to compile), accepts unclosed
blocks silently, and renders through Python's `str`. WireMock templates rely on all of these, so
the small grammar is parsed here instead.

Handlebars.java specifics kept (all checked against WireMock 3.13.2):
- no `\\{{` escape and no standalone-line stripping (`prettyPrint` is off);
- an unterminated `{{a` is plain text, an empty or literal-only mustache is an error;
- a mustache with parameters must name a known helper at compile time ("could not find helper");
- errors read `inline@<hash>:<line>:<column>: found: 'x', expected: 'y'` with the source line and
  a caret under the 0-based column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any


class TemplateError(Exception):
    """A template that does not compile or a helper that fails while rendering.

    `str()` is Handlebars.java's HandlebarsException message, as WireMock shows it in its 500 page.
    """


class TemplateCompileError(TemplateError):
    """A template that does not compile: WireMock lets this one reach Jetty's error page (3.x
    answers a helper failing while rendering itself, as text/plain)."""


@dataclass(frozen=True)
class PathExpr:
    parts: tuple[str, ...]  # segments after `this`/`../`; empty for `this`
    depth: int = 0  # number of `../`
    data: bool = False  # `@index`, `@root.x`
    this_prefixed: bool = False  # `this.x` / `./x`: never a helper
    original: str = ""


@dataclass(frozen=True)
class Literal:
    value: Any


@dataclass(frozen=True)
class SubExpr:
    call: Call


Param = PathExpr | Literal | SubExpr


@dataclass(frozen=True)
class Call:
    name: PathExpr
    params: tuple[Param, ...]
    hash: tuple[tuple[str, Param], ...]
    line: int
    column: int
    block_params: tuple[str, ...] = ()  # `{{#each xs as |x i|}}`


@dataclass
class Text:
    value: str


@dataclass
class Mustache:
    call: Call
    escaped: bool = True  # `{{x}}`; `{{{x}}}` and `{{&x}}` are not (HTML escaping: --compat 2)


@dataclass
class Block:
    call: Call
    program: list[Node] = field(default_factory=list)
    inverse: list[Node] | None = None
    inverted: bool = False  # `{{^name}}`


@dataclass
class Partial:
    name: str
    line: int
    column: int


Node = Text | Mustache | Block | Partial

_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?=[=~}\s/.)|]|$)")
_BUILTIN_BLOCKS = {"if", "unless", "each", "with"}


@dataclass
class _Tag:
    kind: str  # mustache | open | inverse-open | close | else | partial | comment | raw
    call: Call | None
    start: int  # index of the opening `{{`
    end: int  # index after the closing braces
    strip_before: bool
    strip_after: bool
    close_name: str = ""
    escaped: bool = True


class _Parser:
    def __init__(self, source: str, name: str, helpers: frozenset[str]) -> None:
        self.src = source
        self.name = name
        self.helpers = helpers
        self.pos = 0
        self.raw_text = ""  # content of the raw block read_tag just consumed
        self.pending_strip = False  # `~}}` of the close/else tag parse_body just stopped at

    # --- errors -------------------------------------------------------------------------------
    def error(self, index: int, message: str) -> TemplateError:
        line = self.src.count("\n", 0, index) + 1
        line_start = self.src.rfind("\n", 0, index) + 1
        line_end = self.src.find("\n", index)
        text_line = self.src[line_start : line_end if line_end >= 0 else len(self.src)]
        column = index - line_start
        return TemplateError(f"{self.name}:{line}:{column}: {message}\n{text_line}\n{' ' * column}^")

    def position(self, index: int) -> tuple[int, int]:
        line = self.src.count("\n", 0, index) + 1
        return line, index - (self.src.rfind("\n", 0, index) + 1)

    # --- top level ----------------------------------------------------------------------------
    def parse(self) -> list[Node]:
        nodes, stopper = self.parse_body()
        if stopper is not None:
            opener = "{{" + self.src[stopper.start + 2] if self.src[stopper.start + 2] in "/^" else "{{"
            raise self.error(stopper.start + 1, f"found: '{opener}', expected: '<EOF>'")
        return nodes

    def parse_body(self, strip_first: bool = False) -> tuple[list[Node], _Tag | None]:
        """Nodes until EOF or a close/else tag (returned to the caller to judge).

        Whitespace control as Handlebars.java applies it (observed on WireMock 3.13.2): `~` only
        trims inside a block, i.e. the start of a body after `{{#x~}}`/`{{~else~}}` and its end
        before `{{~else}}`/`{{~/x}}`; on plain mustaches and outside blocks it changes nothing.
        """
        nodes: list[Node] = []
        text: list[str] = []

        def flush() -> None:
            if text:
                nodes.append(Text("".join(text)))
                text.clear()

        def finish(stopper: _Tag | None) -> tuple[list[Node], _Tag | None]:
            flush()
            if strip_first and nodes and isinstance(nodes[0], Text):
                nodes[0].value = nodes[0].value.lstrip()
            if stopper is not None and stopper.strip_before and nodes and isinstance(nodes[-1], Text):
                nodes[-1].value = nodes[-1].value.rstrip()
            return nodes, stopper

        while True:
            start = self.src.find("{{", self.pos)
            if start < 0:
                text.append(self.src[self.pos :])
                self.pos = len(self.src)
                return finish(None)
            chunk = self.src[self.pos : start]
            tag = self.read_tag(start)
            if tag is None:  # not a mustache after all (unterminated): literal text
                text.append(chunk + "{{")
                self.pos = start + 2
                continue
            text.append(chunk)
            self.pos = tag.end
            if tag.kind == "comment":
                continue
            if tag.kind == "raw":
                text.append(self.raw_text)
                continue
            if tag.kind in ("close", "else"):
                self.pending_strip = tag.strip_after
                return finish(tag)
            flush()
            if tag.kind == "mustache":
                assert tag.call is not None
                nodes.append(Mustache(tag.call, tag.escaped))
            elif tag.kind == "partial":
                assert tag.call is not None
                nodes.append(Partial(tag.call.name.original, tag.call.line, tag.call.column))
            else:
                nodes.append(self.parse_block(tag))

    def parse_block(self, tag: _Tag) -> Block:
        assert tag.call is not None
        block = Block(tag.call, inverted=tag.kind == "inverse-open")
        body, stopper = self.parse_body(tag.strip_after)
        block.program = body
        current = block
        while True:
            if stopper is None:
                raise self.error(len(self.src), "found: '<EOF>', expected: '{{/'")
            if stopper.kind == "else":
                if stopper.call is not None:  # `{{else if x}}`: a nested block in the inverse
                    nested = Block(stopper.call)
                    current.inverse = [nested]
                    body, stopper = self.parse_body(self.pending_strip)
                    nested.program = body
                    current = nested
                    continue
                inverse, stopper = self.parse_body(self.pending_strip)
                current.inverse = inverse
                continue
            # close tag
            open_name = tag.call.name.original
            if stopper.close_name != open_name:
                close_index = self.src.index(stopper.close_name, stopper.start + 3)
                raise self.error(close_index, f"found: '{stopper.close_name}', expected: '{open_name}'")
            return block

    # --- tags -----------------------------------------------------------------------------------
    def read_tag(self, start: int) -> _Tag | None:
        src = self.src
        if src.startswith("{{{{", start):
            return self.read_raw_block(start)
        if src.startswith("{{!--", start) or src.startswith("{{~!--", start):
            end = src.find("--}}", start)
            if end < 0:
                return None
            return _Tag("comment", None, start, end + 4, src[start + 2] == "~", src[end - 1] == "~")
        if src.startswith("{{!", start) or src.startswith("{{~!", start):
            end = src.find("}}", start)
            if end < 0:
                return None
            return _Tag("comment", None, start, end + 2, src[start + 2] == "~", src[end - 1] == "~")
        i = start + 2
        triple = src.startswith("{", i)
        if triple:
            i += 1
        strip_before = src.startswith("~", i)
        if strip_before:
            i += 1
        sigil = ""
        if not triple and i < len(src) and src[i] in "#^/&>":
            sigil = src[i]
            i += 1
        # An unterminated tag is text in Handlebars.java.
        closer = "}}}" if triple else "}}"
        if src.find(closer, i) < 0:
            return None
        self.pos = i
        self.skip_ws()
        if sigil == "/":
            name_start = self.pos
            name = self.read_path_token()
            if name is None:
                raise self.error(name_start, "found: '}}', expected: 'ID'")
            self.skip_ws()
            strip_after, end = self.read_closer(closer)
            return _Tag("close", None, start, end, strip_before, strip_after, close_name=name)
        if sigil == "" and not triple and self.at_word("else"):
            self.pos += 4
            self.skip_ws()
            if self.src.startswith("~}}", self.pos) or self.src.startswith("}}", self.pos):
                strip_after, end = self.read_closer(closer)
                return _Tag("else", None, start, end, strip_before, strip_after)
            call = self.read_call(start, closer)
            strip_after, end = self.read_closer(closer)
            return _Tag("else", call, start, end, strip_before, strip_after)
        if sigil == "^" and (src.startswith("}}", self.pos) or src.startswith("~}}", self.pos)):
            strip_after, end = self.read_closer(closer)
            return _Tag("else", None, start, end, strip_before, strip_after)
        call = self.read_call(start, closer)
        strip_after, end = self.read_closer(closer)
        if sigil == ">":
            return _Tag("partial", call, start, end, strip_before, strip_after)
        kind = {"#": "open", "^": "inverse-open"}.get(sigil, "mustache")
        if kind == "open" and (call.params or call.hash) and not self.is_helper(call.name):
            # Handlebars.java reports this one without a position.
            raise TemplateError(
                f"java.lang.IllegalArgumentException: could not find helper: '{call.name.original}'"
            )
        if kind == "mustache" and (call.params or call.hash) and not self.is_helper(call.name):
            raise self.error(self.index_of(call), f"could not find helper: '{call.name.original}'")
        escaped = not triple and sigil != "&"
        return _Tag(kind, call, start, end, strip_before, strip_after, escaped=escaped)

    def index_of(self, call: Call) -> int:
        offset = 0
        for _ in range(call.line - 1):
            offset = self.src.index("\n", offset) + 1
        return offset + call.column

    def is_helper(self, name: PathExpr) -> bool:
        return (
            not name.data
            and not name.this_prefixed
            and len(name.parts) == 1
            and name.parts[0] in self.helpers
        )

    def read_raw_block(self, start: int) -> _Tag | None:
        head_end = self.src.find("}}}}", start)
        if head_end < 0:
            return None
        name = self.src[start + 4 : head_end].strip().split(" ")[0]
        close = "{{{{/" + name + "}}}}"
        close_at = self.src.find(close, head_end)
        if close_at < 0:
            raise self.error(len(self.src), "found: '<EOF>', expected: '{{{{/'")
        self.raw_text = self.src[head_end + 4 : close_at]
        return _Tag("raw", None, start, close_at + len(close), False, False)

    def read_closer(self, closer: str) -> tuple[bool, int]:
        self.skip_ws()
        strip = self.src.startswith("~", self.pos)
        at = self.pos + (1 if strip else 0)
        if not self.src.startswith(closer, at):
            raise self.error(self.pos, f"found: '{self.token_text()}', expected: '{closer}'")
        return strip, at + len(closer)

    def token_text(self) -> str:
        m = re.compile(r"\S+?(?=\s|}}|$)").match(self.src, self.pos)
        return m.group(0) if m else "<EOF>"

    def skip_ws(self) -> None:
        while self.pos < len(self.src) and self.src[self.pos] in " \t\r\n":
            self.pos += 1

    def at_word(self, word: str) -> bool:
        end = self.pos + len(word)
        return self.src.startswith(word, self.pos) and (end >= len(self.src) or self.src[end] in " \t\r\n~}")

    # --- expressions ----------------------------------------------------------------------------
    def read_call(self, tag_start: int, closer: str) -> Call:
        name_at = self.pos
        line, column = self.position(name_at)
        first = self.read_param()
        if not isinstance(first, PathExpr):
            # `{{'abc'}}`, `{{}}`: Handlebars.java fails at the opening braces.
            opener = "{{~" if self.src.startswith("~", tag_start + 2) else "{{"
            raise self.error(tag_start + 1, f"found: '{opener}', expected: '<EOF>'")
        params: list[Param] = []
        hash_pairs: list[tuple[str, Param]] = []
        end_mark = ")" if closer == ")" else closer
        while True:
            self.skip_ws()
            if self.src.startswith(end_mark, self.pos) or self.src.startswith("~" + end_mark, self.pos):
                break
            if self.pos >= len(self.src):
                raise self.error(self.pos, f"found: '<EOF>', expected: '{end_mark}'")
            block_params = re.compile(r"as\s+\|\s*([^|]*?)\s*\|").match(self.src, self.pos)
            if block_params and closer != ")":
                self.pos = block_params.end()
                names = tuple(block_params.group(1).split())
                self.skip_ws()
                if not (
                    self.src.startswith(end_mark, self.pos) or self.src.startswith("~" + end_mark, self.pos)
                ):
                    raise self.error(self.pos, f"found: '{self.token_text()}', expected: '{end_mark}'")
                return Call(first, tuple(params), tuple(hash_pairs), line, column, names)
            key_match = re.compile(r"([^\s=()}~]+)=").match(self.src, self.pos)
            if key_match and not self.src.startswith(("'", '"'), self.pos):
                self.pos = key_match.end()
                value_at = self.pos
                value = self.read_param()
                if value is None:
                    raise self.error(
                        value_at,
                        f"found: '{self.token_text()}', expected: 'no viable alternative at input "
                        f"'{self.token_text()}''",
                    )
                hash_pairs.append((key_match.group(1), value))
                continue
            if hash_pairs:
                raise self.error(self.pos, f"found: '{self.token_text()}', expected: '{end_mark}'")
            param_at = self.pos
            param = self.read_param()
            if param is None:
                raise self.error(param_at, f"found: '{self.token_text()}', expected: '{end_mark}'")
            params.append(param)
        return Call(first, tuple(params), tuple(hash_pairs), line, column)

    def read_param(self) -> Param | None:
        src = self.src
        if self.pos >= len(src):
            return None
        ch = src[self.pos]
        if ch in "'\"":
            return self.read_string(ch)
        if ch == "(":
            open_at = self.pos
            self.pos += 1
            self.skip_ws()
            call = self.read_call(open_at, ")")
            if not self.is_helper(call.name):
                raise self.error(self.index_of(call), f"could not find helper: '{call.name.original}'")
            self.skip_ws()
            if not src.startswith(")", self.pos):
                raise self.error(self.pos, f"found: '{self.token_text()}', expected: ')'")
            self.pos += 1
            return SubExpr(call)
        number = _NUMBER.match(src, self.pos)
        if number:
            self.pos = number.end()
            text = number.group(0)
            return Literal(float(text) if "." in text else int(text))
        token_at = self.pos
        token = self.read_path_token()
        if token is None:
            return None
        if re.match(r"-?[0-9]", token):  # `1e3`, `2x`: neither a number nor an ID to Handlebars.java
            raise self.error(token_at, f"found: '{token}', expected: '}}}}'")
        if token in ("true", "false"):
            return Literal(token == "true")
        if token in ("null", "undefined"):
            return Literal(None)
        return self.make_path(token)

    def read_string(self, quote: str) -> Literal:
        start = self.pos
        i = start + 1
        out: list[str] = []
        while i < len(self.src):
            ch = self.src[i]
            if ch == "\\" and i + 1 < len(self.src) and self.src[i + 1] == quote:
                out.append(quote)
                i += 2
                continue
            if ch == quote:
                self.pos = i + 1
                return Literal("".join(out))
            out.append(ch)
            i += 1
        end = self.src.find("}}", start)
        raise self.error(start, f"found: '{self.src[start : end if end >= 0 else None]}', expected: '}}}}'")

    def read_path_token(self) -> str | None:
        src = self.src
        start = i = self.pos
        while i < len(src):
            ch = src[i]
            if ch == "[":
                close = src.find("]", i)
                if close < 0:
                    raise self.error(i, f"found: '{src[i:]}'")
                i = close + 1
                continue
            if ch in " \t\r\n()}~=|" or (ch in "'\"" and i == start):
                break
            i += 1
        if i == start:
            return None
        self.pos = i
        return src[start:i]

    def make_path(self, token: str) -> PathExpr:
        original = token
        data = token.startswith("@")
        if data:
            token = token[1:]
        depth = 0
        this_prefixed = False
        while token.startswith("../"):
            depth += 1
            token = token[3:]
        if token == "..":
            depth += 1
            token = ""
        if token.startswith("./"):
            this_prefixed = True
            token = token[2:]
        parts: list[str] = []
        for segment in re.findall(r"\[[^\]]*\]|[^./\[]+", token):
            parts.append(segment[1:-1] if segment.startswith("[") else segment)
        if parts and parts[0] == "this" and not data:
            this_prefixed = True
            parts = parts[1:]
        return PathExpr(tuple(parts), depth, data, this_prefixed, original)


def parse(source: str, *, name: str = "inline", helpers: frozenset[str] = frozenset()) -> list[Node]:
    """Parse `source`; `helpers` are the names a parameterised mustache may call."""
    return _Parser(source, name, helpers | _BUILTIN_BLOCKS | {"lookup", "log"}).parse()
