"""List paging: `limit` and `continue`, as the apiserver's storage layer pages (sans-IO).

Sources: k8s `staging/src/k8s.io/apiserver/pkg/storage/continue.go` (the token and its decoding
errors), `storage/etcd3/store.go` (`GetList`: the limit, `remainingItemCount`, the 410 for a
token whose revision was compacted) and `storage/util.go` (`ValidateListOptions`).

The token is what etcd3 hands out: base64url without padding of
`{"v":"meta.k8s.io/v1","rv":<rv of the first page>,"start":"<next key>"}`. The key here is
`<namespace>/<name>` plus a NUL byte (etcd3's `lastKey + "\\x00"`: strictly after the last
item returned). Every page of one list is served at the first page's resourceVersion, so the
pages make one consistent snapshot (Store.list_page rebuilds it from the change history).
"""

from __future__ import annotations

import base64
import binascii
import json
import posixpath
import re
from dataclasses import dataclass
from typing import Any

from .errors import BadRequest, Gone

TOKEN_VERSION = "meta.k8s.io/v1"

# continue.go
_INVALID = "continue key is not valid"
_INVALID_START_RV = f"{_INVALID}: incorrect encoded start resourceVersion (version meta.k8s.io/v1)"
_EMPTY_START_KEY = f"{_INVALID}: encoded start key empty (version meta.k8s.io/v1)"
_UNRECOGNIZED = f"{_INVALID}: server does not recognize this encoded version"
# etcd3/store.go: a token older than the retained history.
INCONSISTENT_CONTINUE = (
    "The provided continue parameter is too old to display a consistent list result. You can start a "
    "new list without the continue parameter, or use the continue token in this response to retrieve "
    "the remainder of the results. Continuing with the provided token results in an inconsistent list "
    "- objects that were created, modified, or deleted between the time the first chunk was returned "
    "and now may show up in the list."
)
_URL_ALPHABET = re.compile(r"[A-Za-z0-9_-]")


@dataclass(frozen=True, slots=True)
class PageInfo:
    """A list's metadata: resourceVersion, and `continue`/`remainingItemCount` when cut short."""

    resource_version: str
    continue_token: str | None = None
    remaining_item_count: int | None = None

    def list_meta(self) -> dict[str, object]:
        meta: dict[str, object] = {"resourceVersion": self.resource_version}
        if self.continue_token is not None:
            meta["continue"] = self.continue_token
        if self.remaining_item_count is not None:
            meta["remainingItemCount"] = self.remaining_item_count
        return meta


@dataclass(frozen=True, slots=True)
class Page:
    items: list[dict[str, Any]]
    info: PageInfo


@dataclass(frozen=True, slots=True)
class Continue:
    """A decoded token: list at `rv` (-1: the latest) from the first slot after `after`."""

    rv: int
    after: tuple[str, str]


def encode_continue(slot: tuple[str, str], rv: int) -> str:
    start = f"{slot[0]}/{slot[1]}\x00"
    raw = json.dumps({"v": TOKEN_VERSION, "rv": rv, "start": start}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_continue(token: str) -> Continue:
    """The token, or BadRequest in ValidateListOptions' words (`invalid continue token: ...`)."""
    try:
        return _decode(token)
    except _TokenError as err:
        raise BadRequest(f"invalid continue token: {err}") from None


class _TokenError(Exception):
    pass


def _decode(token: str) -> Continue:
    data = _raw_url_b64decode(token)
    try:
        doc = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _TokenError(f"{_INVALID}: {_go_json_error(data, exc)}") from None
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise _TokenError(
            f"{_INVALID}: json: cannot unmarshal {_go_json_type(doc)} into Go value of type storage.continueToken"
        )
    version = doc.get("v")
    rv = doc.get("rv", 0)
    start = doc.get("start", "")
    if not isinstance(version, str | None) or not isinstance(rv, int) or not isinstance(start, str):
        raise _TokenError(f"{_INVALID}: json: cannot unmarshal continue token")
    if version != TOKEN_VERSION:
        raise _TokenError(f"{_UNRECOGNIZED} {version or ''}")
    if rv == 0:
        raise _TokenError(_INVALID_START_RV)
    if not start:
        raise _TokenError(_EMPTY_START_KEY)
    key = start if start.startswith("/") else "/" + start
    if posixpath.normpath(key) != key or key.startswith("//"):
        raise _TokenError(f"{_INVALID}: {start}")
    namespace, _, name = start.removesuffix("\x00").partition("/")
    return Continue(rv, (namespace, name))


def _raw_url_b64decode(token: str) -> bytes:
    """base64.RawURLEncoding.DecodeString, with Go's CorruptInputError offsets."""
    for index, char in enumerate(token):
        if not _URL_ALPHABET.fullmatch(char):
            raise _TokenError(f"{_INVALID}: illegal base64 data at input byte {index}")
    if len(token) % 4 == 1:
        raise _TokenError(f"{_INVALID}: illegal base64 data at input byte {len(token) - 1}")
    try:
        return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except binascii.Error as exc:  # not reached: the checks above are Go's
        raise _TokenError(f"{_INVALID}: {exc}") from None


def _go_json_error(data: bytes, exc: Exception) -> str:
    """encoding/json's words for the usual cases: nothing, or a bad first character."""
    text = data.decode("utf-8", errors="replace").lstrip(" \t\r\n")
    if not text:
        return "unexpected end of JSON input"
    if text[0] not in '{["-0123456789tfn':
        return f"invalid character {_go_quote_char(text[0])} looking for beginning of value"
    if isinstance(exc, json.JSONDecodeError) and exc.pos >= len(data.decode("utf-8", errors="replace")):
        return "unexpected end of JSON input"
    return f"invalid JSON: {exc}"


def _go_quote_char(char: str) -> str:
    if char == "'":
        return "'\\''"
    if char == '"':
        return "'\"'"
    if char.isprintable():
        return f"'{char}'"
    return "'" + json.dumps(char)[1:-1] + "'"


def _go_json_type(value: object) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array"


def expired(slot: tuple[str, str]) -> Gone:
    """410 for a token whose snapshot is gone, carrying a token to go on from the latest state
    (`handleCompactedErrorForPaging`: resourceVersion -1)."""
    return Gone(INCONSISTENT_CONTINUE, continue_token=encode_continue(slot, -1))
