"""The `podlab` console script and `python -m podlab`.

`podlab stub ...` is dispatched here, before the rest of the command line is imported: the
commands that talk to a node import the API server, the kind registry and click (~600 modules,
~0.55 s of CPU with bytecode), none of which a stub server uses (issue 12: a stub's start-up,
0.79 -> 0.25 s of CPU to its first answer). What the click group does around its `stub`
command is done here the same way: the group's logging set-up, and an OSError that escapes
the server printed as `Error: ...` with exit status 1 (an interrupt as click's `Aborted!`).
"""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:2] == ["stub"]:
        sys.exit(_stub(sys.argv[2:]))
    from podlab.cli.main import main as cli

    cli()


def configure_logging() -> None:
    """podlab's log lines on stderr, at the level PODLAB_LOG names (WARNING by default): for
    every command, the stub's shortcut here and the click group alike."""
    import logging
    import os

    logging.basicConfig(
        level=os.environ.get("PODLAB_LOG", "WARNING"), format="%(levelname)s %(name)s: %(message)s"
    )


def _stub(args: list[str]) -> int:
    import gc

    configure_logging()
    gc.disable()  # as `python -m podlab.stub` does while the server's modules load
    try:
        from podlab.stub.cli import main as stub_main
    finally:
        gc.enable()
    try:
        return stub_main(args)
    except KeyboardInterrupt:
        print("\nAborted!", file=sys.stderr)
        return 1
    except ConnectionError as exc:
        print(f"Error: cannot reach the podlab node: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
