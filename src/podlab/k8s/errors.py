"""Field errors and manifest errors, worded as the Kubernetes API server words them.

apimachinery `pkg/util/validation/field/errors.go` renders one error as
`<field>: <Type>: <value>: <detail>`; `pkg/api/errors/errors.go` `NewInvalid` wraps a list as
`<Kind>.<group> "<name>" is invalid: <err>` or `... is invalid: [<err1>, <err2>]`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

Obj = dict[str, Any]

# field.ErrorType -> metav1.CauseType, for Status.details.causes.
_CAUSE_TYPES = {
    "Not found": "FieldValueNotFound",
    "Required value": "FieldValueRequired",
    "Duplicate value": "FieldValueDuplicate",
    "Invalid value": "FieldValueInvalid",
    "Unsupported value": "FieldValueNotSupported",
    "Forbidden": "FieldValueForbidden",
    "Too long": "FieldValueTooLong",
    "Too many": "FieldValueTooMany",
    "Internal error": "InternalError",
    "Invalid type": "FieldValueTypeInvalid",
}

# Types whose rendering never shows the bad value (errors.go ErrorBody).
_VALUE_HIDDEN = {"Required value", "Forbidden", "Too long", "Internal error", "Too many"}


class _Omit:
    """The bad value is not printed (field.OmitValueType)."""

    def __repr__(self) -> str:
        return "OMIT"


OMIT: Any = _Omit()


@dataclass(frozen=True)
class GoValue:
    """A bad value already rendered the way Go's `%#v` prints it (structs, maps)."""

    text: str


def go_repr(value: Any) -> str:
    """Render a bad value as ErrorBody does: numbers and bools bare, strings quoted (%q)."""
    if isinstance(value, GoValue):
        return value.text
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        # %q: Go's double-quoted string; JSON escaping matches it for printable text.
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        inner = ", ".join(f"{go_repr(k)}:{go_repr(v)}" for k, v in sorted(value.items()))
        return "map[string]string{" + inner + "}"
    if isinstance(value, list):
        return "[]string{" + ", ".join(go_repr(v) for v in value) + "}"
    return str(value)


@dataclass(frozen=True)
class FieldError:
    type: str
    field: str
    bad_value: Any
    detail: str

    def body(self) -> str:
        """ErrorBody: everything after `<field>: `; also Status cause message."""
        if self.type in _VALUE_HIDDEN or self.bad_value is OMIT:
            text = self.type
        else:
            text = f"{self.type}: {go_repr(self.bad_value)}"
        if self.detail:
            text += f": {self.detail}"
        return text

    def __str__(self) -> str:
        return f"{self.field}: {self.body()}"

    def cause(self) -> Obj:
        """One entry of Status.details.causes, as kubectl reads it."""
        return {
            "reason": _CAUSE_TYPES.get(self.type, "FieldValueInvalid"),
            "message": self.body(),
            "field": self.field,
        }


# Constructors named as in apimachinery's field package.
def invalid(path: str, value: Any, detail: str) -> FieldError:
    return FieldError("Invalid value", path, value, detail)


def required(path: str, detail: str = "") -> FieldError:
    return FieldError("Required value", path, OMIT, detail)


def forbidden(path: str, detail: str) -> FieldError:
    return FieldError("Forbidden", path, OMIT, detail)


def duplicate(path: str, value: Any) -> FieldError:
    return FieldError("Duplicate value", path, value, "")


def not_found(path: str, value: Any) -> FieldError:
    return FieldError("Not found", path, value, "")


def not_supported(path: str, value: Any, valid: list[str]) -> FieldError:
    detail = "supported values: " + ", ".join(json.dumps(v) for v in valid) if valid else ""
    return FieldError("Unsupported value", path, value, detail)


def qualified_kind(obj: Obj) -> str:
    """GroupKind.String(): `Deployment.apps`, or just `Pod` for the core group."""
    api_version = str(obj.get("apiVersion", ""))
    group = api_version.split("/", 1)[0] if "/" in api_version else ""
    kind = str(obj.get("kind", ""))
    return f"{kind}.{group}" if group else kind


def _aggregate(errors: list[FieldError]) -> str:
    # utilerrors.NewAggregate(...).Error(): duplicates removed, one bare, several in brackets.
    seen: list[str] = []
    for err in errors:
        text = str(err)
        if text not in seen:
            seen.append(text)
    if len(seen) == 1:
        return seen[0]
    return "[" + ", ".join(seen) + "]"


def invalid_message(obj: Obj, errors: list[FieldError]) -> str:
    """The Status message of a 422: `Deployment.apps "web" is invalid: <errors>`."""
    name = str((obj.get("metadata") or {}).get("name", ""))
    return f"{qualified_kind(obj)} {json.dumps(name)} is invalid: {_aggregate(errors)}"


def invalid_status(obj: Obj, errors: list[FieldError]) -> Obj:
    """The whole 422 Status body (NewInvalid), causes included; kubectl prints from the causes."""
    api_version = str(obj.get("apiVersion", ""))
    group = api_version.split("/", 1)[0] if "/" in api_version else ""
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": invalid_message(obj, errors),
        "reason": "Invalid",
        "details": {
            "name": str((obj.get("metadata") or {}).get("name", "")),
            "group": group,
            "kind": str(obj.get("kind", "")),
            "causes": [e.cause() for e in errors],
        },
        "code": 422,
    }


class ManifestError(Exception):
    """A manifest file that cannot be turned into objects. str() names file, document and problem."""

    def __init__(self, file: str, doc_index: int | None, message: str, *, parsing: bool = False) -> None:
        self.file = file
        self.doc_index = doc_index
        self.message = message
        self.parsing = parsing  # kubectl: "error parsing" for YAML, "error validating" for content
        super().__init__(str(self))

    def __str__(self) -> str:
        verb = "parsing" if self.parsing else "validating"
        where = f'error {verb} "{self.file}"'
        if self.doc_index is not None:
            where += f" (document {self.doc_index + 1})"
        return f"{where}: {self.message}"
