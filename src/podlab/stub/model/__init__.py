"""Stub mappings as WireMock reads, matches and prints them, and the requests they match:
the public names in one place. Above `matchers/` and `jvm/`; nothing here does I/O.

The parts live in modules with one job each:
- binding: Jackson-style binding of stub JSON (coercions and refusal wording);
- request: `LoggedRequest`, the request as matchers, the journal and templates see it (ids: its ids);
- url_pattern: url / urlPattern / urlPath / urlPathPattern / urlPathTemplate;
- basic_auth, multipart, pattern_maps: the other parts of a request pattern;
- request_pattern: `RequestPattern` (binding, printing and scoring);
- response_definition: `ResponseDefinition`;
- stub_mapping: `StubMapping`.
"""

from podlab.stub.jvm.javahash import java_hash_order, java_hashmap_copy_capacity, java_string_hash
from podlab.stub.model.basic_auth import BasicAuthHeaderPattern, BasicAuthPrefixPattern, BasicCredentials
from podlab.stub.model.binding import (
    bind_bool,
    bind_int,
    bind_list,
    bind_object,
    bind_string,
    bind_uuid,
    java_number_text,
)
from podlab.stub.model.multipart import MultipartPart, MultipartValuePattern, parse_multipart
from podlab.stub.model.pattern_maps import match_body
from podlab.stub.model.request_pattern import CustomMatcherDefinition, RequestPattern
from podlab.stub.model.response_definition import FAULTS, ResponseDefinition, java_base64_decode
from podlab.stub.model.stub_mapping import DEFAULT_PRIORITY, STARTED, StubMapping
from podlab.stub.model.url_pattern import URL_KEYS, PathTemplate, UrlMatcher

__all__ = [
    "DEFAULT_PRIORITY",
    "FAULTS",
    "STARTED",
    "URL_KEYS",
    "BasicAuthHeaderPattern",
    "BasicAuthPrefixPattern",
    "BasicCredentials",
    "CustomMatcherDefinition",
    "MultipartPart",
    "MultipartValuePattern",
    "PathTemplate",
    "RequestPattern",
    "ResponseDefinition",
    "StubMapping",
    "UrlMatcher",
    "bind_bool",
    "bind_int",
    "bind_list",
    "bind_object",
    "bind_string",
    "bind_uuid",
    "java_base64_decode",
    "java_hash_order",
    "java_hashmap_copy_capacity",
    "java_number_text",
    "java_string_hash",
    "match_body",
    "parse_multipart",
]
