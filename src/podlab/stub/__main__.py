"""`python -m podlab.stub [WireMock options]`."""

import sys

from podlab.stub.cli import main

sys.exit(main())
