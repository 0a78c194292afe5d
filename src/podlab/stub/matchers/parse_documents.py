"""Build the document matchers (equalToJson, equalToXml, matchesJsonPath, matchesXPath,
matchesJsonSchema) from stub JSON, in WireMock's words; matchers/parse.py hands them here.

A module of their own so that their imports (the JSON, JSONPath, XML, XPath and JSON-schema
matchers, lxml among them) load with the first stub that uses one, not at start.
"""

from __future__ import annotations

import json
import re
from typing import Any

from podlab.stub.jvm.errors import InvalidInputError
from podlab.stub.jvm.jackson import jackson_syntax_error
from podlab.stub.jvm.xerces import xerces_message
from podlab.stub.matchers.base import StringValuePattern
from podlab.stub.matchers.date_time import Clock
from podlab.stub.matchers.java_text import jackson_pretty
from podlab.stub.matchers.json_equal import EqualToJson
from podlab.stub.matchers.json_path_pattern import MatchesJsonPath
from podlab.stub.matchers.json_schema import DEFAULT_SCHEMA_VERSION, SCHEMA_VERSIONS, MatchesJsonSchema
from podlab.stub.matchers.json_schema import validator_class as schema_validator_class
from podlab.stub.matchers.jsonpath import JsonPathError, compile_path
from podlab.stub.matchers.lenient_json import parse_json, to_plain
from podlab.stub.matchers.parse import as_boolean, parse_string_pattern
from podlab.stub.matchers.xml_equal import (
    COMPARISON_TYPES,
    NAMESPACE_AWARENESS,
    EqualToXml,
    XmlParseError,
    parse_xml,
    placeholders,
)
from podlab.stub.matchers.xpath import MatchesXPath


def build_document(
    operator: str, obj: dict[str, Any], pointer: str, clock: Clock, compat: int = 3
) -> StringValuePattern:
    """The matcher for one of parse.DOCUMENT_OPERATORS."""
    if operator == "equalToJson":
        return _equal_to_json(obj, pointer, compat)
    if operator == "equalToXml":
        return _equal_to_xml(obj, pointer, compat)
    if operator == "matchesJsonPath":
        return _matches_json_path(obj, pointer, clock, compat)
    if operator == "matchesXPath":
        return _matches_xpath(obj, pointer, clock, compat)
    return _matches_json_schema(obj, pointer)


def _equal_to_json(obj: dict[str, Any], pointer: str, compat: int = 3) -> EqualToJson:
    raw = obj["equalToJson"]
    if isinstance(raw, str):
        try:
            expected = parse_json(raw)
        except ValueError as exc:
            # Jackson's own words where known (its lenient quotes and comments: podlab's words)
            lenient = "'" in raw or "//" in raw or "/*" in raw
            detail = None if lenient else jackson_syntax_error(raw, compat)
            raise InvalidInputError.at(pointer, detail or f"Invalid JSON in equalToJson: {exc}") from None
    else:
        expected = raw
    return EqualToJson(
        expected,
        raw,
        as_boolean(obj.get("ignoreArrayOrder")),
        as_boolean(obj.get("ignoreExtraElements")),
        sized_members=compat == 2,
    )


def _equal_to_xml(obj: dict[str, Any], pointer: str, compat: int = 3) -> EqualToXml:
    value = obj["equalToXml"]
    if not isinstance(value, str):
        raise InvalidInputError.at(pointer, "'equalToXml' expected value cannot be null")
    try:
        root = parse_xml(value)
    except XmlParseError as exc:
        raise InvalidInputError.at(pointer, xerces_message(str(exc), value)) from None
    exempted = obj.get("exemptedComparisons")
    exempted_names: tuple[str, ...] | None = None
    if isinstance(exempted, list):
        for name in exempted:
            if not isinstance(name, str) or name not in COMPARISON_TYPES:
                raise InvalidInputError.at(
                    pointer, f"No enum constant wiremock.org.xmlunit.diff.ComparisonType.{name}"
                )
        exempted_names = tuple(exempted)
    awareness = obj.get("namespaceAwareness")
    if awareness is not None and awareness not in NAMESPACE_AWARENESS:
        raise InvalidInputError.at(pointer, f"namespaceAwareness must be one of {list(NAMESPACE_AWARENESS)}")

    def text_or_none(key: str) -> str | None:
        v = obj.get(key)
        return None if v is None else v if isinstance(v, str) else json.dumps(v)

    opening = text_or_none("placeholderOpeningDelimiterRegex")
    closing = text_or_none("placeholderClosingDelimiterRegex")
    try:
        placeholders(opening, closing)
    except re.error as exc:
        raise InvalidInputError.at(pointer, f"Invalid placeholder delimiter regex: {exc}") from None
    return EqualToXml(
        value,
        root,
        enable_placeholders=as_boolean(obj.get("enablePlaceholders")),
        placeholder_opening_delimiter_regex=opening,
        placeholder_closing_delimiter_regex=closing,
        exempted_comparisons=exempted_names,
        ignore_order_of_same_node=as_boolean(obj.get("ignoreOrderOfSameNode")),
        namespace_awareness=awareness,
        compat2=compat == 2,
    )


def _advanced(
    obj: dict[str, Any], key: str, pointer: str, clock: Clock
) -> tuple[str, StringValuePattern | None]:
    outer = obj[key]
    if isinstance(outer, str):
        return outer, None
    if not isinstance(outer, dict) or not isinstance(outer.get("expression"), str):
        raise InvalidInputError.at(pointer, f"expression is required in the advanced {key} form")
    return outer["expression"], parse_string_pattern(outer, pointer, clock=clock)


def _matches_json_path(obj: dict[str, Any], pointer: str, clock: Clock, compat: int = 3) -> MatchesJsonPath:
    expression, sub = _advanced(obj, "matchesJsonPath", pointer, clock)
    try:
        path = compile_path(expression)
    except JsonPathError as exc:
        if compat == 2:  # 2.35.1 compiles on each match: the stub is taken and never matches
            return MatchesJsonPath(expression, None, sub, no_body_fails=True)
        raise InvalidInputError.at(pointer, str(exc)) from None
    return MatchesJsonPath(expression, path, sub, no_body_fails=compat == 2)


def _matches_xpath(obj: dict[str, Any], pointer: str, clock: Clock, compat: int = 3) -> MatchesXPath:
    expression, sub = _advanced(obj, "matchesXPath", pointer, clock)
    namespaces = obj.get("xPathNamespaces")
    if namespaces is not None and not (
        isinstance(namespaces, dict) and all(isinstance(v, str) for v in namespaces.values())
    ):
        raise InvalidInputError.at(pointer, "xPathNamespaces must map prefixes to namespace URIs")
    return MatchesXPath(expression, dict(namespaces) if namespaces else None, sub, node_sets_only=compat == 2)


def _matches_json_schema(obj: dict[str, Any], pointer: str) -> MatchesJsonSchema:
    raw = obj["matchesJsonSchema"]
    if isinstance(raw, str):
        text = raw
        try:
            schema = to_plain(parse_json(raw))
        except ValueError as exc:
            raise InvalidInputError.at(pointer, str(exc)) from None
    else:
        schema, text = raw, jackson_pretty(raw)
    version = obj.get("schemaVersion", DEFAULT_SCHEMA_VERSION)
    if not isinstance(version, str) or version not in SCHEMA_VERSIONS:
        names = ", ".join(f'"{v}"' for v in SCHEMA_VERSIONS)
        raise InvalidInputError.at(pointer, f"schemaVersion must be one of [ {names} ]")
    import jsonschema  # on first use: start-up does not pay for it

    validator_class = schema_validator_class(version)
    try:
        validator_class.check_schema(schema)
    except jsonschema.SchemaError as exc:
        raise InvalidInputError.at(pointer, f"Invalid JSON Schema: {exc.message}") from None
    return MatchesJsonSchema(text, version, validator_class(schema))
