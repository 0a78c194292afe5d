"""Jackson's (3.13.2's) words for a JSON document that ends too early, from where it ends.

Observed on the 3.13.2 jar, POSTing these to /__admin/mappings (the 422's detail and pointer;
the location is always ` at [Source: (String)"<text>"; line: L, column: <one past the end>]`):

    {"request": {"meth              in field name                                /request
    {"request": {"method": "GE      : was expecting closing quote for a string value  /request/method
    {"request": {"method":          within/between Object entries                /request
    {"request": {"method": "GET",   within/between Object entries                /request
    {..."bodyPatterns": [{...},     within/between Array entries                 /request/bodyPatterns
    {"request": {                   : expected close marker for Object (start marker at [Source:
                                      (String)"<text>"; line: 1, column: 13])    /request
    {"request": {"method": "GET"    (the same)
    {..."bodyPatterns": [           : expected close marker for Array (...)      /request/bodyPatterns

each message starting `Unexpected end-of-input`; a cut in the top-level object itself (`{"a`,
`{"id": `, `{`) has no pointer (`"source": {}`), a top-level array is refused as one first. Where Jackson's pointer comes from the object
being bound rather than the parser (a cut deep inside a matcher), it can differ from podlab's.
"""

from __future__ import annotations

from podlab.stub.jvm.jackson import source_location

_WS = " \t\r\n"


def end_of_input(text: str) -> tuple[str, str | None] | None:
    """(Jackson's message, the member name to add to the container's pointer or None) when
    `text` is well-formed JSON cut short, else None (complete, or broken before its end)."""
    if not text.lstrip(_WS).startswith("{"):
        return None  # Jackson refuses any other first token (an array: a binding error) first
    stack: list[tuple[str, int]] = []  # open containers: bracket, offset
    key: str | None = None  # the current member's name in the innermost object
    expect_key = False
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in _WS:
            i += 1
            continue
        if ch == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            in_object = bool(stack) and stack[-1][0] == "{"
            if j >= n:
                if in_object and expect_key:
                    return "Unexpected end-of-input in field name", None
                return "Unexpected end-of-input: was expecting closing quote for a string value", (
                    key if in_object else None
                )
            if in_object and expect_key:
                key = text[i + 1 : j]
                expect_key = False
            i = j + 1
            continue
        if ch in "{[":
            stack.append((ch, i))
            expect_key = ch == "{"
        elif ch in "}]":
            if not stack:
                return None
            stack.pop()
            expect_key = False
        elif ch == ",":
            expect_key = bool(stack) and stack[-1][0] == "{"
        i += 1
    if not stack:
        return None
    last = text.rstrip(_WS)[-1]
    kind = "Object" if stack[-1][0] == "{" else "Array"
    if last in ":,":
        return f"Unexpected end-of-input within/between {kind} entries", None
    start = source_location(text, stack[-1][1])
    return f"Unexpected end-of-input: expected close marker for {kind} (start marker at {start})", None


def end_of_input_detail(text: str) -> tuple[str, str | None] | None:
    """`end_of_input`'s message with Jackson's location appended."""
    found = end_of_input(text)
    if found is None:
        return None
    message, member = found
    return f"{message}\n at {source_location(text, len(text))}", member
