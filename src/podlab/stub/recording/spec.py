"""The record spec: the body of POST /__admin/recordings/start and /snapshot (WireMock 3.13.2's
RecordSpec and the types it holds), validated with WireMock's 422 wording (checked on the jar)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from podlab.stub.jvm.errors import InvalidInputError
from podlab.stub.model import RequestPattern

_FIELDS = (
    "targetBaseUrl",
    "filters",
    "captureHeaders",
    "requestBodyPattern",
    "extractBodyCriteria",
    "outputFormat",
    "persist",
    "repeatsAsScenarios",
    "transformers",
    "transformerParameters",
)
_BODY_MATCHERS = {
    "auto": ("ignoreArrayOrder", "ignoreExtraElements", "caseInsensitive"),
    "equalTo": ("caseInsensitive",),
    "equalToJson": ("ignoreArrayOrder", "ignoreExtraElements"),
    "equalToXml": (),
}
_SIZE = re.compile(r"^([\d.]+)\s*(\w)?b?$", re.IGNORECASE)
UNLIMITED = 2**63 - 1  # Long.MAX_VALUE: a threshold not given


@dataclass
class BodyPattern:
    """RequestBodyPatternFactory: which matcher a recorded request body gets."""

    matcher: str = "auto"
    options: dict[str, bool] = field(default_factory=dict)


@dataclass
class RecordSpec:
    target_base_url: str | None = None
    filters: RequestPattern | None = None
    filter_ids: list[str] | None = None
    allow_non_proxied: bool = False
    capture_headers: dict[str, bool | None] = field(default_factory=dict)  # name -> caseInsensitive
    body_pattern: BodyPattern = field(default_factory=BodyPattern)
    extract_text_over: int | None = None  # None: no extractBodyCriteria
    extract_binary_over: int | None = None
    output_ids: bool = False
    persist: bool = True
    repeats_as_scenarios: bool = True
    transformers: list[str] = field(default_factory=list)


def _bad(pointer: str, detail: str) -> InvalidInputError:
    return InvalidInputError.at(pointer, detail)


def _unrecognized(pointer: str, name: str, java_class: str) -> InvalidInputError:
    return _bad(
        f"{pointer}/{name}",
        f'Unrecognized field "{name}" (class {java_class}), not marked as ignorable',
    )


def _boolean(value: Any, pointer: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        if value in ("true", "false"):
            return value == "true"
        raise _bad(
            pointer,
            f'Cannot deserialize value of type `java.lang.Boolean` from String "{value}": '
            'only "true" or "false" recognized',
        )
    raise _bad(pointer, f"Cannot deserialize value of type `java.lang.Boolean` from {_json_kind(value)}")


def _json_kind(value: Any) -> str:
    if isinstance(value, dict):
        return "Object value (token `JsonToken.START_OBJECT`)"
    if isinstance(value, list):
        return "Array value (token `JsonToken.START_ARRAY`)"
    return f"{type(value).__name__} value"


def parse_size(value: Any, pointer: str) -> int:
    """ResponseDefinitionBodyMatcherDeserializer: a number of bytes, or "10 KB"-like text."""
    if value is None:
        return UNLIMITED
    if isinstance(value, bool):
        raise _bad(pointer, f'Invalid size string: "{value}"')
    if isinstance(value, int | float):
        return int(value)
    text = str(value).strip().replace(",", ".")
    found = _SIZE.match(text)
    if not found:
        raise _bad(pointer, f'Invalid size string: "{value}"')
    scale = 1
    unit = found.group(2)
    if unit is not None:
        scales = {"K": 1024, "M": 1024**2, "G": 1024**3}
        if unit.upper() not in scales:
            raise _bad(pointer, f"Invalid size unit: {unit}")
        scale = scales[unit.upper()]
    try:
        return round(float(found.group(1)) * scale)
    except ValueError:
        raise _bad(pointer, f'Invalid size string: "{value}"') from None


def parse_record_spec(obj: Any, *, compat: int = 3) -> RecordSpec:
    """A RecordSpec from JSON; InvalidInputError with WireMock's pointer and detail."""
    if not isinstance(obj, dict):
        raise _bad("", f"Cannot construct instance of RecordSpec from {_json_kind(obj)}")
    spec = RecordSpec()
    for name in obj:
        if name not in _FIELDS:
            raise _unrecognized("", name, "com.github.tomakehurst.wiremock.recording.RecordSpec")
    target = obj.get("targetBaseUrl")
    if target is not None:
        if not isinstance(target, str):
            raise _bad(
                "/targetBaseUrl",
                f"Cannot deserialize value of type `java.lang.String` from {_json_kind(target)}",
            )
        spec.target_base_url = target
    _filters(obj.get("filters"), spec, compat)
    capture = obj.get("captureHeaders")
    if capture is not None:
        if not isinstance(capture, dict):
            raise _bad(
                "/captureHeaders",
                f"Cannot deserialize value of type `java.util.Map` from {_json_kind(capture)}",
            )
        for header, options in capture.items():
            pointer = f"/captureHeaders/{header}"
            options = options or {}
            if not isinstance(options, dict):
                raise _bad(
                    pointer, f"Cannot construct instance of CaptureHeadersSpec from {_json_kind(options)}"
                )
            for key in options:
                if key != "caseInsensitive":
                    raise _unrecognized(
                        pointer, key, "com.github.tomakehurst.wiremock.recording.CaptureHeadersSpec"
                    )
            spec.capture_headers[str(header)] = _boolean(
                options.get("caseInsensitive"), f"{pointer}/caseInsensitive"
            )
    _body_pattern(obj.get("requestBodyPattern"), spec)
    criteria = obj.get("extractBodyCriteria")
    if criteria is not None:
        if not isinstance(criteria, dict):
            raise _bad(
                "/extractBodyCriteria",
                f"Cannot deserialize ResponseDefinitionBodyMatcher from {_json_kind(criteria)}",
            )
        # The deserializer reads the two keys and ignores any other (it reads a tree).
        spec.extract_text_over = parse_size(criteria.get("textSizeThreshold"), "/extractBodyCriteria")
        spec.extract_binary_over = parse_size(criteria.get("binarySizeThreshold"), "/extractBodyCriteria")
    output = obj.get("outputFormat")
    if output is not None:
        if not isinstance(output, str) or output.lower() not in ("full", "ids"):
            raise _bad("/outputFormat", "Invalid output format")
        spec.output_ids = output.lower() == "ids"
    persist = _boolean(obj.get("persist"), "/persist")
    spec.persist = True if persist is None else persist
    repeats = _boolean(obj.get("repeatsAsScenarios"), "/repeatsAsScenarios")
    spec.repeats_as_scenarios = True if repeats is None else repeats
    transformers = obj.get("transformers")
    if transformers is not None:
        if not isinstance(transformers, list) or not all(isinstance(t, str) for t in transformers):
            raise _bad(
                "/transformers", "Cannot deserialize value of type `java.util.ArrayList<java.lang.String>`"
            )
        spec.transformers = list(transformers)
    return spec


def _filters(filters: Any, spec: RecordSpec, compat: int) -> None:
    if filters is None:
        return
    if not isinstance(filters, dict):
        raise _bad(
            "/filters", f"Cannot construct instance of ProxiedServeEventFilters from {_json_kind(filters)}"
        )
    pattern = {k: v for k, v in filters.items() if k not in ("ids", "allowNonProxied")}
    ids = filters.get("ids")
    if ids is not None:
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise _bad(
                "/filters/ids", "Cannot deserialize value of type `java.util.ArrayList<java.util.UUID>`"
            )
        spec.filter_ids = [i.lower() for i in ids]
    spec.allow_non_proxied = bool(_boolean(filters.get("allowNonProxied"), "/filters/allowNonProxied"))
    if pattern:
        spec.filters = RequestPattern.from_json(pattern, "/filters", compat=compat)


def _body_pattern(value: Any, spec: RecordSpec) -> None:
    if value is None:
        return
    pointer = "/requestBodyPattern"
    if not isinstance(value, dict):
        raise _bad(
            pointer, f"Cannot construct instance of RequestBodyPatternFactory from {_json_kind(value)}"
        )
    matcher = value.get("matcher")
    if matcher is None:
        raise _bad(
            pointer,
            "Could not resolve subtype of [simple type, class "
            "com.github.tomakehurst.wiremock.recording.RequestBodyPatternFactory]: "
            "missing type id property 'matcher'",
        )
    if matcher not in _BODY_MATCHERS:
        raise _bad(
            pointer,
            f"Could not resolve type id '{matcher}' as a subtype of "
            "`com.github.tomakehurst.wiremock.recording.RequestBodyPatternFactory`: known type ids = "
            "[auto, equalTo, equalToJson, equalToXml]",
        )
    options: dict[str, bool] = {}
    for key, given in value.items():
        if key == "matcher":
            continue
        if key not in _BODY_MATCHERS[matcher]:
            raise _unrecognized(
                pointer,
                key,
                f"com.github.tomakehurst.wiremock.recording.RequestBody{_class(matcher)}PatternFactory",
            )
        flag = _boolean(given, f"{pointer}/{key}")
        if flag is not None:
            options[key] = flag
    spec.body_pattern = BodyPattern(matcher, options)


def _class(matcher: str) -> str:
    return {
        "auto": "Automatic",
        "equalTo": "EqualTo",
        "equalToJson": "EqualToJson",
        "equalToXml": "EqualToXml",
    }[matcher]
