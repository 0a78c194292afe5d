"""The node's image store under `$PODLAB_HOME/images`: blobs, unpacked snapshots, and names.

    images/blobs/sha256/<hex>        manifests, configs and layers, verified (blobs.py)
    images/snapshots/<chain hex>/    the merged tree of layers 0..n, keyed by ChainID
    images/index.json                the images: names, digests, size, last use

A snapshot is made once per ChainID and shared by every image with that stack of layers:
snapshot n is a hard-linked copy of snapshot n-1 with layer n applied (unpack.py never writes
through an existing file, so the shared inodes stay as they were); an image's root is its top
snapshot. Flattened trees need no overlay-format whiteouts, which an unprivileged node could
not create; the per-container writable layer is the runtime's (runtime/imagefs.py).

Pulls are serial, as kubelet's default `serializeImagePulls: true`: one lock per store, and an
flock so that `podlab pull` and a running node do not unpack the same snapshot twice.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from podlab.oci.auth import Credential
from podlab.oci.blobs import BlobStore, DigestError, layer_stream
from podlab.oci.manifest import (
    INDEXES,
    Descriptor,
    ManifestError,
    chain_ids,
    choose_platform,
    media_type_of,
    parse_manifest,
)
from podlab.oci.reference import Reference, ReferenceError, parse_reference
from podlab.oci.registry import RegistryClient, RegistryError
from podlab.oci.unpack import UnpackError, apply_layer, remove_path

# Comma-separated registry hosts (`host` or `host:port`): the only ones pulls may contact. The
# test suite sets it to loopback so no test reaches the internet; an offline machine can set it
# for an immediate, clear error instead of a DNS timeout.
ALLOWED_ENV = "PODLAB_ALLOWED_REGISTRIES"


def allowed_from_env() -> tuple[str, ...]:
    return tuple(h.strip() for h in os.environ.get(ALLOWED_ENV, "").split(",") if h.strip())


class ImageError(Exception):
    """A pull, load or unpack failed; `message` is what kubelet quotes after `Failed to pull image "X": `."""

    def __init__(self, message: str, *, not_found: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.not_found = not_found


@dataclass
class ImageRecord:
    id: str  # the config digest, as containerd's CRI reports the image ID
    repo_tags: list[str]  # docker.io/library/busybox:1.36
    repo_digests: list[str]  # docker.io/library/busybox@<digest of what the tag resolved to>
    size: int  # manifest + config + compressed layers, the CRI's image size
    chain: str  # the top ChainID: the image's root is snapshots/<hex>
    config: dict[str, Any] = field(default_factory=dict)  # the config's "config" object
    last_used: float = 0.0  # wall clock seconds

    @property
    def names(self) -> list[str]:
        """node.status.images names: repoDigests first, then repoTags (setters.go)."""
        return [*self.repo_digests, *self.repo_tags]


@dataclass(frozen=True)
class PullResult:
    record: ImageRecord
    seconds: float  # the pull itself
    waited: float  # including the wait for the store's pull lock


class ImageStore:
    def __init__(
        self,
        root: Path,
        *,
        insecure_registries: tuple[str, ...] = (),
        allowed_registries: tuple[str, ...] | None = None,
    ) -> None:
        """`allowed_registries`: when given, the only registries a pull may contact (else every one)."""
        self.root = root
        self.allowed = allowed_registries if allowed_registries is not None else allowed_from_env()
        self.blobs = BlobStore(root / "blobs")
        self.snapshots = root / "snapshots"
        self.insecure = frozenset(insecure_registries)
        self._lock = threading.Lock()

    # -- names ------------------------------------------------------------------------------
    def images(self) -> list[ImageRecord]:
        try:
            data = json.loads((self.root / "index.json").read_text())
        except (OSError, ValueError):
            return []
        return [ImageRecord(**entry) for entry in data.get("images", [])]

    def find(self, image: str) -> ImageRecord | None:
        """The stored image an image string names (tag, digest, or an ID prefix), or None."""
        try:
            ref = parse_reference(image)
        except ReferenceError:
            ref = None
        for record in self.images():
            if ref is not None and (
                (ref.digest and ref.with_digest(ref.digest) in record.repo_digests)
                or (not ref.digest and str(ref) in record.repo_tags)
            ):
                return record
            if (
                image.removeprefix("sha256:")
                and record.id.removeprefix("sha256:").startswith(image.removeprefix("sha256:"))
                and len(image.removeprefix("sha256:")) >= 12
            ):
                return record
        return None

    def rootfs(self, record: ImageRecord) -> Path:
        return self.snapshots / record.chain.removeprefix("sha256:")

    def touch(self, record: ImageRecord, now: float) -> None:
        """Note a container start from `record`. Advisory (`podlab images` shows it): skipped when
        a pull holds the store, so that a start never waits behind someone else's pull."""
        with self._try_locked() as held:
            if not held:
                return
            images = self.images()
            for r in images:
                if r.id == record.id:
                    r.last_used = now
            self._write(images)

    # -- pull -------------------------------------------------------------------------------
    def pull(self, image: str, credentials: list[Credential] | None = None) -> PullResult:
        began = time.monotonic()
        try:
            ref = parse_reference(image)
        except ReferenceError as exc:
            raise ImageError(str(exc)) from None
        if self.allowed and ref.domain not in self.allowed and ref.host not in self.allowed:
            raise ImageError(
                f'failed to resolve reference "{ref}": registry "{ref.domain}" is not in {ALLOWED_ENV} '
                f"({', '.join(self.allowed)})"
            )
        with self._locked():
            started = time.monotonic()
            insecure = ref.domain in self.insecure or ref.host in self.insecure
            client = RegistryClient(ref, list(credentials or []), insecure=insecure)
            try:
                record = self._pull(ref, client)
            except (RegistryError, ManifestError, DigestError, UnpackError) as exc:
                text = exc.message if isinstance(exc, RegistryError) else str(exc)
                if not text.startswith("failed to resolve reference"):
                    text = f'failed to pull and unpack image "{ref}": {text}'
                raise ImageError(text, not_found=isinstance(exc, RegistryError) and exc.not_found) from None
        done = time.monotonic()
        return PullResult(record, done - started, done - began)

    def _pull(self, ref: Reference, client: RegistryClient) -> ImageRecord:
        # Resolve by HEAD and reuse a manifest already held: `Always` on an unchanged tag then
        # costs one HEAD, which Docker Hub's pull rate limit does not count (images.md §2).
        known = ref.digest or client.head()
        if known and self.blobs.has(known):
            digest, content_type, body = known, "", self.blobs.path(known).read_bytes()
        else:
            digest, content_type, body = client.resolve()
        resolved = digest
        media = media_type_of(body, content_type)
        self.blobs.write(digest, len(body), [body])
        size = len(body)
        if media in INDEXES:
            chosen = choose_platform(json.loads(body))
            content_type, body = client.manifest(chosen.digest)
            media = media_type_of(body, content_type)
            digest = chosen.digest
            self.blobs.write(digest, len(body), [body])
            size = len(body)
        manifest = parse_manifest(body)
        if not self.blobs.has(manifest.config.digest):
            self.blobs.write(
                manifest.config.digest, manifest.config.size, client.blob(manifest.config.digest)
            )
        config = json.loads(self.blobs.path(manifest.config.digest).read_bytes())
        diff_ids = [str(d) for d in (config.get("rootfs") or {}).get("diff_ids") or []]
        if len(diff_ids) != len(manifest.layers):
            raise ManifestError("mismatched image rootfs and manifest layers")
        chains = chain_ids(diff_ids)
        for i, layer in enumerate(manifest.layers):
            if self._snapshot_done(chains[i]) or self.blobs.has(layer.digest):
                continue
            self.blobs.write(layer.digest, layer.size, client.blob(layer.digest))
        self._unpack(manifest.layers, diff_ids, chains)
        size += manifest.config.size + sum(layer.size for layer in manifest.layers)
        tag = [f"{ref.repository}:{ref.tag}"] if ref.tag and not ref.digest else []
        return self._record(
            ImageRecord(
                id=manifest.config.digest,
                repo_tags=tag,
                repo_digests=[ref.with_digest(resolved)],
                size=size,
                chain=chains[-1] if chains else "",
                config=dict(config.get("config") or {}),
                last_used=time.time(),
            )
        )

    # -- load (docker save / OCI layout tarballs) -------------------------------------------
    def load(self, tarball: Path) -> list[ImageRecord]:
        from podlab.oci.archive import read_archive  # only `podlab load` needs it

        with self._locked():
            staging = self.root / "tmp" / f"load.{os.getpid()}.{threading.get_ident()}"
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir(parents=True)
            try:
                loaded = []
                for entry in read_archive(tarball, staging, self.blobs):
                    config = json.loads(self.blobs.path(entry.config.digest).read_bytes())
                    diff_ids = [str(d) for d in (config.get("rootfs") or {}).get("diff_ids") or []]
                    if len(diff_ids) != len(entry.layers):
                        raise ImageError("mismatched image rootfs and manifest layers")
                    chains = chain_ids(diff_ids)
                    self._unpack(entry.layers, diff_ids, chains)
                    record = ImageRecord(
                        id=entry.config.digest,
                        repo_tags=entry.repo_tags,
                        repo_digests=entry.repo_digests,
                        size=entry.size,
                        chain=chains[-1] if chains else "",
                        config=dict(config.get("config") or {}),
                        last_used=time.time(),
                    )
                    loaded.append(self._record(record))
                return loaded
            except (DigestError, UnpackError, ManifestError, ValueError, OSError) as exc:
                raise ImageError(f"failed to load {tarball}: {exc}") from None
            finally:
                shutil.rmtree(staging, ignore_errors=True)

    # -- unpacking --------------------------------------------------------------------------
    def _snapshot_done(self, chain: str) -> bool:
        return (self.snapshots / (chain.removeprefix("sha256:") + ".done")).exists()

    def _unpack(self, layers: tuple[Descriptor, ...], diff_ids: list[str], chains: list[str]) -> None:
        self.snapshots.mkdir(parents=True, exist_ok=True)
        below: Path | None = None
        for layer, diff_id, chain in zip(layers, diff_ids, chains, strict=True):
            target = self.snapshots / chain.removeprefix("sha256:")
            if not self._snapshot_done(chain):
                work = target.with_name(target.name + ".tmp")
                remove_path(str(work))
                if below is None:
                    work.mkdir()
                else:
                    # A hard-linked copy: the files are shared until a layer replaces them.
                    subprocess.run(["cp", "-al", str(below), str(work)], check=True, capture_output=True)
                try:
                    with layer_stream(self.blobs.path(layer.digest), layer.media_type) as tar:
                        apply_layer(tar, work)
                        got = tar.drain()
                except (OSError, EOFError) as exc:
                    remove_path(str(work))
                    raise UnpackError(f"failed to extract layer {layer.digest}: {exc}") from None
                if got != diff_id:
                    remove_path(str(work))
                    raise DigestError(
                        f"failed to extract layer {layer.digest}: diffID mismatch: expected {diff_id}, got {got}"
                    )
                remove_path(str(target))
                work.rename(target)
                (self.snapshots / (target.name + ".done")).touch()
            below = target

    # -- removal ----------------------------------------------------------------------------
    def remove(self, image: str) -> ImageRecord:
        with self._locked():
            record = self.find(image)
            if record is None:
                raise ImageError(f'image "{image}": not found', not_found=True)
            self._write([r for r in self.images() if r.id != record.id])
            self._collect()
            return record

    def prune(self, keep: set[str] | None = None) -> list[ImageRecord]:
        """Remove images not in `keep` (IDs), then every blob and snapshot no image needs."""
        with self._locked():
            images = self.images()
            gone = [r for r in images if keep is not None and r.id not in keep]
            self._write([r for r in images if r not in gone])
            self._collect()
            shutil.rmtree(self.root / "tmp", ignore_errors=True)
            return gone

    def _collect(self) -> None:
        """Drop snapshots and blobs that no image reaches (containerd's garbage collector)."""
        wanted_chains: set[str] = set()
        wanted_blobs: set[str] = set()
        for record in self.images():
            wanted_blobs.add(record.id)
            wanted_blobs.update(d.split("@", 1)[1] for d in record.repo_digests)
            config = json.loads(self.blobs.path(record.id).read_bytes()) if self.blobs.has(record.id) else {}
            diff_ids = [str(d) for d in (config.get("rootfs") or {}).get("diff_ids") or []]
            wanted_chains.update(c.removeprefix("sha256:") for c in chain_ids(diff_ids))
            wanted_blobs.update(self._layers_of(record))
        if self.snapshots.is_dir():
            for path in self.snapshots.iterdir():
                name = path.name.split(".")[0]
                if name not in wanted_chains:
                    remove_path(str(path))
        for digest in self.blobs.digests():
            if digest not in wanted_blobs:
                self.blobs.remove(digest)

    def _layers_of(self, record: ImageRecord) -> set[str]:
        """Blobs of the manifests this record names: indexes, manifests, their layers."""
        out: set[str] = set()
        todo = [d.split("@", 1)[1] for d in record.repo_digests]
        while todo:
            digest = todo.pop()
            if digest in out or not self.blobs.has(digest):
                continue
            out.add(digest)
            try:
                doc = json.loads(self.blobs.path(digest).read_bytes())
            except ValueError:
                continue
            if not isinstance(doc, dict):
                continue
            todo += [str(m.get("digest")) for m in doc.get("manifests") or [] if isinstance(m, dict)]
            todo += [str(m.get("digest")) for m in doc.get("layers") or [] if isinstance(m, dict)]
        return out

    # -- the index file ---------------------------------------------------------------------
    def _record(self, record: ImageRecord) -> ImageRecord:
        """Add or merge an image; a tag now naming it is taken from any other image."""
        images = self.images()
        for other in images:
            other.repo_tags = [t for t in other.repo_tags if t not in record.repo_tags]
        same = next((r for r in images if r.id == record.id), None)
        if same is not None:
            same.repo_tags = sorted(set(same.repo_tags) | set(record.repo_tags))
            same.repo_digests = sorted(set(same.repo_digests) | set(record.repo_digests))
            same.last_used = record.last_used
            record = same
        else:
            images.append(record)
        # An image left without a name is still stored (containerd keeps it by ID until pruned).
        self._write(images)
        return record

    def _write(self, images: list[ImageRecord]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f".index.{os.getpid()}.{threading.get_ident()}.tmp"
        tmp.write_text(json.dumps({"images": [asdict(r) for r in images]}, indent=1))
        tmp.replace(self.root / "index.json")

    @contextmanager
    def _try_locked(self) -> Iterator[bool]:
        self.root.mkdir(parents=True, exist_ok=True)
        if not self._lock.acquire(blocking=False):
            yield False
            return
        try:
            with open(self.root / "lock", "w") as handle:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    yield False
                    return
                try:
                    yield True
                finally:
                    fcntl.flock(handle, fcntl.LOCK_UN)
        finally:
            self._lock.release()

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with self._lock, open(self.root / "lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
