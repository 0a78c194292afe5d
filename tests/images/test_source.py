"""Built-in or pulled: defaults, podlab.yaml's imageSources, and the pod annotations."""

from __future__ import annotations

from pathlib import Path

import pytest

from podlab.images.source import image_source
from podlab.node.config import ConfigError, load_config


def choose(
    image: str,
    annotations: dict[str, str] | None = None,
    sources: dict[str, str] | None = None,
    user_map: dict[str, str] | None = None,
) -> str:
    return image_source(
        image, "app", annotations=annotations or {}, sources=sources or {}, user_map=user_map or {}
    )


def test_defaults_built_ins_and_mapped_images_stay_local_everything_else_is_pulled() -> None:
    assert choose("wiremock/wiremock:3.13.2") == "builtin"
    assert choose("registry.k8s.io/e2e-test-images/agnhost:2.40") == "builtin"
    assert choose("busybox") == "builtin"
    assert choose("nginx:1.27") == "pull"
    assert choose("nginx:1.27", user_map={"nginx": "python3 -m http.server"}) == "builtin"
    assert choose("nginx:1.27", annotations={"podlab.dev/image-app": "sleep 1"}) == "builtin"


def test_podlab_yaml_then_pod_then_container_annotation_win() -> None:
    assert choose("wiremock/wiremock:3", sources={"wiremock/wiremock": "pull"}) == "pull"
    assert choose("busybox:1.36", sources={"busybox:1.36": "pull"}) == "pull"
    pod_wide = {"podlab.dev/source": "builtin"}
    assert choose("wiremock/wiremock:3", pod_wide, sources={"wiremock/wiremock": "pull"}) == "builtin"
    both = {"podlab.dev/source": "builtin", "podlab.dev/source-app": "pull"}
    assert choose("busybox", both) == "pull"
    assert choose("busybox", {"podlab.dev/source-app": "nonsense"}) == "builtin"


def test_config_fields_are_checked(tmp_path: Path) -> None:
    path = tmp_path / "podlab.yaml"
    path.write_text("imageSources: {busybox: pull}\ninsecureRegistries: [reg.lan:5000]\n")
    config = load_config(path)
    assert config.image_sources == {"busybox": "pull"} and config.insecure_registries == ("reg.lan:5000",)
    path.write_text("imageSources: {busybox: docker}\n")
    with pytest.raises(ConfigError, match=r'imageSources\["busybox"\]: expected builtin or pull'):
        load_config(path)
    path.write_text("insecureRegistries: reg.lan\n")
    with pytest.raises(ConfigError, match="insecureRegistries: expected a list of registry hosts"):
        load_config(path)
