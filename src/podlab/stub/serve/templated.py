"""When and where a response definition is templated (WireMock's response-template transformer).

The Handlebars engine and the list of templated parts live in podlab.stub.templating; this
module decides whether a stub is templated (per --compat and the templating flags) and gives the
engine the request, the stub and a safe way to read body files.
"""

from __future__ import annotations

from typing import Any

from podlab.stub.model import StubMapping
from podlab.stub.model.request import LoggedRequest
from podlab.stub.options import StubOptions
from podlab.stub.store.files import FileRoot, PathEscapeError

TRANSFORMER = "response-template"


def wants_templating(definition: dict[str, Any], options: StubOptions) -> bool:
    if options.templating_global:
        return True
    transformers = definition.get("transformers") or []
    return options.templating_local and TRANSFORMER in transformers


def templated(
    definition: dict[str, Any],
    request: LoggedRequest,
    stub: StubMapping,
    options: StubOptions,
    files: FileRoot,
) -> dict[str, Any]:
    """The definition as served: itself when the stub is not templated, else a copy with every
    templated part rendered for this request.

    Raises podlab.stub.templating.TemplateError when a template does not compile or a helper
    fails; WireMock answers those requests with a 500.
    """
    if not wants_templating(definition, options):
        return definition
    from podlab.stub.templating import TemplateModel, apply_templating

    model = TemplateModel.from_request(
        request, parameters=definition.get("transformerParameters"), stub=stub, compat=options.compat
    )

    def read_body_file(name: str) -> str | None:
        try:
            return files.resolve_body_file(name).read_text(encoding="utf-8")
        except (PathEscapeError, OSError, UnicodeDecodeError):
            return None  # left to render.py, which reports the missing or refused file

    return apply_templating(definition, model, read_body_file=read_body_file, compat=options.compat)
