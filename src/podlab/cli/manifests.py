"""Reading manifest files for `podlab up/apply/delete`: all documents valid, or nothing applied."""

from __future__ import annotations

import copy
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

Obj = dict[str, Any]


@dataclass
class Manifest:
    path: Path
    index: int  # 0-based document index within the file
    obj: Obj


class ManifestsInvalid(Exception):
    """One or more documents are invalid; the message lists every problem with file and document."""


def read_manifests(paths: list[Path]) -> list[Manifest]:
    """Load, check and return every document of every file, or raise listing all problems."""
    manifests: list[Manifest] = []
    problems: list[str] = []
    for path in paths:
        try:
            text = path.read_text()
        except OSError as exc:
            problems.append(f"{path}: cannot read file: {exc.strerror or exc}")
            continue
        try:
            objs = load_manifests(text, str(path))
        except ManifestError as exc:
            problems.append(str(exc))
            continue
        for index, obj in enumerate(objs):
            problems.extend(_check(path, index, obj))
            manifests.append(Manifest(path, index, obj))
    if problems:
        raise ManifestsInvalid("\n".join(problems))
    return manifests


def _check(path: Path, index: int, obj: Obj) -> list[str]:
    where = f'error validating "{path}" (document {index + 1})'
    unknown = unknown_fields(obj)
    if unknown:
        return [f"{where}: {', '.join(unknown)}"]
    defaulted = apply_defaults(copy.deepcopy(obj))
    errors = validate(defaulted)
    if errors:
        return [f"{where}: {invalid_message(defaulted, errors)}"]
    return []
