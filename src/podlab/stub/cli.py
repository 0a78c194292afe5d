"""`podlab stub ...` and `python -m podlab.stub ...`: parse WireMock's options, run until stopped.

Exit codes follow WireMock's JVM: 143 after SIGTERM and 130 after SIGINT (128 + the signal, as
`java` exits; a liveness kill then shows `Exit Code: 143, Reason: Error` as on a cluster), 0 after
POST /__admin/shutdown, 1 for a bad option, a malformed mapping file, a keystore that cannot be read
or a port that cannot be bound.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from typing import Any

from podlab.httpcore import install_uvloop
from podlab.stub.options import HELP, OptionsError, StubOptions, parse_args
from podlab.stub.server import StubServer
from podlab.stub.store.files import MappingLoadError
from podlab.stub.tls import TlsConfigError


async def run(options: StubOptions) -> int:
    """Run the server until shutdown is asked for; the exit status."""
    server = StubServer(options)
    try:
        await server.start()
    except MappingLoadError as exc:
        print(f"podlab stub: cannot load mappings: {exc}", file=sys.stderr)
        return 1
    except TlsConfigError as exc:
        print(f"podlab stub: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        # Same words as WireMock's FatalStartupException for a port in use.
        port = getattr(exc, "port", options.port)
        print(
            f"podlab stub: Failed to bind to /{options.bind_address}:{port}: {exc.strerror or exc}",
            file=sys.stderr,
        )
        return 1
    loop = asyncio.get_running_loop()
    received: list[int] = []

    def on_signal(signum: int) -> None:
        received.append(signum)
        server.shutdown_requested.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, on_signal, signum)
    try:
        await server.shutdown_requested.wait()
    finally:
        await server.stop()
    return 128 + received[0] if received else 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of `python -m podlab.stub`."""
    args = sys.argv[1:] if argv is None else argv
    try:
        options = parse_args(args)
    except OptionsError as exc:
        print(f"podlab stub: {exc}", file=sys.stderr)
        return 1
    if options.show_help:
        sys.stdout.write(HELP)
        return 0
    if options.show_version:
        print(options.wiremock_version)
        return 0
    install_uvloop()
    _tune_gc()
    for stream in (sys.stdout, sys.stderr):
        # The banner and logged bodies are UTF-8 whatever the container's locale says.
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="replace")
    return asyncio.run(run(options))


def __getattr__(name: str) -> Any:
    # `stub_command` (the `podlab stub` click command) is built on first access: `python -m
    # podlab.stub` parses its own options and never needs click (start-up time).
    if name != "stub_command":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import click

    @click.command(
        "stub",
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []},
        add_help_option=False,
    )
    @click.argument("args", nargs=-1, type=click.UNPROCESSED)
    def stub_command(args: tuple[str, ...]) -> None:
        """Run a WireMock-compatible stub server (takes WireMock's standalone options; --help lists them)."""
        sys.exit(main(list(args)))

    globals()["stub_command"] = stub_command
    return stub_command


def _tune_gc() -> None:
    """Fewer cyclic collections: the request journal keeps many objects alive, and with
    CPython's default thresholds every full collection walks all of them, which took a
    1,000-stub server from tens to a few requests per second under load."""
    import gc

    gc.freeze()  # everything loaded so far (modules, stubs from files) is never collected
    gc.set_threshold(50_000, 20, 100)
