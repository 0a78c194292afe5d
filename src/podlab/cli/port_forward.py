"""`podlab port-forward`: a TCP relay from a local port to the pod's IP (same machine, no tunnel)."""

from __future__ import annotations

import asyncio
import contextlib

import click


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()


async def forward(address: str, pairs: list[tuple[int, int]], pod_ip: str) -> None:
    servers = []
    for local, remote in pairs:

        async def handle(
            reader: asyncio.StreamReader,
            writer: asyncio.StreamWriter,
            remote: int = remote,
            local: int = local,
        ) -> None:
            click.echo(f"Handling connection for {local}")
            try:
                up_reader, up_writer = await asyncio.open_connection(pod_ip, remote)
            except OSError as exc:
                click.echo(f"error: failed to connect to {pod_ip}:{remote}: {exc.strerror}", err=True)
                writer.close()
                return
            await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))

        servers.append(await asyncio.start_server(handle, address, local))
        click.echo(f"Forwarding from {address}:{local} -> {remote}")
    await asyncio.gather(*(server.serve_forever() for server in servers))
