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


def _location(text: str, pos: int) -> str:
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    source = (
        text
        if len(text) <= _MAX_SOURCE
        else text[:_MAX_SOURCE] + f"[truncated {len(text) - _MAX_SOURCE} chars]"
    )
    return f' at [Source: (String)"{source}"; line: {line}, column: {column}]'


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
