"""The WARNING (and JSON_ERROR) sub-events WireMock 3 keeps on a near miss's match result: what
its body matchers log while scoring a request's body (sans-IO; `near_misses` and the admin API
print them).

Observed on the 3.13.2 jar (bench/stub_fuzz.py `--compat 3`, seeds 1-6, and by hand):

- only when every part checked before the body fits the request exactly;
- the body patterns are tried in order and the first that does not match ends the walk: only
  its events are kept (`[equalTo, matchesXPath]` against no body has none, `[equalToJson,
  matchesXPath]` only equalToJson's);
- no body: matchesXPath `Warning: failed to parse the XML document\\nXML: null`, equalToJson
  `argument "content" is null`;
- a body that is not XML: matchesXPath `Warning: failed to parse the XML document\\nXML: <body>`,
  equalToXml (text not starting with `<`) Xerces' `Content is not allowed in prolog.`;
- a body that is not JSON: equalToJson a JSON_ERROR event carrying WireMock's error document
  (Jackson's message, for the shapes jvm/jackson.py words);
- matchesJsonPath without a sub-matcher: `Warning: JSON path expression failed to match document
  '<body>' because ...` `it's not JSON but probably XML` (text starting with `<`), or `of error
  '<Jayway's message>'` for a missing member (`No results for path: $['a']['x']`), a member of
  something else (`Expected to find an object with property ['c'] in path $['a']['b'] but found
  'java.lang.Integer'. ...`; other text json-smart reads as one string, `java.lang.String`; a
  list `wiremock.net.minidev.json.JSONArray`), an index into text (`Filter: [0] can only be
  applied to arrays. Current context is: <text>`).

Other shapes (JSONPath with filters or wildcards, sub-matchers, logical operators, broken JSON
objects, XML starting with `<` but broken, an index into a JSON object) keep no events: their
wording is not known.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from podlab.stub.model.pattern_maps import match_body

# The XML, JSON and JSONPath matchers load with the first stub that uses one
# (matchers/parse.py); a body pattern of their kind is reached only then, so they are imported
# where used and the report module does not pull them into every start-up.
if TYPE_CHECKING:
    from podlab.stub.matchers.jsonpath_syntax import CompiledPath
    from podlab.stub.model import RequestPattern
    from podlab.stub.model.request import LoggedRequest

_NO_BODY = {
    "matchesXPath": "Warning: failed to parse the XML document\nXML: null",
    "equalToJson": 'argument "content" is null',
}
_JSON_SMART = "wiremock.com.jayway.jsonpath.spi.json.JsonSmartJsonProvider"
_JAVA_WS = "".join(chr(c) for c in range(33))  # String.trim()


def body_warnings(pattern: RequestPattern, request: LoggedRequest) -> list[dict[str, Any]]:
    """The sub-events of matching `pattern`'s body patterns against `request` (3.x)."""
    if not pattern.body_patterns or not pattern.fits_before_body(request):
        return []
    text = request.body_as_string if request.body else None
    for body_pattern in pattern.body_patterns:
        if not match_body(body_pattern, request.body, request.body_as_string).is_exact_match:
            return _events(body_pattern, text)
    return []


def _warning(message: str) -> dict[str, Any]:
    return {"type": "WARNING", "data": {"message": message}}


def _events(body_pattern: Any, text: str | None) -> list[dict[str, Any]]:
    kind = next(iter(body_pattern.to_json()), "")
    if text is None:
        message = _NO_BODY.get(kind)
        return [_warning(message)] if message is not None else []
    if kind in ("matchesXPath", "equalToXml"):
        # Broken XML that starts with `<` gets Xerces' own message (e.g. matchesXPath's
        # `. Reason: {errors: [{code: 50, title: "The element type ..."}]}`): not known here.
        if text.lstrip(_JAVA_WS).startswith("<"):
            return []
        from podlab.stub.matchers.xml_equal import XmlParseError, parse_xml

        try:
            parse_xml(text)
        except XmlParseError:
            if kind == "equalToXml":
                return [_warning("Content is not allowed in prolog.")]
            return [_warning(f"Warning: failed to parse the XML document\nXML: {text}")]
        return []
    if kind == "equalToJson":
        from podlab.stub.jvm.jackson import jackson_syntax_error

        detail = jackson_syntax_error(text)
        if detail is None:
            return []
        error = {"code": 10, "source": {}, "title": "Error parsing JSON", "detail": detail}
        return [{"type": "JSON_ERROR", "data": {"errors": [error]}}]
    if kind == "matchesJsonPath":
        from podlab.stub.matchers.jsonpath_syntax import CompiledPath

        inner = getattr(body_pattern, "pattern", body_pattern)
        path = getattr(inner, "path", None)
        if getattr(inner, "sub", None) is not None or not isinstance(path, CompiledPath):
            return []
        reason = _json_path_failure(path, text)
        if reason is None:
            return []
        return [_warning(f"Warning: JSON path expression failed to match document '{text}' because {reason}")]
    return []


def _json_path_failure(path: CompiledPath, text: str) -> str | None:
    """Why Jayway found nothing, worded as it words it, or None when not known."""
    stripped = text.strip(_JAVA_WS)
    if stripped.startswith("<"):
        return "it's not JSON but probably XML"
    if path.function is not None or path.root != "$":
        return None
    if any(step.deep or len(step.args) != 1 or step.kind not in ("name", "index") for step in path.steps):
        return None
    try:
        node: Any = json.loads(text)
    except ValueError:
        if stripped[:1] in ("{", "["):
            return None  # a broken object or array: json-smart's own error, not known
        node = text  # json-smart reads other text as one string
    where = "$"
    for step in path.steps:
        (arg,) = step.args
        if step.kind == "name" and isinstance(node, dict):
            where += f"['{arg}']"
            if arg not in node:
                return f"of error 'No results for path: {where}'"
            node = node[arg]
            continue
        if step.kind == "name" and _java_class(node) is not None:
            return (
                f"of error 'Expected to find an object with property ['{arg}'] in path {where} but found "
                f"'{_java_class(node)}'. This is not a json object according to the JsonProvider: '{_JSON_SMART}'.'"
            )
        if step.kind == "index" and isinstance(node, str):
            return f"of error 'Filter: [{arg}] can only be applied to arrays. Current context is: {node}'"
        return None  # an index into JSON, or a member of something else: not known
    return None


def _java_class(node: Any) -> str | None:
    """The class json-smart reads a value as (observed: text, `22`, `[1]`), None if not known."""
    if isinstance(node, str):
        return "java.lang.String"
    if isinstance(node, list):
        return "wiremock.net.minidev.json.JSONArray"
    if isinstance(node, int) and not isinstance(node, bool) and -(2**31) <= node < 2**31:
        return "java.lang.Integer"
    return None
