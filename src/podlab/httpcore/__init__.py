"""One asyncio HTTP/1.1 server core shared by the stub server, the API server and built-in images.

The public surface is small on purpose: `serve(handler, host, port)` runs `handler(request,
connection)` for every request; the handler returns a `Response` (or an awaitable of one, when it
has to wait) or takes the connection over. A Response returned at once is written without a task.
"""

from ._limits import Limits
from ._models import Request, Response, header_value, header_values
from ._protocol import Connection, Handler, HandlerResult, RawStream
from ._server import Server, install_uvloop, serve

__all__ = [
    "Connection",
    "Handler",
    "HandlerResult",
    "Limits",
    "RawStream",
    "Request",
    "Response",
    "Server",
    "header_value",
    "header_values",
    "install_uvloop",
    "serve",
]
