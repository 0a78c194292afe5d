"""WireMock's names for recorded stubs and their files (3.13.2: FilenameMaker, Urls,
ContentTypes, UniqueFilenameGenerator, VeryShortIdGenerator; read on the tag)."""

from __future__ import annotations

import hashlib
import json
import random
import re
import unicodedata
import uuid
from urllib.parse import unquote, urlsplit

_NOT_FILENAME_SAFE = re.compile(r"[^\w\-.]")
_WHITESPACE = re.compile(r"\s")
_COMMON_MIME_TYPES = {
    "image/jpeg": "jpeg",
    "image/gif": "gif",
    "image/tiff": "tiff",
    "image/png": "png",
    "image/x-icon": "ico",
    "image/svg+xml": "svg",
    "audio/x-aiff": "aiff",
    "video/x-ms-asf": "asf",
    "video/mpeg": "mp2",
    "audio/mpeg": "mp3",
    "video/quicktime": "mov",
    "application/pdf": "pdf",
}
_TEXT_MIME = re.compile(r".*(text|json|xml|html|yaml|csv|x-www-form-urlencoded).*", re.DOTALL)
_ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
# --record-mappings: UniqueFilenameGenerator's characters replaced by "_"
_UNIQUE_SANITISE = re.compile(r"[,~:/?#\[\]@!$&'()*+;=]")


def _sanitise(text: str) -> str:
    return _NOT_FILENAME_SAFE.sub("", "-".join(text.split(" "))).lower()


def stub_name(url: str) -> str:
    """The `name` a snapshot gives a stub: its path with "/" as "_", slugged (FilenameMaker.sanitizeUrl)."""
    path = unquote(urlsplit(url).path)
    slug = unicodedata.normalize("NFD", _WHITESPACE.sub("-", path.replace("/", "_")))
    return _sanitise(slug).strip("_")[:200]


def url_path_parts(url: str) -> str:
    """Urls.urlToPathParts: the decoded path's non-empty segments joined by "-"."""
    return "-".join(s for s in unquote(urlsplit(url).path).split("/") if s)


def is_text_mime(mime: str | None) -> bool:
    """ContentTypes.determineIsTextFromMimeType."""
    return mime is not None and _TEXT_MIME.fullmatch(mime) is not None


def mime_of(content_type: str | None) -> str | None:
    return content_type.split(";", 1)[0].strip() if content_type else None


def charset_of(content_type: str | None) -> str:
    for param in (content_type or "").split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"')
    return "utf-8"


def text_type_extension(content: str) -> str:
    """ContentTypes.determineTextFileExtension: "json" if it parses as JSON, "xml" as XML, else "txt"."""
    try:
        json.loads(content)
        return "json"
    except ValueError:
        pass
    try:
        from lxml import etree

        etree.fromstring(content.encode("utf-8"))
        return "xml"
    except Exception:  # lxml raises several kinds for "not XML"
        return "txt"


def file_extension(url: str, content_type: str | None, body: bytes) -> str:
    """ContentTypes.determineFileExtension: by content type, then the URL's last segment, then
    by what the body parses as."""
    mime = mime_of(content_type)
    if mime:
        for word, extension in (("json", "json"), ("xml", "xml"), ("text", "txt")):
            if word in mime:
                return extension
        if mime in _COMMON_MIME_TYPES:
            return _COMMON_MIME_TYPES[mime]
    last = urlsplit(url).path.rpartition("/")[2]
    if "." in last:
        return last.rpartition(".")[2]
    return text_type_extension(body.decode(charset_of(content_type), errors="replace"))


def default_file_name(stub_json: dict[str, object], extension: str) -> str:
    """FilenameMaker's default template `{{#if name}}{{{name}}}{{else}}{{{method}}}-{{{url}}}{{/if}}-{{{id}}}`
    plus the extension, sanitised as a whole."""
    name = stub_json.get("name")
    if name:
        stem = str(name)
    else:
        request = stub_json.get("request")
        request = request if isinstance(request, dict) else {}
        url = ""
        for key in ("url", "urlPath", "urlPattern", "urlPathPattern", "urlPathTemplate"):
            if key in request:
                url = str(request[key])
                break
        stem = f"{request.get('method', 'ANY')}-{url}"
    return _sanitise(f"{stem}-{stub_json.get('id')}.{extension}")


def very_short_id(rng: random.Random) -> str:
    return "".join(rng.choice(_ID_CHARS) for _ in range(5))


def name_uuid(text: str) -> str:
    """java.util.UUID.nameUUIDFromBytes: an MD5 UUID, version 3."""
    return str(uuid.UUID(bytes=hashlib.md5(text.encode("utf-8")).digest(), version=3))


def unique_file_name(url: str, prefix: str, file_id: str, extension: str = "json") -> str:
    """UniqueFilenameGenerator (--record-mappings): `<prefix>-<path parts>-<id>.<extension>`."""
    parts = url_path_parts(url)
    parts = "(root)" if not parts else _UNIQUE_SANITISE.sub("_", parts)[:150]
    return f"{prefix}-{parts}-{file_id}.{extension}"
