"""The plain-text "Request was not matched" report of an unmatched request.

Two steps, as in WireMock: `diff_lines` compares the nearest stub with the request attribute by
attribute (Diff.getLines), and `render_not_matched` lays the lines out in two columns
(PlainTextDiffRenderer): 119 characters wide unless the request sends
`X-WireMock-Console-Width`, long values word-wrapped at the column width, and a
`<<<<< X does not match` marker on each mismatching row.
"""

from __future__ import annotations

import base64
import json
import xml.dom.minidom
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from xml.parsers.expat import ExpatError

from podlab.stub.jvm.jsonfmt import integral_floats_as_ints
from podlab.stub.jvm.jsonfmt import pretty as jackson_pretty
from podlab.stub.matchers import ContentPattern, MultiValuePattern, StringValuePattern
from podlab.stub.matchers.binary import BinaryEqualTo
from podlab.stub.matchers.java_text import java_scalar_text
from podlab.stub.matchers.json_path_pattern import MatchesJsonPath
from podlab.stub.matchers.json_path_pattern import evaluate as evaluate_json_path
from podlab.stub.matchers.lenient_json import parse_json
from podlab.stub.matchers.logical import And, Or
from podlab.stub.matchers.multi import SingleValue
from podlab.stub.matchers.xpath import MatchesXPath
from podlab.stub.matchers.xpath import _node_text as node_text  # how WireMock prints a node
from podlab.stub.model import BasicAuthHeaderPattern, RequestPattern, StubMapping, parse_multipart

if TYPE_CHECKING:
    from podlab.stub.model.request import LoggedRequest

CONSOLE_WIDTH = 119
CONSOLE_WIDTH_HEADER = "X-WireMock-Console-Width"
NO_STUBS_MESSAGE = "No response could be served as there are no stub mappings in this WireMock instance."
TITLE = "Request was not matched"


@dataclass(frozen=True)
class DiffLine:
    """One row: what the stub expects (left) against what the request has (right)."""

    attribute: str  # "HTTP method", "URL", "Header", ... (the marker says "<attribute> does not match")
    expected: str
    actual: str
    is_match: bool
    is_body: bool = False  # body rows are printed only when they do not match
    url_hint: tuple[str, bool] | None = None  # URL rows: (expected URL, is regex) for WireMock's hints
    compat: int = 3
    is_bytes: bool = False  # a byte[] value: its Java toString is never empty, so never "not present"

    def message(self) -> str | None:
        """WireMock's DiffLine.getMessage, including its Java string concatenation of null."""
        if not self.actual and not self.is_bytes:
            message: str | None = f"{self.attribute} is not present"
        else:
            message = None if self.is_match else f"{self.attribute} does not match"
        if self.url_hint is not None:
            # Java's `message += ...` on a null message prints "null. ...": kept as WireMock has it.
            url, is_regex = self.url_hint
            if is_regex and not _question_marks_escaped(url, self.compat):
                # 2.x wanted (and printed) the JSON-escaped form, two backslashes.
                escape = "\\\\?" if self.compat == 2 else "\\?"
                message = f'{_java(message)}. When using a regex, "?" should be "{escape}"'
            if not url.startswith("/"):
                message = f"{_java(message)}. URLs must start with a /"
        return message


SPACER = DiffLine("", "", "", True)


def _java(text: str | None) -> str:
    return "null" if text is None else text


def _question_marks_escaped(regex: str, compat: int = 3) -> bool:
    index = regex.find("?")
    if index == -1:
        return True
    escape = "\\" * (2 if compat == 2 else 1)
    return index >= len(escape) and regex[index - len(escape) : index] == escape


# ---------------------------------------------------------------------------------------------
# Lines
# ---------------------------------------------------------------------------------------------


def _operator(pattern: StringValuePattern | MultiValuePattern, default: str) -> str:
    """`[contains]`-style operator text, or `default` for plain equality."""
    multi_operator = getattr(pattern, "operator", None)
    if isinstance(multi_operator, str):  # hasExactly / includes
        return f"{multi_operator}[{pattern.name}]"
    return default if pattern.name == "equalTo" else f" [{pattern.name}] "


def _value_text(pattern: StringValuePattern) -> str:
    """StringValuePattern.getValue: like `expected`, but Java's null for `absent`, and for
    `and`/`or` the first operand's expectation (the value their constructor hands up)."""
    if isinstance(pattern, And | Or):
        return pattern.operands[0].expected
    return "null" if pattern.name == "absent" else pattern.expected


def _multi_actual(name: str, values: list[str] | None) -> str:
    return "\n".join(f"{name}: {value}" for value in values or [])


def diff_lines(
    pattern: RequestPattern,
    req: LoggedRequest,
    *,
    scenario: tuple[str, str, str | None] | None = None,
    compat: int = 3,
) -> list[DiffLine]:
    """Rows of the diff of `pattern` against `req`. `scenario` is (name, required state,
    current state) when the stub waits for a scenario state. `compat=2` prints the rows as
    WireMock 2.35 did (body rows without an `[operator]` heading, basic auth as a plain
    equalTo appended last, `null` for absent query matchers, its regex hint)."""
    lines: list[DiffLine] = []
    if pattern.host is not None:
        shown = (_operator(pattern.host, "") + pattern.host.expected).strip()
        lines.append(DiffLine("Host", shown, req.host, pattern.host.match(req.host).is_exact_match))
    if pattern.port is not None:
        lines.append(DiffLine("Port", str(pattern.port), str(req.port), pattern.port == req.port))
    if pattern.client_ip is not None:
        ip = pattern.client_ip
        shown = f"{ip.name} {ip.expected}"
        lines.append(DiffLine("ClientIp", shown, req.client_ip, ip.match(req.client_ip).is_exact_match))
    if pattern.scheme is not None:
        lines.append(DiffLine("Scheme", pattern.scheme, req.scheme, pattern.scheme == req.scheme))
    lines.append(
        DiffLine("HTTP method", pattern.method, req.method, pattern.method_result(req).is_exact_match)
    )
    url = pattern.url
    url_matches = url.is_match(req)  # `match(req).is_exact_match`, without scoring the miss
    lines.append(
        DiffLine(
            "URL",
            url.printed(),
            req.url,
            url_matches,
            url_hint=(url.value, url.is_regex) if url.key is not None else None,
            compat=compat,
        )
    )
    lines.append(SPACER)

    _header_section(pattern.combined_headers(compat), req.header_values, lines, compat)

    if url.template is not None and pattern.path_parameters and url_matches:
        values_by_name = url.template.parse_path(req.path) or {}
        for name, param_pattern in pattern.path_parameters.items():
            if name not in values_by_name:
                continue
            value = values_by_name[name]
            shown = f"Path parameter: {name}{_operator(param_pattern, ' = ')}{_value_text(param_pattern)}"
            lines.append(DiffLine("Path parameter", shown, value, param_pattern.match(value).is_exact_match))
        lines.append(SPACER)

    for label, attribute, patterns in (
        ("Query", "Query", pattern.query_parameters),
        ("Form", "Form data", pattern.form_parameters),
    ):
        if not patterns:
            continue  # the request's parameters are parsed only for a stub that asks for them
        params = req.query_params if label == "Query" else req.form_params
        for name, multi in patterns.items():
            values = params.get(name)
            # 2.x prints the matcher's value (Java's null for `absent`, an `and`/`or`'s first
            # operand), 3.x its expectation.
            inner = multi.pattern if isinstance(multi, SingleValue) else None
            value = _value_text(inner) if compat == 2 and inner is not None else multi.expected
            shown = f"{label}: {name}{_operator(multi, ' = ')}{value}"
            lines.append(
                DiffLine(attribute, shown, _multi_actual(name, values), multi.match(values).is_exact_match)
            )
        lines.append(SPACER)

    if pattern.cookies:
        for name, cookie_pattern in pattern.cookies.items():
            cookie_values = req.cookies.get(name)
            value = cookie_values[0] if cookie_values else ""
            shown = f"Cookie: {name}{_operator(cookie_pattern, '=')}{_value_text(cookie_pattern)}"
            matched = cookie_pattern.match(value if cookie_values else None).is_exact_match
            lines.append(DiffLine("Cookie", shown, value, matched))
        lines.append(SPACER)

    for body_pattern in pattern.body_patterns or []:
        lines.append(_body_line(body_pattern, req.body, req.body_as_string, compat))

    _multipart_section(pattern, req, lines, compat)

    if pattern.custom_matcher is not None:
        text = f"[custom matcher: {pattern.custom_matcher.name}]"
        lines.append(DiffLine(text, text, text, True))

    if scenario is not None:
        name, required, current = scenario
        lines.append(
            DiffLine(
                "Scenario",
                f"[Scenario '{name}' state: {required}]",
                f"[Scenario '{name}' state: {current}]",
                False,  # WireMock compares the state with this whole label: never equal
            )
        )
    return lines


def _header_section(
    patterns: list[tuple[str, MultiValuePattern]],
    values_of: Callable[[str], list[str]],
    lines: list[DiffLine],
    compat: int = 3,
) -> None:
    for name, header_pattern in patterns:
        values = values_of(name) or None
        expected = header_pattern.expected
        if compat == 2:  # 2.x: basic auth is a plain equalTo, and ": " is always printed
            plain = isinstance(header_pattern, BasicAuthHeaderPattern)
            shown = f"{name}{'' if plain else _operator(header_pattern, '')}: {expected}"
        else:
            shown = name + _operator(header_pattern, "") + (f": {expected}" if expected else "")
        matched = header_pattern.match(values).is_exact_match
        lines.append(DiffLine("Header", shown, _multi_actual(name, values), matched))
    if patterns:
        lines.append(SPACER)


def _multipart_section(
    pattern: RequestPattern, req: LoggedRequest, lines: list[DiffLine], compat: int
) -> None:
    """WireMock's multipart rows: a missing multipart body, or each part of a failing pattern."""
    if not pattern.multipart_patterns:
        return  # the body is split into parts only for a stub that has multipart patterns
    parts = parse_multipart(req)
    for multipart in pattern.multipart_patterns:
        if parts is None:
            lines.append(DiffLine("[Multipart request body]", "[Multipart request body]", "", False))
            continue
        if multipart.match(parts).is_exact_match:
            continue
        label = f"[Multipart: {multipart.name}]" if multipart.name is not None else "[Multipart]"
        for part in parts:
            part_name = part.name or ""
            lines.append(SPACER)
            lines.append(DiffLine(label, label, f"[{part_name}]", True))
            lines.append(SPACER)
            if not multipart.match_part(part).is_exact_match:
                _header_section(list((multipart.headers or {}).items()), part.header_values, lines, compat)
                for body_pattern in multipart.body_patterns or []:
                    lines.append(_body_line(body_pattern, part.body, part.text, compat))
                lines.append(SPACER)
            lines.append(DiffLine("[/Multipart]", "[/Multipart]", f"[/{part_name}]", True))
            lines.append(SPACER)


def _body_line(pattern: ContentPattern, body: bytes, text: str, compat: int = 3) -> DiffLine:
    """One body row. Whether it counts as a mismatch is decided as WireMock's DiffLine does:
    by matching the pattern against the *printed* value (e.g. "\n" + body), not the request,
    which is why a passing `equalTo` body can still show `<<<<< Body does not match`."""
    formatted = _formatted_body(pattern.name, body, text, compat)
    inner = getattr(pattern, "pattern", pattern)  # body patterns wrap a string pattern
    if isinstance(inner, MatchesJsonPath | MatchesXPath):
        if inner.sub is not None:  # an expression with a sub-matcher: show what it selected
            sub_expected = _formatted_expected(inner.sub.name, inner.sub.expected)
            shown = f"{inner.expression} [{inner.sub.name}] {sub_expected}"
            selected = _expression_result(inner, text)
            if selected is not None:
                return DiffLine(
                    "Body", shown, selected, inner.sub.match(selected).is_exact_match, is_body=True
                )
            return DiffLine("Body", shown, formatted, inner.match(formatted).is_exact_match, is_body=True)
        return DiffLine(
            "Body", pattern.expected, formatted, inner.match(formatted).is_exact_match, is_body=True
        )
    if isinstance(inner, BinaryEqualTo):  # before the Protocol check: it has a StringValuePattern's shape
        # Shown only when the printed base64 text's bytes differ from the decoded operand, as
        # WireMock decides; WireMock then prints the Java byte[] itself ("[B@" and an identity
        # hash), podlab the request body's base64 (docs/STUB-LIMITS.md).
        matched = pattern.match(formatted.encode()).is_exact_match
        return DiffLine("Body", pattern.expected, formatted, matched, is_body=True, is_bytes=True)
    if not isinstance(inner, StringValuePattern):
        raise TypeError(f"no report row for body pattern {pattern.name}")
    expected = _formatted_expected(pattern.name, pattern.expected, compat)
    if compat == 2:
        return DiffLine("Body", expected, formatted, inner.match(formatted).is_exact_match, is_body=True)
    shown_actual = "\n" + formatted
    matched = inner.match(shown_actual).is_exact_match
    return DiffLine("Body", f"[{pattern.name}]\n{expected}", shown_actual, matched, is_body=True)


def _expression_result(pattern: MatchesJsonPath | MatchesXPath, body: str) -> str | None:
    """What the expression selected, as WireMock prints it (its ListOrSingle): the first of
    several results as Java's toString, a single JSON object pretty; None if nothing."""
    if not body:
        return None
    if isinstance(pattern, MatchesXPath):
        nodes = pattern.evaluate(body)
        return node_text(nodes[0]) if nodes else None
    if pattern.path is None:  # 2.35.1 took an expression it cannot compile: nothing selected
        return None
    try:
        document = parse_json(body)
    except ValueError:
        return None
    found = evaluate_json_path(pattern.path, document)
    if isinstance(found, list):
        return java_to_string(found[0]) if found else None
    if isinstance(found, dict):
        return jackson_pretty(found) if found else None
    if found is None or not isinstance(found, str | int | float | Decimal):
        return None  # the path is not there
    return java_scalar_text(found)


def java_to_string(value: Any) -> str:
    """Java's toString of a value JsonPath's json-smart provider read: an object is a
    LinkedHashMap (`{c=[1,2], e=y}`, strings unquoted), an array a JSONArray, whose toString is
    its compact JSON (`["x",1,{"c":"\\/"},null]`). Observed on 3.13.2's report for
    `$..b [before]` against `{"b":["x",1,{"c":"/","d":[1,2]},2.5,null,true]}` and `{"b":{"c":[1,2],"e":"y"}}`."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}={java_to_string(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return _json_smart(value)
    return java_scalar_text(value)


_JSON_SMART_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "/": "\\/",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
}


def _json_smart(value: Any) -> str:
    """json-smart's compact JSON (its default style escapes `/` too)."""
    if isinstance(value, dict):
        return "{" + ",".join(f"{_json_smart(str(k))}:{_json_smart(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_json_smart(v) for v in value) + "]"
    if isinstance(value, str):
        escaped = "".join(
            _JSON_SMART_ESCAPES.get(c, c if ord(c) >= 0x20 else f"\\u{ord(c):04X}") for c in value
        )
        return f'"{escaped}"'
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return java_scalar_text(value)


def _pretty_json(text: str, compat: int) -> str:
    parsed = json.loads(text)
    return jackson_pretty(integral_floats_as_ints(parsed) if compat == 2 else parsed)


def _formatted_expected(operator: str, expected: str, compat: int = 3) -> str:
    """WireMock prints equalToJson, matchesJsonSchema and equalToXml expectations pretty."""
    if operator in ("equalToJson", "matchesJsonSchema"):
        try:
            return _pretty_json(expected, compat)
        except ValueError:
            return expected
    if operator == "equalToXml":
        return pretty_xml(expected)
    return expected


def _formatted_body(operator: str, body: bytes, text: str, compat: int = 3) -> str:
    if operator == "equalToJson":
        try:
            return _pretty_json(text, compat)
        except ValueError:
            return text
    if operator == "equalToXml":
        return pretty_xml(text)
    if operator == "binaryEqualTo":
        return base64.b64encode(body).decode("ascii")
    return text


def pretty_xml(text: str) -> str:
    """XML re-indented by two spaces, without a declaration (WireMock's Xml.prettyPrint)."""
    try:
        document = xml.dom.minidom.parseString(text)
    except (ExpatError, ValueError):
        return text
    _strip_blank_text(document)
    pretty = document.toprettyxml(indent="  ")
    lines = [line for line in pretty.split("\n") if line.strip()]
    if lines and lines[0].startswith("<?xml"):
        lines = lines[1:]
    return "\n".join(lines)


def _strip_blank_text(node: Any) -> None:
    """Blank text goes; attributes are put in name order, as the JDK's DOM keeps them."""
    if node.nodeType == node.ELEMENT_NODE and node.attributes.length > 1:
        attributes = sorted(node.attributes.items())
        for name, _ in attributes:
            node.removeAttribute(name)
        for name, value in attributes:
            node.setAttribute(name, value)
    for child in list(node.childNodes):
        if child.nodeType == child.TEXT_NODE and not child.data.strip():
            node.removeChild(child)
        else:
            _strip_blank_text(child)


# ---------------------------------------------------------------------------------------------
# Layout
# ---------------------------------------------------------------------------------------------


def java_split_lines(text: str) -> list[str]:
    """Java's String.split("\\n"): trailing empty strings are dropped."""
    if "\n" not in text:
        return [text]  # the usual value: one line (Java gives [""] for "" too)
    parts = text.split("\n")
    while len(parts) > 1 and parts[-1] == "":
        parts.pop()
    return parts if parts != [""] or text == "" else [""]


def word_wrap(text: str, width: int) -> str:
    """WireMock's Strings.wrap(s, width, null, true): break at spaces, cut words longer than
    the width. Newlines are ordinary characters to it, as in Apache's WordUtils."""
    length = len(text)
    offset = 0
    out: list[str] = []
    while offset < length:
        space_at = -1
        window = text[offset : min(offset + width + 1, length)]
        first = window.find(" ")
        if first != -1:
            if first == 0:
                offset += 1
                continue
            space_at = first + offset
        if length - offset <= width:
            break
        last = window.rfind(" ")
        if last != -1:
            space_at = last + offset
        if space_at >= offset:
            out.append(text[offset:space_at])
            out.append("\n")
            offset = space_at + 1
        else:
            out.append(text[offset : offset + width])
            out.append("\n")
            offset += width
    out.append(text[offset:])
    return "".join(out)


def wrap_if_too_long(text: str, width: int) -> str:
    """Strings.wrapIfLongestLineExceedsLimit: wrap only when some line is too long, then drop
    the lines holding only blanks."""
    if len(text) <= width:
        return text  # no line of it can be longer (most values)
    if max((len(line) for line in text.split("\n")), default=0) <= width:
        return text
    return _drop_blank_lines(word_wrap(text, width))


def _drop_blank_lines(text: str) -> str:
    kept = []
    lines = text.split("\n")
    for index, line in enumerate(lines):
        is_last = index == len(lines) - 1
        if not is_last and line.strip(" \t") == "":
            continue  # the (?m)^[ \t]*\r?\n removal: a blank line with its newline
        kept.append(line)
    return "\n".join(kept)


# Report headings by console width (a request may ask for any width: only the first few kept).
_HEADERS: dict[int, str] = {}
_REMEMBERED_WIDTHS = 8


class _Layout:
    def __init__(self, width: int) -> None:
        self.width = width
        self.middle = width // 2 - 1
        self.column = width // 2 - 2
        self.out: list[str] = []

    def header(self) -> None:
        # The same for every report of a width: made once per width (a few are ever used).
        text = _HEADERS.get(self.width)
        if text is None:
            start = len(self.out)
            pad = " " * (self.middle - len(TITLE) // 2)
            rule = "-" * self.width
            self.out.append(f"\n{pad}{TITLE}\n{pad}{'=' * len(TITLE)}\n\n{rule}\n")
            self.out.append(
                "|" + " Closest stub".ljust(self.middle) + "|" + " Request".ljust(self.middle) + "|\n"
            )
            self.out.append(rule + "\n")
            self.blank()
            text = "".join(self.out[start:])
            del self.out[start:]
            if len(_HEADERS) < _REMEMBERED_WIDTHS:
                _HEADERS[self.width] = text
        self.out.append(text)

    def footer(self) -> None:
        self.out.append("-" * self.width + "\n")

    def blank(self) -> None:
        self.single("", "", None)

    def line(self, left: str, right: str, message: str | None) -> None:
        if "\n" not in left and "\n" not in right and len(left) <= self.column and len(right) <= self.column:
            self.single(left, right, message)  # the usual row: nothing to wrap or split
            return
        left_lines = java_split_lines(wrap_if_too_long(left, self.column))
        right_lines = java_split_lines(wrap_if_too_long(right, self.column))
        self.single(left_lines[0], right_lines[0], message)
        for index in range(1, max(len(left_lines), len(right_lines))):
            self.single(
                left_lines[index] if index < len(left_lines) else "",
                right_lines[index] if index < len(right_lines) else "",
                None,
            )

    def single(self, left: str, right: str, message: str | None) -> None:
        row = left.ljust(self.middle + 1) + "|"
        if right:
            row += " "
            row += right.ljust(self.middle - 6) + "<<<<< " + message if message else right
        elif message:
            row += "".ljust(self.middle - 5) + "<<<<< " + message
        self.out.append(row + "\n")


def console_width_for(req: LoggedRequest) -> int:
    value = req.header(CONSOLE_WIDTH_HEADER)
    if value is not None:
        try:
            return int(value.strip())
        except ValueError:
            pass
    return CONSOLE_WIDTH


def render_diff(lines: list[DiffLine], *, name: str | None, width: int = CONSOLE_WIDTH) -> str:
    layout = _Layout(width)
    layout.header()
    if name is not None:
        layout.line(name, "", None)
        layout.blank()
    for line in lines:
        if line is SPACER:
            layout.blank()
        elif not line.is_body or not line.is_match:
            layout.line(line.expected, line.actual, line.message())
    layout.blank()
    layout.footer()
    return "".join(layout.out)


def render_not_matched(
    req: LoggedRequest,
    nearest: StubMapping | None,
    *,
    scenario_state: str | None = None,
    console_width: int | None = None,
    compat: int = 3,
) -> str:
    """The 404 body for an unmatched request: the diff against the nearest stub, or WireMock's
    no-stubs sentence. `scenario_state` is the current state of the nearest stub's scenario;
    `compat` is the WireMock major version to imitate (2 or 3)."""
    if nearest is None:
        return NO_STUBS_MESSAGE
    if compat == 2 and _json_path_sub_matcher_fails(nearest.request, req.body):
        # 2.35.1 fails to print this report (its SubExpressionException: "json string can not
        # be null or empty", JsonPath's parse error for an XML body, or a filter applied to a
        # body that is no JSON object or array) and answers the 404 with no body at all
        # (measured).
        return ""
    scenario = None
    if nearest.scenario_name is not None and nearest.required_scenario_state is not None:
        scenario = (nearest.scenario_name, nearest.required_scenario_state, scenario_state)
    lines = diff_lines(nearest.request, req, scenario=scenario, compat=compat)
    width = console_width if console_width is not None else console_width_for(req)
    return render_diff(lines, name=nearest.name, width=width)


def _not_json_path_readable(body: bytes) -> bool:
    """A body JsonPath's parser refuses outright: none, or XML (json-smart's permissive mode
    takes much else, so only these two are claimed)."""
    return not body or body.lstrip().startswith(b"<")


def _json_path_sub_matcher_fails(pattern: RequestPattern, body: bytes) -> bool:
    """Whether a body pattern is matchesJsonPath with a sub-matcher (`expression` + operator)
    whose expression 2.35.1 cannot evaluate against `body`: none, XML, or, for a filter
    (`$[?(@.a == 1)]`), any body that is not a JSON object or array (`22`, `f=abc`,
    `not json {`; measured on the 2.35.1 jar, where `$.a` or `$[0]` against those still print
    the report)."""
    for body_pattern in pattern.body_patterns or []:
        inner = getattr(body_pattern, "pattern", body_pattern)
        if not isinstance(inner, MatchesJsonPath) or inner.sub is None:
            continue
        if _not_json_path_readable(body) or ("[?(" in inner.expression and not _json_container(body)):
            return True
    return False


def _json_container(body: bytes) -> bool:
    try:
        return isinstance(parse_json(body.decode("utf-8", "replace")), dict | list)
    except ValueError:
        return False
