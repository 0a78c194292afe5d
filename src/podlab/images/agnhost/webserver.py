"""agnhost test-webserver: Go's http.FileServer over the container's "/" on --port (80)."""

from __future__ import annotations

import argparse
import html
import mimetypes
import os
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from podlab.images.agnhost._http import GoHandler, go_log, serve


class FileServerHandler(GoHandler):
    root = Path("/")
    routes = {"/": "serve_file"}  # noqa: RUF012

    def serve_file(self) -> None:
        rel = unquote(urlsplit(self.path).path)
        target = (self.root / rel.lstrip("/")).resolve()
        if not str(target).startswith(str(self.root.resolve())) or not target.exists():
            self.reply(404, b"404 page not found\n")
            return
        if target.is_dir():
            if not rel.endswith("/"):
                self.redirect(os.path.basename(rel.rstrip("/")) + "/", 301)
                return
            # Go's dirList: <pre> with one link per entry, directories with a trailing slash.
            names = sorted(p.name + ("/" if p.is_dir() else "") for p in target.iterdir())
            links = "".join(f'<a href="{quote(n)}">{html.escape(n)}</a>\n' for n in names)
            self.reply(200, f"<pre>\n{links}</pre>\n".encode(), "text/html; charset=utf-8")
            return
        try:
            data = target.read_bytes()
        except OSError:
            self.reply(403, b"403 Forbidden\n")
            return
        ctype = mimetypes.guess_type(target.name)[0] or "text/plain; charset=utf-8"
        self.reply(200, data, ctype)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="agnhost test-webserver")
    parser.add_argument("--port", type=int, default=80)
    opts = parser.parse_args(argv)
    server = serve(FileServerHandler, opts.port)
    go_log(f"Serving on port {opts.port}.")
    server.serve_forever()
    return 0
