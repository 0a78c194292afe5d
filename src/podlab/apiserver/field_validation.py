"""The `fieldValidation` directive: what happens to unknown and duplicate fields of a write.

kube-apiserver (staging/src/k8s.io/apiserver/pkg/endpoints/handlers/create.go, patch.go):

- `Strict`: 400 BadRequest, `<Kind> in version "v1" cannot be handled as a <Kind>: strict
  decoding error: unknown field "spec.foo", duplicate field "metadata.name"`. kubectl sends it by
  default (`--validate=strict`, since 1.27).
- `Warn`, the server default (the Python client sends no directive): the write succeeds, unknown
  fields are dropped, and each strict error comes back as a `Warning: 299 - "<error>"` header.
- `Ignore` (`kubectl --validate=false|ignore`): dropped silently.

Duplicates are found while decoding (`podlab.k8s.decoding`), unknown fields against schema.yaml.
"""

from __future__ import annotations

import json
from typing import Any

from podlab.k8s.schema import unknown_field_message

from . import k8sapi
from .bodies import bad_request
from .routes import Route

Obj = dict[str, Any]
MODES = ("Ignore", "Warn", "Strict")


def directive(params: dict[str, str]) -> str:
    mode = params.get("fieldValidation") or "Warn"
    if mode not in MODES:
        raise bad_request(
            f'fieldValidation parameter unsupported: "{mode}" (supported values: "Ignore", "Warn", "Strict")'
        )
    return mode


def warning_header(text: str) -> tuple[str, str]:
    """RFC 7234 warn-code 299 with the text Go-quoted (strconv.Quote), as the apiserver sends it."""
    return ("Warning", f"299 - {json.dumps(text)}")


def check_fields(
    route: Route, obj: Obj, params: dict[str, str], duplicates: tuple[str, ...], *, apply: bool
) -> list[tuple[str, str]]:
    """Apply the request's directive to `obj` (pruned in place); the Warning headers to send.

    Raises the 400 under Strict. `apply`: server-side apply words unknown fields its own way.
    """
    mode = directive(params)
    if mode == "Strict":
        unknown = k8sapi.unknown_fields(obj)
        if apply and unknown:
            raise bad_request(", ".join(f".{path}: field not declared in schema" for path in unknown))
        errors = [*duplicates, *(unknown_field_message(path) for path in unknown)]
        if errors:
            kind = route.resource.kind
            raise bad_request(
                f'{kind} in version "{route.resource.version}" cannot be handled as a {kind}: '
                f"strict decoding error: {', '.join(errors)}"
            )
        return []
    unknown = k8sapi.unknown_fields(obj, prune=True)
    if mode == "Ignore":
        return []
    return [warning_header(text) for text in (*duplicates, *(unknown_field_message(p) for p in unknown))]
