"""Manifests, indexes, configs and platforms: the OCI and Docker formats read as values (sans-IO).

Facts: docs/reference/images.md §2 (media types, platform choice, digests and chain IDs).
"""

from __future__ import annotations

import hashlib
import json
import platform
from dataclasses import dataclass
from typing import Any

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_SCHEMA1 = "application/vnd.docker.distribution.manifest.v1+prettyjws"
INDEXES = frozenset({OCI_INDEX, DOCKER_LIST})
MANIFESTS = frozenset({OCI_MANIFEST, DOCKER_MANIFEST})
CONFIGS = frozenset({OCI_CONFIG, DOCKER_CONFIG})
# containerd's resolver sends these, in this order; distribution 2.8 hides OCI manifests from a
# client that does not list them ("OCI manifest found, but accept header does not support ...").
ACCEPT = ", ".join([DOCKER_MANIFEST, DOCKER_LIST, OCI_MANIFEST, OCI_INDEX, "*/*"])
# containerd's cap on a manifest's size (core/remotes/docker/resolver.go).
MAX_MANIFEST_BYTES = 4 * 1048 * 1048

# platforms database.go normalizeArch: Python's machine() name -> (GOARCH, variant).
_ARCH = {
    "x86_64": ("amd64", ""),
    "amd64": ("amd64", ""),
    "x86-64": ("amd64", ""),
    "aarch64": ("arm64", ""),
    "arm64": ("arm64", ""),
    "armv7l": ("arm", "v7"),
    "armhf": ("arm", "v7"),
    "armv6l": ("arm", "v6"),
    "armel": ("arm", "v6"),
    "i386": ("386", ""),
    "i686": ("386", ""),
}


class ManifestError(ValueError):
    """The registry sent something that is not a runnable image (containerd's wording)."""


@dataclass(frozen=True, slots=True)
class Descriptor:
    media_type: str
    digest: str
    size: int

    @classmethod
    def parse(cls, data: Any) -> Descriptor:
        try:
            return cls(str(data.get("mediaType", "")), str(data["digest"]), int(data["size"]))
        except (AttributeError, KeyError, TypeError, ValueError):
            raise ManifestError("invalid descriptor in manifest") from None


@dataclass(frozen=True, slots=True)
class Manifest:
    config: Descriptor
    layers: tuple[Descriptor, ...]


def host_platform() -> tuple[str, str, str]:
    """(os, architecture, variant) of this machine in OCI terms."""
    arch, variant = _ARCH.get(platform.machine().lower(), (platform.machine().lower(), ""))
    return "linux", arch, variant


def sha256_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def media_type_of(body: bytes, header: str) -> str:
    """The manifest's own mediaType field wins; then the Content-Type header."""
    try:
        declared = json.loads(body).get("mediaType")
    except (ValueError, AttributeError):
        declared = None
    return str(declared or header.split(";")[0].strip())


def choose_platform(index: Any, want: tuple[str, str, str] | None = None) -> Descriptor:
    """The first manifest of an index that matches the host (ispec image-index.md): exact os and
    architecture; the variant must match only where it says something (arm)."""
    os_name, arch, variant = want or host_platform()
    seen: list[str] = []
    for entry in index.get("manifests") or []:
        if not isinstance(entry, dict) or entry.get("mediaType") not in MANIFESTS | INDEXES:
            continue  # unknown media types are ignored, not errors
        plat = entry.get("platform") or {}
        # BuildKit's attestation manifests say unknown/unknown.
        seen.append(f"{plat.get('os', '')}/{plat.get('architecture', '')}")
        if plat.get("os") != os_name or plat.get("architecture") != arch:
            continue
        if arch == "arm" and variant and plat.get("variant") not in (None, "", variant):
            continue
        return Descriptor.parse(entry)
    # containerd: "no match for platform in manifest: not found".
    raise ManifestError(
        f"no match for platform in manifest: not found (wanted {os_name}/{arch}, index has {', '.join(seen) or 'nothing'})"
    )


def parse_manifest(body: bytes) -> Manifest:
    try:
        data = json.loads(body)
    except ValueError:
        raise ManifestError("failed to unmarshal manifest: not JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("layers"), list):
        raise ManifestError("failed to unmarshal manifest: no layers")
    config = Descriptor.parse(data.get("config"))
    if config.media_type not in CONFIGS:
        # An artifact (OCI empty config, helm charts, signatures), not an image podlab can run.
        raise ManifestError(f'unsupported config media type "{config.media_type}": not a container image')
    return Manifest(config=config, layers=tuple(Descriptor.parse(d) for d in data["layers"]))


def chain_ids(diff_ids: list[str]) -> list[str]:
    """ChainID(L0) = DiffID(L0); ChainID(L0..n) = sha256(ChainID(L0..n-1) + " " + DiffID(n))."""
    out: list[str] = []
    for diff in diff_ids:
        out.append(diff if not out else sha256_digest(f"{out[-1]} {diff}".encode()))
    return out
