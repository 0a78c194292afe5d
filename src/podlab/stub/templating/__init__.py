"""WireMock response templating (the `response-template` transformer) for podlab's stub server.

Engine: a small Handlebars implementation in this package (parser.py, engine.py) that follows
Handlebars.java as WireMock 3.13.2 configures it, rather than pybars3 (parser.py says why): no
HTML escaping (under `compat=2` 2.35.1's HTML_ENTITY escaping and no 3.x-only helpers), Java `toString()` output, Handlebars.java's error wording and positions, its
whitespace-control quirks, and WireMock's split of the text around the first `{{`/last `}}`.
Helpers: helpers_core (built-ins, conditionals, numbers), helpers_string (jknack StringHelpers and
WireMock's string helpers), helpers_data (arrays, maths, variables, random, JSON, system),
helpers_date, helpers_xml. Behaviour was checked differentially against the real 3.13.2 jar
(tests/stub/test_templating_golden.py holds the recorded outputs).

Public API
----------
`render_response_template(template: str, model: TemplateModel) -> str`
    Render one template. Raises `TemplateError` when the template does not compile or a helper
    throws (WireMock answers such a request with HTTP 500; `str(error)` is Handlebars.java's
    message, e.g. "inline@1a2b3c:1:9: found: '<EOF>', expected: '{{/'\\n{{#if a}}\\n         ^").
    Helper input errors that WireMock reports inline (`[ERROR: Nothing matched [0-9]+]`) are output,
    not exceptions. Compiled templates are cached by text.

`TemplateModel.from_request(req, *, parameters=None, stub=None, path_params=None,
                            permitted_system_keys=(".*wiremock.*",), now=None) -> TemplateModel`
    `req` is a `podlab.stub.request.LoggedRequest` (anything with its attributes, see
    `RequestLike`); `parameters` is the response's `transformerParameters`; path variables come
    from `path_params` or else from `stub.request.url.template` (the `urlPathTemplate`).

`apply_templating(response_def: dict, model: TemplateModel, *,
                  read_body_file: Callable[[str], str | None] | None = None) -> dict`
    A new response definition with the parts WireMock templates rendered, the input untouched:
    - `body` (string) is rendered;
    - `jsonBody` is written compactly, rendered, and parsed back; a result that is not JSON raises
      `TemplateError` (WireMock answers 500 with a JsonMappingException);
    - `base64Body` is left alone (binary bodies are never templated);
    - `bodyFileName` is rendered as a path; if `read_body_file(name)` returns the file's text it
      is rendered too and served as `body` (the `bodyFileName` key is then dropped); None leaves
      the (rendered) name for the caller to serve or report as missing;
    - every `headers` value (string or list of strings) is rendered; header names are not;
    - `proxyBaseUrl` is rendered; `statusMessage` is NOT (WireMock 3.13.2 serves
      "Made {{request.query.x}}" literally).
    Raises `TemplateError` as `render_response_template` does.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from podlab.stub.jvm.jsonfmt import compact
from podlab.stub.templating import helpers_core, helpers_data, helpers_date, helpers_string, helpers_xml
from podlab.stub.templating.engine import Helper, Node, Renderer
from podlab.stub.templating.model import RequestLike, TemplateModel
from podlab.stub.templating.parser import TemplateCompileError, TemplateError, parse

HELPERS: dict[str, Helper] = {
    **helpers_core.HELPERS,
    **helpers_string.HELPERS,
    **helpers_data.HELPERS,
    **helpers_xml.HELPERS,
    **helpers_date.HELPERS,
}
_HELPER_NAMES = frozenset(HELPERS)
# Helpers WireMock 3 added: 2.35.1 answers `could not find helper` (each checked on the jar).
_NOT_IN_2 = frozenset(
    [
        "arrayAdd",
        "arrayJoin",
        "arrayRemove",
        "formatJson",
        "formatXml",
        "jsonArrayAdd",
        "jsonMerge",
        "jsonRemove",
        "toJson",
        "val",
    ]
)
HELPERS_2: dict[str, Helper] = {name: helper for name, helper in HELPERS.items() if name not in _NOT_IN_2}
_HELPER_NAMES_2 = frozenset(HELPERS_2)


@dataclass(frozen=True)
class CompiledTemplate:
    """WireMock's HandlebarsOptimizedTemplate: only the part from the first `{{` to the last `}}`
    goes through Handlebars; the text around it is copied. Error positions count from that first
    `{{` (`ab{{foo 1}}` reports column 2), so the split is kept for fidelity, not just speed."""

    prefix: str
    nodes: tuple[Node, ...]
    suffix: str


@lru_cache(maxsize=4096)
def compile_template(template: str, compat: int = 3) -> CompiledTemplate:
    """Parse once per distinct template text and compat level (WireMock caches compiled
    templates the same way; the helpers known differ by level)."""
    start, end = template.find("{{"), template.rfind("}}")
    if start < 0 or end < 0:
        return CompiledTemplate(template, (), "")
    if end + 2 < start:  # `}} {{`: WireMock's substring(first, last + 2) throws
        raise TemplateError(
            f"java.lang.StringIndexOutOfBoundsException: begin {start}, end {end + 2}, length {len(template)}"
        )
    # Handlebars.java names inline templates `inline@<identity hash>`; any hex is as good.
    name = f"inline@{random.getrandbits(28):x}"
    nodes = parse(
        template[start : end + 2], name=name, helpers=_HELPER_NAMES if compat == 3 else _HELPER_NAMES_2
    )
    return CompiledTemplate(template[:start], tuple(nodes), template[end + 2 :])


def render_response_template(template: str, model: TemplateModel, compat: int = 3) -> str:
    """`compat` 2: as WireMock 2.35.1 renders (HTML-escaped `{{…}}`, no 3.x-only helpers)."""
    try:
        compiled = compile_template(template, compat)
    except TemplateCompileError:
        raise
    except TemplateError as exc:
        raise TemplateCompileError(str(exc)) from None
    except RecursionError:
        raise TemplateCompileError("java.lang.StackOverflowError: template nested too deeply") from None
    try:
        if not compiled.nodes:
            return compiled.prefix + compiled.suffix
        if compat == 3:
            return compiled.prefix + Renderer(HELPERS, model).render(compiled.nodes) + compiled.suffix
        rendered = Renderer(HELPERS_2, model, compat=2).render(compiled.nodes)
        return compiled.prefix + rendered + compiled.suffix
    except RecursionError:
        # Thousands of nested blocks: Handlebars.java would overflow its stack too.
        raise TemplateError("java.lang.StackOverflowError: template nested too deeply") from None


def apply_templating(
    response_def: dict[str, Any],
    model: TemplateModel,
    *,
    read_body_file: Callable[[str], str | None] | None = None,
    compat: int = 3,
) -> dict[str, Any]:
    out = dict(response_def)

    def _render(template: str, model: TemplateModel) -> str:
        return render_response_template(template, model, compat)

    if isinstance(out.get("body"), str):
        out["body"] = _render(out["body"], model)
    elif out.get("jsonBody") is not None and "base64Body" not in out:
        rendered = _render(compact(out["jsonBody"]), model)
        try:
            out["jsonBody"] = json.loads(rendered)
        except ValueError as exc:
            raise TemplateError(
                f"wiremock.com.fasterxml.jackson.databind.JsonMappingException: Error parsing JSON: {exc}"
            ) from None
    elif isinstance(out.get("bodyFileName"), str):
        name = _render(out["bodyFileName"], model)
        out["bodyFileName"] = name
        content = read_body_file(name) if read_body_file is not None else None
        if content is not None:
            del out["bodyFileName"]
            out["body"] = _render(content, model)
    headers = out.get("headers")
    if isinstance(headers, dict):
        out["headers"] = {
            name: (
                [_render(str(v), model) for v in value]
                if isinstance(value, list)
                else _render(str(value), model)
            )
            for name, value in headers.items()
        }
    if isinstance(out.get("proxyBaseUrl"), str):
        out["proxyBaseUrl"] = _render(out["proxyBaseUrl"], model)
    return out


__all__ = [
    "HELPERS",
    "CompiledTemplate",
    "RequestLike",
    "TemplateCompileError",
    "TemplateError",
    "TemplateModel",
    "apply_templating",
    "compile_template",
    "render_response_template",
]
