"""Reading manifests for `podlab up/apply/delete`: all documents valid, or nothing applied.

The inputs are what `kubectl apply -f` takes: files, directories (their `.json`, `.yaml` and
`.yml` files; subdirectories too with `-R`) and `-` for standard input.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from podlab.k8s import (
    ManifestError,
    apply_defaults,
    invalid_message,
    load_manifests,
    unknown_fields,
    validate,
)
from podlab.k8s.strategy import prepare_for_create

Obj = dict[str, Any]

STDIN = "-"
# cli-runtime resource/visitor.go FileExtensions: what a directory contributes.
EXTENSIONS = (".json", ".yaml", ".yml")


@dataclass
class Manifest:
    source: str  # the file as named (under its directory), or "STDIN" as kubectl names it
    index: int  # 0-based document index within the source
    obj: Obj


class ManifestsInvalid(Exception):
    """One or more documents are invalid; the message lists every problem with file and document."""


def expand_paths(specs: list[str], recursive: bool) -> tuple[list[str], list[str]]:
    """The files the `-f` arguments name, in kubectl's order, and the problems found.

    As kubectl's ExpandPathsToFileVisitors: a file named on its own is read whatever its
    extension; a directory gives its files with a manifest extension in lexical order
    (filepath.Walk), descending into subdirectories only with `-R`.
    """
    files: list[str] = []
    problems: list[str] = []
    for spec in specs:
        if spec == STDIN or not os.path.isdir(spec):
            files.append(spec)  # a missing file is reported when it is read, with the OS's words
            continue
        found = _walk(spec, recursive)
        if not found:
            problems.append(
                f"error reading [{spec}]: recognized file extensions are [{' '.join(EXTENSIONS)}]"
            )
        files.extend(found)
    return files, problems


def _walk(directory: str, recursive: bool) -> list[str]:
    with os.scandir(directory) as listing:
        entries = sorted(listing, key=lambda e: e.name)
    found: list[str] = []
    for entry in entries:
        path = os.path.join(directory, entry.name)
        if entry.is_dir():
            if recursive:
                found.extend(_walk(path, recursive))
        elif entry.name.endswith(EXTENSIONS):
            found.append(path)
    return found


def read_manifests(specs: list[str], *, recursive: bool = False, stdin: str | None = None) -> list[Manifest]:
    """Load, check and return every document of every input, or raise listing all problems.

    `stdin` is the text of standard input, read by the caller when `-` is among `specs`.
    """
    files, problems = expand_paths(specs, recursive)
    manifests: list[Manifest] = []
    for spec in files:
        if spec == STDIN:
            source, text = "STDIN", stdin or ""
        else:
            source = spec
            try:
                text = Path(spec).read_text()
            except OSError as exc:
                problems.append(f"{spec}: cannot read file: {exc.strerror or exc}")
                continue
        try:
            objs = load_manifests(text, source)
        except ManifestError as exc:
            problems.append(str(exc))
            continue
        for index, obj in enumerate(objs):
            problems.extend(_check(source, index, obj))
            manifests.append(Manifest(source, index, obj))
    if problems:
        raise ManifestsInvalid("\n".join(problems))
    return manifests


def _check(source: str, index: int, obj: Obj) -> list[str]:
    where = f'error validating "{source}" (document {index + 1})'
    unknown = unknown_fields(obj)
    if unknown:
        return [f"{where}: {', '.join(unknown)}"]
    defaulted = apply_defaults(copy.deepcopy(obj))
    prepare_for_create(defaulted)  # a Job's generated selector, as the API server makes it
    errors = validate(defaulted)
    if errors:
        return [f"{where}: {invalid_message(defaulted, errors)}"]
    return []
