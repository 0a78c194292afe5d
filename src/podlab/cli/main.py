"""The `podlab` command group. Each command is a thin client; the logic lives in the packages."""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from podlab import kube_version
from podlab.cli.entry import configure_logging
from podlab.httpcore import install_uvloop
from podlab.node.home import NodeState, kubeconfig_path, podlab_home, store_path

from .client import ApiClient, ApiError
from .errors import KubectlError
from .manifests import STDIN, Manifest, ManifestsInvalid, read_manifests

F = TypeVar("F", bound=Callable[..., Any])
# Leftover positional arguments are collected, not refused by click, so that
# `-f a.yaml b.yaml` (a shell glob after -f) gets kubectl's words for it.
TAKES_MANIFESTS: dict[str, Any] = {"allow_extra_args": True}


def manifest_options(command: F) -> F:
    """`-f` and `-R` as `kubectl apply` takes them."""
    command = click.option(
        "-R",
        "--recursive",
        is_flag=True,
        help="Process the directories given with -f recursively.",
    )(command)
    return click.option(
        "-f",
        "--filename",
        "files",
        multiple=True,
        metavar="PATH",
        help="A manifest file (multi-document YAML or JSON), a directory of .yaml, .yml and .json "
        "files, or - for standard input. Repeatable.",
    )(command)


def _home() -> Path:
    return podlab_home()


def _refuse_extra_args(ctx: click.Context) -> None:
    if ctx.args:
        raise KubectlError(
            f"error: Unexpected args: [{' '.join(ctx.args)}]\n"
            f"See 'podlab {ctx.info_name} -h' for help and examples "
            "(one -f per file, or -f DIRECTORY for every manifest in it)"
        )


def _load(ctx: click.Context, files: tuple[str, ...], recursive: bool) -> tuple[list[Manifest], str | None]:
    """The manifests, all checked, and the text read from standard input for `-f -` (else None)."""
    _refuse_extra_args(ctx)
    stdin = sys.stdin.read() if STDIN in files else None
    try:
        return read_manifests(list(files), recursive=recursive, stdin=stdin), stdin
    except ManifestsInvalid as exc:
        raise click.ClickException(f"nothing was applied:\n{exc}") from None


def _no_node() -> click.ClickException:
    home = _home()
    where = "PODLAB_HOME" if os.environ.get("PODLAB_HOME") else "PODLAB_HOME is unset, so the default"
    return click.ClickException(
        f"no podlab node is running in {home} ({where}); start one with `podlab up`, "
        "or set PODLAB_HOME to the home of the node you started"
    )


def _running() -> NodeState:
    state = NodeState.read(_home())
    if state is None or not state.alive():
        raise _no_node()
    return state


def _client() -> ApiClient:
    state = _running()
    return ApiClient(state.server, state.token, ca_pem=state.ca_pem)


class _Podlab(click.Group):
    """Errors from the node's API become kubectl-style messages and exit 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ApiError as exc:
            raise KubectlError(f"Error from server ({exc.reason or exc.code}): {exc}") from None
        except ConnectionError as exc:
            raise click.ClickException(f"cannot reach the podlab node: {exc.strerror or exc}") from None
        except OSError as exc:  # a port in use, an unreadable file: the OS's words, no traceback
            raise click.ClickException(str(exc)) from None


@click.group(cls=_Podlab, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="podlab")
def main() -> None:
    """Know what Kubernetes will do to your app before you ship it."""
    configure_logging()


def _kubernetes_version(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> kube_version.KubeVersion:
    if value is None:
        return kube_version.bundled_kubectl_version()
    try:
        return kube_version.KubeVersion.parse(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from None


@main.command(context_settings=TAKES_MANIFESTS)
@manifest_options
@click.option(
    "--detach", "-d", is_flag=True, help="Return once the node is ready; stop it with `podlab down`."
)
@click.option("--port", default=0, show_default=True, help="API server port on 127.0.0.1 (0 picks one).")
@click.option(
    "--kubernetes-version",
    "version",
    metavar="VERSION",
    callback=_kubernetes_version,
    help="The Kubernetes version the node reports (/version, kubeletVersion, kube-probe/MAJOR.MINOR), "
    "as 1.33 or v1.33.2. Default: the bundled kubectl's MAJOR.MINOR (kubectl supports a server "
    "one minor version away).",
)
@click.option("--sandbox", type=click.Choice(["auto", "bwrap", "plain"]), default="auto", show_default=True)
@click.option("--no-live", is_flag=True, help="Plain log output instead of the live view.")
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Node settings (default: ./podlab.yaml when present), e.g. images: {IMAGE: COMMAND}.",
)
@click.option(
    "--fresh",
    is_flag=True,
    help="Start empty: delete the stored objects ($PODLAB_HOME/store.db) and the PersistentVolume "
    "data ($PODLAB_HOME/local-path-provisioner/) an earlier node left. Without it, `up` carries on "
    "with them.",
)
@click.option("--ready-file", type=click.Path(path_type=Path), hidden=True)
@click.pass_context
def up(
    ctx: click.Context,
    files: tuple[str, ...],
    recursive: bool,
    detach: bool,
    port: int,
    version: kube_version.KubeVersion,
    sandbox: str,
    no_live: bool,
    config_path: Path | None,
    fresh: bool,
    ready_file: Path | None,
) -> None:
    """Start the node and apply FILES.

    The node's objects persist in $PODLAB_HOME/store.db: the next `up` finds them again and
    restarts their pods (as kubelet does after a node reboot); `--fresh` starts empty.
    """
    from podlab.node.config import ConfigError, load_config
    from podlab.node.home import remove_state
    from podlab.store.persist import StateError

    from .up import run_foreground, start_detached

    manifests, stdin = _load(ctx, files, recursive)
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
    if fresh:
        removed = remove_state(home)
        what = ", ".join(str(path) for path in removed) if removed else "nothing was stored"
        click.echo(f"--fresh: starting empty (removed: {what})")
    if detach:
        try:
            state = start_detached(
                home,
                list(files),
                recursive=recursive,
                stdin=stdin,
                port=port,
                sandbox=sandbox,
                version=version,
                config_path=config_path,
            )
        except RuntimeError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"podlab node ready at {state.server} (pid {state.pid})")
        click.echo(f"pod network: {state.network}")
        click.echo(state.state)
        click.echo(f"export KUBECONFIG={kubeconfig_path(home)}")
        return
    kube_version.use(version)
    install_uvloop()
    try:
        code = asyncio.run(
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
    except StateError as exc:
        raise click.ClickException(_state_error(exc.path, exc.reason)) from None
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE or port == 0:  # only a chosen port can be taken
            raise
        raise click.ClickException(
            f"port {port} on 127.0.0.1 is already in use (another podlab node, or another program); "
            "pick another with --port PORT, or leave --port out for a free one"
        ) from None
    sys.exit(code)


def _state_error(path: Path, reason: str) -> str:
    """A store.db the node cannot load: named, kept, and the way out (docs/reference/state.md §4)."""
    return (
        f"cannot load the node's stored objects from {path}: {reason}. The file is left as it is: "
        "move it away to keep it, or start empty with `podlab up --fresh` (which deletes it and "
        "the PersistentVolume data)"
    )


@main.command()
def down() -> None:
    """Stop the running node (detached or in a terminal): its containers, pod logs and sandboxes go.

    Its objects stay in $PODLAB_HOME/store.db for the next `podlab up` (`up --fresh` starts
    empty). The kubeconfig stays in $PODLAB_HOME, so an exported KUBECONFIG works again after
    the next `podlab up`, which rewrites it.
    """
    from .up import stop_node

    home = _home()
    state = _running()
    stop_node(home, state)
    click.echo(f"podlab node stopped (pid {state.pid}): its containers, pod logs and sandboxes are gone")
    click.echo(f"{kubeconfig_path(home)} stays; the next `podlab up` points it at the new node")
    click.echo(f"its objects stay in {store_path(home)}; `podlab up --fresh` starts empty")


@main.command(context_settings=TAKES_MANIFESTS)
@manifest_options
@click.pass_context
def apply(ctx: click.Context, files: tuple[str, ...], recursive: bool) -> None:
    """Create or update the objects in the -f inputs (all valid, or nothing applied)."""
    from .apply import apply_all

    manifests, _ = _load(ctx, files, recursive)
    for line in apply_all(_client(), manifests):
        click.echo(line)


@main.command(context_settings=TAKES_MANIFESTS)
@manifest_options
@click.pass_context
def delete(ctx: click.Context, files: tuple[str, ...], recursive: bool) -> None:
    """Delete the objects in the -f inputs."""
    from .apply import delete_all

    manifests, _ = _load(ctx, files, recursive)
    lines, errors = delete_all(_client(), manifests)
    for line in lines:
        click.echo(line)
    for error in errors:
        click.echo(error, err=True)
    if errors:
        # kubectl's exit status when any object could not be deleted.
        ctx.exit(1)


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
    if not ipaddress.ip_address(pod_ip).is_loopback:
        # The pod is inside the node's network namespace, which only the node reaches: go
        # through its API, as kubectl does (the same output, the same relay).
        from .kubectl import kubectl_path

        binary = kubectl_path()
        argv = [binary, "--kubeconfig", str(kubeconfig_path(_home())), "port-forward", "-n", namespace]
        argv += [f"pod/{name}", *(f"{local}:{remote}" for local, remote in pairs), "--address", address]
        os.execv(binary, argv)
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


# Every argument, --help and kubectl's own flags included, is kubectl's: podlab parses none.
@main.command(
    context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False},
    add_help_option=False,
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def kubectl(args: tuple[str, ...]) -> None:
    """Run the bundled kubectl against the node (KUBECONFIG set); `podlab kubectl --help` is kubectl's."""
    from .kubectl import kubectl_path, needs_server

    if needs_server(args):
        _running()  # a stopped node gets podlab's own words, not kubectl's connection error
    os.environ["KUBECONFIG"] = str(kubeconfig_path(_home()))
    binary = kubectl_path()
    os.execv(binary, [binary, *args])


@main.command()
def status() -> None:
    """Print the running node's address, kubeconfig, pod network, whether resource limits are
    enforced, the cluster DNS (or why it is off) and where its objects persist, as JSON."""
    state = _running()
    click.echo(
        json.dumps(
            {
                "pid": state.pid,
                "server": state.server,
                "kubeconfig": str(kubeconfig_path(_home())),
                "limits": state.limits,
                "dns": state.dns,
                "network": f"pod network: {state.network}",
                "state": state.state,
            }
        )
    )


def _add_stub_command() -> None:
    from podlab.stub.cli import stub_command

    main.add_command(stub_command, "stub")


_add_stub_command()


def _add_insight_commands() -> None:
    from .insight import COMMANDS

    for name, command in COMMANDS.items():
        main.add_command(command, name)


_add_insight_commands()


def _add_image_commands() -> None:
    from podlab.cli.images import COMMANDS

    for command in COMMANDS:
        main.add_command(command)


_add_image_commands()
