"""`--record-mappings`: each proxied exchange whose request was not recorded before is written
at once to mappings/mapping-<path>-<id>.json and __files/body-<path>-<id>.<ext> (WireMock's
StubMappingJsonRecorder, the older recorder the snapshot API did not replace; read on the tag,
file layout checked on the jar). The stubs are written, not added to the running server.

Where WireMock asks its journal whether the request came before, this remembers the request
patterns it wrote (the same answer while the journal is not reset; a reset does not make it
record again).
"""

from __future__ import annotations

import gzip
import json
import random
from typing import Any

from podlab.stub.model.request import LoggedRequest
from podlab.stub.recording.names import file_extension, name_uuid, unique_file_name, very_short_id
from podlab.stub.serve.render import ResponsePlan
from podlab.stub.store.files import FileRoot


def request_pattern(request: LoggedRequest, match_headers: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {"url": request.url, "method": request.method}
    wanted = {name.lower() for name in match_headers}
    headers = {}
    for name, value in request.headers:
        if name.lower() in wanted and name not in headers:
            headers[name] = {"equalTo": value}
    if headers:
        out["headers"] = headers
    if request.body:
        text = request.body.decode("utf-8", errors="replace")
        content_type = request.header("Content-Type") or ""
        if "json" in content_type:
            out["bodyPatterns"] = [
                {"equalToJson": text, "ignoreArrayOrder": True, "ignoreExtraElements": True}
            ]
        elif "xml" in content_type:
            out["bodyPatterns"] = [{"equalToXml": text}]
        else:
            out["bodyPatterns"] = [{"equalTo": text}]
    return out


class LiveRecorder:
    def __init__(
        self, files: FileRoot, match_headers: tuple[str, ...], rng: random.Random | None = None
    ) -> None:
        self.files = files
        self.match_headers = match_headers
        self.rng = rng or random.Random()
        self._recorded: set[str] = set()

    def record(self, request: LoggedRequest, plan: ResponsePlan) -> None:
        pattern = request_pattern(request, self.match_headers)
        key = json.dumps(pattern, sort_keys=True)
        if key in self._recorded:
            return
        self._recorded.add(key)
        file_id = very_short_id(self.rng)
        body = plan.body
        if any(n.lower() == "content-encoding" and "gzip" in v for n, v in plan.headers):
            try:
                body = gzip.decompress(body)
            except (OSError, EOFError):
                pass
        content_type = next((v for n, v in plan.headers if n.lower() == "content-type"), None)
        body_name = unique_file_name(
            request.url, "body", file_id, file_extension(request.url, content_type, body)
        )
        response: dict[str, Any] = {"status": plan.status, "bodyFileName": body_name}
        headers: dict[str, Any] = {}
        for name, value in plan.headers:
            if name.lower() in ("content-encoding", "content-length"):
                continue
            if name in headers:
                existing = headers[name]
                headers[name] = [*existing, value] if isinstance(existing, list) else [existing, value]
            else:
                headers[name] = value
        if headers:
            response["headers"] = headers
        stub_id = name_uuid(file_id)
        mapping = {"id": stub_id, "request": pattern, "response": response, "uuid": stub_id}
        self.files.write_body_file(body_name, body)
        self.files.write_mapping_file(mapping, unique_file_name(request.url, "mapping", file_id))
