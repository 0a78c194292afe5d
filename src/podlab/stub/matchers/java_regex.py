"""Java `java.util.regex` patterns compiled with Python's `re`.

WireMock compiles `matches`/`doesNotMatch`/`urlPattern` operands with `Pattern.compile(regex,
DOTALL)` and requires the whole value to match. Python 3.11's `re` already has possessive
quantifiers and atomic groups; what differs, and is rewritten here, is:

- `\\w \\d \\s \\b` and `(?i)` are ASCII-only in Java unless `(?U)`/`(?u)`: compile with re.ASCII.
- `\\p{Lu}`, `\\p{Alpha}`, `\\P{...}`: expanded to explicit character ranges.
- `\\Q...\\E` quoting, `\\h \\H \\v \\V \\R \\z \\Z \\e \\x{...} \\0oct`, named groups
  `(?<n>...)` / `\\k<n>`.
- nested classes `[a[bc]]` (union) and `[a-z&&[^b]]` (intersection): rewritten as
  alternations and look-aheads, each of which still consumes exactly one character.
- inline flags in the middle of a pattern, `a(?i)b`: Python 3.11 only allows global flags at the
  start, so they become a scoped group `a(?i:b)` up to the end of the enclosing group.

No library translates Java regexes to Python, hence this hand-written rewriter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from podlab.stub.matchers.bounded_regex import BoundedPattern
from podlab.stub.matchers.java_regex_classes import (
    HORIZONTAL_SPACE,
    VERTICAL_SPACE,
    escape_code_point,
    property_class_body,
)


class JavaRegexError(ValueError):
    """The pattern is not a valid Java regex (or uses a construct Python cannot express)."""

    def __init__(self, description: str, pattern: str, index: int) -> None:
        # java.util.regex.PatternSyntaxException.getMessage() layout (caret only inside the text)
        message = f"{description} near index {index}\n{pattern}"
        if 0 <= index < len(pattern):
            message += "\n" + " " * index + "^"
        super().__init__(message)
        self.description = description
        self.index = index


@dataclass
class _Class:
    negated: bool = False
    body: list[str] = field(default_factory=list)  # Python class-body fragments
    nested: list[_Class] = field(default_factory=list)
    intersect: _Class | None = None

    def emit(self) -> str:
        plain = "".join(self.body)
        if not self.nested and self.intersect is None:
            if not plain:
                return "[\\s\\S]" if self.negated else "(?!)"
            return f"[{'^' if self.negated else ''}{plain}]"
        positives = ([f"[{plain}]"] if plain else []) + [n.emit() for n in self.nested]
        union = positives[0] if len(positives) == 1 else "(?:" + "|".join(positives) + ")"
        if self.intersect is not None:
            union = f"(?:(?={union}){self.intersect.emit()})"
        if self.negated:
            return f"(?:(?!{union})[\\s\\S])"
        return union


_CLASS_SPECIALS = set("[]&~|^-\\")


def _class_literal(c: str, body: list[str]) -> str:
    """A literal inside a class; a '-' right after another '-' is escaped, since Python reads
    '--' in a class as a (future) set-difference operator."""
    if c == "-":
        return "\\-" if body and body[-1].endswith("-") else "-"
    return "\\" + c if c in _CLASS_SPECIALS - {"^"} else c


_COUNTED = re.compile(r"\{(\d+)(,(\d*))?")


class _Translator:
    def __init__(self, pattern: str) -> None:
        self.p = pattern
        self.i = 0
        self.out: list[str] = []
        self.unicode = False
        # per open group: how many scoped-flag groups to close with it
        self.flag_closes: list[int] = [0]

    def error(self, description: str, index: int | None = None) -> JavaRegexError:
        return JavaRegexError(description, self.p, self.i if index is None else index)

    def run(self) -> str:
        p = self.p
        while self.i < len(p):
            c = p[self.i]
            if c == "\\":
                self.out.append(self.escape(in_class=False))
            elif c == "[":
                self.i += 1
                self.out.append(self.char_class().emit())
            elif c == "(":
                self.group_open()
            elif c == ")":
                if len(self.flag_closes) == 1:
                    raise self.error("Unmatched closing ')'", self.i - 1 if self.i else 0)
                self.out.append(")" * self.flag_closes.pop())
                self.out.append(")")
                self.i += 1
            elif c == "{":
                self.out.append(self.counted_closure())
            else:
                self.out.append(c)
                self.i += 1
        if len(self.flag_closes) > 1:
            raise self.error("Unclosed group", len(p))
        self.out.append(")" * self.flag_closes[0])
        return "".join(self.out)

    def counted_closure(self) -> str:
        """`{n}`, `{n,}`, `{n,m}`. Java reads any other `{` outside a class as a broken
        quantifier (Python takes it as a literal): `{}` and `x{a` are refused with "Illegal
        repetition" one past the brace, `a{1` with "Unclosed counted closure" where the `}` was due."""
        p, start = self.p, self.i
        found = _COUNTED.match(p, start)
        if found is None:
            raise self.error("Illegal repetition", start + 1)
        end = found.end()
        if end >= len(p) or p[end] != "}":
            raise self.error("Unclosed counted closure", end)
        if found.group(3) and int(found.group(1)) > int(found.group(3)):
            raise self.error("Illegal repetition range", end)
        self.i = end + 1
        return p[start : end + 1]

    def group_open(self) -> None:
        p = self.p
        if p.startswith("(?<", self.i) and not p.startswith(("(?<=", "(?<!"), self.i):
            end = p.find(">", self.i)
            if end < 0:
                raise self.error("named capturing group is missing trailing '>'")
            self.out.append("(?P<" + p[self.i + 3 : end] + ">")
            self.i = end + 1
            self.flag_closes.append(0)
            return
        m = re.compile(r"\(\?([idmsuxU]*)(?:-([idmsuxU]*))?([:)])").match(p, self.i)
        if m and (m.group(1) or m.group(2) is not None):
            on = self.python_flags(m.group(1))
            off = self.python_flags(m.group(2) or "")
            spec = on + (f"-{off}" if off else "")
            if m.group(3) == ":":
                self.out.append(f"(?{spec}:" if spec else "(?:")
                self.flag_closes.append(0)
            elif spec:
                at_start = not "".join(self.out)
                if at_start and not off:
                    self.out.append(f"(?{spec})")
                else:
                    self.out.append(f"(?{spec}:")
                    self.flag_closes[-1] += 1
            self.i = m.end()
            return
        self.out.append("(")
        self.i += 1
        self.flag_closes.append(0)

    def python_flags(self, java: str) -> str:
        if "U" in java or "u" in java:
            self.unicode = True
        return "".join(f for f in java if f in "imsx")

    def char_class(self) -> _Class:
        """Parse after '[' up to and including the matching ']'."""
        negated = self.p.startswith("^", self.i)
        if negated:
            self.i += 1
        body = self.class_body(first=True)
        if not negated:
            return body
        if not body.nested and body.intersect is None:
            body.negated = True  # a plain [^...] stays a plain Python class
            return body
        return _Class(negated=True, nested=[body])

    def class_body(self, *, first: bool) -> _Class:
        """Class items up to the closing ']' (consumed); `&&` makes the rest an intersection."""
        p = self.p
        cls = _Class()
        while True:
            if self.i >= len(p):
                raise self.error("Unclosed character class", len(p) - 1)
            c = p[self.i]
            if c == "]" and not first:
                self.i += 1
                return cls
            first = False
            if c == "[":
                self.i += 1
                cls.nested.append(self.char_class())
            elif p.startswith("&&", self.i):
                self.i += 2
                return _Class(nested=[cls], intersect=self.class_body(first=False))
            elif c == "\\":
                piece = self.escape(in_class=True)
                if piece.startswith(("[", "(?")):
                    cls.nested.append(_Raw(piece))
                else:
                    cls.body.append(piece)
            else:
                cls.body.append(_class_literal(c, cls.body))
                self.i += 1

    def escape(self, *, in_class: bool) -> str:
        p = self.p
        at = self.i
        if at + 1 >= len(p):
            raise self.error("Unexpected internal error", len(p))
        c = p[at + 1]
        self.i = at + 2
        if c == "Q":
            end = p.find("\\E", self.i)
            literal = p[self.i :] if end < 0 else p[self.i : end]
            self.i = len(p) if end < 0 else end + 2
            if in_class:
                return "".join("\\" + ch if ch in _CLASS_SPECIALS else ch for ch in literal)
            return re.escape(literal)
        if c == "E":
            return ""
        if c in "pP":
            if p.startswith("{", self.i):
                end = p.find("}", self.i)
                if end < 0:
                    raise self.error("Unclosed character family", len(p))
                name = p[self.i + 1 : end]
                self.i = end + 1
            else:
                if self.i >= len(p):
                    raise self.error("Illegal character family", self.i)
                name = p[self.i]
                self.i += 1
            negate = c == "P"
            if name.startswith("^"):
                negate, name = not negate, name[1:]
            body = property_class_body(name)
            if body is None:
                raise JavaRegexError(f"Unknown character property name {{{name}}}", p, at)
            if in_class and not negate:
                return body
            return f"[{'^' if negate else ''}{body}]"
        simple = {
            "h": f"[{HORIZONTAL_SPACE}]",
            "H": f"[^{HORIZONTAL_SPACE}]",
            "v": f"[{VERTICAL_SPACE}]",
            "V": f"[^{VERTICAL_SPACE}]",
        }
        if c in simple:
            if in_class and c in "hv":
                return HORIZONTAL_SPACE if c == "h" else VERTICAL_SPACE
            return simple[c]
        if c == "R" and not in_class:
            return f"(?:\\r\\n|[{VERTICAL_SPACE}])"
        if c == "z" and not in_class:
            return "\\Z"
        if c == "Z" and not in_class:
            return "(?=\\n?\\Z)"
        if c == "e":
            return "\\x1b"
        if c == "c":
            if self.i >= len(p):
                raise self.error("Illegal control escape sequence", self.i)
            ch = p[self.i]
            self.i += 1
            return f"\\x{ord(ch) ^ 64:02x}"
        if c == "x" and p.startswith("{", self.i):
            end = p.find("}", self.i)
            if end < 0:
                raise self.error("Unclosed hexadecimal escape sequence", self.i)
            try:
                cp = int(p[self.i + 1 : end], 16)
            except ValueError:
                raise self.error("Illegal hexadecimal escape sequence", self.i) from None
            self.i = end + 1
            return escape_code_point(cp)
        if c == "0":
            m = re.compile(r"[0-3]?[0-7]{1,2}|[0-7]").match(p, self.i)
            if not m:
                raise self.error("Illegal octal escape sequence", self.i)
            self.i = m.end()
            return f"\\x{int(m.group(0), 8):02x}"
        if c == "k" and not in_class:
            if not p.startswith("<", self.i):
                raise self.error("\\k is not followed by '<' for named capturing group", self.i)
            end = p.find(">", self.i)
            if end < 0:
                raise self.error("named capturing group is missing trailing '>'", self.i)
            name = p[self.i + 1 : end]
            self.i = end + 1
            return f"(?P={name})"
        if c in "GX" or (c in "bB" and p.startswith("{", self.i)):
            raise self.error(f"\\{c} is not supported", at)
        if c.isalpha() and c not in "tnrfadDsSwWbBAuxU" and c not in "0123456789":
            raise self.error("Illegal/unsupported escape sequence", at + 1)
        return "\\" + c


class _Raw(_Class):
    """A class operand that is already Python regex text (e.g. an expanded \\P{...})."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def emit(self) -> str:
        return self.text


@lru_cache(maxsize=1024)
def compile_java_regex(pattern: str) -> BoundedPattern:
    """Compile a Java regex as WireMock does (DOTALL). Raises JavaRegexError if invalid.

    Python's `re` judges validity (so errors keep their wording); matching runs in RE2 or with a
    time budget (`bounded_regex`)."""
    translator = _Translator(pattern)
    translated = translator.run()
    flags = re.DOTALL | (0 if translator.unicode else re.ASCII)
    try:
        compiled = re.compile(translated, flags)
    except re.error as exc:
        pos = exc.pos if exc.pos is not None else 0
        raise JavaRegexError(_java_wording(exc.msg), pattern, min(pos, len(pattern))) from None
    except (OverflowError, RecursionError) as exc:
        raise JavaRegexError(str(exc), pattern, 0) from None
    return BoundedPattern.compile(pattern, compiled)


def _java_wording(message: str) -> str:
    """Python's re messages, in java.util.regex wording where the two name the same fault."""
    table = {
        "unterminated character set": "Unclosed character class",
        "missing ), unterminated subpattern": "Unclosed group",
        "unbalanced parenthesis": "Unmatched closing ')'",
        "nothing to repeat": "Dangling meta character",
        "multiple repeat": "Dangling meta character",
    }
    return table.get(message, message)
