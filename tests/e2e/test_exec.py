"""kubectl exec / cp and the Python client's stream() against a started node (issue 7).

Both transports: kubectl 1.37 speaks WebSocket (v5.channel.k8s.io) first, and SPDY/3.1 when
KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false; the Python client speaks WebSocket only.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import pty
import re
import select
import struct
import subprocess
import termios
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import KUBECTL, RunningNode, start_node, stop_node, wait_for

MANIFESTS = Path(__file__).parent / "manifests"
TRANSPORTS = {"websocket": "true", "spdy": "false"}


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningNode]:
    running_node = start_node(tmp_path_factory.mktemp("exec"))
    running_node.kubectl("apply", "-f", str(MANIFESTS / "exec" / "pods.yaml"))
    for pod in ("two", "talk"):
        running_node.kubectl("wait", "--for=condition=Ready", f"pod/{pod}", "--timeout=60s", timeout=70)
    yield running_node
    stop_node(running_node)


@pytest.fixture(params=sorted(TRANSPORTS))
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def kubectl(
    node: RunningNode, transport: str, *args: str, stdin: bytes | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "KUBECTL_REMOTE_COMMAND_WEBSOCKETS": TRANSPORTS[transport]}
    return subprocess.run(
        [KUBECTL, "--kubeconfig", str(node.kubeconfig), *args],
        input=stdin,
        capture_output=True,
        timeout=timeout,
        env=env,
        check=False,
    )


def test_exit_code_stdout_and_stderr_apart(node: RunningNode, transport: str) -> None:
    result = kubectl(
        node, transport, "exec", "two", "-c", "main", "--", "sh", "-c", "echo out; echo err >&2; exit 3"
    )
    assert result.returncode == 3
    assert result.stdout == b"out\n"
    assert result.stderr == b"err\ncommand terminated with exit code 3\n"


def test_stdin_is_delivered_and_its_end_reaches_the_command(node: RunningNode, transport: str) -> None:
    data = b"".join(b"line %d\n" % i for i in range(5000))
    result = kubectl(
        node, transport, "exec", "-i", "two", "-c", "main", "--", "sh", "-c", "cat; echo end", stdin=data
    )
    assert (result.returncode, result.stdout) == (0, data + b"end\n"), result.stderr


def test_the_command_runs_in_the_containers_sandbox(node: RunningNode) -> None:
    """Same files (the container's /tmp and volume), PID namespace, env and working dir."""
    script = "cat /tmp/mark; pwd; echo $WHO; tr '\\0' _ < /proc/1/cmdline; echo; echo $$"
    main = kubectl(node, "websocket", "exec", "two", "-c", "main", "--", "sh", "-c", script)
    mark, cwd, who, pid_1, pid = main.stdout.decode().split()
    assert (mark, cwd, who, pid_1) == ("made-by-main", "/work", "main", "sleep_3600_"), main.stderr
    assert int(pid) > 1  # beside the container's PID 1, not a PID 1 of its own
    side = kubectl(
        node, "websocket", "exec", "two", "-c", "side", "--", "sh", "-c", "echo $WHO; cat /tmp/mark"
    )
    assert side.stdout == b"side\n" and side.returncode == 1  # each container has its own /tmp


def test_tty_has_the_clients_window_size(node: RunningNode, transport: str) -> None:
    env = {**os.environ, "KUBECTL_REMOTE_COMMAND_WEBSOCKETS": TRANSPORTS[transport]}
    argv = [KUBECTL, "--kubeconfig", str(node.kubeconfig), "exec", "-it", "two", "-c", "main", "--", "sh"]
    output, code = _drive_terminal(argv, env, b"stty size; tty; exit 7\n", size=(33, 111))
    assert b"\r\n33 111\r\n" in output
    assert b"command terminated with exit code 7" in output
    assert code == 7


def _drive_terminal(
    argv: list[str], env: dict[str, str], typed: bytes, *, size: tuple[int, int]
) -> tuple[bytes, int]:
    """Run `argv` on a new terminal of `size` (rows, columns), type `typed` once it has started,
    and return everything it printed and its exit code."""
    pid, fd = pty.fork()
    if pid == 0:
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", size[0], size[1], 0, 0))
        os.execve(argv[0], argv, env)
    try:
        os.write(fd, typed)
        output = _read_until_closed(fd, timeout=60)
        _, status = os.waitpid(pid, 0)
    finally:
        os.close(fd)
    return output, os.waitstatus_to_exitcode(status)


def _read_until_closed(fd: int, *, timeout: float) -> bytes:
    deadline = time.monotonic() + timeout
    output = b""
    while time.monotonic() < deadline:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: kubectl exited and closed the terminal
            break
        if not chunk:
            break
        output += chunk
    return output


def test_errors_in_kubectls_words(node: RunningNode, transport: str) -> None:
    not_valid = kubectl(node, transport, "exec", "two", "-c", "nope", "--", "true")
    assert not_valid.returncode == 1
    assert b"error: container nope is not valid for pod two" in not_valid.stderr
    node.kubectl("wait", "--for=jsonpath={.status.phase}=Succeeded", "pod/done", "--timeout=60s", timeout=70)
    completed = kubectl(node, transport, "exec", "done", "--", "true")
    assert (
        completed.stderr
        == b"error: cannot exec into a container in a completed pod; current phase is Succeeded\n"
    )
    wait_for(
        lambda: node.kubectl("get", "pod", "stuck").stdout.count("Init:0/1"), timeout=60, what="stuck pod"
    )
    waiting = kubectl(node, transport, "exec", "stuck", "-c", "app", "--", "true")
    assert waiting.stderr == b'error: unable to upgrade connection: container not found ("app")\n'
    missing = kubectl(node, transport, "exec", "two", "-c", "main", "--", "no-such-tool")
    assert missing.returncode == 1
    assert (
        b'OCI runtime exec failed: exec failed: unable to start container process: exec: "no-such-tool": '
        b"executable file not found in $PATH: unknown" in missing.stderr
    )


def test_cp_round_trips_5_mb_byte_for_byte(node: RunningNode, tmp_path: Path, transport: str) -> None:
    data = os.urandom(5 * 1024 * 1024)
    local = tmp_path / "blob.bin"
    local.write_bytes(data)
    up = kubectl(node, transport, "cp", str(local), f"two:/work/blob-{transport}.bin", "-c", "main")
    assert up.returncode == 0, up.stderr
    inside = kubectl(
        node, transport, "exec", "two", "-c", "main", "--", "md5sum", f"/work/blob-{transport}.bin"
    )
    assert inside.stdout.split()[0].decode() == hashlib.md5(data).hexdigest()
    back = tmp_path / "back.bin"
    down = kubectl(node, transport, "cp", f"two:/work/blob-{transport}.bin", str(back), "-c", "main")
    assert down.returncode == 0, down.stderr
    assert back.read_bytes() == data


def _stream(api: Any, command: list[str], **kwargs: Any) -> Any:
    from kubernetes.stream import stream

    return stream(
        api.connect_get_namespaced_pod_exec,
        "two",
        "default",
        container="main",
        command=command,
        stdout=True,
        stderr=True,
        tty=False,
        _preload_content=False,
        **kwargs,
    )


def test_python_client_stream_exit_code_stderr_and_stdin(node: RunningNode) -> None:
    api = node.core_api()
    resp = _stream(api, ["sh", "-c", "echo o; echo e >&2; exit 3"], stdin=False)
    resp.run_forever(timeout=30)
    assert (resp.read_stdout(), resp.read_stderr(), resp.returncode) == ("o\n", "e\n", 3)
    resp = _stream(api, ["sh", "-c", "tr a-z A-Z"], stdin=True)
    resp.write_stdin("hello\n")
    resp.close_channel(0)  # v5: the end of stdin
    resp.run_forever(timeout=30)
    assert (resp.read_stdout(), resp.returncode) == ("HELLO\n", 0)


def test_python_client_errors_name_the_containers(node: RunningNode) -> None:
    from kubernetes.client.rest import ApiException
    from kubernetes.stream import stream

    api = node.core_api()
    with pytest.raises(ApiException) as err:
        stream(
            api.connect_get_namespaced_pod_exec, "two", "default", command=["true"], stdout=True, stderr=True
        )
    assert "a container name must be specified for pod two, choose one of: [main side]" in str(err.value)
    with pytest.raises(ApiException) as err:
        stream(
            api.connect_get_namespaced_pod_exec,
            "two",
            "default",
            command=["true"],
            container="x",
            stdout=True,
        )
    assert "container x is not valid for pod two" in str(err.value)


def test_attach_delivers_stdin_and_shows_live_output(node: RunningNode, transport: str) -> None:
    env = {**os.environ, "KUBECTL_REMOTE_COMMAND_WEBSOCKETS": TRANSPORTS[transport]}
    argv = [KUBECTL, "--kubeconfig", str(node.kubeconfig), "attach", "-i", "talk"]
    proc = subprocess.Popen(
        argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        for word in (b"one", b"two"):
            proc.stdin.write(word + b"\n")
            proc.stdin.flush()
            # Live output: each answer arrives while the client is attached (within 30 s).
            assert select.select([proc.stdout], [], [], 30)[0], "no output from kubectl attach"
            assert proc.stdout.readline() == b"said " + word + b"\n"
        proc.stdin.close()  # no stdinOnce: the end of input detaches the client
        assert proc.wait(timeout=30) == 0
    finally:
        proc.kill()
        proc.wait()
    status = node.kubectl("get", "pod", "talk", "-o", "jsonpath={.status.containerStatuses[0].state}").stdout
    assert "running" in status  # the container's stdin stays open for the next client


def test_run_i_rm_keeps_the_output_every_time(node: RunningNode) -> None:
    for attempt in range(8):
        name = f"once-{attempt}"
        result = kubectl(
            node,
            "websocket",
            "run",
            "-i",
            "--rm",
            "--restart=Never",
            name,
            "--image=busybox",
            "--",
            "sh",
            "-c",
            "read line; echo got $line; exit 4",
            stdin=b"hello\n",
        )
        assert result.stdout.decode().splitlines()[0] == "got hello", (attempt, result)
        assert result.returncode == 4, (attempt, result.stderr)
        assert f'pod "{name}" deleted'.encode() in result.stdout
    assert "once-" not in node.kubectl("get", "pods").stdout


def test_run_it_rm_is_a_terminal_session(node: RunningNode) -> None:
    argv = [KUBECTL, "--kubeconfig", str(node.kubeconfig), "run", "-it", "--rm", "--restart=Never", "tty-run"]
    argv += ["--image=busybox", "--", "sh"]
    output, code = _drive_terminal(
        argv, dict(os.environ), b"stty size; echo $((6*7)); exit 5\n", size=(40, 100)
    )
    assert b"40 100\r\n42\r\n" in output, output
    assert code == 5


def test_debug_target_shares_the_targets_processes_and_describe_shows_it(node: RunningNode) -> None:
    argv = [KUBECTL, "--kubeconfig", str(node.kubeconfig), "debug", "-it", "two", "--image=busybox"]
    argv += ["--target=main", "-c", "dbg", "--", "sh"]
    typed = b"tr '\\0' _ < /proc/1/cmdline; echo; cat /tmp/mark; exit 3\n"
    output, code = _drive_terminal(argv, dict(os.environ), typed, size=(24, 80))
    # PID 1 is the target's program; the files are the debug image's own (not the target's /tmp).
    assert b"\r\nsleep_3600_\r\n" in output, output
    assert b"can't open '/tmp/mark'" in output
    assert b"Session ended, the ephemeral container will not be restarted" in output
    assert code == 0
    described = node.kubectl("describe", "pod", "two").stdout
    section = described.split("Ephemeral Containers:")[1].split("Conditions:")[0]
    assert "  dbg:" in section and "Exit Code:    3" in section, section
    statuses = node.core_api().read_namespaced_pod("two", "default").status.ephemeral_container_statuses
    assert [(s.name, s.state.terminated.exit_code, s.ready) for s in statuses] == [("dbg", 3, False)]


def test_ephemeral_containers_are_added_never_changed(node: RunningNode) -> None:
    from kubernetes.client.rest import ApiException

    api = node.core_api()
    added = {"spec": {"ephemeralContainers": [{"name": "eph", "image": "busybox", "command": ["true"]}]}}
    pod = api.patch_namespaced_pod_ephemeralcontainers("two", "default", added)
    eph = next(c for c in pod.spec.ephemeral_containers if c.name == "eph")
    assert (eph.termination_message_policy, eph.image_pull_policy) == ("File", "Always")  # defaulted
    body = {"spec": {"ephemeralContainers": [{"name": "main", "image": "busybox"}]}}
    with pytest.raises(ApiException) as err:
        api.patch_namespaced_pod_ephemeralcontainers("two", "default", body)
    assert err.value.status == 422
    # Merged by name with what is there already (kubectl debug's strategic merge patch).
    assert re.search(r'spec\.ephemeralContainers\[\d\]\.name: Duplicate value: \\"main\\"', err.value.body)
    pod = api.read_namespaced_pod_ephemeralcontainers("two", "default")
    assert pod.metadata.name == "two"
    with pytest.raises(ApiException) as err:
        api.replace_namespaced_pod_ephemeralcontainers(
            "two",
            "default",
            {
                **api.api_client.sanitize_for_serialization(pod),
                "spec": {**api.api_client.sanitize_for_serialization(pod.spec), "ephemeralContainers": []},
            },
        )
    assert err.value.status == 422
    assert "may not be removed" in err.value.body


def test_debug_copy_to_makes_a_running_copy(node: RunningNode) -> None:
    result = node.kubectl(
        "debug", "two", "--copy-to=two-copy", "--image=busybox", "-c", "dbg", "--", "sleep", "600"
    )
    assert result.returncode == 0
    node.kubectl("wait", "--for=condition=Ready", "pod/two-copy", "--timeout=60s", timeout=70)
    copy = node.core_api().read_namespaced_pod("two-copy", "default")
    assert [c.name for c in copy.spec.containers] == ["main", "side", "dbg"]
    assert copy.spec.share_process_namespace is True
    assert copy.spec.containers[2].security_context.capabilities.add == ["SYS_PTRACE"]
    assert kubectl(node, "websocket", "exec", "two-copy", "-c", "dbg", "--", "true").returncode == 0


def test_reference_scenario_exec_lists_the_mapping(tmp_path: Path) -> None:
    seed = Path(__file__).resolve().parents[2] / "examples" / "seed" / "wiremock-liveness.yaml"
    node = start_node(tmp_path / "home", seed)
    try:
        node.kubectl("wait", "--for=condition=Available", "deploy/wiremock", "--timeout=90s", timeout=100)
        result = node.kubectl("exec", "deploy/wiremock", "--", "ls", "/home/wiremock/mappings")
        assert result.stdout == "livness_probe_mapping.json\n"
    finally:
        stop_node(node)


def test_v4_websocket_as_older_python_clients_speak_it(node: RunningNode, tmp_path: Path) -> None:
    """v4.channel.k8s.io: no stdin close message, text frames for stdin, the Status on channel 3."""
    import ssl
    import urllib.parse

    import websocket

    query = urllib.parse.urlencode(
        [
            *[("command", arg) for arg in ("sh", "-c", "head -n1; exit 3")],
            *[("container", "main"), ("stdin", "True"), ("stdout", "True"), ("stderr", "True")],
        ]
    )
    ca = tmp_path / "ca.pem"
    ca.write_text(node.ca_pem)
    url = node.server.replace("https://", "wss://") + f"/api/v1/namespaces/default/pods/two/exec?{query}"
    ws = websocket.create_connection(
        url,
        subprotocols=["v4.channel.k8s.io"],
        header=[f"Authorization: Bearer {node.token}"],
        sslopt={"cert_reqs": ssl.CERT_REQUIRED, "ca_certs": str(ca)},
        timeout=30,
    )
    try:
        assert ws.subprotocol == "v4.channel.k8s.io"
        ws.send("\x00one line\n")  # a text frame, as the Python client sends str
        messages = []
        for _ in range(10):
            opcode, data = ws.recv_data()
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                break
            messages.append(data)
    finally:
        ws.close()
    assert messages[0] == b"\x01"  # the empty first message on the lowest channel written
    assert b"".join(m[1:] for m in messages if m[:1] == b"\x01") == b"one line\n"
    status = json.loads(next(m[1:] for m in messages if m[:1] == b"\x03"))
    assert status["details"]["causes"] == [{"reason": "ExitCode", "message": "3"}]
