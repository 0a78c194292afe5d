"""Registry credentials: `~/.docker/config.json`, `imagePullSecrets`, and WWW-Authenticate (sans-IO).

docs/reference/images.md §3: kubelet's keyring normalises each key (add https://,
drop a /v1/ or /v2/ path), matches an image by equal port, equal label count with glob labels
and a path prefix, and tries every match in order, pod secrets first. Docker Hub images are
looked up as `index.docker.io`.
"""

from __future__ import annotations

import base64
import binascii
import fnmatch
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from podlab.oci.reference import DOCKER_HUB, Reference


@dataclass(frozen=True, slots=True)
class Credential:
    username: str
    password: str


@dataclass(frozen=True, slots=True)
class Challenge:
    scheme: str  # "basic" | "bearer"
    params: dict[str, str]


_PARAM = re.compile(r'(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))')


def parse_challenge(header: str) -> Challenge | None:
    """`Bearer realm="…",service="…",scope="…"` or `Basic realm="…"`."""
    scheme, _, rest = header.strip().partition(" ")
    if not scheme:
        return None
    params = {
        m.group(1).lower(): (m.group(2) if m.group(2) is not None else m.group(3))
        for m in _PARAM.finditer(rest)
    }
    return Challenge(scheme.lower(), params)


def _auth_entry(entry: Any) -> Credential | None:
    if not isinstance(entry, dict):
        return None
    if entry.get("username") or entry.get("password"):
        return Credential(str(entry.get("username", "")), str(entry.get("password", "")))
    raw = entry.get("auth")
    if not raw:
        return None
    text = str(raw)
    try:
        decoded = base64.b64decode(text + "=" * (-len(text) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")  # split at the first ':'
    return Credential(user, password) if sep else None


def _normalise_key(key: str) -> tuple[str, str]:
    """(host[:port], path) of a config key, as credentialprovider config.go parses it."""
    url = key if "://" in key else "https://" + key
    parts = urlsplit(url)
    path = parts.path
    for prefix in ("/v1/", "/v2/"):
        if path.startswith(prefix):
            path = path[len(prefix) - 1 :]
    return parts.netloc.lower(), path.strip("/")


def _host_matches(pattern: str, host: str) -> bool:
    p_name, _, p_port = pattern.partition(":")
    h_name, _, h_port = host.partition(":")
    if p_port != h_port:
        return False
    p_labels, h_labels = p_name.split("."), h_name.split(".")
    return len(p_labels) == len(h_labels) and all(
        fnmatch.fnmatchcase(h, p) for p, h in zip(p_labels, h_labels, strict=True)
    )


class Keyring:
    """Credentials by registry key; `lookup` returns every match, most specific path first."""

    def __init__(self) -> None:
        self._entries: list[tuple[str, str, Credential]] = []

    def add_auths(self, auths: Any) -> None:
        if not isinstance(auths, dict):
            return
        for key, entry in auths.items():
            cred = _auth_entry(entry)
            if cred is not None:
                host, path = _normalise_key(str(key))
                self._entries.append((host, path, cred))

    def lookup(self, ref: Reference) -> list[Credential]:
        host = "index.docker.io" if ref.domain == DOCKER_HUB else ref.domain.lower()
        found = []
        # Reverse-sorted keys: longer, more specific paths first (keyring.go).
        for key_host, key_path, cred in sorted(self._entries, key=lambda e: (e[0], e[1]), reverse=True):
            path_ok = not key_path or (ref.path + "/").startswith(key_path + "/")
            if _host_matches(key_host, host) and path_ok and cred not in found:
                found.append(cred)
        return found


def keyring_from_secrets(secrets: list[Any]) -> Keyring:
    """`kubernetes.io/dockerconfigjson` (`.dockerconfigjson`: {"auths": …}) and the legacy
    `kubernetes.io/dockercfg` (`.dockercfg`: a bare map) Secrets, in the pod's order."""
    ring = Keyring()
    for secret in secrets:
        data = (secret or {}).get("data") or {}
        for key, wrapped in ((".dockerconfigjson", True), (".dockercfg", False)):
            if key not in data:
                continue
            try:
                doc = json.loads(base64.b64decode(str(data[key])))
            except (ValueError, binascii.Error):
                continue
            ring.add_auths(doc.get("auths") if wrapped and isinstance(doc, dict) else doc)
    return ring


def docker_config_keyring(path: Path | None = None) -> Keyring:
    """The node's keyring: `$DOCKER_CONFIG/config.json` or `~/.docker/config.json` (auths only;
    credential helpers are not run)."""
    if path is None:
        base = os.environ.get("DOCKER_CONFIG")
        path = Path(base) / "config.json" if base else Path.home() / ".docker" / "config.json"
    ring = Keyring()
    try:
        doc = json.loads(path.read_text())
    except (OSError, ValueError):
        return ring
    if isinstance(doc, dict):
        ring.add_auths(doc.get("auths"))
    return ring
