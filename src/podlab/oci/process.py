"""An image config applied to a container spec, as containerd's CRI plugin does (sans-IO).

docs/reference/images.md §5: argv from Entrypoint/Cmd and command/args (WithProcessArgs); env
= default PATH, HOSTNAME, the image's Env, then the container's, a later KEY replacing an
earlier one in place (replaceOrAppendEnvValues); workingDir, else WorkingDir, else `/`; User
numeric or a name resolved in the image's own /etc/passwd and /etc/group (WithUser).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
MAX_ID = 2**31 - 1  # uid and gid must fit in int32


class ImageConfigError(Exception):
    """The container cannot be made from this image (kubelet: CreateContainerError)."""


@dataclass(frozen=True, slots=True)
class Identity:
    """Who the container's process is: what the sandbox's --uid/--gid and groups become."""

    uid: int
    gid: int
    groups: tuple[int, ...] = ()


def process_args(config: Mapping[str, Any], command: Sequence[str], args: Sequence[str]) -> list[str]:
    entrypoint = [str(a) for a in config.get("Entrypoint") or []]
    if entrypoint == [""]:
        entrypoint = []  # an Entrypoint of exactly [""] counts as none
    cmd = [str(a) for a in config.get("Cmd") or []]
    if command:
        return [*command, *args]
    return [*entrypoint, *(args or cmd)]


def merge_env(*layers: Sequence[str]) -> dict[str, str]:
    """KEY=VALUE lists, later ones replacing earlier keys in place; `KEY` alone unsets it."""
    out: dict[str, str] = {}
    for layer in layers:
        for item in layer:
            key, sep, value = item.partition("=")
            if sep:
                out[key] = value
            else:
                out.pop(key, None)
    return out


def image_env(config: Mapping[str, Any], hostname: str) -> dict[str, str]:
    """Default PATH and HOSTNAME, then the image's Env (the pod's env is merged over it)."""
    return merge_env(
        [f"PATH={DEFAULT_PATH}", f"HOSTNAME={hostname}"], [str(e) for e in config.get("Env") or []]
    )


def working_dir(config: Mapping[str, Any], container: Mapping[str, Any]) -> str:
    return str(container.get("workingDir") or config.get("WorkingDir") or "/")


def _table(text: str) -> list[list[str]]:
    return [line.split(":") for line in text.splitlines() if line and not line.startswith("#")]


def resolve_user(user: str, passwd: str, group: str) -> Identity:
    """The image's User (`uid`, `name`, `uid:gid`, `name:group`) against its /etc/passwd and /etc/group."""
    if not user:
        return Identity(0, 0, (0,))
    users, groups = _table(passwd), _table(group)
    name_part, _, group_part = user.partition(":")
    username: str | None = None
    if name_part.isdigit():
        uid = _in_range(int(name_part), user)
        entry = next((u for u in users if len(u) > 3 and u[2] == name_part), None)
        gid = int(entry[3]) if entry and entry[3].isdigit() else 0
        username = entry[0] if entry else None
    else:
        entry = next((u for u in users if len(u) > 3 and u[0] == name_part), None)
        if entry is None or not entry[2].isdigit():
            # containerd WithUsername: `no users found`.
            raise ImageConfigError(f"unable to find user {name_part}: no matching entries in passwd file")
        uid, gid, username = int(entry[2]), int(entry[3]) if entry[3].isdigit() else 0, name_part
    if group_part:
        if group_part.isdigit():
            gid = _in_range(int(group_part), user)
        else:
            g = next((g for g in groups if len(g) > 2 and g[0] == group_part), None)
            if g is None or not g[2].isdigit():
                raise ImageConfigError(
                    f"unable to find group {group_part}: no matching entries in group file"
                )
            gid = int(g[2])
    extra = [gid]
    if username is not None:
        for g in groups:
            if len(g) > 3 and g[2].isdigit() and username in g[3].split(",") and int(g[2]) not in extra:
                extra.append(int(g[2]))
    return Identity(uid, gid, tuple(extra))


def _in_range(value: int, user: str) -> int:
    if value > MAX_ID:
        raise ImageConfigError(f'invalid user "{user}": uid or gid out of range')
    return value
