"""Pulling into the store from real registries on loopback: docker-registry and a Bearer one."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from podlab.oci.auth import Credential
from podlab.oci.store import ImageError, ImageStore

from .fake_registry import Behaviour, fake_registry
from .imagebuild import Entry, build_image, busybox_layer, layer_tar
from .registry import REGISTRY, Registry, run_registry

BASE = [Entry("bin", "dir"), Entry("bin/tool", data=b"#!/bin/sh\n", mode=0o755), Entry("etc", "dir")]


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    if REGISTRY is None:
        pytest.skip("docker-registry is not installed (.ci/run installs it)")
    with run_registry(tmp_path_factory.mktemp("reg")) as reg:
        yield reg


def test_index_zstd_and_shared_snapshots(registry: Registry, tmp_path: Path) -> None:
    base = build_image([BASE], {"Cmd": ["/bin/tool"]}, compression="zstd", index=True)
    child = build_image([BASE, [Entry("app", data=b"v2")]], {"Cmd": ["/bin/tool"]}, compression="zstd")
    registry.push("t/base", "1", base)
    registry.push("t/child", "1", child)
    store = ImageStore(tmp_path / "images")
    first = store.pull(f"{registry.host}/t/base:1").record
    assert first.repo_digests == [f"{registry.host}/t/base@{base.top_digest}"]  # the index's digest
    assert first.id == base.config_digest
    second = store.pull(f"{registry.host}/t/child:1").record
    # The base layer's snapshot is shared: one directory per ChainID, the child's on top of it.
    snaps = sorted(p.name for p in (tmp_path / "images" / "snapshots").iterdir() if p.is_dir())
    assert len(snaps) == 2 and first.chain.removeprefix("sha256:") in snaps
    assert (store.rootfs(second) / "app").read_bytes() == b"v2"
    assert not (store.rootfs(first) / "app").exists()
    # Pulling again (Always) fetches no layer: the snapshot exists.
    for blob in child.layer_digests:
        store.blobs.remove(blob)
    assert store.pull(f"{registry.host}/t/child:1").record.id == second.id
    assert store.find(f"{registry.host}/t/child:1") is not None and store.find("t/child:1") is None
    # rmi then prune: nothing of the child's own layer is left.
    store.remove(f"{registry.host}/t/child:1")
    snaps = sorted(p.name for p in (tmp_path / "images" / "snapshots").iterdir() if p.is_dir())
    assert snaps == [first.chain.removeprefix("sha256:")]
    assert [r.id for r in store.prune(keep=set())] == [first.id]
    assert store.images() == [] and store.blobs.digests() == []


def test_missing_tag_and_unreachable_registry(registry: Registry, tmp_path: Path) -> None:
    store = ImageStore(tmp_path / "images")
    with pytest.raises(ImageError) as err:
        store.pull(f"{registry.host}/t/none:9")
    assert err.value.not_found
    assert err.value.message == (
        f'failed to resolve reference "{registry.host}/t/none:9": {registry.host}/t/none:9: not found: manifest unknown'
    )
    with pytest.raises(ImageError, match="failed to do request"):
        store.pull("127.0.0.1:1/t/x:1")


def test_bearer_token_flow_with_credentials_and_digest_check(tmp_path: Path) -> None:
    img = build_image([BASE], {"Cmd": ["/bin/tool"]})
    behaviour = Behaviour(img, user=("me", "pw"))
    with fake_registry(behaviour) as host:
        store = ImageStore(tmp_path / "images")
        with pytest.raises(ImageError, match="failed to authorize: failed to fetch anonymous token"):
            store.pull(f"{host}/lib/app:1")
        record = store.pull(f"{host}/lib/app:1", [Credential("me", "pw")]).record
        assert record.id == img.config_digest
        # Again (Always, unchanged): resolved by HEAD, the manifest already held: no counted pull.
        gets = behaviour.manifest_gets
        assert store.pull(f"{host}/lib/app:1", [Credential("me", "pw")]).record.id == img.config_digest
        assert behaviour.manifest_gets == gets
        assert behaviour.token_requests[-1] == "/token?service=fake&scope=repository%3Alib%2Fapp%3Apull"
        behaviour.corrupt.add(img.layer_digests[0])
        behaviour.tag = "2"
        bad = ImageStore(tmp_path / "other")
        with pytest.raises(ImageError, match="unexpected commit digest"):
            bad.pull(f"{host}/lib/app:2", [Credential("me", "pw")])
        assert bad.images() == [] and list((tmp_path / "other" / "blobs" / "sha256").glob("*.partial")) == []


def test_load_a_docker_save_tarball(tmp_path: Path) -> None:
    layer = layer_tar(busybox_layer()[:2])
    config = json.dumps(
        {
            "architecture": "amd64",
            "os": "linux",
            "config": {"Cmd": ["sh"]},
            "rootfs": {
                "type": "layers",
                "diff_ids": ["sha256:" + hashlib.sha256(layer).hexdigest()],
            },
        }
    ).encode()
    files = {
        "manifest.json": json.dumps(
            [{"Config": "c.json", "RepoTags": ["local/app:3"], "Layers": ["l1/layer.tar"]}]
        ).encode(),
        "c.json": config,
        "l1/layer.tar": layer,
    }
    archive = tmp_path / "save.tar"
    with tarfile.open(archive, "w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    store = ImageStore(tmp_path / "images")
    (record,) = store.load(archive)
    assert record.repo_tags == ["docker.io/local/app:3"]
    assert (store.rootfs(record) / "bin" / "busybox").exists()
    assert store.find("local/app:3") == record
