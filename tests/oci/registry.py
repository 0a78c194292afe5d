"""A real distribution registry (Debian's docker-registry) on 127.0.0.1, and pushing to it.

Pushing follows the distribution spec's monolithic upload (docs/reference/images.md §7):
POST an upload, PUT the blob with its digest, PUT the manifest under a tag.
"""

from __future__ import annotations

import base64
import http.client
import json
import shutil
import socket
import subprocess
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .imagebuild import Image

with warnings.catch_warnings():
    # The reference's recipe for a bcrypt htpasswd line on 3.11 (docs/reference/images.md §7); bcrypt is not a dependency.
    warnings.simplefilter("ignore", DeprecationWarning)
    import crypt

REGISTRY = shutil.which("docker-registry")
START_TIMEOUT = 20.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Registry:
    host: str  # 127.0.0.1:PORT
    auth: tuple[str, str] | None = None

    def _headers(self) -> dict[str, str]:
        if self.auth is None:
            return {}
        return {"Authorization": "Basic " + base64.b64encode(":".join(self.auth).encode()).decode()}

    def request(
        self, method: str, url: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> http.client.HTTPResponse:
        parts = urlsplit(url if "://" in url else f"http://{self.host}{url}")
        conn = http.client.HTTPConnection(parts.netloc, timeout=10)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        conn.request(method, path, body=body, headers={**self._headers(), **(headers or {})})
        resp = conn.getresponse()
        resp.read()
        conn.close()
        return resp

    def push_blob(self, repo: str, digest: str, data: bytes) -> None:
        if self.request("HEAD", f"/v2/{repo}/blobs/{digest}").status == 200:
            return
        started = self.request("POST", f"/v2/{repo}/blobs/uploads/")
        assert started.status == 202, started.status
        location = started.headers["Location"]
        sep = "&" if "?" in location else "?"
        url = location if "://" in location else f"http://{self.host}{location}"
        done = self.request(
            "PUT", f"{url}{sep}digest={digest}", data, {"Content-Type": "application/octet-stream"}
        )
        assert done.status == 201, done.status

    def push(self, repo: str, tag: str, image: Image) -> str:
        """Push the image's blobs and manifest (and index, if any); returns the tag's digest."""
        for digest, data in image.blobs.items():
            self.push_blob(repo, digest, data)
        for digest, (media_type, body) in image.manifests.items():
            if digest != image.top_digest:
                put = self.request(
                    "PUT", f"/v2/{repo}/manifests/{digest}", body, {"Content-Type": media_type}
                )
                assert put.status == 201, put.status
        put = self.request(
            "PUT", f"/v2/{repo}/manifests/{tag}", image.top_body, {"Content-Type": image.top_media_type}
        )
        assert put.status == 201, put.status
        return image.top_digest


@contextmanager
def run_registry(work: Path, *, htpasswd: tuple[str, str] | None = None) -> Iterator[Registry]:
    """docker-registry serving `work/data` on a free loopback port until the block ends."""
    assert REGISTRY is not None, "docker-registry is not installed (apt-get install docker-registry)"
    port = free_port()
    config = {
        "version": 0.1,
        "log": {"level": "warn"},
        "storage": {"filesystem": {"rootdirectory": str(work / "data")}, "delete": {"enabled": True}},
        "http": {"addr": f"127.0.0.1:{port}", "secret": "podlab-test"},
    }
    work.mkdir(parents=True, exist_ok=True)
    if htpasswd is not None:
        user, password = htpasswd
        (work / "htpasswd").write_text(
            f"{user}:{crypt.crypt(password, crypt.mksalt(crypt.METHOD_BLOWFISH))}\n"
        )
        config["auth"] = {"htpasswd": {"realm": "podlab-test", "path": str(work / "htpasswd")}}
    work.mkdir(parents=True, exist_ok=True)
    (work / "config.yml").write_text(json.dumps(config))  # JSON is YAML
    with open(work / "registry.log", "wb") as log:
        proc = subprocess.Popen(
            [REGISTRY, "serve", str(work / "config.yml")], stdout=log, stderr=subprocess.STDOUT
        )
    registry = Registry(f"127.0.0.1:{port}", auth=htpasswd)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                if registry.request("GET", "/v2/").status in (200, 401):
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"registry did not start: {(work / 'registry.log').read_text()[-2000:]}")
            time.sleep(0.05)
        yield registry
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
