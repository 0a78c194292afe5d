"""Layer application: whiteouts, opaque directories, and archives that try to escape the root."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest

from podlab.oci.unpack import UnpackError, apply_layer

from .imagebuild import Entry, layer_tar


def apply(root: Path, entries: list[Entry]) -> None:
    apply_layer(io.BytesIO(layer_tar(entries)), root)


def tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def test_whiteouts_remove_lower_entries_and_opaque_spares_the_layers_own(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    apply(
        root,
        [
            Entry("etc", "dir"),
            Entry("etc/a", data=b"a"),
            Entry("etc/b", data=b"b"),
            Entry("d", "dir"),
            Entry("d/old", data=b"o"),
            Entry("d/sub", "dir"),
            Entry("d/sub/x", data=b"x"),
        ],
    )
    # The opaque marker comes *after* the layer's own file: the file stays (applyNaive's rule).
    apply(root, [Entry("etc/.wh.a"), Entry("d/new", data=b"n"), Entry("d/.wh..wh..opq")])
    assert tree(root) == {"etc", "etc/b", "d", "d/new"}


def test_a_file_replaces_a_directory_and_never_writes_through_a_shared_inode(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    apply(root, [Entry("x", "dir"), Entry("x/y", data=b"1"), Entry("f", data=b"lower")])
    outside = tmp_path / "shared"
    os.link(root / "f", outside)  # as a snapshot's hard-linked copy shares it
    apply(root, [Entry("x", data=b"now a file"), Entry("f", data=b"upper")])
    assert (root / "x").read_bytes() == b"now a file"
    assert (root / "f").read_bytes() == b"upper" and outside.read_bytes() == b"lower"


@pytest.mark.parametrize(
    "entries",
    [
        [Entry("../escape", data=b"x")],
        [Entry("/abs/../../escape", data=b"x")],
        # A link planted in one entry, then a write through it.
        [Entry("link", "symlink", target="/.."), Entry("link/escape", data=b"x")],
        [Entry("up", "symlink", target="../../.."), Entry("up/escape", data=b"x")],
    ],
)
def test_nothing_lands_outside_the_root(tmp_path: Path, entries: list[Entry]) -> None:
    root = tmp_path / "a" / "root"
    root.mkdir(parents=True)
    apply(root, entries)
    assert not (tmp_path / "escape").exists() and not (tmp_path / "a" / "escape").exists()
    assert (root / "escape").read_bytes() == b"x"  # confined: cleaned as if rooted


def test_a_link_from_an_earlier_layer_is_resolved_inside_the_root(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    apply(root, [Entry("etc", "symlink", target=str(tmp_path))])  # an absolute link out
    apply(root, [Entry("etc/passwd", data=b"mine")])
    assert not (tmp_path / "passwd").exists()
    # The absolute target restarts at the image's root, as inside the container.
    assert (root / str(tmp_path).lstrip("/") / "passwd").read_bytes() == b"mine"


def test_hard_links_stay_inside_and_devices_are_skipped(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    secret = tmp_path / "host-secret"
    secret.write_text("no")
    with pytest.raises(UnpackError, match="is not a regular file in the image"):
        apply(root, [Entry("h", "hardlink", target=str(secret))])
    apply(root, [Entry("f", data=b"1"), Entry("g", "hardlink", target="f"), Entry("null", "chardev")])
    assert (root / "g").read_bytes() == b"1" and not (root / "null").exists()


def test_read_only_directories_still_take_children_and_keep_their_mode(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    apply(root, [Entry("ro", "dir", mode=0o555), Entry("ro/f", data=b"1")])
    apply(root, [Entry("ro/g", data=b"2")])
    assert stat.S_IMODE((root / "ro").stat().st_mode) in (0o555, 0o755)
    assert (root / "ro" / "g").read_bytes() == b"2"


def test_a_broken_archive_is_an_unpack_error(tmp_path: Path) -> None:
    with pytest.raises(UnpackError, match="failed to read layer"):
        apply_layer(io.BytesIO(layer_tar([Entry("f", data=b"x" * 4096)])[:700]), tmp_path)
