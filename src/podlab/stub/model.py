"""Stub mappings as WireMock reads, matches and prints them: the public names in one place.

The parts live in modules with one job each:
- binding: Jackson-style binding of stub JSON (coercions and refusal wording);
- javahash: Java HashMap iteration order;
- url_pattern: url / urlPattern / urlPath / urlPathPattern / urlPathTemplate;
- basic_auth, multipart, pattern_maps: the other parts of a request pattern;
- request_pattern: `RequestPattern` (binding, printing and scoring);
- response_definition: `ResponseDefinition`;
- stub_mapping: `StubMapping`.
"""

from podlab.stub.basic_auth import BasicAuthHeaderPattern, BasicAuthPrefixPattern, BasicCredentials
from podlab.stub.binding import (
    bind_bool,
    bind_int,
    bind_list,
    bind_object,
    bind_string,
    bind_uuid,
    java_number_text,
)
from podlab.stub.javahash import java_hash_order, java_hashmap_copy_capacity, java_string_hash
from podlab.stub.multipart import MultipartPart, MultipartValuePattern, parse_multipart
from podlab.stub.pattern_maps import match_body
from podlab.stub.request_pattern import CustomMatcherDefinition, RequestPattern
from podlab.stub.response_definition import FAULTS, ResponseDefinition, java_base64_decode
from podlab.stub.stub_mapping import DEFAULT_PRIORITY, STARTED, StubMapping
from podlab.stub.url_pattern import URL_KEYS, PathTemplate, UrlMatcher

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
