"""`python -m podlab.stub [WireMock options]`.

As a container's PID 1 the process gets only the signals it has a handler for
(pid_namespaces(7)): a SIGTERM that arrives while Python is still importing the server would be
lost, and the pod would wait out its whole grace period. So the node starts it with SIGTERM
blocked (a blocked signal stays pending, even for PID 1), and the very first thing done here is
a handler, then the unblocking. That handler exits at once with the status the running server
gives (128 + the signal, as the JVM does); the server replaces it with its graceful one (cli.run).
"""

import gc
import os
import signal
import sys


def _exit_now(signum: int, _frame: object) -> None:
    # Nothing is being served yet, so there is nothing to drain.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(128 + signum)


for _signum in (signal.SIGTERM, signal.SIGINT):
    signal.signal(_signum, _exit_now)
# A node starts the stub with both blocked (runtime Layout.hold_signals): one that came before
# the handler was set is pending, and is delivered now.
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})

# No cyclic collections while the server's ~270 modules load: they stay alive, so the ~50
# collections their allocations would trigger walk them for a few hundred freed objects (~5 % of
# the import CPU, medians of 15 starts); cli._tune_gc then freezes what is loaded.
gc.disable()
from podlab.stub.cli import main  # noqa: E402 - the handlers above must come first

gc.enable()
sys.exit(main())
