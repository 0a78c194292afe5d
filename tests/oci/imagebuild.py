"""Small OCI images built in Python: layers from (path, content) entries, a config, a manifest.

No Docker: tar members are made with tarfile, compressed with gzip or zstd, and described by
their digests exactly as a registry will serve them.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import zstandard

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
BUSYBOX = Path("/bin/busybox")


def digest_of(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@dataclass
class Entry:
    """One tar member: kind "file" | "dir" | "symlink" | "hardlink" | "chardev"."""

    path: str
    kind: str = "file"
    data: bytes = b""
    mode: int = 0o644
    target: str = ""
    uid: int = 0
    gid: int = 0


def layer_tar(entries: list[Entry]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for e in entries:
            info = tarfile.TarInfo(e.path)
            info.mode, info.uid, info.gid, info.mtime = e.mode, e.uid, e.gid, 1_700_000_000
            if e.kind == "dir":
                info.type = tarfile.DIRTYPE
                info.mode = e.mode if e.mode != 0o644 else 0o755
            elif e.kind == "symlink":
                info.type, info.linkname = tarfile.SYMTYPE, e.target
            elif e.kind == "hardlink":
                info.type, info.linkname = tarfile.LNKTYPE, e.target
            elif e.kind == "chardev":
                info.type, info.devmajor, info.devminor = tarfile.CHRTYPE, 1, 3
            else:
                info.size = len(e.data)
            tar.addfile(info, io.BytesIO(e.data) if e.kind == "file" else None)
    return buf.getvalue()


def busybox_layer() -> list[Entry]:
    """/bin/busybox (Debian's busybox-static) and its applets as relative links."""
    entries = [Entry("bin", "dir"), Entry("bin/busybox", data=BUSYBOX.read_bytes(), mode=0o755)]
    for applet in ("sh", "cat", "echo", "id", "ls", "sleep", "httpd", "pwd", "env", "test", "wget", "touch"):
        entries.append(Entry(f"bin/{applet}", "symlink", target="busybox"))
    entries += [Entry("tmp", "dir", mode=0o1777), Entry("etc", "dir")]
    return entries


@dataclass
class Image:
    blobs: dict[str, bytes] = field(default_factory=dict)
    manifests: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    top_digest: str = ""
    top_media_type: str = ""
    top_body: bytes = b""
    config_digest: str = ""
    layer_digests: list[str] = field(default_factory=list)


def build_image(
    layers: list[list[Entry]],
    config: dict[str, Any],
    *,
    compression: str = "gzip",
    index: bool = False,
    arch: str = "amd64",
) -> Image:
    img = Image()
    descriptors, diff_ids = [], []
    for entries in layers:
        tar = layer_tar(entries)
        diff_ids.append(digest_of(tar))
        if compression == "zstd":
            blob, media = (
                zstandard.ZstdCompressor().compress(tar),
                "application/vnd.oci.image.layer.v1.tar+zstd",
            )
        else:
            blob, media = gzip.compress(tar, mtime=0), "application/vnd.oci.image.layer.v1.tar+gzip"
        d = digest_of(blob)
        img.blobs[d] = blob
        img.layer_digests.append(d)
        descriptors.append({"mediaType": media, "digest": d, "size": len(blob)})
    cfg = json.dumps(
        {
            "architecture": arch,
            "os": "linux",
            "config": config,
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
        }
    ).encode()
    img.config_digest = digest_of(cfg)
    img.blobs[img.config_digest] = cfg
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {"mediaType": OCI_CONFIG, "digest": img.config_digest, "size": len(cfg)},
            "layers": descriptors,
        }
    ).encode()
    md = digest_of(manifest)
    img.manifests[md] = (OCI_MANIFEST, manifest)
    img.top_digest, img.top_media_type, img.top_body = md, OCI_MANIFEST, manifest
    if index:
        idx = json.dumps(
            {
                "schemaVersion": 2,
                "mediaType": OCI_INDEX,
                "manifests": [
                    {
                        "mediaType": OCI_MANIFEST,
                        "digest": md,
                        "size": len(manifest),
                        "platform": {"architecture": "unknown", "os": "unknown"},
                    },
                    {
                        "mediaType": OCI_MANIFEST,
                        "digest": md,
                        "size": len(manifest),
                        "platform": {"architecture": arch, "os": "linux"},
                    },
                ],
            }
        ).encode()
        img.top_digest, img.top_media_type, img.top_body = digest_of(idx), OCI_INDEX, idx
        img.manifests[img.top_digest] = (OCI_INDEX, idx)
    return img


def oci_layout_tar(img: Image, name: str) -> bytes:
    """An OCI image layout tarball (what `podlab load` reads), the image named by annotation."""
    buf = io.BytesIO()
    index = json.dumps(
        {
            "schemaVersion": 2,
            "manifests": [
                {
                    "mediaType": img.top_media_type,
                    "digest": img.top_digest,
                    "size": len(img.top_body),
                    "annotations": {
                        "io.containerd.image.name": name,
                        "org.opencontainers.image.ref.name": name.rsplit(":", 1)[-1],
                    },
                }
            ],
        }
    ).encode()
    files = {"oci-layout": b'{"imageLayoutVersion":"1.0.0"}', "index.json": index}
    for d, data in img.blobs.items():
        files[f"blobs/sha256/{d[7:]}"] = data
    for d, (_, body) in img.manifests.items():
        files[f"blobs/sha256/{d[7:]}"] = body
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for path, data in files.items():
            info = tarfile.TarInfo(path)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()
