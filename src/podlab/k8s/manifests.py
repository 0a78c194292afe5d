"""Turn manifest text into objects, with errors that name the file, the document and the problem.

kubectl says `error validating "cm.yaml": error validating data: apiVersion not set` for a
document whose key is spelled `apiversion`; the key is case-sensitive. podlab says the same and
also names the miscased key and its right spelling.
"""

from __future__ import annotations

from typing import Any

import yaml

from podlab.k8s.decoding import DecodeError, yaml_documents
from podlab.k8s.errors import ManifestError, Obj
from podlab.k8s.resources import RESOURCES, kind_spelling, resource_for

# Top-level keys whose case people get wrong; anything else is left to strict field validation.
_TOP_KEYS = ("apiVersion", "kind", "metadata", "spec", "data", "stringData", "binaryData", "immutable")


def _check_document(doc: Any, filename: str, index: int) -> list[Obj]:
    if not isinstance(doc, dict):
        raise ManifestError(
            filename, index, f"error validating data: expected an object, got {type(doc).__name__}"
        )
    problems: list[str] = []
    for right in ("apiVersion", "kind"):
        value = doc.get(right)
        if value in (None, ""):
            hint = ""
            for key in doc:
                if isinstance(key, str) and key.lower() == right.lower() and key != right:
                    hint = f' (found "{key}": keys are case-sensitive, write "{right}")'
            problems.append(f"{right} not set{hint}")
    for key in doc:
        if isinstance(key, str):
            for right in _TOP_KEYS[2:]:
                if key.lower() == right.lower() and key != right and right not in doc:
                    problems.append(f'unknown field "{key}" (keys are case-sensitive, write "{right}")')
    kind = doc.get("kind")
    if isinstance(kind, str) and kind and kind != "List":
        api_version = str(doc.get("apiVersion") or "")
        right_kind = kind_spelling(kind)
        if right_kind is not None:
            problems.append(f'kind "{kind}" is not known: kinds are case-sensitive, write "{right_kind}"')
        elif api_version:
            try:
                resource_for(api_version, kind)
            except KeyError:
                if not problems:
                    raise _Unserved(filename, index, kind, api_version) from None
                problems.append(_unserved_text([(kind, api_version)]))
    if problems:
        text = problems[0] if len(problems) == 1 else "[" + ", ".join(problems) + "]"
        raise ManifestError(filename, index, f"error validating data: {text}")
    if kind == "List":
        items = doc.get("items") or []
        if not isinstance(items, list):
            raise ManifestError(filename, index, "error validating data: List items must be a list")
        out: list[Obj] = []
        for item in items:
            out.extend(_check_document(item, filename, index))
        return out
    return [doc]


def _served() -> str:
    # The kinds one keeps in manifests (not the create-only reviews).
    return ", ".join(f"{r.kind} ({r.api_version})" for r in RESOURCES if "get" in r.verbs)


def _unserved_text(kinds: list[tuple[str, str]]) -> str:
    kind, version = kinds[0]
    return f'no matches for kind "{kind}" in version "{version}"; podlab serves {_served()}'


def _many_unserved_text(unserved: list[_Unserved]) -> str:
    named = ", ".join(
        f'"{u.kind}" in version "{u.api_version}" (document {(u.doc_index or 0) + 1})' for u in unserved
    )
    return f"no matches for kinds {named}; podlab serves {_served()}"


class _Unserved(ManifestError):
    """A document of a kind podlab does not serve: collected, so the refusal names them all."""

    def __init__(self, file: str, doc_index: int, kind: str, api_version: str) -> None:
        self.kind, self.api_version = kind, api_version
        super().__init__(file, doc_index, f"error validating data: {_unserved_text([(kind, api_version)])}")


def load_manifests(text: str, filename: str) -> list[Obj]:
    """Every object of a multi-document YAML (or JSON) text; empty documents are skipped.

    Raises ManifestError for the first bad document; nothing is returned half-loaded. A key
    given twice is refused on one line naming the file, the key and both lines, in go-yaml v3's
    words (`mapping key "name" already defined at line 4`): kubectl 1.37 silently keeps the last
    value, which hides the typo that usually caused it.
    """
    try:
        docs = yaml_documents(text)
    except DecodeError as exc:
        raise ManifestError(filename, None, f"error converting YAML to JSON: {exc}", parsing=True) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        index = text.count("\n---", 0, mark.index) if mark is not None else None
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ManifestError(
            filename, index, f"error converting YAML to JSON: yaml: {where}{problem}", parsing=True
        ) from exc
    objs: list[Obj] = []
    unserved: list[_Unserved] = []
    for index, (doc, duplicates) in enumerate(docs):
        if duplicates:
            found = "; ".join(d.v3_text() for d in duplicates)
            raise ManifestError(
                filename,
                index,
                f"error converting YAML to JSON: yaml: unmarshal errors: {found}",
                parsing=True,
            )
        if doc is None:
            continue
        try:
            objs.extend(_check_document(doc, filename, index))
        except _Unserved as exc:
            unserved.append(exc)
    if len(unserved) == 1:
        raise unserved[0]
    if unserved:
        # A file mixing served and unserved kinds is refused whole, every unserved kind named.
        raise ManifestError(filename, None, f"error validating data: {_many_unserved_text(unserved)}")
    return objs
