"""Proxying stubs (`proxyBaseUrl`, `--proxy-all`): the request sent on, the answer brought back.

`forward` decides what goes to the target and what comes back without I/O; `client` is the
HTTP/1.1 socket work (h11), with a small keep-alive pool.
"""
