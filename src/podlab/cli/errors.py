"""Errors the CLI prints in kubectl's own form, without click's `Error: ` prefix."""

from __future__ import annotations

from typing import IO, Any

import click


class KubectlError(click.ClickException):
    """A message that already carries kubectl's prefix (`Error from server (NotFound): ...`,
    `error: Unexpected args: [...]`): printed as is, exit code 1."""

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(self.format_message(), err=True, file=file)
