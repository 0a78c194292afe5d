"""Journal entries to recorded stub mappings, without I/O (WireMock 3.13.2's Recorder.takeSnapshot:
SnapshotStubMappingGenerator, RequestPatternTransformer, LoggedResponseDefinitionTransformer,
SnapshotStubMappingPostProcessor, ScenarioProcessor, SnapshotStubMappingBodyExtractor; read on
the tag and checked on the jar).

Per entry (newest first, as the journal lists them) that passes the filters (by default: the
proxied ones): the request as `url` (no query) or `urlPath` plus `queryParameters` with
`hasExactly`, the captured headers, a body pattern by content type; the response's status,
body (text for a text content type, else base64) and headers less Content-Encoding,
Content-Length and Transfer-Encoding; a `name` from the path. Then repeats are dropped or put in
scenarios, and bodies over the extraction thresholds go to files.
"""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import unquote_plus

from podlab.stub.model.request import LoggedRequest
from podlab.stub.recording.names import (
    charset_of,
    default_file_name,
    file_extension,
    is_text_mime,
    mime_of,
    stub_name,
    url_path_parts,
)
from podlab.stub.recording.spec import RecordSpec

_EXCLUDED_RESPONSE_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})


class Event(Protocol):
    """What a snapshot reads of a journal entry (podlab.stub.store.journal.ServeEvent)."""

    @property
    def id(self) -> str: ...

    request: LoggedRequest
    response_definition: dict[str, Any]
    status: int
    response_headers: list[tuple[str, str]]
    response_body: bytes


@dataclass
class Snapshot:
    stubs: list[dict[str, Any]]  # stub mapping JSON, in the order WireMock adds them
    files: list[tuple[str, bytes]]  # bodies extracted to __files: (name, bytes)


def wanted(event: Event, spec: RecordSpec) -> bool:
    """ProxiedServeEventFilters."""
    if not event.response_definition.get("proxyBaseUrl") and not spec.allow_non_proxied:
        return False
    if spec.filters is not None and not spec.filters.match(event.request).is_exact_match:
        return False
    return spec.filter_ids is None or event.id.lower() in spec.filter_ids


def split_query(url: str) -> dict[str, list[str]]:
    """Urls.splitQueryFromUrl: decoded names and values, in first-seen order."""
    _, question, query = url.partition("?")
    if not question or not query:
        return {}
    out: dict[str, list[str]] = {}
    for element in query.split("&"):
        name, equals, value = element.partition("=")
        out.setdefault(_decode(name), []).append(_decode(value) if equals else "")
    return out


def _decode(text: str) -> str:
    try:
        return unquote_plus(text, errors="strict")
    except UnicodeDecodeError:
        return text


def request_json(request: LoggedRequest, spec: RecordSpec) -> dict[str, Any]:
    query = split_query(request.url)
    out: dict[str, Any] = {}
    if query:
        out["urlPath"] = request.url.partition("?")[0]
    else:
        out["url"] = request.url
    out["method"] = request.method
    headers: dict[str, Any] = {}
    for name, case_insensitive in spec.capture_headers.items():
        value = request.header(name)
        if value is not None:
            matcher: dict[str, Any] = {"equalTo": value}
            if case_insensitive is not None:
                matcher["caseInsensitive"] = case_insensitive
            headers[name] = matcher
    if headers:
        out["headers"] = headers
    if query:
        out["queryParameters"] = {
            name: {"hasExactly": [{"equalTo": value} for value in values]} for name, values in query.items()
        }
    if request.body:
        out["bodyPatterns"] = [body_pattern(request, spec)]
    return out


def body_pattern(request: LoggedRequest, spec: RecordSpec) -> dict[str, Any]:
    """RequestBodyPatternFactory.forRequest for the spec's matcher."""
    options = spec.body_pattern.options
    text = request.body.decode("utf-8", errors="replace")
    matcher = spec.body_pattern.matcher
    if matcher == "auto":
        mime = mime_of(request.header("Content-Type"))
        if mime is not None:
            if "json" in mime:
                matcher = "equalToJson"
                options = {
                    "ignoreArrayOrder": options.get("ignoreArrayOrder", True),
                    "ignoreExtraElements": options.get("ignoreExtraElements", True),
                }
            elif "xml" in mime:
                matcher = "equalToXml"
            elif mime == "multipart/form-data":
                return {"anything": "(always)"}  # WireMock's TODO: multipart bodies match anything
            elif not is_text_mime(mime):
                return {"binaryEqualTo": base64.b64encode(request.body).decode("ascii")}
        if matcher == "auto":
            return {"equalTo": text, "caseInsensitive": options.get("caseInsensitive", False)}
    if matcher == "equalToJson":
        out: dict[str, Any] = {"equalToJson": text}
        for key in ("ignoreArrayOrder", "ignoreExtraElements"):
            if key in options:
                out[key] = options[key]
        return out
    if matcher == "equalToXml":
        return {"equalToXml": text}
    out = {"equalTo": text}
    if "caseInsensitive" in options:
        out["caseInsensitive"] = options["caseInsensitive"]
    return out


def response_json(status: int, headers: Sequence[tuple[str, str]], body: bytes) -> dict[str, Any]:
    out: dict[str, Any] = {"status": status}
    content_type = next((v for n, v in headers if n.lower() == "content-type"), None)
    if body:
        encodings = [v for n, v in headers if n.lower() == "content-encoding"]
        if any("gzip" in v for v in encodings):
            try:
                body = gzip.decompress(body)
            except (OSError, EOFError):
                pass  # not gzip after all: kept as it came
        if is_text_mime(mime_of(content_type)):
            out["body"] = body.decode(charset_of(content_type), errors="replace")
        else:
            out["base64Body"] = base64.b64encode(body).decode("ascii")
    kept: dict[str, Any] = {}
    for name, value in headers:
        if name.lower() in _EXCLUDED_RESPONSE_HEADERS:
            continue
        if name in kept:
            existing = kept[name]
            kept[name] = [*existing, value] if isinstance(existing, list) else [existing, value]
        else:
            kept[name] = value
    if kept:
        out["headers"] = kept
    return out


def stub_for(event: Event, spec: RecordSpec, stub_id: str) -> dict[str, Any]:
    return {
        "id": stub_id,
        "name": stub_name(event.request.url),
        "request": request_json(event.request, spec),
        "response": response_json(event.status, event.response_headers, event.response_body),
        "uuid": stub_id,
    }


def _key(request: dict[str, Any]) -> str:
    return json.dumps(request, sort_keys=True)


def put_repeats_in_scenarios(stubs: list[dict[str, Any]]) -> None:
    """ScenarioProcessor: each request recorded more than once becomes a scenario walked oldest
    answer first."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for stub in stubs:
        groups.setdefault(_key(stub["request"]), []).append(stub)
    index = 0
    for group in groups.values():
        if len(group) < 2:
            continue
        index += 1
        in_order = list(reversed(group))
        first = in_order[0]["request"]
        name = f"scenario-{index}-{url_path_parts(first.get('url') or first.get('urlPath') or '')}"
        for count, stub in enumerate(in_order, start=1):
            stub["scenarioName"] = name
            stub["requiredScenarioState"] = "Started" if count == 1 else f"{name}-{count}"
            if count < len(in_order):
                stub["newScenarioState"] = f"{name}-{count + 1}"


def _body_bytes(response: dict[str, Any]) -> bytes | None:
    if "body" in response:
        return str(response["body"]).encode("utf-8")
    if "base64Body" in response:
        return base64.b64decode(response["base64Body"])
    return None


def extract_body(stub: dict[str, Any], spec: RecordSpec) -> tuple[str, bytes] | None:
    """SnapshotStubMappingBodyExtractor, when ResponseDefinitionBodyMatcher says the body is big
    enough: the body moves to a file named like the mapping, with an extension by content."""
    response = stub["response"]
    body = _body_bytes(response)
    if body is None or spec.extract_text_over is None or spec.extract_binary_over is None:
        return None
    headers = response.get("headers")
    content_type = None
    if isinstance(headers, dict):
        content_type = next((str(v) for n, v in headers.items() if n.lower() == "content-type"), None)
    if isinstance(headers, dict) and is_text_mime(mime_of(content_type)):
        size = len(str(response.get("body", body.decode("utf-8", errors="replace"))))
        big = size > spec.extract_text_over
    else:
        big = len(body) > spec.extract_binary_over
    if not big:
        return None
    request = stub["request"]
    extension = file_extension(str(request.get("url") or request.get("urlPath") or ""), content_type, body)
    name = default_file_name(stub, extension)
    for key in ("body", "base64Body"):
        response.pop(key, None)
    stub["response"] = {"status": response.pop("status"), "bodyFileName": name, **response}
    return name, body


def take_snapshot(events: Sequence[Event], spec: RecordSpec, new_id: Callable[[], str]) -> Snapshot:
    stubs = [stub_for(event, spec, new_id()) for event in events if wanted(event, spec)]
    seen: set[str] = set()
    kept = []
    for stub in stubs:
        key = _key(stub["request"])
        if key in seen and not spec.repeats_as_scenarios:
            continue
        seen.add(key)
        kept.append(stub)
    if spec.repeats_as_scenarios:
        put_repeats_in_scenarios(kept)
    files = [found for stub in kept if (found := extract_body(stub, spec)) is not None]
    return Snapshot(kept, files)
