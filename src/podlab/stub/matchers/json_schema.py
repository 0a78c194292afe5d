"""matchesJsonSchema (3.x): validate a JSON value against a JSON Schema (the jsonschema library).

`schemaVersion` picks the draft: V4, V6, V7, V201909, V202012 (default). The operand is kept as
the string WireMock shows: a schema given as a JSON object is written back pretty-printed
(observed: `{"type":"object"}` -> `"{\\n  \\"type\\" : \\"object\\"\\n}"`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from podlab.stub.matchers.base import MatchResult
from podlab.stub.matchers.lenient_json import parse_json_cached, to_plain

# schemaVersion -> jsonschema validator class name (the classes: `validator_class`)
SCHEMA_VERSIONS: dict[str, str] = {
    "V4": "Draft4Validator",
    "V6": "Draft6Validator",
    "V7": "Draft7Validator",
    "V201909": "Draft201909Validator",
    "V202012": "Draft202012Validator",
}
DEFAULT_SCHEMA_VERSION = "V202012"


def validator_class(version: str) -> type[Any]:
    """The jsonschema validator for a schemaVersion of SCHEMA_VERSIONS."""
    import jsonschema  # on first use: ~0.1 s of start-up that stubs without schemas never need

    cls: type[Any] = getattr(jsonschema, SCHEMA_VERSIONS[version])
    return cls


@dataclass(frozen=True)
class MatchesJsonSchema:
    schema_text: str
    schema_version: str = DEFAULT_SCHEMA_VERSION
    validator: Any = field(default=None, compare=False, repr=False)
    name: str = field(default="matchesJsonSchema", init=False)

    @property
    def expected(self) -> str:
        return self.schema_text

    def match(self, value: str | None) -> MatchResult:
        if value is None:
            return MatchResult.no_match()
        try:
            document = to_plain(parse_json_cached(value))
        except ValueError:
            return MatchResult.no_match()
        # any violation is a total miss (WireMock 3.13.2 near misses score it 1.0)
        return MatchResult.of(self.validator.is_valid(document))

    def to_json(self) -> dict[str, Any]:
        return {"matchesJsonSchema": self.schema_text, "schemaVersion": self.schema_version}
