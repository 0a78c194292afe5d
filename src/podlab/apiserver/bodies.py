"""Request bodies and options shared by the REST handlers: decoding, patch types, dry run."""

from __future__ import annotations

import struct
from typing import Any

import yaml

from podlab.httpcore import Request
from podlab.k8s.decoding import Decoded, DecodeError, decode_json, decode_yaml

from . import protobuf
from .negotiation import status_response

Obj = dict[str, Any]

JSON_PATCH = "application/json-patch+json"
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_PATCH = "application/strategic-merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"
PATCH_TYPES = (JSON_PATCH, MERGE_PATCH, APPLY_PATCH, STRATEGIC_PATCH)
_DECODABLE = ("application/json", "application/yaml")
PROTOBUF = "application/vnd.kubernetes.protobuf"


class RequestError(Exception):
    """A request that fails before touching the store; carries the Status to send."""

    def __init__(self, code: int, reason: str, message: str) -> None:
        super().__init__(message)
        self.response = status_response(code, reason, message)


def bad_request(message: str) -> RequestError:
    return RequestError(400, "BadRequest", message)


def media_type(request: Request) -> str:
    return (request.header("Content-Type") or "application/json").split(";")[0].strip().lower()


def decode_body(request: Request) -> Any:
    """The body as an object (DeleteOptions, Scale): decode_object without the strict errors."""
    return decode_object(request).obj


def decode_object(request: Request) -> Decoded:
    """JSON by default (the Python client sends no Content-Type); YAML when it says so.

    Protobuf is what kubectl's imperative commands send; the kinds they create are decoded.
    Duplicate keys come back as strict errors for the fieldValidation directive to judge; too
    deep or malformed text is a 400 in the decoder's words (`couldn't get version/kind; json
    parse error: exceeded max depth`), never a crash.
    """
    media = media_type(request)
    if media == PROTOBUF:
        try:
            return Decoded(protobuf.decode(request.body))
        except (protobuf.ProtobufError, UnicodeDecodeError, struct.error) as exc:
            raise RequestError(
                415,
                "UnsupportedMediaType",
                f"the body of the request was in an unknown format: {exc}; "
                "send JSON or YAML instead (for example: kubectl create ... --dry-run=client -o yaml | kubectl apply -f -)",
            ) from None
    if media not in _DECODABLE and not media.endswith("+json") and not media.endswith("+yaml"):
        raise RequestError(
            415,
            "UnsupportedMediaType",
            f"the body of the request was in an unknown format - accepted media types include: {', '.join(_DECODABLE)}",
        )
    text = request.body.decode("utf-8", errors="replace")
    try:
        if media in ("application/yaml", APPLY_PATCH) or media.endswith("+yaml"):
            return decode_yaml(text)
        return decode_json(text)
    except (DecodeError, yaml.YAMLError) as exc:
        raise bad_request(f"couldn't get version/kind; json parse error: {exc}") from None


def dry_run(params: dict[str, str], options: Obj | None = None) -> bool:
    if params.get("dryRun") == "All":
        return True
    if options is not None and "All" in (options.get("dryRun") or []):
        return True
    if params.get("dryRun") not in (None, ""):
        raise bad_request(f'Invalid dry run value: "{params["dryRun"]}"; supported values: "All"')
    return False
