"""`python -m podlab.images.agnhost <subcommand> [flags]`: the agnhost test image's servers."""

from __future__ import annotations

import importlib
import os
import signal
import sys
from types import FrameType

SUBCOMMANDS = {
    "liveness": "podlab.images.agnhost.liveness",
    "test-webserver": "podlab.images.agnhost.webserver",
    "netexec": "podlab.images.agnhost.netexec",
    "grpc-health-checking": "podlab.images.agnhost.grpc_health",
    "pause": "podlab.images.agnhost.pause",
}


def _go_default_sigterm(signum: int, frame: FrameType | None) -> None:
    # A Go program without signal.Notify dies on SIGTERM; as PID 1 of a container the
    # kernel drops the re-raised signal and the runtime exits with status 2. agnhost's
    # servers therefore end with exit code 2 when the kubelet stops them.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(2)


def main(argv: list[str]) -> int:
    if not argv:
        print("agnhost: a stand-in for the Kubernetes e2e test image. Subcommands: " + ", ".join(SUBCOMMANDS))
        return 0
    name, rest = argv[0], argv[1:]
    module = SUBCOMMANDS.get(name)
    if module is None:
        print(f'Error: unknown command "{name}" for "agnhost"', file=sys.stderr)
        print("Run 'agnhost --help' for usage.", file=sys.stderr)
        return 1
    if name != "pause":
        signal.signal(signal.SIGTERM, _go_default_sigterm)
    result: int = importlib.import_module(module).main(rest)
    return result


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
