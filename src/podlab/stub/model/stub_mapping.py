"""A stub mapping as WireMock reads and prints it.

`StubMapping.from_json` validates a mapping the way WireMock's Jackson binding does (unknown
fields, wrong types and bad enum values are a 422 `InvalidInputError` naming the JSON pointer),
and `to_json` prints the normalised form GET /__admin/mappings shows, keys in WireMock's order.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from podlab.stub.model.binding import (
    PKG,
    bind_bool,
    bind_int,
    bind_list,
    bind_object,
    bind_string,
    bind_uuid,
    check_fields,
    fail,
    non_null,
    present,
)
from podlab.stub.model.request_pattern import RequestPattern
from podlab.stub.model.response_definition import ResponseDefinition

DEFAULT_PRIORITY = 5
STARTED = "Started"
_STUB_CLASS = f"{PKG}.stubbing.StubMapping"

_STUB_FIELDS = (
    "id", "uuid", "name", "request", "response", "persistent", "priority", "scenarioName",
    "requiredScenarioState", "newScenarioState", "postServeActions", "serveEventListeners",
    "metadata", "insertionIndex",
)  # fmt: skip


_JAVA_SCALAR = {str: "java.lang.String", bool: "java.lang.Boolean", int: "java.lang.Integer",
                float: "java.math.BigDecimal", list: "java.util.ArrayList"}  # fmt: skip


def _not_a_map(item: Any) -> str:
    """WireMock binds each listener to a Map first, so a non-object entry is a ClassCastException
    (measured on 3.13.2 and 2.35.1 for strings, numbers, booleans and arrays)."""
    cls = _JAVA_SCALAR.get(type(item), "java.lang.Object")
    if cls == "java.lang.Integer" and not -(2**31) <= item < 2**31:
        cls = "java.lang.Long"
    return (
        f"class {cls} cannot be cast to class java.util.Map ({cls} and java.util.Map are in module "
        "java.base of loader 'bootstrap')"
    )


def _listeners(
    value: Any, pointer: str, java_class: str, allow_map: bool
) -> list[dict[str, Any] | None] | None:
    """postServeActions / serveEventListeners as `[{"name", "parameters"}]`. postServeActions
    also takes the older map form `{"webhook": {...}}`; other shapes are dropped silently, as
    WireMock does. Errors inside an entry point at the list itself, as Jackson reports them."""
    if isinstance(value, dict) and allow_map:
        return [{"name": name, "parameters": params} for name, params in value.items()]
    if not isinstance(value, list):
        return None
    out: list[dict[str, Any] | None] = []
    for item in value:
        if item is None:  # kept and echoed as null, as WireMock does (measured on 3.13.2 and 2.35.1)
            out.append(None)
            continue
        if not isinstance(item, dict):
            raise fail(pointer, _not_a_map(item))
        obj = item
        for key in obj:
            if key not in ("name", "requestPhases", "parameters"):
                raise fail(
                    pointer, f'Unrecognized field "{key}" (class {java_class}), not marked as ignorable'
                )
        entry: dict[str, Any] = {}
        if present(obj, "name"):
            entry["name"] = bind_string(obj["name"], pointer)
        if present(obj, "requestPhases"):
            entry["requestPhases"] = bind_list(obj["requestPhases"], pointer, "java.util.ArrayList")
        if present(obj, "parameters"):
            entry["parameters"] = bind_object(obj["parameters"], pointer, f"{PKG}.extension.Parameters")
        out.append(entry)
    return out


@dataclass
class StubMapping:
    id: UUID = field(default_factory=uuid.uuid4)
    request: RequestPattern = field(default_factory=RequestPattern)
    response: ResponseDefinition = field(default_factory=ResponseDefinition)
    name: str | None = None
    priority: int | None = None
    scenario_name: str | None = None
    required_scenario_state: str | None = None
    new_scenario_state: str | None = None
    persistent: bool | None = None
    metadata: dict[str, Any] | None = None
    post_serve_actions: list[dict[str, Any] | None] | None = None
    serve_event_listeners: list[dict[str, Any] | None] | None = None
    insertion_index: int = 0  # assigned by whoever stores the stub; newer stubs win ties

    def id_text(self) -> str:
        """`str(self.id)`, cached while `id` is the same object: serving needs it per request
        (Matched-Stub-Id, the journal) and formatting a UUID is not free."""
        cached = self.__dict__.get("_id_text")
        if cached is None or cached[0] is not self.id:
            cached = (self.id, str(self.id))
            self.__dict__["_id_text"] = cached
        text: str = cached[1]
        return text

    @classmethod
    def from_json(cls, obj: Any, *, compat: int = 3) -> StubMapping:
        """Parse and validate one mapping; raises InvalidInputError (WireMock's 422)."""
        if not isinstance(obj, dict):
            bind_object(obj, "/", _STUB_CLASS)
        # 2.35.1 has no serveEventListeners (measured: "Unrecognized field").
        allowed = (
            _STUB_FIELDS if compat == 3 else tuple(f for f in _STUB_FIELDS if f != "serveEventListeners")
        )
        unknown = next((key for key in obj if key not in allowed), None)
        if unknown is not None:
            # Jackson reads in document order: a request or response before the unknown field
            # is bound first, and its own errors (an unknown field inside) come first.
            for key in obj:
                if key == unknown:
                    break
                if key == "request":
                    RequestPattern.from_json(obj[key], "/request", compat=compat)
                elif key == "response":
                    ResponseDefinition.from_json(obj[key], "/response", compat=compat)
        check_fields(obj, "", allowed, _STUB_CLASS)
        stub_id: UUID | None = None
        for key in obj:  # id and uuid are one property: the later one in the document wins
            if key in ("id", "uuid") and present(obj, key):
                stub_id = bind_uuid(obj[key], f"/{key}")

        def text(key: str) -> str | None:
            return bind_string(obj[key], f"/{key}") if present(obj, key) else None

        metadata = None
        if present(obj, "metadata"):
            metadata = bind_object(obj["metadata"], "/metadata", f"{PKG}.common.Metadata")
        return cls(
            id=stub_id if stub_id is not None else uuid.uuid4(),
            request=RequestPattern.from_json(obj.get("request"), "/request", compat=compat),
            response=ResponseDefinition.from_json(obj.get("response"), "/response", compat=compat),
            name=text("name"),
            priority=bind_int(obj["priority"], "/priority") if present(obj, "priority") else None,
            scenario_name=text("scenarioName"),
            required_scenario_state=text("requiredScenarioState"),
            new_scenario_state=text("newScenarioState"),
            persistent=bind_bool(obj["persistent"], "/persistent") if present(obj, "persistent") else None,
            metadata=metadata,
            post_serve_actions=_listeners(
                obj["postServeActions"],
                "/postServeActions",
                f"{PKG}.extension.PostServeActionDefinition",
                True,
            )
            if present(obj, "postServeActions")
            else None,
            serve_event_listeners=_listeners(
                obj["serveEventListeners"],
                "/serveEventListeners",
                f"{PKG}.extension.ServeEventListenerDefinition",
                False,
            )
            if present(obj, "serveEventListeners")
            else None,
            insertion_index=bind_int(obj["insertionIndex"], "/insertionIndex", "long")
            if present(obj, "insertionIndex")
            else 0,
        )

    def to_json(self, *, include_insertion_index: bool = False) -> dict[str, Any]:
        """WireMock's normalised form: id, name, request, response, uuid, then the rest."""
        text_id = str(self.id)
        out = non_null(
            [
                ("id", text_id),
                ("name", self.name),
                ("request", self.request.to_json()),
                ("response", self.response.to_json()),
                ("uuid", text_id),
                ("persistent", self.persistent),
                ("priority", self.priority),
                ("scenarioName", self.scenario_name),
                ("requiredScenarioState", self.required_scenario_state),
                ("newScenarioState", self.new_scenario_state),
                ("metadata", self.metadata),
                ("postServeActions", self.post_serve_actions),
                ("serveEventListeners", self.serve_event_listeners),
            ]
        )
        if include_insertion_index:
            out["insertionIndex"] = self.insertion_index
        return out

    @property
    def effective_priority(self) -> int:
        return self.priority if self.priority is not None else DEFAULT_PRIORITY
