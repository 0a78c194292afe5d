"""JSONPath for the `jsonPath` helpers: the matchers' Jayway evaluator with WireMock's template options.

WireMock's templates configure Jayway with DEFAULT_PATH_LEAF_TO_NULL, so a missing last key of an
object reads as null (and `$..x` lists a null for every object without `x`); matchers do not. This
module only adds that option to `podlab.stub.matchers.jsonpath`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from podlab.stub.matchers import jsonpath as _jayway
from podlab.stub.matchers.jsonpath import JsonPathError, PathNotFound

__all__ = ["JsonPathError", "PathNotFound", "TemplatePath", "compile_path"]


@dataclass(frozen=True)
class TemplatePath:
    path: _jayway.CompiledPath
    leaf_null: bool

    def evaluate(self, document: Any) -> Any:
        """The value of a definite path or the list of an indefinite one; PathNotFound if missing."""
        return _jayway.read(self.path, document, leaf_null=self.leaf_null)


def compile_path(expression: str, *, leaf_null: bool = True) -> TemplatePath:
    """Parse `expression` (JsonPathError if invalid); `leaf_null` as the templates configure Jayway."""
    return TemplatePath(_jayway.compile_path(expression), leaf_null)
