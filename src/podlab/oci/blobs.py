"""Content-addressed blobs on disk, and reading a layer blob as its tar stream with its DiffID checked.

A blob is written to `<hex>.partial`, hashed as it arrives (the registry's bytes, before any
decompression), checked against the descriptor's digest and size, and only then renamed into
place: a blob in the store is always whole and verified.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import zstandard

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


class DigestError(Exception):
    """The bytes do not match their digest or size (containerd's wording)."""


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root / "sha256"

    def path(self, digest: str) -> Path:
        algo, _, hexa = digest.partition(":")
        if algo != "sha256" or len(hexa) != 64 or not all(c in "0123456789abcdef" for c in hexa):
            raise DigestError(f"unsupported digest algorithm or malformed digest: {digest}")
        return self.root / hexa

    def has(self, digest: str) -> bool:
        return self.path(digest).is_file()

    def write(self, digest: str, size: int | None, chunks: Iterable[bytes]) -> Path:
        target = self.path(digest)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f"{target.name}.{os.getpid()}.{id(chunks)}.partial")
        hasher = hashlib.sha256()
        written = 0
        try:
            with open(partial, "wb") as out:
                for chunk in chunks:
                    hasher.update(chunk)
                    written += len(chunk)
                    out.write(chunk)
            got = "sha256:" + hasher.hexdigest()
            if got != digest:
                raise DigestError(
                    f"failed commit on ref: unexpected commit digest {got}, expected {digest}: failed precondition"
                )
            if size is not None and written != size:
                raise DigestError(
                    f"failed commit on ref: unexpected commit size {written}, expected {size}: failed precondition"
                )
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)
        return target

    def remove(self, digest: str) -> None:
        self.path(digest).unlink(missing_ok=True)

    def digests(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return ["sha256:" + p.name for p in self.root.iterdir() if len(p.name) == 64]


class HashingReader:
    """A read-only stream that hashes what passes through it."""

    def __init__(self, inner: IO[bytes] | Any) -> None:
        self.inner = inner
        self.hasher = hashlib.sha256()

    def read(self, n: int = -1) -> bytes:
        data: bytes = self.inner.read(n)
        self.hasher.update(data)
        return data

    def drain(self) -> str:
        while self.read(1 << 20):
            pass
        return "sha256:" + self.hasher.hexdigest()


@contextmanager
def layer_stream(path: Path, media_type: str) -> Iterator[HashingReader]:
    """The blob's uncompressed tar stream. The media type chooses the decompressor; the magic
    bytes decide when it says nothing (Docker's plain `tar` type is sometimes gzip)."""
    with open(path, "rb") as raw:
        head = raw.read(4)
        raw.seek(0)
        stream: Any
        if media_type.endswith("zstd") or head == ZSTD_MAGIC:
            stream = zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True)
        elif media_type.endswith("gzip") or head[:2] == GZIP_MAGIC:
            stream = gzip.GzipFile(fileobj=raw, mode="rb")
        else:
            stream = raw
        yield HashingReader(stream)
