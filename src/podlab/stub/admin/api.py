"""The WireMock admin API (`/__admin/...`): routing, request parsing and answers (docs/reference/wiremock.md §1).

Handlers validate their whole input before touching state, so a 422 changes nothing. Bodies are
Jackson-pretty JSON; statuses and empty bodies follow what real WireMock answers.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote

from podlab.httpcore import Request
from podlab.stub.admin.docs import INDEX_HTML, openapi_document
from podlab.stub.admin.streamed import pretty_object_with_list
from podlab.stub.jvm.errors import InvalidInputError
from podlab.stub.jvm.jackson import jackson_end_of_input, path_at_end
from podlab.stub.jvm.jackson_eof import end_of_input_detail
from podlab.stub.jvm.jsonfmt import pretty
from podlab.stub.jvm.jsonpointer import pointer_at, read_first_value
from podlab.stub.matching.scenarios import ScenarioNotFoundError
from podlab.stub.model import RequestPattern, StubMapping
from podlab.stub.model.request import LoggedRequest
from podlab.stub.model.request_pattern import _PATTERN_FIELDS_2X as PATTERN_FIELDS_2X
from podlab.stub.model.response_definition import _RESPONSE_FIELDS as RESPONSE_FIELDS
from podlab.stub.model.stub_mapping import _STUB_FIELDS as STUB_FIELDS
from podlab.stub.report.body_warnings import body_warnings
from podlab.stub.report.near_misses import distance_json, match_result_json, near_misses_for_pattern
from podlab.stub.store.files import MappingLoadError, PathEscapeError
from podlab.stub.store.journal import ServeEvent
from podlab.stub.store.state import ReadOnlyMappingsError, StubState

if TYPE_CHECKING:
    from podlab.stub.recording.recorder import Recorder
    from podlab.stub.recording.spec import RecordSpec

JSON = "application/json"


@dataclass
class AdminAnswer:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes | AsyncIterator[bytes] = b""  # an iterator for long listings (streamed.py)


def json_answer(value: Any, status: int = 200) -> AdminAnswer:
    # WireMock writes its bare "{}" answers (deletions, resets) as a literal, not pretty-printed.
    text = "{}" if value == {} else pretty(value)
    return AdminAnswer(status, [("Content-Type", JSON)], text.encode("utf-8"))


def empty(status: int = 200) -> AdminAnswer:
    return AdminAnswer(status)


def invalid(error: InvalidInputError) -> AdminAnswer:
    return json_answer(error.to_json(), 422)


def server_error(message: str) -> AdminAnswer:
    # WireMock lets these escape to Jetty's HTML error page; a plain text line is clearer.
    return AdminAnswer(500, [("Content-Type", "text/plain;charset=UTF-8")], message.encode("utf-8"))


class BadInput(Exception):
    def __init__(self, error: InvalidInputError) -> None:
        self.error = error


def parse_json_body(body: bytes, compat: int | None = None) -> Any:
    """The body as JSON, or BadInput with WireMock's 422 pointing where parsing stopped.
    A document cut short is refused in that version's Jackson words: `compat=3` 3.13.2's
    (jvm/jackson_eof.py), `compat=2` 2.35.1's (jvm/jackson.py); None keeps the parser's."""
    text = body.decode("utf-8", errors="replace")
    if not text.strip():
        raise BadInput(InvalidInputError.at("/", "No content to map due to end-of-input"))
    try:
        return read_first_value(text)
    except json.JSONDecodeError as exc:
        pointer = pointer_at(text, exc.pos) or "/"
        detail = f"{exc.msg} at line {exc.lineno}, column {exc.colno}"
        cut = end_of_input_detail(text) if compat == 3 else None
        if cut is not None:
            detail, member = cut
            pointer = pointer_at(text, len(text))
            if member is not None:
                pointer += "/" + member.replace("~", "~0").replace("/", "~1")
            if not pointer:  # cut in the stub object itself: Jackson names no pointer (`{"a`)
                error = InvalidInputError.at("", detail)
                error.errors[0]["source"] = {}
                raise BadInput(error) from None
        cut_short = jackson_end_of_input(text, exc) if compat == 2 else None
        if cut_short is not None:
            pointer = cut_pointer_2x(*path_at_end(text))
            detail = cut_short
        raise BadInput(InvalidInputError.at(pointer, detail)) from None


def cut_pointer_2x(path: list[str | int], value_begun: bool) -> str:
    """Where 2.35.1 points for a mapping cut short at `path` (jvm/jackson.py path_at_end): the
    StubMapping, RequestPattern and ResponseDefinition properties on the way, a list's index
    (bodyPatterns, transformers), basicAuthCredentials' own properties, but nothing inside a map
    or a matcher, nothing from a property 2.35.1 does not know, and a property's own name only
    once its value has begun (each shape seen on the 2.35.1 jar: `/request`, `/request/headers`,
    `/request/queryParameters`, `/request/bodyPatterns/0`, `/response/body`, `/name`,
    `/response/transformers/0`, `/request/basicAuthCredentials/username`)."""
    response_fields = tuple(f for f in RESPONSE_FIELDS if f != "removeProxyRequestHeaders")  # not in 2.35.1
    fields = {"": STUB_FIELDS, "request": PATTERN_FIELDS_2X, "response": response_fields}
    out: list[str] = []
    level = ""
    for depth, part in enumerate(path):
        last = depth == len(path) - 1
        if level in ("list", "bean"):
            if not (last and not value_begun):
                out.append(str(part))
            break
        if not isinstance(part, str) or part not in fields[level]:
            break
        if last and not value_begun:
            break
        out.append(part)
        if level == "" and part in ("request", "response"):
            level = part
        elif part in ("bodyPatterns", "multipartPatterns", "transformers"):
            level = "list"
        elif part == "basicAuthCredentials":
            level = "bean"
        else:
            break
    return "/" + "/".join(out) if out else "/"


def parse_json_object(body: bytes) -> dict[str, Any]:
    value = parse_json_body(body)
    if not isinstance(value, dict):
        raise BadInput(InvalidInputError.at("/", "expected a JSON object"))
    return value


def _stub(obj: Any, compat: int) -> StubMapping:
    try:
        return StubMapping.from_json(obj, compat=compat)
    except InvalidInputError as exc:
        raise BadInput(exc) from None


def _pattern(obj: Any, compat: int) -> RequestPattern:
    try:
        return RequestPattern.from_json(obj, "", compat=compat)
    except InvalidInputError as exc:
        raise BadInput(exc) from None


def _mappings_page(stubs: list[StubMapping], query: dict[str, list[str]] | None = None) -> dict[str, Any]:
    items = [s.to_json() for s in stubs]
    total = len(items)
    if query:
        offset = _int_param(query, "offset", 0)
        limit = _int_param(query, "limit", None)
        items = items[offset:] if limit is None else items[offset : offset + limit]
    return {"mappings": items, "meta": {"total": total}}


def _int_param(query: dict[str, list[str]], name: str, default: int | None) -> Any:
    values = query.get(name)
    if not values:
        return default
    try:
        return max(0, int(values[0]))
    except ValueError:
        return default


Route = Callable[["AdminContext"], Awaitable[AdminAnswer] | AdminAnswer]


@dataclass
class AdminContext:
    request: Request
    path: str  # relative to /__admin, still percent-encoded
    params: dict[str, str]  # from the route pattern
    query: dict[str, list[str]]

    def json_object(self) -> dict[str, Any]:
        return parse_json_object(self.request.body)


class AdminApi:
    """Routes one admin request to its handler; `on_shutdown` is called after answering shutdown."""

    def __init__(
        self,
        state: StubState,
        *,
        on_shutdown: Callable[[], None],
        started_at: float,
        ca_pem: Callable[[], bytes] | None = None,
    ) -> None:
        self.state = state
        self.ca_pem = ca_pem  # browser proxying's CA certificate (podlab.stub.proxy.mitm)
        self.on_shutdown = on_shutdown
        self.started_at = started_at
        self.compat = state.options.compat
        self._recorder: Recorder | None = None  # made on the first recording call
        self._routes: list[tuple[str, re.Pattern[str], Route]] = []
        self._patterns: list[tuple[str, str, str]] = []  # (method, pattern, handler name): docs.py
        self._install_routes()

    def _route(self, method: str, pattern: str, handler: Route) -> None:
        regex = "^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern).replace("/**", "/(?P<rest>.+)") + "$"
        self._routes.append((method, re.compile(regex), handler))
        self._patterns.append((method, pattern, getattr(handler, "__name__", "handler")))

    def _install_routes(self) -> None:
        r = self._route
        r("GET", "", self.root_redirect)
        r("GET", "/", self.list_mappings)
        r("POST", "/reset", self.reset)
        r("GET", "/mappings", self.list_mappings)
        r("POST", "/mappings", self.create_mapping)
        r("DELETE", "/mappings", self.delete_mappings)
        if self.compat == 2:
            r("POST", "/mappings/new", self.create_mapping_old)
        r("POST", "/mappings/remove", self.remove_mapping_old)
        r("POST", "/mappings/edit", self.edit_mapping_old)
        r("POST", "/mappings/save", self.save_mappings)
        r("POST", "/mappings/reset", self.reset)
        r("POST", "/mappings/find-by-metadata", self.find_by_metadata)
        r("POST", "/mappings/remove-by-metadata", self.remove_by_metadata)
        r("POST", "/mappings/import", self.import_mappings)
        if self.compat == 3:
            r("GET", "/mappings/unmatched", self.unmatched_mappings)
            r("DELETE", "/mappings/unmatched", self.delete_unmatched_mappings)
        r("GET", "/mappings/{id}", self.get_mapping)
        r("PUT", "/mappings/{id}", self.put_mapping)
        r("DELETE", "/mappings/{id}", self.delete_mapping)
        r("GET", "/files", self.list_files)
        if self.compat == 3:
            r("GET", "/files/**", self.get_file)
        r("PUT", "/files/**", self.put_file)
        r("DELETE", "/files/**", self.delete_file)
        r("GET", "/scenarios", self.list_scenarios)
        r("POST", "/scenarios/reset", self.reset_scenarios)
        r("PUT", "/scenarios/{name}/state", self.set_scenario_state)
        r("GET", "/requests", self.list_requests)
        r("DELETE", "/requests", self.delete_requests)
        if self.compat == 2:
            r("POST", "/requests/reset", self.reset_requests_old)
        r("POST", "/requests/count", self.count_requests)
        r("POST", "/requests/find", self.find_requests)
        r("GET", "/requests/unmatched", self.unmatched_requests)
        r("GET", "/requests/unmatched/near-misses", self.unmatched_near_misses)
        r("POST", "/requests/remove", self.remove_requests)
        r("POST", "/requests/remove-by-metadata", self.remove_requests_by_metadata)
        r("GET", "/requests/{id}", self.get_request)
        r("DELETE", "/requests/{id}", self.delete_request)
        r("POST", "/near-misses/request", self.near_misses_for_request)
        r("POST", "/near-misses/request-pattern", self.near_misses_for_pattern)
        r("GET", "/recordings/status", self.recording_status)
        r("POST", "/recordings/start", self.recording_start)
        r("POST", "/recordings/stop", self.recording_stop)
        r("POST", "/recordings/snapshot", self.recording_snapshot)
        r("GET", "/certs/wiremock-ca.crt", self.ca_certificate)
        r("GET", "/settings", self.get_settings)
        r("POST", "/settings", self.set_settings)
        r("PUT", "/settings", self.set_settings)
        r("PATCH", "/settings/extended", self.patch_extended_settings)
        r("POST", "/shutdown", self.shutdown)
        if self.compat == 3:
            r("GET", "/health", self.health)
            r("GET", "/version", self.version)
            r("GET", "/docs", self.docs_index)
            r("GET", "/docs/swagger", self.docs_openapi)

    async def handle(self, request: Request, path: str) -> AdminAnswer:
        query = parse_qs(request.query, keep_blank_values=True)
        for method, regex, handler in self._routes:
            if method != request.method:
                continue
            found = regex.match(path)
            if found is None:
                continue
            context = AdminContext(request, path, {k: v for k, v in found.groupdict().items() if v}, query)
            try:
                result = handler(context)
                if not isinstance(result, AdminAnswer):
                    result = await result
                return result
            except BadInput as bad:
                return invalid(bad.error)
            except NotAUuid as exc:
                return json_answer(
                    {"errors": [{"code": 10, "title": f"{exc.text} is not a valid UUID"}]}, 400
                )
            except ReadOnlyMappingsError as exc:
                return server_error(str(exc))
            except MappingLoadError as exc:
                return server_error(str(exc))
        return empty(404)

    # mappings -------------------------------------------------------------------------------

    def root_redirect(self, ctx: AdminContext) -> AdminAnswer:
        host = ctx.request.header("Host") or f"{ctx.request.server[0]}:{ctx.request.server[1]}"
        return AdminAnswer(302, [("Location", f"http://{host}/__admin/")])

    def list_mappings(self, ctx: AdminContext) -> AdminAnswer:
        return json_answer(_mappings_page(self.state.ordered(), ctx.query))

    def create_mapping(self, ctx: AdminContext) -> AdminAnswer:
        # any JSON value: Jackson names what it could not bind a StubMapping from (`[]`: an
        # Array); `null` makes WireMock fail with a NullPointerException (500), podlab says 422
        body = parse_json_body(ctx.request.body, self.state.options.compat)
        stub = _stub(ctx.json_object() if body is None else body, self.state.options.compat)
        self.state.add(stub)
        return json_answer(stub.to_json(), 201)

    def create_mapping_old(self, ctx: AdminContext) -> AdminAnswer:
        self.state.add(_stub(ctx.json_object(), self.state.options.compat))
        return empty(201)

    def delete_mappings(self, ctx: AdminContext) -> AdminAnswer:
        self.state.remove_all()
        return json_answer({})

    def remove_mapping_old(self, ctx: AdminContext) -> AdminAnswer:
        body = ctx.json_object()
        stub = _stub(body, self.state.options.compat)
        if ("id" in body or "uuid" in body) and self.state.get(str(stub.id)) is not None:
            self.state.remove(str(stub.id))
        else:
            wanted = stub.request.to_json()
            for existing in list(self.state.ordered()):
                if existing.request.to_json() == wanted:
                    self.state.remove(str(existing.id))
        return empty(200)

    def edit_mapping_old(self, ctx: AdminContext) -> AdminAnswer:
        stub = _stub(ctx.json_object(), self.state.options.compat)
        self.state.replace(stub)
        return empty(204)

    def save_mappings(self, ctx: AdminContext) -> AdminAnswer:
        self.state.save()
        return empty(200)

    def reset(self, ctx: AdminContext) -> AdminAnswer:
        self.state.reset()
        return empty(200)

    def _metadata_matcher(self, ctx: AdminContext) -> Callable[[StubMapping], bool]:
        from podlab.stub.matchers import parse_string_pattern

        try:
            matcher = parse_string_pattern(ctx.json_object(), "")
        except InvalidInputError as exc:
            raise BadInput(exc) from None

        def matches(stub: StubMapping) -> bool:
            if not stub.metadata:
                return False
            return matcher.match(json.dumps(stub.metadata)).is_exact_match

        return matches

    def find_by_metadata(self, ctx: AdminContext) -> AdminAnswer:
        matches = self._metadata_matcher(ctx)
        return json_answer(_mappings_page([s for s in self.state.ordered() if matches(s)]))

    def remove_by_metadata(self, ctx: AdminContext) -> AdminAnswer:
        matches = self._metadata_matcher(ctx)
        for stub in [s for s in self.state.ordered() if matches(s)]:
            self.state.remove(str(stub.id))
        return json_answer({})

    def import_mappings(self, ctx: AdminContext) -> AdminAnswer:
        body = ctx.json_object()
        unknown = set(body) - {"mappings", "importOptions", "meta"}
        if unknown:
            name = sorted(unknown)[0]
            raise BadInput(InvalidInputError.at(f"/{name}", f'Unrecognized field "{name}"'))
        raw = body.get("mappings") or []
        if not isinstance(raw, list):
            raise BadInput(InvalidInputError.at("/mappings", "expected an array"))
        stubs = []
        for index, item in enumerate(raw):
            try:
                stubs.append(StubMapping.from_json(item, compat=self.state.options.compat))
            except InvalidInputError as exc:
                for error in exc.errors:
                    source = error.setdefault("source", {})
                    source["pointer"] = f"/mappings/{index}" + source.get("pointer", "")
                raise BadInput(exc) from None
        options = body.get("importOptions") or {}
        policy = options.get("duplicatePolicy", "OVERWRITE")
        if policy not in ("OVERWRITE", "IGNORE"):
            raise BadInput(InvalidInputError.at("/importOptions/duplicatePolicy", f"bad value {policy!r}"))
        self.state.import_stubs(
            stubs, overwrite=policy == "OVERWRITE", delete_others=bool(options.get("deleteAllNotInImport"))
        )
        return empty(200)

    def unmatched_mappings(self, ctx: AdminContext) -> AdminAnswer:
        unused = [s for s in self.state.ordered() if str(s.id) not in self.state.served_ids]
        return json_answer(_mappings_page(unused))

    def delete_unmatched_mappings(self, ctx: AdminContext) -> AdminAnswer:
        for stub in [s for s in self.state.ordered() if str(s.id) not in self.state.served_ids]:
            self.state.remove(str(stub.id))
        return json_answer({})

    def get_mapping(self, ctx: AdminContext) -> AdminAnswer:
        stub = self.state.get(_uuid_text(ctx.params["id"]))
        return json_answer(stub.to_json()) if stub is not None else empty(404)

    def put_mapping(self, ctx: AdminContext) -> AdminAnswer:
        stub_id = _uuid_text(ctx.params["id"])
        body = ctx.json_object()
        if self.state.get(stub_id) is None:
            return empty(404)
        body["id"] = stub_id
        body.pop("uuid", None)
        stub = _stub(body, self.state.options.compat)
        self.state.replace(stub)
        return json_answer(stub.to_json())

    def delete_mapping(self, ctx: AdminContext) -> AdminAnswer:
        removed = self.state.remove(_uuid_text(ctx.params["id"]))
        return json_answer({}) if removed else empty(404)

    # files ----------------------------------------------------------------------------------

    def list_files(self, ctx: AdminContext) -> AdminAnswer:
        return json_answer(self.state.files.list_files())

    def _file_name(self, ctx: AdminContext) -> str:
        return unquote(ctx.params["rest"])

    def get_file(self, ctx: AdminContext) -> AdminAnswer:
        try:
            path = self.state.files.resolve_body_file(self._file_name(ctx))
        except PathEscapeError:
            return empty(404)
        if not path.is_file():
            return empty(404)
        return AdminAnswer(200, [], path.read_bytes())

    def put_file(self, ctx: AdminContext) -> AdminAnswer:
        try:
            self.state.files.write_body_file(self._file_name(ctx), ctx.request.body)
        except PathEscapeError as exc:
            raise BadInput(InvalidInputError.at("", str(exc), title="Invalid file path")) from None
        # WireMock answers the stored bytes as a JSON string of their base64.
        return json_answer(base64.b64encode(ctx.request.body).decode("ascii"))

    def delete_file(self, ctx: AdminContext) -> AdminAnswer:
        try:
            self.state.files.delete_body_file(self._file_name(ctx))
        except PathEscapeError as exc:
            raise BadInput(InvalidInputError.at("", str(exc), title="Invalid file path")) from None
        return empty(200)

    # scenarios ------------------------------------------------------------------------------

    def list_scenarios(self, ctx: AdminContext) -> AdminAnswer:
        return json_answer(self.state.scenarios_json())

    def reset_scenarios(self, ctx: AdminContext) -> AdminAnswer:
        self.state.scenarios.reset_all()
        return json_answer({})

    def set_scenario_state(self, ctx: AdminContext) -> AdminAnswer:
        name = unquote(ctx.params["name"])
        body = ctx.json_object() if ctx.request.body.strip() else {}
        state = body.get("state")
        try:
            if state is None:
                self.state.scenarios.reset(name)
            else:
                self.state.scenarios.set_state(name, str(state))
        except ScenarioNotFoundError as exc:
            return json_answer(exc.to_json(), 404)
        except InvalidInputError as exc:
            raise BadInput(exc) from None
        return json_answer({})

    # journal --------------------------------------------------------------------------------

    def list_requests(self, ctx: AdminContext) -> AdminAnswer:
        journal = self.state.journal
        since = None
        if ctx.query.get("since"):
            since = _parse_time(ctx.query["since"][0])
        unmatched = (ctx.query.get("unmatched") or [""])[0].lower() == "true"
        matching = ctx.query["matchingStub"][0] if ctx.query.get("matchingStub") else None
        filtered = bool(since or unmatched or matching)
        events: Iterable[ServeEvent]
        if filtered:
            selected = journal.select(since=since, unmatched_only=unmatched, matching_stub=matching)
            events, total = selected, len(selected)
        else:
            # Lazily: spilled entries are decoded block by block while the answer streams.
            events, total = journal.iter_events(), len(journal)
        limit = _int_param(ctx.query, "limit", None)
        if limit is not None:
            # A negative limit keeps slicing's old answer (all but the last -limit).
            events = itertools.islice(events, limit) if limit >= 0 else list(events)[:limit]
        with_sub_events = self.compat == 3
        # Streamed: a whole journal as one string held the loop for seconds (admin/streamed.py).
        body = pretty_object_with_list(
            "requests",
            events,
            lambda e: e.to_json(with_sub_events=with_sub_events),
            {"meta": {"total": total}, "requestJournalDisabled": not journal.enabled},
        )
        return AdminAnswer(200, [("Content-Type", JSON)], body)

    def delete_requests(self, ctx: AdminContext) -> AdminAnswer:
        self.state.journal.clear()
        return json_answer({})

    def reset_requests_old(self, ctx: AdminContext) -> AdminAnswer:
        self.state.journal.clear()
        return empty(200)

    def count_requests(self, ctx: AdminContext) -> AdminAnswer:
        pattern = _pattern(ctx.json_object(), self.state.options.compat)
        journal = self.state.journal
        if not journal.enabled:
            return json_answer({"count": -1, "requestJournalDisabled": True})
        count = len(journal.requests_matching(lambda r: pattern.match(r).is_exact_match))
        return json_answer({"count": count, "requestJournalDisabled": False})

    def find_requests(self, ctx: AdminContext) -> AdminAnswer:
        pattern = _pattern(ctx.json_object(), self.state.options.compat)
        journal = self.state.journal
        found = journal.requests_matching(lambda r: pattern.match(r).is_exact_match)
        return json_answer(
            {"requests": [e.request.to_json() for e in found], "requestJournalDisabled": not journal.enabled}
        )

    def unmatched_requests(self, ctx: AdminContext) -> AdminAnswer:
        journal = self.state.journal
        events = journal.select(unmatched_only=True)  # newest first, as WireMock lists them
        return json_answer(
            {"requests": [e.request.to_json() for e in events], "requestJournalDisabled": not journal.enabled}
        )

    def unmatched_near_misses(self, ctx: AdminContext) -> AdminAnswer:
        out = []
        for event in self.state.journal.select(unmatched_only=True):  # newest first
            out.extend(self._stub_near_misses(event.request, event.request.to_json()))
        return json_answer({"nearMisses": out})

    def remove_requests(self, ctx: AdminContext) -> AdminAnswer:
        pattern = _pattern(ctx.json_object(), self.state.options.compat)
        removed = self.state.journal.remove_where(lambda e: pattern.match(e.request).is_exact_match)
        return json_answer({"serveEvents": [e.to_json(with_sub_events=self.compat == 3) for e in removed]})

    def remove_requests_by_metadata(self, ctx: AdminContext) -> AdminAnswer:
        matches = self._metadata_matcher(ctx)
        removed = self.state.journal.remove_where(
            lambda e: (
                e.was_matched
                and bool(e.stub_mapping.get("metadata"))
                and matches(_stub(e.stub_mapping, self.state.options.compat))
            )
        )
        return json_answer({"serveEvents": [e.to_json(with_sub_events=self.compat == 3) for e in removed]})

    def get_request(self, ctx: AdminContext) -> AdminAnswer:
        event = self.state.journal.get(ctx.params["id"])
        if event is None:
            return empty(404)
        return json_answer(event.to_json(with_sub_events=self.compat == 3))

    def delete_request(self, ctx: AdminContext) -> AdminAnswer:
        self.state.journal.remove(ctx.params["id"])
        return json_answer({})

    # near misses ----------------------------------------------------------------------------

    def _stub_near_misses(self, request: LoggedRequest, shown: dict[str, Any]) -> list[dict[str, Any]]:
        return [
            {
                "request": shown,
                "stubMapping": stub.to_json(),
                "matchResult": (
                    {
                        "subEvents": body_warnings(stub.request, request),
                        "diffDescriptions": [],
                        "distance": distance,
                    }
                    if self.compat == 3
                    else {"distance": distance_json(distance)}  # 2.35.1's MatchResult JSON
                ),
            }
            for stub, distance in self.state.near_misses(request)
        ]

    def near_misses_for_request(self, ctx: AdminContext) -> AdminAnswer:
        body = ctx.json_object()
        request = LoggedRequest.from_json(body)
        return json_answer({"nearMisses": self._stub_near_misses(request, request.to_json())})

    def near_misses_for_pattern(self, ctx: AdminContext) -> AdminAnswer:
        body = ctx.json_object()
        pattern = _pattern(body, self.state.options.compat)
        requests = [event.request for event in self.state.journal.events()]
        return json_answer(
            {
                "nearMisses": [
                    {
                        "request": request.to_json(),
                        "requestPattern": pattern.to_json(),
                        "matchResult": match_result_json(
                            result, self.state.options.compat, body_warnings(pattern, request)
                        ),
                    }
                    for request, result in near_misses_for_pattern(
                        pattern, requests, compat=self.state.options.compat
                    )
                ]
            }
        )

    # recordings (podlab.stub.recording) ------------------------------------------------------

    @property
    def recorder(self) -> Recorder:
        if self._recorder is None:
            from podlab.stub.recording.recorder import Recorder

            self._recorder = Recorder(self.state)
        return self._recorder

    def _record_spec(self, body: Any) -> RecordSpec:
        from podlab.stub.recording.spec import parse_record_spec

        try:
            return parse_record_spec(body, compat=self.compat)
        except InvalidInputError as exc:
            raise BadInput(exc) from None

    def recording_status(self, ctx: AdminContext) -> AdminAnswer:
        status = self._recorder.status if self._recorder is not None else "NeverStarted"
        return json_answer({"status": status})

    def recording_start(self, ctx: AdminContext) -> AdminAnswer:
        self.recorder.start(self._record_spec(ctx.json_object()))
        return json_answer({})

    def recording_stop(self, ctx: AdminContext) -> AdminAnswer:
        from podlab.stub.recording.recorder import NotRecording

        try:
            result = self.recorder.stop()
        except NotRecording:
            return json_answer({"errors": [{"code": 30, "title": "Not currently recording."}]}, 400)
        return json_answer(result)

    def recording_snapshot(self, ctx: AdminContext) -> AdminAnswer:
        # An empty body is RecordSpec.DEFAULTS (SnapshotTask), unlike start's 422.
        body = parse_json_body(ctx.request.body) if ctx.request.body.strip() else {}
        return json_answer(self.recorder.snapshot(self._record_spec(body)))

    def ca_certificate(self, ctx: AdminContext) -> AdminAnswer:
        if self.ca_pem is None:
            return empty(404)
        return AdminAnswer(200, [("Content-Type", "application/x-pem-file")], self.ca_pem())

    # settings -------------------------------------------------------------------------------

    def get_settings(self, ctx: AdminContext) -> AdminAnswer:
        return json_answer({"settings": self.state.settings})

    def set_settings(self, ctx: AdminContext) -> AdminAnswer:
        body = ctx.json_object()
        # The Python client wraps the object as {"settings": {...}}; WireMock accepts both.
        if set(body) == {"settings"} and isinstance(body["settings"], dict):
            body = body["settings"]
        self.state.settings = validate_settings(body, compat=self.compat)
        return empty(200)

    def patch_extended_settings(self, ctx: AdminContext) -> AdminAnswer:
        body = ctx.json_object()
        for name in body:
            if name != "extended":
                raise BadInput(InvalidInputError.at(f"/{name}", f'Unrecognized field "{name}"'))
        if not isinstance(body.get("extended", {}), dict):
            raise BadInput(InvalidInputError.at("/extended", "extended must be an object"))
        extended = dict(self.state.settings.get("extended") or {})
        extended.update(body.get("extended") or {})
        self.state.settings = {**self.state.settings, "extended": extended}
        return empty(200)

    # lifecycle ------------------------------------------------------------------------------

    def shutdown(self, ctx: AdminContext) -> AdminAnswer:
        self.on_shutdown()
        return empty(200)

    def health(self, ctx: AdminContext) -> AdminAnswer:
        import time

        now = datetime.now(UTC)
        return json_answer(
            {
                "status": "healthy",
                "message": "Wiremock is ok",
                "version": self.state.options.wiremock_version,
                "uptimeInSeconds": int(time.monotonic() - self.started_at),
                "timestamp": now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            }
        )

    def version(self, ctx: AdminContext) -> AdminAnswer:
        return json_answer({"version": self.state.options.wiremock_version})

    def docs_index(self, ctx: AdminContext) -> AdminAnswer:
        return AdminAnswer(200, [("Content-Type", "text/html")], INDEX_HTML.encode("utf-8"))

    def docs_openapi(self, ctx: AdminContext) -> AdminAnswer:
        return json_answer(openapi_document(self._patterns, self.state.options.wiremock_version))


_SETTINGS_FIELDS = {"fixedDelay", "delayDistribution", "proxyPassThrough", "extended"}


def validate_settings(body: dict[str, Any], *, compat: int) -> dict[str, Any]:
    """A POST/PUT /settings body as WireMock stores it: the whole object is replaced."""
    for name, value in body.items():
        if name not in _SETTINGS_FIELDS:
            raise BadInput(InvalidInputError.at(f"/{name}", f'Unrecognized field "{name}"'))
        if (
            name == "fixedDelay"
            and value is not None
            and (isinstance(value, bool) or not isinstance(value, int))
        ):
            raise BadInput(InvalidInputError.at("/fixedDelay", "fixedDelay must be an integer"))
        if name == "proxyPassThrough" and not isinstance(value, bool):
            raise BadInput(InvalidInputError.at("/proxyPassThrough", "proxyPassThrough must be a boolean"))
        if name in ("delayDistribution", "extended") and value is not None and not isinstance(value, dict):
            raise BadInput(InvalidInputError.at(f"/{name}", f"{name} must be an object"))
    settings = {k: v for k, v in body.items() if v is not None}
    if compat == 3:
        settings.setdefault("proxyPassThrough", False)
    return settings


class NotAUuid(Exception):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def _uuid_text(text: str) -> str:
    try:
        return str(uuid.UUID(unquote(text)))
    except ValueError:
        raise NotAUuid(unquote(text)) from None


def _parse_time(text: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


__all__ = ["AdminAnswer", "AdminApi"]
