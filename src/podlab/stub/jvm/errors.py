"""Errors the stub server reports to its admin API clients, in WireMock's shape.

    Exception
    └── InvalidInputError   a mapping or matcher that WireMock would reject with 422

WireMock answers bad admin input with
`{"errors": [{"code": 10, "source": {"pointer": "/request/url"}, "title": "Error parsing JSON",
"detail": "..."}]}`; `errors` here holds exactly those entries.
"""

from __future__ import annotations

from typing import Any

# WireMock's Errors.Error code for every JSON binding problem ("Error parsing JSON").
JSON_PARSE_ERROR_CODE = 10
JSON_PARSE_ERROR_TITLE = "Error parsing JSON"


class InvalidInputError(Exception):
    """Raised when admin input (a stub mapping or one of its matchers) is invalid."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        self.errors = errors
        super().__init__("; ".join(_describe(e) for e in errors))

    @classmethod
    def at(cls, pointer: str, detail: str, *, title: str = JSON_PARSE_ERROR_TITLE) -> InvalidInputError:
        """One error at a JSON pointer, e.g. `InvalidInputError.at("/request/headers/X", "...")`."""
        return cls(
            [
                {
                    "code": JSON_PARSE_ERROR_CODE,
                    "source": {"pointer": pointer},
                    "title": title,
                    "detail": detail,
                }
            ]
        )

    def to_json(self) -> dict[str, Any]:
        return {"errors": self.errors}


def _describe(error: dict[str, Any]) -> str:
    pointer = error.get("source", {}).get("pointer", "")
    detail = error.get("detail") or error.get("title", "")
    return f"{pointer}: {detail}" if pointer else str(detail)
