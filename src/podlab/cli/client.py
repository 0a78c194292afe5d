"""A small blocking client for the node's Kubernetes API, used by the CLI's thin commands.

The official `kubernetes` client is a test dependency, not a runtime one: the CLI needs five
verbs on a handful of paths, which http.client does without pulling a large generated package.
"""

from __future__ import annotations

import http.client
import json
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from podlab.k8s import resource_for

Obj = dict[str, Any]


class ApiError(Exception):
    """The API answered with a Kubernetes Status error."""

    def __init__(self, code: int, status: Obj) -> None:
        self.code = code
        self.status = status
        self.reason = str(status.get("reason", ""))
        super().__init__(str(status.get("message") or f"HTTP {code}"))


@dataclass
class ApiClient:
    server: str  # https://127.0.0.1:PORT (plain http:// works too)
    token: str
    ca_pem: str = ""  # the server's certificate (PEM) for https; empty: the system's CAs
    timeout: float = 30.0

    def _connection(self, timeout: float | None = None) -> http.client.HTTPConnection:
        parts = urlsplit(self.server)
        host = parts.hostname or "127.0.0.1"
        if parts.scheme != "https":
            return http.client.HTTPConnection(host, parts.port or 80, timeout=timeout)
        return http.client.HTTPSConnection(host, parts.port or 443, timeout=timeout, context=self._tls)

    @cached_property
    def _tls(self) -> ssl.SSLContext:
        # Built once: loading the certificate costs more than a small request.
        return ssl.create_default_context(cadata=self.ca_pem or None)

    def request(
        self, method: str, path: str, body: Obj | None = None, *, query: dict[str, str] | None = None
    ) -> Obj:
        """One JSON call; a Kubernetes Status error (HTTP >= 400) raises ApiError."""
        conn = self._connection(self.timeout)
        try:
            # The User-Agent's program name is the field manager of podlab's writes (managedFields).
            headers = {
                "Authorization": f"Bearer {self.token}",
                "Accept": "application/json",
                "User-Agent": "podlab",
            }
            payload = None
            if body is not None:
                payload = json.dumps(body).encode()
                headers["Content-Type"] = "application/json"
            conn.request(
                method, path + ("?" + urlencode(query) if query else ""), body=payload, headers=headers
            )
            response = conn.getresponse()
            status, data = response.status, response.read()
        finally:
            conn.close()
        result: Obj = json.loads(data) if data else {}
        if status >= 400:
            raise ApiError(status, result)
        return result

    def stream(self, path: str, query: dict[str, str]) -> Iterator[bytes]:
        """GET a streaming endpoint (watch, follow) and yield what arrives."""
        conn = self._connection(None)
        try:
            conn.request(
                "GET", path + "?" + urlencode(query), headers={"Authorization": f"Bearer {self.token}"}
            )
            response = conn.getresponse()
            if response.status >= 400:
                data = response.read()
                raise ApiError(response.status, json.loads(data) if data else {})
            while True:
                chunk = response.read1(65536)
                if not chunk:
                    return
                yield chunk
        finally:
            conn.close()


def object_path(
    obj_or_api_version: Obj | str,
    kind: str | None = None,
    namespace: str | None = None,
    name: str | None = None,
) -> str:
    """The REST path of an object (or of its collection when name is None)."""
    if isinstance(obj_or_api_version, dict):
        obj = obj_or_api_version
        api_version, kind = str(obj["apiVersion"]), str(obj["kind"])
        meta = obj.get("metadata") or {}
        namespace = meta.get("namespace") or namespace
        name = meta.get("name")
    else:
        api_version = obj_or_api_version
    assert kind is not None
    info = resource_for(api_version, kind)
    base = "/api/v1" if "/" not in api_version else f"/apis/{api_version}"
    if info.namespaced:
        base += f"/namespaces/{quote(namespace or 'default')}"
    base += f"/{info.plural}"
    return base if name is None else f"{base}/{quote(name)}"
