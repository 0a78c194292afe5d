"""A kubeconfig for the node: one cluster, one token user, one context named "podlab"."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import yaml

CONTEXT = "podlab"


def kubeconfig_text(server_url: str, token: str, *, ca_pem: bytes | None = None) -> str:
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

    kubectl sends the token only over https: pass ApiServer.url and ApiServer.ca_pem.
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
