"""The root directory on disk: `mappings/` (stub files) and `__files/` (bodies, static GETs).

Every path that comes from a request (bodyFileName, /__admin/files/**, static GETs) goes
through `FileRoot.resolve_body_file`, which refuses anything that leaves `__files`.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from podlab.stub.jvm.jsonpointer import read_first_value


class PathEscapeError(Exception):
    """A file path names something outside `__files`."""


class MappingLoadError(Exception):
    """A mapping file cannot be used; the message names the file and the position or field."""

    def __init__(self, message: str, path: Path | None = None) -> None:
        super().__init__(message)
        self.path = path

    @property
    def detail(self) -> str:
        """The message without the file name in front."""
        text, prefix = str(self), f"{self.path}: "
        return text[len(prefix) :] if self.path is not None and text.startswith(prefix) else text


@dataclass
class MappingFileEntry:
    """One mapping object read from a file, before it is parsed into a StubMapping."""

    source: Path
    index: int  # position in a {"mappings": [...]} file; 0 for a single-mapping file
    multi: bool  # came from a multi-mapping file (read-only, as in WireMock)
    json: dict[str, Any]


class FileRoot:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.mappings_dir = root / "mappings"
        self.files_dir = root / "__files"

    def ensure_dirs(self) -> None:
        """WireMock creates the root, mappings/ and __files/ when they are missing."""
        self.mappings_dir.mkdir(parents=True, exist_ok=True)
        self.files_dir.mkdir(parents=True, exist_ok=True)

    # __files --------------------------------------------------------------------------------

    def resolve_body_file(self, relative: str) -> Path:
        """A path under __files; raises PathEscapeError for absolute paths, `..` or symlink exits."""
        if not relative or "\x00" in relative:
            raise PathEscapeError(f"invalid file name {relative!r}")
        candidate = Path(relative)
        if candidate.is_absolute() or ".." in candidate.parts:
            raise PathEscapeError(f"{relative!r} is outside __files")
        base = self.files_dir.resolve()
        resolved = (base / candidate).resolve()
        if resolved != base and base not in resolved.parents:
            raise PathEscapeError(f"{relative!r} is outside __files")
        return resolved

    def static_file(self, url_path: str) -> Path | None:
        """The file a GET for url_path serves from __files (directories serve index.html)."""
        relative = unquote(url_path).lstrip("/") or "."
        if "\x00" not in relative:
            # Most such GETs are unmatched requests with no file behind them: one stat says so,
            # where resolving the path (below) costs a quarter of a 404. A name that does not
            # exist before resolving does not after it (resolving follows the same links).
            try:
                os.stat(os.path.join(self.files_dir, relative))
            except (FileNotFoundError, NotADirectoryError):
                return None
            except OSError:
                pass  # the checks below decide, as they did without this shortcut
        try:
            path = self.resolve_body_file(relative)
        except PathEscapeError:
            return None
        if path.is_dir():
            path = path / "index.html"
        return path if path.is_file() else None

    def list_files(self) -> list[str]:
        """Every file under __files, relative, with forward slashes, sorted."""
        if not self.files_dir.is_dir():
            return []
        found = [
            path.relative_to(self.files_dir).as_posix()
            for path in self.files_dir.rglob("*")
            if path.is_file()
        ]
        return sorted(found)

    def write_body_file(self, relative: str, data: bytes) -> None:
        path = self.resolve_body_file(relative)
        path.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write(path, data)

    def delete_body_file(self, relative: str) -> bool:
        path = self.resolve_body_file(relative)
        if not path.is_file():
            return False
        path.unlink()
        return True

    # mappings -------------------------------------------------------------------------------

    def read_mapping_files(self, *, allow_bom: bool = True) -> list[MappingFileEntry]:
        """Every *.json under mappings/, recursively, in a stable order; MappingLoadError if bad.

        3.13.2 loads a file that starts with a UTF-8 byte order mark; 2.35.1 refuses it
        (allow_bom=False), as Jackson does, and so does the JSON parser here."""
        if not self.mappings_dir.is_dir():
            return []
        files = sorted(p for p in self.mappings_dir.rglob("*.json") if p.is_file())
        entries: list[MappingFileEntry] = []
        for path in files:
            entries.extend(_read_mapping_file(path, allow_bom=allow_bom))
        return entries

    def write_mapping_file(self, stub_json: dict[str, Any], file_name: str) -> Path:
        from podlab.stub.jvm.jsonfmt import pretty

        path = self.mappings_dir / file_name
        path.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write(path, pretty(stub_json).encode("utf-8"))
        return path


def _read_mapping_file(path: Path, *, allow_bom: bool) -> list[MappingFileEntry]:
    try:
        text = path.read_text(encoding="utf-8-sig" if allow_bom else "utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingLoadError(f"{path}: cannot read: {exc}", path) from None
    try:
        doc = read_first_value(text)
    except json.JSONDecodeError as exc:
        raise MappingLoadError(
            f"{path}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}", path
        ) from None
    except RecursionError:
        # Python's parser gives up near its recursion limit; Jackson (2.15+) stops at depth 1000.
        raise MappingLoadError(f"{path}: invalid JSON: nested too deeply", path) from None
    if not isinstance(doc, dict):
        raise MappingLoadError(f'{path}: expected a JSON object (one mapping or {{"mappings": [...]}})', path)
    if "mappings" in doc:
        items = doc["mappings"]
        if not isinstance(items, list):
            raise MappingLoadError(f"{path}: /mappings must be an array", path)
        entries = []
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                raise MappingLoadError(f"{path}: /mappings/{index} must be an object", path)
            entries.append(MappingFileEntry(path, index, True, item))
        return entries
    return [MappingFileEntry(path, 0, False, doc)]


def _atomic_write(path: Path, data: bytes) -> None:
    # Write then rename, so a concurrent reader (or a crash) never sees half a file.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


_NOT_FILENAME_SAFE = re.compile(r"[^\w\-.]")
_WHITESPACE = re.compile(r"\s")


def _safe_name(text: str) -> str:
    text = unicodedata.normalize("NFD", _WHITESPACE.sub("-", text))
    return _NOT_FILENAME_SAFE.sub("", text).lower()


def mapping_file_name(stub_json: dict[str, Any]) -> str:
    """WireMock's FilenameMaker: `<name>-<id>.json`, else `<method>-<url>-<id>.json`, slugged."""
    stub_id = str(stub_json.get("id"))
    name = stub_json.get("name")
    if name:
        return f"{_safe_name(str(name))}-{stub_id}.json"
    request = stub_json.get("request") or {}
    method = str(request.get("method", "ANY"))
    url = ""
    for key in ("url", "urlPath", "urlPattern", "urlPathPattern", "urlPathTemplate"):
        if key in request:
            url = str(request[key])
            break
    # The template is "{{{method}}}-{{{url}}}-{{{id}}}": a URL that slugs to nothing ("/")
    # leaves its dashes ("get--<id>.json", seen on the jar for a recorded GET /).
    if url:
        return f"{_safe_name(method)}-{_safe_name(url)}-{stub_id}.json"
    return f"{_safe_name(method)}-{stub_id}.json"
