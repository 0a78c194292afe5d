"""Image references, parsed the way the container runtime reads them (sans-IO)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ImageRef:
    repository: str  # normalised: "wiremock/wiremock", "library/busybox", "registry.k8s.io/busybox"
    tag: str  # "latest" when none is given (or the digest when pinned by digest)

    @property
    def short(self) -> str:
        """The repository as users write it: `busybox`, not `docker.io/library/busybox`."""
        return self.repository.removeprefix("library/")


def parse_image(image: str) -> ImageRef:
    """Split `[registry/]path[:tag][@digest]`; Docker Hub names are normalised to `path`."""
    name = image.strip()
    digest = ""
    if "@" in name:
        name, digest = name.split("@", 1)
    tag = ""
    # A ":" after the last "/" is a tag; one before it is a registry port (localhost:5000/x).
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:
        name, tag = name[:colon], name[colon + 1 :]
    first, _, rest = name.partition("/")
    if rest and first in ("docker.io", "index.docker.io", "registry-1.docker.io"):
        name = rest
    if "/" not in name:
        name = "library/" + name
    return ImageRef(repository=name.lower(), tag=tag or digest or "latest")
