"""Image references parsed and normalised as containerd's reference library does (sans-IO).

docs/reference/images.md §1: `[domain[:port]/]path[:tag][@digest]`; the first component is a
registry host only when it has a `.` or `:`, is `localhost`, or has an upper-case letter;
`index.docker.io` is `docker.io`; single names on docker.io get `library/`; the default tag
`latest` applies only with neither tag nor digest, and a digest wins over a tag.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DOCKER_HUB = "docker.io"
# The host docker.io's API lives on (containerd core/remotes/docker/config/hosts.go).
DOCKER_HUB_API = "registry-1.docker.io"

_TAG = re.compile(r"^[\w][\w.-]{0,127}$")
_DIGEST = re.compile(r"^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-fA-F]{32,}$")
_COMPONENT = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$")
_ANCHORED_ID = re.compile(r"^[a-f0-9]{64}$")
MAX_NAME = 255


class ReferenceError(ValueError):
    """The reference does not parse; the text is the reference library's ("invalid reference format")."""


@dataclass(frozen=True, slots=True)
class Reference:
    domain: str  # "docker.io", "127.0.0.1:5000", "ghcr.io"
    path: str  # "library/busybox", "test/web"
    tag: str  # "" when pinned by digest only
    digest: str  # "" or "sha256:…"

    @property
    def repository(self) -> str:
        """`docker.io/library/busybox`: the fully qualified name, no tag."""
        return f"{self.domain}/{self.path}"

    @property
    def object(self) -> str:
        """What the manifests endpoint is asked for: the digest when pinned, else the tag."""
        return self.digest or self.tag

    def __str__(self) -> str:
        # ParseDockerRef: a digest wins, the tag is dropped.
        if self.digest:
            return f"{self.repository}@{self.digest}"
        return f"{self.repository}:{self.tag}"

    def with_digest(self, digest: str) -> str:
        return f"{self.repository}@{digest}"

    @property
    def is_localhost(self) -> bool:
        host = self.host
        return host in ("localhost", "::1", "[::1]") or host.startswith("127.")

    @property
    def host(self) -> str:
        """The domain without its port."""
        if self.domain.startswith("["):
            return self.domain.split("]")[0] + "]"
        return self.domain.rsplit(":", 1)[0] if ":" in self.domain else self.domain

    @property
    def api_host(self) -> str:
        return DOCKER_HUB_API if self.domain == DOCKER_HUB else self.domain


def parse_reference(text: str) -> Reference:
    name = text.strip()
    if not name or len(name) > MAX_NAME + 72:
        raise ReferenceError("invalid reference format")
    if _ANCHORED_ID.match(name):
        # reference.go: a bare image ID is ambiguous with a repository name.
        raise ReferenceError(f"invalid repository name ({name}), cannot specify 64-byte hexadecimal strings")
    digest = ""
    if "@" in name:
        name, digest = name.split("@", 1)
        if not _DIGEST.match(digest):
            raise ReferenceError("invalid reference format")
    tag = ""
    slash, colon = name.rfind("/"), name.rfind(":")
    if colon > slash:
        name, tag = name[:colon], name[colon + 1 :]
        if not _TAG.match(tag):
            raise ReferenceError("invalid reference format")
    first, sep, rest = name.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost" or first != first.lower()):
        domain, path = first, rest
    else:
        domain, path = DOCKER_HUB, name
    if domain == "index.docker.io":
        domain = DOCKER_HUB
    if domain == DOCKER_HUB and "/" not in path:
        path = "library/" + path
    if len(path) > MAX_NAME:
        raise ReferenceError("repository name must not be more than 255 characters")
    if path != path.lower():
        raise ReferenceError("invalid reference format: repository name must be lowercase")
    if not path or not all(_COMPONENT.match(c) for c in path.split("/")):
        raise ReferenceError("invalid reference format")
    if not tag and not digest:
        tag = "latest"
    return Reference(domain=domain, path=path, tag=tag, digest=digest)


def familiar(repository: str) -> str:
    """`docker.io/library/busybox` -> `busybox`, as docker and podlab's listings show it."""
    short = repository.removeprefix(DOCKER_HUB + "/")
    return short.removeprefix("library/") if short != repository else repository
