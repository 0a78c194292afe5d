"""Suite-wide settings: no test may reach a registry outside this machine.

An image that is not built in is pulled (issue 8); tests name such images (nginx,
example.com/...) to see pull failures, so the node is told that only loopback registries
exist: the pull fails at once, in kubelet's words, with no DNS lookup or connection.
"""

from __future__ import annotations

import os

os.environ.setdefault("PODLAB_ALLOWED_REGISTRIES", "127.0.0.1,localhost")
