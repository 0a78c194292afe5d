"""The stub's first signal handler, in place before the server's ~270 modules load.

As a container's PID 1 the process gets only the signals it has a handler for
(pid_namespaces(7)): a SIGTERM that arrives while Python is still importing the server would be
lost, and the pod would wait out its whole grace period. So the node starts the stub with
SIGTERM and SIGINT blocked (a blocked signal stays pending, even for PID 1), and the very first
thing the stub does is this handler, then the unblocking. The handler exits at once with the
status the running server gives (128 + the signal, as the JVM does); the server replaces it
with its graceful one (cli.run). Used by `python -m podlab.stub` and by the node's fork server
(runtime/forkserver_main.py), which starts a pod's stub the same way.
"""

import os
import signal
import sys

HELD = {signal.SIGTERM, signal.SIGINT}


def _exit_now(signum: int, _frame: object) -> None:
    # Nothing is being served yet, so there is nothing to drain.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(128 + signum)


def install() -> None:
    for signum in HELD:
        signal.signal(signum, _exit_now)
    # One that came before the handler was set is pending, and is delivered now.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, HELD)
