"""Attacks on forked wiremock pods (runtime/forkserver*.py, sandbox_entry.py) that must keep failing.

Every test drives a real node: one process of a pod (`kubectl exec`) goes after the forked stub
(PID 2), its holder (PID 1), the fork server and the other pods. docs/SECURITY.md ("Wiremock
pods: forked into the sandbox bwrap built") says what a forked stub exposes and why; these are
the paths the review tried. Two tests need no node: a fork that fails must not take the server
(and every forked pod with it) down, and a reused holder PID must be refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import json
import os
import select
import signal
import socket
import subprocess
import sys
import textwrap
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import RunningNode, descendants, start_node, stop_node, wait_for
from .forked_pods import HOLDER, fork_server, link, memory_holds, read, stub_and_holder

PYTHON = "/podlab/python/bin/python3.11"  # the pod's interpreter (the host's, bound read-only)
SECRET = "victim-secret-" + os.urandom(8).hex()
PODS = textwrap.dedent(
    f"""\
    apiVersion: v1
    kind: Pod
    metadata:
      name: victim
    spec:
      containers:
      - name: wiremock
        image: wiremock/wiremock:3.13.2
        env:
        - name: TOKEN
          value: {SECRET}
    ---
    apiVersion: v1
    kind: Pod
    metadata:
      name: attacker
    spec:
      containers:
      - name: wiremock
        image: wiremock/wiremock:3.13.2
        env:
        - name: MINE
          value: attacker-own-value
    """
)


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningNode]:
    home = tmp_path_factory.mktemp("fsattacks") / "home"
    manifest = home.parent / "pods.yaml"
    manifest.write_text(PODS)
    running = start_node(home, manifest)
    try:
        running.kubectl(
            "wait", "--for=condition=Ready", "pod/victim", "pod/attacker", "--timeout=60s", timeout=70
        )
        yield running
    finally:
        stop_node(running)


def _sh(node: RunningNode, script: str, pod: str = "attacker", check: bool = True) -> str:
    result = node.kubectl("exec", pod, "--", "sh", "-c", script, check=check)
    return result.stdout + result.stderr


def _py(node: RunningNode, code: str, *args: str, pod: str = "attacker") -> str:
    return node.kubectl("exec", pod, "--", PYTHON, "-c", code, *args, timeout=60).stdout


def _container_status(node: RunningNode, pod: str) -> dict[str, object]:
    status = json.loads(node.kubectl("get", "pod", pod, "-o", "json").stdout)["status"]
    return status["containerStatuses"][0]  # type: ignore[no-any-return]


def test_the_holders_stdin_cannot_be_reopened_to_forge_the_containers_exit(node: RunningNode) -> None:
    """The holder exits with what it reads on stdin. Were that a pipe, `echo 0 > /proc/1/fd/0`
    from any process of the pod would end the container as Completed (exit 0) while its stub
    still ran (found in review); a socket cannot be opened through /proc."""
    before = _container_status(node, "attacker")["restartCount"]
    out = _sh(node, "echo 0 > /proc/1/fd/0 && echo FORGED; readlink /proc/1/fd/0", check=False)
    assert "FORGED" not in out
    assert "socket:" in out
    assert "No such device or address" in out  # ENXIO: what open(2) says for a socket
    # The stub still serves in the same container: not restarted, PID 2 still the stub.
    assert _sh(node, "cat /proc/2/comm").strip() == "python3.11"
    status = _container_status(node, "attacker")
    assert status["restartCount"] == before and "running" in status["state"], status  # type: ignore[operator]


def test_the_stubs_memory_holds_nothing_of_another_pod_or_of_the_node(node: RunningNode) -> None:
    """All stubs are forks of one server: what it ever held, every stub holds. Not another pod's
    env, not the node's token or signing key (read from the host: the pod itself may not)."""
    key = (node.home / "sa.key").read_text().splitlines()[1][:32]  # a line of the PEM body
    stub, _ = stub_and_holder(node, "attacker")
    needles = [SECRET.encode(), node.token.encode(), key.encode(), b"attacker-own-value"]
    assert memory_holds(stub, needles) == {b"attacker-own-value"}  # its own env: the scan works


def test_no_host_file_or_fd_is_reachable_through_the_stub(node: RunningNode) -> None:
    code = textwrap.dedent(
        """\
        import os, json
        out = {}
        def attempt(name, fn):
            try:
                out[name] = "ok " + repr(fn())[:80]
            except OSError as exc:
                out[name] = "refused " + (exc.strerror or "")
        attempt("write exe", lambda: os.open("/proc/2/exe", os.O_WRONLY))
        attempt("list map_files", lambda: os.listdir("/proc/2/map_files"))
        attempt("readlink root", lambda: os.readlink("/proc/2/root"))
        attempt("readlink fd", lambda: os.readlink("/proc/2/fd/1"))
        print(json.dumps(out))
        """
    )
    result = json.loads(_py(node, code))
    assert all(answer.startswith("refused") for answer in result.values()), result
    stub, _ = stub_and_holder(node, "attacker")
    assert link(f"/proc/{stub}/root") == "/" and link(f"/proc/{stub}/exe").startswith("/memfd:")
    for fd in os.listdir(f"/proc/{stub}/fd"):
        target = link(f"/proc/{stub}/fd/{fd}")
        # Only what the container has: stdio, its own sockets/pipes/epoll, paths of its view.
        assert target.split(":")[0] in {"pipe", "socket", "anon_inode"} or target == "/dev/null", (fd, target)


def test_nothing_outside_the_pod_is_visible_or_signalable(node: RunningNode) -> None:
    server = fork_server(node)
    stub_host_pids = [p for p in descendants(server) if b"forkserver_main" in read(f"/proc/{p}/cmdline")]
    assert len(stub_host_pids) >= 2
    out = _sh(node, "ls /proc | grep -E '^[0-9]+$' | sort -n | tr '\\n' ' '")
    assert set(out.split()) <= {"1", "2", *(str(n) for n in range(3, 20))}, out
    # The server and the victim's stub, by host PID: no such process in the pod's PID namespace.
    for pid in (server, *stub_host_pids):
        assert "FOUND" not in _sh(node, f"kill -0 {pid} 2>/dev/null && echo FOUND; true")
    assert os.path.exists(f"/proc/{server}")


def _seccomp_filters(pid: int) -> list[bytes]:
    """The BPF programs of `pid`'s seccomp filters, read as the host's root (ptrace(2),
    PTRACE_SECCOMP_GET_FILTER: CAP_SYS_ADMIN in the host's user namespace)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
    seize, interrupt, detach, get_filter = 0x4206, 0x4207, 17, 0x420C
    assert libc.ptrace(seize, pid, None, None) == 0, os.strerror(ctypes.get_errno())
    try:
        libc.ptrace(interrupt, pid, None, None)
        os.waitpid(pid, 0x40000000)  # __WALL: the stop the interrupt caused
        programs = []
        for index in range(16):  # bwrap installs one; a bound for the loop
            count = libc.ptrace(get_filter, pid, ctypes.c_void_p(index), None)
            if count < 0:
                break
            buffer = ctypes.create_string_buffer(count * 8)  # struct sock_filter: 8 bytes
            assert libc.ptrace(get_filter, pid, ctypes.c_void_p(index), buffer) == count
            programs.append(buffer.raw)
        return programs
    finally:
        libc.ptrace(detach, pid, None, None)


@pytest.mark.skipif(os.geteuid() != 0, reason="reading a seccomp filter needs the host's root")
def test_the_stubs_seccomp_filter_is_the_holders_instruction_for_instruction(node: RunningNode) -> None:
    """/proc/PID/status only counts filters (tests/e2e/test_forkserver.py compares that): the
    program the stub loads must be the one bwrap loaded for the holder."""
    stub = next(p for p in descendants(fork_server(node)) if b"forkserver_main" in read(f"/proc/{p}/cmdline"))
    pid_ns = os.readlink(f"/proc/{stub}/ns/pid")
    holder = next(
        int(p.name)
        for p in Path("/proc").iterdir()
        if p.name.isdigit() and read(f"{p}/cmdline").startswith(HOLDER) and link(f"{p}/ns/pid") == pid_ns
    )
    stub_filters, holder_filters = _seccomp_filters(stub), _seccomp_filters(holder)
    assert len(holder_filters) == 1 and len(holder_filters[0]) > 8
    assert stub_filters == holder_filters


def _draws(node: RunningNode, pod: str) -> tuple[str, str]:
    """A templated `randomInt` (Python's `random`) and the journal's id of a request (the id
    pool, ids.py), as the pod's stub draws them."""
    mapping = {
        "request": {"url": "/draw"},
        "response": {"body": "{{randomInt lower=0 upper=2000000000}}", "transformers": ["response-template"]},
    }
    with node.port_forward(f"pod/{pod}", 8080) as port:
        base = f"http://127.0.0.1:{port}"
        post = urllib.request.Request(
            f"{base}/__admin/mappings", data=json.dumps(mapping).encode(), method="POST"
        )
        urllib.request.urlopen(post, timeout=10).close()
        with urllib.request.urlopen(f"{base}/draw", timeout=10) as answer:
            value = answer.read().decode()
        with urllib.request.urlopen(f"{base}/__admin/requests", timeout=10) as answer:
            ids = [r["id"] for r in json.load(answer)["requests"]]
    return value, ids[-1]


def test_random_draws_differ_between_forked_stubs(node: RunningNode) -> None:
    """The server's random state and any id drawn before the fork would be every stub's: one pod
    could predict another's random values and request ids."""
    attacker, victim = _draws(node, "attacker"), _draws(node, "victim")
    assert attacker[0].isdigit() and victim[0].isdigit()
    assert attacker[0] != victim[0] and attacker[1] != victim[1], (attacker, victim)


# /proc/PID/status fields that differ between any two processes of one program: the PIDs (the
# forked stub is PID 2, the exec'd one PID 1), its state, memory counters, scheduling counts.
VARYING = {"State", "Pid", "Tgid", "NStgid", "NSpid", "NSpgid", "NSsid", "FDSize", "SigQ"}
VARYING_PREFIXES = ("Vm", "Rss", "Hugetlb", "voluntary", "nonvoluntary")


def _status(node: RunningNode, pod: str, pid: str) -> dict[str, str]:
    text = node.kubectl("exec", pod, "--", "cat", f"/proc/{pid}/status").stdout
    pairs = (line.split(":", 1) for line in text.splitlines() if ":" in line)
    return {
        key: value.strip()
        for key, value in pairs
        if key not in VARYING and not key.startswith(VARYING_PREFIXES)
    }


def test_the_forked_stubs_status_is_an_execd_stubs_field_for_field(
    node: RunningNode, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every field of /proc/PID/status but PIDs and counters, against a stub bwrap exec'd on a
    node without the fork server (the name was the server's "34" before the review)."""
    monkeypatch.setenv("PODLAB_FORKSERVER", "0")
    manifest = tmp_path / "pod.yaml"
    manifest.write_text(PODS.split("---")[0])
    plain = start_node(tmp_path / "home", manifest)
    try:
        plain.kubectl("wait", "--for=condition=Ready", "pod/victim", "--timeout=60s", timeout=70)
        execd = _status(plain, "victim", "1")
    finally:
        stop_node(plain)
    forked = _status(node, "victim", "2")
    assert forked == execd


def test_the_stub_is_named_as_after_an_exec(node: RunningNode) -> None:
    """`ps` in the pod: the stub's command name is its interpreter's, not the server's fd number."""
    assert _sh(node, "cat /proc/2/comm").strip() == "python3.11"
    assert _sh(node, "cat /proc/1/comm").strip() == "sh"


def test_a_stub_that_exits_at_once_reports_its_code_and_log(node: RunningNode) -> None:
    manifest = node.home.parent / "bad.yaml"
    manifest.write_text(
        PODS.split("---")[0]
        .replace("name: victim", "name: quitter")
        .replace("spec:\n", "spec:\n  restartPolicy: Never\n", 1)
        + '    args: ["--no-such-option"]\n'
    )
    node.kubectl("apply", "-f", str(manifest))

    def terminated() -> dict[str, object] | None:
        statuses = json.loads(node.kubectl("get", "pod", "quitter", "-o", "json").stdout)["status"]
        state = (statuses.get("containerStatuses") or [{}])[0].get("state", {})
        return state.get("terminated")  # type: ignore[no-any-return]

    state = wait_for(terminated, timeout=60, what="the quitting stub terminated")
    assert (state["exitCode"], state["reason"]) == (1, "Error"), state
    assert "'no-such-option' is not a recognized option" in node.kubectl("logs", "quitter").stdout
    node.kubectl("delete", "pod", "quitter", "--wait=false")


def test_an_oom_kill_of_a_forked_stub_is_reported_oomkilled(node: RunningNode) -> None:
    """The forked stub is in the container's memory cgroup: over its limit it is OOM killed and
    the kubelet's OOMKilled/137 follows (only what it made its own counts: docs/SECURITY.md)."""
    manifest = node.home.parent / "oom.yaml"
    manifest.write_text(
        PODS.split("---")[0].replace("name: victim", "name: oom").split("    env:")[0]
        + "    resources:\n      limits: {memory: 32Mi}\n"
    )
    node.kubectl("apply", "-f", str(manifest))
    node.kubectl("wait", "--for=condition=Ready", "pod/oom", "--timeout=60s", timeout=70)
    mapping = {"request": {"url": "/big"}, "response": {"body": "x" * (48 << 20)}}
    with node.port_forward("pod/oom", 8080) as port:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/__admin/mappings", data=json.dumps(mapping).encode(), method="POST"
        )
        with contextlib.suppress(OSError):
            urllib.request.urlopen(request, timeout=30).close()  # the stub dies answering

    def oom_killed() -> dict[str, object] | None:
        last = _container_status(node, "oom").get("lastState") or {}
        return last.get("terminated")  # type: ignore[union-attr, no-any-return]

    last = wait_for(oom_killed, timeout=60, what="the stub OOM killed")
    assert (last["exitCode"], last["reason"]) == (137, "OOMKilled"), last
    node.kubectl("delete", "pod", "oom", "--wait=false")


def _ready_pods(node: RunningNode, selector: str, count: int) -> list[str] | None:
    pods = json.loads(node.kubectl("get", "pods", "-l", selector, "-o", "json").stdout)["items"]
    ready = [
        p["metadata"]["name"]
        for p in pods
        if any(c["type"] == "Ready" and c["status"] == "True" for c in p["status"].get("conditions", []))
    ]
    return ready if len(pods) == count and len(ready) == count else None


def test_twenty_pods_at_once_share_nothing_but_the_server(node: RunningNode) -> None:
    manifest = node.home.parent / "many.yaml"
    manifest.write_text(
        textwrap.dedent(
            """\
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: many
            spec:
              replicas: 20
              selector:
                matchLabels: {app: many}
              template:
                metadata:
                  labels: {app: many}
                spec:
                  containers:
                  - name: wiremock
                    image: wiremock/wiremock:3.13.2
                    env:
                    - name: POD_NAME
                      valueFrom: {fieldRef: {fieldPath: metadata.name}}
            """
        )
    )
    node.kubectl("apply", "-f", str(manifest))
    # Available allows a quarter unavailable (maxUnavailable 25%): wait for every pod.
    names = wait_for(
        lambda: _ready_pods(node, "app=many", 20), timeout=120, what="20 pods of deploy/many Ready"
    )
    fork_server(node)  # still exactly one
    first, others = names[0], names[1:]
    stub, _ = stub_and_holder(node, first)
    found = memory_holds(stub, [n.encode() for n in (first, *others, SECRET)])
    assert found == {first.encode()}, found
    node.kubectl("delete", "deploy", "many", "--wait=false")


# --- without a node -------------------------------------------------------------------------


def _pids_cgroup() -> Path | None:
    for root in (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup")):
        if (root / "cgroup.procs").exists() and (
            root.name == "pids" or "pids" in read(str(root / "cgroup.subtree_control")).decode()
        ):
            return root
    return None


@pytest.mark.skipif(os.geteuid() != 0 or _pids_cgroup() is None, reason="needs root and a pids cgroup")
def test_a_fork_that_fails_does_not_take_the_server_down(tmp_path: Path) -> None:
    """At the pids limit (any pod's fork bomb counts against an ordinary user's RLIMIT_NPROC)
    the server's fork fails: that container must fall back, and the server live on: its death
    ends every forked pod of the node (their holders read EOF). Found in review: it died."""
    from podlab.runtime.forkserver import ForkError, ForkServer, StubSpec

    root = _pids_cgroup()
    assert root is not None
    group = root / f"podlab-fsattack-{os.getpid()}"
    group.mkdir()
    holder = subprocess.Popen(["sleep", "60"])
    server = ForkServer()

    async def ask(cgroups: list[str]) -> str:
        """One request; the holder's end of its status socket must read EOF (the holder would
        exit 137 and bwrap report it), whatever happened to the fork."""
        holder_end, server_end = socket.socketpair()
        status_r, status_w = holder_end.detach(), server_end.detach()
        os.write(status_r, b"ready\n")  # what the holder says once bwrap has built the sandbox
        try:
            spec = StubSpec([], sys.executable, {}, "/", cgroups, 0, None)
            try:
                await server.fork(spec, holder=holder.pid, status_w=status_w, package=None)
                return "forked"
            except ForkError as exc:
                return str(exc)
        finally:
            assert select.select([status_r], [], [], 10)[0], "the holder's stdin stays open"
            assert os.read(status_r, 16) == b""
            os.close(status_r)

    async def scenario() -> list[str]:
        # An entrant that fails at its first step (a cgroup that does not exist): harmless,
        # and it starts the server.
        answers = [await ask(["/nonexistent/cgroup.procs"])]
        assert server._child is not None
        (group / "pids.max").write_text("1")  # the server itself: its next fork fails
        (group / "cgroup.procs").write_text(str(server._child.pid))
        answers.append(await ask(["/nonexistent/cgroup.procs"]))
        assert server._alive(), "the fork server died of a failed fork"
        return answers

    try:
        answers = asyncio.run(scenario())
        assert "No such file or directory" in answers[0], answers
        assert answers[1] == "fork server: the entrant died", answers
    finally:
        server.close()
        holder.kill()
        holder.wait()
        wait_for(lambda: not read(str(group / "cgroup.procs")).strip(), timeout=10, what="group empty")
        group.rmdir()


def test_a_reused_holder_pid_is_refused() -> None:
    """The node's pidfd names the holder; if that process is gone, its PID (now another process)
    must not lead the entrant into the other process's namespaces."""
    from podlab.runtime.sandbox_entry import EntryError, open_holder

    gone = subprocess.Popen(["sleep", "60"])
    pidfd = os.pidfd_open(gone.pid)
    gone.send_signal(signal.SIGKILL)
    gone.wait()
    other = subprocess.Popen(["sleep", "60"])  # a live process standing at the PID asked for
    try:
        with pytest.raises(EntryError, match="holder has exited"):
            open_holder(other.pid, pidfd, ["sleep", "60"])
        with pytest.raises(EntryError, match="holder has exited"):
            open_holder(gone.pid, pidfd, ["sleep", "60"])
    finally:
        os.close(pidfd)
        other.kill()
        other.wait()


@pytest.mark.parametrize("value", [None, 0, 3, "bye"])
def test_a_system_exit_in_the_forked_stub_ends_it_as_it_ends_the_interpreter(
    value: object, capsys: pytest.CaptureFixture[str]
) -> None:
    """The forked stub handles SystemExit itself (it ends with os._exit): `sys.exit()` is 0 and
    `sys.exit("message")` prints the message and is 1, as `python -m podlab.stub` gives (found
    in review: both were 1, the message lost)."""
    from podlab.runtime.forkserver_main import system_exit_code

    interpreter = subprocess.run(
        [sys.executable, "-c", f"raise SystemExit({value!r})"], capture_output=True, text=True, timeout=30
    )
    assert system_exit_code(SystemExit(value)) == interpreter.returncode
    assert capsys.readouterr().err == interpreter.stderr


def test_a_sandbox_bwrap_is_still_building_is_never_joined(monkeypatch: pytest.MonkeyPatch) -> None:
    """bwrap reports its child before it mounts, pivots and confines; the entrant waits until the
    holder program runs (its command line), and gives up rather than join a half-built sandbox
    (found at 100 pods: entrants that joined early took bwrap's set-up root for the pod's)."""
    from podlab.runtime import sandbox_entry

    monkeypatch.setattr(sandbox_entry, "SETTLE_SECONDS", 0.3)
    building = subprocess.Popen(["sleep", "60"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    pidfd = os.pidfd_open(building.pid)
    try:
        with pytest.raises(sandbox_entry.EntryError, match="not ready within"):
            sandbox_entry.open_holder(building.pid, pidfd, ["/bin/sh", "-c", "read -r code"])
        sandbox_entry.open_holder(building.pid, pidfd, ["sleep", "60"]).close()  # its own: joined
    finally:
        os.close(pidfd)
        building.kill()
        building.wait()


@pytest.mark.skipif(os.geteuid() != 0, reason="joining another user namespace as the node does")
@pytest.mark.parametrize("killed", ["before the joins", "after the joins"])
def test_a_holder_killed_mid_join_leaves_no_process_in_its_sandbox(killed: str) -> None:
    """The holder (PID 1 of the sandbox) dies after the entrant opened it: joining what is left
    must fail, or the fork in its dead PID namespace must (ENOMEM), never start a stub."""
    from podlab.runtime import sandbox_entry

    unshare = subprocess.Popen(  # its output: pipes, as a container's (the entrant reopens them)
        ["unshare", "--user", "--map-root-user", "--pid", "--fork", "sleep", "60"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        children = wait_for(
            lambda: read(f"/proc/{unshare.pid}/task/{unshare.pid}/children").split(),
            timeout=10,
            what="the namespace's PID 1",
        )
        holder = int(children[0])
        pidfd = os.pidfd_open(holder)
        entrant = os.fork()
        if entrant == 0:  # single-threaded, as the fork server's entrant
            outcome = 3
            try:
                fds = sandbox_entry.open_holder(holder, pidfd, ["sleep", "60"])

                def kill() -> None:
                    os.kill(holder, signal.SIGKILL)
                    select.select([pidfd], [], [], 10)  # readable once it has exited

                try:
                    if killed == "before the joins":
                        kill()
                    sandbox_entry.join(fds)
                    if killed == "after the joins":
                        kill()
                    child = os.fork()
                    if child == 0:
                        os._exit(0)
                    outcome = 1  # a process started in the dead sandbox
                except (OSError, sandbox_entry.EntryError) as exc:
                    print(f"refused: {exc!r}", file=sys.stderr, flush=True)
                    outcome = 0
            except BaseException as exc:
                print(f"entrant: {exc!r}", file=sys.stderr, flush=True)
            finally:
                os._exit(outcome)
        _, status = os.waitpid(entrant, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        os.close(pidfd)
    finally:
        unshare.kill()
        unshare.wait()
