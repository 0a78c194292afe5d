"""The `podlab` command group. Each command is a thin client; the logic lives in the packages."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from pathlib import Path

import click

from podlab.httpcore import install_uvloop
from podlab.node.home import NodeState, kubeconfig_path, podlab_home

from .client import ApiClient, ApiError
from .manifests import Manifest, ManifestsInvalid, read_manifests

FILES = click.option(
    "-f",
    "--filename",
    "files",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Manifest file (multi-document YAML). Repeatable.",
)


def _home() -> Path:
    return podlab_home()


def _load(files: tuple[Path, ...]) -> list[Manifest]:
    try:
        return read_manifests(list(files))
    except ManifestsInvalid as exc:
        raise click.ClickException(f"nothing was applied:\n{exc}") from None


def _client() -> ApiClient:
    state = NodeState.read(_home())
    if state is None or not state.alive():
        raise click.ClickException(
            f"no podlab node is running (PODLAB_HOME={_home()}); start one with `podlab up`"
        )
    return ApiClient(state.server, state.token, ca_pem=state.ca_pem)


class _Podlab(click.Group):
    """Errors from the node's API become kubectl-style messages and exit 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ApiError as exc:
            raise click.ClickException(f"Error from server ({exc.reason or exc.code}): {exc}") from None
        except ConnectionError as exc:
            raise click.ClickException(f"cannot reach the podlab node: {exc.strerror or exc}") from None
        except OSError as exc:  # a port in use, an unreadable file: the OS's words, no traceback
            raise click.ClickException(str(exc)) from None


@click.group(cls=_Podlab)
@click.version_option(package_name="podlab")
def main() -> None:
    """Know what Kubernetes will do to your app before you ship it."""
    logging.basicConfig(
        level=os.environ.get("PODLAB_LOG", "WARNING"), format="%(levelname)s %(name)s: %(message)s"
    )


@main.command()
@FILES
@click.option(
    "--detach", "-d", is_flag=True, help="Return once the node is ready; stop it with `podlab down`."
)
@click.option("--port", default=0, show_default=True, help="API server port on 127.0.0.1 (0 picks one).")
@click.option("--sandbox", type=click.Choice(["auto", "bwrap", "plain"]), default="auto", show_default=True)
@click.option("--no-live", is_flag=True, help="Plain log output instead of the live view.")
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Node settings (default: ./podlab.yaml when present), e.g. images: {IMAGE: COMMAND}.",
)
@click.option("--ready-file", type=click.Path(path_type=Path), hidden=True)
def up(
    files: tuple[Path, ...],
    detach: bool,
    port: int,
    sandbox: str,
    no_live: bool,
    config_path: Path | None,
    ready_file: Path | None,
) -> None:
    """Start the node and apply FILES."""
    from podlab.node.config import ConfigError, load_config

    from .up import run_foreground, start_detached

    manifests = _load(files)
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    home = _home()
    running = NodeState.read(home)
    if running is not None and running.alive():
        raise click.ClickException(
            f"a podlab node is already running (pid {running.pid}); `podlab down` stops it"
        )
    if detach:
        try:
            state = start_detached(home, list(files), port=port, sandbox=sandbox, config_path=config_path)
        except RuntimeError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"podlab node ready at {state.server} (pid {state.pid})")
        click.echo(f"export KUBECONFIG={kubeconfig_path(home)}")
        return
    install_uvloop()
    sys.exit(
        asyncio.run(
            run_foreground(
                home,
                manifests,
                port=port,
                sandbox=sandbox,
                live=not no_live,
                config=config,
                ready_file=ready_file,
            )
        )
    )


@main.command()
def down() -> None:
    """Stop a detached node."""
    from .up import stop_detached

    if not stop_detached(_home()):
        raise click.ClickException("no podlab node is running")
    click.echo("podlab node stopped")


@main.command()
@FILES
def apply(files: tuple[Path, ...]) -> None:
    """Create or update the objects in FILES (all valid, or nothing applied)."""
    from .apply import apply_all

    manifests = _load(files)
    try:
        for line in apply_all(_client(), manifests):
            click.echo(line)
    except ApiError as exc:
        raise click.ClickException(f"Error from server ({exc.reason}): {exc}") from None


@main.command()
@FILES
def delete(files: tuple[Path, ...]) -> None:
    """Delete the objects in FILES."""
    from .apply import delete_all

    manifests = _load(files)
    for line in delete_all(_client(), manifests):
        click.echo(line)


@main.command()
@click.argument("pod")
@click.option("-c", "--container", default=None)
@click.option("-n", "--namespace", default="default", show_default=True)
@click.option("-f", "--follow", is_flag=True)
@click.option("-p", "--previous", is_flag=True)
def logs(pod: str, container: str | None, namespace: str, follow: bool, previous: bool) -> None:
    """Print a container's log (POD may be deploy/NAME)."""
    from .pods import resolve_pod

    client = _client()
    name = resolve_pod(client, namespace, pod)
    query = {"follow": "true" if follow else "false", "previous": "true" if previous else "false"}
    if container:
        query["container"] = container
    path = f"/api/v1/namespaces/{namespace}/pods/{name}/log"
    try:
        for chunk in client.stream(path, query):
            sys.stdout.buffer.write(chunk)
            sys.stdout.flush()
    except ApiError as exc:
        raise click.ClickException(f"Error from server ({exc.reason}): {exc}") from None
    except KeyboardInterrupt:
        pass


@main.command()
@click.option("-n", "--namespace", default="default", show_default=True)
@click.option("-w", "--watch", is_flag=True)
def events(namespace: str, watch: bool) -> None:
    """List Events (and keep listing new ones with -w)."""
    from .events import print_events

    try:
        print_events(_client(), namespace, watch)
    except KeyboardInterrupt:
        pass


@main.command("port-forward")
@click.argument("target")
@click.argument("ports", nargs=-1, required=True)
@click.option("-n", "--namespace", default="default", show_default=True)
@click.option("--address", default="127.0.0.1", show_default=True)
def port_forward(target: str, ports: tuple[str, ...], namespace: str, address: str) -> None:
    """Relay LOCAL:REMOTE ports to a pod (TARGET is POD or deploy/NAME)."""
    pairs = [_port_pair(spec) for spec in ports]  # bad input fails before the node is asked
    from .pods import resolve_pod
    from .port_forward import forward

    client = _client()
    name = resolve_pod(client, namespace, target)
    pod = client.request("GET", f"/api/v1/namespaces/{namespace}/pods/{name}")
    pod_ip = pod.get("status", {}).get("podIP")
    if not pod_ip:
        raise click.ClickException(f"pod {name} has no IP yet")
    try:
        asyncio.run(forward(address, pairs, pod_ip))
    except KeyboardInterrupt:
        pass


def _port_pair(spec: str) -> tuple[int, int]:
    """LOCAL:REMOTE, or PORT for both, as kubectl port-forward takes them."""
    local, _, remote = spec.partition(":")
    try:
        pair = (int(local), int(remote or local))
    except ValueError:
        raise click.BadParameter(
            f'"{spec}" is not LOCAL:REMOTE with port numbers', param_hint="PORTS"
        ) from None
    if not all(0 <= port <= 65535 for port in pair) or pair[1] == 0:
        raise click.BadParameter(
            f'"{spec}": ports must be 1-65535 (0 picks a free local port)', param_hint="PORTS"
        )
    return pair


@main.command(context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def kubectl(args: tuple[str, ...]) -> None:
    """Run the bundled kubectl against the node (KUBECONFIG set)."""
    from .kubectl import kubectl_path

    _client()  # a stopped node gets podlab's own words, not kubectl's connection error
    os.environ["KUBECONFIG"] = str(kubeconfig_path(_home()))
    binary = kubectl_path()
    os.execv(binary, [binary, *args])


@main.command()
def status() -> None:
    """Print the running node's address and kubeconfig as JSON."""
    state = NodeState.read(_home())
    if state is None or not state.alive():
        raise click.ClickException("no podlab node is running")
    click.echo(
        json.dumps({"pid": state.pid, "server": state.server, "kubeconfig": str(kubeconfig_path(_home()))})
    )


def _add_stub_command() -> None:
    from podlab.stub.cli import stub_command

    main.add_command(stub_command, "stub")


_add_stub_command()
