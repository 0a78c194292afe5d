"""A kubeconfig for the node: one cluster, one token user, one context named "podlab"."""

from __future__ import annotations

import base64
import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import yaml

CONTEXT = "podlab"

# Certificates of the API servers running in this process, by the port they listen on. The
# port serves TLS and plain HTTP alike, so an http:// URL of ours can be written as https://.
_RUNNING: dict[int, bytes] = {}


def register_server(port: int, ca_pem: bytes) -> None:
    _RUNNING[port] = ca_pem


def unregister_server(port: int) -> None:
    _RUNNING.pop(port, None)


def _secure(server_url: str, ca_pem: bytes | None) -> tuple[str, bytes | None]:
    """kubectl sends the token only over https (kubernetes/kubectl#744): upgrade our own
    http:// URL to https:// with the server's certificate, so the kubeconfig works."""
    parts = urlsplit(server_url)
    if parts.scheme == "http" and parts.port in _RUNNING and parts.hostname in ("127.0.0.1", "localhost"):
        return urlunsplit(("https", parts.netloc, parts.path, "", "")), ca_pem or _RUNNING[parts.port]
    return server_url, ca_pem


def kubeconfig_text(server_url: str, token: str, *, ca_pem: bytes | None = None) -> str:
    server_url, ca_pem = _secure(server_url, ca_pem)
    cluster: dict[str, object] = {"server": server_url}
    if ca_pem is not None:
        cluster["certificate-authority-data"] = base64.b64encode(ca_pem).decode()
    elif server_url.startswith("https:"):
        cluster["insecure-skip-tls-verify"] = True
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": CONTEXT, "cluster": cluster}],
        "users": [{"name": CONTEXT, "user": {"token": token}}],
        "contexts": [
            {"name": CONTEXT, "context": {"cluster": CONTEXT, "user": CONTEXT, "namespace": "default"}}
        ],
        "current-context": CONTEXT,
        "preferences": {},
    }
    return yaml.safe_dump(config, sort_keys=False)


def write_kubeconfig(path: Path, server_url: str, token: str, *, ca_pem: bytes | None = None) -> None:
    """Write atomically with mode 0600 from the start: the token is a credential.

    kubectl sends the token only over https: pass ApiServer.url and ApiServer.ca_pem, or the
    http:// URL of an ApiServer running in this process, which is written as https:// with
    its certificate.
    """
    write_private_file(path, kubeconfig_text(server_url, token, ca_pem=ca_pem))


def write_private_file(path: Path, text: str) -> None:
    """Write a credential atomically, owner-only (0600) before it is visible under its name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.chmod(tmp, 0o600)  # O_CREAT's mode does not apply to a tmp file left by a crash
    os.replace(tmp, path)
