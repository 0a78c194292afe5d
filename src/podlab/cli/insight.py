"""`podlab explain`, `simulate`, `advise`, `observe`: thin commands over podlab.insight."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import click
import yaml

from podlab.k8s.duration import parse_go_duration

from .client import ApiError
from .manifests import STDIN, ManifestsInvalid, read_manifests

Obj = dict[str, Any]
OUTPUTS = click.Choice(["text", "json"])


def _duration(ctx: click.Context, param: click.Parameter, value: str | None) -> float | None:
    if value is None:
        return None
    try:
        seconds = parse_go_duration(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    if seconds <= 0:
        raise click.BadParameter(f'"{value}" must be positive')
    return seconds


def _objects(files: tuple[str, ...], recursive: bool) -> tuple[list[Obj], str]:
    if not files:
        raise click.UsageError("must specify one of -f and -k")
    stdin = sys.stdin.read() if STDIN in files else None
    try:
        manifests = read_manifests(list(files), recursive=recursive, stdin=stdin)
    except ManifestsInvalid as exc:
        raise click.ClickException(str(exc)) from None
    return [m.obj for m in manifests], ("STDIN" if files[0] == STDIN else files[0])


def _pods(objects: list[Obj]) -> list[Obj]:
    from podlab.insight.simulate import pods_to_simulate

    pods = pods_to_simulate(objects)
    if not pods:
        raise click.ClickException("no Pod or workload with a pod template in the manifests")
    return pods


@click.command("explain")
@click.argument("kind", metavar="pod")
@click.argument("name")
@click.option("-c", "--container", default=None, help="Only this container's lines.")
@click.option("-n", "--namespace", default="default", show_default=True)
@click.option("-o", "--output", type=OUTPUTS, default="text", show_default=True)
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the timeline as an HTML page.",
)
@click.option(
    "--svg",
    "svg_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the timeline as SVG.",
)
def explain_command(
    kind: str,
    name: str,
    container: str | None,
    namespace: str,
    output: str,
    html_path: Path | None,
    svg_path: Path | None,
) -> None:
    """Why a pod restarted (or is not Ready): its timeline, ending with the cause."""
    from podlab.insight import render
    from podlab.insight.explain import failing_since, story_of, stub_trigger

    from .main import _client
    from .pods import resolve_pod

    if kind not in ("pod", "pods", "po"):
        raise click.UsageError(f'explain takes "pod NAME", not "{kind}"')
    client = _client()
    pod_name = resolve_pod(client, namespace, name)
    pod = client.request("GET", f"/api/v1/namespaces/{namespace}/pods/{pod_name}")
    events = client.request(
        "GET",
        f"/api/v1/namespaces/{namespace}/events",
        query={"fieldSelector": f"involvedObject.name={pod_name}"},
    ).get("items", [])
    story = story_of(pod, events)
    for name, restarts in story.restarts.items():
        since = failing_since(story, name)
        if restarts and since is not None:
            # The killed instance's log: a stub's verbose log says which admin call broke it.
            log_path = f"/api/v1/namespaces/{namespace}/pods/{pod_name}/log"
            try:
                previous = b"".join(client.stream(log_path, {"container": name, "previous": "true"}))
            except ApiError:
                continue
            trigger = stub_trigger(previous.decode(errors="replace"), since)
            if trigger:
                story.triggers[name] = trigger
    if container is not None:
        names = story.container_names()
        if container not in names:
            raise click.ClickException(f"container {container} is not valid for pod {pod_name}")
        story.entries = [e for e in story.entries if e.container in (container, "")]
        story.restarts = {k: v for k, v in story.restarts.items() if k == container}
    if html_path is not None:
        html_path.write_text(render.html(story))
    if svg_path is not None:
        svg_path.write_text(render.svg(story))
    click.echo(json.dumps(story.to_json(), indent=2) if output == "json" else story.text())


@click.command("simulate")
@click.option(
    "-f", "--filename", "files", multiple=True, metavar="PATH", help="Manifests (as apply takes them)."
)
@click.option("-R", "--recursive", is_flag=True)
@click.option(
    "--model",
    "model_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The app's model (see docs/INSIGHT.md); none: a healthy app.",
)
@click.option(
    "--duration", default="30m", show_default=True, callback=_duration, help="Virtual time to simulate."
)
@click.option(
    "--runs",
    type=click.IntRange(1, 100_000),
    default=1,
    show_default=True,
    help="Runs with different random draws.",
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("-o", "--output", type=OUTPUTS, default="text", show_default=True)
def simulate_command(
    files: tuple[str, ...],
    recursive: bool,
    model_path: Path | None,
    duration: float,
    runs: int,
    seed: int,
    output: str,
) -> None:
    """Predict what the kubelet does to the app, in virtual time (no processes, no cluster)."""
    from podlab.insight.model import AppModel, ModelError, load_model
    from podlab.insight.simulate import simulate, simulate_runs

    objects, _ = _objects(files, recursive)
    try:
        model = load_model(model_path) if model_path else AppModel({})
    except ModelError as exc:
        raise click.ClickException(str(exc)) from None
    results: list[Obj] = []
    for pod in _pods(objects):
        story = simulate(pod, model, duration=duration, seed=seed)
        result = story.to_json()
        if runs > 1:
            result["runs"] = simulate_runs(pod, model, duration=duration, runs=runs, seed=seed).to_json()
        results.append(result)
        if output == "text":
            click.echo(story.text())
            if runs > 1:
                r = result["runs"]
                click.echo(
                    f"Over {r['n']} runs: P(restart) = {r['pRestart']:.3f}, P(CrashLoopBackOff) = {r['pCrashLoop']:.3f}, "
                    f"P(Ready) = {r['pReady']:.3f}"
                )
    if output == "json":
        click.echo(json.dumps(results[0] if len(results) == 1 else {"items": results}, indent=2))


@click.command("observe")
@click.option("-f", "--filename", "files", multiple=True, metavar="PATH")
@click.option("-R", "--recursive", is_flag=True)
@click.option("--duration", default="60s", show_default=True, callback=_duration)
@click.option(
    "-o",
    "--output",
    "out_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the model here (default: standard output).",
)
def observe_command(files: tuple[str, ...], recursive: bool, duration: float, out_path: Path | None) -> None:
    """Run the app on a private node, measure start-up and probe latencies, write a simulate model."""
    from podlab.insight.run_observed import observe_run

    objects, _ = _objects(files, recursive)
    seen, _ = asyncio.run(observe_run(objects, duration))
    text = yaml.safe_dump(seen.to_model().to_yaml(), sort_keys=False)
    if out_path is None:
        click.echo(text, nl=False)
    else:
        out_path.write_text(text)
        click.echo(f"model written to {out_path}", err=True)


@click.command("advise")
@click.option("-f", "--filename", "files", multiple=True, metavar="PATH")
@click.option("-R", "--recursive", is_flag=True)
@click.option(
    "--observe",
    "observe_for",
    default=None,
    callback=_duration,
    help="Run the app this long first (e.g. 60s).",
)
@click.option(
    "-o", "--output", type=click.Choice(["text", "json", "sarif"]), default="text", show_default=True
)
@click.option(
    "--fail-on", type=click.Choice(["info", "warning", "error", "never"]), default="error", show_default=True
)
def advise_command(
    files: tuple[str, ...], recursive: bool, observe_for: float | None, output: str, fail_on: str
) -> None:
    """Findings about the probes, from the manifest and (with --observe) from a real run."""
    from podlab.insight.advise import advise, sarif
    from podlab.insight.run_observed import observe_run

    objects, source = _objects(files, recursive)
    seen, stories = (None, None)
    if observe_for is not None:
        seen, stories = asyncio.run(observe_run(objects, observe_for))
    advice = advise(_pods(objects), seen, stories)
    if output == "json":
        click.echo(json.dumps(advice.to_json(), indent=2))
    elif output == "sarif":
        text = Path(source).read_text() if source != "STDIN" and Path(source).is_file() else ""
        click.echo(json.dumps(sarif(advice, source, text), indent=2))
    else:
        click.echo(advice.text())
    if fail_on != "never" and advice.fails(fail_on):
        sys.exit(1)


COMMANDS = {
    "explain": explain_command,
    "simulate": simulate_command,
    "observe": observe_command,
    "advise": advise_command,
}
