"""`podlab images`, `pull`, `rmi`, `prune` and `load`: the node's image store, with or without a node.

They work on `$PODLAB_HOME/images` directly; the store's lock keeps them and a running node from
unpacking the same layers twice. `pull` reads `~/.docker/config.json` for credentials and
podlab.yaml (`--config`, else ./podlab.yaml) for `insecureRegistries`.
"""

from __future__ import annotations

import time
from pathlib import Path

import click

from podlab.k8s.duration import human_duration
from podlab.node.home import podlab_home
from podlab.oci.auth import docker_config_keyring
from podlab.oci.reference import ReferenceError, familiar, parse_reference
from podlab.oci.store import ImageError, ImageRecord, ImageStore


def _store(config_path: Path | None = None) -> ImageStore:
    insecure: tuple[str, ...] = ()
    if config_path is not None or Path("podlab.yaml").exists():
        from podlab.node.config import ConfigError, load_config

        try:
            insecure = load_config(config_path).insecure_registries
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from None
    return ImageStore(podlab_home() / "images", insecure_registries=insecure)


def _size(n: int) -> str:
    """docker's human sizes: decimal units."""
    value = float(n)
    for unit in ("B", "kB", "MB"):
        if value < 1000:
            return f"{value:.0f}{unit}" if unit == "B" else f"{value:.1f}{unit}"
        value /= 1000
    return f"{value:.1f}GB"


def _rows(records: list[ImageRecord]) -> list[tuple[str, str, str, str, str]]:
    now = time.time()
    rows = []
    for r in sorted(records, key=lambda r: -r.last_used):
        used = human_duration(now - r.last_used) + " ago" if r.last_used else "never"
        names = r.repo_tags or [d.split("@")[0] + ":<none>" for d in r.repo_digests] or ["<none>:<none>"]
        for name in names:
            repo, _, tag = name.rpartition(":")
            digest = (r.repo_digests[0].split("@")[1] if r.repo_digests else "<none>")[:19]
            rows.append((familiar(repo), tag, digest, _size(r.size), used))
    return rows


@click.command("images")
def images_command() -> None:
    """List the images in the node's store: name, tag, digest, size, last used."""
    rows = [("IMAGE", "TAG", "DIGEST", "SIZE", "LAST USED"), *_rows(_store().images())]
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    for row in rows:
        click.echo("   ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())


@click.command("pull")
@click.argument("image")
@click.option("--config", "config_path", type=click.Path(path_type=Path), help="podlab.yaml to read.")
def pull_command(image: str, config_path: Path | None) -> None:
    """Pull IMAGE from its registry into the node's store."""
    try:
        ref = parse_reference(image)
    except ReferenceError as exc:
        raise click.ClickException(f"{image}: {exc}") from None
    store = _store(config_path)
    try:
        result = store.pull(image, docker_config_keyring().lookup(ref))
    except ImageError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"{ref}: pulled in {result.seconds:.1f}s, {result.record.size} bytes")
    click.echo(f"digest: {result.record.repo_digests[0].split('@')[1]}")


@click.command("rmi")
@click.argument("images", nargs=-1, required=True)
def rmi_command(images: tuple[str, ...]) -> None:
    """Remove images from the node's store (by name or ID prefix); unused layers go with them."""
    store = _store()
    failed = False
    for image in images:
        try:
            record = store.remove(image)
        except ImageError as exc:
            click.echo(f"Error: {exc.message}", err=True)
            failed = True
            continue
        click.echo(f"Deleted: {record.id}")
    if failed:
        raise SystemExit(1)


@click.command("prune")
@click.option(
    "--all", "-a", "everything", is_flag=True, help="Remove every image, not only unreferenced data."
)
def prune_command(everything: bool) -> None:
    """Remove layers and blobs no image needs (and with --all, every image)."""
    removed = _store().prune(keep=None if not everything else set())
    for record in removed:
        click.echo(f"Deleted: {record.id}")


@click.command("load")
@click.option(
    "-i",
    "--input",
    "path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A docker save or OCI layout tarball.",
)
def load_command(path: Path) -> None:
    """Load images from a `docker save` or OCI-layout tarball (no registry needed)."""
    try:
        records = _store().load(path)
    except ImageError as exc:
        raise click.ClickException(exc.message) from None
    for record in records:
        for name in record.repo_tags or [record.id]:
            click.echo(f"Loaded image: {name}")


COMMANDS = (images_command, pull_command, rmi_command, prune_command, load_command)
