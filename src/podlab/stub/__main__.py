"""`python -m podlab.stub [WireMock options]`: the early signal handler first (early_exit.py),
then the server."""

import gc
import sys

from podlab.stub import early_exit

early_exit.install()

# No cyclic collections while the server's ~270 modules load: they stay alive, so the ~50
# collections their allocations would trigger walk them for a few hundred freed objects (~5 % of
# the import CPU, medians of 15 starts); cli._tune_gc then freezes what is loaded.
gc.disable()
from podlab.stub.cli import main  # noqa: E402 - the handlers above must come first

gc.enable()
sys.exit(main())
