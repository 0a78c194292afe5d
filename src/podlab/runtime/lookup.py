"""Finding the container's executable the way runc does, before anything is started.

runc resolves argv[0] with Go's exec.LookPath inside the container; its failures reach the
pod status through containerd as `... unable to start container process: exec: "nope":
executable file not found in $PATH: unknown` (reason StartError, exit code 128).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable


def look_path(name: str, path_env: str, workdir: str, to_host: Callable[[str, str], str]) -> str | None:
    """None if `name` can be executed in the container, else runc's error detail.

    `to_host(path, cwd)` maps a path inside the container to the host file that backs it.
    """
    if "/" in name:
        return _check(name, to_host(name, workdir))
    for d in path_env.split(":"):
        candidate = os.path.join(d or ".", name)
        if _check(candidate, to_host(candidate, workdir)) is None:
            return None
    return f'exec: "{name}": executable file not found in $PATH'


def _check(shown: str, host: str) -> str | None:
    try:
        st = os.stat(host)
    except FileNotFoundError:
        return f'exec: "{shown}": stat {shown}: no such file or directory'
    except NotADirectoryError:
        return f'exec: "{shown}": stat {shown}: not a directory'
    if stat.S_ISDIR(st.st_mode):
        return f'exec: "{shown}": is a directory'
    if not stat.S_ISREG(st.st_mode) or not st.st_mode & 0o111:
        return f'exec: "{shown}": permission denied'
    return None
