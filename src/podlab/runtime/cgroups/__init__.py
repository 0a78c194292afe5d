"""cgroup limits for containers: what to write per version (values.py), which tree to use
(detect.py), reading counters (counters.py), and the thin driver (host.py)."""

from podlab.runtime.cgroups.counters import exit_reason
from podlab.runtime.cgroups.host import (
    CgroupError,
    CgroupHost,
    ContainerCgroup,
    node_key,
    remove_node_cgroups,
    remove_tree,
)
from podlab.runtime.cgroups.values import ContainerResources

__all__ = [
    "CgroupError",
    "CgroupHost",
    "ContainerCgroup",
    "ContainerResources",
    "exit_reason",
    "node_key",
    "remove_node_cgroups",
    "remove_tree",
]
