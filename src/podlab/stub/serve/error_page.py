"""Jetty's error page for an exception thrown while serving a stub (a template WireMock cannot
compile or render): WireMock lets it escape to Jetty's ErrorHandler, which answers 500 itself.

What the jars send (3.13.2 with Jetty 11, 2.35.1 with Jetty 9.4, checked on both):

- `Cache-Control: must-revalidate,no-cache,no-store`, none of the stub's headers, no
  `Matched-Stub-Id`, never gzipped;
- the body is chosen from the request's `Accept` in quality order (ErrorHandler
  .generateAcceptableResponse): no `Accept` at all is HTML; `text/html`, `text/*`, `*/*` are
  HTML, `text/plain` plain text, `application/json`/`text/json` JSON; when no listed type is one
  of these (`Accept: abc`, or an empty `Accept`) the answer has no body and no Content-Type;
- the message is the exception's `toString()`, escaped by StringUtil.sanitizeXmlString.

Jetty also prints the Java stack trace (`showStacks`); podlab has none to print and leaves it
out, so the page differs from the jar's below the table (docs/STUB-LIMITS.md).
"""

from __future__ import annotations

import json
import random
import re

from podlab.stub.serve.render import ResponsePlan

# Jetty's ErrorHandler default (setCacheControl).
CACHE_CONTROL = "must-revalidate,no-cache,no-store"
# identityHashCode of WireMock's dispatching servlet, shown in the page: one per server.
_SERVLET = (
    f"com.github.tomakehurst.wiremock.servlet.WireMockHandlerDispatchingServlet-{random.getrandbits(31):x}"
)
# A message that already starts with a Java class name (`java.lang.…Exception: …`) is kept as is.
_JAVA_CLASS = re.compile(r"^[\w$]+(?:\.[\w$]+)+(?:Exception|Error)\b")
# The exception WireMock's template cache wraps a Handlebars failure in, and Handlebars' own.
_UNCHECKED_EXCEPTION = "wiremock.com.google.common.util.concurrent.UncheckedExecutionException: "
_HANDLEBARS_EXCEPTION = "wiremock.com.github.jknack.handlebars.HandlebarsException: "
_POSITION = re.compile(r"^(\d+:\d+): ")


def sanitize_xml(text: str) -> str:
    """Jetty's StringUtil.sanitizeXmlString: the five XML entities, other controls as `?`."""
    out = []
    for char in text:
        if char == "&":
            out.append("&amp;")
        elif char == "<":
            out.append("&lt;")
        elif char == ">":
            out.append("&gt;")
        elif char == "'":
            out.append("&apos;")
        elif char == '"':
            out.append("&quot;")
        elif ord(char) < 0x20 and char not in "\t\n\r":
            out.append("?")
        else:
            out.append(char)
    return "".join(out)


def accepted_kinds(accept: list[str]) -> list[str]:
    """The media types of `Accept` headers in Jetty's order (QuotedQualityCSV with
    MOST_SPECIFIC_MIME_ORDERING): quality first, then `*/*` after `type/*` after `type/sub`,
    then as listed; q=0 dropped."""
    ranked: list[tuple[float, int, int, str]] = []
    for value in accept:
        for token in value.split(","):
            media, *params = (part.strip() for part in token.split(";"))
            if not media:
                continue
            quality = 1.0
            for param in params:
                name, _, raw = param.partition("=")
                if name.strip().lower() == "q":
                    try:
                        quality = float(raw.strip())
                    except ValueError:
                        quality = 0.0
            if quality <= 0:
                continue
            specificity = 0 if media == "*/*" else 1 if media.endswith("/*") else 2
            ranked.append((-quality, -specificity, len(ranked), media.lower()))
    return [media for *_, media in sorted(ranked)]


def _kind(accept: list[str]) -> str | None:
    if not accept:  # no Accept header at all
        return "html"
    for media in accepted_kinds(accept):
        if media in ("text/html", "text/*", "*/*"):
            return "html"
        if media == "text/plain":
            return "plain"
        if media in ("application/json", "text/json"):
            return media
    return None


def template_exception_chain(error: str, *, rendering: bool = False) -> list[str]:
    """The `toString()`s of what WireMock throws for a template failure, outermost first (the
    page's message is the first). A template that does not compile: the template cache's
    UncheckedExecutionException around Handlebars' exception, whose message ends with a newline
    after its caret line. A failure while rendering (2.35.1): Handlebars' exception for the tag,
    `inline@hash:` and the helper's error, then the template stack (the tag's position)."""
    if _JAVA_CLASS.match(error):
        return [error]
    if rendering:
        where = _POSITION.match(error)
        name = f"inline@{random.getrandbits(28):x}"
        if where is not None:
            outer = f"{_HANDLEBARS_EXCEPTION}{name}:{error}\n    {name}:{where.group(1)}"
            # A helper's Java exception is Handlebars' cause: the JSON and plain pages list it
            # as cause1 (seen on the 2.35.1 jar: jsonPath of no body, matches with a bad regex)
            helper_error = error[where.end() :]
            return [outer, helper_error] if _JAVA_CLASS.match(helper_error) else [outer]
        return [_HANDLEBARS_EXCEPTION + error]
    if error.rsplit("\n", 1)[-1].strip() == "^":
        error += "\n"
    return [_UNCHECKED_EXCEPTION + _HANDLEBARS_EXCEPTION + error, _HANDLEBARS_EXCEPTION + error]


def error_page(status: int, causes: list[str], uri: str, accept: list[str]) -> ResponsePlan:
    """The ResponsePlan of Jetty's error page for an exception: `causes` are the toString() of
    it and of each cause in turn (the first is the page's message)."""
    headers = [("Cache-Control", CACHE_CONTROL)]
    kind = _kind(accept)
    message = causes[0]
    clean = sanitize_xml(message)
    body = ""
    if kind == "html":
        headers.append(("Content-Type", "text/html;charset=ISO-8859-1"))
        body = (
            "<html>\n<head>\n"
            '<meta http-equiv="Content-Type" content="text/html;charset=ISO-8859-1"/>\n'
            f"<title>Error {status} {clean}</title>\n</head>\n"
            f"<body><h2>HTTP ERROR {status} {clean}</h2>\n<table>\n"
            f"<tr><th>URI:</th><td>{sanitize_xml(uri)}</td></tr>\n"
            f"<tr><th>STATUS:</th><td>{status}</td></tr>\n"
            f"<tr><th>MESSAGE:</th><td>{clean}</td></tr>\n"
            f"<tr><th>SERVLET:</th><td>{_SERVLET}</td></tr>\n"
        )
        body += "".join(f"<tr><th>CAUSED BY:</th><td>{sanitize_xml(cause)}</td></tr>\n" for cause in causes)
        body += "</table>\n\n</body>\n</html>\n"
    elif kind == "plain":
        headers.append(("Content-Type", "text/plain;charset=ISO-8859-1"))
        body = f"HTTP ERROR {status} {clean}\nURI: {uri}\nSTATUS: {status}\nMESSAGE: {message}\n"
        body += f"SERVLET: {_SERVLET}\n" + "".join(f"CAUSED BY {cause}\n" for cause in causes)
    elif kind is not None:  # JSON, in the field order the jars print it (a Java HashMap's)
        headers.append(("Content-Type", kind))
        fields = {f"cause{n}": cause for n, cause in enumerate(causes) if n}
        fields.update(servlet=_SERVLET, cause0=message, message=message, url=uri, status=str(status))
        pairs = (f"{json.dumps(k)}:{json.dumps(sanitize_xml(v))}" for k, v in fields.items())
        body = "{\n" + ",\n".join(pairs) + "\n}"
    return ResponsePlan(
        status=status, headers=headers, body=body.encode("latin-1", "replace"), error_page=True
    )
