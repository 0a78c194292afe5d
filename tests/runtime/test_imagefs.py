"""A container's writable layer over an image's snapshot: the snapshot never changes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from podlab.runtime.imagefs import drop_instance, writable_root


@pytest.mark.parametrize("overlay", [True, False])
def test_writes_stay_in_the_instance_and_go_with_it(tmp_path: Path, overlay: bool) -> None:
    if overlay and os.geteuid() != 0:
        pytest.skip("overlayfs needs a root node")
    image = tmp_path / "snapshot"
    (image / "etc").mkdir(parents=True)
    (image / "etc" / "conf").write_text("image")
    instance = tmp_path / "containers" / "app-0"
    instance.mkdir(parents=True)
    root, how = writable_root(image, instance, overlay=overlay)
    assert how == ("overlay" if overlay else "copy")
    (root / "etc" / "conf").write_text("container")
    (root / "new").write_text("x")
    assert (image / "etc" / "conf").read_text() == "image" and not (image / "new").exists()
    drop_instance(instance)
    assert not instance.exists()
    assert str(instance) not in Path("/proc/self/mountinfo").read_text()
    # A second instance starts from the image again.
    instance.mkdir(parents=True)
    root, _ = writable_root(image, instance, overlay=overlay)
    assert (root / "etc" / "conf").read_text() == "image"
    drop_instance(instance)
