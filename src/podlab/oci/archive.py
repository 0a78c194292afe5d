"""Reading `docker save` and OCI-layout tarballs into the blob store (`podlab load -i FILE`).

- OCI layout (ispec image-layout.md): `oci-layout`, `index.json`, `blobs/sha256/<hex>`; an
  image's name is its index entry's `io.containerd.image.name` annotation (what `ctr export`
  and `docker save` since 25 write), else `org.opencontainers.image.ref.name` when that is a
  full reference.
- docker save (moby image/tarexport): `manifest.json` = [{"Config", "RepoTags", "Layers"}],
  with uncompressed layer tars whose digest is their DiffID.
The tarball is unpacked into a staging directory with tarfile's "data" filter: no absolute
names, no `..`, no links out, no devices.
"""

from __future__ import annotations

import hashlib
import json
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from podlab.oci.blobs import BlobStore
from podlab.oci.manifest import INDEXES, Descriptor, ManifestError, choose_platform, parse_manifest
from podlab.oci.reference import ReferenceError, parse_reference

DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"


@dataclass(frozen=True)
class ArchiveImage:
    config: Descriptor
    layers: tuple[Descriptor, ...]
    repo_tags: list[str]
    repo_digests: list[str]
    size: int


def read_archive(tarball: Path, staging: Path, blobs: BlobStore) -> Iterator[ArchiveImage]:
    with tarfile.open(tarball) as archive:
        archive.extractall(staging, filter="data")
    if (staging / "oci-layout").exists() and (staging / "index.json").exists():
        yield from _oci_layout(staging, blobs)
    elif (staging / "manifest.json").exists():
        yield from _docker_save(staging, blobs)
    else:
        raise ManifestError("not a docker save or OCI layout archive (no index.json or manifest.json)")


def _import(staging: Path, blobs: BlobStore, digest: str) -> Path:
    source = staging / "blobs" / "sha256" / digest.removeprefix("sha256:")
    with open(source, "rb") as f:
        return blobs.write(digest, None, _chunks(f))


def _full_name(annotations: dict[str, Any]) -> str | None:
    for key in ("io.containerd.image.name", "org.opencontainers.image.ref.name"):
        value = annotations.get(key)
        if isinstance(value, str) and ("/" in value or ":" in value):
            try:
                return str(parse_reference(value))
            except ReferenceError:
                continue
    return None


def _oci_layout(staging: Path, blobs: BlobStore) -> Iterator[ArchiveImage]:
    index = json.loads((staging / "index.json").read_text())
    for entry in index.get("manifests") or []:
        desc = Descriptor.parse(entry)
        name = _full_name(entry.get("annotations") or {})
        body = _import(staging, blobs, desc.digest).read_bytes()
        manifest_digest = desc.digest
        size = len(body)
        if desc.media_type in INDEXES:
            chosen = choose_platform(json.loads(body))
            body = _import(staging, blobs, chosen.digest).read_bytes()
            manifest_digest, size = chosen.digest, size + len(body)
        manifest = parse_manifest(body)
        for d in (manifest.config, *manifest.layers):
            _import(staging, blobs, d.digest)
        size += manifest.config.size + sum(d.size for d in manifest.layers)
        tags = [name] if name and "@" not in name else []
        digests = [f"{name.split('@')[0].rsplit(':', 1)[0]}@{desc.digest}"] if name else []
        del manifest_digest
        yield ArchiveImage(manifest.config, manifest.layers, tags, digests, size)


def _docker_save(staging: Path, blobs: BlobStore) -> Iterator[ArchiveImage]:
    for entry in json.loads((staging / "manifest.json").read_text()):
        config_path = staging / entry["Config"]
        config_bytes = config_path.read_bytes()
        config = Descriptor(
            DOCKER_CONFIG, "sha256:" + hashlib.sha256(config_bytes).hexdigest(), len(config_bytes)
        )
        blobs.write(config.digest, config.size, [config_bytes])
        layers = []
        for rel in entry.get("Layers") or []:
            path = staging / rel
            digest = _file_digest(path)
            with open(path, "rb") as layer_file:
                blobs.write(digest, None, _chunks(layer_file))
            layers.append(Descriptor(DOCKER_LAYER, digest, path.stat().st_size))
        tags = []
        for tag in entry.get("RepoTags") or []:
            try:
                tags.append(str(parse_reference(tag)))
            except ReferenceError:
                continue
        size = config.size + sum(d.size for d in layers)
        yield ArchiveImage(config, tuple(layers), tags, [], size)


def _file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return "sha256:" + h.hexdigest()


def _chunks(f: IO[bytes]) -> Iterator[bytes]:
    while chunk := f.read(1 << 20):
        yield chunk
