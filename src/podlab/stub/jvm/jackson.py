"""Jackson's wording for the commonest JSON syntax errors, from Python's JSONDecodeError.

WireMock hands a matcher's JSON text (`equalToJson: "{bad"`) to Jackson and reports its
JsonProcessingException message: the problem, then ` at [Source: (String)"<text>"; line: L,
column: C]`, C 1-based: for a bare word the column after it; for an unexpected character its
own column in 3.13.2's Jackson, the next one in 2.35.1's (checked on both jars). Only the shapes checked on
WireMock 3.13.2 and 2.35.1 are translated; anything else returns None and callers keep their own
text (docs/STUB-LIMITS.md).
"""

from __future__ import annotations

import json
import re

_WS = " \t\r\n"
_WORD = re.compile(r"[A-Za-z0-9_+\-.]+")
_VALUE_TYPES = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')"
# Jackson cuts the source it quotes at 500 characters (ErrorReportConfiguration's default).
_MAX_SOURCE = 500


def source_location(text: str, pos: int) -> str:
    """Jackson's `[Source: (String)"…"; line: L, column: C]` for offset `pos` of `text`."""
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    source = (
        text
        if len(text) <= _MAX_SOURCE
        else text[:_MAX_SOURCE] + f"[truncated {len(text) - _MAX_SOURCE} chars]"
    )
    return f'[Source: (String)"{source}"; line: {line}, column: {column}]'


def _location(text: str, pos: int) -> str:
    return " at " + source_location(text, pos)


def _char(c: str) -> str | None:
    if ord(c) < 0x20 or ord(c) > 0x7E:
        return None  # Jackson names control and non-ASCII characters differently
    return f"'{c}' (code {ord(c)})"


def jackson_syntax_error(text: str, compat: int = 3) -> str | None:
    """Jackson's message for the JSON syntax error in `text`, or None (valid, or a shape not
    translated)."""
    start = len(text) - len(text.lstrip(_WS))
    after = 0 if compat == 3 else 1  # where an unexpected character is reported, past its index
    try:
        json.JSONDecoder().raw_decode(text, start)
    except json.JSONDecodeError as exc:
        pos = exc.pos
        if pos >= len(text):
            return None  # end-of-input messages name the open structure: not translated
        char = _char(text[pos])
        if exc.msg.startswith("Expecting property name enclosed in double quotes") and char:
            return (
                f"Unexpected character ({char}): was expecting double-quote to start field name\n"
                + _location(text, pos + after)
            )
        if exc.msg == "Expecting value":
            word = _WORD.match(text, pos)
            if word and not text[pos].isdigit() and text[pos] not in "-+.":
                return f"Unrecognized token '{word.group(0)}': was expecting {_VALUE_TYPES}\n" + _location(
                    text, word.end()
                )
            if char and not text[pos].isalnum():
                return f"Unexpected character ({char}): expected a valid value {_VALUE_TYPES}\n" + _location(
                    text, pos + after
                )
        return None
    return None


def _before(text: str, pos: int) -> str:
    """The last character before `pos` that is not white space ("" at the start)."""
    stripped = text[:pos].rstrip(_WS)
    return stripped[-1:] if stripped else ""


def _open_container(text: str, pos: int) -> str:
    """`{` or `[`: the innermost container open at `pos` ("" at the top level)."""
    stack: list[str] = []
    in_string = False
    i = 0
    while i < pos:
        c = text[i]
        if in_string:
            if c == "\\":
                i += 1
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        elif c in "{[":
            stack.append(c)
        elif c in "}]" and stack:
            stack.pop()
        i += 1
    return stack[-1] if stack else ""


def jackson_end_of_input(text: str, exc: json.JSONDecodeError) -> str | None:
    """Jackson 2.13's message (WireMock 2.35.1) for JSON cut short, as it says it for a mapping
    cut off: inside a field name, inside a string value, or after an object's `:`; the location
    is just past the end. Checked on the 2.35.1 jar with mappings cut at random points (fuzzer
    seeds 1-6); other cuts return None."""
    where = _location(text, len(text))  # 1-based: the column after the last character
    if exc.msg.startswith("Unterminated string starting at"):
        before = _before(text, exc.pos)
        if _open_container(text, exc.pos) == "{" and before in "{,":
            return "Unexpected end-of-input in field name\n" + where
        return "Unexpected end-of-input: was expecting closing quote for a string value\n" + where
    if exc.msg == "Expecting value" and exc.pos >= len(text) and _before(text, exc.pos) == ":":
        return "Unexpected end-of-input within/between Object entries\n" + where
    return None


def path_at_end(text: str) -> tuple[list[str | int], bool]:
    """Where JSON cut short stops: the keys and indexes down to the value being read (a key
    counts once its `:` is read), and whether that value has begun (a string or a container
    opened; not after a bare `:`)."""
    path: list[str | int] = []
    kinds: list[str] = []  # per open container: "{" or "["
    key_done: list[bool] = []  # per open object: the current key's `:` has been read
    in_string = False
    string_start = 0
    pending_key: str | None = None
    i = 0
    while i < len(text):
        c = text[i]
        if in_string:
            if c == "\\":
                i += 1
            elif c == '"':
                in_string = False
                if kinds and kinds[-1] == "{" and not key_done[-1]:
                    try:
                        pending_key = json.loads(text[string_start : i + 1])
                    except ValueError:
                        pending_key = text[string_start + 1 : i]
        elif c == '"':
            in_string, string_start = True, i
        elif c == ":" and kinds and kinds[-1] == "{" and pending_key is not None:
            path.append(pending_key)
            key_done[-1], pending_key = True, None
        elif c == ",":
            if kinds and kinds[-1] == "{" and key_done[-1]:
                path.pop()
                key_done[-1] = False
            elif kinds and kinds[-1] == "[":
                path[-1] = int(path[-1]) + 1
        elif c in "{[":
            kinds.append(c)
            key_done.append(False)
            if c == "[":
                path.append(0)
        elif c in "}]" and kinds:
            if kinds[-1] == "[" or key_done[-1]:
                path.pop()
            kinds.pop()
            key_done.pop()
            if kinds and kinds[-1] == "{" and key_done[-1]:
                path.pop()
                key_done[-1] = False
        i += 1
    if not kinds:
        return path, False
    in_value = in_string and (kinds[-1] == "[" or key_done[-1])
    reading_keys = kinds[-1] == "{" and not key_done[-1]  # inside the last key's object value
    return path, in_value or reading_keys or kinds[-1] == "["
