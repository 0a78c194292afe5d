"""A tiny registry in a thread that speaks the Bearer token flow (Docker Hub's), which
docker-registry cannot without a separate token server; it can also corrupt a blob."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .imagebuild import Image


@dataclass
class Behaviour:
    image: Image
    repo: str = "lib/app"
    tag: str = "1"
    user: tuple[str, str] | None = None  # required on the token request
    corrupt: set[str] = field(default_factory=set)  # blob digests served with a flipped byte
    token_requests: list[str] = field(default_factory=list)
    manifest_gets: int = 0  # what Docker Hub counts as pulls (HEADs are free)


@contextmanager
def fake_registry(behaviour: Behaviour) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        head = False

        def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not self.head:
                self.wfile.write(body)

        def do_HEAD(self) -> None:
            self.head = True
            self.do_GET()

        def do_GET(self) -> None:
            host = self.headers["Host"]
            if self.path.startswith("/token"):
                behaviour.token_requests.append(self.path)
                if behaviour.user is not None:
                    want = "Basic " + base64.b64encode(":".join(behaviour.user).encode()).decode()
                    if self.headers.get("Authorization") != want:
                        self._send(401, b'{"details":"incorrect username or password"}')
                        return
                self._send(200, b'{"access_token":"tok3n","expires_in":300}')
                return
            if self.headers.get("Authorization") != "Bearer tok3n":
                challenge = f'Bearer realm="http://{host}/token",service="fake",scope="repository:{behaviour.repo}:pull"'
                body = (
                    b'{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":null}]}'
                )
                self._send(401, body, {"WWW-Authenticate": challenge})
                return
            img = behaviour.image
            prefix = f"/v2/{behaviour.repo}/"
            if "/manifests/" in self.path and not self.head:
                behaviour.manifest_gets += 1
            if self.path in (prefix + f"manifests/{behaviour.tag}", prefix + f"manifests/{img.top_digest}"):
                self._send(
                    200,
                    img.top_body,
                    {"Content-Type": img.top_media_type, "Docker-Content-Digest": img.top_digest},
                )
                return
            for digest, (media, body) in img.manifests.items():
                if self.path == prefix + f"manifests/{digest}":
                    self._send(200, body, {"Content-Type": media})
                    return
            for digest, data in img.blobs.items():
                if self.path == prefix + f"blobs/{digest}":
                    if digest in behaviour.corrupt:
                        data = bytes([data[0] ^ 1]) + data[1:]
                    self._send(200, data)
                    return
            self._send(404, b'{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}')

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
