"""Build matchers from stub JSON, rejecting what WireMock 3.13.2 rejects (with its wording).

Every error is an InvalidInputError at the matcher's own pointer (WireMock reports the whole
matcher, e.g. `/request/headers/X`, not a member inside it), with title "Error parsing JSON".
Like WireMock: the first known operator key decides the type, unknown extra keys are ignored,
and `absent` wins whenever it is present.
"""

from __future__ import annotations

import json
from typing import Any

from podlab.stub.jvm.errors import InvalidInputError
from podlab.stub.matchers import date_time
from podlab.stub.matchers.base import ContentPattern, MultiValuePattern, StringValuePattern
from podlab.stub.matchers.binary import BinaryEqualTo, decode_base64
from podlab.stub.matchers.content import StringContent
from podlab.stub.matchers.date_time import Clock, DateTimePattern, DateTimeSpecError, utc_now
from podlab.stub.matchers.java_regex import JavaRegexError
from podlab.stub.matchers.logical import And, Not, Or
from podlab.stub.matchers.multi import HasExactly, Includes, SingleValue
from podlab.stub.matchers.string import (
    Absent,
    Anything,
    Contains,
    DoesNotContain,
    DoesNotMatch,
    EqualTo,
    Matches,
)

# The operators whose matchers live in modules loaded on first use (matchers/parse_documents.py):
# a stub set without them (the common case, and a wiremock pod's reference stub) does not pay
# their ~25 ms of imports at start (tests/stub/test_startup_imports.py).
DOCUMENT_OPERATORS = frozenset(
    {"equalToJson", "equalToXml", "matchesJsonPath", "matchesXPath", "matchesJsonSchema"}
)


# StringValuePatternJsonDeserializer.PATTERNS (3.13), in lookup order of the stub's own keys
STRING_OPERATORS = frozenset(
    {
        "equalTo", "equalToJson", "matchesJsonPath", "equalToXml", "matchesXPath", "contains",
        "doesNotContain", "matches", "doesNotMatch", "before", "after", "equalToDateTime",
        "anything", "absent", "and", "or", "not", "matchesJsonSchema",
    }
)  # fmt: skip


def _compact(obj: Any) -> str:
    return "null" if obj == {} else json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def as_boolean(value: Any) -> bool | None:
    """Jackson's JsonNode.asBoolean() (None when the key is missing)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip().lower() == "true"
    if isinstance(value, int | float):
        return value != 0
    return False


def _string_operand(obj: dict[str, Any], key: str, pointer: str) -> str:
    value = obj[key]
    if not isinstance(value, str):
        raise InvalidInputError.at(pointer, f"{key} operand must be a non-null string")
    return value


def parse_string_pattern(
    obj: Any, pointer: str, *, clock: Clock = utc_now, compat: int = 3
) -> StringValuePattern:
    """A string-value matcher (headers, query, cookies, form, path parameters, sub-matchers).
    `compat=2` reads `and`/`or`/`not` as 2.35.1 did (it has no `not`)."""
    if not isinstance(obj, dict):
        raise InvalidInputError.at(pointer, f"{_compact(obj)} is not a valid match operation")
    if "absent" in obj:
        return Absent()
    operator = next((key for key in obj if key in STRING_OPERATORS and (compat == 3 or key != "not")), None)
    if operator is None:
        raise InvalidInputError.at(pointer, f"{_compact(obj)} is not a valid match operation")
    try:
        return _build(operator, obj, pointer, clock, compat)
    except JavaRegexError as exc:
        raise InvalidInputError.at(pointer, str(exc)) from None
    except DateTimeSpecError as exc:
        raise InvalidInputError.at(pointer, str(exc)) from None


def _build(
    operator: str, obj: dict[str, Any], pointer: str, clock: Clock, compat: int = 3
) -> StringValuePattern:
    if operator == "equalTo":
        return EqualTo(
            _string_operand(obj, "equalTo", pointer), as_boolean(obj.get("caseInsensitive")), compat == 2
        )
    if operator == "contains":
        return Contains(_string_operand(obj, operator, pointer))
    if operator == "doesNotContain":
        return DoesNotContain(_string_operand(obj, operator, pointer))
    if operator == "matches":
        return Matches(_string_operand(obj, operator, pointer))
    if operator == "doesNotMatch":
        return DoesNotMatch(_string_operand(obj, operator, pointer))
    if operator == "anything":
        _string_operand(obj, "anything", pointer)  # WireMock ignores the text, but it must be one
        return Anything()
    if operator in ("and", "or"):
        operands = obj[operator]
        if not isinstance(operands, list):
            # WireMock says "and field" for `or` too
            raise InvalidInputError.at(pointer, "and field must be an array of matchers")
        if compat == 2:
            built = tuple(parse_string_pattern(o, pointer, clock=clock, compat=2) for o in operands)
            # 2.35.1 takes one operand; it refuses none, or a first one without a value (absent)
            if not built or isinstance(built[0], Absent):
                kind = "AND" if operator == "and" else "OR"
                raise InvalidInputError.at(
                    pointer, f"Logical {kind} must be constructed with at least two matchers"
                )
            return And(built) if operator == "and" else Or(built)
        if len(operands) < 2:
            raise InvalidInputError.at(pointer, "Must be constructed with at least two matchers")
        built = tuple(parse_string_pattern(o, pointer, clock=clock) for o in operands)
        return And(built) if operator == "and" else Or(built)
    if operator == "not":
        return Not(parse_string_pattern(obj["not"], pointer, clock=clock))
    if operator in DOCUMENT_OPERATORS:
        from podlab.stub.matchers.parse_documents import build_document

        return build_document(operator, obj, pointer, clock, compat)
    return _date_time(operator, obj, pointer, clock, compat)


def _date_time(
    operator: str, obj: dict[str, Any], pointer: str, clock: Clock, compat: int = 3
) -> DateTimePattern:
    spec = obj[operator]
    if not isinstance(spec, str):
        raise InvalidInputError.at(pointer, f"'{operator}' expected value cannot be null")
    fmt = obj.get("actualFormat")
    if fmt is not None and not isinstance(fmt, str):
        raise InvalidInputError.at(pointer, "actualFormat must be a string")
    trunc_expected = obj.get("truncateExpected")
    trunc_actual = obj.get("truncateActual")
    truncate_expected = (
        date_time.parse_truncation(str(trunc_expected)) if trunc_expected is not None else None
    )
    truncate_actual = date_time.parse_truncation(str(trunc_actual)) if trunc_actual is not None else None
    offset = date_time.parse_now_expression(spec)
    if (
        offset is not None
        and obj.get("expectedOffset") is not None
        and obj.get("expectedOffsetUnit") is not None
    ):
        # Jackson's intValue(): a non-numeric node reads as 0 (observed: "3" gives "now +0 days")
        amount = obj["expectedOffset"]
        amount = int(amount) if isinstance(amount, int | float) and not isinstance(amount, bool) else 0
        offset = (amount, date_time.parse_unit(str(obj["expectedOffsetUnit"])))
    fixed = None if offset is not None else date_time.parse_iso_or_http(spec, partial=compat == 3)
    # WireMock rewrites only a bare "now" ("now +0 seconds", or the expectedOffset form)
    shown = date_time.offset_text(*offset) if offset is not None and spec == "now" else spec
    return DateTimePattern(
        operator,
        shown,
        fixed,
        offset,
        fmt,
        truncate_expected,
        truncate_actual,
        apply_truncation_last=obj.get("applyTruncationLast") is True,
        partial_dates=compat == 3,
        clock=clock,
    )


_PATTERN_CLASS = "com.github.tomakehurst.wiremock.matching.StringValuePattern"
# Jackson's name for the token it found where a list was wanted, by the JSON value's type.
_SCALAR_TOKENS = {
    str: "String value (token `JsonToken.VALUE_STRING`)",
    int: "Integer value (token `JsonToken.VALUE_NUMBER_INT`)",
    float: "Floating-point value (token `JsonToken.VALUE_NUMBER_FLOAT`)",
    bool: "Boolean value (token `JsonToken.VALUE_{}`)",
    dict: "Object value (token `JsonToken.START_OBJECT`)",
}


def parse_multi_value_pattern(
    obj: Any, pointer: str, *, clock: Clock = utc_now, compat: int = 3
) -> MultiValuePattern:
    """headers / queryParameters / formParameters entries: hasExactly, includes, or one matcher."""
    if isinstance(obj, dict):
        for key, kind in (("hasExactly", HasExactly), ("includes", Includes)):
            if key in obj:
                items = obj[key]
                if not isinstance(items, list):
                    token = _SCALAR_TOKENS.get(type(items))
                    if compat == 3 and token is not None and items != "":
                        # 3.x binds the list with Jackson first (seen on 3.13.2; 2.35.1 says
                        # the sentence below)
                        raise InvalidInputError.at(
                            f"{pointer}/{key}",
                            "Cannot deserialize value of type `java.util.ArrayList<"
                            f"{_PATTERN_CLASS}>` from " + token.format("TRUE" if items is True else "FALSE"),
                        )
                    raise InvalidInputError.at(pointer, f"{key} field must be an array of matchers")
                return kind(
                    tuple(parse_string_pattern(i, pointer, clock=clock, compat=compat) for i in items)
                )
    return SingleValue(parse_string_pattern(obj, pointer, clock=clock, compat=compat))


def parse_content_pattern(
    obj: Any, pointer: str, *, clock: Clock = utc_now, compat: int = 3
) -> ContentPattern:
    """A bodyPatterns entry: any string matcher, or binaryEqualTo."""
    if obj == {}:  # the content-pattern reader prints it as is (a header's says "null")
        raise InvalidInputError.at(pointer, "{} is not a valid match operation")
    if isinstance(obj, dict) and "binaryEqualTo" in obj and not any(k in STRING_OPERATORS for k in obj):
        operand = obj["binaryEqualTo"]
        if not isinstance(operand, str):
            raise InvalidInputError.at(pointer, "binaryEqualTo operand must be a base64 string")
        try:
            return BinaryEqualTo(operand, decode_base64(operand))
        except ValueError as exc:
            raise InvalidInputError.at(pointer, str(exc)) from None
    return StringContent(parse_string_pattern(obj, pointer, clock=clock, compat=compat))
