"""Which way an image runs: as a built-in local program or pulled from its registry (sans-IO).

Built-ins stay the default where they serve best (wiremock as podlab's own stub: no JVM,
starts in a fraction of the time; agnhost; busybox and the distro shells on the host's
userland), and so do images the user mapped to a command. Everything else is pulled.
The choice can be made per image in podlab.yaml (`imageSources: {IMAGE: builtin|pull}`) and
per pod with annotations: `podlab.dev/source-<container>: pull` or, for every container of
the pod, `podlab.dev/source: pull`. The most specific wins: container annotation, pod
annotation, podlab.yaml.
"""

from __future__ import annotations

from collections.abc import Mapping

from podlab.images.names import parse_image
from podlab.images.resolve import (
    AGNHOST_REPOS,
    ANNOTATION_PREFIX,
    BUSYBOX_REPOS,
    DISTRO_CMD,
    PAUSE_REPOS,
    WIREMOCK_REPOS,
)

BUILTIN = "builtin"
PULL = "pull"
SOURCES = (BUILTIN, PULL)
SOURCE_ANNOTATION = "podlab.dev/source"

_BUILTIN_REPOS = WIREMOCK_REPOS | AGNHOST_REPOS | PAUSE_REPOS | BUSYBOX_REPOS | frozenset(DISTRO_CMD)


def image_keys(image: str) -> list[str]:
    """The names podlab.yaml may use for an image: as written, short name with and without tag."""
    ref = parse_image(image)
    return [image, f"{ref.short}:{ref.tag}", ref.short, ref.repository]


def image_source(
    image: str,
    container_name: str,
    *,
    annotations: Mapping[str, str],
    sources: Mapping[str, str],
    user_map: Mapping[str, str],
) -> str:
    for key in (f"{SOURCE_ANNOTATION}-{container_name}", SOURCE_ANNOTATION):
        value = annotations.get(key)
        if value in SOURCES:
            return str(value)
    keys = image_keys(image)
    for key in keys:
        if key in sources:
            return sources[key]
    mapped = ANNOTATION_PREFIX + container_name in annotations or any(k in user_map for k in keys)
    return BUILTIN if mapped or parse_image(image).repository in _BUILTIN_REPOS else PULL
