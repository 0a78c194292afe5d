"""Where in a broken JSON document parsing stopped, as the pointer WireMock's 422 names.

Jackson reports the path of the container it was in when it failed (e.g. `/request` for an
object left open). The stdlib decoder only gives a character offset, so we re-walk the text up
to that offset, tracking containers and keys.
"""

from __future__ import annotations

import json

_DECODER = json.JSONDecoder()


def read_first_value(text: str) -> object:
    """The first JSON value in `text`; what follows it is ignored, as Jackson's readValue does
    (WireMock 3.13.2 and 2.35.1 take `{...} garbage` as a stub, from the admin API and from a
    mapping file alike). Raises json.JSONDecodeError as json.loads would."""
    if text.startswith("\ufeff"):  # json.loads's refusal, kept: 2.35.1 refuses a BOM too
        raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
    start = len(text) - len(text.lstrip(" \t\n\r"))
    return _DECODER.raw_decode(text, start)[0]


def pointer_at(text: str, position: int) -> str:
    """The JSON pointer of the innermost container open at `position`."""
    stack: list[str | int | None] = []  # per open container: current key (object) or index (array)
    path: list[str] = []
    i = 0
    end = min(position, len(text))
    while i < end:
        ch = text[i]
        if ch == '"':
            j = i + 1
            while j < len(text) and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            raw = text[i : j + 1]
            i = j + 1
            try:
                value = json.loads(raw)
            except ValueError:
                value = raw.strip('"')
            k = i
            while k < len(text) and text[k] in " \t\r\n":
                k += 1
            if stack and not isinstance(stack[-1], int) and text.startswith(":", k):
                stack[-1] = value  # a key: the object's current member
            continue
        if ch in "{[":
            if stack:
                top = stack[-1]
                path.append(str(top) if top is not None else "")
            stack.append(None if ch == "{" else 0)
        elif ch in "}]":
            if stack:
                stack.pop()
            if path:
                path.pop()
        elif ch == "," and stack and isinstance(stack[-1], int):
            stack[-1] += 1
        i += 1
    return "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in path)
